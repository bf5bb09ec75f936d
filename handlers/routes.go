package handlers

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/encryptcookie"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"github.com/redsalud/ticket-home/static"
	"github.com/redsalud/ticket-home/store"
)

// App builds the Fiber application: THE route table, with the middleware order visible.
func (h *Handler) App() *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:                 "Ticket Home",
		ErrorHandler:            h.errorHandler,
		DisableStartupMessage:   true,
		ReadTimeout:             30 * time.Second,
		WriteTimeout:            60 * time.Second,
		IdleTimeout:             120 * time.Second,
		BodyLimit:               1 << 20,
		ProxyHeader:             proxyHeader(h.cfg.TrustedProxies),
		EnableTrustedProxyCheck: len(h.cfg.TrustedProxies) > 0,
		TrustedProxies:          h.cfg.TrustedProxies,
	})

	// 1. Every response: panic recovery, compression (gzip or brotli at their fastest, when the
	//    browser accepts it), request id, access log, security headers.
	app.Use(h.recoverPanic, compress.New(compress.Config{Level: compress.LevelBestSpeed}),
		h.requestID, h.accessLog, h.securityHeaders, h.requestDeadline)

	// 2. Static files (content-hashed URLs, cached for a year and never revalidated) and
	//    probes: no session.
	app.Use("/static", immutable, filesystem.New(filesystem.Config{
		Root:   http.FS(static.FS),
		MaxAge: 365 * 24 * 3600,
	}))
	app.Use("/static", func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	app.Get("/livez", h.livez)
	app.Get("/readyz", h.readyz)

	// 3. Session (encrypted cookie, Postgres storage) and CSRF on every state-changing request,
	//    the sign-in form included.
	app.Use(encryptcookie.New(encryptcookie.Config{Key: cookieKey(h.cfg.SessionSecret)}))
	app.Use(h.loadSession, h.checkCSRF)

	// 4. Public pages.
	app.Get("/login", h.showLogin)
	app.Post("/login", h.login)
	app.Post("/logout", h.logout)

	// 5. Everything else needs a signed-in user; each route names the roles it admits.
	all := h.require(store.Principal.CanRead)
	writers := h.require(store.Principal.CanWrite)
	app.Use(h.authenticate)
	app.Get("/", all, h.home)
	app.Get("/login/iap", all, h.loginIAP)
	app.Get("/catalogo", all, h.showCatalog)
	app.Get("/reenviar", all, h.showResubmit)

	// Board and tickets.
	app.Get("/tablero", all, h.showBoard)
	app.Post("/tablero", all, h.filterBoard)
	app.Post("/tablero/vista", all, h.chooseBoardView)
	app.Get("/tablero/eventos", all, h.boardEvents)
	app.Get("/tickets/nuevo", writers, h.showCreateTicket)
	app.Post("/tickets/nuevo", writers, h.createTicket)
	app.Post("/tickets/nuevo/vista-previa", writers, h.previewTicketFPA)
	app.Post("/tickets/nuevo/cirugias", writers, h.ticketSurgeries)
	app.Post("/tickets/nuevo/paciente", writers, h.ticketPatient)
	app.Get("/tickets/:id", all, h.showTicket)
	app.Get("/tickets/:id/estado", all, h.ticketStatus)

	// Ticket lifecycle (RULES §4–§5). Clinical users annul only their own tickets: the store
	// checks ownership, since it depends on the ticket.
	admins := h.require(store.Principal.IsAdmin)
	app.Post("/tickets/:id/fpa", writers, h.modifyFPA)
	app.Post("/tickets/:id/fpa/vista-previa", writers, h.previewModifyFPA)
	app.Post("/tickets/:id/anular", writers, h.annulTicket)
	app.Post("/tickets/:id/revertir-anulacion", admins, h.revertAnnulment)
	app.Post("/tickets/:id/alta", writers, h.recordDischarge)
	app.Post("/tickets/:id/deshacer-alta", admins, h.undoDischarge)
	app.Get("/tickets/:id/ubicacion", writers, h.showEditLocation)
	app.Post("/tickets/:id/ubicacion", writers, h.editLocation)
	app.Get("/tickets/:id/paciente", admins, h.showEditPatient)
	app.Post("/tickets/:id/paciente", admins, h.editPatient)

	// Master data of the clinic (RULES §1, §2, §6): admins, and superusers for the clinic
	// they chose.
	app.Get("/catalogo/umbrales", admins, h.showThresholds)
	app.Post("/catalogo/umbrales", admins, h.saveThresholds)
	app.Get("/catalogo/:kind/nueva", admins, h.showCatalogRow)
	app.Post("/catalogo/:kind/nueva", admins, h.saveCatalogRow)
	app.Get("/catalogo/:kind/:id", admins, h.showCatalogRow)
	app.Post("/catalogo/:kind/:id", admins, h.saveCatalogRow)
	app.Post("/catalogo/:kind/:id/estado", admins, h.setCatalogActive)

	// Users (RULES §9): admins manage their clinic's clinical and visualizador users,
	// superusers everybody; everyone changes their own password.
	app.Get("/usuarios", admins, h.showUsers)
	app.Get("/usuarios/nuevo", admins, h.showUser)
	app.Post("/usuarios/nuevo", admins, h.saveUser)
	app.Get("/usuarios/:id", admins, h.showUser)
	app.Post("/usuarios/:id", admins, h.saveUser)
	app.Post("/usuarios/:id/estado", admins, h.setUserActive)
	app.Get("/auditoria", admins, h.showAudit)
	app.Post("/auditoria", admins, h.filterAudit)
	app.Post("/auditoria/exportar", admins, h.exportAudit)
	app.Get("/cuenta/contrasena", all, h.showOwnPassword)
	app.Post("/cuenta/contrasena", all, h.changeOwnPassword)

	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return app
}

// immutable marks a static file as never changing at its URL (every URL carries its content's
// hash), so browsers do not even revalidate it.
func immutable(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil && c.Response().StatusCode() == fiber.StatusOK {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	}
	return err
}

// cookieKey derives the AES-256 key that encrypts cookies from the configured secret.
func cookieKey(secret string) string {
	sum := sha256.Sum256([]byte("ticket-home cookie key\x00" + secret))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}
