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
	"github.com/redsalud/ticket-home/store"
)

// The ticket page's action forms. Field ids carry the form's prefix, since the forms share a
// page.

// ReadModify copies the FPA modification form; Refused holds the fields whose characters
// RULES §8b refuses.
func ReadModify(c *fiber.Ctx) (components.ModifyForm, components.Errors) {
	var errs components.Errors
	return components.ModifyForm{
		Date:          Text(c, &errs, "fecha", "fpa_fecha"),
		Block:         Text(c, &errs, "bloque", "fpa_bloque"),
		Reason:        Text(c, &errs, "razon", "fpa_razon"),
		Justification: Note(c, &errs, "justificacion", "fpa_justificacion"),
	}, errs
}

// ValidateModify checks the modification form after the refused characters already found: the
// date and block (all a preview needs) and, when complete, the reason and the justification.
func ValidateModify(f components.ModifyForm, refused components.Errors, complete bool) (store.ModifyInput, components.Errors) {
	var in store.ModifyInput
	errs := slices.Clone(refused)
	d, err := fpa.ParseDate(f.Date)
	if err != nil {
		errs.Add("fpa_fecha", err.Error())
	}
	in.Date = d
	if b, err := strconv.Atoi(f.Block); err != nil {
		errs.Add("fpa_bloque", MsgBlockRequired)
	} else {
		in.BlockStart = b
	}
	if !complete {
		return in, errs
	}
	if id, ok := ID(f.Reason); !ok {
		errs.Add("fpa_razon", MsgReasonRequired)
	} else {
		in.ReasonID = id
	}
	switch n := utf8.RuneCountInString(f.Justification); {
	case n == 0:
		errs.Add("fpa_justificacion", MsgJustificationMissing)
	case n > MaxNote:
		errs.Add("fpa_justificacion", MsgJustificationLong)
	}
	in.Justification = f.Justification
	return in, errs
}

// Annul is the annulment form: a standardized reason and an optional note.
type Annul struct {
	Reason, Note string
	Refused      components.Errors
}

// ReadAnnul copies the annulment form.
func ReadAnnul(c *fiber.Ctx) Annul {
	var errs components.Errors
	return Annul{Reason: Text(c, &errs, "razon", "anular_razon"), Note: Note(c, &errs, "nota", "anular_nota"), Refused: errs}
}

// Values are the form's values as the page shows them again.
func (f Annul) Values() map[string]string {
	return map[string]string{"razon": f.Reason, "nota": f.Note}
}

// Validate returns the reason's id and the problems.
func (f Annul) Validate() (reasonID int64, errs components.Errors) {
	errs = slices.Clone(f.Refused)
	reasonID, ok := ID(f.Reason)
	if !ok {
		errs.Add("anular_razon", MsgReasonRequired)
	}
	if utf8.RuneCountInString(f.Note) > MaxNote {
		errs.Add("anular_nota", MsgNoteLong)
	}
	return reasonID, errs
}

// Revert is the form that makes an annulled ticket vigente again: a required note.
type Revert struct {
	Note    string
	Refused components.Errors
}

// ReadRevert copies the revert form.
func ReadRevert(c *fiber.Ctx) Revert {
	var errs components.Errors
	return Revert{Note: Note(c, &errs, "nota", "revertir_nota"), Refused: errs}
}

// Validate returns the problems.
func (f Revert) Validate() components.Errors {
	errs := slices.Clone(f.Refused)
	switch n := utf8.RuneCountInString(f.Note); {
	case n == 0:
		errs.Add("revertir_nota", MsgNoteRequired)
	case n > MaxNote:
		errs.Add("revertir_nota", MsgNoteLong)
	}
	return errs
}

// Discharge is the actual discharge's date and time.
type Discharge struct {
	Date, Time string
	Refused    components.Errors
}

// ReadDischarge copies the discharge form.
func ReadDischarge(c *fiber.Ctx) Discharge {
	var errs components.Errors
	return Discharge{Date: Text(c, &errs, "fecha", "alta_fecha"), Time: Text(c, &errs, "hora", "alta_hora"), Refused: errs}
}

// Values are the form's values as the page shows them again.
func (f Discharge) Values() map[string]string {
	return map[string]string{"fecha": f.Date, "hora": f.Time}
}

// Validate returns the discharge instant (in Santiago) and the problems; the store checks it
// against the pavilion end and now.
func (f Discharge) Validate() (time.Time, components.Errors) {
	errs := slices.Clone(f.Refused)
	d, err := fpa.ParseWallTime(f.Date, f.Time)
	if err != nil {
		field := "alta_fecha"
		var ie *fpa.InputError
		if errors.As(err, &ie) && ie.Field == fpa.FieldTime {
			field = "alta_hora"
		}
		errs.Add(field, err.Error())
	}
	return d, errs
}

// Location is room, bed, location and episode id (the board's inline form, its page, and the
// new-ticket form's part).
type Location struct {
	Room, Bed, Location, Episode string
	Refused                      components.Errors
}

// ReadLocation copies the location form.
func ReadLocation(c *fiber.Ctx) Location {
	var errs components.Errors
	return Location{Room: Text(c, &errs, "habitacion", "habitacion"), Bed: Text(c, &errs, "cama", "cama"),
		Location: Text(c, &errs, "ubicacion", "ubicacion"), Episode: Text(c, &errs, "episodio", "episodio"), Refused: errs}
}

// Validate returns what to store and the problems (RULES §8b: each at most 40 printable
// characters, or empty).
func (f Location) Validate() (store.LocationInput, components.Errors) {
	errs := slices.Clone(f.Refused)
	var in store.LocationInput
	in.Room, in.Bed, in.Location, in.EpisodeID = f.texts(&errs)
	return in, errs
}

func (f Location) texts(errs *components.Errors) (room, bed, location, episode string) {
	return optionalText(errs, "habitacion", f.Room, MaxLocationText, TooLong("La habitación", MaxLocationText)),
		optionalText(errs, "cama", f.Bed, MaxLocationText, TooLong("La cama", MaxLocationText)),
		optionalText(errs, "ubicacion", f.Location, MaxLocationText, TooLong("La ubicación", MaxLocationText)),
		optionalText(errs, "episodio", f.Episode, MaxLocationText, TooLong("El ID del episodio", MaxLocationText))
}

// Login is the sign-in form. The password is never cleaned nor kept: it is compared as sent.
type Login struct {
	Username, Password, Next string
	Refused                  components.Errors
}

// ReadLogin copies the sign-in form.
func ReadLogin(c *fiber.Ctx) Login {
	var errs components.Errors
	return Login{Username: Text(c, &errs, "username", "username"), Password: Body(c, "password"), Next: Body(c, "next"), Refused: errs}
}

// Validate returns the message for a form that cannot be a sign-in at all ("" when it can),
// and the reason the audit records for it.
func (f Login) Validate() (msg, reason string) {
	switch {
	case len(f.Refused) > 0:
		return MsgLoginBadCharacters, "invalid_input"
	case f.Username == "" || f.Password == "":
		return MsgLoginMissing, "empty"
	}
	return "", ""
}

// Correction is the form that corrects a ticket's pavilion end and surgery (RULES §5b).
type Correction struct {
	Date, Time, Surgery string
	Refused             components.Errors
}

// ReadCorrection copies the correction form.
func ReadCorrection(c *fiber.Ctx) Correction {
	var errs components.Errors
	return Correction{Date: Text(c, &errs, "fecha_pabellon", "fecha_pabellon"), Time: Text(c, &errs, "hora_pabellon", "hora_pabellon"),
		Surgery: Text(c, &errs, "cirugia", "cirugia"), Refused: errs}
}

// Validate returns the surgery, the pavilion end (RULES §2's ±30 days around now) and the
// problems; the catalog says which surgeries are active.
func (f Correction) Validate(cat *store.ClinicCatalog, now time.Time) (int64, time.Time, components.Errors) {
	errs := slices.Clone(f.Refused)
	var surgery int64
	if id, ok := ID(f.Surgery); !ok {
		errs.Add("cirugia", MsgSurgeryRequired)
	} else if _, ok := cat.ActiveSurgery(id); !ok {
		errs.Add("cirugia", MsgSurgeryUnavailable)
	} else {
		surgery = id
	}
	p, err := Ticket{TicketFormValues: components.TicketFormValues{PavilionDate: f.Date, PavilionTime: f.Time}}.PavilionEnd(now)
	if err != nil {
		field := "fecha_pabellon"
		var ie *fpa.InputError
		if errors.As(err, &ie) && ie.Field == fpa.FieldTime {
			field = "hora_pabellon"
		}
		errs.Add(field, fpaMessage(err))
	}
	return surgery, p, errs
}
