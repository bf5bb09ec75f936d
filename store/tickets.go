package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redsalud/ticket-home/fpa"
)

// Errors of ticket creation that a handler shows next to a field.
var (
	ErrSurgeryUnavailable = errors.New("store: surgery not found or inactive in this clinic")
	ErrDoctorUnavailable  = errors.New("store: doctor not found or inactive in this clinic")
)

// ActiveTicketError reports that the patient already has a vigente ticket in the clinic.
type ActiveTicketError struct {
	ID   int64  `db:"id"`
	Code string `db:"code"`
}

func (e *ActiveTicketError) Error() string {
	return "store: patient already has vigente ticket " + e.Code
}

// Ticket is a ticket with what its pages show: patient, surgery snapshot, FPA and clinic.
type Ticket struct {
	ClinicID      int64  `db:"clinic_id"`
	ClinicName    string `db:"clinic_name"`
	CriticalHours int    `db:"critical_hours"`
	WarningHours  int    `db:"warning_hours"`

	ID                int64      `db:"id"`
	Code              string     `db:"code"`
	Status            fpa.Stored `db:"status"`
	Version           int        `db:"version"`
	ModificationCount int        `db:"modification_count"`

	PatientID      int64         `db:"patient_id"`
	RUT            string        `db:"rut"`
	FirstNames     string        `db:"first_names"`
	LastNameFather string        `db:"last_name_father"`
	LastNameMother string        `db:"last_name_mother"`
	Age            sql.NullInt16 `db:"age"`
	Sex            string        `db:"sex"`

	SurgeryID     int64         `db:"surgery_id"`
	SurgeryName   string        `db:"surgery_name"`
	SpecialtyName string        `db:"specialty_name"`
	BaseStayHours string        `db:"base_stay_hours"`
	Ambulatory    bool          `db:"is_ambulatory"`
	CutoffHour    sql.NullInt16 `db:"ambulatory_cutoff_hour"`
	DoctorName    string        `db:"doctor_name"`
	DoctorID      int64         `db:"doctor_id"` // 0: none (read with the ticket page, not the board)

	PavilionEnd   time.Time `db:"pavilion_end_at"`
	FPA           time.Time `db:"fpa_at"`
	FPAEnd        time.Time `db:"fpa_end_at"`
	BlockStart    int       `db:"fpa_block_start"`
	BlockEnd      int       `db:"fpa_block_end"`
	OriginalFPA   time.Time `db:"original_fpa_at"`
	OriginalStart int       `db:"original_block_start"`
	OriginalEnd   int       `db:"original_block_end"`

	Room      string `db:"room"`
	Bed       string `db:"bed"`
	Location  string `db:"location"`
	EpisodeID string `db:"episode_id"`

	CreatedByID   int64     `db:"created_by"`
	CreatedByName string    `db:"created_by_name"`
	CreatedAt     time.Time `db:"created_at"`

	AnnulledAt     sql.NullTime `db:"annulled_at"`
	AnnulledByName string       `db:"annulled_by_name"`
	AnnulReason    string       `db:"annul_reason"`
	AnnulNote      string       `db:"annul_note"`

	DischargedAt          sql.NullTime `db:"discharged_at"`
	DischargeRecordedAt   sql.NullTime `db:"discharge_recorded_at"`
	DischargeRecordedName string       `db:"discharge_recorded_name"`
}

// Thresholds are the ticket's clinic urgency thresholds (RULES §6).
func (t Ticket) Thresholds() fpa.Thresholds {
	return fpa.Thresholds{CriticalHours: t.CriticalHours, WarningHours: t.WarningHours}
}

// State derives the shown state and urgency at now (RULES §6).
func (t Ticket) State(now time.Time) (fpa.State, fpa.Urgency) {
	return fpa.Derive(t.Status, t.PavilionEnd, t.FPA, t.FPAEnd.Sub(t.FPA), now, t.Thresholds())
}

// The ticket read model. ticketColumns is the whole ticket.
const (
	ticketSelect = `
SELECT t.clinic_id, c.name AS clinic_name, c.critical_hours, c.warning_hours,
       t.id, t.code, t.status, t.version, t.modification_count,
       t.patient_id, p.rut, p.first_names, p.last_name_father, p.last_name_mother, p.age, coalesce(p.sex, '') AS sex,
       t.surgery_id, t.surgery_name, t.specialty_name, t.base_stay_hours::text AS base_stay_hours,
       t.is_ambulatory, t.ambulatory_cutoff_hour,
       coalesce(d.first_name || ' ' || d.last_name, '') AS doctor_name, coalesce(t.doctor_id, 0) AS doctor_id,
       t.pavilion_end_at, t.fpa_at, t.fpa_end_at, t.fpa_block_start, t.fpa_block_end,
       t.original_fpa_at, t.original_block_start, t.original_block_end,
       t.room, t.bed, t.location, t.episode_id,
       t.created_by, u.username AS created_by_name, t.created_at,`
	ticketClosing = `
       t.annulled_at, coalesce(ua.username, '') AS annulled_by_name, coalesce(ar.name, '') AS annul_reason, t.annul_note,
       t.discharged_at, t.discharge_recorded_at, coalesce(ud.username, '') AS discharge_recorded_name`
	ticketFrom = `
FROM tickets t
JOIN clinics c ON c.id = t.clinic_id
JOIN patients p ON p.clinic_id = t.clinic_id AND p.id = t.patient_id
JOIN users u ON u.id = t.created_by
LEFT JOIN doctors d ON d.clinic_id = t.clinic_id AND d.id = t.doctor_id`
	ticketClosingJoins = `
LEFT JOIN users ua ON ua.id = t.annulled_by
LEFT JOIN reasons ar ON ar.clinic_id = t.clinic_id AND ar.id = t.annul_reason_id
LEFT JOIN users ud ON ud.id = t.discharge_recorded_by`

	ticketColumns = ticketSelect + ticketClosing + ticketFrom + ticketClosingJoins

	// boardColumns are what a board row shows and derives its state from, and nothing more:
	// a page of 50 rows is read on every nurse's screen every minute.
	boardColumns = `
SELECT t.clinic_id, c.name AS clinic_name, c.critical_hours, c.warning_hours,
       t.id, t.code, t.status, t.modification_count,
       p.rut, p.first_names, p.last_name_father, p.last_name_mother,
       t.surgery_name, t.specialty_name,
       coalesce(d.first_name || ' ' || d.last_name, '') AS doctor_name,
       t.pavilion_end_at, t.fpa_at, t.fpa_end_at, t.fpa_block_start, t.fpa_block_end,
       t.room, t.bed, t.location, t.episode_id, t.created_by, t.created_at
FROM tickets t
JOIN clinics c ON c.id = t.clinic_id
JOIN patients p ON p.clinic_id = t.clinic_id AND p.id = t.patient_id
LEFT JOIN doctors d ON d.clinic_id = t.clinic_id AND d.id = t.doctor_id`
)

// TicketPage is everything a ticket's page shows, read in one transaction: the ticket, its
// FPA history (newest first) and its clinic's master data (blocks and reasons for the forms).
type TicketPage struct {
	Ticket        Ticket
	Modifications []Modification
	Catalog       *ClinicCatalog
}

// TicketPage reads a ticket's page; with audit, the view is audited in the same transaction
// (RULES §10). Another clinic's ticket is ErrNotFound.
func (s *Store) TicketPage(ctx context.Context, p Principal, id int64, audit bool) (TicketPage, error) {
	var pg TicketPage
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		var err error
		if pg.Ticket, err = tx.ticket(ctx, id); err != nil {
			return err
		}
		// The count is kept in the transaction that writes each history row: none to read.
		if pg.Ticket.ModificationCount > 0 {
			if err := tx.sel(ctx, &pg.Modifications, modificationsSQL, id, p.AllClinics, p.ClinicID); err != nil {
				return fmt.Errorf("store: modifications: %w", err)
			}
		}
		if pg.Catalog, err = tx.ClinicCatalog(ctx, pg.Ticket.ClinicID); err != nil {
			return err
		}
		if !audit {
			return nil
		}
		return tx.Audit(ctx, pg.Ticket.ClinicID, "view_ticket", "ticket", id, map[string]any{"code": pg.Ticket.Code})
	})
	if err != nil {
		return TicketPage{}, err
	}
	return pg, nil
}

// ViewTicket reads a ticket for its page and audits the view.
func (s *Store) ViewTicket(ctx context.Context, p Principal, id int64) (Ticket, error) {
	pg, err := s.TicketPage(ctx, p, id, true)
	return pg.Ticket, err
}

// ErrAnnulled refuses to print an annulled ticket's sheet.
var ErrAnnulled = errors.New("store: ticket annulled")

// PrintTicket reads a ticket for its patient's printed sheet and audits the printing. An
// annulled ticket answers ErrAnnulled (nothing is printed, nothing audited).
func (s *Store) PrintTicket(ctx context.Context, p Principal, id int64) (Ticket, error) {
	var t Ticket
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		var err error
		if t, err = tx.ticket(ctx, id); err != nil {
			return err
		}
		if t.Status == fpa.StoredAnulado {
			return ErrAnnulled
		}
		return tx.Audit(ctx, t.ClinicID, "print_ticket", "ticket", id, map[string]any{"code": t.Code})
	})
	return t, err
}

// Ticket reads a ticket without auditing: for refreshes of a page already viewed.
func (s *Store) Ticket(ctx context.Context, p Principal, id int64) (Ticket, error) {
	var t Ticket
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		var err error
		t, err = tx.ticket(ctx, id)
		return err
	})
	return t, err
}

const ticketByIDSQL = ticketColumns + `
WHERE t.id = $1 AND ($2 OR t.clinic_id = $3)`

// ticket reads one ticket of the principal's clinic(s) (row-level security hides the others
// again underneath).
func (t *Tx) ticket(ctx context.Context, id int64) (Ticket, error) {
	var tk Ticket
	if err := t.get(ctx, &tk, ticketByIDSQL, id, t.p.AllClinics, t.p.ClinicID); err != nil {
		return Ticket{}, notFound(err, "store: ticket")
	}
	return tk, nil
}

// NewTicket is what the create form submits, already parsed and validated for shape.
type NewTicket struct {
	Patient     PatientInput
	SurgeryID   int64
	DoctorID    int64 // 0: none
	PavilionEnd time.Time
	// BlockStart is the chosen block's start (minutes from midnight), -1 for the proposed one.
	BlockStart int
	Room       string
	Bed        string
	Location   string
	EpisodeID  string
}

// surgeryForFPA is a surgery as the FPA engine needs it, with its specialty for the snapshot.
type surgeryForFPA struct {
	ID            int64         `db:"id"`
	Name          string        `db:"name"`
	SpecialtyName string        `db:"specialty_name"`
	BaseStayHours string        `db:"base_stay_hours"`
	Ambulatory    bool          `db:"is_ambulatory"`
	CutoffHour    sql.NullInt16 `db:"ambulatory_cutoff_hour"`
}

func (s surgeryForFPA) rule() (fpa.Surgery, error) {
	h, err := strconv.ParseFloat(s.BaseStayHours, 64)
	if err != nil {
		return fpa.Surgery{}, fmt.Errorf("store: surgery %d hours %q: %w", s.ID, s.BaseStayHours, err)
	}
	return fpa.Surgery{BaseStayHours: h, Ambulatory: s.Ambulatory, CutoffHour: int(s.CutoffHour.Int16)}, nil
}

const (
	vigenteTicketSQL = `SELECT id, code FROM tickets WHERE clinic_id = $1 AND patient_id = $2 AND status = 'vigente'`
	nextSeqSQL       = `
INSERT INTO ticket_counters (clinic_id, year, last_seq) VALUES ($1, $2, 1)
ON CONFLICT (clinic_id, year) DO UPDATE SET last_seq = ticket_counters.last_seq + 1
RETURNING last_seq`
	insertTicketSQL = `
INSERT INTO tickets (clinic_id, code, year, seq, patient_id, surgery_id, doctor_id,
    surgery_name, specialty_name, base_stay_hours, is_ambulatory, ambulatory_cutoff_hour,
    pavilion_end_at, fpa_at, fpa_block_start, fpa_block_end, fpa_end_at,
    original_fpa_at, original_block_start, original_block_end,
    room, bed, location, episode_id, created_by, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, nullif($7, 0), $8, $9, $10::numeric, $11, $12,
    $13, $14, $15, $16, $17, $14, $15, $16, $18, $19, $20, $21, $22, $23, $23)
RETURNING id`
)

// ClinicBlocks returns a clinic's discharge blocks as the FPA engine takes them.
func (t *Tx) ClinicBlocks(ctx context.Context, clinicID int64) ([]fpa.Block, error) {
	cc, err := t.ClinicCatalog(ctx, clinicID)
	if err != nil {
		return nil, err
	}
	return cc.FPABlocks(), nil
}

func (t *Tx) computeFPA(ctx context.Context, clinicID, surgeryID int64, pavilionEnd time.Time) (fpa.Result, surgeryForFPA, error) {
	cc, err := t.ClinicCatalog(ctx, clinicID)
	if err != nil {
		return fpa.Result{}, surgeryForFPA{}, err
	}
	return cc.computeFPA(surgeryID, pavilionEnd)
}

// CreateTicket creates the ticket in one transaction (RULES §2, §7): it checks the surgery and
// doctor belong to the clinic and are active, computes the FPA, creates or refreshes the
// patient, refuses a second vigente ticket, takes the next gapless code of the clinic's
// Santiago year and writes the audit row. now is the creation instant.
func (s *Store) CreateTicket(ctx context.Context, p Principal, clinicID int64, n NewTicket, now time.Time) (Ticket, error) {
	var id int64
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		res, sg, err := tx.computeFPA(ctx, clinicID, n.SurgeryID, n.PavilionEnd)
		if err != nil {
			return err
		}
		slot := res.Proposed
		if n.BlockStart >= 0 && n.BlockStart != slot.Block.Start {
			if slot, err = res.Choose(n.BlockStart); err != nil {
				return err
			}
		}
		cc, err := tx.ClinicCatalog(ctx, clinicID)
		if err != nil {
			return err
		}
		if n.DoctorID != 0 && !cc.ActiveDoctor(n.DoctorID) {
			return ErrDoctorUnavailable
		}
		patientID, err := tx.upsertPatient(ctx, clinicID, n.Patient)
		if err != nil {
			return err
		}
		var existing struct {
			ID   int64  `db:"id"`
			Code string `db:"code"`
		}
		switch err := tx.tx.GetContext(ctx, &existing, vigenteTicketSQL, clinicID, patientID); {
		case err == nil:
			return &ActiveTicketError{ID: existing.ID, Code: existing.Code}
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("store: vigente ticket: %w", err)
		}
		prefix := cc.Clinic.Code
		year := now.In(fpa.Santiago).Year()
		var seq int
		if err := tx.tx.GetContext(ctx, &seq, nextSeqSQL, clinicID, year); err != nil {
			return fmt.Errorf("store: next ticket number: %w", asConstraint(err))
		}
		code := fpa.Code(prefix, year, seq)
		var cutoff any
		if sg.CutoffHour.Valid {
			cutoff = sg.CutoffHour.Int16
		}
		if err := tx.tx.GetContext(ctx, &id, insertTicketSQL, clinicID, code, year, seq, patientID, sg.ID, n.DoctorID,
			sg.Name, sg.SpecialtyName, sg.BaseStayHours, sg.Ambulatory, cutoff,
			n.PavilionEnd, slot.Start, slot.Block.Start, slot.Block.End, slot.End,
			n.Room, n.Bed, n.Location, n.EpisodeID, p.UserID, now); err != nil {
			err = asConstraint(err)
			var ce *ConstraintError
			if errors.As(err, &ce) && ce.Constraint == "tickets_one_vigente_per_patient" {
				// A concurrent creation for the same patient won the race.
				return &ActiveTicketError{}
			}
			return fmt.Errorf("store: insert ticket: %w", err)
		}
		return tx.Audit(ctx, clinicID, "create_ticket", "ticket", id, map[string]any{
			"code": code, "surgery": sg.Name, "pavilion_end": n.PavilionEnd, "fpa": slot.Start,
			"block": slot.Block.Label(), "proposed_block": res.Proposed.Block.Label(),
		})
	})
	var ae *ActiveTicketError
	if errors.As(err, &ae) && ae.ID == 0 {
		// The race was lost inside the transaction, which is now rolled back: name the winner.
		if winner, lerr := s.VigenteTicketByRUT(ctx, p, clinicID, n.Patient.RUT); lerr == nil {
			*ae = winner
		} // else the message still says the patient has a vigente ticket, without a link
	}
	if err != nil {
		return Ticket{}, err
	}
	var t Ticket
	err = s.WithTenant(ctx, p, func(tx *Tx) error {
		return tx.tx.GetContext(ctx, &t, ticketColumns+` WHERE t.id = $1`, id)
	})
	if err != nil {
		return Ticket{}, fmt.Errorf("store: read created ticket: %w", err)
	}
	return t, nil
}
