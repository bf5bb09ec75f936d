package handlers

import (
	"errors"

	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/store"
)

// capabilities says what the principal may do with t now (RULES §5, §9).
func capabilities(p store.Principal, t store.Ticket, now time.Time) components.Capabilities {
	admin := p.Role == store.RoleAdmin || p.Role == store.RoleSuperuser
	writer := admin || p.Role == store.RoleClinical
	vigente := t.Status == "vigente"
	return components.Capabilities{
		Modify:        writer && vigente && t.ModificationCount < 5,
		LimitReached:  writer && vigente && t.ModificationCount >= 5,
		Discharge:     writer && vigente,
		UndoDischarge: admin && t.Status == "alta" && now.Before(t.DischargeRecordedAt.Time.Add(store.UndoDischargeWindow)),
		Annul:         vigente && (admin || (p.Role == store.RoleClinical && t.CreatedByID == p.UserID)),
		Revert:        admin && t.Status == "anulado",
		EditLocation:  writer && vigente,
		EditEpisode:   writer && t.Status != "anulado",
		EditPatient:   admin && t.Status != "anulado",
	}
}

// ticketPage reads t's page again (as it is now) with fresh, empty action forms.
func (h *Handler) ticketPage(c *fiber.Ctx, t store.Ticket) (components.TicketPageProps, error) {
	pg, err := h.store.TicketPage(c.UserContext(), state(c).principal, t.ID, false)
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
		Page: h.page(c, "Ticket "+t.Code),
		T:    components.NewTicketView(t, now),
		Can:  capabilities(p, t, now),
	}
	for _, m := range pg.Modifications {
		props.Mods = append(props.Mods, components.ModificationView{Modification: m})
	}
	props.BlockOptions = components.BlockOptions(pg.Catalog.FPABlocks())
	props.ModReasons = components.ReasonOptions(pg.Catalog.Reasons, "modification")
	props.AnnulReasons = components.ReasonOptions(pg.Catalog.Reasons, "annulment")
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
	v, err := formVersion(c)
	if err != nil {
		return store.Change{}, err
	}
	key, ok := cleanText(bodyValue(c, "clave"), false)
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

// actionDone ends a successful (or already applied) change on the ticket page.
func (h *Handler) actionDone(c *fiber.Ctx, t store.Ticket, err error, msg string) error {
	if errors.Is(err, store.ErrAlreadySubmitted) {
		msg = msgAlreadyApplied
	}
	h.flash(c, msg)
	return h.seeOther(c, "/tickets/"+strconv.FormatInt(t.ID, 10))
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
		return fiber.StatusConflict, msgLimitReached, true
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
// with the status that fits the refusal. For a stale version it adds what changed since the
// form was opened beside what the user typed (typed: label → value).
func (h *Handler) refusedPage(c *fiber.Ctx, t store.Ticket, err error, typed ...components.ConflictRow) (components.TicketPageProps, int, error) {
	var stale *store.StaleError
	if errors.As(err, &stale) {
		t = stale.Current
	} else if fresh, ferr := h.store.Ticket(c.UserContext(), state(c).principal, t.ID); ferr == nil {
		t = fresh
	}
	props, perr := h.ticketPage(c, t)
	if perr != nil {
		return props, 0, perr
	}
	if stale != nil {
		cur := props.T
		rows := []components.ConflictRow{
			{Label: "Estado", Current: cur.StateText(), Typed: "—"},
			{Label: "FPA", Current: cur.FPAText(), Typed: "—"},
			{Label: "Modificaciones", Current: strconv.Itoa(cur.ModificationCount) + " de 5", Typed: "—"},
		}
		props.Conflict = &components.Conflict{DiscardHref: cur.Href(), Rows: append(rows, typed...)}
	}
	status, _, _ := lifecycleStatus(err)
	return props, status, nil
}
