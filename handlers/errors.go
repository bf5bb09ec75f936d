package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/store"
)

// statusOf is the HTTP status an error answers with: the one place that decides, for the
// error page and for the access log alike.
func statusOf(err error) int {
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		return fe.Code
	case errors.Is(err, store.ErrNotFound):
		return fiber.StatusNotFound
	case errors.Is(err, store.ErrForbidden):
		return fiber.StatusForbidden
	case store.Unavailable(err):
		return fiber.StatusServiceUnavailable
	}
	return fiber.StatusInternalServerError
}

// retryAfterSeconds is what a 503 asks the browser to wait: about what the database needs to
// come back from a restart or a failover.
const retryAfterSeconds = "5"

// errorHandler is Fiber's one ErrorHandler: every error becomes a Spanish page (or fragment
// for htmx) with the right status; details go to the log, never to the user. It also answers
// what fails before any middleware ran (a body over the limit, a malformed request), so it
// sets the security headers itself when they are missing.
func (h *Handler) errorHandler(c *fiber.Ctx, err error) error {
	if state(c).nonce == "" {
		h.setSecurityHeaders(c)
	}
	status := statusOf(err)
	var fe *fiber.Error
	errors.As(err, &fe)
	switch {
	case status == fiber.StatusServiceUnavailable:
		h.log.Warn("database unavailable", "error", err, "request_id", state(c).requestID, "route", c.Route().Path)
		c.Set(fiber.HeaderRetryAfter, retryAfterSeconds)
	case status >= 500:
		h.log.Error("request failed", "error", err, "request_id", state(c).requestID, "route", c.Route().Path)
	}
	title, msg := msgServerTitle, msgServer
	switch {
	case status == fiber.StatusNotFound:
		title, msg = msgNotFoundTitle, msgNotFound
	case status == fiber.StatusForbidden && fe != nil && fe.Message == "csrf":
		title, msg = msgCSRFTitle, msgCSRF
	case status == fiber.StatusForbidden:
		title, msg = msgForbiddenTitle, msgForbidden
	case status == fiber.StatusMethodNotAllowed:
		title, msg = msgMethodTitle, msgMethod
	case status == fiber.StatusTooManyRequests:
		title, msg = msgTooManyTitle, msgTooManyAttempts
	case status == fiber.StatusServiceUnavailable:
		title, msg = msgUnavailableTitle, msgUnavailable
	case status == fiber.StatusRequestEntityTooLarge:
		title, msg = msgTooLargeTitle, msgTooLarge
	case status >= 400 && status < 500:
		title, msg = msgServerTitle, msgBadRequest
	}
	if status >= 500 && state(c).requestID != "" {
		msg += " Código de la solicitud: " + state(c).requestID + "."
	}
	return h.renderError(c, status, title, msg)
}

func (h *Handler) renderError(c *fiber.Ctx, status int, title, msg string) error {
	props := components.ErrorProps{Page: h.page(c, title), Status: status, Heading: title, Message: msg}
	if isFragmentRequest(c) {
		return render(c, status, components.ErrorContent(props))
	}
	return render(c, status, components.ErrorPage(props))
}
