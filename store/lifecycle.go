package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/redsalud/ticket-home/fpa"
)

// Errors of the ticket lifecycle (RULES §4–§5) that handlers turn into messages.
var (
	ErrNotActive         = errors.New("store: ticket is not vigente")
	ErrNotAnnulled       = errors.New("store: ticket is not annulled")
	ErrNotDischarged     = errors.New("store: ticket is not discharged")
	ErrLimitReached      = errors.New("store: modification limit reached")
	ErrSameFPA           = errors.New("store: new FPA equals the current one")
	ErrReasonUnavailable = errors.New("store: reason not found, inactive or of another category")
	ErrUndoExpired       = errors.New("store: discharge recorded more than 24 hours ago")
	ErrOtherVigente      = errors.New("store: the patient has another vigente ticket")
	ErrAlreadySubmitted  = errors.New("store: this form was already submitted")
	ErrDischargeBeforeP  = errors.New("store: discharge not after the pavilion end")
	ErrDischargeInFuture = errors.New("store: discharge in the future")
)

// StaleError reports a change submitted from an old version of the ticket: Current is the
// ticket as it is now, to show beside what the user typed.
type StaleError struct {
	Current Ticket
}

func (e *StaleError) Error() string { return "store: stale ticket version" }

// Is makes errors.Is(err, ErrConflict) true for a stale version.
func (e *StaleError) Is(target error) bool { return target == ErrConflict }

// UndoDischargeWindow is how long after recording a discharge an admin may undo it (RULES §5).
const UndoDischargeWindow = 24 * time.Hour

// Change identifies one submitted change: the ticket, the version the form was opened on, and
// the form's one-time key (idempotency).
type Change struct {
	TicketID int64
	Version  int
	Key      string
}

const claimSubmissionSQL = `
INSERT INTO form_submissions (clinic_id, key, ticket_id, action, created_by)
SELECT t.clinic_id, $2, t.id, $3, $4 FROM tickets t WHERE t.id = $1
ON CONFLICT (clinic_id, key) DO NOTHING`

// claim records the form's key inside the change's transaction. A key seen before means the
// change was already applied by an earlier submit of the same form: ErrAlreadySubmitted.
func (t *Tx) claim(ctx context.Context, ch Change, action string) error {
	if ch.Key == "" {
		return nil
	}
	res, err := t.tx.ExecContext(ctx, claimSubmissionSQL, ch.TicketID, ch.Key, action, t.p.UserID)
	if err != nil {
		return fmt.Errorf("store: claim submission: %w", asConstraint(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrAlreadySubmitted
	}
	return nil
}

// current reads the ticket inside the transaction, scoped like every read.
func (t *Tx) current(ctx context.Context, id int64) (Ticket, error) {
	var tk Ticket
	err := t.tx.GetContext(ctx, &tk, ticketByIDSQL, id, t.p.AllClinics, t.p.ClinicID)
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, ErrNotFound
	}
	return tk, err
}

const lockTicketSQL = ticketByIDSQL + `
FOR NO KEY UPDATE OF t`

// lockTicket reads the ticket and locks its row until the transaction ends. Every change to a
// ticket takes this lock first, before any other row it touches: with one order for everyone,
// racing submits queue up instead of deadlocking (the form key's row references the ticket,
// so inserting it first would take a share lock that two racers then both try to upgrade).
func (t *Tx) lockTicket(ctx context.Context, id int64) (Ticket, error) {
	var tk Ticket
	err := t.tx.GetContext(ctx, &tk, lockTicketSQL, id, t.p.AllClinics, t.p.ClinicID)
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, ErrNotFound
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("store: lock ticket: %w", err)
	}
	return tk, nil
}

// refusal says why a change opened on ch.Version cannot apply to cur, or nil: at the limit
// (checked first, so the sixth modification gets the limit message whatever version it
// carried), a stale version (another change came first), or not in the wanted status ("" for
// any status).
func refusal(cur Ticket, ch Change, want fpa.Stored, checkLimit bool) error {
	if checkLimit && cur.Status == fpa.StoredVigente && cur.ModificationCount >= fpa.MaxModifications {
		return ErrLimitReached
	}
	if cur.Version != ch.Version {
		return &StaleError{Current: cur}
	}
	if want != "" && cur.Status != want {
		switch want {
		case fpa.StoredAnulado:
			return ErrNotAnnulled
		case fpa.StoredAlta:
			return ErrNotDischarged
		}
		return ErrNotActive
	}
	return nil
}

// whyNotUpdated explains a conditional UPDATE that matched no row, from a fresh read.
func (t *Tx) whyNotUpdated(ctx context.Context, ch Change, want fpa.Stored, checkLimit bool) error {
	cur, err := t.current(ctx, ch.TicketID)
	if err != nil {
		return err
	}
	if err := refusal(cur, ch, want, checkLimit); err != nil {
		return err
	}
	return ErrForbidden
}

// finish runs one change in one transaction and returns the ticket afterwards, read in the
// same transaction: it locks the ticket, claims the form's key (a repeated key rolls back and
// reports ErrAlreadySubmitted with the current ticket), refuses a change the ticket's state or
// version no longer allows, then runs fn on the locked, current ticket.
func (s *Store) finish(ctx context.Context, p Principal, ch Change, action string, want fpa.Stored, checkLimit bool, fn func(*Tx, Ticket) error) (Ticket, error) {
	var out Ticket
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		cur, err := tx.lockTicket(ctx, ch.TicketID)
		if err != nil {
			return err
		}
		out = cur
		if err := tx.claim(ctx, ch, action); err != nil {
			return err
		}
		if err := refusal(cur, ch, want, checkLimit); err != nil {
			return err
		}
		if err := fn(tx, cur); err != nil {
			return err
		}
		out, err = tx.current(ctx, ch.TicketID)
		return err
	})
	if errors.Is(err, ErrAlreadySubmitted) {
		return out, err
	}
	if err != nil {
		return Ticket{}, err
	}
	return out, nil
}

// ModifyInput is a requested FPA modification (RULES §4).
type ModifyInput struct {
	Date          fpa.Date
	BlockStart    int
	ReasonID      int64
	Justification string
}

const (
	modifyFPASQL = `
WITH old AS (
    SELECT id, fpa_at, fpa_block_start, fpa_block_end FROM tickets WHERE id = $1 FOR UPDATE
)
UPDATE tickets t
SET fpa_at = $2, fpa_block_start = $3, fpa_block_end = $4, fpa_end_at = $5,
    modification_count = t.modification_count + 1, version = t.version + 1, updated_at = $6
FROM old
WHERE t.id = old.id AND t.status = 'vigente' AND t.modification_count < $8 AND t.version = $7
RETURNING t.modification_count, old.fpa_at, old.fpa_block_start, old.fpa_block_end`
	insertModificationSQL = `
INSERT INTO fpa_modifications (clinic_id, ticket_id, seq, previous_fpa_at, previous_block_start, previous_block_end,
    new_fpa_at, new_block_start, new_block_end, reason_id, justification, direction, extra_nights, modified_by, modified_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`
)

// PlanModification computes the FPA a modification would give, with the checks that need no
// lock: the date at most 180 days after date(P), the block an active block of that date
// ending after P, and the result different from the current FPA (RULES §4).
func (t *Tx) PlanModification(ctx context.Context, cur Ticket, in ModifyInput) (fpa.Slot, error) {
	if err := fpa.ValidateModificationDate(in.Date, cur.PavilionEnd); err != nil {
		return fpa.Slot{}, err
	}
	blocks, err := t.ClinicBlocks(ctx, cur.ClinicID)
	if err != nil {
		return fpa.Slot{}, err
	}
	slot, err := fpa.PickBlock(blocks, in.Date, in.BlockStart, cur.PavilionEnd)
	if err != nil {
		return fpa.Slot{}, err
	}
	if slot.Start.Equal(cur.FPA) {
		return fpa.Slot{}, ErrSameFPA
	}
	return slot, nil
}

// ModificationPreview is what the modification form shows before applying: the ticket now,
// the slot of its new FPA, and the discharges planned in that slot besides the ticket itself
// (RULES §1c).
type ModificationPreview struct {
	Current Ticket
	Slot    fpa.Slot
	Load    SlotLoad
}

// PreviewModification computes the modification's new FPA for the form's preview.
func (s *Store) PreviewModification(ctx context.Context, p Principal, id int64, in ModifyInput) (ModificationPreview, error) {
	var pv ModificationPreview
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		var err error
		if pv.Current, err = tx.current(ctx, id); err != nil {
			return err
		}
		if pv.Slot, err = tx.PlanModification(ctx, pv.Current, in); err != nil {
			return err
		}
		pv.Load, err = tx.slotLoad(ctx, pv.Current.ClinicID, []time.Time{pv.Slot.Start}, pv.Current.ID)
		return err
	})
	return pv, err
}

// activeReason checks that reason id is one of the clinic's active reasons of the category
// (from the clinic's catalog), else ErrReasonUnavailable.
func (t *Tx) activeReason(ctx context.Context, clinicID, id int64, category string) error {
	cc, err := t.ClinicCatalog(ctx, clinicID)
	if err != nil {
		return err
	}
	for _, r := range cc.ActiveReasons(category) {
		if r.ID == id {
			return nil
		}
	}
	return ErrReasonUnavailable
}

// ModifyFPA moves the FPA earlier or later (RULES §4 Δ). The conditional UPDATE carries the
// limit and the version, so under any concurrency at most five modifications apply and a form
// opened on an older version gets a StaleError; the history row (sequence 1–5, unique per
// ticket) and the audit row commit with it.
func (s *Store) ModifyFPA(ctx context.Context, p Principal, ch Change, in ModifyInput, now time.Time) (Ticket, error) {
	return s.finish(ctx, p, ch, "modify_fpa", fpa.StoredVigente, true, func(tx *Tx, cur Ticket) error {
		if err := tx.activeReason(ctx, cur.ClinicID, in.ReasonID, ReasonModification); err != nil {
			return err
		}
		slot, err := tx.PlanModification(ctx, cur, in)
		if err != nil {
			return err
		}
		var row struct {
			Seq       int       `db:"modification_count"`
			PrevFPA   time.Time `db:"fpa_at"`
			PrevStart int       `db:"fpa_block_start"`
			PrevEnd   int       `db:"fpa_block_end"`
		}
		err = tx.tx.GetContext(ctx, &row, modifyFPASQL, ch.TicketID, slot.Start, slot.Block.Start, slot.Block.End, slot.End, now, ch.Version, fpa.MaxModifications)
		if errors.Is(err, sql.ErrNoRows) {
			return tx.whyNotUpdated(ctx, ch, fpa.StoredVigente, true)
		}
		if err != nil {
			return fmt.Errorf("store: modify fpa: %w", asConstraint(err))
		}
		if slot.Start.Equal(row.PrevFPA) {
			return ErrSameFPA // another modification got there first with the same FPA
		}
		direction := "later"
		if slot.Start.Before(row.PrevFPA) {
			direction = "earlier"
		}
		extra := fpa.Nights(row.PrevFPA, slot.Start)
		if _, err := tx.tx.ExecContext(ctx, insertModificationSQL, cur.ClinicID, cur.ID, row.Seq,
			row.PrevFPA, row.PrevStart, row.PrevEnd, slot.Start, slot.Block.Start, slot.Block.End,
			in.ReasonID, in.Justification, direction, extra, p.UserID, now); err != nil {
			return fmt.Errorf("store: modification history: %w", asConstraint(err))
		}
		return tx.Audit(ctx, cur.ClinicID, "modify_fpa", "ticket", cur.ID, map[string]any{
			"code": cur.Code, "seq": row.Seq, "previous_fpa": row.PrevFPA, "new_fpa": slot.Start,
			"block": slot.Block.Label(), "direction": direction, "extra_nights": extra, "reason_id": in.ReasonID,
		})
	})
}

// Modification is one entry of a ticket's FPA history.
type Modification struct {
	Seq           int       `db:"seq"`
	PreviousFPA   time.Time `db:"previous_fpa_at"`
	PreviousStart int       `db:"previous_block_start"`
	PreviousEnd   int       `db:"previous_block_end"`
	NewFPA        time.Time `db:"new_fpa_at"`
	NewStart      int       `db:"new_block_start"`
	NewEnd        int       `db:"new_block_end"`
	Reason        string    `db:"reason"`
	Justification string    `db:"justification"`
	Direction     string    `db:"direction"`
	ExtraNights   int       `db:"extra_nights"`
	Author        string    `db:"author"`
	At            time.Time `db:"modified_at"`
}

const modificationsSQL = `
SELECT m.seq, m.previous_fpa_at, m.previous_block_start, m.previous_block_end,
       m.new_fpa_at, m.new_block_start, m.new_block_end, r.name AS reason, m.justification,
       m.direction, m.extra_nights, u.username AS author, m.modified_at
FROM fpa_modifications m
JOIN tickets t ON t.clinic_id = m.clinic_id AND t.id = m.ticket_id
JOIN reasons r ON r.clinic_id = m.clinic_id AND r.id = m.reason_id
JOIN users u ON u.id = m.modified_by
WHERE m.ticket_id = $1 AND ($2 OR t.clinic_id = $3)
ORDER BY m.seq DESC`

// Modifications lists a ticket's FPA history, newest first.
func (s *Store) Modifications(ctx context.Context, p Principal, ticketID int64) ([]Modification, error) {
	var out []Modification
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		return tx.tx.SelectContext(ctx, &out, modificationsSQL, ticketID, p.AllClinics, p.ClinicID)
	})
	if err != nil {
		return nil, fmt.Errorf("store: modifications: %w", err)
	}
	return out, nil
}

const annulSQL = `
UPDATE tickets SET status = 'anulado', annulled_at = $2, annulled_by = $3, annul_reason_id = $4, annul_note = $5,
    version = version + 1, updated_at = $2
WHERE id = $1 AND status = 'vigente' AND version = $6 AND ($7 OR created_by = $3)
RETURNING id`

// AnnulTicket annuls a vigente ticket (RULES §5): admins and superusers any ticket of the
// clinic, clinical users only the tickets they created (ErrForbidden otherwise).
func (s *Store) AnnulTicket(ctx context.Context, p Principal, ch Change, reasonID int64, note string, now time.Time) (Ticket, error) {
	return s.finish(ctx, p, ch, "annul", fpa.StoredVigente, false, func(tx *Tx, cur Ticket) error {
		if !p.IsAdmin() && cur.CreatedByID != p.UserID {
			return ErrForbidden
		}
		if err := tx.activeReason(ctx, cur.ClinicID, reasonID, ReasonAnnulment); err != nil {
			return err
		}
		var id int64
		err := tx.tx.GetContext(ctx, &id, annulSQL, ch.TicketID, now, p.UserID, reasonID, note, ch.Version, p.IsAdmin())
		if errors.Is(err, sql.ErrNoRows) {
			return tx.whyNotUpdated(ctx, ch, fpa.StoredVigente, false)
		}
		if err != nil {
			return fmt.Errorf("store: annul: %w", asConstraint(err))
		}
		return tx.Audit(ctx, cur.ClinicID, "annul_ticket", "ticket", cur.ID, map[string]any{"code": cur.Code, "reason_id": reasonID, "note": note})
	})
}

const revertAnnulSQL = `
UPDATE tickets SET status = 'vigente', annulled_at = NULL, annulled_by = NULL, annul_reason_id = NULL, annul_note = '',
    version = version + 1, updated_at = $2
WHERE id = $1 AND status = 'anulado' AND version = $3
RETURNING id`

// RevertAnnulment makes an annulled ticket vigente again, its history intact (admins only;
// the route checks the role). The patient must not have another vigente ticket meanwhile.
func (s *Store) RevertAnnulment(ctx context.Context, p Principal, ch Change, note string, now time.Time) (Ticket, error) {
	return s.finish(ctx, p, ch, "revert_annul", fpa.StoredAnulado, false, func(tx *Tx, cur Ticket) error {
		var id int64
		err := tx.tx.GetContext(ctx, &id, revertAnnulSQL, ch.TicketID, now, ch.Version)
		if errors.Is(err, sql.ErrNoRows) {
			return tx.whyNotUpdated(ctx, ch, fpa.StoredAnulado, false)
		}
		if err != nil {
			return otherVigente(fmt.Errorf("store: revert annulment: %w", asConstraint(err)))
		}
		return tx.Audit(ctx, cur.ClinicID, "revert_annulment", "ticket", cur.ID, map[string]any{
			"code": cur.Code, "note": note, "annulled_at": cur.AnnulledAt.Time, "annulled_by": cur.AnnulledByName, "reason": cur.AnnulReason,
		})
	})
}

// otherVigente turns the one-vigente-ticket-per-patient violation into ErrOtherVigente.
func otherVigente(err error) error {
	var ce *ConstraintError
	if errors.As(err, &ce) && ce.Constraint == "tickets_one_vigente_per_patient" {
		return ErrOtherVigente
	}
	return err
}

const dischargeSQL = `
UPDATE tickets SET status = 'alta', discharged_at = $2, discharge_recorded_at = $3, discharge_recorded_by = $4,
    version = version + 1, updated_at = $3
WHERE id = $1 AND status = 'vigente' AND version = $5
RETURNING id`

// RecordDischarge records the actual discharge instant D, P < D ≤ now (RULES §5).
func (s *Store) RecordDischarge(ctx context.Context, p Principal, ch Change, d, now time.Time) (Ticket, error) {
	return s.finish(ctx, p, ch, "discharge", fpa.StoredVigente, false, func(tx *Tx, cur Ticket) error {
		if !d.After(cur.PavilionEnd) {
			return ErrDischargeBeforeP
		}
		if d.After(now) {
			return ErrDischargeInFuture
		}
		var id int64
		err := tx.tx.GetContext(ctx, &id, dischargeSQL, ch.TicketID, d, now, p.UserID, ch.Version)
		if errors.Is(err, sql.ErrNoRows) {
			return tx.whyNotUpdated(ctx, ch, fpa.StoredVigente, false)
		}
		if err != nil {
			return fmt.Errorf("store: discharge: %w", asConstraint(err))
		}
		return tx.Audit(ctx, cur.ClinicID, "record_discharge", "ticket", cur.ID, map[string]any{"code": cur.Code, "discharged_at": d})
	})
}

const undoDischargeSQL = `
UPDATE tickets SET status = 'vigente', discharged_at = NULL, discharge_recorded_at = NULL, discharge_recorded_by = NULL,
    version = version + 1, updated_at = $2
WHERE id = $1 AND status = 'alta' AND version = $3 AND discharge_recorded_at > $2::timestamptz - interval '24 hours'
RETURNING id`

// UndoDischarge reverts a discharge recorded less than 24 hours ago (admins; RULES §5).
func (s *Store) UndoDischarge(ctx context.Context, p Principal, ch Change, now time.Time) (Ticket, error) {
	return s.finish(ctx, p, ch, "undo_discharge", fpa.StoredAlta, false, func(tx *Tx, cur Ticket) error {
		if !now.Before(cur.DischargeRecordedAt.Time.Add(UndoDischargeWindow)) {
			return ErrUndoExpired
		}
		var id int64
		err := tx.tx.GetContext(ctx, &id, undoDischargeSQL, ch.TicketID, now, ch.Version)
		if errors.Is(err, sql.ErrNoRows) {
			return tx.whyNotUpdated(ctx, ch, fpa.StoredAlta, false)
		}
		if err != nil {
			return otherVigente(fmt.Errorf("store: undo discharge: %w", asConstraint(err)))
		}
		return tx.Audit(ctx, cur.ClinicID, "undo_discharge", "ticket", cur.ID, map[string]any{
			"code": cur.Code, "discharged_at": cur.DischargedAt.Time, "recorded_by": cur.DischargeRecordedName,
		})
	})
}

// LocationInput is the in-place editable part of a ticket.
type LocationInput struct {
	Room, Bed, Location, EpisodeID string
}

const updateLocationSQL = `
UPDATE tickets SET room = $2, bed = $3, location = $4, episode_id = $5, version = version + 1, updated_at = $6
WHERE id = $1 AND version = $7 AND status <> 'anulado'
  AND (status = 'vigente' OR (room = $2 AND bed = $3 AND location = $4))
RETURNING id`

// ErrLocked reports a field that the ticket's state no longer lets anyone edit.
var ErrLocked = errors.New("store: field locked in this state")

// UpdateLocation edits room, bed, location and episode id. Annulled tickets are read-only;
// a discharged ticket keeps its room, bed and location but its episode id stays editable.
func (s *Store) UpdateLocation(ctx context.Context, p Principal, ch Change, in LocationInput, now time.Time) (Ticket, error) {
	return s.finish(ctx, p, ch, "edit_location", "", false, func(tx *Tx, cur Ticket) error {
		if cur.Status == fpa.StoredAnulado {
			return ErrLocked
		}
		if cur.Status == fpa.StoredAlta && (in.Room != cur.Room || in.Bed != cur.Bed || in.Location != cur.Location) {
			return ErrLocked
		}
		var id int64
		err := tx.tx.GetContext(ctx, &id, updateLocationSQL, ch.TicketID, in.Room, in.Bed, in.Location, in.EpisodeID, now, ch.Version)
		if errors.Is(err, sql.ErrNoRows) {
			return tx.whyNotUpdated(ctx, ch, cur.Status, false)
		}
		if err != nil {
			return fmt.Errorf("store: update location: %w", asConstraint(err))
		}
		return tx.Audit(ctx, cur.ClinicID, "edit_location", "ticket", cur.ID, map[string]any{
			"code":   cur.Code,
			"before": LocationInput{cur.Room, cur.Bed, cur.Location, cur.EpisodeID},
			"after":  in,
		})
	})
}

const updateTicketDoctorSQL = `
UPDATE tickets SET doctor_id = nullif($2, 0), version = version + 1, updated_at = $3
WHERE id = $1 AND version = $4 AND status <> 'anulado'
RETURNING id`

// CorrectDoctor sets a ticket's attending doctor, or none (admins, RULES §9): an active
// doctor of the ticket's clinic (the current one may stay though deactivated since); annulled
// tickets are read-only. Audited before → after.
func (s *Store) CorrectDoctor(ctx context.Context, p Principal, ch Change, doctorID int64, now time.Time) (Ticket, error) {
	return s.finish(ctx, p, ch, "correct_doctor", "", false, func(tx *Tx, cur Ticket) error {
		if cur.Status == fpa.StoredAnulado {
			return ErrLocked
		}
		cc, err := tx.ClinicCatalog(ctx, cur.ClinicID)
		if err != nil {
			return err
		}
		if doctorID != 0 && doctorID != cur.DoctorID && !cc.ActiveDoctor(doctorID) {
			return ErrDoctorUnavailable
		}
		var id int64
		err = tx.tx.GetContext(ctx, &id, updateTicketDoctorSQL, ch.TicketID, doctorID, now, ch.Version)
		if errors.Is(err, sql.ErrNoRows) {
			return tx.whyNotUpdated(ctx, ch, cur.Status, false)
		}
		if err != nil {
			return fmt.Errorf("store: correct doctor: %w", asConstraint(err))
		}
		after := ""
		for _, d := range cc.Doctors {
			if d.ID == doctorID {
				after = d.FirstName + " " + d.LastName
			}
		}
		return tx.Audit(ctx, cur.ClinicID, "correct_doctor", "ticket", cur.ID, map[string]any{
			"code": cur.Code, "before": map[string]any{"doctor": cur.DoctorName}, "after": map[string]any{"doctor": after}})
	})
}

// CorrectionWindow is how long after creating a ticket its author may correct its pavilion
// end or surgery (RULES §5b); admins may while it has no modification.
const CorrectionWindow = 2 * time.Hour

// ErrHasModifications refuses to correct the inputs of a ticket whose FPA was modified: from
// then on, changes go through a modification (RULES §5b).
var ErrHasModifications = errors.New("store: the ticket's FPA has modifications")

// CanCorrectInputs reports whether p may correct t's pavilion end or surgery at now.
func CanCorrectInputs(p Principal, t Ticket, now time.Time) bool {
	if t.Status != fpa.StoredVigente || t.ModificationCount > 0 {
		return false
	}
	return p.IsAdmin() || (p.CanWrite() && t.CreatedByID == p.UserID && now.Sub(t.CreatedAt) <= CorrectionWindow)
}

const correctInputsSQL = `
UPDATE tickets SET surgery_id = $2, surgery_name = $3, specialty_name = $4, base_stay_hours = $5::numeric,
       is_ambulatory = $6, ambulatory_cutoff_hour = $7, pavilion_end_at = $8,
       fpa_at = $9, fpa_block_start = $10, fpa_block_end = $11, fpa_end_at = $12,
       original_fpa_at = $9, original_block_start = $10, original_block_end = $11,
       version = version + 1, updated_at = $13
WHERE id = $1 AND version = $14 AND status = 'vigente' AND modification_count = 0
RETURNING id`

// CorrectInputs corrects a ticket's pavilion end and surgery (RULES §5b) and computes its FPA
// again exactly as at creation, with the proposed block (original FPA included). It is not a
// modification; it is audited before → after.
func (s *Store) CorrectInputs(ctx context.Context, p Principal, ch Change, surgeryID int64, pavilionEnd, now time.Time) (Ticket, error) {
	return s.finish(ctx, p, ch, "correct_inputs", fpa.StoredVigente, false, func(tx *Tx, cur Ticket) error {
		if cur.ModificationCount > 0 {
			return ErrHasModifications
		}
		if !CanCorrectInputs(p, cur, now) {
			return ErrForbidden
		}
		res, sg, err := tx.computeFPA(ctx, cur.ClinicID, surgeryID, pavilionEnd)
		if err != nil {
			return err
		}
		slot := res.Proposed
		var cutoff any
		if sg.CutoffHour.Valid {
			cutoff = sg.CutoffHour.Int16
		}
		var id int64
		err = tx.tx.GetContext(ctx, &id, correctInputsSQL, ch.TicketID, sg.ID, sg.Name, sg.SpecialtyName, sg.BaseStayHours,
			sg.Ambulatory, cutoff, pavilionEnd, slot.Start, slot.Block.Start, slot.Block.End, slot.End, now, ch.Version)
		if errors.Is(err, sql.ErrNoRows) {
			return tx.whyNotUpdated(ctx, ch, cur.Status, false)
		}
		if err != nil {
			return fmt.Errorf("store: correct inputs: %w", asConstraint(err))
		}
		return tx.Audit(ctx, cur.ClinicID, "correct_inputs", "ticket", cur.ID, map[string]any{
			"code": cur.Code,
			"before": map[string]any{"surgery": cur.SurgeryName, "pavilion_end": cur.PavilionEnd, "fpa": cur.FPA,
				"block": fpa.Block{Start: cur.BlockStart, End: cur.BlockEnd}.Label()},
			"after": map[string]any{"surgery": sg.Name, "pavilion_end": pavilionEnd, "fpa": slot.Start, "block": slot.Block.Label()},
		})
	})
}
