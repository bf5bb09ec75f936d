package store

import (
	"context"
	"fmt"
)

// The Tx methods below create master data inside a caller's WithTenant transaction, each with
// its audit row. Row-level security refuses a clinic outside the transaction's scope.

const insertClinicSQL = `INSERT INTO clinics (name, code) VALUES ($1, $2) RETURNING id`

// CreateClinic adds a clinic (superusers only: the policy's WITH CHECK refuses others).
func (t *Tx) CreateClinic(ctx context.Context, name, code string) (int64, error) {
	var id int64
	if err := t.tx.GetContext(ctx, &id, insertClinicSQL, name, code); err != nil {
		return 0, fmt.Errorf("store: create clinic: %w", asConstraint(err))
	}
	return id, t.Audit(ctx, id, "create_clinic", "clinic", id, map[string]any{"name": name, "code": code})
}

// CreateUser adds a user and audits it.
func (t *Tx) CreateUser(ctx context.Context, n NewUser) (int64, error) {
	var id int64
	err := t.createUser(ctx, n, &id)
	return id, err
}

const insertSpecialtySQL = `INSERT INTO specialties (clinic_id, name) VALUES ($1, $2) RETURNING id`

// CreateSpecialty adds a specialty to a clinic.
func (t *Tx) CreateSpecialty(ctx context.Context, clinicID int64, name string) (int64, error) {
	var id int64
	if err := t.tx.GetContext(ctx, &id, insertSpecialtySQL, clinicID, name); err != nil {
		return 0, fmt.Errorf("store: create specialty: %w", asConstraint(err))
	}
	return id, t.Audit(ctx, clinicID, "create_specialty", "specialty", id, map[string]any{"name": name})
}

// NewSurgery is the data to create a surgery. CutoffHour is ignored unless Ambulatory.
type NewSurgery struct {
	SpecialtyID   int64
	Name          string
	BaseStayHours string // decimal, e.g. "1.5"
	Ambulatory    bool
	CutoffHour    int
}

const insertSurgerySQL = `
INSERT INTO surgeries (clinic_id, specialty_id, name, base_stay_hours, is_ambulatory, ambulatory_cutoff_hour)
VALUES ($1, $2, $3, $4::numeric, $5, $6) RETURNING id`

// CreateSurgery adds a surgery to a clinic; the composite key refuses another clinic's specialty.
func (t *Tx) CreateSurgery(ctx context.Context, clinicID int64, n NewSurgery) (int64, error) {
	var cutoff any
	if n.Ambulatory {
		cutoff = n.CutoffHour
	}
	var id int64
	if err := t.tx.GetContext(ctx, &id, insertSurgerySQL, clinicID, n.SpecialtyID, n.Name, n.BaseStayHours, n.Ambulatory, cutoff); err != nil {
		return 0, fmt.Errorf("store: create surgery: %w", asConstraint(err))
	}
	return id, t.Audit(ctx, clinicID, "create_surgery", "surgery", id, n)
}

// NewDoctor is the data to create a doctor. RUT is canonical or empty.
type NewDoctor struct {
	FirstName   string
	LastName    string
	SpecialtyID int64
	RUT         string
}

const insertDoctorSQL = `
INSERT INTO doctors (clinic_id, first_name, last_name, specialty_id, rut)
VALUES ($1, $2, $3, nullif($4, 0), nullif($5, '')) RETURNING id`

// CreateDoctor adds a doctor to a clinic.
func (t *Tx) CreateDoctor(ctx context.Context, clinicID int64, n NewDoctor) (int64, error) {
	var id int64
	if err := t.tx.GetContext(ctx, &id, insertDoctorSQL, clinicID, n.FirstName, n.LastName, n.SpecialtyID, n.RUT); err != nil {
		return 0, fmt.Errorf("store: create doctor: %w", asConstraint(err))
	}
	return id, t.Audit(ctx, clinicID, "create_doctor", "doctor", id, map[string]any{"name": n.FirstName + " " + n.LastName})
}

const insertDefaultBlocksSQL = `
INSERT INTO discharge_blocks (clinic_id, start_minute, end_minute)
SELECT $1, h * 60, h * 60 + 120 FROM generate_series(0, 22, 2) AS h`

// CreateDefaultBlocks gives a clinic the 12 default two-hour discharge blocks (RULES §1).
func (t *Tx) CreateDefaultBlocks(ctx context.Context, clinicID int64) error {
	if _, err := t.tx.ExecContext(ctx, insertDefaultBlocksSQL, clinicID); err != nil {
		return fmt.Errorf("store: create default blocks: %w", asConstraint(err))
	}
	return t.Audit(ctx, clinicID, "create_default_blocks", "discharge_block", 0, nil)
}

const insertReasonSQL = `INSERT INTO reasons (clinic_id, category, name) VALUES ($1, $2, $3) RETURNING id`

// CreateReason adds a standardized reason ("modification" or "annulment") to a clinic.
func (t *Tx) CreateReason(ctx context.Context, clinicID int64, category, name string) (int64, error) {
	var id int64
	if err := t.tx.GetContext(ctx, &id, insertReasonSQL, clinicID, category, name); err != nil {
		return 0, fmt.Errorf("store: create reason: %w", asConstraint(err))
	}
	return id, t.Audit(ctx, clinicID, "create_reason", "reason", id, map[string]any{"category": category, "name": name})
}

const countClinicsSQL = `SELECT count(*) FROM clinics`

// Empty reports whether the database holds no clinic yet (a fresh install).
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var n int
	err := s.withSystem(ctx, func(tx *Tx) error { return tx.tx.GetContext(ctx, &n, countClinicsSQL) })
	if err != nil {
		return false, fmt.Errorf("store: empty: %w", err)
	}
	return n == 0, nil
}

// CreateSuperuser bootstraps a global superuser account (there is no principal yet to act for).
func (s *Store) CreateSuperuser(ctx context.Context, n NewUser) (int64, error) {
	n.Role, n.ClinicID = RoleSuperuser, 0
	var id int64
	err := s.withSystem(ctx, func(tx *Tx) error { return tx.createUser(ctx, n, &id) })
	return id, err
}
