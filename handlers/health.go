package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

// livez says the process serves HTTP; it touches no database, so a database outage does not
// get healthy instances restarted.
func (h *Handler) livez(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendString("ok")
}

// readyz says the instance can serve requests: the database answers SELECT 1 within 1 s.
func (h *Handler) readyz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	ctx, cancel := context.WithTimeout(c.UserContext(), time.Second)
	defer cancel()
	if err := h.store.Ping(ctx); err != nil {
		h.log.Warn("readiness check failed", "error", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unavailable")
	}
	return c.SendString("ok")
}
