package fpa

import "time"

// Stored is a ticket's stored status, the column the database keeps
// (RULES §6); the status users see is derived from it with Derive.
type Stored string

// Stored statuses.
const (
	StoredVigente Stored = "vigente"
	StoredAnulado Stored = "anulado"
	StoredAlta    Stored = "alta"
)

// Valid reports whether s is one of the stored statuses.
func (s Stored) Valid() bool {
	return s == StoredVigente || s == StoredAnulado || s == StoredAlta
}

// State is the status shown to users, derived from the stored status and now
// (RULES §6). The zero value StateUnknown comes only from an invalid stored
// status.
type State int

// Derived states.
const (
	StateUnknown State = iota
	Programado
	Vigente
	Vencido
	Anulado
	DeAlta
)

var stateLabels = [...]struct{ key, label, badge string }{
	StateUnknown: {"", "", ""},
	Programado:   {"programado", "Programado", "PROGRAMADO"},
	Vigente:      {"vigente", "Vigente", "VIGENTE"},
	Vencido:      {"vencido", "Vencido", "VENCIDO"},
	Anulado:      {"anulado", "Anulado", "ANULADO"},
	DeAlta:       {"de_alta", "De alta", "DE ALTA"},
}

func (s State) entry() (key, label, badge string) {
	if s < 0 || int(s) >= len(stateLabels) {
		return "", "", ""
	}
	e := stateLabels[s]
	return e.key, e.label, e.badge
}

// Label returns the state as written in text: "Programado", "De alta".
func (s State) Label() string {
	_, l, _ := s.entry()
	return l
}

// Badge returns the state in capitals for badges: "PROGRAMADO", "DE ALTA".
func (s State) Badge() string {
	_, _, b := s.entry()
	return b
}

// Key returns a stable ASCII identifier ("programado", "de_alta") for URL
// filters and CSS classes.
func (s State) Key() string {
	k, _, _ := s.entry()
	return k
}

// String returns Key, for logs.
func (s State) String() string { return s.Key() }

// Urgency grades a Vigente ticket by the time left until its FPA (RULES §6).
// UrgencyNone is the urgency of every other state.
type Urgency int

// Urgencies.
const (
	UrgencyNone Urgency = iota
	UrgencyNormal
	UrgencyAdvertencia
	UrgencyCritico
	UrgencyEnVentana
)

var urgencyLabels = [...]struct{ key, label string }{
	UrgencyNone:        {"", ""},
	UrgencyNormal:      {"normal", "Normal"},
	UrgencyAdvertencia: {"advertencia", "Advertencia"},
	UrgencyCritico:     {"critico", "Crítico"},
	UrgencyEnVentana:   {"en_ventana", "En ventana de alta"},
}

// Label returns the Spanish label: "Normal", "Advertencia", "Crítico",
// "En ventana de alta"; empty for UrgencyNone. Urgency is always shown as
// text, never by colour alone.
func (u Urgency) Label() string {
	if u < 0 || int(u) >= len(urgencyLabels) {
		return ""
	}
	return urgencyLabels[u].label
}

// Key returns a stable ASCII identifier ("critico", "en_ventana") for CSS
// classes and filters.
func (u Urgency) Key() string {
	if u < 0 || int(u) >= len(urgencyLabels) {
		return ""
	}
	return urgencyLabels[u].key
}

// String returns Key, for logs.
func (u Urgency) String() string { return u.Key() }

// Thresholds are a clinic's urgency thresholds in hours before the FPA
// (RULES §6).
type Thresholds struct {
	CriticalHours int
	WarningHours  int
}

// MaxWarningHours is the largest warning threshold a clinic may set.
const MaxWarningHours = 72

// DefaultThresholds returns the RULES §6 defaults: critical 2 h, warning 8 h.
func DefaultThresholds() Thresholds { return Thresholds{CriticalHours: 2, WarningHours: 8} }

// Validate reports whether 0 < critical < warning ≤ 72 (RULES §6).
func (th Thresholds) Validate() error {
	switch {
	case th.CriticalHours <= 0:
		return inputErr(FieldCritical, msgCriticalPositive)
	case th.CriticalHours >= th.WarningHours:
		return inputErr(FieldCritical, msgCriticalBelowWarn)
	case th.WarningHours > MaxWarningHours:
		return inputErr(FieldWarning, msgWarningMax)
	}
	return nil
}

// Derive returns the state and urgency shown for a ticket (RULES §6) with
// stored status stored, pavilion end p, FPA instant f, block length blockLen
// (the elapsed length of the FPA slot, Slot.Len, which differs from two hours
// across a DST change) at instant now. Vigente is P ≤ now < F + blockLen; its
// urgency is "En ventana de alta" from F on, and before F graded by hours
// left: < critical → crítico, < warning → advertencia, else normal.
func Derive(stored Stored, p, f time.Time, blockLen time.Duration, now time.Time, th Thresholds) (State, Urgency) {
	switch stored {
	case StoredAnulado:
		return Anulado, UrgencyNone
	case StoredAlta:
		return DeAlta, UrgencyNone
	case StoredVigente:
	default:
		return StateUnknown, UrgencyNone
	}
	if now.Before(p) {
		return Programado, UrgencyNone
	}
	if !now.Before(f.Add(blockLen)) {
		return Vencido, UrgencyNone
	}
	if !now.Before(f) {
		return Vigente, UrgencyEnVentana
	}
	left := f.Sub(now)
	switch {
	case left < time.Duration(th.CriticalHours)*time.Hour:
		return Vigente, UrgencyCritico
	case left < time.Duration(th.WarningHours)*time.Hour:
		return Vigente, UrgencyAdvertencia
	}
	return Vigente, UrgencyNormal
}
