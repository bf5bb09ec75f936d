package store

import (
	"context"
	"fmt"
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
	SurgeryID int64
	From, To  time.Time // pavilion end in [From, To); zero = open
	NoEpisode bool      // only tickets without an episode id ("Sin ID Ep.")
	Page      int       // 1-based
	PageSize  int
}

// BoardPage is one page of the board with the counts of every state under the same filters.
type BoardPage struct {
	Tickets []Ticket
	Total   int
	Counts  map[string]int
}

// boardWhere holds the filters shared by the list and the counts. $1 clinic (0 = all in
// scope), $2 now, $3 query, $4 RUT query, $5 specialty, $6 surgery, $7 from, $8 to, $9 no episode.
const boardWhere = `
WHERE ($1 = 0 OR t.clinic_id = $1)
  AND ($3 = '' OR fold(p.first_names || ' ' || p.last_name_father || ' ' || p.last_name_mother) LIKE '%' || fold($3) || '%'
       OR fold(t.code) LIKE '%' || fold($3) || '%' OR fold(t.bed) LIKE '%' || fold($3) || '%'
       OR fold(t.room) LIKE '%' || fold($3) || '%' OR fold(t.location) LIKE '%' || fold($3) || '%'
       OR fold(t.episode_id) LIKE '%' || fold($3) || '%'
       OR ($4 <> '' AND replace(p.rut, '-', '') LIKE $4 || '%'))
  AND ($5 = '' OR t.specialty_name = $5)
  AND ($6 = 0 OR t.surgery_id = $6)
  AND ($7::timestamptz IS NULL OR t.pavilion_end_at >= $7)
  AND ($8::timestamptz IS NULL OR t.pavilion_end_at < $8)
  AND (NOT $9 OR t.episode_id = '')`

const derivedState = `
CASE WHEN t.status = 'anulado' THEN 'anulado'
     WHEN t.status = 'alta' THEN 'de_alta'
     WHEN t.pavilion_end_at > $2 THEN 'programado'
     WHEN t.fpa_end_at <= $2 THEN 'vencido'
     ELSE 'vigente' END`

const boardCountsSQL = `
SELECT ` + derivedState + ` AS state, count(*) AS n
FROM tickets t
JOIN patients p ON p.clinic_id = t.clinic_id AND p.id = t.patient_id` + boardWhere + `
GROUP BY 1`

// The list: active-only views (the default) add status = 'vigente' so the partial index on
// (clinic_id, fpa_at) serves them. Vencido first, then the soonest FPA.
const boardListSQL = ticketColumns + boardWhere + `
  AND (NOT $10 OR t.status = 'vigente')
  AND ` + derivedState + ` = ANY($11)
ORDER BY (` + derivedState + ` = 'vencido') DESC, t.fpa_at, t.id
LIMIT $12 OFFSET $13`

// Board lists the principal's tickets for the nurse board at now.
func (s *Store) Board(ctx context.Context, p Principal, f BoardFilter, now time.Time) (BoardPage, error) {
	states := f.States
	if len(states) == 0 {
		states = ActiveStates
	}
	activeOnly := true
	for _, st := range states {
		if st == StateAnulado || st == StateDeAlta {
			activeOnly = false
		}
	}
	if f.PageSize <= 0 {
		f.PageSize = 50
	}
	if f.Page < 1 {
		f.Page = 1
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
	args := []any{clinic, now, strings.TrimSpace(f.Query), f.RUTQuery, f.Specialty, f.SurgeryID, from, to, f.NoEpisode}
	out := BoardPage{Counts: map[string]int{}}
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		var counts []struct {
			State string `db:"state"`
			N     int    `db:"n"`
		}
		if err := tx.tx.SelectContext(ctx, &counts, boardCountsSQL, args...); err != nil {
			return fmt.Errorf("counts: %w", err)
		}
		for _, c := range counts {
			out.Counts[c.State] = c.N
		}
		for _, st := range states {
			out.Total += out.Counts[st]
		}
		listArgs := append(append([]any{}, args...), activeOnly, stringArray(states), f.PageSize, (f.Page-1)*f.PageSize)
		if err := tx.tx.SelectContext(ctx, &out.Tickets, boardListSQL, listArgs...); err != nil {
			return fmt.Errorf("list: %w", err)
		}
		return nil
	})
	if err != nil {
		return BoardPage{}, fmt.Errorf("store: board: %w", err)
	}
	return out, nil
}
