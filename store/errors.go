package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lib/pq"
)

// Sentinel errors callers branch on. A record of another clinic is ErrNotFound, never a
// permission error, so its existence is not revealed.
var (
	ErrNotFound  = errors.New("store: not found")
	ErrConflict  = errors.New("store: conflict")
	ErrForbidden = errors.New("store: forbidden")
)

// notFound turns sql.ErrNoRows into ErrNotFound and wraps anything else with what.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return fmt.Errorf("%s: %w", what, err)
}

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

// Unavailable reports an error that means the database did not answer, in time or at all: a
// deadline passed (the request's, or the socket's), the connection failed or was refused, the
// server is shutting down or starting, it has no connection left, or a statement ran past
// statement_timeout. Such a request is answered 503 (try again soon), not 500.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return true
	}
	code := ""
	var pe *pq.Error
	var ge *pgconn.PgError
	switch {
	case errors.As(err, &pe):
		code = string(pe.Code)
	case errors.As(err, &ge):
		code = ge.Code
	default:
		return pgconn.Timeout(err) || errors.As(err, new(*pgconn.ConnectError))
	}
	switch {
	case len(code) == 5 && code[:2] == "08": // connection exception
		return true
	case code == "57P01", code == "57P02", code == "57P03", code == "53300", code == "57014":
		// admin or crash shutdown, cannot connect now, too many connections, statement timeout
		return true
	}
	return false
}
