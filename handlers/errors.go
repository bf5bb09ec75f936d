package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/store"
)

// errorHandler is Fiber's one ErrorHandler: every error becomes a Spanish page (or fragment
// for htmx) with the right status; details go to the log, never to the user.
func (h *Handler) errorHandler(c *fiber.Ctx, err error) error {
	status := fiber.StatusInternalServerError
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		status = fe.Code
	case errors.Is(err, store.ErrNotFound):
		status = fiber.StatusNotFound
	case errors.Is(err, store.ErrForbidden):
		status = fiber.StatusForbidden
	}
	if status >= 500 {
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
		title, msg = msgServerTitle, msgUnavailable
	case status >= 400 && status < 500:
		title, msg = msgServerTitle, msgBadRequest
	}
	if status >= 500 {
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
