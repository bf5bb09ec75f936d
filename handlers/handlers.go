// Package handlers is Ticket Home's HTTP layer: the route table, middleware, and one file per
// action. Handlers parse input into typed forms, call the store with the request's principal,
// and render templ components.
package handlers

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/session"

	"github.com/redsalud/ticket-home/config"
	"github.com/redsalud/ticket-home/live"
	"github.com/redsalud/ticket-home/store"
)

// IAPVerifier checks a Google IAP assertion and returns the signed-in e-mail.
type IAPVerifier interface {
	Verify(ctx context.Context, assertion string) (email string, err error)
}

// Handler holds what every request handler needs.
type Handler struct {
	cfg      config.Config
	store    *store.Store
	log      *slog.Logger
	sessions *session.Store
	iap      IAPVerifier // nil when IAP is not configured
	now      func() time.Time
	live     *live.Broker // nil when live updates are off
	// heartbeat is how often an idle live-update stream writes a comment.
	heartbeat time.Duration
}

// Options are the collaborators of New that tests may replace.
type Options struct {
	// SessionStorage keeps sessions (Postgres in production and tests).
	SessionStorage fiber.Storage
	// IAP verifies IAP assertions; nil disables IAP sign-in.
	IAP IAPVerifier
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Live tells the board's live-update streams of changes; nil turns them off (the endpoint
	// answers 503 and the board refreshes itself every minute).
	Live *live.Broker
	// LiveHeartbeat is how often an idle stream writes a comment; zero means 25 s.
	LiveHeartbeat time.Duration
}

// New builds the Handler. Call App for the Fiber application.
func New(cfg config.Config, st *store.Store, log *slog.Logger, opt Options) *Handler {
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	heartbeat := opt.LiveHeartbeat
	if heartbeat <= 0 {
		heartbeat = liveHeartbeat
	}
	h := &Handler{cfg: cfg, store: st, log: log, iap: opt.IAP, now: now, live: opt.Live, heartbeat: heartbeat}
	h.sessions = session.New(session.Config{
		Storage: opt.SessionStorage,
		// The stored session outlives the idle limit by an hour: authenticate enforces the
		// limit itself, and finding the expired session lets it keep a form the user posted
		// meanwhile for that same user (nothing typed is lost).
		Expiration:     cfg.SessionIdle + time.Hour,
		KeyLookup:      "cookie:" + sessionCookie,
		CookieHTTPOnly: true,
		CookieSameSite: fiber.CookieSameSiteLaxMode,
		CookieSecure:   !cfg.Local(),
		CookiePath:     "/",
	})
	return h
}
