package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
	"github.com/redsalud/ticket-home/store"
)

func (h *Handler) locationProps(c *fiber.Ctx, t store.Ticket) components.LocationProps {
	return components.LocationProps{
		Page: h.page(c, "Ubicación · "+t.Code), T: components.NewTicketView(t, h.now()),
		Room: t.Room, Bed: t.Bed, Location: t.Location, Episode: t.EpisodeID,
		Version: t.Version, Key: randomToken(18), Can: capabilities(state(c).principal, t, h.now()),
	}
}

// showEditLocation is the small form page that edits room, bed, location and episode id.
func (h *Handler) showEditLocation(c *fiber.Ctx) error {
	t, err := h.currentTicket(c)
	if err != nil {
		return err
	}
	props := h.locationProps(c, t)
	if !props.Can.EditEpisode {
		return fiber.ErrForbidden
	}
	if slot := inlineSlot(c); slot != "" {
		if c.Query("ver") != "" { // "Cancelar" of the inline form: back to the plain cell
			return render(c, fiber.StatusOK, components.LocationCell(props.T, slot, true, false, true))
		}
		return render(c, fiber.StatusOK, components.LocationInline(props, slot))
	}
	return render(c, fiber.StatusOK, components.LocationPage(props))
}

// editLocation saves room, bed, location and episode id; annulled tickets are read-only and
// discharged ones keep their bed and location (the episode stays editable). A save reads
// nothing before it: the ticket is read only to answer a refusal.
func (h *Handler) editLocation(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	ch, err := readChange(c, id)
	if err != nil {
		return err
	}
	in, errs := forms.ReadLocation(c).Validate()
	status := fiber.StatusUnprocessableEntity
	var refused error
	var cur store.Ticket
	if len(errs) == 0 {
		done, err := h.store.UpdateLocation(c.UserContext(), state(c).principal, ch, in, h.now())
		if err == nil || errors.Is(err, store.ErrAlreadySubmitted) {
			if slot := inlineSlot(c); slot != "" {
				return render(c, fiber.StatusOK, components.LocationSaved(components.NewTicketView(done, h.now()), slot))
			}
			return h.actionDone(c, done, err, msgTicketUpdated)
		}
		if _, _, ok := lifecycleStatus(err); !ok {
			return err
		}
		status, refused = fiber.StatusConflict, err
		var stale *store.StaleError
		if errors.As(err, &stale) {
			cur = stale.Current
		}
	}
	if cur.ID == 0 {
		if cur, err = h.store.Ticket(c.UserContext(), state(c).principal, id); err != nil {
			return err
		}
	}
	props := h.locationProps(c, cur)
	if refused != nil {
		_, props.Message, _ = lifecycleStatus(refused)
		if errors.As(refused, new(*store.StaleError)) {
			props.Message = msgStaleTyped
			props.Conflict = &components.Conflict{DiscardHref: props.T.Href(), Rows: []components.ConflictRow{
				{Label: "Habitación", Current: components.OrDash(cur.Room), Typed: components.OrDash(in.Room)},
				{Label: "Cama", Current: components.OrDash(cur.Bed), Typed: components.OrDash(in.Bed)},
				{Label: "Ubicación", Current: components.OrDash(cur.Location), Typed: components.OrDash(in.Location)},
				{Label: "ID del episodio", Current: components.OrDash(cur.EpisodeID), Typed: components.OrDash(in.EpisodeID)},
			}}
		}
	}
	props.Room, props.Bed, props.Location, props.Episode, props.Errors = in.Room, in.Bed, in.Location, in.EpisodeID, errs
	if slot := inlineSlot(c); slot != "" {
		return render(c, status, components.LocationInline(props, slot))
	}
	return render(c, status, components.LocationPage(props))
}

// inlineSlot is the board's in-place edit ("c" card, "t" table row) of an htmx request, or "".
func inlineSlot(c *fiber.Ctx) string {
	if !isFragmentRequest(c) {
		return ""
	}
	switch s := c.Query("en"); s {
	case "c", "t":
		return s
	}
	return ""
}
