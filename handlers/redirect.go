package handlers

import "github.com/gofiber/fiber/v2"

// seeOther ends a successful change: 303 to the result page, or for htmx an HX-Location so
// the page navigates the same way.
func (h *Handler) seeOther(c *fiber.Ctx, url string) error {
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Location", url)
		return c.SendStatus(fiber.StatusOK)
	}
	return c.Redirect(url, fiber.StatusSeeOther)
}

// flash leaves a one-time status message for the next page (shown in the status region).
func (h *Handler) flash(c *fiber.Ctx, msg string) {
	st := state(c)
	st.sess.Set(sessFlash, msg)
	st.dirty = true
}
