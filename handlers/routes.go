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
	r := routes{app: app, h: h}
	r.add(fiber.MethodGet, "/livez", public, h.livez)
	r.add(fiber.MethodGet, "/readyz", public, h.readyz)

	// 3. Session (encrypted cookie, Postgres storage) and CSRF on every state-changing request,
	//    the sign-in form included.
	app.Use(encryptcookie.New(encryptcookie.Config{Key: cookieKey(h.cfg.SessionSecret)}))
	app.Use(h.loadSession, h.checkCSRF)

	// 4. Public pages.
	r.add(fiber.MethodGet, "/login", public, h.showLogin)
	r.add(fiber.MethodPost, "/login", public, h.login)
	r.add(fiber.MethodPost, "/logout", public, h.logout)

	// 5. Everything else needs a signed-in user; each route names who it admits (RULES §9).
	app.Use(h.authenticate)
	r.add(fiber.MethodGet, "/", readers, h.home)
	r.add(fiber.MethodGet, "/login/iap", readers, h.loginIAP)
	r.add(fiber.MethodGet, "/catalogo", readers, h.showCatalog)
	r.add(fiber.MethodGet, "/reenviar", readers, h.showResubmit)
	r.add(fiber.MethodGet, "/cuenta/contrasena", readers, h.showOwnPassword)
	r.add(fiber.MethodPost, "/cuenta/contrasena", readers, h.changeOwnPassword)

	// Board and tickets.
	r.add(fiber.MethodGet, "/tablero", readers, h.showBoard)
	r.add(fiber.MethodPost, "/tablero", readers, h.filterBoard)
	r.add(fiber.MethodPost, "/tablero/vista", readers, h.chooseBoardView)
	r.add(fiber.MethodGet, "/tablero/eventos", readers, h.boardEvents)
	r.add(fiber.MethodGet, "/tablero/exportar", readers, h.exportBoard)
	r.add(fiber.MethodGet, "/tablero/turno", readers, h.shiftSheet)
	r.add(fiber.MethodGet, "/panel", admins, h.showDashboard)
	r.add(fiber.MethodGet, "/panel/exportar", admins, h.exportDashboard)
	r.add(fiber.MethodGet, "/tickets/nuevo", writers, h.showCreateTicket)
	r.add(fiber.MethodPost, "/tickets/nuevo", writers, h.createTicket)
	r.add(fiber.MethodPost, "/tickets/nuevo/vista-previa", writers, h.previewTicketFPA)
	r.add(fiber.MethodPost, "/tickets/nuevo/cirugias", writers, h.ticketSurgeries)
	r.add(fiber.MethodPost, "/tickets/nuevo/paciente", writers, h.ticketPatient)
	r.add(fiber.MethodGet, "/tickets/:id", readers, h.showTicket)
	r.add(fiber.MethodGet, "/tickets/:id/imprimir", readers, h.printTicket)
	r.add(fiber.MethodGet, "/tickets/:id/estado", readers, h.ticketStatus)

	// Ticket lifecycle (RULES §4–§5). Clinical users annul only their own tickets: the store
	// checks ownership, since it depends on the ticket.
	r.add(fiber.MethodPost, "/tickets/:id/fpa", writers, h.modifyFPA)
	r.add(fiber.MethodPost, "/tickets/:id/fpa/vista-previa", writers, h.previewModifyFPA)
	r.add(fiber.MethodPost, "/tickets/:id/anular", writers, h.annulTicket)
	r.add(fiber.MethodPost, "/tickets/:id/revertir-anulacion", admins, h.revertAnnulment)
	r.add(fiber.MethodPost, "/tickets/:id/alta", writers, h.recordDischarge)
	r.add(fiber.MethodPost, "/tickets/:id/deshacer-alta", admins, h.undoDischarge)
	r.add(fiber.MethodGet, "/tickets/:id/ubicacion", writers, h.showEditLocation)
	r.add(fiber.MethodPost, "/tickets/:id/ubicacion", writers, h.editLocation)
	r.add(fiber.MethodGet, "/tickets/:id/paciente", admins, h.showEditPatient)
	r.add(fiber.MethodPost, "/tickets/:id/paciente", admins, h.editPatient)
	r.add(fiber.MethodGet, "/tickets/:id/correccion", writers, h.showCorrectInputs)
	r.add(fiber.MethodPost, "/tickets/:id/correccion", writers, h.correctInputs)
	r.add(fiber.MethodGet, "/tickets/:id/medico", admins, h.showEditDoctor)
	r.add(fiber.MethodPost, "/tickets/:id/medico", admins, h.editDoctor)

	// Master data of the clinic (RULES §1, §2, §6): admins, and superusers for the clinic
	// they chose.
	r.add(fiber.MethodGet, "/catalogo/umbrales", admins, h.showThresholds)
	r.add(fiber.MethodPost, "/catalogo/umbrales", admins, h.saveThresholds)
	r.add(fiber.MethodGet, "/catalogo/:kind/nueva", admins, h.showCatalogRow)
	r.add(fiber.MethodPost, "/catalogo/:kind/nueva", admins, h.saveCatalogRow)
	r.add(fiber.MethodGet, "/catalogo/:kind/:id", admins, h.showCatalogRow)
	r.add(fiber.MethodPost, "/catalogo/:kind/:id", admins, h.saveCatalogRow)
	r.add(fiber.MethodPost, "/catalogo/:kind/:id/estado", admins, h.setCatalogActive)

	// Users: admins manage their clinic's clinical and visualizador users, superusers
	// everybody (the store checks whom); the audit log.
	r.add(fiber.MethodGet, "/usuarios", admins, h.showUsers)
	r.add(fiber.MethodGet, "/usuarios/nuevo", admins, h.showUser)
	r.add(fiber.MethodPost, "/usuarios/nuevo", admins, h.saveUser)
	r.add(fiber.MethodGet, "/usuarios/:id", admins, h.showUser)
	r.add(fiber.MethodPost, "/usuarios/:id", admins, h.saveUser)
	r.add(fiber.MethodPost, "/usuarios/:id/estado", admins, h.setUserActive)
	r.add(fiber.MethodGet, "/auditoria", admins, h.showAudit)
	r.add(fiber.MethodPost, "/auditoria", admins, h.filterAudit)
	r.add(fiber.MethodPost, "/auditoria/exportar", admins, h.exportAudit)

	// Clinics and the superuser allow-list (RULES §7, §9).
	r.add(fiber.MethodGet, "/clinicas", superusers, h.showClinics)
	r.add(fiber.MethodGet, "/clinicas/nueva", superusers, h.showClinic)
	r.add(fiber.MethodGet, "/clinicas/copiar", superusers, h.showCopy)
	r.add(fiber.MethodPost, "/clinicas/copiar", superusers, h.copyCatalog)
	r.add(fiber.MethodPost, "/clinicas/nueva", superusers, h.saveClinic)
	r.add(fiber.MethodGet, "/clinicas/:id", superusers, h.showClinic)
	r.add(fiber.MethodPost, "/clinicas/:id", superusers, h.saveClinic)
	r.add(fiber.MethodPost, "/clinicas/:id/estado", superusers, h.setClinicActive)
	r.add(fiber.MethodPost, "/superusuarios", superusers, h.allowSuperuser)
	r.add(fiber.MethodPost, "/superusuarios/:id/quitar", superusers, h.disallowSuperuser)

	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return app
}

// Access is who may use a route (RULES §9). Every route names its access: the route table
// is checked against the rules (a route without a name has no rule, and a test fails).
type Access string

// The access levels, from everybody to superusers alone.
const (
	public     Access = "public"     // no sign-in (probes, the sign-in pages)
	readers    Access = "readers"    // every signed-in role (store.Principal.CanRead)
	writers    Access = "writers"    // who creates and changes tickets (CanWrite)
	admins     Access = "admins"     // clinic admins and superusers (IsAdmin)
	superusers Access = "superusers" // superusers (IsSuperuser)
)

// allows is the access level's capability.
func (a Access) allows(p store.Principal) bool {
	switch a {
	case readers:
		return p.CanRead()
	case writers:
		return p.CanWrite()
	case admins:
		return p.IsAdmin()
	case superusers:
		return p.IsSuperuser()
	}
	return false
}

// routes adds routes to the application, each with its access level as its name.
type routes struct {
	app *fiber.App
	h   *Handler
}

// add registers method path (a GET also answers HEAD) for access level a.
func (r routes) add(method, path string, a Access, handler fiber.Handler) {
	handlers := []fiber.Handler{handler}
	if a != public {
		handlers = []fiber.Handler{r.h.require(a.allows), handler}
	}
	if method == fiber.MethodGet {
		r.app.Add(fiber.MethodHead, path, handlers...).Name(string(a))
	}
	r.app.Add(method, path, handlers...).Name(string(a))
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
