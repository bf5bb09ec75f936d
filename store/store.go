// Package store is Ticket Home's PostgreSQL data access. Every tenant query runs inside
// WithTenant, which scopes the transaction to one clinic (or, for superusers, all of them)
// both in the SQL it runs and in the row-level security settings underneath.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // database/sql driver "postgres"
)

// Store is the handle on the database shared by every request.
type Store struct {
	db   *sqlx.DB
	opts Options
	// catalogs caches each clinic's master data (ClinicCatalog); boards each clinic's active
	// tickets (board_cache.go).
	catalogs versionCache[int64, ClinicCatalog]
	boards   versionCache[boardKey, activeBoard]
	// prepared are the pages' statements, prepared (prepared.go); read-only once open.
	prepared map[string]*sqlx.Stmt
}

// Open connects to PostgreSQL with a pool sized and bounded by o: every statement has the
// server's statement_timeout, and every call's socket reads and writes end at its context's
// deadline (or o.CallTimeout), so a frozen database fails requests instead of hanging them.
func Open(ctx context.Context, databaseURL string, o Options) (*Store, error) {
	o = o.withDefaults()
	dsn, err := withTimeouts(databaseURL, o.ConnectTimeout, o.StatementTimeout)
	if err != nil {
		return nil, err
	}
	conn, err := newDeadlineConnector(dsn, o.CallTimeout)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(conn), "postgres")
	db.SetMaxOpenConns(o.MaxConns)
	db.SetMaxIdleConns(o.MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, o.CallTimeout+o.ConnectTimeout)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: ping: %w", err)
	}
	s := &Store{db: db, opts: o}
	s.prepareHot(pctx)
	return s, nil
}

// Close releases the pool.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks the database answers within ctx (readiness probe).
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

const roleGuardSQL = `
SELECT r.rolname, r.rolsuper, r.rolbypassrls
FROM pg_roles r
WHERE r.rolname = current_user`

const rlsGuardSQL = `
SELECT c.relname
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'clinic_id' AND NOT a.attisdropped
WHERE n.nspname = current_schema()
  AND c.relkind IN ('r', 'p')
  AND NOT (c.relrowsecurity AND c.relforcerowsecurity
           AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))
ORDER BY c.relname`

// ErrUnsafeRole reports that the database role could read across clinics unchecked.
var ErrUnsafeRole = errors.New("store: unsafe database role")

// Guard refuses to run on a database where clinic isolation is not enforced underneath the
// application: a superuser or BYPASSRLS role ignores row-level security, and a table with a
// clinic_id column but without forced RLS and a policy has no backstop.
func (s *Store) Guard(ctx context.Context) error {
	var name string
	var super, bypass bool
	if err := s.db.QueryRowContext(ctx, roleGuardSQL).Scan(&name, &super, &bypass); err != nil {
		return fmt.Errorf("store: guard: %w", err)
	}
	if super {
		return fmt.Errorf("%w: role %q is a superuser; use a non-superuser owner role", ErrUnsafeRole, name)
	}
	if bypass {
		return fmt.Errorf("%w: role %q has BYPASSRLS", ErrUnsafeRole, name)
	}
	var tables []string
	if err := s.db.SelectContext(ctx, &tables, rlsGuardSQL); err != nil {
		return fmt.Errorf("store: guard: %w", err)
	}
	if len(tables) > 0 {
		return fmt.Errorf("%w: tables with clinic_id lack forced row-level security: %s",
			ErrUnsafeRole, strings.Join(tables, ", "))
	}
	return nil
}
