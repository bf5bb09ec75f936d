package store

import (
	"errors"

	"github.com/lib/pq"
)

// Sentinel errors callers branch on. A record of another clinic is ErrNotFound, never a
// permission error, so its existence is not revealed.
var (
	ErrNotFound  = errors.New("store: not found")
	ErrConflict  = errors.New("store: conflict")
	ErrForbidden = errors.New("store: forbidden")
)

// ConstraintError is a constraint violation turned into something a handler can show at a
// field: Kind is "unique", "foreign_key" or "check", Constraint the database name.
type ConstraintError struct {
	Kind       string
	Constraint string
	Err        error
}

func (e *ConstraintError) Error() string { return "store: " + e.Kind + " violation: " + e.Constraint }
func (e *ConstraintError) Unwrap() error { return e.Err }

// asConstraint converts SQLSTATE 23505, 23503 and 23514 into *ConstraintError.
func asConstraint(err error) error {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return err
	}
	kind := ""
	switch pe.Code {
	case "23505":
		kind = "unique"
	case "23503":
		kind = "foreign_key"
	case "23514":
		kind = "check"
	default:
		return err
	}
	return &ConstraintError{Kind: kind, Constraint: pe.Constraint, Err: err}
}

// stringArray passes a []string as a PostgreSQL text[] parameter.
func stringArray(s []string) any { return pq.StringArray(s) }
