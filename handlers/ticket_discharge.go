package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/store"
)

// recordDischarge records the actual discharge D, P < D ≤ now (RULES §5).
func (h *Handler) recordDischarge(c *fiber.Ctx) error {
	t, err := h.currentTicket(c)
	if err != nil {
		return err
	}
	ch, err := readChange(c, t.ID)
	if err != nil {
		return err
	}
	var errs components.Errors
	date := formText(c, &errs, "fecha", "alta_fecha")
	clock := formText(c, &errs, "hora", "alta_hora")
	d, perr := fpa.ParseWallTime(date, clock)
	if perr != nil {
		field := "alta_fecha"
		var ie *fpa.InputError
		if errors.As(perr, &ie) && ie.Field == fpa.FieldTime {
			field = "alta_hora"
		}
		errs.Add(field, perr.Error())
	}
	var message string
	status := fiber.StatusUnprocessableEntity
	props := components.TicketPageProps{}
	if len(errs) == 0 {
		done, err := h.store.RecordDischarge(c.UserContext(), state(c).principal, ch, d, h.now())
		switch {
		case err == nil || errors.Is(err, store.ErrAlreadySubmitted):
			return h.actionDone(c, done, err, msgDischargeRecorded)
		case errors.Is(err, store.ErrDischargeBeforeP):
			errs.Add("alta_fecha", fmt.Sprintf(msgDischargeBeforeP, fpa.FormatDateTime(t.PavilionEnd)))
		case errors.Is(err, store.ErrDischargeInFuture):
			errs.Add("alta_hora", msgDischargeInFuture)
		default:
			if _, _, ok := lifecycleStatus(err); !ok {
				return err
			}
			var err2 error
			if props, status, err2 = h.refusedPage(c, t, err,
				components.ConflictRow{Label: "Alta", Current: "—", Typed: date + " " + clock}); err2 != nil {
				return err2
			}
			_, message, _ = lifecycleStatus(err)
			if message == "" {
				message = msgStaleTyped
			}
		}
	}
	if props.T.ID == 0 {
		if props, err = h.ticketPage(c, t); err != nil {
			return err
		}
	}
	props.Discharge.Values = map[string]string{"fecha": date, "hora": clock}
	props.Discharge.Errors = errs
	props.Discharge.Message = message
	return h.renderTicketPage(c, status, props)
}

// undoDischarge reverts a discharge recorded less than 24 hours ago (admins).
func (h *Handler) undoDischarge(c *fiber.Ctx) error {
	t, err := h.currentTicket(c)
	if err != nil {
		return err
	}
	ch, err := readChange(c, t.ID)
	if err != nil {
		return err
	}
	done, uerr := h.store.UndoDischarge(c.UserContext(), state(c).principal, ch, h.now())
	if uerr == nil || errors.Is(uerr, store.ErrAlreadySubmitted) {
		return h.actionDone(c, done, uerr, msgDischargeUndone)
	}
	_, msg, ok := lifecycleStatus(uerr)
	if !ok {
		return uerr
	}
	props, status, err := h.refusedPage(c, t, uerr)
	if err != nil {
		return err
	}
	if msg == "" {
		msg = msgStaleTyped
	}
	// Shown above the actions: the undo form itself is gone once the 24 hours are over.
	props.Message = msg
	return h.renderTicketPage(c, status, props)
}
