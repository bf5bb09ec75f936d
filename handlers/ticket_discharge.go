package handlers

import (
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/store"
)

// recordDischarge records the actual discharge D, P < D ≤ now (RULES §5).
func (h *Handler) recordDischarge(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	ch, err := readChange(c, id)
	if err != nil {
		return err
	}
	f := forms.ReadDischarge(c)
	d, errs := f.Validate()
	sub := submitted{form: formDischarge, values: f.Values(),
		typed: func(*components.TicketPageProps) []components.ConflictRow {
			return []components.ConflictRow{{Label: "Alta", Current: "—", Typed: f.Date + " " + f.Time}}
		}}
	if len(errs) > 0 {
		return h.invalid(c, id, sub, errs)
	}
	if forms.Body(c, "confirmar") != "1" {
		// A clinical user cannot undo a discharge: ask first, naming the patient and the time.
		return h.confirmDischarge(c, id, ch, d, sub)
	}
	done, err := h.store.RecordDischarge(c.UserContext(), state(c).principal, ch, d, h.now())
	if handled, herr := h.changed(c, id, done, err, msgDischargeRecorded, sub); handled {
		return herr
	}
	switch {
	case errors.Is(err, store.ErrDischargeBeforeP):
		props, perr := h.ticketPageByID(c, id)
		if perr != nil {
			return perr
		}
		errs.Add("alta_fecha", fmt.Sprintf(msgDischargeBeforeP, fpa.FormatDateTime(props.T.PavilionEnd)))
		props.Discharge.Values, props.Discharge.Errors = sub.values, errs
		return h.renderTicketPage(c, fiber.StatusUnprocessableEntity, props)
	case errors.Is(err, store.ErrDischargeInFuture):
		errs.Add("alta_hora", msgDischargeInFuture)
		return h.invalid(c, id, sub, errs)
	}
	return err
}

// confirmDischarge shows the discharge about to be recorded, to confirm: the page again, with
// the form's values, version and key kept. What the rules refuse is said now, not after.
func (h *Handler) confirmDischarge(c *fiber.Ctx, id int64, ch store.Change, d time.Time, sub submitted) error {
	props, err := h.ticketPageByID(c, id)
	if err != nil {
		return err
	}
	if !props.Can.Discharge {
		_, err := h.changed(c, id, store.Ticket{}, store.ErrNotActive, "", sub)
		return err
	}
	var errs components.Errors
	switch {
	case !d.After(props.T.PavilionEnd):
		errs.Add("alta_fecha", fmt.Sprintf(msgDischargeBeforeP, fpa.FormatDateTime(props.T.PavilionEnd)))
	case d.After(h.now()):
		errs.Add("alta_hora", msgDischargeInFuture)
	}
	props.Discharge.Values, props.Discharge.Errors = sub.values, errs
	props.Discharge.Version, props.Discharge.Key = ch.Version, ch.Key
	if props.Discharge.Key == "" {
		props.Discharge.Key = randomToken(18)
	}
	if len(errs) > 0 {
		return h.renderTicketPage(c, fiber.StatusUnprocessableEntity, props)
	}
	props.ConfirmDischarge = true
	props.DischargeAt = fpa.FormatDate(d) + " a las " + fpa.FormatTime(d)
	return h.renderTicketPage(c, fiber.StatusOK, props)
}

// undoDischarge reverts a discharge recorded less than 24 hours ago (admins).
func (h *Handler) undoDischarge(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	ch, err := readChange(c, id)
	if err != nil {
		return err
	}
	done, err := h.store.UndoDischarge(c.UserContext(), state(c).principal, ch, h.now())
	if handled, herr := h.changed(c, id, done, err, msgDischargeUndone, submitted{form: formUndo}); handled {
		return herr
	}
	return err
}
