package fpa

import (
	"fmt"
	"testing"
	"time"
)

func TestParseWallTime(t *testing.T) {
	tests := []struct {
		name        string
		date, clock string
		want        time.Time
	}{
		{"dd/mm/aaaa HH:MM", "02/11/2025", "14:30", at(2025, 11, 2, 14, 30, summer)},
		{"d/m/aaaa H:MM", "2/1/2026", "7:05", at(2026, 1, 2, 7, 5, summer)},
		{"HTML date input aaaa-mm-dd", "2025-11-02", "08:00", at(2025, 11, 2, 8, 0, summer)},
		{"surrounding spaces are ignored", " 02/11/2025 ", " 14:30 ", at(2025, 11, 2, 14, 30, summer)},
		{"midnight", "01/01/2026", "00:00", at(2026, 1, 1, 0, 0, summer)},
		{"last minute of the day", "31/12/2025", "23:59", at(2025, 12, 31, 23, 59, summer)},
		{"winter time is -04", "15/07/2026", "12:00", at(2026, 7, 15, 12, 0, winter)},
		{"leap day", "29/02/2028", "10:00", at(2028, 2, 29, 10, 0, summer)},
		// April 2026: 05/04 00:00 -03 → 04/04 23:00 -04.
		{"last minute before the repeated hour is summer time", "04/04/2026", "22:59", at(2026, 4, 4, 22, 59, summer)},
		{"ambiguous 23:00 takes the earlier instant", "04/04/2026", "23:00", at(2026, 4, 4, 23, 0, summer)},
		{"ambiguous 23:30 takes the earlier instant", "04/04/2026", "23:30", at(2026, 4, 4, 23, 30, summer)},
		{"ambiguous 23:59 takes the earlier instant", "04/04/2026", "23:59", at(2026, 4, 4, 23, 59, summer)},
		{"05/04 00:00 exists once, in winter time", "05/04/2026", "00:00", at(2026, 4, 5, 0, 0, winter)},
		// September 2026: 06/09 00:00 -04 → 01:00 -03.
		{"last minute before the gap is winter time", "05/09/2026", "23:59", at(2026, 9, 5, 23, 59, winter)},
		{"first minute after the gap is summer time", "06/09/2026", "01:00", at(2026, 9, 6, 1, 0, summer)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWallTime(tt.date, tt.clock)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			sameInstant(t, "instant", got, tt.want)
			if got.Location() != Santiago {
				t.Errorf("location = %s, want Santiago", got.Location())
			}
		})
	}
}

func TestParseWallTime_Refusals(t *testing.T) {
	tests := []struct {
		name        string
		date, clock string
		field, msg  string
	}{
		{"00:00 in the September DST gap does not exist", "06/09/2026", "00:00", FieldTime,
			"La hora 00:00 del 06/09/2026 no existe en Chile (cambio de horario)."},
		{"00:30 in the September DST gap does not exist", "06/09/2026", "00:30", FieldTime,
			"La hora 00:30 del 06/09/2026 no existe en Chile (cambio de horario)."},
		{"00:59 in the DST gap given as ISO date does not exist", "2026-09-06", "0:59", FieldTime,
			"La hora 00:59 del 06/09/2026 no existe en Chile (cambio de horario)."},
		{"00:30 in the 2025 DST gap does not exist", "07/09/2025", "00:30", FieldTime, ""},
		{"empty date", "", "10:00", FieldDate, msgDateEmpty},
		{"blank date", "   ", "10:00", FieldDate, msgDateEmpty},
		{"empty time", "02/11/2025", "", FieldTime, msgTimeEmpty},
		{"date error wins over time error", "x", "", FieldDate, msgDateFormat},
		{"two-digit year", "02/11/25", "10:00", FieldDate, msgDateFormat},
		{"year first with slashes", "2025/11/02", "10:00", FieldDate, msgDateFormat},
		{"day first with dashes", "02-11-2025", "10:00", FieldDate, msgDateFormat},
		{"dots", "02.11.2025", "10:00", FieldDate, msgDateFormat},
		{"signed day", "+2/11/2025", "10:00", FieldDate, msgDateFormat},
		{"non-ASCII digits", "０2/11/2025", "10:00", FieldDate, msgDateFormat},
		{"time in the date field", "02/11/2025 10:00", "10:00", FieldDate, msgDateFormat},
		{"31 February", "31/02/2026", "10:00", FieldDate, "La fecha 31/02/2026 no existe."},
		{"29 February of a common year", "29/02/2025", "10:00", FieldDate, "La fecha 29/02/2025 no existe."},
		{"day 0", "0/1/2026", "10:00", FieldDate, "La fecha 00/01/2026 no existe."},
		{"month 13", "01/13/2026", "10:00", FieldDate, "La fecha 01/13/2026 no existe."},
		{"year 1899", "01/01/1899", "10:00", FieldDate, "El año debe estar entre 1900 y 2999."},
		{"hour 24", "02/11/2025", "24:00", FieldTime, msgTimeFormat},
		{"minute 60", "02/11/2025", "12:60", FieldTime, msgTimeFormat},
		{"single-digit minute", "02/11/2025", "12:5", FieldTime, msgTimeFormat},
		{"no colon", "02/11/2025", "1230", FieldTime, msgTimeFormat},
		{"seconds", "02/11/2025", "12:30:00", FieldTime, msgTimeFormat},
		{"am/pm", "02/11/2025", "2:30 PM", FieldTime, msgTimeFormat},
		{"three-digit hour", "02/11/2025", "012:30", FieldTime, msgTimeFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseWallTime(tt.date, tt.clock)
			wantInputError(t, err, tt.field, tt.msg)
		})
	}
}

func TestTimeDate_PicksInstantsWeCorrect(t *testing.T) {
	// Documents why Date.At and ParseWallTime do not rely on time.Date: for
	// the nonexistent 06/09/2026 00:30 it goes back to 23:30 of the previous
	// day. For the repeated 04/04/2026 23:30 it happens to pick the earlier
	// instant, which RULES §0 wants; resolve does not depend on that.
	gap := time.Date(2026, 9, 6, 0, 30, 0, 0, Santiago)
	sameInstant(t, "time.Date in gap", gap, at(2026, 9, 5, 23, 30, winter))
	overlap := time.Date(2026, 4, 4, 23, 30, 0, 0, Santiago)
	sameInstant(t, "time.Date in overlap", overlap, at(2026, 4, 4, 23, 30, summer))
}

func TestDSTTransitions2026FromEmbeddedData(t *testing.T) {
	// The facts the DST tests rely on, read from the tz data.
	tests := []struct {
		name                   string
		transition             time.Time
		beforeOffset, afterOff int
	}{
		{"clocks go back at 05/04/2026 00:00 -03", time.Date(2026, 4, 5, 3, 0, 0, 0, time.UTC), -3 * 3600, -4 * 3600},
		{"clocks go forward at 06/09/2026 00:00 -04", time.Date(2026, 9, 6, 4, 0, 0, 0, time.UTC), -4 * 3600, -3 * 3600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, before := tt.transition.Add(-time.Nanosecond).In(Santiago).Zone()
			_, after := tt.transition.In(Santiago).Zone()
			if before != tt.beforeOffset || after != tt.afterOff {
				t.Errorf("offsets around %s = %d → %d", tt.transition, before, after)
			}
		})
	}
}

func TestDate(t *testing.T) {
	d := Date{2025, 12, 31}
	if got := d.AddDays(1); got != (Date{2026, 1, 1}) {
		t.Errorf("AddDays(1) = %s", got)
	}
	if got := d.AddDays(-365); got != (Date{2024, 12, 31}) {
		t.Errorf("AddDays(-365) = %s", got)
	}
	if got := d.DaysUntil(Date{2026, 3, 1}); got != 60 {
		t.Errorf("DaysUntil = %d, want 60", got)
	}
	if got := d.String(); got != "31/12/2025" {
		t.Errorf("String = %q", got)
	}
	if got := d.ISO(); got != "2025-12-31" {
		t.Errorf("ISO = %q", got)
	}
	if d.Compare(Date{2026, 1, 1}) != -1 || d.Compare(d) != 0 || d.Compare(Date{2025, 12, 30}) != 1 || (Date{2025, 11, 30}).Compare(Date{2025, 12, 1}) != -1 {
		t.Error("Compare order wrong")
	}
	if got := NewDate(2026, 2, 29); got != (Date{2026, 3, 1}) {
		t.Errorf("NewDate normalizes: %s", got)
	}
	sameInstant(t, "At(1440)", d.At(MinutesPerDay), at(2026, 1, 1, 0, 0, summer))
	got, err := ParseDate("2025-12-31")
	if err != nil || got != d {
		t.Errorf("ParseDate = %v, %v", got, err)
	}
}

func TestFormat(t *testing.T) {
	utc := time.Date(2025, 11, 2, 17, 30, 0, 0, time.UTC) // 14:30 in Santiago
	if got := FormatDate(utc); got != "02/11/2025" {
		t.Errorf("FormatDate = %q", got)
	}
	if got := FormatTime(utc); got != "14:30" {
		t.Errorf("FormatTime = %q", got)
	}
	if got := FormatDateTime(utc); got != "02/11/2025 14:30" {
		t.Errorf("FormatDateTime = %q", got)
	}
	if got := FormatDateTime(time.Date(2025, 11, 3, 2, 0, 0, 0, time.UTC)); got != "02/11/2025 23:00" {
		t.Errorf("FormatDateTime uses the Santiago date: %q", got)
	}
	f := at(2025, 11, 2, 14, 0, summer)
	if got := FormatFPA(f, blk(14, 16, true)); got != "02/11/2025, entre 14:00 y 16:00" {
		t.Errorf("FormatFPA = %q", got)
	}
	if got := FormatFPA(at(2025, 11, 2, 22, 0, summer), blk(22, 24, true)); got != "02/11/2025, entre 22:00 y 24:00" {
		t.Errorf("FormatFPA last block = %q", got)
	}
	gapSlot := SlotOn(Date{2026, 9, 6}, blk(0, 2, true))
	if got := FormatFPA(gapSlot.Start, gapSlot.Block); got != "06/09/2026, entre 00:00 y 02:00" {
		t.Errorf("FormatFPA on DST day keeps the block label: %q", got)
	}
}

func FuzzParseWallTime(f *testing.F) {
	for _, s := range [][2]string{
		{"02/11/2025", "14:30"}, {"2/1/2026", "7:05"}, {"2025-11-02", "08:00"},
		{"06/09/2026", "00:30"}, {"04/04/2026", "23:30"}, {"05/04/2026", "00:00"},
		{"07/09/2025", "00:00"}, {"05/04/2025", "23:59"}, {"31/02/2026", "10:00"},
		{"29/02/2028", "24:00"}, {"01/01/1900", "00:00"}, {"31/12/2999", "23:59"},
		{"", ""}, {"1/1/1", "1:1"}, {"9999-99-99", "99:99"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, date, clockText string) {
		got, err := ParseWallTime(date, clockText)
		if err != nil {
			if _, ok := err.(*InputError); !ok {
				t.Fatalf("error %v is %T, want *InputError", err, err)
			}
			return
		}
		// The instant shows the wall time that was typed.
		d, _ := ParseDate(date)
		hh, mm, _ := parseClock(clockText)
		if DateOf(got) != d || FormatTime(got) != fmt.Sprintf("%02d:%02d", hh, mm) {
			t.Fatalf("%q %q → %s, wall time changed", date, clockText, FormatDateTime(got))
		}
		// Formatting and parsing again gives the same instant.
		again, err := ParseWallTime(FormatDate(got), FormatTime(got))
		if err != nil {
			t.Fatalf("re-parse of %s: %v", FormatDateTime(got), err)
		}
		if !again.Equal(got) {
			t.Fatalf("%q %q → %s, re-parsed %s", date, clockText, got, again)
		}
		// RULES §0: an ambiguous wall time takes the earlier instant, so no
		// earlier instant shows the same wall time.
		for _, back := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
			if e := got.Add(-back); FormatDateTime(e) == FormatDateTime(got) {
				t.Fatalf("%s: the earlier instant %s shows the same wall time", got, e)
			}
		}
	})
}

func TestResolve_AgreesWithBruteForceAroundEveryTransition(t *testing.T) {
	// For every Santiago offset change from 1900 to 2100, every wall minute
	// within three hours of it: the instants showing that wall time are found
	// by brute force over every offset in effect within two days; resolve
	// must return the earliest, or report a gap when there is none and
	// return the first instant after the gap.
	start := time.Date(1900, 1, 1, 0, 0, 0, 0, Santiago)
	stop := time.Date(2100, 1, 1, 0, 0, 0, 0, Santiago)
	windows := 0
	for x := start; x.Before(stop); {
		_, next := x.ZoneBounds()
		if next.IsZero() || !next.After(x) {
			break
		}
		x = next
		_, offBefore := next.Add(-time.Second).Zone()
		_, offAfter := next.Zone()
		if offBefore == offAfter {
			continue // not a real change
		}
		windows++
		var offsets []int
		for h := -48; h <= 48; h++ {
			_, o := next.Add(time.Duration(h) * time.Hour).Zone()
			offsets = append(offsets, o)
		}
		wall := next.Add(time.Duration(offBefore) * time.Second).UTC().Truncate(time.Minute)
		for m := -180; m <= 180; m++ {
			naive := wall.Add(time.Duration(m) * time.Minute)
			var want time.Time
			for _, o := range offsets {
				c := naive.Add(-time.Duration(o) * time.Second)
				if _, co := c.In(Santiago).Zone(); co == o && (want.IsZero() || c.Before(want)) {
					want = c
				}
			}
			y, mo, d := naive.Date()
			got, exists := resolve(y, mo, d, naive.Hour(), naive.Minute())
			if exists != !want.IsZero() {
				t.Fatalf("wall %s: exists = %v, brute force found %v", naive.Format("2006-01-02 15:04"), exists, want)
			}
			if exists && !got.Equal(want) {
				t.Fatalf("wall %s: resolve = %s, want %s", naive.Format("2006-01-02 15:04"), got, want)
			}
			if !exists && !got.Equal(next) {
				t.Fatalf("wall %s in gap: resolve = %s, want the transition %s", naive.Format("2006-01-02 15:04"), got, next)
			}
		}
	}
	if windows < 100 {
		t.Fatalf("only %d offset changes seen", windows)
	}
}
