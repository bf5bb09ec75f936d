package components

import (
	"strconv"

	"github.com/a-h/templ"
	"github.com/redsalud/ticket-home/store"
)

// FormError is one problem of a submitted form, in the order the summary lists them.
type FormError struct {
	Field string // the input's id, for the summary's link
	Msg   string
}

// Errors are a form's problems, by field id, in display order.
type Errors []FormError

// For returns the message of a field, or "".
func (e Errors) For(field string) string {
	for _, fe := range e {
		if fe.Field == field {
			return fe.Msg
		}
	}
	return ""
}

// Add appends a problem unless the field already has one (the first message is the useful one).
func (e *Errors) Add(field, msg string) {
	if e.For(field) == "" {
		*e = append(*e, FormError{field, msg})
	}
}

// Field describes one labelled input.
type Field struct {
	ID       string
	Name     string // defaults to ID
	Label    string
	Value    string
	Error    string
	Hint     string
	Optional bool
	Type     string // "text" by default
	Attrs    templ.Attributes
}

func (f Field) name() string {
	if f.Name != "" {
		return f.Name
	}
	return f.ID
}

func (f Field) inputType() string {
	if f.Type != "" {
		return f.Type
	}
	return "text"
}

// maxLocation is the maxlength of room, bed, location and episode inputs.
var maxLocation = strconv.Itoa(store.MaxLocationText)

// describedBy joins the hint and error ids that describe a field.
func (f Field) describedBy() string {
	s := ""
	if f.Hint != "" {
		s = f.ID + "-ayuda"
	}
	if f.Error != "" {
		if s != "" {
			s += " "
		}
		s += f.ID + "-error"
	}
	return s
}

// previewSync makes the requests of a form's live preview one queue on the form, the newest
// replacing any still in flight: only the preview of what the form holds now is ever shown.
// The form's own submit, synced with "this:replace", aborts them.
const previewSync = "closest form:replace"

// livePreview makes a field ask for the preview of what the form holds whenever it changes.
// The answer replaces the box's contents, never the box: a request whose target was replaced
// would be dropped, and the box would keep showing an FPA the submit would not save. While
// a preview is outdated the box says "Calculando…" and the form's main submit waits
// (app.js, [data-preview]); the server still saves only the FPA the box showed (Shown).
func livePreview(href, box string, attrs templ.Attributes) templ.Attributes {
	out := templ.Attributes{"hx-post": href, "hx-trigger": "change", "hx-target": box, "hx-swap": "innerHTML", "hx-sync": previewSync}
	for k, v := range attrs {
		out[k] = v
	}
	return out
}
