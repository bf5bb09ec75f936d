package handlers

import (
	"context"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
)

// isFragmentRequest decides page versus fragment in one place: an htmx request that is not a
// history restore and not a boosted full navigation wants only the fragment.
func isFragmentRequest(c *fiber.Ctx) bool {
	return c.Get("HX-Request") == "true" &&
		c.Get("HX-History-Restore-Request") != "true" &&
		c.Get("HX-Boosted") != "true"
}

// render writes a component as HTML with the given status. Authenticated pages are never
// stored by caches (patient data on shared tablets).
func render(c *fiber.Ctx, status int, comp templ.Component) error {
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Vary("HX-Request")
	// Not the request's context itself: a page that says the request ran out of time must
	// still render after its deadline.
	return comp.Render(context.WithoutCancel(c.UserContext()), c.Response().BodyWriter())
}

// page fills the shared Page props of the current request.
func (h *Handler) page(c *fiber.Ctx, title string) components.Page {
	st := state(c)
	p := components.Page{
		Title:   title,
		Path:    c.Path(),
		Nonce:   st.nonce,
		Version: h.cfg.Version,
		CSRF:    maskCSRF(st.csrf),
		Flash:   st.flash,
	}
	if st.signedIn {
		p.User = &components.UserView{Principal: st.principal, ClinicName: st.clinicName}
	}
	return p
}
