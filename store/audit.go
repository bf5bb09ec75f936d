package store

import (
	"context"
	"database/sql"
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

// AuditFilter narrows the audit log (RULES §10, §11): a range of Santiago dates, a user, an
// action ("login" for sign-ins), a ticket's code and a patient's canonical RUT (the tickets
// of that patient and the patient's own record: the access report Ley 20.584 gives a
// patient). Zero values do not filter.
type AuditFilter struct {
	From, To   time.Time // To is exclusive
	UserID     int64
	Action     string
	TicketCode string
	PatientRUT string
}

// AuditEntry is one line of the audit log: an audited change or a sign-in attempt.
type AuditEntry struct {
	ID         int64         `db:"id"`
	At         time.Time     `db:"at"`
	Kind       string        `db:"kind"` // "action" or "login"
	UserID     sql.NullInt64 `db:"user_id"`
	Username   string        `db:"username"`
	ClinicName string        `db:"clinic_name"`
	Action     string        `db:"action"`
	Entity     string        `db:"entity"`
	EntityID   sql.NullInt64 `db:"entity_id"`
	Details    string        `db:"details"`
	IP         string        `db:"ip"`
	UserAgent  string        `db:"user_agent"`
	Success    bool          `db:"success"`
	TicketCode string        `db:"ticket_code"`
	Total      int           `db:"total"`
}

// AuditPageSize is how many entries a page of the audit log shows.
const AuditPageSize = 50

// AuditLog is a page of the audit log and what its filters offer.
type AuditLog struct {
	Entries []AuditEntry
	Total   int
	Page    int // 1-based, within 1…Pages
	Pages   int
	Users   []ListedUser
}

const auditLogSQL = `
WITH tk AS (
    SELECT t.id FROM tickets t
    WHERE ($5 = '' OR t.code = upper($5))
      AND ($6 = '' OR t.patient_id IN (SELECT p.id FROM patients p WHERE p.rut = $6))
), pt AS (
    SELECT p.id FROM patients p WHERE $6 <> '' AND p.rut = $6
), q AS (
    SELECT a.id, a.at, 'action' AS kind, a.user_id, coalesce(u.username, '') AS username,
           coalesce(c.name, '') AS clinic_name, a.action, a.entity, a.entity_id, a.details::text AS details,
           '' AS ip, '' AS user_agent, true AS success, coalesce(t.code, '') AS ticket_code
    FROM action_audit a
    LEFT JOIN users u ON u.id = a.user_id
    LEFT JOIN clinics c ON c.id = a.clinic_id
    LEFT JOIN tickets t ON a.entity = 'ticket' AND t.id = a.entity_id
    WHERE ($1::timestamptz IS NULL OR a.at >= $1) AND ($2::timestamptz IS NULL OR a.at < $2)
      AND ($3 = 0 OR a.user_id = $3) AND ($4 = '' OR a.action = $4)
      AND (($5 = '' AND $6 = '')
           OR (a.entity = 'ticket' AND a.entity_id IN (SELECT id FROM tk))
           OR (a.entity = 'patient' AND a.entity_id IN (SELECT id FROM pt)))
    UNION ALL
    SELECT l.id, l.at, 'login', l.user_id, l.username, coalesce(c.name, ''),
           CASE WHEN l.success THEN 'login' ELSE 'login_failed' END, 'session', NULL,
           json_build_object('method', l.method, 'reason', l.reason)::text, l.ip, l.user_agent, l.success, ''
    FROM login_audit l
    LEFT JOIN clinics c ON c.id = l.clinic_id
    WHERE $5 = '' AND $6 = '' AND ($4 = '' OR $4 = 'login')
      AND ($1::timestamptz IS NULL OR l.at >= $1) AND ($2::timestamptz IS NULL OR l.at < $2)
      AND ($3 = 0 OR l.user_id = $3)
)
SELECT *, count(*) OVER () AS total FROM q ORDER BY at DESC, kind, id DESC LIMIT $7 OFFSET $8`

func (f AuditFilter) args(limit, offset int) []any {
	var from, to any
	if !f.From.IsZero() {
		from = f.From
	}
	if !f.To.IsZero() {
		to = f.To
	}
	return []any{from, to, f.UserID, f.Action, f.TicketCode, f.PatientRUT, limit, offset}
}

// ReadAuditLog is page (1-based; beyond the last, the last) of the audit log of the
// principal's clinic (every clinic for a superuser looking at all), newest first, with the
// users the filter offers: one transaction.
func (s *Store) ReadAuditLog(ctx context.Context, p Principal, f AuditFilter, page int) (AuditLog, error) {
	var out AuditLog
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		clinic := p.ClinicID
		if p.AllClinics {
			clinic = 0
		}
		if err := tx.tx.SelectContext(ctx, &out.Users, listUsersSQL, clinic, 0); err != nil {
			return err
		}
		for {
			page = max(page, 1)
			out.Entries = out.Entries[:0]
			if err := tx.tx.SelectContext(ctx, &out.Entries, auditLogSQL, f.args(AuditPageSize, (page-1)*AuditPageSize)...); err != nil {
				return err
			}
			if len(out.Entries) > 0 || page == 1 {
				break
			}
			// Beyond the last page: count, then read the last one.
			var n int
			if err := tx.tx.GetContext(ctx, &n, `SELECT count(*) FROM (`+auditLogSQL+`) x`, f.args(1<<30, 0)...); err != nil {
				return err
			}
			page = (n + AuditPageSize - 1) / AuditPageSize
			if n == 0 {
				page = 1
			}
		}
		return nil
	})
	if err != nil {
		return AuditLog{}, fmt.Errorf("store: audit log: %w", err)
	}
	if len(out.Entries) > 0 {
		out.Total = out.Entries[0].Total
	}
	out.Page, out.Pages = page, max(1, (out.Total+AuditPageSize-1)/AuditPageSize)
	return out, nil
}

// ExportAuditLog calls fn for every entry the filter selects, newest first, and audits the
// export (its filters, not its data) in the same transaction. It returns the code of the
// principal's clinic ("" for every clinic), for the file's name.
func (s *Store) ExportAuditLog(ctx context.Context, p Principal, f AuditFilter, fn func(AuditEntry) error) (code string, err error) {
	err = s.WithTenant(ctx, p, func(tx *Tx) error {
		if !p.AllClinics {
			if err := tx.tx.GetContext(ctx, &code, `SELECT code FROM clinics WHERE id = $1`, p.ClinicID); err != nil {
				return fmt.Errorf("store: export audit: %w", err)
			}
		}
		rows, err := tx.tx.QueryxContext(ctx, auditLogSQL, f.args(1<<30, 0)...)
		if err != nil {
			return fmt.Errorf("store: export audit: %w", err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var e AuditEntry
			if err := rows.StructScan(&e); err != nil {
				return fmt.Errorf("store: export audit: %w", err)
			}
			if err := fn(e); err != nil {
				return err
			}
			n++
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: export audit: %w", err)
		}
		clinic := p.ClinicID
		if p.AllClinics {
			clinic = 0
		}
		return tx.Audit(ctx, clinic, "export_audit", "audit", 0, map[string]any{
			"from": f.From, "to": f.To, "user_id": f.UserID, "action": f.Action, "ticket_code": f.TicketCode,
			"patient_rut": f.PatientRUT, "rows": n})
	})
	return code, err
}
