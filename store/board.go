package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Derived states as the board filters them (RULES §6), in URL form.
const (
	StateProgramado = "programado"
	StateVigente    = "vigente"
	StateVencido    = "vencido"
	StateAnulado    = "anulado"
	StateDeAlta     = "de_alta"
)

// ActiveStates are the board's default: the tickets a ward still acts on.
var ActiveStates = []string{StateProgramado, StateVigente, StateVencido}

// AllStates are every derived state, in the chips' order.
var AllStates = []string{StateProgramado, StateVigente, StateVencido, StateAnulado, StateDeAlta}

// BoardFilter is what the board's GET form asks for. Zero values mean "no filter".
type BoardFilter struct {
	States    []string // derived states; empty = ActiveStates
	Query     string   // name, code, bed, location or episode (substring, accent-insensitive)
	RUTQuery  string   // the query as a RUT without separators ("123456785"), "" if not RUT-like
	Specialty string   // the specialty name recorded on the ticket
	Surgery   string   // the surgery name recorded on the ticket
	// Options asks for the filters' choices too (the full page; not its htmx refreshes).
	Options   bool
	From, To  time.Time // the date DateOf names in [From, To); zero = open
	DateOf    string    // DatePavilion (""), DateCreated, DateFPA or DateDischarged
	Soon      bool      // only active tickets whose FPA falls in the next 24 hours
	NoEpisode bool      // only tickets without an episode id ("Sin ID Ep.")
	Ward      string    // only tickets at this location (ubicación), exactly; "" = all
	Mine      bool      // only the tickets the principal created ("Mis tickets")
	Sort      string    // SortUrgency (""), SortFPA or SortCreated
	Page      int       // 1-based
	PageSize  int
}

// The dates the board's range applies to.
const (
	DatePavilion   = ""         // the pavilion end
	DateCreated    = "creacion" // the ticket's creation
	DateFPA        = "fpa"      // the current FPA
	DateDischarged = "alta"     // the recorded discharge
)

// soonHours is the horizon of BoardFilter.Soon.
const soonHours = "24"

// The board's orders.
const (
	SortUrgency = ""         // overdue first, then the soonest FPA
	SortFPA     = "fpa"      // the soonest FPA first
	SortCreated = "creacion" // the newest ticket first
)

// CountNoEpisode is the Counts key of the active tickets without an episode id ("Sin ID Ep."),
// under the same filters.
const CountNoEpisode = "sin_episodio"

// CountMine is the Counts key of the active tickets the principal created ("Mis tickets"),
// under the same filters.
const CountMine = "mios"

// BoardPage is one page of the board with the counts of every state under the same filters.
type BoardPage struct {
	Tickets []Ticket
	Total   int
	// Page is the page served: the one asked for, or the last one when it asked beyond it.
	Page   int
	Counts map[string]int
	// With BoardFilter.Options: the specialty and surgery names the filters offer, and the
	// wards (locations) of the clinic's active tickets (one clinic only).
	Specialties []string
	Surgeries   []string
	Wards       []string
}

// The board's SQL is assembled once, at start, from constant fragments: every value is a
// parameter. Shared parameters: $1 clinic (0 = all in scope), $2 now, $3 query, $4 RUT query,
// $5 specialty, $6 surgery name, $7 from, $8 to (of the date $12 names), $9 no episode, $10
// ward, $11 the creator of "Mis tickets" (0: anybody), $12 the date the range applies to
// (DatePavilion…), $13 only FPAs in the next soonHours; $14 the principal's user (whose tickets
// are counted).
const (
	boardFilters = `
  AND ($1 = 0 OR t.clinic_id = $1)
  AND ($5 = '' OR t.specialty_name = $5)
  AND ($6 = '' OR t.surgery_name = $6)
  AND ($7::timestamptz IS NULL OR CASE $12::text WHEN '` + DateCreated + `' THEN t.created_at >= $7
       WHEN '` + DateFPA + `' THEN t.fpa_at >= $7 WHEN '` + DateDischarged + `' THEN t.discharged_at >= $7
       ELSE t.pavilion_end_at >= $7 END)
  AND ($8::timestamptz IS NULL OR CASE $12::text WHEN '` + DateCreated + `' THEN t.created_at < $8
       WHEN '` + DateFPA + `' THEN t.fpa_at < $8 WHEN '` + DateDischarged + `' THEN t.discharged_at < $8
       ELSE t.pavilion_end_at < $8 END)
  AND (NOT $9 OR t.episode_id = '')
  AND ($10 = '' OR t.location = $10)
  AND ($11 = 0 OR t.created_by = $11)
  AND (NOT $13 OR (t.status = 'vigente' AND t.fpa_at >= $2 AND t.fpa_at < $2 + interval '` + soonHours + ` hours'))`
	// The search needs the patient; without a search the patients join is left out.
	boardSearch = `
  AND (fold(p.first_names || ' ' || p.last_name_father || ' ' || p.last_name_mother) LIKE '%' || fold($3) || '%'
       OR fold(t.code) LIKE '%' || fold($3) || '%' OR fold(t.bed) LIKE '%' || fold($3) || '%'
       OR fold(t.room) LIKE '%' || fold($3) || '%' OR fold(t.location) LIKE '%' || fold($3) || '%'
       OR fold(t.episode_id) LIKE '%' || fold($3) || '%'
       OR ($4 <> '' AND replace(p.rut, '-', '') LIKE $4 || '%'))`
	boardNoSearch = `
  AND $3::text = '' AND $4::text = ''`
	boardPatientsJoin = `
JOIN patients p ON p.clinic_id = t.clinic_id AND p.id = t.patient_id`

	derivedState = `
CASE WHEN t.status = 'anulado' THEN 'anulado'
     WHEN t.status = 'alta' THEN 'de_alta'
     WHEN t.pavilion_end_at > $2 THEN 'programado'
     WHEN t.fpa_end_at <= $2 THEN 'vencido'
     ELSE 'vigente' END`
)

// boardSQL holds the board's queries in their two forms: [0] without search, [1] with.
// counts counts every state in one statement: the active ones from the tickets, the history
// from the tickets under filters (countsFiltered) or, for the unfiltered board, from the
// per-clinic counters kept with every status change (counts).
type boardSQL struct {
	counts, countsFiltered, list, export [2]string
}

// historyCountersSQL reads the history chips of the unfiltered board from ticket_state_counts.
const historyCountersSQL = `
SELECT CASE status WHEN 'anulado' THEN 'anulado' ELSE 'de_alta' END AS state, sum(n)::bigint AS n
FROM ticket_state_counts
WHERE ($1 = 0 OR clinic_id = $1)
GROUP BY 1`

var board = func() boardSQL {
	var b boardSQL
	for i, search := range []string{boardNoSearch, boardSearch} {
		join := ""
		if i == 1 {
			join = boardPatientsJoin
		}
		// Active counts come from the partial index on vigente tickets; the history (annulled,
		// discharged) from the (clinic_id, status, …) index, without touching the active rows.
		active := `
SELECT ` + derivedState + ` AS state, count(*) AS n
FROM tickets t` + join + `
WHERE t.status = 'vigente'` + boardFilters + search + `
GROUP BY 1
UNION ALL
SELECT '` + CountNoEpisode + `', count(*)
FROM tickets t` + join + `
WHERE t.status = 'vigente' AND t.episode_id = ''` + boardFilters + search + `
GROUP BY 1
UNION ALL
SELECT '` + CountMine + `', count(*)
FROM tickets t` + join + `
WHERE t.status = 'vigente' AND t.created_by = $14` + boardFilters + search + `
GROUP BY 1`
		b.countsFiltered[i] = active + `
UNION ALL
SELECT CASE t.status WHEN 'anulado' THEN 'anulado' ELSE 'de_alta' END AS state, count(*) AS n
FROM tickets t` + join + `
WHERE t.status IN ('anulado', 'alta')` + boardFilters + search + `
GROUP BY 1`
		b.counts[i] = active + `
UNION ALL` + historyCountersSQL
		// The page of ids is chosen first, and only its 50 rows are joined to what they show.
		// $14 active only (status = 'vigente' serves the partial index), $15 states or NULL
		// for "all active", $16 limit (NULL: every page), $17 offset, $18 the order: by urgency
		// (vencido first, then the soonest FPA), by FPA, or the newest first.
		page := `
WITH page AS (
    SELECT t.id, ($18 = '` + SortUrgency + `' AND ` + derivedState + ` = 'vencido') AS overdue,
           CASE WHEN $18 = '` + SortCreated + `' THEN t.created_at END AS created, t.fpa_at
    FROM tickets t` + join + `
    WHERE (NOT $14 OR t.status = 'vigente')` + boardFilters + search + `
      AND ($15::text[] IS NULL OR ` + derivedState + ` = ANY($15))
    ORDER BY 2 DESC, 3 DESC NULLS LAST, t.fpa_at, t.id
    LIMIT $16 OFFSET $17
)`
		order := `
ORDER BY page.overdue DESC, page.created DESC NULLS LAST, page.fpa_at, page.id`
		onPage := "FROM page JOIN tickets t ON t.id = page.id"
		b.list[i] = page + strings.Replace(boardColumns, "FROM tickets t", onPage, 1) + order
		// The export is every page (LIMIT NULL) with all a ticket records.
		b.export[i] = page + strings.Replace(exportColumns, "FROM tickets t", onPage, 1) + order
	}
	return b
}()

// The filters' choices: names, since tickets record the names they were created with (and the
// all-clinics view lists each clinic's "Cirugía General" once).
const (
	boardSpecialtiesSQL = `SELECT DISTINCT name FROM specialties WHERE ($1 = 0 OR clinic_id = $1) AND active ORDER BY 1`
	boardSurgeriesSQL   = `SELECT DISTINCT name FROM surgeries WHERE ($1 = 0 OR clinic_id = $1) AND active ORDER BY 1`
)

// boardQuery is one statement of the board with its arguments.
type boardQuery struct {
	Name string
	SQL  string
	Args []any
}

// filtered reports whether anything but the states narrows the board.
func (f BoardFilter) filtered() bool {
	return strings.TrimSpace(f.Query) != "" || f.Specialty != "" || f.Surgery != "" || !f.From.IsZero() || !f.To.IsZero() ||
		f.NoEpisode || f.Ward != "" || f.Mine || f.Soon
}

// boardQueries binds a filter to the board's statements: the list, then the counts.
func boardQueries(p Principal, f BoardFilter, now time.Time) (list, counts boardQuery) {
	states := f.States
	if len(states) == 0 {
		states = ActiveStates
	}
	activeOnly := !slices.Contains(states, StateAnulado) && !slices.Contains(states, StateDeAlta)
	var stateArg any = stringArray(states)
	if activeOnly && len(states) == len(ActiveStates) {
		stateArg = nil // status = 'vigente' already is "every active state"
	}
	clinic := p.ClinicID
	if p.AllClinics {
		clinic = 0
	}
	var from, to any
	if !f.From.IsZero() {
		from = f.From
	}
	if !f.To.IsZero() {
		to = f.To
	}
	q := likeEscape(strings.TrimSpace(f.Query))
	v := 0
	rutq := ""
	if q != "" {
		v, rutq = 1, f.RUTQuery
	}
	var mine int64
	if f.Mine {
		mine = p.UserID
	}
	args := []any{clinic, now, q, rutq, f.Specialty, f.Surgery, from, to, f.NoEpisode, f.Ward, mine, f.DateOf, f.Soon, p.UserID}
	// The list takes the shared parameters but the counted user ($14 there is its own).
	listArgs := append(slices.Clone(args[:13]), activeOnly, stateArg, f.PageSize, (f.Page-1)*f.PageSize, f.Sort)
	list = boardQuery{"list", board.list[v], listArgs}
	counts = boardQuery{"counts", board.counts[v], args}
	if f.filtered() {
		counts.SQL = board.countsFiltered[v]
	}
	return list, counts
}

// likeEscape makes % and _ (and the escape character itself) match literally in a LIKE
// pattern: a search for "50%" finds "50%", not everything.
func likeEscape(s string) string { return likeEscaper.Replace(s) }

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// boardOptions adds the filters' choices to a page that asks for them.
func (t *Tx) boardOptions(ctx context.Context, f BoardFilter, out *BoardPage) error {
	if !f.Options {
		return nil
	}
	var err error
	if out.Specialties, out.Surgeries, err = t.filterChoices(ctx); err != nil || t.p.AllClinics {
		return err
	}
	// The wards are those of the clinic's active tickets, kept in memory with them.
	b, err := t.activeBoard(ctx)
	if err != nil {
		return err
	}
	out.Wards = b.wards()
	return nil
}

// filterChoices are the specialty and surgery names the board's and the dashboard's filters
// offer: the clinic's from its cached catalog, or every clinic's.
func (t *Tx) filterChoices(ctx context.Context) (specialties, surgeries []string, err error) {
	if !t.p.AllClinics {
		cc, err := t.ClinicCatalog(ctx, t.p.ClinicID)
		if err != nil {
			return nil, nil, err
		}
		return cc.specialtyNames, cc.surgeryNames, nil
	}
	if err := t.tx.SelectContext(ctx, &specialties, boardSpecialtiesSQL, 0); err != nil {
		return nil, nil, fmt.Errorf("specialty options: %w", err)
	}
	if err := t.tx.SelectContext(ctx, &surgeries, boardSurgeriesSQL, 0); err != nil {
		return nil, nil, fmt.Errorf("surgery options: %w", err)
	}
	return specialties, surgeries, nil
}

// Board lists the principal's tickets for the nurse board at now.
func (s *Store) Board(ctx context.Context, p Principal, f BoardFilter, now time.Time) (BoardPage, error) {
	if f.PageSize <= 0 {
		f.PageSize = 50
	}
	if f.Page < 1 {
		f.Page = 1
	}
	states := f.States
	if len(states) == 0 {
		states = ActiveStates
	}
	out := BoardPage{Counts: map[string]int{}}
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		if cachedBoard(p, f) {
			b, err := tx.activeBoard(ctx)
			if err != nil {
				return err
			}
			out = b.page(f, states, now, p.UserID)
			return tx.boardOptions(ctx, f, &out)
		}
		list, counts := boardQueries(p, f, now)
		var rows []struct {
			State string `db:"state"`
			N     int    `db:"n"`
		}
		if err := tx.sel(ctx, &rows, counts.SQL, counts.Args...); err != nil {
			return fmt.Errorf("counts: %w", err)
		}
		for _, r := range rows {
			out.Counts[r.State] += r.N
		}
		for _, st := range states {
			out.Total += out.Counts[st]
		}

		// A page beyond the last is the last page (an old link, or a made-up number).
		last := max(1, (out.Total+f.PageSize-1)/f.PageSize)
		out.Page = min(f.Page, last)
		if out.Page != f.Page {
			g := f
			g.Page = out.Page
			list, _ = boardQueries(p, g, now)
		}
		if err := tx.sel(ctx, &out.Tickets, list.SQL, list.Args...); err != nil {
			return fmt.Errorf("list: %w", err)
		}
		return tx.boardOptions(ctx, f, &out)
	})
	if err != nil {
		return BoardPage{}, fmt.Errorf("store: board: %w", err)
	}
	return out, nil
}
