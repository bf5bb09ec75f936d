package handlers

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/store"
)

// The admins' correction of a ticket's attending doctor (RULES §9): GET and POST
// /tickets/{id}/medico.

func (h *Handler) doctorProps(c *fiber.Ctx, t store.Ticket) (components.DoctorEditProps, error) {
	props := components.DoctorEditProps{Page: h.page(c, "Médico tratante · "+t.Code), T: components.NewTicketView(t, h.now()),
		Version: t.Version, Key: randomToken(18)}
	if t.DoctorID != 0 {
		props.Doctor = strconv.FormatInt(t.DoctorID, 10)
	}
	cat, err := h.store.Catalog(c.UserContext(), state(c).principal) // every clinic for a superuser: filtered below
	if err != nil {
		return props, err
	}
	for _, d := range cat.Doctors {
		if d.ClinicID == t.ClinicID && (d.Active || d.ID == t.DoctorID) {
			props.Doctors = append(props.Doctors, components.Option{Value: strconv.FormatInt(d.ID, 10), Label: d.FirstName + " " + d.LastName})
		}
	}
	return props, nil
}

// showEditDoctor is the form with the ticket's doctor chosen.
func (h *Handler) showEditDoctor(c *fiber.Ctx) error {
	t, err := h.currentTicket(c)
	if err != nil {
		return err
	}
	if !capabilities(state(c).principal, t, h.now()).EditPatient || t.Status == fpa.StoredAnulado {
		return fiber.ErrForbidden
	}
	props, err := h.doctorProps(c, t)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, components.DoctorEditPage(props))
}

// editDoctor saves the correction: the ticket with a status message; a doctor not offered
// (422), a ticket changed since the form was opened (409), an annulled one (409).
func (h *Handler) editDoctor(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	ch, err := readChange(c, id)
	if err != nil {
		return err
	}
	var errs components.Errors
	raw := forms.Text(c, &errs, "medico", "medico")
	var doctor int64
	if raw != "" {
		var ok bool
		if doctor, ok = forms.ID(raw); !ok {
			errs.Add("medico", forms.MsgDoctorUnavailable)
		}
	}
	status := fiber.StatusUnprocessableEntity
	var refused error
	if len(errs) == 0 {
		done, err := h.store.CorrectDoctor(c.UserContext(), state(c).principal, ch, doctor, h.now())
		switch {
		case err == nil || errors.Is(err, store.ErrAlreadySubmitted):
			return h.actionDone(c, done, err, msgTicketUpdated)
		case errors.Is(err, store.ErrDoctorUnavailable):
			errs.Add("medico", forms.MsgDoctorUnavailable)
		default:
			if _, _, ok := lifecycleStatus(err); !ok {
				return err
			}
			status, refused = fiber.StatusConflict, err
		}
	}
	cur, err := h.store.Ticket(c.UserContext(), state(c).principal, id)
	if err != nil {
		return err
	}
	props, err := h.doctorProps(c, cur)
	if err != nil {
		return err
	}
	if refused != nil {
		_, props.Message, _ = lifecycleStatus(refused)
		if errors.As(refused, new(*store.StaleError)) {
			props.Message = msgStaleTyped
			typed := "Sin médico tratante"
			for _, o := range props.Doctors {
				if o.Value == raw {
					typed = o.Label
				}
			}
			props.Conflict = &components.Conflict{DiscardHref: props.T.Href(), Rows: []components.ConflictRow{
				{Label: "Médico tratante", Current: components.OrDash(cur.DoctorName), Typed: typed}}}
		}
	}
	props.Doctor, props.Errors = raw, errs
	return render(c, status, components.DoctorEditPage(props))
}
