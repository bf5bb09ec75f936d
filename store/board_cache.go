package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/redsalud/ticket-home/fpa"
)

// Every nurse's screen asks for its clinic's board every minute, and almost always for the
// unfiltered one. A clinic's active tickets are a few hundred: each instance keeps them in
// memory, with the history counts, at the clinic's board version (bumped by triggers on every
// ticket or patient written) and catalog version (thresholds, doctors' names). It answers the
// unfiltered board (any of the active states' chips) from them: the request's first statement
// says whether they are still current, so the board costs the same whatever the size of the
// history.

// activeBoard is a clinic's stored-vigente tickets and history counts at one board and
// catalog version (the rows carry the clinic's thresholds and the doctors' names).
type activeBoard struct {
	tickets []Ticket
	history map[string]int
}

const (
	activeTicketsSQL = boardColumns + `
WHERE t.clinic_id = $1 AND t.status = 'vigente'`
	historyCountsSQL = `
SELECT CASE status WHEN 'anulado' THEN 'anulado' ELSE 'de_alta' END AS state, n
FROM ticket_state_counts WHERE clinic_id = $1`
)

// cachedBoard reports whether the board of f is answered from the clinic's active tickets:
// one clinic, no filter but active states.
func cachedBoard(p Principal, f BoardFilter) bool {
	if p.AllClinics || f.filtered() {
		return false
	}
	for _, s := range f.States {
		if !slices.Contains(ActiveStates, s) {
			return false
		}
	}
	return true
}

// activeBoard is the principal's clinic's active board at the version the transaction entered
// with: from the cache, or read now (two statements) and cached.
func (t *Tx) activeBoard(ctx context.Context) (*activeBoard, error) {
	clinic := t.p.ClinicID
	key := boardKey{board: t.boardVersion, catalog: t.catalogVersion}
	if b := t.s.boards.get(clinic, key); b != nil {
		return b, nil
	}
	b := &activeBoard{history: map[string]int{}}
	if err := t.sel(ctx, &b.tickets, activeTicketsSQL, clinic); err != nil {
		return nil, fmt.Errorf("active tickets: %w", err)
	}
	var rows []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := t.sel(ctx, &rows, historyCountsSQL, clinic); err != nil {
		return nil, fmt.Errorf("history counts: %w", err)
	}
	for _, r := range rows {
		b.history[r.State] += r.N
	}
	t.s.boards.put(clinic, key, b)
	return b, nil
}

// wards are the distinct locations of the active tickets, sorted.
func (b *activeBoard) wards() []string {
	var out []string
	for i := range b.tickets {
		if l := b.tickets[i].Location; l != "" {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// page is the board of states at now from the active tickets: the counts of every state, and
// the page asked for (the last one when it asked beyond it), in the board's order as the SQL
// orders it: by urgency (overdue first, then the soonest FPA), by FPA, or the newest first;
// then the ticket's id.
func (b *activeBoard) page(f BoardFilter, states []string, now time.Time, user int64) BoardPage {
	out := BoardPage{Counts: map[string]int{}}
	for k, n := range b.history {
		if n != 0 {
			out.Counts[k] = n
		}
	}
	type row struct {
		i       int
		overdue bool
	}
	shown := make([]row, 0, len(b.tickets))
	for i := range b.tickets {
		st, _ := b.tickets[i].State(now)
		key := st.Key()
		out.Counts[key]++
		if b.tickets[i].EpisodeID == "" {
			out.Counts[CountNoEpisode]++
		}
		if b.tickets[i].CreatedByID == user {
			out.Counts[CountMine]++
		}
		if slices.Contains(states, key) {
			shown = append(shown, row{i, f.Sort == SortUrgency && st == fpa.Vencido})
		}
	}
	slices.SortFunc(shown, func(x, y row) int {
		if x.overdue != y.overdue {
			if x.overdue {
				return -1
			}
			return 1
		}
		tx, ty := &b.tickets[x.i], &b.tickets[y.i]
		if f.Sort == SortCreated {
			if c := ty.CreatedAt.Compare(tx.CreatedAt); c != 0 {
				return c
			}
		}
		if c := tx.FPA.Compare(ty.FPA); c != 0 {
			return c
		}
		return cmp.Compare(tx.ID, ty.ID)
	})
	out.Total = len(shown)
	last := max(1, (out.Total+f.PageSize-1)/f.PageSize)
	out.Page = min(f.Page, last)
	from := min(len(shown), (out.Page-1)*f.PageSize)
	to := min(len(shown), from+f.PageSize)
	out.Tickets = make([]Ticket, 0, to-from)
	for _, r := range shown[from:to] {
		out.Tickets = append(out.Tickets, b.tickets[r.i])
	}
	return out
}
