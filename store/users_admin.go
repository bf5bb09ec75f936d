package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// The administration of users (RULES §9): admins manage the clinical and visualizador users
// of their clinic; superusers manage everybody, and alone create or promote admins and
// superusers. Nobody deactivates or demotes themselves, a clinic keeps an active admin and the
// network an active superuser (the database refuses the last one's deactivation or demotion).
// Superusers have no clinic, so a superuser's user administration runs across every clinic.

// Errors of user administration, beside ErrNotFound, ErrConflict and *ConstraintError (a
// username or e-mail in use).
var (
	// ErrRoleNotAllowed is a role the principal may not give, or a user they may not manage.
	ErrRoleNotAllowed = errors.New("store: role not allowed for this principal")
	// ErrSelf refuses users deactivating themselves or changing their own role.
	ErrSelf = errors.New("store: users do not deactivate or demote themselves")
	// ErrLastAdmin refuses to leave a clinic without an active admin.
	ErrLastAdmin = errors.New("store: the clinic's last active admin")
	// ErrLastSuperuser refuses to leave the network without an active superuser.
	ErrLastSuperuser = errors.New("store: the last active superuser")
)

// CanManage reports whether principal p may create or manage users of role r.
func (p Principal) CanManage(r Role) bool {
	switch p.Role {
	case RoleSuperuser:
		return r.Valid()
	case RoleAdmin:
		return r == RoleClinical || r == RoleViewer
	}
	return false
}

// UserInput is a user as the users form saves it: ClinicID 0 for a superuser; an empty
// PasswordHash keeps the current password of an existing user.
type UserInput struct {
	Username     string
	Email        string
	Role         Role
	ClinicID     int64
	PasswordHash string
}

const listUsersSQL = `
SELECT u.id, coalesce(u.clinic_id, 0) AS clinic_id, coalesce(c.name, '') AS clinic_name, u.username,
       coalesce(u.email, '') AS email, u.role, u.active, u.last_login_at, u.created_at, u.version,
       u.password_hash IS NOT NULL AS has_password
FROM users u LEFT JOIN clinics c ON c.id = u.clinic_id
WHERE ($1 = 0 OR u.clinic_id = $1) AND ($2 = 0 OR u.id = $2)
ORDER BY c.name NULLS FIRST, u.username`

// ListedUser is a user as the users' pages show them (never a password hash).
type ListedUser struct {
	ID          int64        `db:"id"`
	ClinicID    int64        `db:"clinic_id"`
	ClinicName  string       `db:"clinic_name"`
	Username    string       `db:"username"`
	Email       string       `db:"email"`
	Role        Role         `db:"role"`
	Active      bool         `db:"active"`
	LastLoginAt sql.NullTime `db:"last_login_at"`
	CreatedAt   time.Time    `db:"created_at"`
	Version     int64        `db:"version"`
	HasPassword bool         `db:"has_password"`
}

// userScope is the principal user administration runs as: a superuser across every clinic
// (superusers have none), an admin in their clinic.
func userScope(p Principal) Principal {
	if p.IsSuperuser() {
		return p.InAllClinics()
	}
	return p
}

// Users lists the users the principal administers: an admin's clinic; a superuser's chosen
// clinic, or everybody (superusers included) when looking at every clinic.
func (s *Store) Users(ctx context.Context, p Principal) ([]ListedUser, error) {
	return s.users(ctx, p, 0)
}

// ManagedUser is one user as Users lists them; ErrNotFound when it is not in the principal's
// scope.
func (s *Store) ManagedUser(ctx context.Context, p Principal, id int64) (ListedUser, error) {
	out, err := s.users(ctx, p, id)
	if err == nil && len(out) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return ListedUser{}, err
	}
	return out[0], nil
}

func (s *Store) users(ctx context.Context, p Principal, id int64) ([]ListedUser, error) {
	clinic := p.ClinicID
	if p.AllClinics || (p.IsSuperuser() && id != 0) {
		clinic = 0
	}
	var out []ListedUser
	err := s.WithTenant(ctx, userScope(p), func(tx *Tx) error {
		return tx.tx.SelectContext(ctx, &out, listUsersSQL, clinic, id)
	})
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	return out, nil
}

const (
	lockUserSQL = `
SELECT id, coalesce(clinic_id, 0) AS clinic_id, username, coalesce(email, '') AS email, role, active, version
FROM users WHERE id = $1 FOR UPDATE`
	updateUserSQL = `
UPDATE users SET username = lower($2), email = nullif(lower($3), ''), role = $4, clinic_id = nullif($5, 0),
       password_hash = coalesce(nullif($6, ''), password_hash)
WHERE id = $1`
)

type lockedUser struct {
	ID       int64  `db:"id"`
	ClinicID int64  `db:"clinic_id"`
	Username string `db:"username"`
	Email    string `db:"email"`
	Role     Role   `db:"role"`
	Active   bool   `db:"active"`
	Version  int64  `db:"version"`
}

func (u *lockedUser) rowVersion() int64 { return u.Version }

// SaveUser creates (ch.ID 0) or edits a user. An admin's users belong to the admin's clinic
// whatever in.ClinicID says.
func (s *Store) SaveUser(ctx context.Context, p Principal, ch RowEdit, in UserInput) (id int64, err error) {
	if !p.IsSuperuser() {
		in.ClinicID = p.ClinicID
	}
	if in.Role == RoleSuperuser {
		in.ClinicID = 0
	}
	if (!p.CanManage(in.Role) && ch.ID != p.UserID) || (in.Role != RoleSuperuser && in.ClinicID <= 0) {
		return 0, ErrRoleNotAllowed
	}
	err = s.WithTenant(ctx, userScope(p), func(tx *Tx) error {
		if ch.ID == 0 {
			return tx.createUser(ctx, NewUser{ClinicID: in.ClinicID, Username: in.Username, Email: in.Email,
				PasswordHash: in.PasswordHash, Role: in.Role}, &id)
		}
		var before lockedUser
		if err := tx.lockRow(ctx, &before, lockUserSQL, ch); err != nil {
			return err
		}
		if before.ID == p.UserID && (before.Role != in.Role || before.ClinicID != in.ClinicID) {
			return ErrSelf
		}
		if !p.CanManage(before.Role) && before.ID != p.UserID {
			return ErrRoleNotAllowed
		}
		id = ch.ID
		if _, err := tx.exec(ctx, updateUserSQL, ch.ID, in.Username, in.Email, in.Role, in.ClinicID, in.PasswordHash); err != nil {
			return lastAdmin(fmt.Errorf("store: edit user: %w", asConstraint(err)))
		}
		after := map[string]any{"username": in.Username, "email": in.Email, "role": in.Role, "clinic_id": in.ClinicID,
			"password_changed": in.PasswordHash != ""}
		return tx.Audit(ctx, in.ClinicID, "edit_user", "user", ch.ID, beforeAfter(map[string]any{
			"username": before.Username, "email": before.Email, "role": before.Role, "clinic_id": before.ClinicID}, after))
	})
	return id, err
}

const setUserActiveSQL = `UPDATE users SET active = $2 WHERE id = $1`

// SetUserActive deactivates or reactivates a user; changed is false when the user already was
// so. A deactivated user's sessions end at their next request (their version changed).
func (s *Store) SetUserActive(ctx context.Context, p Principal, id int64, active bool) (changed bool, err error) {
	err = s.WithTenant(ctx, userScope(p), func(tx *Tx) error {
		var u lockedUser
		if err := tx.tx.GetContext(ctx, &u, lockUserSQL, id); err != nil {
			return notFound(err, "store: set user active")
		}
		if u.ID == p.UserID {
			return ErrSelf
		}
		if !p.CanManage(u.Role) {
			return ErrRoleNotAllowed
		}
		if u.Active == active {
			return nil
		}
		if _, err := tx.exec(ctx, setUserActiveSQL, id, active); err != nil {
			return lastAdmin(fmt.Errorf("store: set user active: %w", err))
		}
		changed = true
		action := "deactivate_user"
		if active {
			action = "reactivate_user"
		}
		return tx.Audit(ctx, u.ClinicID, action, "user", id, beforeAfter(map[string]any{"active": u.Active}, map[string]any{"active": active}))
	})
	return changed, err
}

const setOwnPasswordSQL = `UPDATE users SET password_hash = $2 WHERE id = $1 AND version = $3`

// ChangeOwnPassword sets the principal's own password (the caller checked the current one
// against the user as of UserVersion; ErrConflict when the account changed since).
func (s *Store) ChangeOwnPassword(ctx context.Context, p Principal, hash string) error {
	return s.WithTenant(ctx, userScope(p), func(tx *Tx) error {
		res, err := tx.exec(ctx, setOwnPasswordSQL, p.UserID, hash, p.UserVersion)
		if err != nil {
			return fmt.Errorf("store: change password: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrConflict
		}
		clinic := p.ClinicID
		if p.IsSuperuser() {
			clinic = 0
		}
		return tx.Audit(ctx, clinic, "change_own_password", "user", p.UserID, nil)
	})
}

// lastAdmin turns the database's refusals of the last admin or superuser into their errors.
func lastAdmin(err error) error {
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case "TH003":
			return ErrLastAdmin
		case "TH004":
			return ErrLastSuperuser
		}
	}
	return err
}
