package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Clinic is one clinic of the network.
type Clinic struct {
	ID            int64  `db:"id"`
	Name          string `db:"name"`
	Code          string `db:"code"`
	Active        bool   `db:"active"`
	CriticalHours int    `db:"critical_hours"`
	WarningHours  int    `db:"warning_hours"`
	// DischargeCapacity is how many discharges the clinic's wards can process in one block
	// (RULES §1c).
	DischargeCapacity int   `db:"discharge_capacity"`
	Version           int64 `db:"version"`
}

const clinicColumns = `SELECT id, name, code, active, critical_hours, warning_hours, discharge_capacity, version FROM clinics`

// Clinics lists the clinics the principal may see: all for a superuser, else their own.
func (s *Store) Clinics(ctx context.Context, p Principal) ([]Clinic, error) {
	var out []Clinic
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		return tx.tx.SelectContext(ctx, &out, clinicColumns+` ORDER BY name`)
	})
	if err != nil {
		return nil, fmt.Errorf("store: clinics: %w", err)
	}
	return out, nil
}

// Clinic returns one clinic, or ErrNotFound when it is not the principal's to see.
func (s *Store) Clinic(ctx context.Context, p Principal, id int64) (Clinic, error) {
	return getOne[Clinic](ctx, s, p, "clinic", clinicColumns+` WHERE id = $1 AND ($2 OR id = $3)`, id, p.AllClinics, p.ClinicID)
}

// Specialty is a medical specialty of a clinic.
type Specialty struct {
	ClinicID   int64  `db:"clinic_id"`
	ClinicName string `db:"clinic_name"`
	ID         int64  `db:"id"`
	Name       string `db:"name"`
	Active     bool   `db:"active"`
	Version    int64  `db:"version"`
}

// Surgery is a surgery with its stay norm (RULES §2).
type Surgery struct {
	ClinicID      int64         `db:"clinic_id"`
	ClinicName    string        `db:"clinic_name"`
	ID            int64         `db:"id"`
	SpecialtyID   int64         `db:"specialty_id"`
	SpecialtyName string        `db:"specialty_name"`
	Name          string        `db:"name"`
	BaseStayHours string        `db:"base_stay_hours"` // numeric(6,2) as text: exact, no float rounding
	Ambulatory    bool          `db:"is_ambulatory"`
	CutoffHour    sql.NullInt16 `db:"ambulatory_cutoff_hour"`
	Active        bool          `db:"active"`
	Version       int64         `db:"version"`
}

// Doctor is an attending doctor of a clinic.
type Doctor struct {
	ClinicID      int64  `db:"clinic_id"`
	ClinicName    string `db:"clinic_name"`
	ID            int64  `db:"id"`
	FirstName     string `db:"first_name"`
	LastName      string `db:"last_name"`
	SpecialtyID   int64  `db:"specialty_id"` // 0: none
	SpecialtyName string `db:"specialty_name"`
	RUT           string `db:"rut"`
	Active        bool   `db:"active"`
	Version       int64  `db:"version"`
}

// Block is a discharge block of a clinic, in minutes from local midnight (RULES §1).
type Block struct {
	ClinicID    int64  `db:"clinic_id"`
	ClinicName  string `db:"clinic_name"`
	ID          int64  `db:"id"`
	StartMinute int    `db:"start_minute"`
	EndMinute   int    `db:"end_minute"`
	Active      bool   `db:"active"`
}

// The categories of standardized reasons.
const (
	ReasonModification = "modification"
	ReasonAnnulment    = "annulment"
)

// Reason is a standardized reason for modifying or annulling a ticket.
type Reason struct {
	ClinicID   int64  `db:"clinic_id"`
	ClinicName string `db:"clinic_name"`
	ID         int64  `db:"id"`
	Category   string `db:"category"` // "modification" or "annulment"
	Name       string `db:"name"`
	Active     bool   `db:"active"`
	Version    int64  `db:"version"`
}

// Catalog is a clinic's master data, as the catalog page shows it.
type Catalog struct {
	Specialties []Specialty
	Surgeries   []Surgery
	Doctors     []Doctor
	Blocks      []Block
	Reasons     []Reason
}

// The catalog queries filter by clinic explicitly ($1 = 0 means every clinic the scope
// allows); row-level security narrows them again underneath.
const (
	catalogSpecialtiesSQL = `
SELECT s.clinic_id, c.name AS clinic_name, s.id, s.name, s.active, s.version
FROM specialties s JOIN clinics c ON c.id = s.clinic_id
WHERE ($1 = 0 OR s.clinic_id = $1)
ORDER BY c.name, s.name`
	catalogSurgeriesSQL = `
SELECT g.clinic_id, c.name AS clinic_name, g.id, g.specialty_id, s.name AS specialty_name, g.name,
       g.base_stay_hours::text AS base_stay_hours, g.is_ambulatory, g.ambulatory_cutoff_hour, g.active, g.version
FROM surgeries g
JOIN specialties s ON s.clinic_id = g.clinic_id AND s.id = g.specialty_id
JOIN clinics c ON c.id = g.clinic_id
WHERE ($1 = 0 OR g.clinic_id = $1)
ORDER BY c.name, s.name, g.name`
	catalogDoctorsSQL = `
SELECT d.clinic_id, c.name AS clinic_name, d.id, d.first_name, d.last_name,
       coalesce(d.specialty_id, 0) AS specialty_id, coalesce(s.name, '') AS specialty_name,
       coalesce(d.rut, '') AS rut, d.active, d.version
FROM doctors d
LEFT JOIN specialties s ON s.clinic_id = d.clinic_id AND s.id = d.specialty_id
JOIN clinics c ON c.id = d.clinic_id
WHERE ($1 = 0 OR d.clinic_id = $1)
ORDER BY c.name, d.last_name, d.first_name`
	catalogBlocksSQL = `
SELECT b.clinic_id, c.name AS clinic_name, b.id, b.start_minute, b.end_minute, b.active
FROM discharge_blocks b JOIN clinics c ON c.id = b.clinic_id
WHERE ($1 = 0 OR b.clinic_id = $1)
ORDER BY c.name, b.start_minute`
	catalogReasonsSQL = `
SELECT r.clinic_id, c.name AS clinic_name, r.id, r.category, r.name, r.active, r.version
FROM reasons r JOIN clinics c ON c.id = r.clinic_id
WHERE ($1 = 0 OR r.clinic_id = $1)
ORDER BY c.name, r.category DESC, r.name`
)

// Catalog reads the master data of the principal's clinic (from the cache: read it, do not
// change it) or of every clinic for a superuser in the all-clinics scope.
func (s *Store) Catalog(ctx context.Context, p Principal) (Catalog, error) {
	cp, err := s.CatalogPage(ctx, p)
	return cp.Catalog, err
}

// CatalogPage is the catalog page's data: the master data as Catalog reads it, and the clinic
// (its thresholds) when the principal acts on one.
type CatalogPage struct {
	Clinic Clinic
	Catalog
}

// CatalogPage reads the catalog page in one transaction.
func (s *Store) CatalogPage(ctx context.Context, p Principal) (CatalogPage, error) {
	var cat CatalogPage
	clinic := p.ClinicID
	if p.AllClinics {
		clinic = 0
	}
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		if clinic != 0 {
			cc, err := tx.ClinicCatalog(ctx, clinic)
			if err == nil {
				cat = CatalogPage{Clinic: cc.Clinic, Catalog: cc.Catalog}
			}
			return err
		}
		for _, q := range []struct {
			dst any
			sql string
		}{
			{&cat.Specialties, catalogSpecialtiesSQL},
			{&cat.Surgeries, catalogSurgeriesSQL},
			{&cat.Doctors, catalogDoctorsSQL},
			{&cat.Blocks, catalogBlocksSQL},
			{&cat.Reasons, catalogReasonsSQL},
		} {
			if err := tx.tx.SelectContext(ctx, q.dst, q.sql, clinic); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return CatalogPage{}, fmt.Errorf("store: catalog: %w", err)
	}
	return cat, nil
}
