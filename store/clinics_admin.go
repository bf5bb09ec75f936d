package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// The clinics and the superuser allow-list (RULES §7, §9): superusers only. A clinic is
// created with the default discharge blocks; its code can change until it has a ticket;
// deactivated, its users no longer sign in and its data stay. The allow-list names the
// e-mails that become superusers at their first Google sign-in: removing one stops that,
// the account itself is managed as a user.

// ErrCodeLocked refuses to change the code of a clinic that has tickets (their codes use it).
var ErrCodeLocked = errors.New("store: the clinic's code is in its tickets' codes")

// ClinicRow is a clinic as the clinics page lists it.
type ClinicRow struct {
	Clinic
	Tickets int `db:"tickets"`
	Users   int `db:"users"`
}

// AllowedEmail is an e-mail of the superuser allow-list.
type AllowedEmail struct {
	ID    int64  `db:"id"`
	Email string `db:"email"`
}

// ClinicsPage is the clinics page's data.
type ClinicsPage struct {
	Clinics []ClinicRow
	Allowed []AllowedEmail
}

const (
	clinicRowsSQL = `
SELECT c.id, c.name, c.code, c.active, c.critical_hours, c.warning_hours, c.discharge_capacity, c.version,
       (SELECT count(*) FROM tickets t WHERE t.clinic_id = c.id) AS tickets,
       (SELECT count(*) FROM users u WHERE u.clinic_id = c.id AND u.active) AS users
FROM clinics c ORDER BY c.name`
	allowedEmailsSQL = `SELECT id, email FROM superusers ORDER BY lower(email)`
)

// superuserOnly runs fn across every clinic for a superuser; anyone else is ErrForbidden.
func (s *Store) superuserOnly(ctx context.Context, p Principal, fn func(*Tx) error) error {
	if !p.IsSuperuser() {
		return ErrForbidden
	}
	return s.WithTenant(ctx, p.InAllClinics(), fn)
}

// ReadClinicsPage lists the clinics and the allow-list.
func (s *Store) ReadClinicsPage(ctx context.Context, p Principal) (ClinicsPage, error) {
	var out ClinicsPage
	err := s.superuserOnly(ctx, p, func(tx *Tx) error {
		if err := tx.tx.SelectContext(ctx, &out.Clinics, clinicRowsSQL); err != nil {
			return err
		}
		return tx.tx.SelectContext(ctx, &out.Allowed, allowedEmailsSQL)
	})
	if err != nil {
		return ClinicsPage{}, fmt.Errorf("store: clinics page: %w", err)
	}
	return out, nil
}

const (
	lockClinicSQL   = `SELECT id, name, code, active, version, EXISTS (SELECT 1 FROM tickets t WHERE t.clinic_id = c.id) AS has_tickets FROM clinics c WHERE id = $1 FOR UPDATE`
	updateClinicSQL = `UPDATE clinics SET name = $2, code = $3 WHERE id = $1`
)

type lockedClinic struct {
	ID         int64  `db:"id"`
	Name       string `db:"name"`
	Code       string `db:"code"`
	Active     bool   `db:"active"`
	Version    int64  `db:"version"`
	HasTickets bool   `db:"has_tickets"`
}

func (c *lockedClinic) rowVersion() int64 { return c.Version }

// SaveClinic creates a clinic (with the default discharge blocks) or renames it; its code
// changes only while it has no ticket (ErrCodeLocked).
func (s *Store) SaveClinic(ctx context.Context, p Principal, ch RowEdit, name, code string) (id int64, err error) {
	err = s.superuserOnly(ctx, p, func(tx *Tx) error {
		if ch.ID == 0 {
			if id, err = tx.CreateClinic(ctx, name, code); err != nil {
				return err
			}
			return tx.CreateDefaultBlocks(ctx, id)
		}
		var before lockedClinic
		if err := tx.lockRow(ctx, &before, lockClinicSQL, ch); err != nil {
			return err
		}
		if code != before.Code && before.HasTickets {
			return ErrCodeLocked
		}
		id = ch.ID
		if _, err := tx.exec(ctx, updateClinicSQL, ch.ID, name, code); err != nil {
			return fmt.Errorf("store: edit clinic: %w", asConstraint(err))
		}
		return tx.Audit(ctx, ch.ID, "edit_clinic", "clinic", ch.ID, beforeAfter(
			map[string]any{"name": before.Name, "code": before.Code}, map[string]any{"name": name, "code": code}))
	})
	return id, err
}

// SetClinicActive deactivates or reactivates a clinic; changed is false when it already was so.
func (s *Store) SetClinicActive(ctx context.Context, p Principal, id int64, active bool) (changed bool, err error) {
	err = s.superuserOnly(ctx, p, func(tx *Tx) error {
		var was bool
		if err := tx.tx.GetContext(ctx, &was, `SELECT active FROM clinics WHERE id = $1 FOR UPDATE`, id); err != nil {
			return notFound(err, "store: set clinic active")
		}
		if was == active {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE clinics SET active = $2 WHERE id = $1`, id, active); err != nil {
			return fmt.Errorf("store: set clinic active: %w", err)
		}
		changed = true
		action := map[bool]string{true: "reactivate_clinic", false: "deactivate_clinic"}[active]
		return tx.Audit(ctx, id, action, "clinic", id, beforeAfter(map[string]any{"active": was}, map[string]any{"active": active}))
	})
	return changed, err
}

// AllowSuperuser adds an e-mail to the allow-list (a *ConstraintError "unique" when it is there).
func (s *Store) AllowSuperuser(ctx context.Context, p Principal, email string) error {
	return s.superuserOnly(ctx, p, func(tx *Tx) error {
		var id int64
		if err := tx.tx.GetContext(ctx, &id, `INSERT INTO superusers (email) VALUES (lower($1)) RETURNING id`, email); err != nil {
			return fmt.Errorf("store: allow superuser: %w", asConstraint(err))
		}
		return tx.Audit(ctx, 0, "allow_superuser", "superuser_email", id, map[string]any{"email": strings.ToLower(email)})
	})
}

// DisallowSuperuser removes an e-mail from the allow-list; the account, if any, stays.
func (s *Store) DisallowSuperuser(ctx context.Context, p Principal, id int64) error {
	return s.superuserOnly(ctx, p, func(tx *Tx) error {
		var email string
		if err := tx.tx.GetContext(ctx, &email, `DELETE FROM superusers WHERE id = $1 RETURNING email`, id); err != nil {
			return notFound(err, "store: disallow superuser")
		}
		return tx.Audit(ctx, 0, "disallow_superuser", "superuser_email", id, map[string]any{"email": email})
	})
}

// EnsureAllowedSuperusers adds the configured e-mails (SUPERUSER_EMAILS) to the allow-list at
// start; it never removes one (those added in the application stay).
func (s *Store) EnsureAllowedSuperusers(ctx context.Context, emails []string) error {
	if len(emails) == 0 {
		return nil
	}
	return s.withSystem(ctx, func(tx *Tx) error {
		for _, e := range emails {
			if _, err := tx.tx.ExecContext(ctx, `INSERT INTO superusers (email) VALUES (lower($1)) ON CONFLICT DO NOTHING`, e); err != nil {
				return fmt.Errorf("store: superuser e-mails: %w", err)
			}
		}
		return nil
	})
}
