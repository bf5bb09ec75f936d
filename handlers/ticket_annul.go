package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/store"
)

// annulTicket annuls after a confirmation step that works without JavaScript: the first
// submit shows "¿Está seguro…?", the second (confirmar=1) annuls.
func (h *Handler) annulTicket(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	ch, err := readChange(c, id)
	if err != nil {
		return err
	}
	f := forms.ReadAnnul(c)
	reason, note := f.Reason, f.Note
	reasonID, errs := f.Validate()
	sub := submitted{form: formAnnul, values: f.Values(),
		typed: func(props *components.TicketPageProps) []components.ConflictRow {
			return []components.ConflictRow{
				{Label: "Anulación: nota", Current: "—", Typed: components.OrDash(note)},
				{Label: "Anulación: razón", Current: "—", Typed: optionLabel(props.AnnulReasons, reason)},
			}
		}}
	if len(errs) == 0 && forms.Body(c, "confirmar") == "1" {
		done, err := h.store.AnnulTicket(c.UserContext(), state(c).principal, ch, reasonID, note, h.now())
		switch handled, herr := h.changed(c, id, done, err, fmt.Sprintf(msgTicketAnnulled, done.Code), sub); {
		case handled:
			return herr
		case errors.Is(err, store.ErrForbidden):
			return fiber.ErrForbidden
		case errors.Is(err, store.ErrReasonUnavailable):
			errs.Add("anular_razon", forms.MsgReasonRequired)
		default:
			return err
		}
	}
	props, err := h.ticketPageByID(c, id)
	if err != nil {
		return err
	}
	if !props.Can.Annul {
		if props.T.Status != fpa.StoredVigente {
			_, err := h.changed(c, id, store.Ticket{}, store.ErrNotActive, "", sub)
			return err
		}
		return fiber.ErrForbidden
	}
	props.Annul.Values = sub.values
	props.Annul.Errors = errs
	props.Annul.Version, props.Annul.Key = ch.Version, ch.Key
	if props.Annul.Key == "" {
		props.Annul.Key = randomToken(18)
	}
	status := fiber.StatusOK
	if len(errs) > 0 {
		status = fiber.StatusUnprocessableEntity
	} else {
		props.ConfirmAnnul = true
	}
	return h.renderTicketPage(c, status, props)
}

// revertAnnulment makes an annulled ticket vigente again (admins), with a note.
func (h *Handler) revertAnnulment(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	ch, err := readChange(c, id)
	if err != nil {
		return err
	}
	f := forms.ReadRevert(c)
	note, errs := f.Note, f.Validate()
	sub := submitted{form: formRevert, values: map[string]string{"nota": note},
		typed: func(*components.TicketPageProps) []components.ConflictRow {
			return []components.ConflictRow{{Label: "Reversión: motivo", Current: "—", Typed: note}}
		}}
	if len(errs) > 0 {
		return h.invalid(c, id, sub, errs)
	}
	done, err := h.store.RevertAnnulment(c.UserContext(), state(c).principal, ch, note, h.now())
	if handled, herr := h.changed(c, id, done, err, fmt.Sprintf(msgAnnulReverted, done.Code), sub); handled {
		return herr
	}
	return err
}

// optionLabel is the label of the option with value v, or v itself.
func optionLabel(opts []components.Option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return components.OrDash(v)
}
