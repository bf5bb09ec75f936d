package forms

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

// The master data forms (RULES §1, §2, §6): specialty, surgery, doctor, reason, thresholds.
// Each field's id is its name.

// Limits of master data, the schema's CHECKs.
const (
	MaxSpecialtyName = 100
	MaxSurgeryName   = 150
	MaxReasonName    = 200
	MaxStayHours     = 2160
	MaxThresholdHour = 72
	// MaxDischargeCapacity bounds a clinic's discharges per block (RULES §1c), from 1.
	MaxDischargeCapacity = 50
)

// RowEdit reads which row a master data form saves: the id in the address (0 for a new one)
// and, for an edit, the version it was opened on. A version that is not a positive number is
// not a form this application produced: 400.
func RowEdit(c *fiber.Ctx, id int64) (store.RowEdit, error) {
	if id == 0 {
		return store.RowEdit{}, nil
	}
	v, err := strconv.ParseInt(strings.TrimSpace(Body(c, "version")), 10, 64)
	if err != nil || v < 1 {
		return store.RowEdit{}, fiber.ErrBadRequest
	}
	return store.RowEdit{ID: id, Version: v}, nil
}

// Activo reads the state a deactivate/reactivate button sends (activo=0 or 1); anything else
// is not a form this application produced: 400.
func Activo(c *fiber.Ctx) (bool, error) {
	switch Body(c, "activo") {
	case "0":
		return false, nil
	case "1":
		return true, nil
	}
	return false, fiber.ErrBadRequest
}

// catalogName checks a required name of at most max characters.
func catalogName(errs *components.Errors, field, v string, max int, missing, what string) {
	switch {
	case v == "":
		errs.Add(field, missing)
	case utf8.RuneCountInString(v) > max:
		errs.Add(field, TooLong(what, max))
	case !IsPrintable(v):
		errs.Add(field, MsgBadCharacters)
	}
}

// ReadSpecialty copies the specialty form.
func ReadSpecialty(c *fiber.Ctx) (components.SpecialtyValues, components.Errors) {
	var errs components.Errors
	return components.SpecialtyValues{Name: Text(c, &errs, "nombre", "nombre")}, errs
}

// ValidateSpecialty returns the specialty's name and the problems.
func ValidateSpecialty(v components.SpecialtyValues, refused components.Errors) (string, components.Errors) {
	errs := slices.Clone(refused)
	catalogName(&errs, "nombre", v.Name, MaxSpecialtyName, MsgSpecialtyNameMissing, "El nombre")
	return v.Name, errs
}

// ReadSurgery copies the surgery form.
func ReadSurgery(c *fiber.Ctx) (components.SurgeryValues, components.Errors) {
	var errs components.Errors
	return components.SurgeryValues{
		Specialty:  Text(c, &errs, "especialidad", "especialidad"),
		Name:       Text(c, &errs, "nombre", "nombre"),
		Hours:      Text(c, &errs, "horas", "horas"),
		Ambulatory: Body(c, "ambulatoria") == "1",
		Cutoff:     Text(c, &errs, "corte", "corte"),
	}, errs
}

// hoursPattern is a decimal number of hours with at most two decimals, either separator.
var hoursPattern = regexp.MustCompile(`^[0-9]{1,4}([.,][0-9]{1,2})?$`)

// ValidateSurgery returns the surgery to save and the problems.
func ValidateSurgery(v components.SurgeryValues, refused components.Errors) (store.NewSurgery, components.Errors) {
	errs := slices.Clone(refused)
	var in store.NewSurgery
	if id, ok := ID(v.Specialty); ok {
		in.SpecialtyID = id
	} else {
		errs.Add("especialidad", MsgSpecialtyRequired)
	}
	catalogName(&errs, "nombre", v.Name, MaxSurgeryName, MsgSurgeryNameMissing, "El nombre")
	in.Name = v.Name
	hours := strings.Replace(v.Hours, ",", ".", 1)
	switch h, err := strconv.ParseFloat(hours, 64); {
	case v.Hours == "":
		errs.Add("horas", MsgHoursMissing)
	case !hoursPattern.MatchString(v.Hours) || err != nil || h <= 0 || h > MaxStayHours:
		errs.Add("horas", MsgHoursRange)
	}
	in.BaseStayHours = hours
	in.Ambulatory = v.Ambulatory
	if v.Ambulatory {
		if h, err := strconv.Atoi(v.Cutoff); err != nil || h < 0 || h > 23 {
			errs.Add("corte", MsgCutoffRequired)
		} else {
			in.CutoffHour = h
		}
	}
	return in, errs
}

// ReadDoctor copies the doctor form.
func ReadDoctor(c *fiber.Ctx) (components.DoctorValues, components.Errors) {
	var errs components.Errors
	return components.DoctorValues{
		FirstName: Text(c, &errs, "nombres", "nombres"),
		LastName:  Text(c, &errs, "apellidos", "apellidos"),
		Specialty: Text(c, &errs, "especialidad", "especialidad"),
		RUT:       Text(c, &errs, "rut", "rut"),
	}, errs
}

// ValidateDoctor returns the doctor to save and the problems: names as RULES §8b, an
// optional specialty, an optional RUT valid as RULES §8 (stored canonical).
func ValidateDoctor(v components.DoctorValues, refused components.Errors) (store.NewDoctor, components.Errors) {
	errs := slices.Clone(refused)
	in := store.NewDoctor{
		FirstName: name(&errs, "nombres", v.FirstName, MsgDoctorFirstNamesMissing, MsgFirstNamesTooLong),
		LastName:  name(&errs, "apellidos", v.LastName, MsgDoctorLastNamesMissing, TooLong("Los apellidos", MaxName)),
	}
	if v.Specialty != "" {
		if id, ok := ID(v.Specialty); ok {
			in.SpecialtyID = id
		} else {
			errs.Add("especialidad", MsgSpecialtyRequired)
		}
	}
	if v.RUT != "" {
		if r, err := rut.Parse(v.RUT); err != nil {
			errs.Add("rut", err.Error())
		} else {
			in.RUT = r.Canonical()
		}
	}
	return in, errs
}

// ReadReason copies the reason form.
func ReadReason(c *fiber.Ctx) (components.ReasonValues, components.Errors) {
	var errs components.Errors
	return components.ReasonValues{Category: Text(c, &errs, "categoria", "categoria"), Name: Text(c, &errs, "nombre", "nombre")}, errs
}

// ValidateReason returns the reason to save and the problems.
func ValidateReason(v components.ReasonValues, refused components.Errors) (store.ReasonInput, components.Errors) {
	errs := slices.Clone(refused)
	if v.Category != store.ReasonModification && v.Category != store.ReasonAnnulment {
		errs.Add("categoria", MsgReasonCategory)
	}
	catalogName(&errs, "nombre", v.Name, MaxReasonName, MsgReasonNameMissing, "El nombre")
	return store.ReasonInput{Category: v.Category, Name: v.Name}, errs
}

// ReadThresholds copies the thresholds form (with the discharge capacity): the new values and
// those it was opened with.
func ReadThresholds(c *fiber.Ctx) (components.ThresholdValues, components.Errors) {
	var errs components.Errors
	return components.ThresholdValues{
		Critical: Text(c, &errs, "critico", "critico"), Warning: Text(c, &errs, "advertencia", "advertencia"),
		Capacity:       Text(c, &errs, "capacidad", "capacidad"),
		BeforeCritical: Body(c, "antes_critico"), BeforeWarning: Body(c, "antes_advertencia"),
		BeforeCapacity: Body(c, "antes_capacidad"),
	}, errs
}

// ValidateThresholds returns the thresholds before and after and the problems
// (0 < critical < warning ≤ 72, RULES §6; a capacity of 1 to 50 discharges per block, RULES
// §1c). Values before that are not numbers are not a form this application produced: 400.
func ValidateThresholds(v components.ThresholdValues, refused components.Errors) (before, after store.Thresholds, errs components.Errors, err error) {
	errs = slices.Clone(refused)
	b1, e1 := strconv.Atoi(v.BeforeCritical)
	b2, e2 := strconv.Atoi(v.BeforeWarning)
	b3, e3 := strconv.Atoi(v.BeforeCapacity)
	if e1 != nil || e2 != nil || e3 != nil {
		return before, after, errs, fiber.ErrBadRequest
	}
	before = store.Thresholds{Critical: b1, Warning: b2, Capacity: b3}
	c, err1 := strconv.Atoi(v.Critical)
	if err1 != nil || c <= 0 || c >= MaxThresholdHour {
		errs.Add("critico", MsgCriticalRange)
	}
	w, err2 := strconv.Atoi(v.Warning)
	if err2 != nil || w <= 0 || w > MaxThresholdHour {
		errs.Add("advertencia", MsgWarningRange)
	}
	if errs.For("critico") == "" && errs.For("advertencia") == "" && c >= w {
		errs.Add("advertencia", MsgWarningAfterCritical)
	}
	capacity, err3 := strconv.Atoi(v.Capacity)
	if err3 != nil || capacity < 1 || capacity > MaxDischargeCapacity {
		errs.Add("capacidad", MsgCapacityRange)
	}
	return before, store.Thresholds{Critical: c, Warning: w, Capacity: capacity}, errs, nil
}
