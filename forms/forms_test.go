package forms_test

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

// catalog is a clinic with one specialty, an active and an inactive surgery, a doctor, the
// 2-hour blocks from 08:00 to 20:00 and the reasons of both categories.
func catalog() *store.ClinicCatalog {
	var blocks []store.Block
	for i, start := range []int{8, 10, 12, 14, 16, 18} {
		blocks = append(blocks, store.Block{ID: int64(i + 1), StartMinute: start * 60, EndMinute: (start + 2) * 60, Active: true})
	}
	return store.NewClinicCatalog(store.Clinic{ID: 1, Code: "PROV", CriticalHours: 2, WarningHours: 8}, 1, store.Catalog{
		Specialties: []store.Specialty{{ID: 1, Name: "Cirugía General", Active: true}, {ID: 2, Name: "Urología", Active: true}},
		Surgeries: []store.Surgery{
			{ID: 10, SpecialtyID: 1, Name: "Apendicectomía", BaseStayHours: "24", Active: true},
			{ID: 11, SpecialtyID: 1, Name: "Colecistectomía", BaseStayHours: "24", Active: false},
			{ID: 12, SpecialtyID: 2, Name: "Biopsia", BaseStayHours: "4", Ambulatory: true, CutoffHour: sql.NullInt16{Int16: 14, Valid: true}, Active: true},
		},
		Doctors: []store.Doctor{{ID: 20, FirstName: "Ana", LastName: "Rojas", Active: true}, {ID: 21, FirstName: "Luis", LastName: "Soto"}},
		Blocks:  blocks,
		Reasons: []store.Reason{{ID: 30, Category: store.ReasonModification, Name: "Evolución", Active: true}},
	})
}

// now is a Wednesday morning in Santiago; the pavilion ended three hours before.
var now = time.Date(2026, 12, 2, 11, 0, 0, 0, fpa.Santiago)

func validTicket() forms.Ticket {
	return forms.Ticket{TicketFormValues: components.TicketFormValues{
		RUT: "12.345.678-5", FirstNames: "Juan Pablo", LastNameFather: "Muñoz", LastNameMother: "Soto", Age: "61", Sex: "M",
		SurgeryID: "10", DoctorID: "20", PavilionDate: "02/12/2026", PavilionTime: "08:00",
		Room: "301", Bed: "B", Location: "Piso 3", EpisodeID: "EP-1",
	}}
}

func TestTicket_Validate(t *testing.T) {
	cat := catalog()
	long := strings.Repeat("a", forms.MaxName+1)
	cases := []struct {
		name   string
		change func(*forms.Ticket)
		field  string // "" for a valid form
		msg    string
	}{
		{"valid", func(*forms.Ticket) {}, "", ""},
		{"RUT with a wrong check digit", func(f *forms.Ticket) { f.RUT = "12.345.678-9" }, "rut", ""},
		{"names missing", func(f *forms.Ticket) { f.FirstNames = "" }, "nombres", forms.MsgFirstNamesRequired},
		{"names too long", func(f *forms.Ticket) { f.FirstNames = long }, "nombres", forms.MsgFirstNamesTooLong},
		{"names with digits", func(f *forms.Ticket) { f.LastNameFather = "Muñoz2" }, "apellido_paterno", forms.MsgNameCharacters},
		{"second surname may be empty", func(f *forms.Ticket) { f.LastNameMother = "" }, "", ""},
		{"age out of range", func(f *forms.Ticket) { f.Age = "131" }, "edad", forms.MsgAge},
		{"age not a number", func(f *forms.Ticket) { f.Age = "sesenta" }, "edad", forms.MsgAge},
		{"unknown sex", func(f *forms.Ticket) { f.Sex = "X" }, "sexo", forms.MsgSex},
		{"surgery missing", func(f *forms.Ticket) { f.SurgeryID = "" }, "cirugia", forms.MsgSurgeryRequired},
		{"inactive surgery", func(f *forms.Ticket) { f.SurgeryID = "11" }, "cirugia", forms.MsgSurgeryUnavailable},
		{"surgery of another specialty", func(f *forms.Ticket) { f.SpecialtyID = "2" }, "cirugia", forms.MsgSurgeryUnavailable},
		{"inactive doctor", func(f *forms.Ticket) { f.DoctorID = "21" }, "medico", forms.MsgDoctorUnavailable},
		{"doctor not a number", func(f *forms.Ticket) { f.DoctorID = "x" }, "medico", forms.MsgDoctorUnavailable},
		{"pavilion time missing", func(f *forms.Ticket) { f.PavilionTime = "" }, "hora_pabellon", ""},
		{"pavilion more than 30 days ago", func(f *forms.Ticket) { f.PavilionDate = "01/10/2026" }, "fecha_pabellon", ""},
		{"a block the FPA offers", func(f *forms.Ticket) { f.Block = "600" }, "", ""},
		{"a block the FPA does not offer", func(f *forms.Ticket) { f.Block = "1260" }, "bloque", forms.MsgBlockNotOffered},
		{"bed too long", func(f *forms.Ticket) { f.Bed = strings.Repeat("9", forms.MaxLocationText+1) }, "cama", forms.TooLong("La cama", forms.MaxLocationText)},
		{"refused characters stay first", func(f *forms.Ticket) {
			f.FirstNames = "Ana\uFFFD"
			f.Refused = components.Errors{{Field: "nombres", Msg: forms.MsgBadCharacters}}
		}, "nombres", forms.MsgBadCharacters},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := validTicket()
			tc.change(&f)
			nt, errs := f.Validate(cat, now)
			if tc.field == "" {
				if len(errs) != 0 {
					t.Fatalf("errors %v", errs)
				}
				if nt.SurgeryID != 10 || nt.Patient.RUT != "12345678-5" || nt.PavilionEnd.IsZero() || nt.BlockStart < 0 {
					t.Fatalf("ticket %+v", nt)
				}
				return
			}
			got := errs.For(tc.field)
			if got == "" || (tc.msg != "" && got != tc.msg) {
				t.Fatalf("message at %s = %q, want %q (all: %v)", tc.field, got, tc.msg, errs)
			}
		})
	}
}

func TestTicket_BlockIsTheOneTypedOrTheProposed(t *testing.T) {
	cat := catalog()
	f := validTicket() // 08:00 + 24 h: the 08:00–10:00 block of the next day is proposed
	nt, errs := f.Validate(cat, now)
	if len(errs) != 0 || nt.BlockStart != 8*60 {
		t.Fatalf("proposed block %d (%v), want 480", nt.BlockStart, errs)
	}
	f.Block = "720"
	if nt, errs = f.Validate(cat, now); len(errs) != 0 || nt.BlockStart != 720 {
		t.Fatalf("chosen block %d (%v), want 720", nt.BlockStart, errs)
	}
}

func TestSorted_KeepsFieldsItDoesNotKnow(t *testing.T) {
	errs := components.Errors{{Field: "otro", Msg: "a"}, {Field: "cama", Msg: "b"}, {Field: "rut", Msg: "c"}}
	got := forms.Sorted(errs, forms.TicketFieldOrder)
	if len(got) != 3 || got[0].Field != "rut" || got[1].Field != "cama" || got[2].Field != "otro" {
		t.Fatalf("sorted %v", got)
	}
}

func TestTicket_PatientPartAlone(t *testing.T) {
	f := validTicket()
	f.SurgeryID, f.PavilionDate = "", "" // the admin's patient form has no surgery nor pavilion
	in, errs := f.Patient()
	r, _ := rut.Parse("12.345.678-5")
	if len(errs) != 0 || in.RUT != r.Canonical() || in.Age != 61 || in.Sex != "M" {
		t.Fatalf("patient %+v (%v)", in, errs)
	}
}

func TestModify_Validate(t *testing.T) {
	ok := components.ModifyForm{Date: "05/12/2026", Block: "600", Reason: "30", Justification: "Evolución lenta"}
	cases := []struct {
		name     string
		change   func(*components.ModifyForm)
		complete bool
		field    string
	}{
		{"valid", func(*components.ModifyForm) {}, true, ""},
		{"a preview needs no reason", func(f *components.ModifyForm) { f.Reason, f.Justification = "", "" }, false, ""},
		{"bad date", func(f *components.ModifyForm) { f.Date = "31/02/2026" }, false, "fpa_fecha"},
		{"no block", func(f *components.ModifyForm) { f.Block = "" }, false, "fpa_bloque"},
		{"no reason", func(f *components.ModifyForm) { f.Reason = "" }, true, "fpa_razon"},
		{"reason beyond int64", func(f *components.ModifyForm) { f.Reason = "99999999999999999999" }, true, "fpa_razon"},
		{"no justification", func(f *components.ModifyForm) { f.Justification = "" }, true, "fpa_justificacion"},
		{"justification too long", func(f *components.ModifyForm) { f.Justification = strings.Repeat("x", forms.MaxNote+1) }, true, "fpa_justificacion"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := ok
			tc.change(&f)
			in, errs := forms.ValidateModify(f, nil, tc.complete)
			switch {
			case tc.field == "" && len(errs) != 0:
				t.Fatalf("errors %v", errs)
			case tc.field == "" && (in.BlockStart != 600 || in.Date.String() != "05/12/2026"):
				t.Fatalf("input %+v", in)
			case tc.field != "" && errs.For(tc.field) == "":
				t.Fatalf("no message at %s (all: %v)", tc.field, errs)
			}
		})
	}
}

func TestActionForms_Validate(t *testing.T) {
	long := strings.Repeat("x", forms.MaxNote+1)
	if id, errs := (forms.Annul{Reason: "7", Note: ""}).Validate(); id != 7 || len(errs) != 0 {
		t.Fatalf("annul: %d %v", id, errs)
	}
	if _, errs := (forms.Annul{Reason: "", Note: long}).Validate(); errs.For("anular_razon") != forms.MsgReasonRequired || errs.For("anular_nota") != forms.MsgNoteLong {
		t.Fatalf("annul problems %v: the note's message must be at the note", errs)
	}
	if errs := (forms.Revert{Note: ""}).Validate(); errs.For("revertir_nota") != forms.MsgNoteRequired {
		t.Fatalf("revert without a note: %v", errs)
	}
	if errs := (forms.Revert{Note: long}).Validate(); errs.For("revertir_nota") != forms.MsgNoteLong {
		t.Fatalf("revert with a long note: %v", errs)
	}
	if d, errs := (forms.Discharge{Date: "02/12/2026", Time: "10:30"}).Validate(); len(errs) != 0 || !d.Equal(time.Date(2026, 12, 2, 10, 30, 0, 0, fpa.Santiago)) {
		t.Fatalf("discharge %s %v", d, errs)
	}
	if _, errs := (forms.Discharge{Date: "02/12/2026", Time: "25:00"}).Validate(); errs.For("alta_hora") == "" {
		t.Fatalf("discharge at 25:00: %v", errs)
	}
	if in, errs := (forms.Location{Room: "301", Bed: "B"}).Validate(); len(errs) != 0 || in.Room != "301" || in.Bed != "B" {
		t.Fatalf("location %+v %v", in, errs)
	}
	if _, errs := (forms.Location{Episode: strings.Repeat("E", forms.MaxLocationText+1)}).Validate(); errs.For("episodio") == "" {
		t.Fatalf("long episode: %v", errs)
	}
	for _, tc := range []struct {
		f      forms.Login
		reason string
	}{
		{forms.Login{Username: "ana", Password: "x"}, ""},
		{forms.Login{Username: "", Password: "x"}, "empty"},
		{forms.Login{Username: "ana", Password: ""}, "empty"},
		{forms.Login{Username: "an\uFFFDa", Password: "x", Refused: components.Errors{{Field: "username", Msg: forms.MsgBadCharacters}}}, "invalid_input"},
	} {
		if _, reason := tc.f.Validate(); reason != tc.reason {
			t.Errorf("login %+v: reason %q, want %q", tc.f, reason, tc.reason)
		}
	}
}

func TestClean_RefusesWhatRULESRefuses(t *testing.T) {
	for _, tc := range []struct {
		raw, shown string
		multiline  bool
		ok         bool
	}{
		{"  Ana  Luz ", "Ana  Luz", false, true},
		{"Ana\x00Luz", "Ana\uFFFDLuz", false, false},
		{"Ana\xffLuz", "Ana\uFFFDLuz", false, false},
		{"Ana\u202eLuz", "Ana\uFFFDLuz", false, false},
		{"Ana\uFFFDLuz", "Ana\uFFFDLuz", false, false},
		{"línea 1\r\nlínea 2", "línea 1\nlínea 2", true, true},
		{"línea 1\nlínea 2", "línea 1\uFFFDlínea 2", false, false},
	} {
		shown, ok := forms.Clean(tc.raw, tc.multiline)
		if shown != tc.shown || ok != tc.ok {
			t.Errorf("Clean(%q) = %q, %v; want %q, %v", tc.raw, shown, ok, tc.shown, tc.ok)
		}
	}
}
