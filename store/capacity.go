package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// RULES §1c: a clinic's discharge capacity per block, and the discharges planned in a slot
// (a block on a date): its vigente tickets whose current FPA is the slot's start. The create
// and modify forms warn when the slot they would take holds at least the capacity; they never
// refuse.

// SlotLoad is a clinic's discharge capacity per block with the discharges planned in the
// slots counted.
type SlotLoad struct {
	Capacity int
	planned  map[int64]int // by the slot's start, in Unix seconds
}

// Planned is the number of discharges planned in the slot starting at start (0 for a slot
// that was not counted).
func (l SlotLoad) Planned(start time.Time) int { return l.planned[start.Unix()] }

// Full reports whether the slot starting at start holds at least the clinic's capacity.
func (l SlotLoad) Full(start time.Time) bool {
	return l.Capacity > 0 && l.Planned(start) >= l.Capacity
}

// slotLoadSQL counts each slot with tickets_active_fpa_idx (clinic_id, fpa_at) WHERE status =
// 'vigente', and reads the capacity in the same statement: fresh, whatever the catalog cache
// holds.
const slotLoadSQL = `
SELECT s.at, c.discharge_capacity AS capacity,
       (SELECT count(*) FROM tickets t
        WHERE t.clinic_id = c.id AND t.status = 'vigente' AND t.fpa_at = s.at AND t.id <> $3) AS planned
FROM clinics c CROSS JOIN unnest($2::timestamptz[]) AS s(at)
WHERE c.id = $1`

// slotLoad counts the discharges planned in clinicID's slots starting at starts, leaving out
// ticket except (the ticket being modified; 0 for none): one statement, none for no slots.
func (t *Tx) slotLoad(ctx context.Context, clinicID int64, starts []time.Time, except int64) (SlotLoad, error) {
	out := SlotLoad{planned: make(map[int64]int, len(starts))}
	if len(starts) == 0 {
		return out, nil
	}
	var rows []struct {
		At       time.Time `db:"at"`
		Capacity int       `db:"capacity"`
		Planned  int       `db:"planned"`
	}
	if err := t.sel(ctx, &rows, slotLoadSQL, clinicID, pq.Array(starts), except); err != nil {
		return out, fmt.Errorf("store: slot load: %w", err)
	}
	for _, r := range rows {
		out.Capacity = r.Capacity
		out.planned[r.At.Unix()] = r.Planned
	}
	return out, nil
}
