package fpa

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestCompute_WorkedExamples(t *testing.T) {
	// RULES §2 worked examples, every row. November 2025 is summer time
	// (-03); 05/04/2026 00:00 -03 becomes 04/04 23:00 -04.
	night := blocksActive(8, 10, 12, 14, 16, 18, 20, 22) // 00–08 inactive
	tests := []struct {
		name       string
		p          time.Time
		s          Surgery
		blocks     []Block
		pick       int // block start chosen by the nurse, -1 for the proposal
		wantR      time.Time
		wantBlock  string
		wantF      time.Time
		wantNights int
	}{
		{"36h stay lands in the 20–22 block of the next day",
			at(2025, 11, 5, 9, 40, summer), Surgery{BaseStayHours: 36}, nil, -1,
			at(2025, 11, 6, 21, 40, summer), "20:00–22:00", at(2025, 11, 6, 20, 0, summer), 1},
		{"2.5h stay stays the same day",
			at(2025, 11, 5, 16, 20, summer), Surgery{BaseStayHours: 2.5}, nil, -1,
			at(2025, 11, 5, 18, 50, summer), "18:00–20:00", at(2025, 11, 5, 18, 0, summer), 0},
		{"ambulatory before cut-off moves to 08:00 next day",
			at(2025, 11, 5, 11, 0, summer), Surgery{BaseStayHours: 6, Ambulatory: true, CutoffHour: 14}, nil, -1,
			at(2025, 11, 6, 8, 0, summer), "08:00–10:00", at(2025, 11, 6, 8, 0, summer), 1},
		{"ambulatory at or after cut-off is not adjusted",
			at(2025, 11, 5, 15, 10, summer), Surgery{BaseStayHours: 6, Ambulatory: true, CutoffHour: 14}, nil, -1,
			at(2025, 11, 5, 21, 10, summer), "20:00–22:00", at(2025, 11, 5, 20, 0, summer), 0},
		{"inactive night blocks roll to the 08–10 block",
			at(2025, 11, 5, 19, 0, summer), Surgery{BaseStayHours: 12}, night, -1,
			at(2025, 11, 6, 7, 0, summer), "08:00–10:00", at(2025, 11, 6, 8, 0, summer), 1},
		{"nurse picks an earlier block on the FPA date",
			at(2025, 11, 3, 15, 45, summer), Surgery{BaseStayHours: 24}, nil, 8 * 60,
			at(2025, 11, 4, 15, 45, summer), "14:00–16:00", at(2025, 11, 4, 8, 0, summer), 1},
		{"nurse picks the proposed block",
			at(2025, 11, 5, 10, 0, summer), Surgery{BaseStayHours: 1}, nil, 10 * 60,
			at(2025, 11, 5, 11, 0, summer), "10:00–12:00", at(2025, 11, 5, 10, 0, summer), 0},
		{"12h across the April DST change is elapsed time",
			at(2026, 4, 4, 20, 0, summer), Surgery{BaseStayHours: 12}, nil, -1,
			at(2026, 4, 5, 7, 0, winter), "06:00–08:00", at(2026, 4, 5, 6, 0, winter), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks := tt.blocks
			if blocks == nil {
				blocks = DefaultBlocks()
			}
			res, err := Compute(tt.p, tt.s, blocks)
			if err != nil {
				t.Fatalf("Compute: %v", err)
			}
			sameInstant(t, "R", res.R, tt.wantR)
			if got := res.Proposed.Block.Label(); got != tt.wantBlock {
				t.Errorf("proposed block = %s, want %s", got, tt.wantBlock)
			}
			f := res.F()
			if tt.pick >= 0 {
				slot, err := res.Choose(tt.pick)
				if err != nil {
					t.Fatalf("Choose(%s): %v", clock(tt.pick), err)
				}
				if slot.Date != res.Date() {
					t.Errorf("chosen date = %s, want the FPA date %s", slot.Date, res.Date())
				}
				f = slot.Start
			}
			sameInstant(t, "F", f, tt.wantF)
			if got := Nights(tt.p, f); got != tt.wantNights {
				t.Errorf("planned nights = %d, want %d", got, tt.wantNights)
			}
		})
	}
}

func TestCompute_Rules(t *testing.T) {
	tests := []struct {
		name      string
		p         time.Time
		s         Surgery
		blocks    []Block
		wantR     time.Time
		wantBlock string
		wantF     time.Time
		wantLen   time.Duration
	}{
		// RULES §2.2: strict < at the cut-off.
		{"ambulatory with hour(P) equal to cut-off is not adjusted",
			at(2025, 11, 5, 14, 0, summer), Surgery{BaseStayHours: 6, Ambulatory: true, CutoffHour: 14}, nil,
			at(2025, 11, 5, 20, 0, summer), "20:00–22:00", at(2025, 11, 5, 20, 0, summer), 2 * time.Hour},
		{"ambulatory one minute before the cut-off hour is adjusted",
			at(2025, 11, 5, 13, 59, summer), Surgery{BaseStayHours: 6, Ambulatory: true, CutoffHour: 14}, nil,
			at(2025, 11, 6, 8, 0, summer), "08:00–10:00", at(2025, 11, 6, 8, 0, summer), 2 * time.Hour},
		{"ambulatory cut-off 0 never adjusts",
			at(2025, 11, 5, 0, 10, summer), Surgery{BaseStayHours: 1, Ambulatory: true, CutoffHour: 0}, nil,
			at(2025, 11, 5, 1, 10, summer), "00:00–02:00", at(2025, 11, 5, 0, 0, summer), 2 * time.Hour},
		{"ambulatory cut-off 23 adjusts a 22:59 end",
			at(2025, 11, 5, 22, 59, summer), Surgery{BaseStayHours: 0.5, Ambulatory: true, CutoffHour: 23}, nil,
			at(2025, 11, 6, 8, 0, summer), "08:00–10:00", at(2025, 11, 6, 8, 0, summer), 2 * time.Hour},
		{"ambulatory max keeps a long norm intact",
			at(2025, 11, 5, 11, 0, summer), Surgery{BaseStayHours: 48, Ambulatory: true, CutoffHour: 14}, nil,
			at(2025, 11, 7, 11, 0, summer), "10:00–12:00", at(2025, 11, 7, 10, 0, summer), 2 * time.Hour},
		// Norms that must be exact.
		{"norm 0.5h is exactly 30 minutes",
			at(2025, 11, 5, 9, 40, summer), Surgery{BaseStayHours: 0.5}, nil,
			at(2025, 11, 5, 10, 10, summer), "10:00–12:00", at(2025, 11, 5, 10, 0, summer), 2 * time.Hour},
		{"norm 1.5h is exactly 90 minutes",
			at(2025, 11, 5, 9, 40, summer), Surgery{BaseStayHours: 1.5}, nil,
			at(2025, 11, 5, 11, 10, summer), "10:00–12:00", at(2025, 11, 5, 10, 0, summer), 2 * time.Hour},
		{"norm 0.01h is exactly 36 seconds",
			at(2025, 11, 5, 9, 59, summer), Surgery{BaseStayHours: 0.01}, nil,
			at(2025, 11, 5, 9, 59, summer).Add(36 * time.Second), "08:00–10:00", at(2025, 11, 5, 8, 0, summer), 2 * time.Hour},
		{"norm 2160h is exactly 90 days without a DST change",
			at(2025, 11, 5, 9, 40, summer), Surgery{BaseStayHours: 2160}, nil,
			at(2026, 2, 3, 9, 40, summer), "08:00–10:00", at(2026, 2, 3, 8, 0, summer), 2 * time.Hour},
		{"norm 2160h across the April DST change ends an hour earlier on the clock",
			at(2026, 3, 1, 10, 0, summer), Surgery{BaseStayHours: 2160}, nil,
			at(2026, 5, 30, 9, 0, winter), "08:00–10:00", at(2026, 5, 30, 8, 0, winter), 2 * time.Hour},
		// Calendar boundaries.
		{"stay crossing midnight lands in the 00–02 block",
			at(2025, 11, 5, 22, 30, summer), Surgery{BaseStayHours: 2}, nil,
			at(2025, 11, 6, 0, 30, summer), "00:00–02:00", at(2025, 11, 6, 0, 0, summer), 2 * time.Hour},
		{"stay crossing year end lands on 01/01",
			at(2025, 12, 31, 20, 0, summer), Surgery{BaseStayHours: 6}, nil,
			at(2026, 1, 1, 2, 0, summer), "02:00–04:00", at(2026, 1, 1, 2, 0, summer), 2 * time.Hour},
		{"ambulatory on 31/12 moves to 08:00 of 01/01",
			at(2025, 12, 31, 10, 0, summer), Surgery{BaseStayHours: 2, Ambulatory: true, CutoffHour: 14}, nil,
			at(2026, 1, 1, 8, 0, summer), "08:00–10:00", at(2026, 1, 1, 8, 0, summer), 2 * time.Hour},
		{"R exactly at a block end belongs to the next block",
			at(2025, 11, 5, 8, 0, summer), Surgery{BaseStayHours: 2}, nil,
			at(2025, 11, 5, 10, 0, summer), "10:00–12:00", at(2025, 11, 5, 10, 0, summer), 2 * time.Hour},
		// April 2026: 05/04 00:00 -03 becomes 04/04 23:00 -04; 23:00–23:59 happen twice.
		{"24h across the April DST change ends at 09:00 on the clock",
			at(2026, 4, 4, 10, 0, summer), Surgery{BaseStayHours: 24}, nil,
			at(2026, 4, 5, 9, 0, winter), "08:00–10:00", at(2026, 4, 5, 8, 0, winter), 2 * time.Hour},
		{"R in the repeated hour belongs to the 22–24 block, three hours long",
			at(2026, 4, 4, 22, 30, summer), Surgery{BaseStayHours: 1.5}, nil,
			at(2026, 4, 4, 23, 0, winter), "22:00–24:00", at(2026, 4, 4, 22, 0, summer), 3 * time.Hour},
		{"ambulatory on the April DST eve moves to 08:00 winter time",
			at(2026, 4, 4, 10, 0, summer), Surgery{BaseStayHours: 2, Ambulatory: true, CutoffHour: 14}, nil,
			at(2026, 4, 5, 8, 0, winter), "08:00–10:00", at(2026, 4, 5, 8, 0, winter), 2 * time.Hour},
		// September 2026: 06/09 00:00 -04 becomes 01:00 -03; 00:00–00:59 do not exist.
		{"12h across the September DST change ends at 09:00 on the clock",
			at(2026, 9, 5, 20, 0, winter), Surgery{BaseStayHours: 12}, nil,
			at(2026, 9, 6, 9, 0, summer), "08:00–10:00", at(2026, 9, 6, 8, 0, summer), 2 * time.Hour},
		{"block 00–02 on the September DST day starts at 01:00 and lasts one hour",
			at(2026, 9, 5, 22, 30, winter), Surgery{BaseStayHours: 2}, nil,
			at(2026, 9, 6, 1, 30, summer), "00:00–02:00", at(2026, 9, 6, 1, 0, summer), time.Hour},
		{"block 22–24 on the September DST eve lasts two hours",
			at(2026, 9, 5, 21, 0, winter), Surgery{BaseStayHours: 1.5}, nil,
			at(2026, 9, 5, 22, 30, winter), "22:00–24:00", at(2026, 9, 5, 22, 0, winter), 2 * time.Hour},
		// Inactive blocks and blocks that do not cover the day.
		{"single active block already passed rolls to the next day",
			at(2025, 11, 5, 11, 30, summer), Surgery{BaseStayHours: 1}, blocksActive(10),
			at(2025, 11, 5, 12, 30, summer), "10:00–12:00", at(2025, 11, 6, 10, 0, summer), 2 * time.Hour},
		{"single active block later the same day is taken the same day",
			at(2025, 11, 5, 8, 0, summer), Surgery{BaseStayHours: 1}, blocksActive(10),
			at(2025, 11, 5, 9, 0, summer), "10:00–12:00", at(2025, 11, 5, 10, 0, summer), 2 * time.Hour},
		{"only the 00–02 block active rolls to midnight",
			at(2025, 11, 5, 1, 0, summer), Surgery{BaseStayHours: 1}, blocksActive(0),
			at(2025, 11, 5, 2, 0, summer), "00:00–02:00", at(2025, 11, 6, 0, 0, summer), 2 * time.Hour},
		{"R between blocks takes the next block starting after it",
			at(2025, 11, 5, 9, 0, summer), Surgery{BaseStayHours: 2}, []Block{blk(8, 10, true), blk(14, 16, true)},
			at(2025, 11, 5, 11, 0, summer), "14:00–16:00", at(2025, 11, 5, 14, 0, summer), 2 * time.Hour},
		{"R after the last block takes the first block of the next day",
			at(2025, 11, 5, 15, 0, summer), Surgery{BaseStayHours: 2}, []Block{blk(8, 10, true), blk(14, 16, true)},
			at(2025, 11, 5, 17, 0, summer), "08:00–10:00", at(2025, 11, 6, 8, 0, summer), 2 * time.Hour},
		{"R between blocks skips an inactive next block",
			at(2025, 11, 5, 9, 0, summer), Surgery{BaseStayHours: 2}, []Block{blk(8, 10, true), blk(12, 13, false), blk(14, 16, true)},
			at(2025, 11, 5, 11, 0, summer), "14:00–16:00", at(2025, 11, 5, 14, 0, summer), 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks := tt.blocks
			if blocks == nil {
				blocks = DefaultBlocks()
			}
			res, err := Compute(tt.p, tt.s, blocks)
			if err != nil {
				t.Fatalf("Compute: %v", err)
			}
			sameInstant(t, "R", res.R, tt.wantR)
			if got := res.Proposed.Block.Label(); got != tt.wantBlock {
				t.Errorf("proposed block = %s, want %s", got, tt.wantBlock)
			}
			sameInstant(t, "F", res.F(), tt.wantF)
			if got := res.Date(); got != DateOf(tt.wantF) {
				t.Errorf("FPA date = %s, want %s", got, DateOf(tt.wantF))
			}
			if got := res.Proposed.Len(); got != tt.wantLen {
				t.Errorf("block length = %s, want %s", got, tt.wantLen)
			}
			if !slices.Contains(res.Choosable, res.Proposed.Block) {
				t.Errorf("proposed block %s not among choosable %v", res.Proposed.Block.Label(), res.Choosable)
			}
			if res.R.Location() != Santiago || res.F().Location() != Santiago {
				t.Errorf("R and F must be in Santiago, got %s and %s", res.R.Location(), res.F().Location())
			}
		})
	}
}

func TestCompute_ChoosableBlocksEndAfterP(t *testing.T) {
	// RULES §2.4: P = 10:00, so 08:00–10:00 (end == P) is not choosable.
	p := at(2025, 11, 5, 10, 0, summer)
	blocks := DefaultBlocks()
	blocks[7].Active = false // 14:00–16:00
	res, err := Compute(p, Surgery{BaseStayHours: 1}, blocks)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range res.Choosable {
		got = append(got, b.Label())
	}
	want := []string{"10:00–12:00", "12:00–14:00", "16:00–18:00", "18:00–20:00", "20:00–22:00", "22:00–24:00"}
	if !slices.Equal(got, want) {
		t.Errorf("choosable = %v, want %v", got, want)
	}
}

func TestCompute_NextDayFPAHasAllActiveBlocksChoosable(t *testing.T) {
	res, err := Compute(at(2025, 11, 5, 9, 40, summer), Surgery{BaseStayHours: 36}, blocksActive(8, 10, 12))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Choosable) != 3 {
		t.Errorf("choosable = %v, want the 3 active blocks", res.Choosable)
	}
}

func TestChoose_Refusals(t *testing.T) {
	p := at(2025, 11, 5, 10, 0, summer)
	blocks := DefaultBlocks()
	blocks[6].Active = false // 12:00–14:00
	res, err := Compute(p, Surgery{BaseStayHours: 1}, blocks)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		start int
		msg   string
	}{
		{"block ending exactly at P is refused", 8 * 60,
			"El bloque 08:00–10:00 del 05/11/2025 debe terminar después del fin de pabellón (05/11/2025 10:00)."},
		{"block ending before P is refused", 6 * 60,
			"El bloque 06:00–08:00 del 05/11/2025 debe terminar después del fin de pabellón (05/11/2025 10:00)."},
		{"inactive block is refused", 12 * 60, "El bloque 12:00–14:00 no está activo."},
		{"start that is no block is refused", 9 * 60, "No existe un bloque horario que comience a las 09:00."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := res.Choose(tt.start)
			wantInputError(t, err, FieldBlock, tt.msg)
		})
	}
	t.Run("block containing P is allowed", func(t *testing.T) {
		p := at(2025, 11, 5, 10, 30, summer)
		res, err := Compute(p, Surgery{BaseStayHours: 1}, DefaultBlocks())
		if err != nil {
			t.Fatal(err)
		}
		slot, err := res.Choose(10 * 60)
		if err != nil {
			t.Fatalf("Choose: %v", err)
		}
		sameInstant(t, "F", slot.Start, at(2025, 11, 5, 10, 0, summer))
	})
	t.Run("zero result refuses every block", func(t *testing.T) {
		_, err := Result{}.Choose(8 * 60)
		wantInputError(t, err, FieldBlock, "")
	})
}

func TestPickBlock_ModificationToAnotherDate(t *testing.T) {
	// RULES §4 reuses the §2.4 check on any date.
	p := at(2025, 11, 5, 10, 0, summer)
	slot, err := PickBlock(DefaultBlocks(), Date{2025, 11, 8}, 14*60, p)
	if err != nil {
		t.Fatal(err)
	}
	sameInstant(t, "start", slot.Start, at(2025, 11, 8, 14, 0, summer))
	sameInstant(t, "end", slot.End, at(2025, 11, 8, 16, 0, summer))
	_, err = PickBlock(DefaultBlocks(), Date{2025, 11, 4}, 14*60, p)
	wantInputError(t, err, FieldBlock, "")
}

func TestCompute_InvalidInputs(t *testing.T) {
	p := at(2025, 11, 5, 10, 0, summer)
	tests := []struct {
		name   string
		p      time.Time
		s      Surgery
		blocks []Block
		field  string
		msg    string
	}{
		{"zero pavilion end is refused", time.Time{}, Surgery{BaseStayHours: 1}, nil, FieldDate, msgPavilionMissing},
		{"H of 0 is refused", p, Surgery{BaseStayHours: 0}, nil, FieldBaseStay, msgBaseStay},
		{"negative H is refused", p, Surgery{BaseStayHours: -1}, nil, FieldBaseStay, msgBaseStay},
		{"H above 2160 is refused", p, Surgery{BaseStayHours: 2160.01}, nil, FieldBaseStay, msgBaseStay},
		{"NaN H is refused", p, Surgery{BaseStayHours: math.NaN()}, nil, FieldBaseStay, msgBaseStay},
		{"infinite H is refused", p, Surgery{BaseStayHours: math.Inf(1)}, nil, FieldBaseStay, msgBaseStay},
		{"ambulatory cut-off 24 is refused", p, Surgery{BaseStayHours: 1, Ambulatory: true, CutoffHour: 24}, nil, FieldCutoff, msgCutoffRange},
		{"ambulatory cut-off -1 is refused", p, Surgery{BaseStayHours: 1, Ambulatory: true, CutoffHour: -1}, nil, FieldCutoff, msgCutoffRange},
		{"cut-off on a non-ambulatory surgery is refused", p, Surgery{BaseStayHours: 1, CutoffHour: 14}, nil, FieldCutoff, msgCutoffNotAmbulatory},
		{"no blocks is refused", p, Surgery{BaseStayHours: 1}, []Block{}, FieldBlocks, msgNoBlocks},
		{"no active block is refused", p, Surgery{BaseStayHours: 1}, blocksActive(), FieldBlocks, msgNoActiveBlock},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks := tt.blocks
			if blocks == nil {
				blocks = DefaultBlocks()
			}
			_, err := Compute(tt.p, tt.s, blocks)
			wantInputError(t, err, tt.field, tt.msg)
		})
	}
}

func TestSurgery_ValidBoundaries(t *testing.T) {
	for _, s := range []Surgery{
		{BaseStayHours: 2160},
		{BaseStayHours: 0.01},
		{BaseStayHours: 1, Ambulatory: true, CutoffHour: 0},
		{BaseStayHours: 1, Ambulatory: true, CutoffHour: 23},
	} {
		if err := s.Validate(); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
	if got := (Surgery{BaseStayHours: 2160}).BaseStay(); got != 90*24*time.Hour {
		t.Errorf("2160h = %s, want 90 days", got)
	}
}

func TestCompute_ProposedIsAlwaysChoosableAndAfterR(t *testing.T) {
	// Property over both 2026 DST days and a plain day, every 7 minutes:
	// the proposed slot ends after R, starts at or after R unless it
	// contains R, and is choosable.
	blockSets := map[string][]Block{
		"default": DefaultBlocks(),
		"day":     blocksActive(8, 10, 12, 14, 16, 18),
		"gaps":    {blk(0, 1, true), blk(7, 9, false), blk(9, 11, true), blk(22, 24, false)},
	}
	starts := []time.Time{at(2026, 4, 4, 0, 0, summer), at(2026, 9, 5, 0, 0, winter), at(2025, 11, 5, 0, 0, summer)}
	for name, blocks := range blockSets {
		for _, start := range starts {
			for p := start; p.Before(start.Add(48 * time.Hour)); p = p.Add(7 * time.Minute) {
				for _, h := range []float64{0.5, 1, 2, 13} {
					res, err := Compute(p, Surgery{BaseStayHours: h, Ambulatory: true, CutoffHour: 6}, blocks)
					if err != nil {
						t.Fatal(err)
					}
					s := res.Proposed
					_, contains := BlockContaining(blocks, res.R)
					if !s.End.After(res.R) || (s.Start.Before(res.R) && !contains) || !s.Block.Active {
						t.Fatalf("%s P=%s H=%v: R=%s proposed %s on %s [%s, %s)", name, FormatDateTime(p), h,
							FormatDateTime(res.R), s.Block.Label(), s.Date, s.Start, s.End)
					}
					if !slices.Contains(res.Choosable, s.Block) {
						t.Fatalf("%s P=%s: proposed block not choosable", name, FormatDateTime(p))
					}
					if n := Nights(p, res.F()); n < 0 {
						t.Fatalf("%s P=%s: planned nights %d < 0", name, FormatDateTime(p), n)
					}
				}
			}
		}
	}
}

func TestNights(t *testing.T) {
	utc := time.UTC
	tests := []struct {
		name string
		a, b time.Time
		want int
	}{
		{"26 hours from 02/11 08:00 to 03/11 10:00 is one night", at(2025, 11, 2, 8, 0, summer), at(2025, 11, 3, 10, 0, summer), 1},
		{"same day is zero nights", at(2025, 11, 2, 0, 0, summer), at(2025, 11, 2, 23, 59, summer), 0},
		{"one minute across midnight is one night", at(2025, 11, 2, 23, 59, summer), at(2025, 11, 3, 0, 0, summer), 1},
		{"earlier FPA gives negative extra nights", at(2025, 11, 5, 8, 0, summer), at(2025, 11, 3, 20, 0, summer), -2},
		{"year end is one night", at(2025, 12, 31, 22, 0, summer), at(2026, 1, 1, 8, 0, summer), 1},
		{"dates are Santiago dates, not UTC dates", time.Date(2025, 11, 3, 2, 0, 0, 0, utc), time.Date(2025, 11, 3, 4, 0, 0, 0, utc), 1},
		{"repeated hour on 04/04/2026 stays the same date", at(2026, 4, 4, 23, 30, summer), at(2026, 4, 4, 23, 30, winter), 0},
		{"April DST night counts once", at(2026, 4, 4, 20, 0, summer), at(2026, 4, 5, 7, 0, winter), 1},
		{"September DST night counts once", at(2026, 9, 5, 20, 0, winter), at(2026, 9, 6, 9, 0, summer), 1},
		{"90 days", at(2025, 11, 5, 9, 40, summer), at(2026, 2, 3, 8, 0, summer), 90},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Nights(tt.a, tt.b); got != tt.want {
				t.Errorf("Nights = %d, want %d", got, tt.want)
			}
		})
	}
}

// daysByYears counts calendar days from a to b (a before b) a year at a time, each step small
// enough for time.Duration: an independent check of the day arithmetic.
func daysByYears(a, b Date) int {
	n := 0
	cur := time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC)
	end := time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC)
	for cur.AddDate(1, 0, 0).Before(end) {
		next := cur.AddDate(1, 0, 0)
		n += int(next.Sub(cur) / (24 * time.Hour))
		cur = next
	}
	return n + int(end.Sub(cur)/(24*time.Hour))
}

func TestNights_CenturiesApartCountCalendarDaysWithoutOverflow(t *testing.T) {
	tests := []struct{ a, b Date }{
		{NewDate(2026, 11, 27), NewDate(2999, 12, 31)},
		{NewDate(1900, 1, 1), NewDate(2999, 12, 31)},
		{NewDate(2024, 2, 28), NewDate(2024, 3, 1)},
		{NewDate(2000, 2, 28), NewDate(2100, 3, 1)},
	}
	for _, tt := range tests {
		want := daysByYears(tt.a, tt.b)
		if got := tt.a.DaysUntil(tt.b); got != want {
			t.Errorf("%s → %s: DaysUntil = %d, want %d", tt.a, tt.b, got, want)
		}
		if got := tt.b.DaysUntil(tt.a); got != -want {
			t.Errorf("%s → %s: DaysUntil = %d, want %d", tt.b, tt.a, got, -want)
		}
		if got := Nights(tt.a.At(600), tt.b.At(600)); got != want {
			t.Errorf("%s → %s: Nights = %d, want %d", tt.a, tt.b, got, want)
		}
	}
}

func TestValidateModificationDate_AtMost180DaysAfterPavilionDate(t *testing.T) {
	p := at(2025, 11, 5, 23, 30, summer)
	if err := ValidateModificationDate(NewDate(2026, 5, 4), p); err != nil {
		t.Fatalf("day 180 refused: %v", err)
	}
	if err := ValidateModificationDate(NewDate(2025, 11, 5), p); err != nil {
		t.Fatalf("the pavilion date refused: %v", err)
	}
	wantInputError(t, ValidateModificationDate(NewDate(2026, 5, 5), p), FieldDate,
		"La nueva FPA no puede ser posterior al 04/05/2026 (180 días después del fin de pabellón).")
	wantInputError(t, ValidateModificationDate(NewDate(2999, 12, 31), p), FieldDate,
		"La nueva FPA no puede ser posterior al 04/05/2026 (180 días después del fin de pabellón).")
}

func TestValidatePavilionEnd_ThirtyCalendarDays(t *testing.T) {
	now := at(2025, 11, 5, 12, 0, summer)
	tests := []struct {
		name string
		p    time.Time
		msg  string
	}{
		{"30 days before at 00:00 is allowed", at(2025, 10, 6, 0, 0, summer), ""},
		{"31 days before at 23:59 is refused", at(2025, 10, 5, 23, 59, summer),
			"El fin de pabellón no puede ser anterior al 06/10/2025 (máximo 30 días atrás)."},
		{"30 days after at 23:59 is allowed", at(2025, 12, 5, 23, 59, summer), ""},
		{"31 days after at 00:00 is refused", at(2025, 12, 6, 0, 0, summer),
			"El fin de pabellón no puede ser posterior al 05/12/2025 (máximo 30 días adelante)."},
		{"now is allowed", now, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePavilionEnd(tt.p, now)
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			wantInputError(t, err, FieldDate, tt.msg)
		})
	}
}

func BenchmarkCompute(b *testing.B) {
	blocks := blocksActive(8, 10, 12, 14, 16, 18, 20)
	p := at(2025, 11, 5, 19, 0, summer)
	s := Surgery{BaseStayHours: 12, Ambulatory: true, CutoffHour: 20}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(p, s, blocks); err != nil {
			b.Fatal(err)
		}
	}
}
