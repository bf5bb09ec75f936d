package components

import (
	"fmt"
	"strconv"
	"time"

	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/store"
)

// Capabilities say which actions the signed-in user may take on this ticket now (RULES §5,
// §9); the server checks the same again on submit.
type Capabilities struct {
	Modify        bool
	LimitReached  bool
	Annul         bool
	Revert        bool
	Discharge     bool
	UndoDischarge bool
	EditLocation  bool // room, bed, location
	EditEpisode   bool
	EditPatient   bool
	CorrectInputs bool // pavilion end and surgery (RULES §5b)
}

// ModifyForm is the "Modificar FPA" form.
type ModifyForm struct {
	Date, Block, Reason, Justification string
	Errors                             Errors
	Preview                            *ModifyPreview
	Version                            int
	Key                                string
	Message                            string // a refusal that is not about one field
}

// ModifyPreview compares the current and the new FPA before applying.
type ModifyPreview struct {
	Current, New string
	Direction    string // "Posterga el alta" / "Adelanta el alta"
	ExtraNights  string // signed
	Seq          int
	Shown        string // identifies the new FPA on screen (see FPAPreview.Shown)
	Warning      string // the new slot already holds the clinic's capacity (RULES §1c), or ""
}

// SimpleForm is a form with a note or a date and time: annul, revert, discharge, undo.
type SimpleForm struct {
	Values  map[string]string
	Errors  Errors
	Version int
	Key     string
	Message string
}

// Value returns a field's value.
func (f SimpleForm) Value(k string) string { return f.Values[k] }

// Open reports whether the form has something to say: its action's disclosure opens.
func (f SimpleForm) Open() bool { return len(f.Errors) > 0 || f.Message != "" }

// Open reports whether the modification form has something to say (a refusal, or the preview
// of what was typed): its disclosure opens.
func (f ModifyForm) Open() bool { return len(f.Errors) > 0 || f.Message != "" || f.Preview != nil }

// Conflict is what changed since a form was opened, beside what the user typed.
type Conflict struct {
	Rows        []ConflictRow
	DiscardHref string
	// What changed under the user ("este ticket" when empty) and the discard link's words.
	Subject, DiscardLabel string
}

func (c Conflict) subject() string {
	if c.Subject == "" {
		return "este ticket"
	}
	return c.Subject
}

func (c Conflict) discardLabel() string {
	if c.DiscardLabel == "" {
		return "Descartar mi cambio y ver el ticket actual"
	}
	return c.DiscardLabel
}

// ConflictRow is one field of a conflict.
type ConflictRow struct {
	Label, Current, Typed string
}

// ModificationView is one entry of the FPA history.
type ModificationView struct {
	store.Modification
}

// PreviousText is the FPA before the modification.
func (m ModificationView) PreviousText() string {
	return fpa.FormatFPA(m.PreviousFPA, fpa.Block{Start: m.PreviousStart, End: m.PreviousEnd})
}

// NewText is the FPA after the modification.
func (m ModificationView) NewText() string {
	return fpa.FormatFPA(m.NewFPA, fpa.Block{Start: m.NewStart, End: m.NewEnd})
}

// DirectionText says which way the FPA moved.
func (m ModificationView) DirectionText() string {
	if m.Direction == "earlier" {
		return "Adelanta el alta"
	}
	return "Posterga el alta"
}

// DischargeOutcome says where the actual discharge fell relative to the FPA (RULES §5).
func (v TicketView) DischargeOutcome() string {
	if !v.DischargedAt.Valid {
		return ""
	}
	d := v.DischargedAt.Time
	switch {
	case !d.Before(v.FPA) && d.Before(v.FPAEnd):
		return "Dentro del rango horario de la FPA."
	case fpa.DateOf(d) == fpa.DateOf(v.FPA) && d.Before(v.FPA):
		return "El día de la FPA, antes del rango horario."
	case fpa.DateOf(d) == fpa.DateOf(v.FPA):
		return fmt.Sprintf("El día de la FPA, %s después del rango horario.", Duration(d.Sub(v.FPAEnd)))
	case d.Before(v.FPA):
		return "Antes de la fecha de la FPA."
	}
	hours := int(d.Sub(v.FPAEnd) / time.Hour)
	return fmt.Sprintf("Después de la FPA: %d h de atraso respecto del fin del rango.", hours)
}

// BlockOptions lists the clinic's blocks as options ("08:00–10:00").
func BlockOptions(blocks []fpa.Block) []Option {
	out := make([]Option, 0, len(blocks))
	for _, b := range blocks {
		if b.Active {
			out = append(out, Option{strconv.Itoa(b.Start), b.Label()})
		}
	}
	return out
}

// ReasonOptions lists the reasons of one category.
func ReasonOptions(rs []store.Reason, category string) []Option {
	var out []Option
	for _, r := range rs {
		if r.Active && r.Category == category {
			out = append(out, Option{strconv.FormatInt(r.ID, 10), r.Name})
		}
	}
	return out
}
