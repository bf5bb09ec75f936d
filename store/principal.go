package store

// Role is what a user may do (RULES §9).
type Role string

// The roles. Superusers are global (no clinic); the others belong to exactly one clinic.
const (
	RoleSuperuser Role = "superuser"
	RoleAdmin     Role = "admin"
	RoleClinical  Role = "clinical"
	RoleViewer    Role = "visualizador"
)

// Label is the role's name as users know it.
func (r Role) Label() string {
	switch r {
	case RoleSuperuser:
		return "Superusuario"
	case RoleAdmin:
		return "Administrador"
	case RoleClinical:
		return "Usuario Clínico"
	case RoleViewer:
		return "Visualizador"
	}
	return string(r)
}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleSuperuser, RoleAdmin, RoleClinical, RoleViewer:
		return true
	}
	return false
}

// Principal is who acts in a request and over which clinic(s). A non-superuser always has
// exactly their own ClinicID; a superuser has either a chosen ClinicID or AllClinics.
//
// UserVersion and ClinicVersion are the versions of the user and of the clinic acted on that
// the principal was made from: every transaction checks them (app_enter), so a principal kept
// in a session acts only while its user and clinic are as they were (ErrPrincipalChanged).
type Principal struct {
	UserID        int64
	Username      string
	Role          Role
	ClinicID      int64
	AllClinics    bool
	UserVersion   int64
	ClinicVersion int64
	// system marks the store's own work across clinics before or after a principal exists
	// (sign-in, sign-out, the demo seed): no user to check.
	system bool
}

// Capabilities of the roles (RULES §9): routes, handlers and templates ask these, never the
// role itself.

// CanWrite reports whether the principal creates and changes tickets (everyone but viewers).
func (p Principal) CanWrite() bool {
	return p.Role == RoleClinical || p.IsAdmin()
}

// IsAdmin reports whether the principal administers a clinic (an admin, or a superuser for
// any clinic): reverting annulments, undoing discharges, correcting patients, master data.
func (p Principal) IsAdmin() bool { return p.Role == RoleAdmin || p.Role == RoleSuperuser }

// CanRead reports whether the principal may read the board and tickets (every known role).
func (p Principal) CanRead() bool { return p.Role.Valid() }

// IsSuperuser reports whether the principal is a global superuser.
func (p Principal) IsSuperuser() bool { return p.Role == RoleSuperuser }

// InClinic is the principal acting on clinic c (a superuser's choice) at its version.
func (p Principal) InClinic(c Clinic) Principal {
	p.AllClinics, p.ClinicID, p.ClinicVersion = false, c.ID, c.Version
	return p
}

// InAllClinics is a superuser's principal acting on every clinic.
func (p Principal) InAllClinics() Principal {
	p.AllClinics, p.ClinicID, p.ClinicVersion = true, 0, 0
	return p
}
