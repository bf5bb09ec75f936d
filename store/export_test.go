package store

import "context"

// CountForTest runs a count query inside the transaction, for tests of row-level security.
func (t *Tx) CountForTest(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := t.tx.GetContext(ctx, &n, query, args...)
	return n, err
}

// BoardSQLForTest returns the board's list and counts queries, for the plan test to EXPLAIN
// exactly what Board runs.
func BoardSQLForTest() (list, counts string) { return boardListSQL, boardCountsSQL }
