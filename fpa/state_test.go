package fpa

import (
	"testing"
	"time"
)

func TestDerive_Boundaries(t *testing.T) {
	// P 05/11 10:00, F 06/11 08:00, block 08:00–10:00.
	p := at(2025, 11, 5, 10, 0, summer)
	f := at(2025, 11, 6, 8, 0, summer)
	const blockLen = 2 * time.Hour
	def := DefaultThresholds()
	tests := []struct {
		name    string
		stored  Stored
		now     time.Time
		th      Thresholds
		state   State
		urgency Urgency
	}{
		{"before P is Programado", StoredVigente, p.Add(-time.Nanosecond), def, Programado, UrgencyNone},
		{"now == P is Vigente", StoredVigente, p, def, Vigente, UrgencyNormal},
		{"hours left == warning is still normal", StoredVigente, f.Add(-8 * time.Hour), def, Vigente, UrgencyNormal},
		{"just under warning hours left is advertencia", StoredVigente, f.Add(-8*time.Hour + time.Nanosecond), def, Vigente, UrgencyAdvertencia},
		{"hours left == critical is still advertencia", StoredVigente, f.Add(-2 * time.Hour), def, Vigente, UrgencyAdvertencia},
		{"just under critical hours left is crítico", StoredVigente, f.Add(-2*time.Hour + time.Nanosecond), def, Vigente, UrgencyCritico},
		{"1ns before F is crítico", StoredVigente, f.Add(-time.Nanosecond), def, Vigente, UrgencyCritico},
		{"now == F is en ventana de alta", StoredVigente, f, def, Vigente, UrgencyEnVentana},
		{"last instant of the block is en ventana de alta", StoredVigente, f.Add(blockLen - time.Nanosecond), def, Vigente, UrgencyEnVentana},
		{"now == F + block length is Vencido", StoredVigente, f.Add(blockLen), def, Vencido, UrgencyNone},
		{"days after the block is Vencido", StoredVigente, f.Add(72 * time.Hour), def, Vencido, UrgencyNone},
		{"Programado has no urgency even within the warning window", StoredVigente, f.Add(-70 * time.Hour), Thresholds{1, 72}, Programado, UrgencyNone},
		{"clinic warning of 72h gives advertencia at 21h left", StoredVigente, f.Add(-21 * time.Hour), Thresholds{1, 72}, Vigente, UrgencyAdvertencia},
		{"clinic critical of 1h gives advertencia at 1h30 left", StoredVigente, f.Add(-90 * time.Minute), Thresholds{1, 72}, Vigente, UrgencyAdvertencia},
		{"anulado ignores time", StoredAnulado, f.Add(blockLen), def, Anulado, UrgencyNone},
		{"anulado before P is Anulado", StoredAnulado, p.Add(-time.Hour), def, Anulado, UrgencyNone},
		{"alta ignores time", StoredAlta, f, def, DeAlta, UrgencyNone},
		{"unknown stored status is StateUnknown", Stored("borrado"), f, def, StateUnknown, UrgencyNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, u := Derive(tt.stored, p, f, blockLen, tt.now, tt.th)
			if s != tt.state || u != tt.urgency {
				t.Errorf("= %v/%v, want %v/%v", s, u, tt.state, tt.urgency)
			}
		})
	}
}

func TestDerive_ChosenBlockContainingP(t *testing.T) {
	// RULES §2 example: P 10:00, nurse picks 10:00–12:00, so F == P and the
	// ticket is in its window from the start.
	p := at(2025, 11, 5, 10, 0, summer)
	if s, u := Derive(StoredVigente, p, p, 2*time.Hour, p, DefaultThresholds()); s != Vigente || u != UrgencyEnVentana {
		t.Errorf("= %v/%v, want vigente/en_ventana", s, u)
	}
	if s, _ := Derive(StoredVigente, p, p, 2*time.Hour, p.Add(-time.Minute), DefaultThresholds()); s != Programado {
		t.Errorf("before P = %v, want programado", s)
	}
}

func TestDerive_UsesElapsedBlockLengthAcrossDST(t *testing.T) {
	// 22:00–24:00 on 04/04/2026 lasts three hours; at 23:30 of the second
	// pass the ticket is still in its window.
	slot := SlotOn(Date{2026, 4, 4}, blk(22, 24, true))
	p := at(2026, 4, 4, 12, 0, summer)
	now := at(2026, 4, 4, 23, 30, winter)
	if s, u := Derive(StoredVigente, p, slot.Start, slot.Len(), now, DefaultThresholds()); s != Vigente || u != UrgencyEnVentana {
		t.Errorf("= %v/%v, want vigente/en_ventana", s, u)
	}
	if s, _ := Derive(StoredVigente, p, slot.Start, slot.Len(), slot.End, DefaultThresholds()); s != Vencido {
		t.Errorf("at slot end = %v, want vencido", s)
	}
}

func TestStateAndUrgencyLabels(t *testing.T) {
	states := []struct {
		s                 State
		label, badge, key string
	}{
		{Programado, "Programado", "PROGRAMADO", "programado"},
		{Vigente, "Vigente", "VIGENTE", "vigente"},
		{Vencido, "Vencido", "VENCIDO", "vencido"},
		{Anulado, "Anulado", "ANULADO", "anulado"},
		{DeAlta, "De alta", "DE ALTA", "de_alta"},
		{StateUnknown, "", "", ""},
		{State(99), "", "", ""},
		{State(-1), "", "", ""},
	}
	for _, tt := range states {
		if tt.s.Label() != tt.label || tt.s.Badge() != tt.badge || tt.s.Key() != tt.key || tt.s.String() != tt.key {
			t.Errorf("state %d = %q %q %q", int(tt.s), tt.s.Label(), tt.s.Badge(), tt.s.Key())
		}
	}
	urgencies := []struct {
		u          Urgency
		label, key string
	}{
		{UrgencyNone, "", ""},
		{UrgencyNormal, "Normal", "normal"},
		{UrgencyAdvertencia, "Advertencia", "advertencia"},
		{UrgencyCritico, "Crítico", "critico"},
		{UrgencyEnVentana, "En ventana de alta", "en_ventana"},
		{Urgency(42), "", ""},
	}
	for _, tt := range urgencies {
		if tt.u.Label() != tt.label || tt.u.Key() != tt.key || tt.u.String() != tt.key {
			t.Errorf("urgency %d = %q %q", int(tt.u), tt.u.Label(), tt.u.Key())
		}
	}
	for _, s := range []Stored{StoredVigente, StoredAnulado, StoredAlta} {
		if !s.Valid() {
			t.Errorf("%q not valid", s)
		}
	}
	if Stored("Vigente").Valid() {
		t.Error("stored status is case-sensitive, like the database column")
	}
}

func TestThresholds_Validate(t *testing.T) {
	tests := []struct {
		name  string
		th    Thresholds
		field string
		msg   string
	}{
		{"defaults are critical 2 and warning 8", DefaultThresholds(), "", ""},
		{"warning of exactly 72 is allowed", Thresholds{1, 72}, "", ""},
		{"critical of 0 is refused", Thresholds{0, 8}, FieldCritical, msgCriticalPositive},
		{"negative critical is refused", Thresholds{-1, 8}, FieldCritical, msgCriticalPositive},
		{"critical equal to warning is refused", Thresholds{8, 8}, FieldCritical, msgCriticalBelowWarn},
		{"critical above warning is refused", Thresholds{9, 8}, FieldCritical, msgCriticalBelowWarn},
		{"warning above 72 is refused", Thresholds{2, 73}, FieldWarning, msgWarningMax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.th.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantInputError(t, err, tt.field, tt.msg)
		})
	}
	if d := DefaultThresholds(); d.CriticalHours != 2 || d.WarningHours != 8 {
		t.Errorf("defaults = %+v", d)
	}
}
