package store

import (
	"context"
	"fmt"
	"time"
)

// LoginAuditRow is one sign-in attempt as admins review it.
type LoginAuditRow struct {
	At        time.Time `db:"at"`
	Username  string    `db:"username"`
	Method    string    `db:"method"`
	Success   bool      `db:"success"`
	Reason    string    `db:"reason"`
	IP        string    `db:"ip"`
	UserAgent string    `db:"user_agent"`
}

const loginAuditSQL = `
SELECT at, username, method, success, reason, ip, user_agent
FROM login_audit
WHERE ($1 OR clinic_id = $2)
ORDER BY at DESC, id DESC
LIMIT $3`

// LoginAudit lists the newest sign-in attempts of the principal's clinic (all for superusers).
func (s *Store) LoginAudit(ctx context.Context, p Principal, limit int) ([]LoginAuditRow, error) {
	var out []LoginAuditRow
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		return tx.tx.SelectContext(ctx, &out, loginAuditSQL, p.AllClinics, p.ClinicID, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("store: login audit: %w", err)
	}
	return out, nil
}

// ActionAuditRow is one audited change.
type ActionAuditRow struct {
	At       time.Time `db:"at"`
	UserID   *int64    `db:"user_id"`
	ClinicID *int64    `db:"clinic_id"`
	Action   string    `db:"action"`
	Entity   string    `db:"entity"`
	EntityID *int64    `db:"entity_id"`
	Details  string    `db:"details"`
}

const actionAuditSQL = `
SELECT at, user_id, clinic_id, action, entity, entity_id, details::text AS details
FROM action_audit
WHERE ($1 OR clinic_id = $2)
ORDER BY at DESC, id DESC
LIMIT $3`

// ActionAudit lists the newest audited changes of the principal's clinic (all for superusers).
func (s *Store) ActionAudit(ctx context.Context, p Principal, limit int) ([]ActionAuditRow, error) {
	var out []ActionAuditRow
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		return tx.tx.SelectContext(ctx, &out, actionAuditSQL, p.AllClinics, p.ClinicID, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("store: action audit: %w", err)
	}
	return out, nil
}
