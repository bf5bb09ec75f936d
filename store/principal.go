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
type Principal struct {
	UserID     int64
	Username   string
	Role       Role
	ClinicID   int64
	AllClinics bool
}

// IsSuperuser reports whether the principal is a global superuser.
func (p Principal) IsSuperuser() bool { return p.Role == RoleSuperuser }
