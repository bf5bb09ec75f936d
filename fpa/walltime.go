package fpa

import (
	"fmt"
	"strings"
	"time"
)

// Years accepted in typed dates: wide enough for any date the app asks for,
// narrow enough to keep out typos such as 0202.
const (
	minYear = 1900
	maxYear = 2999
)

// ParseDate parses a date typed by a user: "dd/mm/aaaa" or "d/m/aaaa", or
// "aaaa-mm-dd" as sent by an HTML date input. Errors are *InputError on
// FieldDate.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, inputErr(FieldDate, msgDateEmpty)
	}
	var y, m, d int
	var ok bool
	if parts := strings.Split(s, "/"); len(parts) == 3 {
		d, ok = digits(parts[0], 1, 2)
		if ok {
			m, ok = digits(parts[1], 1, 2)
		}
		if ok {
			y, ok = digits(parts[2], 4, 4)
		}
	} else if parts := strings.Split(s, "-"); len(parts) == 3 {
		y, ok = digits(parts[0], 4, 4)
		if ok {
			m, ok = digits(parts[1], 1, 2)
		}
		if ok {
			d, ok = digits(parts[2], 1, 2)
		}
	}
	if !ok {
		return Date{}, inputErr(FieldDate, msgDateFormat)
	}
	if y < minYear || y > maxYear {
		return Date{}, inputErr(FieldDate, fmt.Sprintf(msgYearRange, minYear, maxYear))
	}
	date := Date{Year: y, Month: time.Month(m), Day: d}
	if m < 1 || m > 12 || d < 1 || NewDate(y, time.Month(m), d) != date {
		return Date{}, inputErr(FieldDate, fmt.Sprintf(msgDateNotExist, date))
	}
	return date, nil
}

// parseClock parses "HH:MM" or "H:MM", 24 h, into hour and minute.
func parseClock(s string) (int, int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, 0, inputErr(FieldTime, msgTimeEmpty)
	}
	hs, ms, found := strings.Cut(s, ":")
	if !found {
		return 0, 0, inputErr(FieldTime, msgTimeFormat)
	}
	hh, okH := digits(hs, 1, 2)
	mm, okM := digits(ms, 2, 2)
	if !okH || !okM || hh > 23 || mm > 59 {
		return 0, 0, inputErr(FieldTime, msgTimeFormat)
	}
	return hh, mm, nil
}

// digits parses s as a decimal number of lo to hi ASCII digits, nothing
// else: strconv.Atoi would also accept a sign.
func digits(s string, lo, hi int) (int, bool) {
	if len(s) < lo || len(s) > hi {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// ParseWallTime parses a Santiago wall time typed as a date (see ParseDate)
// and a clock "HH:MM" or "H:MM" (24 h), minute precision (RULES §0). A wall
// time skipped by a DST change is refused with a *InputError on FieldTime; a
// repeated one takes the earlier instant.
func ParseWallTime(date, clockText string) (time.Time, error) {
	d, err := ParseDate(date)
	if err != nil {
		return time.Time{}, err
	}
	hh, mm, err := parseClock(clockText)
	if err != nil {
		return time.Time{}, err
	}
	t, exists := resolve(d.Year, d.Month, d.Day, hh, mm)
	if !exists {
		return time.Time{}, inputErr(FieldTime, fmt.Sprintf(msgTimeGap, clock(hh*60+mm), d))
	}
	return t, nil
}

// FormatDate returns the Santiago date of t as "02/11/2025".
func FormatDate(t time.Time) string { return t.In(Santiago).Format("02/01/2006") }

// FormatTime returns the Santiago clock time of t as "14:30".
func FormatTime(t time.Time) string { return t.In(Santiago).Format("15:04") }

// FormatDateTime returns t in Santiago as "02/11/2025 14:30" (RULES §0).
func FormatDateTime(t time.Time) string { return t.In(Santiago).Format("02/01/2006 15:04") }

// FormatFPA returns the FPA as users read it (RULES §2.5):
// "02/11/2025, entre 14:00 y 16:00". The hours are the block's labels, which
// stay the same when a DST change shifts the block's instants.
func FormatFPA(f time.Time, b Block) string {
	return FormatDate(f) + fpaSeparator + clock(b.Start) + fpaAnd + clock(b.End)
}
