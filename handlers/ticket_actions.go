package handlers

import (
	"errors"

	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/store"
)

// capabilities says what the principal may do with t now (RULES §5, §9).
func capabilities(p store.Principal, t store.Ticket, now time.Time) components.Capabilities {
	admin, writer := p.IsAdmin(), p.CanWrite()
	vigente := t.Status == fpa.StoredVigente
	return components.Capabilities{
		Modify:        writer && vigente && t.ModificationCount < fpa.MaxModifications,
		LimitReached:  writer && vigente && t.ModificationCount >= fpa.MaxModifications,
		Discharge:     writer && vigente,
		UndoDischarge: admin && t.Status == fpa.StoredAlta && now.Before(t.DischargeRecordedAt.Time.Add(store.UndoDischargeWindow)),
		Annul:         vigente && (admin || (writer && t.CreatedByID == p.UserID)),
		Revert:        admin && t.Status == fpa.StoredAnulado,
		EditLocation:  writer && vigente,
		EditEpisode:   writer && t.Status != fpa.StoredAnulado,
		EditPatient:   admin && t.Status != fpa.StoredAnulado,
		CorrectInputs: store.CanCorrectInputs(p, t, now),
	}
}

// ticketPageByID reads ticket id's page with fresh, empty action forms.
func (h *Handler) ticketPageByID(c *fiber.Ctx, id int64) (components.TicketPageProps, error) {
	pg, err := h.store.TicketPage(c.UserContext(), state(c).principal, id, false)
	if err != nil {
		return components.TicketPageProps{}, err
	}
	return h.ticketPageProps(c, pg), nil
}

// ticketPageProps builds the ticket page with fresh, empty action forms.
func (h *Handler) ticketPageProps(c *fiber.Ctx, pg store.TicketPage) components.TicketPageProps {
	p := state(c).principal
	now := h.now()
	t := pg.Ticket
	props := components.TicketPageProps{
		Page:      h.page(c, "Ticket "+t.Code),
		T:         components.NewTicketView(t, now),
		Can:       capabilities(p, t, now),
		BoardHref: boardBack(state(c)),
	}
	for _, m := range pg.Modifications {
		props.Mods = append(props.Mods, components.ModificationView{Modification: m})
	}
	props.BlockOptions = components.BlockOptions(pg.Catalog.FPABlocks())
	props.ModReasons = components.ReasonOptions(pg.Catalog.Reasons, store.ReasonModification)
	props.AnnulReasons = components.ReasonOptions(pg.Catalog.Reasons, store.ReasonAnnulment)
	fresh := func() components.SimpleForm {
		return components.SimpleForm{Version: t.Version, Key: randomToken(18), Values: map[string]string{}}
	}
	props.Modify = components.ModifyForm{
		Date: fpa.FormatDate(t.FPA), Block: strconv.Itoa(t.BlockStart), Version: t.Version, Key: randomToken(18),
	}
	props.Annul, props.Revert, props.Undo = fresh(), fresh(), fresh()
	props.Discharge = fresh()
	props.Discharge.Values["fecha"] = fpa.FormatDate(now)
	props.Discharge.Values["hora"] = fpa.FormatTime(now)
	return props
}

// readChange reads the version and one-time key every ticket form carries; a version that is
// not one is a 400.
func readChange(c *fiber.Ctx, id int64) (store.Change, error) {
	v, err := forms.Version(c)
	if err != nil {
		return store.Change{}, err
	}
	key, ok := forms.Clean(forms.Body(c, "clave"), false)
	if !ok || len(key) < 16 || len(key) > 64 {
		key = "" // a form without a usable key still works, without double-submit protection
	}
	return store.Change{TicketID: id, Version: v, Key: key}, nil
}

// currentTicket loads the ticket named by :id for an action (404 for another clinic's).
func (h *Handler) currentTicket(c *fiber.Ctx) (store.Ticket, error) {
	id, err := ticketID(c)
	if err != nil {
		return store.Ticket{}, err
	}
	return h.store.Ticket(c.UserContext(), state(c).principal, id)
}

// actionDone ends a successful (or already applied) change on the ticket page, with the ticket
// the change returned: nothing is read again.
func (h *Handler) actionDone(c *fiber.Ctx, t store.Ticket, err error, msg string) error {
	if errors.Is(err, store.ErrAlreadySubmitted) {
		msg = msgAlreadyApplied
	}
	h.flash(c, msg)
	return h.seeOther(c, "/tickets/"+strconv.FormatInt(t.ID, 10))
}

// A ticket's action forms, as changed and the page name them.
const (
	formModify    = "modify"
	formAnnul     = "annul"
	formRevert    = "revert"
	formDischarge = "discharge"
	formUndo      = "undo"
)

// submitted is a ticket action's form as it was sent: its values, kept on the page that
// answers a refusal; the rows it adds to the conflict view (what was typed); and, for a form
// with more to show, a last touch to the page.
type submitted struct {
	form   string
	values map[string]string
	typed  func(props *components.TicketPageProps) []components.ConflictRow
	adjust func(props *components.TicketPageProps, err error)
}

// changed is the one answer to what a ticket change returned. Done (or already done by an
// earlier submit of the same form): the ticket page with okMsg. Refused because of the
// ticket itself (a stale version, the limit, its state: lifecycleStatus): the ticket page as
// it is now with the status that fits, the form's message (for a stale version, "review and
// send again" beside the conflict view) and what was typed kept. handled is false for any
// other error, which the caller handles or returns.
func (h *Handler) changed(c *fiber.Ctx, id int64, done store.Ticket, err error, okMsg string, sub submitted) (handled bool, _ error) {
	if err == nil || errors.Is(err, store.ErrAlreadySubmitted) {
		return true, h.actionDone(c, done, err, okMsg)
	}
	_, msg, ok := lifecycleStatus(err)
	if !ok {
		return false, nil
	}
	props, status, perr := h.refusedPage(c, id, err)
	if perr != nil {
		return true, perr
	}
	if msg == "" {
		msg = msgStaleTyped
	}
	if props.Conflict != nil && sub.typed != nil {
		props.Conflict.Rows = append(props.Conflict.Rows, sub.typed(&props)...)
	}
	switch f := actionForm(&props, sub.form); {
	case f != nil:
		f.Message = msg
		f.Values = sub.values
	case sub.form == formModify:
		props.Modify.Message = msg
	default:
		// Shown above the actions: a form (the undo's, after 24 hours) may be gone.
		props.Message = msg
	}
	if sub.adjust != nil {
		sub.adjust(&props, err)
	}
	return true, h.renderTicketPage(c, status, props)
}

// actionForm is the page's simple form with that name, or nil.
func actionForm(props *components.TicketPageProps, form string) *components.SimpleForm {
	switch form {
	case formAnnul:
		return &props.Annul
	case formRevert:
		return &props.Revert
	case formDischarge:
		return &props.Discharge
	}
	return nil
}

// invalid answers a form with field problems (422): the ticket page with the form's values
// and messages, on a fresh read of the ticket.
func (h *Handler) invalid(c *fiber.Ctx, id int64, sub submitted, errs components.Errors) error {
	props, err := h.ticketPageByID(c, id)
	if err != nil {
		return err
	}
	if f := actionForm(&props, sub.form); f != nil {
		f.Values, f.Errors = sub.values, errs
	}
	return h.renderTicketPage(c, fiber.StatusUnprocessableEntity, props)
}

// renderTicketPage answers a refused action: the whole page with the form as submitted, or
// for htmx the modification section alone.
func (h *Handler) renderTicketPage(c *fiber.Ctx, status int, props components.TicketPageProps) error {
	if isFragmentRequest(c) && strings.Contains(c.Get("HX-Target"), "modificar-fpa") {
		if status == fiber.StatusConflict {
			// The ticket changed: every part of the page may be out of date, not just the form.
			c.Set("HX-Retarget", "#ticket-main")
			c.Set("HX-Reswap", "outerHTML")
			return render(c, status, components.TicketMain(props))
		}
		return render(c, status, components.ModifySection(props))
	}
	return render(c, status, components.TicketPage(props))
}

// lifecycleStatus maps what the store refused to a status and message; ok is false for
// errors that are not the user's.
func lifecycleStatus(err error) (status int, msg string, ok bool) {
	var stale *store.StaleError
	switch {
	case errors.As(err, &stale):
		return fiber.StatusConflict, "", true
	case errors.Is(err, store.ErrLimitReached):
		return fiber.StatusConflict, forms.MsgLimitReached, true
	case errors.Is(err, store.ErrNotActive):
		return fiber.StatusConflict, msgNotActive, true
	case errors.Is(err, store.ErrNotAnnulled):
		return fiber.StatusConflict, msgNotAnnulled, true
	case errors.Is(err, store.ErrNotDischarged):
		return fiber.StatusConflict, msgNotDischarged, true
	case errors.Is(err, store.ErrOtherVigente):
		return fiber.StatusConflict, msgOtherVigente, true
	case errors.Is(err, store.ErrUndoExpired):
		return fiber.StatusConflict, msgUndoExpired, true
	case errors.Is(err, store.ErrLocked):
		return fiber.StatusConflict, msgLocked, true
	}
	return 0, "", false
}

// refusedPage rebuilds the ticket page after a refused change, on the ticket as it is now,
// with the status that fits the refusal. For a stale version it shows what changed since the
// form was opened (the form adds what was typed beside it).
func (h *Handler) refusedPage(c *fiber.Ctx, id int64, err error) (components.TicketPageProps, int, error) {
	props, perr := h.ticketPageByID(c, id)
	if perr != nil {
		return props, 0, perr
	}
	var stale *store.StaleError
	if errors.As(err, &stale) {
		cur := props.T
		rows := []components.ConflictRow{
			{Label: "Estado", Current: cur.StateText(), Typed: "—"},
			{Label: "FPA", Current: cur.FPAText(), Typed: "—"},
			{Label: "Modificaciones", Current: strconv.Itoa(cur.ModificationCount) + " de " + strconv.Itoa(fpa.MaxModifications), Typed: "—"},
		}
		props.Conflict = &components.Conflict{DiscardHref: cur.Href(), Rows: rows}
	}
	status, _, _ := lifecycleStatus(err)
	return props, status, nil
}
