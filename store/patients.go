package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

const patientByRUTSQL = `
SELECT clinic_id, id, rut, first_names, last_name_father, last_name_mother, age, coalesce(sex, '') AS sex
FROM patients
WHERE clinic_id = $1 AND rut = $2`

// PatientByRUT finds the patient of a clinic with a canonical RUT, so the create form can fill
// in what the clinic already knows.
func (s *Store) PatientByRUT(ctx context.Context, p Principal, clinicID int64, rut string) (Patient, error) {
	var pt Patient
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		return tx.tx.GetContext(ctx, &pt, patientByRUTSQL, clinicID, rut)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Patient{}, ErrNotFound
	}
	if err != nil {
		return Patient{}, fmt.Errorf("store: patient by rut: %w", err)
	}
	return pt, nil
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
	var a ActiveTicketError
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		return tx.tx.GetContext(ctx, &a, vigenteTicketByRUTSQL, clinicID, rut)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, fmt.Errorf("store: vigente ticket by rut: %w", err)
	}
	return a, nil
}
