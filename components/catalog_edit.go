package components

import (
	"strconv"

	"github.com/a-h/templ"
)

// The values of the master data forms as typed (shown again with their problems).

// SpecialtyValues is the specialty form.
type SpecialtyValues struct{ Name string }

// SurgeryValues is the surgery form.
type SurgeryValues struct {
	Specialty  string
	Name       string
	Hours      string
	Ambulatory bool
	Cutoff     string
}

// DoctorValues is the doctor form.
type DoctorValues struct {
	FirstName, LastName, Specialty, RUT string
}

// ReasonValues is the reason form.
type ReasonValues struct{ Category, Name string }

// ThresholdValues is the thresholds form (with the discharge capacity per block): the values
// typed and those it was opened with.
type ThresholdValues struct {
	Critical, Warning, Capacity                   string
	BeforeCritical, BeforeWarning, BeforeCapacity string
}

// CatalogEditProps is the page that creates or edits one row of master data, or the
// clinic's thresholds and discharge capacity. Kind is the address's segment
// ("especialidades", "cirugias", "medicos", "razones", "umbrales"); the values of that kind's
// form are the ones shown.
type CatalogEditProps struct {
	Page
	Kind       string
	Heading    string
	Action     string
	New        bool
	Version    int64
	ClinicName string
	Errors     Errors
	Conflict   *Conflict
	// Inactive says the row is deactivated (it is edited all the same).
	Inactive    bool
	Specialties []Option // a surgery's or doctor's choices: the clinic's active specialties
	Specialty   SpecialtyValues
	Surgery     SurgeryValues
	Doctor      DoctorValues
	Reason      ReasonValues
	Thresholds  ThresholdValues
}

// hourOptions are the hours 0–23 of an ambulatory cut-off.
func hourOptions() []Option {
	out := make([]Option, 24)
	for h := range out {
		out[h] = Option{Value: strconv.Itoa(h), Label: Clock(h * 60)}
	}
	return out
}

// catalogBack is the catalog page at the section of a kind.
func catalogBack(kind string) string {
	if kind == "umbrales" {
		return "/catalogo#umbrales"
	}
	return "/catalogo#" + kind
}

// rowHref is a row's address under the catalog (suffix "" for its edit page, "/estado" for
// its state); for a superuser looking at every clinic it chooses the row's clinic.
func (p CatalogProps) rowHref(kind string, clinicID, id int64, suffix string) string {
	h := "/catalogo/" + kind + "/" + strconv.FormatInt(id, 10) + suffix
	if p.allClinics() {
		h += "?clinica=" + strconv.FormatInt(clinicID, 10)
	}
	return h
}

// newLink is a section's "Agregar …" control for those who edit the catalog.
func (p CatalogProps) newLink(kind, label string) templ.Component {
	if !p.CanEdit {
		return nil
	}
	return addLink("/catalogo/"+kind+"/nueva", label)
}
