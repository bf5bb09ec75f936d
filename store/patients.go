package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Patient is a clinic's patient. RUT is canonical ("12345678-5").
type Patient struct {
	ClinicID       int64         `db:"clinic_id"`
	ID             int64         `db:"id"`
	RUT            string        `db:"rut"`
	FirstNames     string        `db:"first_names"`
	LastNameFather string        `db:"last_name_father"`
	LastNameMother string        `db:"last_name_mother"`
	Age            sql.NullInt16 `db:"age"`
	Sex            string        `db:"sex"`
}

const patientWithTicketSQL = `
SELECT p.clinic_id, p.id, p.rut, p.first_names, p.last_name_father, p.last_name_mother, p.age,
       coalesce(p.sex, '') AS sex, coalesce(t.id, 0) AS ticket_id, coalesce(t.code, '') AS ticket_code
FROM patients p
LEFT JOIN tickets t ON t.clinic_id = p.clinic_id AND t.patient_id = p.id AND t.status = 'vigente'
WHERE p.clinic_id = $1 AND p.rut = $2`

// TicketForm is what the new-ticket form needs from the database, read in one transaction:
// the clinic's master data, the discharges planned in the slots its FPA preview offers
// (RULES §1c) and, for a RUT, the clinic's patient with it and their vigente ticket (nil when
// there is none).
type TicketForm struct {
	Catalog *ClinicCatalog
	Load    SlotLoad
	Patient *Patient
	Active  *ActiveTicketError
}

// TicketForm reads the new-ticket form's data for clinicID; rut ("" for none) is canonical.
// slots (nil for none) names, from the clinic's catalog, the starts of the slots whose planned
// discharges the form shows: the FPA preview's blocks.
func (s *Store) TicketForm(ctx context.Context, p Principal, clinicID int64, rut string, slots func(*ClinicCatalog) []time.Time) (TicketForm, error) {
	var f TicketForm
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		var err error
		if f.Catalog, err = tx.ClinicCatalog(ctx, clinicID); err != nil {
			return err
		}
		if slots != nil {
			if f.Load, err = tx.slotLoad(ctx, clinicID, slots(f.Catalog), 0); err != nil {
				return err
			}
		}
		if rut == "" {
			return nil
		}
		var row struct {
			Patient
			TicketID   int64  `db:"ticket_id"`
			TicketCode string `db:"ticket_code"`
		}
		switch err := tx.get(ctx, &row, patientWithTicketSQL, clinicID, rut); {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return fmt.Errorf("store: patient by rut: %w", err)
		}
		f.Patient = &row.Patient
		if row.TicketID != 0 {
			f.Active = &ActiveTicketError{ID: row.TicketID, Code: row.TicketCode}
		}
		return nil
	})
	return f, err
}

// PatientInput is the patient part of a new ticket.
type PatientInput struct {
	RUT            string // canonical
	FirstNames     string
	LastNameFather string
	LastNameMother string
	Age            int // -1 when unknown
	Sex            string
}

const upsertPatientSQL = `
INSERT INTO patients (clinic_id, rut, first_names, last_name_father, last_name_mother, age, sex)
VALUES ($1, $2, $3, $4, $5, $6, nullif($7, ''))
ON CONFLICT (clinic_id, rut) DO UPDATE
SET first_names = EXCLUDED.first_names, last_name_father = EXCLUDED.last_name_father,
    last_name_mother = EXCLUDED.last_name_mother, age = EXCLUDED.age, sex = EXCLUDED.sex,
    updated_at = now()
RETURNING id`

// upsertPatient creates the clinic's patient or refreshes their data (the nurse just typed or
// confirmed it), by clinic and canonical RUT.
func (t *Tx) upsertPatient(ctx context.Context, clinicID int64, in PatientInput) (int64, error) {
	var age any
	if in.Age >= 0 {
		age = in.Age
	}
	var id int64
	if err := t.tx.GetContext(ctx, &id, upsertPatientSQL, clinicID, in.RUT, in.FirstNames, in.LastNameFather, in.LastNameMother, age, in.Sex); err != nil {
		return 0, fmt.Errorf("store: upsert patient: %w", asConstraint(err))
	}
	return id, nil
}

const vigenteTicketByRUTSQL = `
SELECT t.id, t.code FROM tickets t JOIN patients p ON p.clinic_id = t.clinic_id AND p.id = t.patient_id
WHERE t.clinic_id = $1 AND p.rut = $2 AND t.status = 'vigente'`

// VigenteTicketByRUT names the vigente ticket of the clinic's patient with a canonical RUT,
// or ErrNotFound.
func (s *Store) VigenteTicketByRUT(ctx context.Context, p Principal, clinicID int64, rut string) (ActiveTicketError, error) {
	return getOne[ActiveTicketError](ctx, s, p, "vigente ticket by rut", vigenteTicketByRUTSQL, clinicID, rut)
}

// PatientEdit is an admin's correction of a patient's data (RULES §9).
type PatientEdit struct {
	PatientID int64
	// Stamp is the patient's updated_at when the form was opened (unix microseconds): a form
	// opened before someone else's edit is stale.
	Stamp int64
	Key   string
	PatientInput
}

// ErrRUTTaken reports a RUT that another patient of the clinic already has.
var ErrRUTTaken = errors.New("store: another patient of the clinic has that RUT")

const (
	patientForEditSQL = `
SELECT clinic_id, id, rut, first_names, last_name_father, last_name_mother, age, coalesce(sex, '') AS sex,
       (extract(epoch FROM updated_at) * 1000000)::bigint AS stamp
FROM patients WHERE id = $1 AND ($2 OR clinic_id = $3)`
	updatePatientSQL = `
UPDATE patients SET rut = $2, first_names = $3, last_name_father = $4, last_name_mother = $5, age = $6,
    sex = nullif($7, ''), updated_at = $8
WHERE id = $1 AND (extract(epoch FROM updated_at) * 1000000)::bigint = $9
RETURNING id`
)

// EditablePatient is a patient with the stamp an edit form carries.
type EditablePatient struct {
	Patient
	Stamp int64 `db:"stamp"`
}

// PatientForEdit reads a patient for the edit form (ErrNotFound for another clinic's).
func (s *Store) PatientForEdit(ctx context.Context, p Principal, id int64) (EditablePatient, error) {
	return getOne[EditablePatient](ctx, s, p, "patient", patientForEditSQL, id, p.AllClinics, p.ClinicID)
}

// UpdatePatient corrects a patient's data and audits before → after. A stale form gets a
// StaleError-like ErrConflict; a RUT another patient has gets ErrRUTTaken.
func (s *Store) UpdatePatient(ctx context.Context, p Principal, e PatientEdit, now time.Time) error {
	return s.WithTenant(ctx, p, func(tx *Tx) error {
		var before EditablePatient
		if err := tx.tx.GetContext(ctx, &before, patientForEditSQL, e.PatientID, p.AllClinics, p.ClinicID); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		var age any
		if e.Age >= 0 {
			age = e.Age
		}
		var id int64
		err := tx.tx.GetContext(ctx, &id, updatePatientSQL, e.PatientID, e.RUT, e.FirstNames, e.LastNameFather, e.LastNameMother, age, e.Sex, now, e.Stamp)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrConflict
		}
		if err != nil {
			var ce *ConstraintError
			if errors.As(asConstraint(err), &ce) && ce.Kind == "unique" {
				return ErrRUTTaken
			}
			return fmt.Errorf("store: update patient: %w", asConstraint(err))
		}
		return tx.Audit(ctx, before.ClinicID, "edit_patient", "patient", e.PatientID, map[string]any{
			"before": before.Patient, "after": e.PatientInput,
		})
	})
}
