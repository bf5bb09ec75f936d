package forms

import (
	"errors"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

// Limits of what forms accept: the texts' are the schema's (store.MaxName…).
const (
	MaxName         = store.MaxName
	MaxLocationText = store.MaxLocationText
	MaxNote         = store.MaxNote
	MaxSearch       = 100 // the board's search
	MaxAge          = 130
)

// Ticket is the new-ticket form as typed, with the fields whose characters RULES §8b refuses
// (each field's id is its name). The admin's patient form is its patient part.
type Ticket struct {
	components.TicketFormValues
	Refused components.Errors
}

// ReadTicket copies the new-ticket form out of the request's body.
func ReadTicket(c *fiber.Ctx) Ticket {
	var errs components.Errors
	v := func(k string) string { return Text(c, &errs, k, k) }
	return Ticket{TicketFormValues: components.TicketFormValues{
		RUT: v("rut"), FirstNames: v("nombres"), LastNameFather: v("apellido_paterno"), LastNameMother: v("apellido_materno"),
		Age: v("edad"), Sex: v("sexo"), EpisodeID: v("episodio"), Room: v("habitacion"), Bed: v("cama"), Location: v("ubicacion"),
		SpecialtyID: v("especialidad"), SurgeryID: v("cirugia"), DoctorID: v("medico"),
		PavilionDate: v("fecha_pabellon"), PavilionTime: v("hora_pabellon"), Block: v("bloque"),
	}, Refused: errs}
}

// TicketFieldOrder is the order of the form, which the error summary follows.
var TicketFieldOrder = []string{"rut", "nombres", "apellido_paterno", "apellido_materno", "edad", "sexo",
	"especialidad", "cirugia", "medico", "fecha_pabellon", "hora_pabellon", "bloque", "habitacion", "cama", "ubicacion", "episodio"}

// Sorted orders errs by the fields of order; a field order does not know keeps its messages,
// after the others.
func Sorted(errs components.Errors, order []string) components.Errors {
	out := make(components.Errors, 0, len(errs))
	for _, f := range order {
		if m := errs.For(f); m != "" {
			out = append(out, components.FormError{Field: f, Msg: m})
		}
	}
	for _, e := range errs {
		if !slices.Contains(order, e.Field) {
			out = append(out, e)
		}
	}
	return out
}

// Patient checks the patient's fields (RULES §8, §8b): the RUT (canonical in the result),
// names, age and sex.
func (f Ticket) Patient() (store.PatientInput, components.Errors) {
	errs := slices.Clone(f.Refused)
	in := store.PatientInput{Age: -1}
	if r, err := rut.Parse(f.RUT); err != nil {
		errs.Add("rut", err.Error())
	} else {
		in.RUT = r.Canonical()
	}
	in.FirstNames = name(&errs, "nombres", f.FirstNames, MsgFirstNamesRequired, MsgFirstNamesTooLong)
	in.LastNameFather = name(&errs, "apellido_paterno", f.LastNameFather, MsgLastNameRequired, MsgLastNameTooLong)
	in.LastNameMother = name(&errs, "apellido_materno", f.LastNameMother, "", MsgLastNameTooLong)
	if f.Age != "" {
		age, err := strconv.Atoi(f.Age)
		if err != nil || age < 0 || age > MaxAge {
			errs.Add("edad", MsgAge)
		} else {
			in.Age = age
		}
	}
	switch f.Sex {
	case "", "M", "F", "O":
		in.Sex = f.Sex
	default:
		errs.Add("sexo", MsgSex)
	}
	return in, errs
}

// Surgery is the chosen surgery when the clinic's catalog offers it: active, of an active
// specialty, and of the chosen specialty if there is one.
func (f Ticket) Surgery(cat *store.ClinicCatalog) *store.Surgery {
	id, err := strconv.ParseInt(f.SurgeryID, 10, 64)
	if err != nil {
		return nil
	}
	s, ok := cat.ActiveSurgery(id)
	if !ok {
		return nil
	}
	if specialty, _ := strconv.ParseInt(f.SpecialtyID, 10, 64); specialty != 0 && s.SpecialtyID != specialty {
		return nil
	}
	return &s
}

// PavilionEnd reads the pavilion end and checks RULES §2's ±30 days around now.
func (f Ticket) PavilionEnd(now time.Time) (time.Time, error) {
	t, err := fpa.ParseWallTime(f.PavilionDate, f.PavilionTime)
	if err != nil {
		return time.Time{}, err
	}
	if err := fpa.ValidatePavilionEnd(t, now); err != nil {
		return time.Time{}, err
	}
	return t, nil
}

// Validate checks every field against the clinic's catalog at now and returns the ticket to
// create, with every problem in the form's order. The block is the one typed when the FPA
// offers it, else the proposed one.
func (f Ticket) Validate(cat *store.ClinicCatalog, now time.Time) (store.NewTicket, components.Errors) {
	nt := store.NewTicket{BlockStart: -1}
	var errs components.Errors
	nt.Patient, errs = f.Patient()

	surgery := f.Surgery(cat)
	switch {
	case f.SurgeryID == "":
		errs.Add("cirugia", MsgSurgeryRequired)
	case surgery == nil:
		errs.Add("cirugia", MsgSurgeryUnavailable)
	default:
		nt.SurgeryID = surgery.ID
	}
	if f.DoctorID != "" {
		if id, ok := ID(f.DoctorID); ok && cat.ActiveDoctor(id) {
			nt.DoctorID = id
		} else {
			errs.Add("medico", MsgDoctorUnavailable)
		}
	}

	pavilion, err := f.PavilionEnd(now)
	if err != nil {
		field := "fecha_pabellon"
		var ie *fpa.InputError
		if errors.As(err, &ie) && ie.Field == fpa.FieldTime {
			field = "hora_pabellon"
		}
		errs.Add(field, err.Error())
	} else {
		nt.PavilionEnd = pavilion
	}
	if surgery != nil && err == nil {
		res, err := cat.ComputeFPA(surgery.ID, pavilion)
		switch {
		case err != nil:
			errs.Add("bloque", fpaMessage(err))
		case f.Block == "":
			nt.BlockStart = res.Proposed.Block.Start
		default:
			start, perr := strconv.Atoi(f.Block)
			if _, cerr := res.Choose(start); perr != nil || cerr != nil {
				errs.Add("bloque", MsgBlockNotOffered)
			} else {
				nt.BlockStart = start
			}
		}
	}
	nt.Room, nt.Bed, nt.Location, nt.EpisodeID = Location{Room: f.Room, Bed: f.Bed, Location: f.Location, Episode: f.EpisodeID}.texts(&errs)
	return nt, Sorted(errs, TicketFieldOrder)
}

// fpaMessage is the user's message of an error of the FPA engine.
func fpaMessage(err error) string {
	var ie *fpa.InputError
	if errors.As(err, &ie) {
		return ie.Msg
	}
	return err.Error()
}

// name checks a person's name (RULES §8b): required unless missing is "", at most MaxName
// characters, letters and the few signs names use.
func name(errs *components.Errors, field, v, missing, tooLong string) string {
	switch {
	case v == "" && missing != "":
		errs.Add(field, missing)
	case utf8.RuneCountInString(v) > MaxName:
		errs.Add(field, tooLong)
	case !IsName(v):
		errs.Add(field, MsgNameCharacters)
	}
	return v
}

// optionalText checks a free one-line text of at most max printable characters.
func optionalText(errs *components.Errors, field, v string, max int, tooLong string) string {
	switch {
	case utf8.RuneCountInString(v) > max:
		errs.Add(field, tooLong)
	case !IsPrintable(v):
		errs.Add(field, MsgBadCharacters)
	}
	return v
}
