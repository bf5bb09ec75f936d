package fpa

import (
	"testing"
	"time"
)

func TestDefaultBlocks_TwelveActiveTwoHourBlocks(t *testing.T) {
	blocks := DefaultBlocks()
	if len(blocks) != 12 {
		t.Fatalf("len = %d, want 12", len(blocks))
	}
	if err := ValidateBlocks(blocks); err != nil {
		t.Fatal(err)
	}
	for i, b := range blocks {
		if b.Start != i*120 || b.End != i*120+120 || !b.Active {
			t.Errorf("block %d = %+v", i, b)
		}
	}
	if got := blocks[0].Label(); got != "00:00–02:00" {
		t.Errorf("first label = %q", got)
	}
	if got := blocks[11].Label(); got != "22:00–24:00" {
		t.Errorf("last label = %q, want 24:00 for 1440", got)
	}
	if got := (Block{Start: 14 * 60, End: 16 * 60}).Label(); got != "14:00–16:00" {
		t.Errorf("label = %q, want en dash", got)
	}
}

func TestValidateBlocks(t *testing.T) {
	tests := []struct {
		name   string
		blocks []Block
		msg    string
	}{
		{"uneven blocks not covering the day are fine", []Block{{Start: 30, End: 45, Active: true}, blk(8, 12, false), blk(23, 24, false)}, ""},
		{"no blocks are refused", nil, msgNoBlocks},
		{"all inactive are refused", blocksActive(), msgNoActiveBlock},
		{"start equal to end is refused", []Block{{Start: 60, End: 60, Active: true}},
			"El bloque 01:00–01:00 no es válido: debe comenzar antes de terminar, entre 00:00 y 24:00."},
		{"end after 24:00 is refused", []Block{{Start: 1380, End: 1500, Active: true}},
			"El bloque 23:00–1500 min no es válido: debe comenzar antes de terminar, entre 00:00 y 24:00."},
		{"negative start is refused", []Block{{Start: -60, End: 60, Active: true}}, ""},
		{"unsorted blocks are refused", []Block{blk(10, 12, true), blk(8, 10, true)}, msgBlocksUnsorted},
		{"overlapping blocks are refused", []Block{blk(8, 11, true), blk(10, 12, true)},
			"Los bloques 08:00–11:00 y 10:00–12:00 se superponen."},
		{"blocks with the same start are refused", []Block{blk(8, 10, true), blk(8, 9, true)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateBlocks(tt.blocks)
			if tt.name == "uneven blocks not covering the day are fine" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantInputError(t, err, FieldBlocks, tt.msg)
		})
	}
}

func TestBlockContaining(t *testing.T) {
	gappy := []Block{blk(8, 10, true), blk(14, 16, false)}
	tests := []struct {
		name   string
		blocks []Block
		t      time.Time
		want   string
		ok     bool
	}{
		{"start is inside", DefaultBlocks(), at(2025, 11, 5, 14, 0, summer), "14:00–16:00", true},
		{"end is outside", DefaultBlocks(), at(2025, 11, 5, 15, 59, summer).Add(59 * time.Second), "14:00–16:00", true},
		{"inactive block still contains", gappy, at(2025, 11, 5, 15, 0, summer), "14:00–16:00", true},
		{"time between blocks has none", gappy, at(2025, 11, 5, 11, 0, summer), "", false},
		{"uses Santiago wall time, not UTC", DefaultBlocks(), time.Date(2025, 11, 5, 17, 0, 0, 0, time.UTC), "14:00–16:00", true},
		{"last minute of the day is in 22–24", DefaultBlocks(), at(2025, 11, 5, 23, 59, summer), "22:00–24:00", true},
		{"repeated hour is in 22–24", DefaultBlocks(), at(2026, 4, 4, 23, 30, winter), "22:00–24:00", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, ok := BlockContaining(tt.blocks, tt.t)
			if ok != tt.ok || (ok && b.Label() != tt.want) {
				t.Errorf("= %s, %v; want %s, %v", b.Label(), ok, tt.want, tt.ok)
			}
		})
	}
}

func TestNextActiveBlock(t *testing.T) {
	tests := []struct {
		name      string
		blocks    []Block
		t         time.Time
		wantLabel string
		wantStart time.Time
	}{
		{"active containing block is taken even when already started", DefaultBlocks(),
			at(2025, 11, 5, 15, 0, summer), "14:00–16:00", at(2025, 11, 5, 14, 0, summer)},
		{"inactive containing block rolls to the next active", blocksActive(16),
			at(2025, 11, 5, 15, 0, summer), "16:00–18:00", at(2025, 11, 5, 16, 0, summer)},
		{"inactive night blocks roll to the next morning", blocksActive(8, 10, 12, 14, 16, 18, 20),
			at(2025, 11, 5, 22, 0, summer), "08:00–10:00", at(2025, 11, 6, 8, 0, summer)},
		{"a day with one active block already passed rolls to the next day", blocksActive(6),
			at(2025, 11, 5, 8, 0, summer), "06:00–08:00", at(2025, 11, 6, 6, 0, summer)},
		{"time in a gap takes the first active block after it", []Block{blk(8, 10, true), blk(14, 16, true)},
			at(2025, 11, 5, 10, 0, summer), "14:00–16:00", at(2025, 11, 5, 14, 0, summer)},
		{"time after the last block takes the next day's first", []Block{blk(8, 10, true), blk(14, 16, true)},
			at(2025, 11, 5, 16, 0, summer), "08:00–10:00", at(2025, 11, 6, 8, 0, summer)},
		{"time before the first block takes it the same day", []Block{blk(8, 10, true)},
			at(2025, 11, 5, 0, 0, summer), "08:00–10:00", at(2025, 11, 5, 8, 0, summer)},
		{"inactive 22–24 in the repeated hour rolls to 00:00 winter time", blocksActive(0),
			at(2026, 4, 4, 23, 30, summer), "00:00–02:00", at(2026, 4, 5, 0, 0, winter)},
		{"00–02 on the September DST day starts when the gap ends", blocksActive(0),
			at(2026, 9, 5, 12, 0, winter), "00:00–02:00", at(2026, 9, 6, 1, 0, summer)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := NextActiveBlock(tt.blocks, tt.t)
			if !ok {
				t.Fatal("no block")
			}
			if s.Block.Label() != tt.wantLabel {
				t.Errorf("block = %s, want %s", s.Block.Label(), tt.wantLabel)
			}
			sameInstant(t, "start", s.Start, tt.wantStart)
			if s.Date != DateOf(tt.wantStart) {
				t.Errorf("date = %s, want %s", s.Date, DateOf(tt.wantStart))
			}
		})
	}
	t.Run("no active block reports false", func(t *testing.T) {
		if _, ok := NextActiveBlock(blocksActive(), at(2025, 11, 5, 8, 0, summer)); ok {
			t.Error("ok = true")
		}
	})
}

func TestSlotOn_DSTDays(t *testing.T) {
	tests := []struct {
		name       string
		d          Date
		b          Block
		start, end time.Time
		len        time.Duration
	}{
		{"plain day block is two hours", Date{2025, 11, 5}, blk(8, 10, true),
			at(2025, 11, 5, 8, 0, summer), at(2025, 11, 5, 10, 0, summer), 2 * time.Hour},
		{"22–24 ends at next day's 00:00", Date{2025, 11, 5}, blk(22, 24, true),
			at(2025, 11, 5, 22, 0, summer), at(2025, 11, 6, 0, 0, summer), 2 * time.Hour},
		{"22–24 before clocks go back lasts three hours", Date{2026, 4, 4}, blk(22, 24, true),
			at(2026, 4, 4, 22, 0, summer), at(2026, 4, 5, 0, 0, winter), 3 * time.Hour},
		{"00–02 after clocks go back is two hours", Date{2026, 4, 5}, blk(0, 2, true),
			at(2026, 4, 5, 0, 0, winter), at(2026, 4, 5, 2, 0, winter), 2 * time.Hour},
		{"22–24 before clocks go forward ends when the gap ends", Date{2026, 9, 5}, blk(22, 24, true),
			at(2026, 9, 5, 22, 0, winter), at(2026, 9, 6, 1, 0, summer), 2 * time.Hour},
		{"00–02 when clocks go forward starts at 01:00, one hour long", Date{2026, 9, 6}, blk(0, 2, true),
			at(2026, 9, 6, 1, 0, summer), at(2026, 9, 6, 2, 0, summer), time.Hour},
		{"block inside the gap is empty", Date{2026, 9, 6}, Block{Start: 0, End: 30, Active: true},
			at(2026, 9, 6, 1, 0, summer), at(2026, 9, 6, 1, 0, summer), 0},
		{"block straddling the gap end keeps only its real part", Date{2026, 9, 6}, Block{Start: 30, End: 90, Active: true},
			at(2026, 9, 6, 1, 0, summer), at(2026, 9, 6, 1, 30, summer), 30 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := SlotOn(tt.d, tt.b)
			sameInstant(t, "start", s.Start, tt.start)
			sameInstant(t, "end", s.End, tt.end)
			if s.Len() != tt.len {
				t.Errorf("len = %s, want %s", s.Len(), tt.len)
			}
		})
	}
}

func TestNextActiveBlock_SkipsBlockWhollyInDSTGap(t *testing.T) {
	// On 06/09/2026 00:00–00:59 do not exist, so a 00:00–00:30 block does not
	// exist that day either.
	blocks := []Block{{Start: 0, End: 30, Active: true}, blk(12, 14, false)}
	s, ok := NextActiveBlock(blocks, at(2026, 9, 5, 12, 0, winter))
	if !ok {
		t.Fatal("no block")
	}
	sameInstant(t, "start", s.Start, at(2026, 9, 7, 0, 0, summer))
	_, err := PickBlock(blocks, Date{2026, 9, 6}, 0, at(2026, 9, 5, 12, 0, winter))
	wantInputError(t, err, FieldBlock, "El bloque 00:00–00:30 no existe el 06/09/2026 por el cambio de horario.")
}
