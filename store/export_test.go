package store

import (
	"context"
	"time"
)

// CountForTest runs a count query inside the transaction, for tests of row-level security.
func (t *Tx) CountForTest(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := t.tx.GetContext(ctx, &n, query, args...)
	return n, err
}

// BoardQueryForTest is one statement Board runs, with its arguments.
type BoardQueryForTest = boardQuery

// BoardQueriesForTest returns exactly the statements and arguments Board runs for a filter,
// for the plan test to EXPLAIN.
func BoardQueriesForTest(p Principal, f BoardFilter, now time.Time) []BoardQueryForTest {
	if f.PageSize <= 0 {
		f.PageSize = 50
	}
	if f.Page < 1 {
		f.Page = 1
	}
	list, counts := boardQueries(p, f, now)
	return []BoardQueryForTest{counts, list}
}

// Setting reads a server setting as the pool's connections see it.
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT current_setting($1)`, name).Scan(&v)
	return v, err
}

// SlotLoadForTest counts the discharges planned in a clinic's slots as the forms' previews do.
func (t *Tx) SlotLoadForTest(ctx context.Context, clinicID int64, starts []time.Time, except int64) (SlotLoad, error) {
	return t.slotLoad(ctx, clinicID, starts, except)
}
