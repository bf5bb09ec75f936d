package handlers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/session"

	"github.com/redsalud/ticket-home/store"
)

// reqState is everything the middleware learns about a request, kept in one Locals entry.
type reqState struct {
	requestID  string
	nonce      string
	sess       *session.Session
	dirty      bool // sess changed: loadSession saves it once, after the handler
	csrf       string
	signedIn   bool // principal is the signed-in user's
	principal  store.Principal
	clinicName string
	flash      string
}

const stateKey = "th.state"

func state(c *fiber.Ctx) *reqState {
	if s, ok := c.Locals(stateKey).(*reqState); ok {
		return s
	}
	s := &reqState{}
	c.Locals(stateKey, s)
	return s
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err)) // the platform is broken; nothing is safe
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// recoverPanic turns a panic into a 500 page and a log line with the stack, never shown to
// the user.
func (h *Handler) recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			h.log.Error("panic", "request_id", state(c).requestID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fiber.ErrInternalServerError
		}
	}()
	return c.Next()
}

// requestID takes a sane incoming X-Request-Id (from the load balancer) or makes one, and
// echoes it so a user can quote it to support.
func (h *Handler) requestID(c *fiber.Ctx) error {
	id := c.Get(fiber.HeaderXRequestID)
	if len(id) < 8 || len(id) > 64 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != "" {
		b := make([]byte, 8)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		id = hex.EncodeToString(b)
	}
	state(c).requestID = id
	c.Set(fiber.HeaderXRequestID, id)
	c.SetUserContext(store.WithRequestID(c.UserContext(), id))
	return c.Next()
}

// accessLog writes one line per request: the route pattern (never the raw path or query,
// which may hold patient data), status, duration and request id.
func (h *Handler) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status = statusOf(err)
	}
	route := c.Route().Path
	if strings.HasPrefix(c.Path(), "/static/") {
		return err
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	h.log.Log(c.UserContext(), level, "request",
		"method", c.Method(), "route", route, "status", status,
		"duration_ms", float64(time.Since(start).Microseconds())/1000,
		"request_id", state(c).requestID)
	return err
}

// securityHeaders sets the headers every response carries, 404s and static files included.
func (h *Handler) securityHeaders(c *fiber.Ctx) error {
	h.setSecurityHeaders(c)
	return c.Next()
}

// requestDeadline bounds the request's work: every database call made with the request's
// context fails when REQUEST_TIMEOUT has passed (the socket itself, not only the context), so a
// database that does not answer costs a 503 after a few seconds, never a hung request.
func (h *Handler) requestDeadline(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), h.cfg.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

func (h *Handler) setSecurityHeaders(c *fiber.Ctx) {
	nonce := randomToken(16)
	state(c).nonce = nonce
	c.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-"+nonce+"'; "+
		"style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "+
		"form-action 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if !h.cfg.Local() {
		c.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
}
