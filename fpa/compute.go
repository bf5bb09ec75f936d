package fpa

import (
	"fmt"
	"math"
	"time"
)

// MaxBaseStayHours is the longest base stay a surgery may have (RULES §2):
// 90 days.
const MaxBaseStayHours = 2160

// PavilionWindowDays is how many calendar days before or after today the
// pavilion end may lie (RULES §2).
const PavilionWindowDays = 30

// ambulatoryMorning is the RULES §2 "08:00 of the day after date(P)".
const ambulatoryMorning = 8 * 60

// Surgery holds the inputs of RULES §2 that come from the surgery master
// data.
type Surgery struct {
	// BaseStayHours is H, 0 < H ≤ 2160. It is applied rounded to the
	// nearest second, so any decimal with up to two places (0.5, 1.5, 2160,
	// 0.01 = 36 s) is exact.
	BaseStayHours float64
	// Ambulatory is A.
	Ambulatory bool
	// CutoffHour is C, 0–23, only meaningful (and only allowed to be non
	// zero) when Ambulatory.
	CutoffHour int
}

// Validate reports whether s satisfies RULES §2: 0 < H ≤ 2160, and the
// cut-off hour 0–23 when ambulatory. Non-ambulatory surgeries must carry a
// zero cut-off: a cut-off there means the master data is inconsistent.
func (s Surgery) Validate() error {
	h := s.BaseStayHours
	if math.IsNaN(h) || h <= 0 || h > MaxBaseStayHours {
		return inputErr(FieldBaseStay, msgBaseStay)
	}
	if s.Ambulatory {
		if s.CutoffHour < 0 || s.CutoffHour > 23 {
			return inputErr(FieldCutoff, msgCutoffRange)
		}
	} else if s.CutoffHour != 0 {
		return inputErr(FieldCutoff, msgCutoffNotAmbulatory)
	}
	return nil
}

// BaseStay returns H as an elapsed duration, rounded to the nearest second.
func (s Surgery) BaseStay() time.Duration {
	return time.Duration(math.Round(s.BaseStayHours*3600)) * time.Second
}

// Result is the FPA proposed at ticket creation (RULES §2).
type Result struct {
	// P is the pavilion end.
	P time.Time
	// R is P + H, after the ambulatory rule.
	R time.Time
	// Proposed is nextActiveBlock(R) on its date: Proposed.Date is the FPA
	// date and Proposed.Start the FPA instant F.
	Proposed Slot
	// Choosable are the active blocks on the FPA date whose end is after P,
	// the ones the nurse may pick instead (RULES §2.4). It includes the
	// proposed block.
	Choosable []Block

	blocks []Block
}

// Date returns the FPA date.
func (r Result) Date() Date { return r.Proposed.Date }

// F returns the FPA instant of the proposed block.
func (r Result) F() time.Time { return r.Proposed.Start }

// Compute applies RULES §2 to pavilion end p, surgery s and the clinic's
// blocks.
func Compute(p time.Time, s Surgery, blocks []Block) (Result, error) {
	if p.IsZero() {
		return Result{}, inputErr(FieldDate, msgPavilionMissing)
	}
	if err := s.Validate(); err != nil {
		return Result{}, err
	}
	if err := ValidateBlocks(blocks); err != nil {
		return Result{}, err
	}
	// RULES §0/§2.1: elapsed time, so across a DST change the clock time of
	// R moves by an hour.
	r := p.Add(s.BaseStay()).In(Santiago)
	if s.Ambulatory {
		lp := p.In(Santiago)
		// RULES §2.2: strict <, and max() so a long norm is never shortened.
		if lp.Hour() < s.CutoffHour {
			y, m, d := lp.Date()
			morning := NewDate(y, m, d+1).At(ambulatoryMorning)
			if r.Before(morning) {
				r = morning
			}
		}
	}
	slot, ok := NextActiveBlock(blocks, r)
	if !ok {
		// ValidateBlocks guarantees an active block.
		return Result{}, inputErr(FieldBlocks, msgNoActiveBlock)
	}
	// The FPA date is never before date(P); when it is later, every block on
	// it ends after P and the end instants need not be resolved.
	sameDay := slot.Date == DateOf(p)
	choosable := make([]Block, 0, len(blocks))
	for _, b := range blocks {
		if b.Active && (!sameDay || slot.Date.At(b.End).After(p)) {
			choosable = append(choosable, b)
		}
	}
	return Result{P: p, R: r, Proposed: slot, Choosable: choosable, blocks: blocks}, nil
}

// Choose returns the slot of the block starting at blockStart (minutes from
// midnight) on the FPA date, for a nurse who picks another block than the
// proposed one (RULES §2.4–5), among the blocks given to Compute (the slice
// is kept, not copied). It refuses a block that does not exist, is inactive,
// or does not end after P.
func (r Result) Choose(blockStart int) (Slot, error) {
	return PickBlock(r.blocks, r.Proposed.Date, blockStart, r.P)
}

// PickBlock returns the slot of the block starting at blockStart on date d,
// provided the block exists, is active and ends after the pavilion end p
// (RULES §2.4 at creation, §4 when the FPA is modified).
func PickBlock(blocks []Block, d Date, blockStart int, p time.Time) (Slot, error) {
	for _, b := range blocks {
		if b.Start != blockStart {
			continue
		}
		if !b.Active {
			return Slot{}, inputErr(FieldBlock, fmt.Sprintf(msgBlockInactive, b.Label()))
		}
		s := SlotOn(d, b)
		if !s.End.After(s.Start) {
			return Slot{}, inputErr(FieldBlock, fmt.Sprintf(msgBlockInGap, b.Label(), d))
		}
		if !s.End.After(p) {
			return Slot{}, inputErr(FieldBlock, fmt.Sprintf(msgBlockBeforeP, b.Label(), d, FormatDateTime(p)))
		}
		return s, nil
	}
	return Slot{}, inputErr(FieldBlock, fmt.Sprintf(msgBlockNotFound, clock(blockStart)))
}

// Nights returns the number of Santiago calendar days from date(a) to
// date(b), the midnights crossed (RULES §3); negative when b's date is
// earlier. Planned nights are Nights(P, F); extra nights Nights(original, F).
func Nights(a, b time.Time) int { return DateOf(a).DaysUntil(DateOf(b)) }

// MaxModifications is how many times a ticket's FPA may be modified (RULES §4).
const MaxModifications = 5

// MaxModificationDays is how many calendar days after the date of the pavilion
// end a modified FPA may fall at most (RULES §4).
const MaxModificationDays = 180

// ValidateModificationDate refuses a new FPA date more than 180 days after
// the date of the pavilion end p, naming the last date allowed (RULES §4).
func ValidateModificationDate(d Date, p time.Time) error {
	last := DateOf(p).AddDays(MaxModificationDays)
	if d.Compare(last) > 0 {
		return inputErr(FieldDate, fmt.Sprintf(msgModificationTooLate, last))
	}
	return nil
}

// ValidatePavilionEnd reports whether the pavilion end p lies within 30
// calendar days before or after the Santiago date of now (RULES §2).
func ValidatePavilionEnd(p, now time.Time) error {
	today := DateOf(now)
	switch n := Nights(now, p); {
	case n < -PavilionWindowDays:
		return inputErr(FieldDate, fmt.Sprintf(msgPavilionTooOld, today.AddDays(-PavilionWindowDays)))
	case n > PavilionWindowDays:
		return inputErr(FieldDate, fmt.Sprintf(msgPavilionTooLate, today.AddDays(PavilionWindowDays)))
	}
	return nil
}
