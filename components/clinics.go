package components

import (
	"strconv"

	"github.com/redsalud/ticket-home/store"
)

// ClinicValues is the clinic form as typed.
type ClinicValues struct{ Name, Code string }

// ClinicsProps is the superusers' page of clinics and of the superuser allow-list.
type ClinicsProps struct {
	Page
	Data    store.ClinicsPage
	Refused Errors
	// The allow-list's form as typed, with its problems.
	Email       string
	EmailErrors Errors
	// Confirm asks whether to deactivate this clinic.
	Confirm *store.ClinicRow
}

// ClinicEditProps is the form of a new clinic or of an existing one.
type ClinicEditProps struct {
	Page
	Heading    string
	Action     string
	New        bool
	Version    int64
	Values     ClinicValues
	Errors     Errors
	Conflict   *Conflict
	CodeLocked bool
}

func clinicHref(id int64, suffix string) string {
	return "/clinicas/" + strconv.FormatInt(id, 10) + suffix
}

func allowedHref(id int64) string {
	return "/superusuarios/" + strconv.FormatInt(id, 10) + "/quitar"
}

func clinicOptions(clinics []store.Clinic) []Option {
	out := make([]Option, len(clinics))
	for i, c := range clinics {
		out[i] = Option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name}
	}
	return out
}
