package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
)

// ticketID reads the :id parameter; anything but a positive number is simply not found.
func ticketID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

// showTicket renders everything about a ticket; the view is audited. Another clinic's
// ticket answers 404.
func (h *Handler) showTicket(c *fiber.Ctx) error {
	takeFlash(c)
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	pg, err := h.store.TicketPage(c.UserContext(), state(c).principal, id, true)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, components.TicketPage(h.ticketPageProps(c, pg)))
}

// ticketStatus is the state and countdown fragment, refreshed every minute while visible.
func (h *Handler) ticketStatus(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	t, err := h.store.Ticket(c.UserContext(), state(c).principal, id)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, components.TicketStatus(components.NewTicketView(t, h.now())))
}
