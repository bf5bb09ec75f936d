// Package benchdata fills a demo-seeded test database with a production-sized ticket history,
// for the board benchmark (handlers) and the board plan test (store). It writes with set-based
// SQL (as the database superuser or the app's role), inside the schema's constraints: the same CHECKs, unique
// keys and composite foreign keys the application's own inserts satisfy.
package benchdata

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/redsalud/ticket-home/demo"
)

// Surnames are the demo's surnames, which loaded patients use too; the benchmark searches the
// board by one of them. Accented on purpose: the board's search folds accents.
var Surnames = demo.Surnames

// Load tops the tickets of a database already holding the demo data (demo.Seed) up to total,
// of which exactly active are stored 'vigente' in the clinic with code clinicCode (its demo
// tickets count). Every other clinic gets active/2 vigente tickets; the rest is history
// ('alta', one in seven 'anulado') spread evenly over all clinics and the last three years.
// Each ticket has its own patient, so the one-vigente-ticket-per-patient index holds, and the
// ticket counters end at the highest sequence loaded, so tickets created afterwards continue
// the codes. Active tickets are placed around time.Now(): about 15 % programado, 15 %
// vencido, the rest vigente. Load ends with VACUUM ANALYZE, as autovacuum would have left a
// table of this age.
func Load(ctx context.Context, dbURL string, clinicCode string, active, total int) error {
	pool, err := sql.Open("postgres", dbURL)
	if err != nil {
		return fmt.Errorf("benchdata: open: %w", err)
	}
	defer pool.Close()
	if err := load(ctx, pool, clinicCode, active, total, time.Now()); err != nil {
		return fmt.Errorf("benchdata: %w", err)
	}
	// VACUUM cannot run inside a transaction block.
	if _, err := pool.ExecContext(ctx, `VACUUM (ANALYZE) tickets, patients, ticket_counters`); err != nil {
		return fmt.Errorf("benchdata: vacuum: %w", err)
	}
	if _, err := pool.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("benchdata: analyze: %w", err)
	}
	return nil
}

type clinic struct {
	ID      int64  `db:"id"`
	Code    string `db:"code"`
	Tickets int    `db:"tickets"`
	Active  int    `db:"active"`
}

// segment is a run of tickets of one clinic and kind to generate.
type segment struct {
	clinicID int64
	kind     string // programado, vigente, vencido (all stored 'vigente') or historia
	n        int
}

const clinicsSQL = `
SELECT c.id, c.code,
       (SELECT count(*) FROM tickets t WHERE t.clinic_id = c.id) AS tickets,
       (SELECT count(*) FROM tickets t WHERE t.clinic_id = c.id AND t.status = 'vigente') AS active
FROM clinics c
ORDER BY c.id`

func load(ctx context.Context, pool *sql.DB, clinicCode string, active, total int, now time.Time) (err error) {
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, tx.Rollback())
		}
	}()

	// Every clinic's rows, also for the app's own role, whom row-level security binds.
	if _, err := tx.ExecContext(ctx, `SELECT set_config('app.all_clinics', 'on', true)`); err != nil {
		return fmt.Errorf("scope: %w", err)
	}
	rows, err := tx.QueryContext(ctx, clinicsSQL)
	if err != nil {
		return fmt.Errorf("clinics: %w", err)
	}
	var clinics []clinic
	for rows.Next() {
		var c clinic
		if err := rows.Scan(&c.ID, &c.Code, &c.Tickets, &c.Active); err != nil {
			rows.Close()
			return fmt.Errorf("clinics: %w", err)
		}
		clinics = append(clinics, c)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("clinics: %w", err)
	}
	segs, err := plan(clinics, clinicCode, active, total)
	if err != nil {
		return err
	}

	if _, err := tx.ExecContext(ctx, createRowsSQL); err != nil {
		return fmt.Errorf("temp table: %w", err)
	}
	for _, s := range segs {
		if _, err := tx.ExecContext(ctx, insertSegmentSQL, s.clinicID, s.kind, s.n); err != nil {
			return fmt.Errorf("segment: %w", err)
		}
	}
	steps := []struct {
		name string
		sql  string
		args []any
	}{
		{"shape", shapeSQL, []any{now}},
		{"patients", insertPatientsSQL, []any{pq.StringArray(demo.FemaleNames), pq.StringArray(demo.MaleNames), pq.StringArray(Surnames)}},
		{"tickets", insertTicketsSQL, nil},
		{"counters", countersSQL, nil},
	}
	for _, st := range steps {
		if _, err := tx.ExecContext(ctx, st.sql, st.args...); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
	}

	// A join that silently dropped rows (a clinic without its clinico user, say) shows here.
	var gotTotal, gotActive int
	if err := tx.QueryRowContext(ctx, `
SELECT (SELECT count(*) FROM tickets),
       (SELECT count(*) FROM tickets t JOIN clinics c ON c.id = t.clinic_id WHERE c.code = $1 AND t.status = 'vigente')`,
		clinicCode).Scan(&gotTotal, &gotActive); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if gotTotal != total || gotActive != active {
		return fmt.Errorf("loaded %d tickets (%d vigente in %s), want %d (%d)", gotTotal, gotActive, clinicCode, total, active)
	}
	return tx.Commit()
}

// plan splits what is missing into segments: the target clinic's active tickets, the other
// clinics' active tickets, and the history.
func plan(clinics []clinic, clinicCode string, active, total int) ([]segment, error) {
	if len(clinics) == 0 {
		return nil, errors.New("no clinics: load the demo data (demo.Seed) first")
	}
	var segs []segment
	existing, added := 0, 0
	found := false
	addActive := func(c clinic, want int) error {
		n := want - c.Active
		if n < 0 {
			return fmt.Errorf("clinic %s already has %d vigente tickets, more than %d", c.Code, c.Active, want)
		}
		programado, vencido := n*15/100, n*15/100
		for _, s := range []segment{{c.ID, "programado", programado}, {c.ID, "vencido", vencido}, {c.ID, "vigente", n - programado - vencido}} {
			if s.n > 0 {
				segs = append(segs, s)
			}
		}
		added += n
		return nil
	}
	for _, c := range clinics {
		existing += c.Tickets
		want := active / 2
		if c.Code == clinicCode {
			want, found = active, true
		}
		if err := addActive(c, want); err != nil {
			return nil, err
		}
	}
	if !found {
		return nil, fmt.Errorf("no clinic with code %q", clinicCode)
	}
	history := total - existing - added
	if history < 0 {
		return nil, fmt.Errorf("total %d is below the %d tickets there are plus the %d active to add", total, existing, added)
	}
	for i, c := range clinics {
		n := history / len(clinics)
		if i < history%len(clinics) {
			n++
		}
		if n > 0 {
			segs = append(segs, segment{c.ID, "historia", n})
		}
	}
	return segs, nil
}

const createRowsSQL = `
CREATE TEMP TABLE bench_rows (
    n         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    clinic_id bigint NOT NULL,
    kind      text NOT NULL
) ON COMMIT DROP`

const insertSegmentSQL = `
INSERT INTO bench_rows (clinic_id, kind) SELECT $1, $2 FROM generate_series(1, $3::int)`

// shapeSQL places each row in time. FPAs are two-hour blocks starting at an even local hour,
// counted in blocks from the one holding now ($1): a vigente ticket's block is that one or a
// later one (so its end is after now, its pavilion end before now), a vencido ticket's an
// earlier one, a programado ticket's one to three days ahead with its pavilion end still in
// the future, history up to three years back. The pavilion end always precedes the block's
// end (tickets_fpa_after_pavilion_check). RUT bodies are 1 000 000 + n, clear of the demo's
// (5 to 25 million), with the real modulo-11 check digit.
const shapeSQL = `
CREATE TEMP TABLE bench_tickets ON COMMIT DROP AS
WITH grid AS (
    SELECT date_trunc('hour', $1::timestamptz AT TIME ZONE 'America/Santiago')
           - make_interval(hours => extract(hour FROM $1::timestamptz AT TIME ZONE 'America/Santiago')::int % 2) AS local_block
), placed AS (
    SELECT r.n, r.clinic_id, r.kind,
           g.local_block + make_interval(hours => 2 * (CASE r.kind
               WHEN 'programado' THEN 12 + r.n % 24
               WHEN 'vigente'    THEN r.n % 24
               WHEN 'vencido'    THEN -1 - r.n % 36
               ELSE -13 - (r.n * 7919) % 13000 END)::int) AS fpa_local
    FROM bench_rows r CROSS JOIN grid g
), timed AS (
    SELECT n, clinic_id, kind,
           (extract(hour FROM fpa_local)::int * 60)::smallint AS block_start,
           fpa_local AT TIME ZONE 'America/Santiago' AS fpa_at,
           CASE kind
               WHEN 'programado' THEN $1::timestamptz + make_interval(hours => 1 + (n % 20)::int)
               WHEN 'vigente'    THEN $1::timestamptz - make_interval(hours => 1 + (n % 72)::int)
               ELSE (fpa_local AT TIME ZONE 'America/Santiago') - make_interval(hours => 6 + (n % 42)::int)
           END AS pavilion_end_at
    FROM placed
), created AS (
    SELECT timed.*,
           CASE WHEN kind = 'programado' THEN $1::timestamptz - make_interval(mins => (n % 48)::int)
                ELSE pavilion_end_at + interval '30 minutes' END AS created_at
    FROM timed
)
SELECT t.*, extract(year FROM t.created_at AT TIME ZONE 'America/Santiago')::smallint AS year,
       (1000000 + t.n)::text || '-' || dv.d AS rut
FROM created t
CROSS JOIN LATERAL (
    SELECT CASE 11 - s % 11 WHEN 11 THEN '0' WHEN 10 THEN 'K' ELSE (11 - s % 11)::text END AS d
    FROM (SELECT sum(((1000000 + t.n) / power(10, k)::bigint) % 10 * (2 + k % 6)) AS s
          FROM generate_series(0, 7) k) x
) dv`

// $1 female first names, $2 male first names, $3 surnames.
const insertPatientsSQL = `
INSERT INTO patients (clinic_id, rut, first_names, last_name_father, last_name_mother, age, sex, created_at, updated_at)
SELECT b.clinic_id, b.rut,
       CASE WHEN b.n % 2 = 0 THEN ($1::text[])[1 + (b.n / 2) % cardinality($1::text[])]
            ELSE ($2::text[])[1 + (b.n / 2) % cardinality($2::text[])] END,
       ($3::text[])[1 + (b.n * 31) % cardinality($3::text[])],
       ($3::text[])[1 + (b.n * 17 + 5) % cardinality($3::text[])],
       18 + b.n % 73,
       CASE WHEN b.n % 2 = 0 THEN 'F' ELSE 'M' END,
       b.created_at, b.created_at
FROM bench_tickets b`

// The snapshot of the surgery is its current master data; three tickets in four name a doctor
// of the clinic; the creator is the clinic's clinico user, who also annuls (with the clinic's
// first annulment reason) or records the discharge (an hour into the FPA block, RULES §5). Codes follow fpa.Code
// (TH-CODE-YYYY-NNN), sequences continue each (clinic, year) counter.
const insertTicketsSQL = `
WITH s AS (
    SELECT g.clinic_id, g.id, g.name, sp.name AS specialty_name, g.base_stay_hours,
           g.is_ambulatory, g.ambulatory_cutoff_hour,
           row_number() OVER (PARTITION BY g.clinic_id ORDER BY g.id) - 1 AS i,
           count(*) OVER (PARTITION BY g.clinic_id) AS cnt
    FROM surgeries g JOIN specialties sp ON sp.clinic_id = g.clinic_id AND sp.id = g.specialty_id
    WHERE g.active
), d AS (
    SELECT clinic_id, id,
           row_number() OVER (PARTITION BY clinic_id ORDER BY id) - 1 AS i,
           count(*) OVER (PARTITION BY clinic_id) AS cnt
    FROM doctors WHERE active
), r AS (
    SELECT DISTINCT ON (clinic_id) clinic_id, id
    FROM reasons WHERE category = 'annulment' AND active
    ORDER BY clinic_id, id
), b AS (
    SELECT b.*,
           CASE WHEN b.kind <> 'historia' THEN 'vigente' WHEN b.n % 7 = 0 THEN 'anulado' ELSE 'alta' END AS status,
           (coalesce(tc.last_seq, 0)
                 + row_number() OVER (PARTITION BY b.clinic_id, b.year ORDER BY b.created_at, b.n))::int AS seq
    FROM bench_tickets b
    LEFT JOIN ticket_counters tc ON tc.clinic_id = b.clinic_id AND tc.year = b.year
)
INSERT INTO tickets (clinic_id, code, year, seq, patient_id, surgery_id, doctor_id,
    surgery_name, specialty_name, base_stay_hours, is_ambulatory, ambulatory_cutoff_hour,
    pavilion_end_at, fpa_at, fpa_block_start, fpa_block_end, fpa_end_at,
    original_fpa_at, original_block_start, original_block_end, status,
    room, bed, location, episode_id, created_by, created_at, updated_at,
    annulled_at, annulled_by, annul_reason_id, discharged_at, discharge_recorded_at, discharge_recorded_by)
SELECT b.clinic_id,
       'TH-' || c.code || '-' || b.year || '-' || lpad(b.seq::text, greatest(3, length(b.seq::text)), '0'),
       b.year, b.seq, p.id, s.id, d.id,
       s.name, s.specialty_name, s.base_stay_hours, s.is_ambulatory, s.ambulatory_cutoff_hour,
       b.pavilion_end_at, b.fpa_at, b.block_start, b.block_start + 120, b.fpa_at + interval '2 hours',
       b.fpa_at, b.block_start, b.block_start + 120,
       b.status,
       (200 + b.n % 500)::text, CASE WHEN b.n % 2 = 0 THEN 'A' ELSE 'B' END,
       'Piso ' || (2 + b.n % 5) || CASE WHEN b.n % 3 = 0 THEN ' Oriente' ELSE ' Poniente' END,
       CASE WHEN b.n % 20 = 0 THEN '' ELSE 'EP-' || b.year || '-' || b.n END,
       u.id, b.created_at,
       CASE WHEN b.kind = 'historia' THEN b.fpa_at + interval '2 hours' ELSE b.created_at END,
       CASE WHEN b.status = 'anulado' THEN b.created_at + interval '1 hour' END,
       CASE WHEN b.status = 'anulado' THEN u.id END,
       CASE WHEN b.status = 'anulado' THEN r.id END,
       CASE WHEN b.status = 'alta' THEN b.fpa_at + interval '1 hour' END,
       CASE WHEN b.status = 'alta' THEN b.fpa_at + interval '90 minutes' END,
       CASE WHEN b.status = 'alta' THEN u.id END
FROM b
JOIN clinics c ON c.id = b.clinic_id
JOIN patients p ON p.clinic_id = b.clinic_id AND p.rut = b.rut
JOIN s ON s.clinic_id = b.clinic_id AND s.i = b.n % s.cnt
LEFT JOIN d ON d.clinic_id = b.clinic_id AND d.i = b.n % d.cnt AND b.n % 4 <> 0
JOIN users u ON u.clinic_id = b.clinic_id AND u.username = 'clinico_' || lower(c.code)
JOIN r ON r.clinic_id = b.clinic_id`

const countersSQL = `
INSERT INTO ticket_counters (clinic_id, year, last_seq)
SELECT clinic_id, year, max(seq) FROM tickets GROUP BY clinic_id, year
ON CONFLICT (clinic_id, year) DO UPDATE SET last_seq = EXCLUDED.last_seq`
