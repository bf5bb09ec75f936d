package components

import (
	"strconv"

	"github.com/redsalud/ticket-home/store"
)

// UserValues is the users form as typed (the passwords are never shown again).
type UserValues struct {
	Username, Email, Role, Clinic string
	Password, Confirm             string
}

// UsersProps is the list of the users an admin or superuser administers.
type UsersProps struct {
	Page
	Users      []store.ListedUser
	Me         store.Principal
	ClinicName string // "" when a superuser looks at every clinic
	Clinics    []store.Clinic
	Selected   string
	Refused    Errors
}

// UserEditProps is the form of a new user or of an existing one.
type UserEditProps struct {
	Page
	Heading    string
	Action     string
	New        bool
	Version    int64
	Values     UserValues
	Roles      []Option
	Clinics    []Option // a superuser's choice of the user's clinic; empty for an admin
	ClinicName string
	Errors     Errors
	Conflict   *Conflict
	Self       bool
}

// OwnPasswordProps is the signed-in user's "Cambiar contraseña".
type OwnPasswordProps struct {
	Page
	Errors Errors
	// IAPOnly says the account signs in only through Google (no password to change).
	IAPOnly bool
}

// RoleOptions are the roles principal p may give.
func RoleOptions(p store.Principal) []Option {
	var out []Option
	for _, r := range []store.Role{store.RoleClinical, store.RoleViewer, store.RoleAdmin, store.RoleSuperuser} {
		if p.CanManage(r) {
			out = append(out, Option{Value: string(r), Label: r.Label()})
		}
	}
	return out
}

func (p UsersProps) href(u store.ListedUser, suffix string) string {
	return "/usuarios/" + strconv.FormatInt(u.ID, 10) + suffix
}

func int64String(v int64) string { return strconv.FormatInt(v, 10) }

func passwordLabel(isNew bool) string {
	if isNew {
		return "Contraseña"
	}
	return "Nueva contraseña"
}
