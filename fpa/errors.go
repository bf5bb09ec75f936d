package fpa

// Field names carried by InputError, matching the form fields and database
// columns they describe, so a handler can put the message next to the input.
const (
	FieldDate     = "date"
	FieldTime     = "time"
	FieldBaseStay = "base_stay_hours"
	FieldCutoff   = "ambulatory_cutoff_hour"
	FieldBlocks   = "blocks"
	FieldBlock    = "block"
	FieldCritical = "critical_hours"
	FieldWarning  = "warning_hours"
)

// InputError is a validation failure of one input field; Msg is a Spanish
// sentence ready to show next to the field named by Field.
type InputError struct {
	Field string
	Msg   string
}

// Error returns the user-facing message.
func (e *InputError) Error() string { return e.Msg }

func inputErr(field, msg string) error { return &InputError{Field: field, Msg: msg} }
