package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// User is an account. PasswordHash is empty for IAP-only users; ClinicID is 0 for superusers.
type User struct {
	ID           int64        `db:"id"`
	ClinicID     int64        `db:"clinic_id"`
	ClinicName   string       `db:"clinic_name"`
	Username     string       `db:"username"`
	Email        string       `db:"email"`
	PasswordHash string       `db:"password_hash"`
	Role         Role         `db:"role"`
	Active       bool         `db:"active"`
	LastLoginAt  sql.NullTime `db:"last_login_at"`
	CreatedAt    time.Time    `db:"created_at"`
	// Version and ClinicVersion stamp a principal made from this user (Principal).
	Version       int64 `db:"version"`
	ClinicVersion int64 `db:"clinic_version"`
	// What the user's board remembers (SaveBoardPreferences).
	BoardView string `db:"board_view"`
	BoardWard string `db:"board_ward"`
}

// Principal is the user acting on their own clinic, or on every clinic for a superuser.
func (u User) Principal() Principal {
	return Principal{UserID: u.ID, Username: u.Username, Role: u.Role, ClinicID: u.ClinicID,
		AllClinics: u.Role == RoleSuperuser, UserVersion: u.Version, ClinicVersion: u.ClinicVersion}
}

const userColumns = `
SELECT u.id, coalesce(u.clinic_id, 0) AS clinic_id, coalesce(c.name, '') AS clinic_name,
       u.username, coalesce(u.email, '') AS email, coalesce(u.password_hash, '') AS password_hash,
       u.role, u.active AND coalesce(c.active, true) AS active, u.last_login_at, u.created_at,
       u.version, coalesce(c.version, 0) AS clinic_version, u.board_view, u.board_ward
FROM users u
LEFT JOIN clinics c ON c.id = u.clinic_id`

// UserByUsername finds a user for sign-in, active or not (the caller refuses inactive ones
// with the same message as a wrong password). It precedes any principal, so it reads across
// clinics.
func (s *Store) UserByUsername(ctx context.Context, username string) (User, error) {
	return s.userWhere(ctx, `WHERE lower(u.username) = lower($1)`, strings.TrimSpace(username))
}

// UserByEmail finds a user by e-mail, for IAP sign-in.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	return s.userWhere(ctx, `WHERE lower(u.email) = lower($1)`, strings.TrimSpace(email))
}

// UserByID loads the signed-in user of a session on each request, so that deactivating a
// user or their clinic takes effect at once.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	return s.userWhere(ctx, `WHERE u.id = $1`, id)
}

func (s *Store) userWhere(ctx context.Context, where string, arg any) (User, error) {
	var u User
	err := s.withSystem(ctx, func(tx *Tx) error {
		return tx.tx.GetContext(ctx, &u, userColumns+"\n"+where, arg)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("store: user: %w", err)
	}
	return u, nil
}

// LoginAttempt is one sign-in attempt for the login audit. It never holds a password.
type LoginAttempt struct {
	UserID    int64
	ClinicID  int64
	Username  string
	Method    string // "password" or "iap"
	Success   bool
	Reason    string // why it failed: "unknown_user", "bad_password", "inactive", …
	IP        string
	UserAgent string
	// CountFailure adds this failed password to the sign-in throttle's counters.
	CountFailure bool
	// At is when the attempt happened (the throttle's clock).
	At time.Time
}

const insertLoginAuditSQL = `
INSERT INTO login_audit (user_id, clinic_id, username, method, success, reason, ip, user_agent)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`

// The board's layouts a user may choose: BoardViewAuto lets the screen's width decide.
const (
	BoardViewAuto  = ""
	BoardViewCards = "tarjetas"
	BoardViewTable = "tabla"
)

// SaveBoardPreferences remembers the principal's board layout and ward.
func (s *Store) SaveBoardPreferences(ctx context.Context, p Principal, view, ward string) error {
	if view != BoardViewAuto && view != BoardViewCards && view != BoardViewTable {
		return fmt.Errorf("store: board view %q", view)
	}
	err := s.withSystem(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE users SET board_view = $2, board_ward = $3 WHERE id = $1`, p.UserID, view, truncateRunes(ward, MaxLocationText))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: board preferences: %w", err)
	}
	return nil
}

const touchLastLoginSQL = `UPDATE users SET last_login_at = now() WHERE id = $1`

// RecordLogin writes the login audit row of an attempt, with what it changes, in one
// transaction (RULES §10): on success the user's last sign-in time and, for a password, the
// end of the account's failure count from that address; on a counted failure, the throttle's
// counters. The caller signs the user in only after this succeeded.
func (s *Store) RecordLogin(ctx context.Context, a LoginAttempt) error {
	nullable := func(v int64) any {
		if v == 0 {
			return nil
		}
		return v
	}
	ua := truncateRunes(a.UserAgent, 512)
	name := truncateRunes(a.Username, 254)
	err := s.withSystem(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, insertLoginAuditSQL, nullable(a.UserID), nullable(a.ClinicID),
			name, a.Method, a.Success, a.Reason, a.IP, ua); err != nil {
			return err
		}
		if a.Success && a.UserID != 0 {
			if _, err := tx.tx.ExecContext(ctx, touchLastLoginSQL, a.UserID); err != nil {
				return err
			}
		}
		if a.Success && a.Method == "password" {
			return tx.forgetFailures(ctx, a.Username, a.IP)
		}
		if a.CountFailure {
			return tx.countFailure(ctx, a.Username, a.IP, a.At)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: record login: %w", err)
	}
	return nil
}

// NewUser is the data to create a user.
type NewUser struct {
	ClinicID     int64
	Username     string
	Email        string
	PasswordHash string
	Role         Role
}

const insertUserSQL = `
INSERT INTO users (clinic_id, username, email, password_hash, role)
VALUES ($1, lower($2), nullif(lower($3), ''), nullif($4, ''), $5)
RETURNING id`

// CreateUser adds a user to the principal's scope and audits it.
func (s *Store) CreateUser(ctx context.Context, p Principal, n NewUser) (int64, error) {
	var id int64
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		return tx.createUser(ctx, n, &id)
	})
	return id, err
}

func (t *Tx) createUser(ctx context.Context, n NewUser, id *int64) error {
	var clinic any
	if n.ClinicID != 0 {
		clinic = n.ClinicID
	}
	if err := t.tx.GetContext(ctx, id, insertUserSQL, clinic, n.Username, n.Email, n.PasswordHash, n.Role); err != nil {
		return fmt.Errorf("store: create user: %w", asConstraint(err))
	}
	return t.Audit(ctx, n.ClinicID, "create_user", "user", *id,
		map[string]any{"username": strings.ToLower(n.Username), "role": n.Role})
}

const superuserAllowedSQL = `SELECT EXISTS (SELECT 1 FROM superusers WHERE lower(email) = lower($1))`

// EnsureAllowListedSuperuser creates the global superuser account of an allow-listed e-mail
// on its first IAP sign-in, and reports ErrNotFound for an e-mail not on the list. The
// username comes from the e-mail's local part, made unique ("ana", "ana-2", …) so two
// addresses with the same local part on different domains both get in.
func (s *Store) EnsureAllowListedSuperuser(ctx context.Context, email string) (User, error) {
	var id int64
	err := s.withSystem(ctx, func(tx *Tx) error {
		var ok bool
		if err := tx.tx.GetContext(ctx, &ok, superuserAllowedSQL, email); err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		local, _, _ := strings.Cut(strings.ToLower(email), "@")
		base := sanitizeUsername(local)
		username := base
		for n := 2; ; n++ {
			var taken bool
			if err := tx.tx.GetContext(ctx, &taken, usernameTakenSQL, username); err != nil {
				return err
			}
			if !taken {
				break
			}
			suffix := fmt.Sprintf("-%d", n)
			username = base[:min(len(base), 40-len(suffix))] + suffix
		}
		return tx.createUser(ctx, NewUser{Username: username, Email: email, Role: RoleSuperuser}, &id)
	})
	var ce *ConstraintError
	if errors.As(err, &ce) && ce.Kind == "unique" {
		// Two first sign-ins of the same e-mail at once: the other one created the account.
		return s.UserByEmail(ctx, email)
	}
	if err != nil {
		return User{}, err
	}
	return s.UserByID(ctx, id)
}

const usernameTakenSQL = `SELECT EXISTS (SELECT 1 FROM users WHERE lower(username) = lower($1))`

func sanitizeUsername(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		}
	}
	out := b.String()
	for len(out) < 3 {
		out += "_"
	}
	if len(out) > 40 {
		out = out[:40]
	}
	return out
}

// RecordLogout audits a sign-out. It runs in the system scope because the session is ending,
// but the row names the user and their clinic.
func (s *Store) RecordLogout(ctx context.Context, u User, ip, userAgent string) error {
	err := s.inTx(ctx, Principal{UserID: u.ID, Role: RoleSuperuser, AllClinics: true, system: true}, func(tx *Tx) error {
		return tx.Audit(ctx, u.ClinicID, "logout", "user", u.ID, map[string]any{"ip": ip})
	})
	if err != nil {
		return fmt.Errorf("store: record logout: %w", err)
	}
	return nil
}
