package handlers

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/store"
)

// annulTicket annuls after a confirmation step that works without JavaScript: the first
// submit shows "¿Está seguro…?", the second (confirmar=1) annuls.
func (h *Handler) annulTicket(c *fiber.Ctx) error {
	t, err := h.currentTicket(c)
	if err != nil {
		return err
	}
	p := state(c).principal
	ch, err := readChange(c, t.ID)
	if err != nil {
		return err
	}
	var errs components.Errors
	reason := formText(c, &errs, "razon", "anular_razon")
	note := formNote(c, &errs, "nota", "anular_nota")
	reasonID, ok := formID(reason)
	if !ok {
		errs.Add("anular_razon", msgReasonRequired)
	}
	if utf8.RuneCountInString(note) > 1000 {
		errs.Add("anular_nota", msgNoteLong)
	}
	if len(errs) == 0 && bodyValue(c, "confirmar") == "1" {
		done, err := h.store.AnnulTicket(c.UserContext(), p, ch, reasonID, note, h.now())
		switch {
		case err == nil || errors.Is(err, store.ErrAlreadySubmitted):
			return h.actionDone(c, done, err, fmt.Sprintf(msgTicketAnnulled, t.Code))
		case errors.Is(err, store.ErrForbidden):
			return fiber.ErrForbidden
		case errors.Is(err, store.ErrReasonUnavailable):
			errs.Add("anular_razon", msgReasonRequired)
		default:
			if _, _, ok := lifecycleStatus(err); !ok {
				return err
			}
			props, status, err2 := h.refusedPage(c, t, err,
				components.ConflictRow{Label: "Anulación: nota", Current: "—", Typed: components.OrDash(note)})
			if err2 != nil {
				return err2
			}
			if props.Conflict != nil {
				props.Conflict.Rows = append(props.Conflict.Rows, components.ConflictRow{
					Label: "Anulación: razón", Current: "—", Typed: optionLabel(props.AnnulReasons, reason)})
			}
			_, props.Annul.Message, _ = lifecycleStatus(err)
			if status == fiber.StatusConflict && props.Annul.Message == "" {
				props.Annul.Message = msgStaleTyped
			}
			props.Annul.Values = map[string]string{"razon": reason, "nota": note}
			return h.renderTicketPage(c, status, props)
		}
	}
	if !capabilities(p, t, h.now()).Annul {
		if t.Status != "vigente" {
			props, _, err := h.refusedPage(c, t, store.ErrNotActive)
			if err != nil {
				return err
			}
			props.Annul.Message = msgNotActive
			return h.renderTicketPage(c, fiber.StatusConflict, props)
		}
		return fiber.ErrForbidden
	}
	props, err := h.ticketPage(c, t)
	if err != nil {
		return err
	}
	props.Annul.Values = map[string]string{"razon": reason, "nota": note}
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
	t, err := h.currentTicket(c)
	if err != nil {
		return err
	}
	ch, err := readChange(c, t.ID)
	if err != nil {
		return err
	}
	var errs components.Errors
	note := formNote(c, &errs, "nota", "revertir_nota")
	switch n := utf8.RuneCountInString(note); {
	case n == 0:
		errs.Add("revertir_nota", msgNoteRequired)
	case n > 1000:
		errs.Add("revertir_nota", msgNoteLong)
	}
	if len(errs) == 0 {
		done, err := h.store.RevertAnnulment(c.UserContext(), state(c).principal, ch, note, h.now())
		if err == nil || errors.Is(err, store.ErrAlreadySubmitted) {
			return h.actionDone(c, done, err, fmt.Sprintf(msgAnnulReverted, t.Code))
		}
		if _, _, ok := lifecycleStatus(err); !ok {
			return err
		}
		props, status, err2 := h.refusedPage(c, t, err,
			components.ConflictRow{Label: "Reversión: motivo", Current: "—", Typed: note})
		if err2 != nil {
			return err2
		}
		_, props.Revert.Message, _ = lifecycleStatus(err)
		props.Revert.Values["nota"] = note
		return h.renderTicketPage(c, status, props)
	}
	props, err := h.ticketPage(c, t)
	if err != nil {
		return err
	}
	props.Revert.Values["nota"] = note
	props.Revert.Errors = errs
	return h.renderTicketPage(c, fiber.StatusUnprocessableEntity, props)
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
