package store_test

import (
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/db"
	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/internal/benchdata"
	"github.com/redsalud/ticket-home/internal/testdb"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

// Sizes of the production-like database the plan is measured on: a network's few years of
// history, and a busy clinic's board.
const (
	planTotalTickets  = 100_000
	planActiveTickets = 300
)

// TestBoardPlan_NoSeqScanOnTickets checks that the board's two queries reach a clinic's
// tickets through an index, not by reading every clinic's history, on a database of
// 100 000 tickets. Plans are those of the app role under row-level security, with the
// parameters bound as Board binds them (lib/pq's unnamed statements get custom plans).
func TestBoardPlan_NoSeqScanOnTickets(t *testing.T) {
	ctx := t.Context()
	appURL, superURL := testdb.New(t, db.MigrationsVersion(), db.Migrate)
	st, err := store.Open(ctx, appURL, store.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := demo.Seed(ctx, st, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	code := fpa.DefaultClinicCode(demo.ClinicNames[4])
	start := time.Now()
	if err := benchdata.Load(ctx, superURL, code, planActiveTickets, planTotalTickets); err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %d tickets (%d vigente in %s) in %s", planTotalTickets, planActiveTickets, code, time.Since(start).Round(time.Millisecond))
	checkLoadedRUTs(t, openRaw(t, superURL))

	p := principalFor(t, st, "clinico_"+strings.ToLower(code))
	raw := openRaw(t, appURL)
	surname := benchdata.Surnames[0]
	now := time.Now()
	cases := []struct {
		name string
		f    store.BoardFilter
		// assert: the default board is what every nurse's screen asks for every minute.
		assert bool
	}{
		{"default", store.BoardFilter{}, true},
		{"q=" + surname, store.BoardFilter{Query: surname, RUTQuery: rut.Normalize(surname)}, false},
		{"estado=vencido", store.BoardFilter{States: []string{store.StateVencido}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Exactly the statements and arguments Board runs.
			for _, q := range store.BoardQueriesForTest(p, tc.f, now) {
				plan := explainAsTenant(t, raw, p, q.SQL, q.Args)
				t.Logf("%s: %s; without EXPLAIN's instrumentation: median of 5 runs %s\n%s",
					q.Name, planSummary(plan), medianRun(t, raw, p, q.SQL, q.Args, 5), plan)
				if tc.assert && strings.Contains(plan, "Seq Scan on tickets") {
					t.Errorf("%s query of the %s board reads tickets with a sequential scan", q.Name, tc.name)
				}
			}
			page, err := st.Board(t.Context(), p, tc.f, now)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Tickets) == 0 {
				t.Errorf("the board shows no tickets; the plan of an empty board proves little")
			}
			t.Logf("Board: %d tickets on the page, counts %v", len(page.Tickets), page.Counts)
		})
	}
}

// inTenantTx runs fn in a transaction scoped to p's clinic the way store.WithTenant scopes
// it, and rolls back.
func inTenantTx(t *testing.T, raw *sql.DB, p store.Principal, fn func(tx *sql.Tx) error) {
	t.Helper()
	tx, err := raw.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() // read-only work; nothing to keep
	if _, err := tx.ExecContext(t.Context(),
		`SELECT set_config('app.clinic_id', $1, true), set_config('app.all_clinics', 'off', true)`,
		strconv.FormatInt(p.ClinicID, 10)); err != nil {
		t.Fatal(err)
	}
	if err := fn(tx); err != nil {
		t.Fatal(err)
	}
}

func explainAsTenant(t *testing.T, raw *sql.DB, p store.Principal, query string, args []any) string {
	t.Helper()
	var lines []string
	inTenantTx(t, raw, p, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(t.Context(), "EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) "+query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l string
			if err := rows.Scan(&l); err != nil {
				return err
			}
			lines = append(lines, l)
		}
		return rows.Err()
	})
	return strings.Join(lines, "\n")
}

// medianRun runs query n times as the tenant, reading every row, and returns the median
// duration: a figure for the log, not an assertion.
func medianRun(t *testing.T, raw *sql.DB, p store.Principal, query string, args []any, n int) time.Duration {
	t.Helper()
	ds := make([]time.Duration, n)
	for i := range ds {
		inTenantTx(t, raw, p, func(tx *sql.Tx) error {
			start := time.Now()
			rows, err := tx.QueryContext(t.Context(), query, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
			}
			err = errors.Join(rows.Err(), rows.Close())
			ds[i] = time.Since(start)
			return err
		})
	}
	slices.Sort(ds)
	return ds[n/2].Round(10 * time.Microsecond)
}

var (
	planNode     = regexp.MustCompile(`(?m)^\s*(?:->\s*)?((?:Parallel )?(?:Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan|Bitmap Index Scan)(?: Backward)?(?: using \S+)? on \S+)`)
	planExecTime = regexp.MustCompile(`Execution Time: ([0-9.]+ ms)`)
)

// planSummary is the plan's scans and its execution time, on one line.
func planSummary(plan string) string {
	var scans []string
	for _, m := range planNode.FindAllStringSubmatch(plan, -1) {
		scans = append(scans, m[1])
	}
	exec := "?"
	if m := planExecTime.FindStringSubmatch(plan); m != nil {
		exec = m[1]
	}
	return fmt.Sprintf("execution %s; %s", exec, strings.Join(scans, "; "))
}

// checkLoadedRUTs checks that the loader's SQL check digits agree with package rut.
func checkLoadedRUTs(t *testing.T, super *sql.DB) {
	t.Helper()
	rows, err := super.QueryContext(t.Context(), `SELECT rut FROM patients WHERE rut ~ '^1[0-9]{6}-' ORDER BY id LIMIT 500`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		r, err := rut.Parse(s)
		if err != nil || r.Canonical() != s {
			t.Errorf("loaded RUT %s: parse %v, canonical %q", s, err, r.Canonical())
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Error("no loaded RUT to check")
	}
}
