package fpa

import (
	"cmp"
	"fmt"
	"time"

	// RULES §0: the tz database is embedded so the rules never depend on the
	// host's zoneinfo being present.
	_ "time/tzdata"
)

// Santiago is the America/Santiago zone in which every rule is evaluated
// (RULES §0).
var Santiago = mustLoadSantiago()

func mustLoadSantiago() *time.Location {
	loc, err := time.LoadLocation("America/Santiago")
	if err != nil {
		// Unreachable with time/tzdata embedded; failing at start beats
		// silently computing FPAs in UTC.
		panic("fpa: load America/Santiago: " + err.Error())
	}
	return loc
}

// Date is a Santiago calendar date without a time of day: the FPA date, the
// date of a discharge block, a date typed in a form.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d, normalized like time.Date (32/01 → 01/02).
func NewDate(y int, m time.Month, d int) Date {
	y, m, d = time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Date()
	return Date{Year: y, Month: m, Day: d}
}

// DateOf returns the Santiago calendar date of t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Santiago).Date()
	return Date{Year: y, Month: m, Day: d}
}

// AddDays returns the date n calendar days after d (before it if n < 0).
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// DaysUntil returns the number of calendar days from d to e, negative when e
// is before d. It counts calendar days, never through time.Duration, which
// overflows beyond 292 years (RULES §3).
func (d Date) DaysUntil(e Date) int { return e.dayNumber() - d.dayNumber() }

// dayNumber is the proleptic Gregorian day count of d (0 = 1970-01-01), after
// H. Hinnant's days_from_civil.
func (d Date) dayNumber() int {
	y, m := d.Year, int(d.Month)
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d.Day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	if c := cmp.Compare(d.Year, e.Year); c != 0 {
		return c
	}
	if c := cmp.Compare(d.Month, e.Month); c != 0 {
		return c
	}
	return cmp.Compare(d.Day, e.Day)
}

// At returns the instant at which Santiago clocks show date d and the time
// of day minute (minutes from midnight, as in Block); minute may be 1440
// (24:00 is 00:00 of the next day, the end of the last block). A wall time
// inside a DST overlap takes the earlier instant (RULES §0). A wall time
// inside a DST gap does not exist; At returns the first instant after the
// gap, so a block starting at 00:00 on the day Chile moves its clocks from
// 00:00 to 01:00 starts at 01:00, and blocks keep their order and never
// overlap. (time.Date alone would move 00:00 backwards, to
// 23:00 of the previous day.)
func (d Date) At(minute int) time.Time {
	t, _ := resolve(d.Year, d.Month, d.Day, minute/60, minute%60)
	return t
}

// String returns d as "02/11/2025", the format users read (RULES §0).
func (d Date) String() string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

// ISO returns d as "2025-11-02", the format of HTML date inputs and SQL dates.
func (d Date) ISO() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// resolve returns the instant of the Santiago wall time y-m-d hh:mm and
// whether that wall time exists. RULES §0: in an overlap the earlier instant
// wins; in a gap (exists == false) it returns the first instant after the
// gap.
func resolve(y int, m time.Month, d, hh, mm int) (time.Time, bool) {
	// The wall clock read as if it were UTC; the real instant is naive minus
	// the zone offset in effect then, which is one of the offsets in effect a
	// day before or a day after (Santiago never changes offset twice in two
	// days).
	naive := time.Date(y, m, d, hh, mm, 0, 0, time.UTC)
	_, before := naive.Add(-24 * time.Hour).In(Santiago).Zone()
	_, after := naive.Add(24 * time.Hour).In(Santiago).Zone()

	var best time.Time
	found := false
	for _, off := range [2]int{before, after} {
		c := naive.Add(-time.Duration(off) * time.Second).In(Santiago)
		if _, got := c.Zone(); got != off {
			continue
		}
		if !found || c.Before(best) {
			best, found = c, true
		}
	}
	if found {
		return best, true
	}
	// Gap: read with the later offset the wall time falls before the
	// transition, with the earlier one after it. Bisect to the transition;
	// offsets change on whole seconds.
	lo := naive.Add(-time.Duration(after) * time.Second)
	hi := naive.Add(-time.Duration(before) * time.Second)
	_, hiOff := hi.In(Santiago).Zone()
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
		if _, off := mid.In(Santiago).Zone(); off == hiOff {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi.In(Santiago), false
}
