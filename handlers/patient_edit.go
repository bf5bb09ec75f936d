package handlers

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

func patientValues(p store.Patient) components.TicketFormValues {
	v := components.TicketFormValues{FirstNames: p.FirstNames, LastNameFather: p.LastNameFather, LastNameMother: p.LastNameMother, Sex: p.Sex}
	if r, err := rut.Parse(p.RUT); err == nil {
		v.RUT = r.Display()
	}
	if p.Age.Valid {
		v.Age = strconv.Itoa(int(p.Age.Int16))
	}
	return v
}

// patientForTicket loads the ticket and its patient for the admins' patient edit.
func (h *Handler) patientForTicket(c *fiber.Ctx) (store.Ticket, store.EditablePatient, error) {
	t, err := h.currentTicket(c)
	if err != nil {
		return t, store.EditablePatient{}, err
	}
	if !capabilities(state(c).principal, t, h.now()).EditPatient {
		return t, store.EditablePatient{}, fiber.ErrForbidden
	}
	ep, err := h.store.PatientForEdit(c.UserContext(), state(c).principal, t.PatientID)
	return t, ep, err
}

// showEditPatient renders the patient form with the stored data.
func (h *Handler) showEditPatient(c *fiber.Ctx) error {
	t, ep, err := h.patientForTicket(c)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, components.PatientEditPage(components.PatientEditProps{
		Page: h.page(c, "Datos del paciente"), T: components.NewTicketView(t, h.now()), Values: patientValues(ep.Patient), Stamp: ep.Stamp,
	}))
}

// editPatient saves an admin's correction of names, age, sex or RUT (validated, unique in
// the clinic), audited before → after.
func (h *Handler) editPatient(c *fiber.Ctx) error {
	t, ep, err := h.patientForTicket(c)
	if err != nil {
		return err
	}
	f := forms.ReadTicket(c)
	stamp, _ := strconv.ParseInt(forms.Body(c, "sello"), 10, 64)
	in, errs := f.Patient()
	v := f.TicketFormValues
	if r, err := rut.Parse(v.RUT); err == nil {
		v.RUT = r.Display()
	}
	props := components.PatientEditProps{Page: h.page(c, "Datos del paciente"), T: components.NewTicketView(t, h.now()), Values: v, Stamp: stamp}
	status := fiber.StatusUnprocessableEntity
	if len(errs) == 0 {
		err := h.store.UpdatePatient(c.UserContext(), state(c).principal, store.PatientEdit{PatientID: ep.ID, Stamp: stamp, PatientInput: in}, h.now())
		switch {
		case err == nil:
			h.flash(c, msgTicketUpdated)
			return h.seeOther(c, "/tickets/"+strconv.FormatInt(t.ID, 10))
		case errors.Is(err, store.ErrRUTTaken):
			errs.Add("rut", msgRUTTaken)
		case errors.Is(err, store.ErrConflict):
			cur, cerr := h.store.PatientForEdit(c.UserContext(), state(c).principal, ep.ID)
			if cerr != nil {
				return cerr
			}
			now := patientValues(cur.Patient)
			if now == v {
				// A repeated submit of the same correction: it is already saved.
				h.flash(c, msgAlreadyApplied)
				return h.seeOther(c, "/tickets/"+strconv.FormatInt(t.ID, 10))
			}
			status = fiber.StatusConflict
			props.Stamp = cur.Stamp
			props.Conflict = &components.Conflict{DiscardHref: "/tickets/" + strconv.FormatInt(t.ID, 10), Rows: []components.ConflictRow{
				{Label: "RUT", Current: now.RUT, Typed: v.RUT},
				{Label: "Nombres", Current: now.FirstNames, Typed: v.FirstNames},
				{Label: "Apellidos", Current: now.LastNameFather + " " + now.LastNameMother, Typed: v.LastNameFather + " " + v.LastNameMother},
				{Label: "Edad", Current: components.OrDash(now.Age), Typed: components.OrDash(v.Age)},
				{Label: "Sexo", Current: components.SexLabel(now.Sex), Typed: components.SexLabel(v.Sex)},
			}}
		default:
			return err
		}
	}
	props.Errors = forms.Sorted(errs, forms.TicketFieldOrder)
	return render(c, status, components.PatientEditPage(props))
}
