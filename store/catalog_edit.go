package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/lib/pq"
)

// Administration of a clinic's master data (RULES §1, §2, §6, §9): admins of the clinic and
// superusers acting on it. Rows are created, edited, deactivated and reactivated, never
// deleted (tickets refer to them and keep the snapshot they were computed with). Every change
// writes its audit row with the values before and after.

// Errors of master data changes, beside ErrNotFound, ErrConflict (an edit from an old
// version) and *ConstraintError (a name already in use: Kind "unique").
var (
	// ErrLastActiveBlock refuses to deactivate the only active discharge block of a clinic.
	ErrLastActiveBlock = errors.New("store: the clinic's last active discharge block")
	// ErrSpecialtyUnavailable is a specialty that is not an active one of the clinic.
	ErrSpecialtyUnavailable = errors.New("store: specialty unavailable")
)

// RowEdit identifies what a master data form saves: a new row (ID 0) or the row ID as it was
// at Version when the form was opened.
type RowEdit struct {
	ID      int64
	Version int64
}

// CatalogKind names an editable kind of master data.
type CatalogKind string

// The kinds of master data, as their tables are named.
const (
	KindSpecialty CatalogKind = "specialties"
	KindSurgery   CatalogKind = "surgeries"
	KindDoctor    CatalogKind = "doctors"
	KindReason    CatalogKind = "reasons"
	KindBlock     CatalogKind = "discharge_blocks"
)

// entity is the kind's name in audit rows.
func (k CatalogKind) entity() string {
	switch k {
	case KindSpecialty:
		return "specialty"
	case KindSurgery:
		return "surgery"
	case KindDoctor:
		return "doctor"
	case KindReason:
		return "reason"
	case KindBlock:
		return "discharge_block"
	}
	return ""
}

// editScope checks that p acts on one clinic: master data is always some clinic's.
func editScope(p Principal) error {
	if p.AllClinics || p.ClinicID <= 0 {
		return fmt.Errorf("store: master data outside a clinic: %w", ErrNoScope)
	}
	return nil
}

// ReasonInput is a standardized reason as its form saves it.
type ReasonInput struct {
	Category string // ReasonModification or ReasonAnnulment
	Name     string
}

// The statements of the edits. A row is locked and read before it is changed: the version
// the form carries is compared with it, and its values are the audit's "before".
const (
	lockSpecialtySQL   = `SELECT clinic_id, id, name, active, version FROM specialties WHERE id = $1 FOR UPDATE`
	updateSpecialtySQL = `UPDATE specialties SET name = $2, version = version + 1 WHERE id = $1`
	lockSurgerySQL     = `
SELECT clinic_id, id, specialty_id, name, base_stay_hours::text AS base_stay_hours, is_ambulatory,
       ambulatory_cutoff_hour, active, version
FROM surgeries WHERE id = $1 FOR UPDATE`
	updateSurgerySQL = `
UPDATE surgeries SET specialty_id = $2, name = $3, base_stay_hours = $4::numeric, is_ambulatory = $5,
       ambulatory_cutoff_hour = $6, version = version + 1
WHERE id = $1`
	lockDoctorSQL = `
SELECT clinic_id, id, first_name, last_name, coalesce(specialty_id, 0) AS specialty_id,
       coalesce(rut, '') AS rut, active, version
FROM doctors WHERE id = $1 FOR UPDATE`
	updateDoctorSQL = `
UPDATE doctors SET first_name = $2, last_name = $3, specialty_id = nullif($4, 0), rut = nullif($5, ''),
       version = version + 1
WHERE id = $1`
	lockReasonSQL   = `SELECT clinic_id, id, category, name, active, version FROM reasons WHERE id = $1 FOR UPDATE`
	updateReasonSQL = `UPDATE reasons SET category = $2, name = $3, version = version + 1 WHERE id = $1`
)

// SaveSpecialty creates (ch.ID 0) or edits a specialty of the principal's clinic.
func (s *Store) SaveSpecialty(ctx context.Context, p Principal, ch RowEdit, name string) (id int64, err error) {
	err = s.editCatalog(ctx, p, func(tx *Tx) error {
		if ch.ID == 0 {
			id, err = tx.CreateSpecialty(ctx, p.ClinicID, name)
			return err
		}
		var before Specialty
		if err := tx.lockRow(ctx, &before, lockSpecialtySQL, ch); err != nil {
			return err
		}
		id = ch.ID
		if _, err := tx.exec(ctx, updateSpecialtySQL, ch.ID, name); err != nil {
			return fmt.Errorf("store: edit specialty: %w", asConstraint(err))
		}
		return tx.Audit(ctx, before.ClinicID, "edit_specialty", "specialty", ch.ID,
			beforeAfter(map[string]any{"name": before.Name}, map[string]any{"name": name}))
	})
	return id, err
}

// SaveSurgery creates or edits a surgery. Its specialty must be an active one of the clinic
// (an edit may keep a specialty deactivated since). Tickets keep the norm they were computed
// with: an edit changes only the tickets created after it.
func (s *Store) SaveSurgery(ctx context.Context, p Principal, ch RowEdit, in NewSurgery) (id int64, err error) {
	var cutoff any
	if in.Ambulatory {
		cutoff = in.CutoffHour
	}
	err = s.editCatalog(ctx, p, func(tx *Tx) error {
		var before Surgery
		if ch.ID != 0 {
			if err := tx.lockRow(ctx, &before, lockSurgerySQL, ch); err != nil {
				return err
			}
		}
		if in.SpecialtyID != before.SpecialtyID {
			if err := tx.activeSpecialty(ctx, in.SpecialtyID); err != nil {
				return err
			}
		}
		if ch.ID == 0 {
			id, err = tx.CreateSurgery(ctx, p.ClinicID, in)
			return err
		}
		id = ch.ID
		if _, err := tx.exec(ctx, updateSurgerySQL, ch.ID, in.SpecialtyID, in.Name, in.BaseStayHours, in.Ambulatory, cutoff); err != nil {
			return fmt.Errorf("store: edit surgery: %w", asConstraint(err))
		}
		old := NewSurgery{SpecialtyID: before.SpecialtyID, Name: before.Name, BaseStayHours: before.BaseStayHours,
			Ambulatory: before.Ambulatory, CutoffHour: int(before.CutoffHour.Int16)}
		return tx.Audit(ctx, before.ClinicID, "edit_surgery", "surgery", ch.ID, beforeAfter(old, in))
	})
	return id, err
}

// SaveDoctor creates or edits a doctor; a specialty, when given, must be an active one of
// the clinic (or the doctor's own already).
func (s *Store) SaveDoctor(ctx context.Context, p Principal, ch RowEdit, in NewDoctor) (id int64, err error) {
	err = s.editCatalog(ctx, p, func(tx *Tx) error {
		var before Doctor
		if ch.ID != 0 {
			if err := tx.lockRow(ctx, &before, lockDoctorSQL, ch); err != nil {
				return err
			}
		}
		if in.SpecialtyID != 0 && in.SpecialtyID != before.SpecialtyID {
			if err := tx.activeSpecialty(ctx, in.SpecialtyID); err != nil {
				return err
			}
		}
		if ch.ID == 0 {
			id, err = tx.CreateDoctor(ctx, p.ClinicID, in)
			return err
		}
		id = ch.ID
		if _, err := tx.exec(ctx, updateDoctorSQL, ch.ID, in.FirstName, in.LastName, in.SpecialtyID, in.RUT); err != nil {
			return fmt.Errorf("store: edit doctor: %w", asConstraint(err))
		}
		old := NewDoctor{FirstName: before.FirstName, LastName: before.LastName, SpecialtyID: before.SpecialtyID, RUT: before.RUT}
		return tx.Audit(ctx, before.ClinicID, "edit_doctor", "doctor", ch.ID, beforeAfter(old, in))
	})
	return id, err
}

// SaveReason creates or edits a standardized reason.
func (s *Store) SaveReason(ctx context.Context, p Principal, ch RowEdit, in ReasonInput) (id int64, err error) {
	err = s.editCatalog(ctx, p, func(tx *Tx) error {
		if ch.ID == 0 {
			id, err = tx.CreateReason(ctx, p.ClinicID, in.Category, in.Name)
			return err
		}
		var before Reason
		if err := tx.lockRow(ctx, &before, lockReasonSQL, ch); err != nil {
			return err
		}
		id = ch.ID
		if _, err := tx.exec(ctx, updateReasonSQL, ch.ID, in.Category, in.Name); err != nil {
			return fmt.Errorf("store: edit reason: %w", asConstraint(err))
		}
		return tx.Audit(ctx, before.ClinicID, "edit_reason", "reason", ch.ID,
			beforeAfter(ReasonInput{Category: before.Category, Name: before.Name}, in))
	})
	return id, err
}

// SetActive deactivates or reactivates a row of master data. It says what it changed:
// false when the row already was so (a second tab, a repeated submit). The last active
// discharge block of a clinic stays active (ErrLastActiveBlock, enforced by the database).
func (s *Store) SetActive(ctx context.Context, p Principal, kind CatalogKind, id int64, active bool) (changed bool, err error) {
	entity := kind.entity()
	if entity == "" {
		return false, fmt.Errorf("store: set active: unknown kind %q", kind)
	}
	err = s.editCatalog(ctx, p, func(tx *Tx) error {
		var clinic int64
		var was bool
		err := tx.tx.QueryRowxContext(ctx, `SELECT clinic_id, active FROM `+string(kind)+` WHERE id = $1 FOR UPDATE`, id).Scan(&clinic, &was)
		if err != nil {
			return notFound(err, "store: set active")
		}
		if was == active {
			return nil
		}
		set := `UPDATE ` + string(kind) + ` SET active = $2 WHERE id = $1`
		if kind != KindBlock {
			set = `UPDATE ` + string(kind) + ` SET active = $2, version = version + 1 WHERE id = $1`
		}
		if _, err := tx.exec(ctx, set, id, active); err != nil {
			var pe *pq.Error
			if errors.As(err, &pe) && pe.Code == "TH002" {
				return ErrLastActiveBlock
			}
			return fmt.Errorf("store: set active: %w", err)
		}
		changed = true
		action := "deactivate_" + entity
		if active {
			action = "reactivate_" + entity
		}
		return tx.Audit(ctx, clinic, action, entity, id, beforeAfter(map[string]any{"active": was}, map[string]any{"active": active}))
	})
	return changed, err
}

// Thresholds are a clinic's urgency thresholds in hours (RULES §6) and its discharge capacity
// per block (RULES §1c), set on one form.
type Thresholds struct {
	Critical int `json:"critical_hours"`
	Warning  int `json:"warning_hours"`
	Capacity int `json:"discharge_capacity"`
}

const updateThresholdsSQL = `
UPDATE clinics SET critical_hours = $5, warning_hours = $6, discharge_capacity = $7
WHERE id = $1 AND critical_hours = $2 AND warning_hours = $3 AND discharge_capacity = $4`

// SaveThresholds changes the principal's clinic's thresholds and capacity from before (what
// the form showed) to after; ErrConflict when they are no longer before (another admin changed
// them).
func (s *Store) SaveThresholds(ctx context.Context, p Principal, before, after Thresholds) error {
	return s.editCatalog(ctx, p, func(tx *Tx) error {
		res, err := tx.exec(ctx, updateThresholdsSQL, p.ClinicID, before.Critical, before.Warning, before.Capacity,
			after.Critical, after.Warning, after.Capacity)
		if err != nil {
			return fmt.Errorf("store: thresholds: %w", asConstraint(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrConflict
		}
		return tx.Audit(ctx, p.ClinicID, "edit_thresholds", "clinic", p.ClinicID, beforeAfter(before, after))
	})
}

// editCatalog runs fn in a transaction on the principal's one clinic.
func (s *Store) editCatalog(ctx context.Context, p Principal, fn func(*Tx) error) error {
	if err := editScope(p); err != nil {
		return err
	}
	return s.WithTenant(ctx, p, fn)
}

// lockRow reads the row an edit changes, locked, into dst (which has ClinicID and Version):
// ErrNotFound when it is not there (or is another clinic's), ErrConflict when its version is
// not the form's.
func (t *Tx) lockRow(ctx context.Context, dst versionedRow, query string, ch RowEdit) error {
	if err := t.tx.GetContext(ctx, dst, query, ch.ID); err != nil {
		return notFound(err, "store: lock row")
	}
	if dst.rowVersion() != ch.Version {
		return ErrConflict
	}
	return nil
}

type versionedRow interface{ rowVersion() int64 }

func (s *Specialty) rowVersion() int64 { return s.Version }
func (s *Surgery) rowVersion() int64   { return s.Version }
func (d *Doctor) rowVersion() int64    { return d.Version }
func (r *Reason) rowVersion() int64    { return r.Version }

// activeSpecialty checks that id is an active specialty of the transaction's clinic.
func (t *Tx) activeSpecialty(ctx context.Context, id int64) error {
	cc, err := t.ClinicCatalog(ctx, t.p.ClinicID)
	if err != nil {
		return err
	}
	if !cc.specialtyActive(id) {
		return ErrSpecialtyUnavailable
	}
	return nil
}

// beforeAfter is an audit row's details for a change.
func beforeAfter(before, after any) map[string]any {
	return map[string]any{"before": before, "after": after}
}
