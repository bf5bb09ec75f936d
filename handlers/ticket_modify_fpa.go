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

// modifyPreviewOf describes current → new for the form, with the warning of a slot already at
// the clinic's capacity (RULES §1c).
func modifyPreviewOf(pv store.ModificationPreview) *components.ModifyPreview {
	t, slot := pv.Current, pv.Slot
	dir := "Posterga el alta"
	if slot.Start.Before(t.FPA) {
		dir = "Adelanta el alta"
	}
	return &components.ModifyPreview{
		Current:     fpa.FormatFPA(t.FPA, fpa.Block{Start: t.BlockStart, End: t.BlockEnd}),
		New:         fpa.FormatFPA(slot.Start, slot.Block),
		Direction:   dir,
		ExtraNights: components.Signed(fpa.Nights(t.FPA, slot.Start)),
		Seq:         t.ModificationCount + 1,
		Shown:       forms.ShownKey(slot.Start),
		Warning:     slotWarning(pv.Load, slot.Start),
	}
}

// modifyFieldError puts a refusal of the rules at its field; ok is false for other errors.
func modifyFieldError(err error, errs *components.Errors) bool {
	var ie *fpa.InputError
	switch {
	case errors.As(err, &ie):
		field := "fpa_bloque"
		if ie.Field == fpa.FieldDate {
			field = "fpa_fecha"
		}
		errs.Add(field, ie.Msg)
	case errors.Is(err, store.ErrSameFPA):
		errs.Add("fpa_bloque", msgSameFPA)
	case errors.Is(err, store.ErrReasonUnavailable):
		errs.Add("fpa_razon", forms.MsgReasonRequired)
	default:
		return false
	}
	return true
}

// previewModifyFPA answers the modification form's live preview (htmx): one read of the
// ticket, the new FPA computed from the clinic's cached blocks, one count of the discharges
// planned in its slot.
func (h *Handler) previewModifyFPA(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	form, inputErrs := forms.ReadModify(c)
	in, errs := forms.ValidateModify(form, inputErrs, false)
	if len(errs) > 0 {
		// Nothing to compute yet; the ticket must still be one this user may see.
		if _, err := h.store.Ticket(c.UserContext(), state(c).principal, id); err != nil {
			return err
		}
		return render(c, fiber.StatusOK, components.ModifyPreviewContents(nil, ""))
	}
	pv, err := h.store.PreviewModification(c.UserContext(), state(c).principal, id, in)
	if err != nil {
		if !modifyFieldError(err, &errs) {
			return err
		}
		return render(c, fiber.StatusOK, components.ModifyPreviewContents(nil, ""))
	}
	return render(c, fiber.StatusOK, components.ModifyPreviewContents(modifyPreviewOf(pv), ""))
}

// modifyFPA applies a modification (RULES §4), or shows why not: field problems (422), a
// stale version with what changed (409), the limit (409).
func (h *Handler) modifyFPA(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	ch, err := readChange(c, id)
	if err != nil {
		return err
	}
	form, inputErrs := forms.ReadModify(c)
	preview := forms.Body(c, "accion") == "vista"
	in, errs := forms.ValidateModify(form, inputErrs, !preview)
	if shown, ok := forms.Shown(c); ok && !preview && len(errs) == 0 && shown != forms.ShownKey(in.Date.At(in.BlockStart)) {
		// The screen showed another FPA (an outdated preview, or none): show this one first.
		errs.Add("fpa-cambio", msgPreviewOutdated)
	}
	if !preview && len(errs) == 0 {
		done, err := h.store.ModifyFPA(c.UserContext(), state(c).principal, ch, in, h.now())
		handled, herr := h.changed(c, id, done, err, msgFPAModified, submitted{form: formModify,
			adjust: func(props *components.TicketPageProps, err error) { h.keepModify(c, props, form, inputErrs, nil, err) }})
		if handled {
			return herr
		}
		if !modifyFieldError(err, &errs) {
			return err
		}
	}
	// Field problems, or the preview button (no JavaScript): the page with what was typed.
	props, err := h.ticketPageByID(c, id)
	if err != nil {
		return err
	}
	status := fiber.StatusUnprocessableEntity
	if preview && len(errs) == 0 {
		status = fiber.StatusOK
	}
	h.keepModify(c, &props, form, inputErrs, errs, nil)
	return h.renderTicketPage(c, status, props)
}

// keepModify puts what was typed back into the page's modification form, on the page's
// (possibly newer) version with a new key, with its problems, the conflict view of a stale
// version, and the preview of what was typed when the ticket can still be modified.
func (h *Handler) keepModify(c *fiber.Ctx, props *components.TicketPageProps, form components.ModifyForm, inputErrs, errs components.Errors, err error) {
	var stale *store.StaleError
	if errors.As(err, &stale) {
		props.Conflict = modifyConflict(stale.Current, form)
		props.ConflictFor = formModify
	}
	key, version, msg := props.Modify.Key, props.Modify.Version, props.Modify.Message
	props.Modify = form
	props.Modify.Key, props.Modify.Version, props.Modify.Errors, props.Modify.Message = key, version, errs, msg
	if !props.Can.Modify {
		return
	}
	if pin, perrs := forms.ValidateModify(form, inputErrs, false); len(perrs) == 0 {
		if pv, perr := h.store.PreviewModification(c.UserContext(), state(c).principal, props.T.ID, pin); perr == nil {
			props.Modify.Preview = modifyPreviewOf(pv)
		}
	}
}

// modifyConflict lists what changed since the form was opened beside what was typed.
func modifyConflict(cur store.Ticket, typed components.ModifyForm) *components.Conflict {
	typedFPA := typed.Date
	if d, err := fpa.ParseDate(typed.Date); err == nil {
		typedFPA = d.String() // as dd/mm/aaaa, whichever form the date field sent
	}
	if b, err := strconv.Atoi(typed.Block); err == nil {
		typedFPA += ", entre " + components.Clock(b)
	}
	return &components.Conflict{DiscardHref: "/tickets/" + strconv.FormatInt(cur.ID, 10), Rows: []components.ConflictRow{
		{Label: "FPA", Current: fpa.FormatFPA(cur.FPA, fpa.Block{Start: cur.BlockStart, End: cur.BlockEnd}), Typed: typedFPA},
		{Label: "Modificaciones", Current: strconv.Itoa(cur.ModificationCount) + " de " + strconv.Itoa(fpa.MaxModifications), Typed: "—"},
	}}
}
