package forms

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/password"
	"github.com/redsalud/ticket-home/store"
)

// The users form (admins and superusers) and the own password form (everybody). Passwords are
// read as typed (no trimming: spaces may be part of a passphrase) and never shown again.

var (
	usernamePattern = regexp.MustCompile(`^[a-z0-9._-]{3,40}$`)
	emailPattern    = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// MaxEmail is the longest e-mail address accepted.
const MaxEmail = 254

// ReadUser copies the users form.
func ReadUser(c *fiber.Ctx) (components.UserValues, components.Errors) {
	var errs components.Errors
	return components.UserValues{
		Username: strings.ToLower(Text(c, &errs, "usuario", "usuario")),
		Email:    Text(c, &errs, "correo", "correo"),
		Role:     Text(c, &errs, "rol", "rol"),
		Clinic:   Text(c, &errs, "clinica_usuario", "clinica_usuario"),
		Password: Body(c, "contrasena"),
		Confirm:  Body(c, "confirmacion"),
	}, errs
}

// ValidateUser returns the user to save (without its password's hash), the password to hash
// ("" keeps the current one of an existing user), and the problems. A clinic is asked only of
// a superuser (chooseClinic) giving a clinic role.
func ValidateUser(v components.UserValues, refused components.Errors, isNew, chooseClinic bool) (store.UserInput, string, components.Errors) {
	errs := slices.Clone(refused)
	in := store.UserInput{Username: v.Username, Email: strings.ToLower(v.Email), Role: store.Role(v.Role)}
	if !usernamePattern.MatchString(v.Username) {
		errs.Add("usuario", MsgUsername)
	}
	switch {
	case v.Email == "":
	case utf8.RuneCountInString(v.Email) > MaxEmail || !emailPattern.MatchString(v.Email):
		errs.Add("correo", MsgEmail)
	}
	if !in.Role.Valid() {
		errs.Add("rol", MsgRoleRequired)
	}
	if chooseClinic && in.Role.Valid() && in.Role != store.RoleSuperuser {
		if id, ok := ID(v.Clinic); ok {
			in.ClinicID = id
		} else {
			errs.Add("clinica_usuario", MsgUserClinicRequired)
		}
	}
	pw := NewPassword(&errs, "contrasena", "confirmacion", v.Password, v.Confirm, isNew)
	return in, pw, errs
}

// NewPassword checks a password being set and its confirmation: required unless optional
// and both empty; at least password.MinLength characters; not a common one; the same twice.
func NewPassword(errs *components.Errors, field, confirmField, pw, confirm string, required bool) string {
	if !required && pw == "" && confirm == "" {
		return ""
	}
	if _, ok := Clean(pw, false); !ok {
		errs.Add(field, MsgBadCharacters)
		return ""
	}
	switch n := password.Length(pw); {
	case n == 0:
		errs.Add(field, MsgPasswordMissing)
	case n < password.MinLength:
		errs.Add(field, MsgPasswordShort)
	case n > password.MaxLength:
		errs.Add(field, MsgPasswordLong)
	case password.Common(pw):
		errs.Add(field, MsgPasswordCommon)
	case pw != confirm:
		errs.Add(confirmField, MsgPasswordMismatch)
	}
	return pw
}

// OwnPassword is the form that changes the signed-in user's password.
type OwnPassword struct {
	Current, New, Confirm string
}

// ReadOwnPassword copies the own password form.
func ReadOwnPassword(c *fiber.Ctx) OwnPassword {
	return OwnPassword{Current: Body(c, "actual"), New: Body(c, "nueva"), Confirm: Body(c, "confirmacion")}
}

// Validate returns the problems of the new password (the current one is checked against the
// account by the handler).
func (f OwnPassword) Validate() components.Errors {
	var errs components.Errors
	if f.Current == "" {
		errs.Add("actual", MsgCurrentPasswordMissing)
	}
	NewPassword(&errs, "nueva", "confirmacion", f.New, f.Confirm, true)
	if len(errs) == 0 && f.New == f.Current {
		errs.Add("nueva", MsgPasswordUnchanged)
	}
	return errs
}
