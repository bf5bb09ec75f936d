package forms_test

import (
	"testing"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
)

func TestValidateSurgery_HoursAndCutoff(t *testing.T) {
	base := components.SurgeryValues{Specialty: "3", Name: "Artroscopia", Hours: "8"}
	for _, tc := range []struct {
		hours      string
		ambulatory bool
		cutoff     string
		field      string // "" when valid
		stored     string
	}{
		{"8", false, "", "", "8"},
		{"2,5", false, "", "", "2.5"},
		{"0.25", false, "", "", "0.25"},
		{"2160", false, "", "", "2160"},
		{"2160,01", false, "", "horas", ""},
		{"0", false, "", "horas", ""},
		{"0,001", false, "", "horas", ""},
		{"-3", false, "", "horas", ""},
		{"1e3", false, "", "horas", ""},
		{"12", true, "", "corte", ""},
		{"12", true, "23", "", "12"},
		{"12", true, "-1", "corte", ""},
		{"12", false, "99", "", "12"}, // a cut-off only matters for an ambulatory surgery
	} {
		v := base
		v.Hours, v.Ambulatory, v.Cutoff = tc.hours, tc.ambulatory, tc.cutoff
		in, errs := forms.ValidateSurgery(v, nil)
		switch {
		case tc.field == "" && len(errs) > 0:
			t.Errorf("%q ambulatory=%v cutoff=%q: %v", tc.hours, tc.ambulatory, tc.cutoff, errs)
		case tc.field != "" && errs.For(tc.field) == "":
			t.Errorf("%q ambulatory=%v cutoff=%q: no message at %s (%v)", tc.hours, tc.ambulatory, tc.cutoff, tc.field, errs)
		case tc.field == "" && in.BaseStayHours != tc.stored:
			t.Errorf("%q stored as %q, want %q", tc.hours, in.BaseStayHours, tc.stored)
		}
	}
}

func TestValidateThresholds_Bounds(t *testing.T) {
	for _, tc := range []struct {
		crit, warn string
		ok         bool
	}{
		{"2", "8", true}, {"1", "72", true}, {"71", "72", true},
		{"0", "8", false}, {"8", "8", false}, {"9", "8", false}, {"2", "73", false}, {"", "8", false}, {"2.5", "8", false},
	} {
		_, after, errs, err := forms.ValidateThresholds(components.ThresholdValues{Critical: tc.crit, Warning: tc.warn, Capacity: "4",
			BeforeCritical: "2", BeforeWarning: "8", BeforeCapacity: "4"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if (len(errs) == 0) != tc.ok {
			t.Errorf("%s/%s: errors %v, want ok=%v", tc.crit, tc.warn, errs, tc.ok)
		}
		if tc.ok && (after.Critical == 0 || after.Warning == 0) {
			t.Errorf("%s/%s: %+v", tc.crit, tc.warn, after)
		}
	}
	if _, _, _, err := forms.ValidateThresholds(components.ThresholdValues{Critical: "2", Warning: "8", Capacity: "4", BeforeCritical: "x", BeforeWarning: "8", BeforeCapacity: "4"}, nil); err == nil {
		t.Fatal("a tampered 'before' is accepted")
	}
}

// RULES §1c: a clinic processes 1 to 50 discharges per block; anything else is refused at the
// field, whatever the thresholds.
func TestValidateThresholds_CapacityBounds(t *testing.T) {
	for _, tc := range []struct {
		capacity string
		want     int // 0: refused
	}{
		{"1", 1}, {"4", 4}, {"50", 50},
		{"0", 0}, {"51", 0}, {"-1", 0}, {"", 0}, {"2.5", 0}, {"cuatro", 0}, {"99999999999999999999", 0}, {"4\uFFFD", 0},
	} {
		_, after, errs, err := forms.ValidateThresholds(components.ThresholdValues{Critical: "2", Warning: "8", Capacity: tc.capacity,
			BeforeCritical: "2", BeforeWarning: "8", BeforeCapacity: "4"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tc.want == 0 {
			if got := errs.For("capacidad"); got != forms.MsgCapacityRange || len(errs) != 1 {
				t.Errorf("%q: errors %v, want only %q at capacidad", tc.capacity, errs, forms.MsgCapacityRange)
			}
			continue
		}
		if len(errs) != 0 || after.Capacity != tc.want {
			t.Errorf("%q: errors %v, capacity %d, want %d", tc.capacity, errs, after.Capacity, tc.want)
		}
	}
	for _, before := range []string{"", "x", "4\x00"} {
		if _, _, _, err := forms.ValidateThresholds(components.ThresholdValues{Critical: "2", Warning: "8", Capacity: "4",
			BeforeCritical: "2", BeforeWarning: "8", BeforeCapacity: before}, nil); err == nil {
			t.Errorf("a tampered capacity before (%q) is accepted", before)
		}
	}
}
