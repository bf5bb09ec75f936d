package handlers

import (
	"errors"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/store"
)

// readModifyForm copies the modification form; errs holds the fields whose characters RULES
// §8b refuses.
func readModifyForm(c *fiber.Ctx) (components.ModifyForm, components.Errors) {
	var errs components.Errors
	return components.ModifyForm{
		Date:          formText(c, &errs, "fecha", "fpa_fecha"),
		Block:         formText(c, &errs, "bloque", "fpa_bloque"),
		Reason:        formText(c, &errs, "razon", "fpa_razon"),
		Justification: formNote(c, &errs, "justificacion", "fpa_justificacion"),
	}, errs
}

// parseModify validates the form after the input problems already found; it returns the input
// and the field problems.
func parseModify(f components.ModifyForm, errs components.Errors, requireAll bool) (store.ModifyInput, components.Errors) {
	var in store.ModifyInput
	errs = slices.Clone(errs)
	d, err := fpa.ParseDate(f.Date)
	if err != nil {
		errs.Add("fpa_fecha", err.Error())
	}
	in.Date = d
	if b, err := strconv.Atoi(f.Block); err != nil {
		errs.Add("fpa_bloque", msgBlockRequired)
	} else {
		in.BlockStart = b
	}
	if !requireAll {
		return in, errs
	}
	if id, ok := formID(f.Reason); !ok {
		errs.Add("fpa_razon", msgReasonRequired)
	} else {
		in.ReasonID = id
	}
	switch n := utf8.RuneCountInString(f.Justification); {
	case n == 0:
		errs.Add("fpa_justificacion", msgJustificationMissing)
	case n > 1000:
		errs.Add("fpa_justificacion", msgJustificationLong)
	}
	in.Justification = f.Justification
	return in, errs
}

// modifyPreview computes current → new for the form (nil when the input is not complete).
func (h *Handler) modifyPreview(c *fiber.Ctx, t store.Ticket, in store.ModifyInput) (*components.ModifyPreview, error) {
	_, slot, err := h.store.PreviewModification(c.UserContext(), state(c).principal, t.ID, in)
	if err != nil {
		return nil, err
	}
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
	}, nil
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
		errs.Add("fpa_razon", msgReasonRequired)
	default:
		return false
	}
	return true
}

// previewModifyFPA answers the modification form's live preview (htmx).
func (h *Handler) previewModifyFPA(c *fiber.Ctx) error {
	t, err := h.currentTicket(c)
	if err != nil {
		return err
	}
	form, inputErrs := readModifyForm(c)
	in, errs := parseModify(form, inputErrs, false)
	var pv *components.ModifyPreview
	if len(errs) == 0 {
		if pv, err = h.modifyPreview(c, t, in); err != nil && !modifyFieldError(err, &errs) {
			return err
		}
	}
	return render(c, fiber.StatusOK, components.ModifyPreviewBox(pv))
}

// modifyFPA applies a modification (RULES §4), or shows why not: field problems (422), a
// stale version with what changed (409), the limit (409).
func (h *Handler) modifyFPA(c *fiber.Ctx) error {
	t, err := h.currentTicket(c)
	if err != nil {
		return err
	}
	ch, err := readChange(c, t.ID)
	if err != nil {
		return err
	}
	form, inputErrs := readModifyForm(c)
	preview := bodyValue(c, "accion") == "vista"
	in, errs := parseModify(form, inputErrs, !preview)
	if !preview && len(errs) == 0 {
		var done store.Ticket
		done, err = h.store.ModifyFPA(c.UserContext(), state(c).principal, ch, in, h.now())
		if err == nil || errors.Is(err, store.ErrAlreadySubmitted) {
			return h.actionDone(c, done, err, msgFPAModified)
		}
		if !modifyFieldError(err, &errs) {
			if _, _, ok := lifecycleStatus(err); !ok {
				return err
			}
		}
	}
	status := fiber.StatusUnprocessableEntity
	props, err2 := h.ticketPage(c, t)
	if err2 != nil {
		return err2
	}
	if err != nil && len(errs) == 0 {
		var s int
		if props, s, err2 = h.refusedPage(c, t, err); err2 != nil {
			return err2
		}
		status = s
		var stale *store.StaleError
		if errors.As(err, &stale) {
			props.Conflict = modifyConflict(stale.Current, form)
			props.ConflictFor = "modify"
		} else {
			_, props.Modify.Message, _ = lifecycleStatus(err)
		}
	}
	if preview && len(errs) == 0 {
		status = fiber.StatusOK
	}
	// Keep what was typed, on the (possibly new) version with a new key.
	key, version := props.Modify.Key, props.Modify.Version
	props.Modify = form
	props.Modify.Key, props.Modify.Version, props.Modify.Errors = key, version, errs
	// Show the preview of what was typed, when the ticket can still be modified.
	if props.Can.Modify && (len(errs) == 0 || preview) {
		if pin, perrs := parseModify(form, inputErrs, false); len(perrs) == 0 {
			if pv, perr := h.modifyPreview(c, props.T.Ticket, pin); perr == nil {
				props.Modify.Preview = pv
			}
		}
	}
	return h.renderTicketPage(c, status, props)
}

// modifyConflict lists what changed since the form was opened beside what was typed.
func modifyConflict(cur store.Ticket, typed components.ModifyForm) *components.Conflict {
	typedFPA := typed.Date
	if b, err := strconv.Atoi(typed.Block); err == nil {
		typedFPA += ", entre " + components.Clock(b)
	}
	return &components.Conflict{DiscardHref: "/tickets/" + strconv.FormatInt(cur.ID, 10), Rows: []components.ConflictRow{
		{Label: "FPA", Current: fpa.FormatFPA(cur.FPA, fpa.Block{Start: cur.BlockStart, End: cur.BlockEnd}), Typed: typedFPA},
		{Label: "Modificaciones", Current: strconv.Itoa(cur.ModificationCount) + " de 5", Typed: "—"},
	}}
}
