package store

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
)

// The statements every page runs are prepared: PostgreSQL parses and analyses each once per
// connection instead of at every execution (it still plans with the values when a generic
// plan would be worse). They are prepared when the store opens, on one connection; database/sql
// prepares each again on another connection the first time a transaction there runs it, on
// that transaction's own connection (never waiting for a second one).

// hotStatements are the pages' statements: the transaction's first statement, the board, a
// ticket's page, the new-ticket form and the FPA previews.
func hotStatements() []string {
	out := []string{enterSQL, ticketByIDSQL, modificationsSQL, insertActionAuditSQL, patientWithTicketSQL, activeTicketsSQL, historyCountsSQL, slotLoadSQL}
	for i := range 2 {
		out = append(out, board.counts[i], board.countsFiltered[i], board.list[i])
	}
	return out
}

// prepareHot prepares the hot statements; one that cannot be prepared (a database not yet
// migrated) simply runs unprepared.
func (s *Store) prepareHot(ctx context.Context) {
	s.prepared = map[string]*sqlx.Stmt{}
	for _, q := range hotStatements() {
		if st, err := s.db.PreparexContext(ctx, q); err == nil {
			s.prepared[q] = st
		}
	}
}

// stmt is query's prepared statement in the transaction, or nil when it has none.
func (t *Tx) stmt(ctx context.Context, query string) *sqlx.Stmt {
	if st := t.s.prepared[query]; st != nil {
		return t.tx.StmtxContext(ctx, st)
	}
	return nil
}

// get runs a query for one row into dst, prepared when it is one of the hot statements.
func (t *Tx) get(ctx context.Context, dst any, query string, args ...any) error {
	if st := t.stmt(ctx, query); st != nil {
		return st.GetContext(ctx, dst, args...)
	}
	return t.tx.GetContext(ctx, dst, query, args...)
}

// sel runs a query for rows into dst (a slice), prepared when it is one of the hot statements.
func (t *Tx) sel(ctx context.Context, dst any, query string, args ...any) error {
	if st := t.stmt(ctx, query); st != nil {
		return st.SelectContext(ctx, dst, args...)
	}
	return t.tx.SelectContext(ctx, dst, query, args...)
}

// exec runs a statement, prepared when it is one of the hot statements.
func (t *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}
