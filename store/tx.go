package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Tx is one tenant-scoped transaction: the principal it acts for and the queries it runs.
type Tx struct {
	tx *sqlx.Tx
	p  Principal
	s  *Store
	// catalogVersion and boardVersion are the versions of the clinic's master data and of what
	// its board shows, as the transaction entered (0 for every clinic, or the store's own work).
	catalogVersion, boardVersion int64
	// requestID ties audit rows to the access log line of the request that wrote them.
	requestID string
}

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request id that audit rows record.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// ErrNoScope reports a principal that names neither a clinic nor all clinics.
var ErrNoScope = errors.New("store: principal has no clinic scope")

// ErrPrincipalChanged reports a principal whose user or clinic changed since it was made (a
// role, a deactivation, a clinic renamed): nothing was done, and the request must make the
// principal again from the database.
var ErrPrincipalChanged = errors.New("store: the principal's user or clinic changed")

const (
	setScopeSQL = `SELECT set_config('app.clinic_id', $1, true), set_config('app.all_clinics', $2, true)`
	enterSQL    = `SELECT catalog_version, board_version FROM app_enter($1, $2, $3, $4)`
)

// WithTenant is the one way into tenant data. It runs fn in a transaction whose row-level
// security settings (transaction-local, so they never leak to the next user of the pooled
// connection) allow exactly the principal's clinic, or every clinic for a superuser who chose
// "all". fn's error rolls everything back; the audit rows fn writes commit with its changes.
func (s *Store) WithTenant(ctx context.Context, p Principal, fn func(*Tx) error) error {
	if p.UserID == 0 {
		return fmt.Errorf("store: with tenant: %w", ErrNoScope)
	}
	if p.AllClinics && !p.IsSuperuser() {
		return fmt.Errorf("store: with tenant: all clinics for a non-superuser: %w", ErrNoScope)
	}
	if !p.AllClinics && p.ClinicID <= 0 {
		return fmt.Errorf("store: with tenant: %w", ErrNoScope)
	}
	return s.inTx(ctx, p, fn)
}

// withSystem runs fn across every clinic. It serves only what precedes a principal:
// sign-in lookups, the login audit, the per-request user load and the demo seed.
func (s *Store) withSystem(ctx context.Context, fn func(*Tx) error) error {
	return s.inTx(ctx, Principal{Role: RoleSuperuser, AllClinics: true, system: true}, fn)
}

// maxAttempts bounds how often a transaction runs when PostgreSQL aborts it for a deadlock or
// a serialization failure, which are resolved by running it again.
const maxAttempts = 3

// inTx runs fn in one transaction, again (up to maxAttempts in all) when PostgreSQL aborted it
// for a deadlock or a serialization failure. fn must therefore only change the database and
// its own results: every caller in this package does.
func (s *Store) inTx(ctx context.Context, p Principal, fn func(*Tx) error) (err error) {
	for attempt := 1; ; attempt++ {
		err = s.inTxOnce(ctx, p, fn)
		if attempt == maxAttempts || !retryable(err) || ctx.Err() != nil {
			return err
		}
	}
}

// retryable reports a deadlock (40P01) or serialization failure (40001).
func retryable(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

func (s *Store) inTxOnce(ctx context.Context, p Principal, fn func(*Tx) error) (err error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // the original error is what matters; rollback of a failed tx adds nothing
		}
	}()
	t := &Tx{tx: tx, p: p, s: s, requestID: requestID(ctx)}
	if err = t.enter(ctx); err != nil {
		return err
	}
	if err = fn(t); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", asConstraint(err))
	}
	return nil
}

// enter scopes the transaction to the principal's clinic(s): for a user, after checking in
// the same statement that the principal is still what the database says (app_enter).
func (t *Tx) enter(ctx context.Context) error {
	p := t.p
	if p.system {
		if _, err := t.tx.ExecContext(ctx, setScopeSQL, "", "on"); err != nil {
			return fmt.Errorf("store: set scope: %w", err)
		}
		return nil
	}
	clinic := p.ClinicID
	if p.AllClinics {
		clinic = 0
	}
	var v struct {
		Catalog int64 `db:"catalog_version"`
		Board   int64 `db:"board_version"`
	}
	err := t.get(ctx, &v, enterSQL, p.UserID, p.UserVersion, clinic, p.ClinicVersion)
	t.catalogVersion, t.boardVersion = v.Catalog, v.Board
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "TH001" {
		return ErrPrincipalChanged
	}
	if err != nil {
		return fmt.Errorf("store: enter: %w", err)
	}
	return nil
}

const insertActionAuditSQL = `
INSERT INTO action_audit (user_id, clinic_id, action, entity, entity_id, details, request_id)
VALUES ($1, $2, $3, $4, $5, $6, $7)`

// Audit records one change (RULES §10) in the same transaction as the change. clinicID is
// the clinic the change belongs to (0 for global data such as clinics themselves).
func (t *Tx) Audit(ctx context.Context, clinicID int64, action, entity string, entityID int64, details any) error {
	if details == nil {
		details = map[string]any{}
	}
	b, err := json.Marshal(details)
	if err != nil {
		return fmt.Errorf("store: audit details: %w", err)
	}
	var uid, cid, eid any
	if t.p.UserID != 0 {
		uid = t.p.UserID
	}
	if clinicID != 0 {
		cid = clinicID
	}
	if entityID != 0 {
		eid = entityID
	}
	if _, err := t.exec(ctx, insertActionAuditSQL, uid, cid, action, entity, eid, string(b), t.requestID); err != nil {
		return fmt.Errorf("store: audit %s: %w", action, asConstraint(err))
	}
	return nil
}

// getOne reads one row in the principal's scope. No row (including another clinic's, which
// row-level security hides) is ErrNotFound.
func getOne[T any](ctx context.Context, s *Store, p Principal, what, query string, args ...any) (T, error) {
	var v T
	err := s.WithTenant(ctx, p, func(tx *Tx) error { return tx.tx.GetContext(ctx, &v, query, args...) })
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNotFound
	}
	if err != nil {
		return v, fmt.Errorf("store: %s: %w", what, err)
	}
	return v, nil
}
