package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Copying master data from one clinic to another (superusers), so that a new clinic starts in
// minutes: the active specialties, surgeries, doctors and reasons of the origin that the
// destination lacks — by name ignoring case and accents (RULES §1b), a doctor by RUT too.
// Nothing is duplicated and nothing of the destination changes; its discharge blocks and
// thresholds stay its own.

// ErrSameClinic refuses to copy a clinic onto itself.
var ErrSameClinic = errors.New("store: origin and destination are the same clinic")

// ErrPlanChanged says what a copy would add is no longer what its preview showed.
var ErrPlanChanged = errors.New("store: the copy's plan changed since it was shown")

// CopyPlan is what copying would add to the destination.
type CopyPlan struct {
	From, To    Clinic
	Specialties []Specialty
	Surgeries   []Surgery // SpecialtyName names the destination's specialty (existing or added)
	Doctors     []Doctor
	Reasons     []Reason
}

// Empty reports a plan that adds nothing.
func (c CopyPlan) Empty() bool {
	return len(c.Specialties)+len(c.Surgeries)+len(c.Doctors)+len(c.Reasons) == 0
}

// Key identifies the plan's contents, for the form that shows it.
func (c CopyPlan) Key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d>%d|", c.From.ID, c.To.ID)
	for _, s := range c.Specialties {
		fmt.Fprintf(&b, "s%d|", s.ID)
	}
	for _, s := range c.Surgeries {
		fmt.Fprintf(&b, "g%d:%s|", s.ID, s.BaseStayHours)
	}
	for _, d := range c.Doctors {
		fmt.Fprintf(&b, "d%d|", d.ID)
	}
	for _, r := range c.Reasons {
		fmt.Fprintf(&b, "r%d|", r.ID)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:12])
}

// fold is the database's fold(): lower case without the Spanish accents.
func fold(s string) string {
	return strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ü", "u", "ñ", "n",
		"à", "a", "è", "e", "ì", "i", "ò", "o", "ù", "u").Replace(strings.ToLower(s))
}

func (t *Tx) copyPlan(ctx context.Context, from, to int64) (CopyPlan, error) {
	if from == to {
		return CopyPlan{}, ErrSameClinic
	}
	src, err := t.ClinicCatalog(ctx, from)
	if err != nil {
		return CopyPlan{}, err
	}
	dst, err := t.ClinicCatalog(ctx, to)
	if err != nil {
		return CopyPlan{}, err
	}
	plan := CopyPlan{From: src.Clinic, To: dst.Clinic}
	have := map[string]bool{}
	for _, s := range dst.Specialties {
		have["s"+fold(s.Name)] = true
	}
	for _, s := range dst.Surgeries {
		have["g"+fold(s.Name)] = true
	}
	for _, d := range dst.Doctors {
		have["d"+fold(d.FirstName+" "+d.LastName)] = true
		if d.RUT != "" {
			have["rut"+d.RUT] = true
		}
	}
	for _, r := range dst.Reasons {
		have["r"+r.Category+fold(r.Name)] = true
	}
	specialtyName := map[int64]string{}
	for _, s := range src.Specialties {
		specialtyName[s.ID] = s.Name
		if s.Active && !have["s"+fold(s.Name)] {
			plan.Specialties = append(plan.Specialties, s)
			have["s"+fold(s.Name)] = true
		}
	}
	for _, g := range src.Surgeries {
		if _, ok := src.ActiveSurgery(g.ID); ok && !have["g"+fold(g.Name)] {
			g.SpecialtyName = specialtyName[g.SpecialtyID]
			plan.Surgeries = append(plan.Surgeries, g)
			have["g"+fold(g.Name)] = true
		}
	}
	for _, d := range src.Doctors {
		if !d.Active || have["d"+fold(d.FirstName+" "+d.LastName)] || (d.RUT != "" && have["rut"+d.RUT]) {
			continue
		}
		if d.SpecialtyID != 0 {
			d.SpecialtyName = specialtyName[d.SpecialtyID]
		}
		plan.Doctors = append(plan.Doctors, d)
		have["d"+fold(d.FirstName+" "+d.LastName)] = true
	}
	for _, r := range src.Reasons {
		if r.Active && !have["r"+r.Category+fold(r.Name)] {
			plan.Reasons = append(plan.Reasons, r)
			have["r"+r.Category+fold(r.Name)] = true
		}
	}
	return plan, nil
}

// PlanCopy says what copying from one clinic to another would add (superusers).
func (s *Store) PlanCopy(ctx context.Context, p Principal, from, to int64) (CopyPlan, error) {
	var plan CopyPlan
	err := s.superuserOnly(ctx, p, func(tx *Tx) error {
		var err error
		plan, err = tx.copyPlan(ctx, from, to)
		return err
	})
	return plan, err
}

// CopyMasterData adds to the destination what the plan shown (key) said, or ErrPlanChanged
// when that is no longer what copying would add. Every row added is audited, and the copy.
func (s *Store) CopyMasterData(ctx context.Context, p Principal, from, to int64, key string) (CopyPlan, error) {
	var plan CopyPlan
	err := s.superuserOnly(ctx, p, func(tx *Tx) error {
		// The destination's row is locked first: two copies to one clinic run one after the other.
		if _, err := tx.exec(ctx, `SELECT 1 FROM clinics WHERE id = $1 FOR UPDATE`, to); err != nil {
			return err
		}
		var err error
		if plan, err = tx.copyPlan(ctx, from, to); err != nil {
			return err
		}
		if plan.Key() != key {
			return ErrPlanChanged
		}
		dst, err := tx.ClinicCatalog(ctx, to)
		if err != nil {
			return err
		}
		specialty := map[string]int64{}
		for _, s := range dst.Specialties {
			specialty[fold(s.Name)] = s.ID
		}
		for _, s := range plan.Specialties {
			id, err := tx.CreateSpecialty(ctx, to, s.Name)
			if err != nil {
				return err
			}
			specialty[fold(s.Name)] = id
		}
		for _, g := range plan.Surgeries {
			cutoff := 0
			if g.CutoffHour.Valid {
				cutoff = int(g.CutoffHour.Int16)
			}
			if _, err := tx.CreateSurgery(ctx, to, NewSurgery{SpecialtyID: specialty[fold(g.SpecialtyName)], Name: g.Name,
				BaseStayHours: g.BaseStayHours, Ambulatory: g.Ambulatory, CutoffHour: cutoff}); err != nil {
				return err
			}
		}
		for _, d := range plan.Doctors {
			if _, err := tx.CreateDoctor(ctx, to, NewDoctor{FirstName: d.FirstName, LastName: d.LastName,
				SpecialtyID: specialty[fold(d.SpecialtyName)], RUT: d.RUT}); err != nil {
				return err
			}
		}
		for _, r := range plan.Reasons {
			if _, err := tx.CreateReason(ctx, to, r.Category, r.Name); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, to, "copy_master_data", "clinic", to, map[string]any{"from": plan.From.Name,
			"specialties": len(plan.Specialties), "surgeries": len(plan.Surgeries), "doctors": len(plan.Doctors), "reasons": len(plan.Reasons)})
	})
	return plan, err
}
