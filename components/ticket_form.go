package components

import (
	"strconv"

	"github.com/redsalud/ticket-home/store"
)

// TicketFormValues are the create form's inputs exactly as typed.
type TicketFormValues struct {
	RUT, FirstNames, LastNameFather, LastNameMother, Age, Sex string
	EpisodeID, Room, Bed, Location                            string
	SpecialtyID, SurgeryID, DoctorID                          string
	PavilionDate, PavilionTime                                string
	Block                                                     string // chosen block start, minutes
}

// createPreviewHref answers the new-ticket form's live preview.
const createPreviewHref = "/tickets/nuevo/vista-previa"

// BlockOption is a discharge block the nurse may choose on the FPA date.
type BlockOption struct {
	Start    string // minutes from midnight, the radio value
	Label    string // "14:00–16:00"
	Proposed bool
	Selected bool
	FPAText  string // the FPA with this block, "02/11/2025, entre 16:00 y 18:00"
	Warning  string // the block already holds the clinic's capacity (RULES §1c), or ""
}

// FPAPreview is the computed FPA shown while the form is filled (RULES §2).
type FPAPreview struct {
	Explanation string // "Fin de pabellón 01/11 14:30 + 24 h = 02/11 14:30 → bloque 14:00–16:00"
	Nights      int
	Choices     []BlockOption
	Ambulatory  string // the ambulatory rule's effect, "" when it did not apply
	// Shown identifies the FPA on screen: its date (the block is the checked choice, and the
	// text shown is the checked choice's). The form sends it back, and the server saves only
	// when the submitted fields give that date.
	Shown string
}

// ActiveTicketLink names the vigente ticket a patient already has.
type ActiveTicketLink struct {
	ID   int64
	Code string
}

// TicketFormProps is the "Nuevo ticket" page.
type TicketFormProps struct {
	Page
	ClinicName   string
	Values       TicketFormValues
	Errors       Errors
	Specialties  []store.Specialty
	Surgeries    []store.Surgery
	Doctors      []store.Doctor
	Preview      *FPAPreview
	PreviewHint  string // why there is no preview yet, or what is wrong
	PatientKnown bool
	Active       *ActiveTicketLink
}

// ClinicChoiceProps asks a superuser looking at every clinic which clinic a new ticket, or a
// change of master data, belongs to.
type ClinicChoiceProps struct {
	Page
	Heading string
	Intro   string
	Clinics []store.Clinic
	Action  string
}

// anyWarning reports whether a block the preview offers is already at the clinic's capacity.
func (p FPAPreview) anyWarning() bool {
	for _, b := range p.Choices {
		if b.Warning != "" {
			return true
		}
	}
	return false
}

// choiceN is a choice's position among the preview's blocks (from 1), which input.css uses to
// show the warning of the checked block only.
func choiceN(i int) string { return strconv.Itoa(i + 1) }
