package forms

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/fpa"
)

// MaxClinicName is the longest clinic name (the schema's CHECK).
const MaxClinicName = 120

// ReadClinic copies the clinic form.
func ReadClinic(c *fiber.Ctx) (components.ClinicValues, components.Errors) {
	var errs components.Errors
	return components.ClinicValues{Name: Text(c, &errs, "nombre", "nombre"), Code: strings.ToUpper(Text(c, &errs, "codigo", "codigo"))}, errs
}

// ValidateClinic returns the name and code to save (the code derived from the name when left
// empty, RULES §7) and the problems.
func ValidateClinic(v components.ClinicValues, refused components.Errors) (name, code string, errs components.Errors) {
	errs = slices.Clone(refused)
	catalogName(&errs, "nombre", v.Name, MaxClinicName, MsgClinicNameMissing, "El nombre")
	code = v.Code
	if code == "" && v.Name != "" {
		code = fpa.DefaultClinicCode(v.Name)
	}
	if !fpa.ValidClinicCode(code) {
		errs.Add("codigo", MsgClinicCode)
	}
	return v.Name, code, errs
}

// ReadAllowedEmail copies the allow-list's form: one e-mail.
func ReadAllowedEmail(c *fiber.Ctx) (string, components.Errors) {
	var errs components.Errors
	e := strings.ToLower(Text(c, &errs, "correo", "correo"))
	switch {
	case len(errs) > 0:
	case e == "":
		errs.Add("correo", MsgEmailMissing)
	case utf8.RuneCountInString(e) > MaxEmail || !emailPattern.MatchString(e):
		errs.Add("correo", MsgEmail)
	}
	return e, errs
}
