package fpa

import (
	"fmt"
	"time"
)

// MinutesPerDay is the end of the last possible block: 24:00.
const MinutesPerDay = 24 * 60

// Block is a clinic's discharge block [Start, End), in minutes from local
// midnight (RULES §1). End may be 1440, shown as 24:00. ID is the database
// id, zero for blocks not yet stored.
type Block struct {
	Start, End int
	Active     bool
	ID         int64
}

// Label returns the block as "14:00–16:00" (en dash), the way users read it.
func (b Block) Label() string { return clock(b.Start) + "–" + clock(b.End) }

// clock formats minutes from midnight as "HH:MM"; 1440 is "24:00".
func clock(m int) string {
	if m < 0 || m > MinutesPerDay {
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// DefaultBlocks returns the 12 active two-hour blocks 00:00–02:00 …
// 22:00–24:00 every clinic starts with (RULES §1).
func DefaultBlocks() []Block {
	blocks := make([]Block, 0, 12)
	for start := 0; start < MinutesPerDay; start += 120 {
		blocks = append(blocks, Block{Start: start, End: start + 120, Active: true})
	}
	return blocks
}

// ValidateBlocks reports whether blocks is a usable block set: each block
// within 00:00–24:00 with start before end, sorted by start, non-overlapping,
// and at least one active (RULES §1: a clinic is never left with none).
// Blocks need not be two hours long nor cover the whole day.
func ValidateBlocks(blocks []Block) error {
	if len(blocks) == 0 {
		return inputErr(FieldBlocks, msgNoBlocks)
	}
	active := false
	for i, b := range blocks {
		if b.Start < 0 || b.End > MinutesPerDay || b.Start >= b.End {
			return inputErr(FieldBlocks, fmt.Sprintf(msgBlockRange, b.Label()))
		}
		if i > 0 {
			prev := blocks[i-1]
			if b.Start < prev.Start {
				return inputErr(FieldBlocks, msgBlocksUnsorted)
			}
			if b.Start < prev.End {
				return inputErr(FieldBlocks, fmt.Sprintf(msgBlocksOverlap, prev.Label(), b.Label()))
			}
		}
		active = active || b.Active
	}
	if !active {
		return inputErr(FieldBlocks, msgNoActiveBlock)
	}
	return nil
}

// Slot is a block placed on a calendar date, with the instants where it
// starts and ends. Across a DST change a slot may last one hour more or less
// than its label says.
type Slot struct {
	Date       Date
	Block      Block
	Start, End time.Time
}

// SlotOn places b on date d. The start and end wall times are resolved in
// Santiago as Date.At does: 24:00 is 00:00 of the next day, a wall time in a
// DST gap moves forward past the gap, one in an overlap takes the earlier
// instant.
func SlotOn(d Date, b Block) Slot {
	return Slot{Date: d, Block: b, Start: d.At(b.Start), End: d.At(b.End)}
}

// Len returns the elapsed length of the slot, the "block length" of RULES §6.
func (s Slot) Len() time.Duration { return s.End.Sub(s.Start) }

// minuteOfDay returns the Santiago date of t and its wall-clock minute.
func minuteOfDay(t time.Time) (Date, int) {
	lt := t.In(Santiago)
	y, m, d := lt.Date()
	return Date{Year: y, Month: m, Day: d}, lt.Hour()*60 + lt.Minute()
}

// BlockContaining returns the block whose [Start, End) contains the Santiago
// wall time of t (RULES §1), and false when t falls between blocks because a
// clinic's blocks do not cover the whole day.
func BlockContaining(blocks []Block, t time.Time) (Block, bool) {
	_, m := minuteOfDay(t)
	for _, b := range blocks {
		if b.Start <= m && m < b.End {
			return b, true
		}
	}
	return Block{}, false
}

// NextActiveBlock returns RULES §1 nextActiveBlock(t) placed on its date: the
// block containing t if it is active, else the first active block starting
// after t, the same day or the following days. When t falls between blocks it
// is the first active block starting after t. A block lying wholly in a DST
// gap does not exist that day and is skipped. blocks must pass
// ValidateBlocks; false only when no block is active.
func NextActiveBlock(blocks []Block, t time.Time) (Slot, bool) {
	d, m := minuteOfDay(t)
	// Blocks are sorted and disjoint, so the first active block ending after
	// m either contains m or is the first active one starting after it. The
	// same blocks repeat every day and a DST gap empties blocks of one day
	// only, so three days always suffice.
	for day := range 3 {
		for _, b := range blocks {
			if !b.Active || (day == 0 && b.End <= m) {
				continue
			}
			if s := SlotOn(d.AddDays(day), b); s.End.After(s.Start) {
				return s, true
			}
		}
	}
	return Slot{}, false
}
