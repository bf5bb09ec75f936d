package handlers

import (
	"crypto/subtle"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/store"
)

const sessionCookie = "th_session"

// Session keys. Values are basic types so the gob encoding needs no registration.
const (
	sessUserID   = "uid"
	sessAuthAt   = "auth_at" // unix seconds of sign-in: the absolute limit counts from here
	sessSeenAt   = "seen_at" // unix seconds of the last refresh of the idle expiry
	sessCSRF     = "csrf"
	sessClinic   = "clinic" // a superuser's chosen clinic id, or "todas"
	sessFlash    = "flash"
	sessNotice   = "notice"    // shown on the sign-in page after a forced sign-out
	sessIAPEmail = "iap_email" // the IAP identity a session was started for
	// A form posted after the session expired, kept for the same user to send again.
	sessPendingUser = "pending_user"
	sessPendingPath = "pending_path"
	sessPendingForm = "pending_form"
	sessionSeen     = time.Minute
)

// loadSession attaches the session (new and unsaved if the browser has none) and its CSRF
// token to the request, and saves it once after the handler if anything changed: Fiber
// releases a session on Save, so nothing may touch it after that.
func (h *Handler) loadSession(c *fiber.Ctx) error {
	sess, err := h.sessions.Get(c)
	if err != nil {
		return err
	}
	st := state(c)
	st.sess = sess
	st.csrf, _ = sess.Get(sessCSRF).(string)
	err = c.Next()
	if st.dirty {
		st.dirty = false
		if serr := st.sess.Save(); serr != nil && err == nil {
			return serr
		}
	}
	return err
}

// ensureCSRF gives the session a CSRF token if it has none.
func ensureCSRF(c *fiber.Ctx) {
	st := state(c)
	if st.csrf == "" {
		st.csrf = randomToken(32)
		st.sess.Set(sessCSRF, st.csrf)
		st.dirty = true
	}
}

// checkCSRF refuses any state-changing request whose token (form field "_csrf" for plain
// forms, header X-CSRF-Token for htmx) does not match the session's.
func (h *Handler) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	st := state(c)
	sent := c.Get("X-CSRF-Token")
	if sent == "" {
		sent = c.FormValue("_csrf")
	}
	if st.csrf == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(st.csrf)) != 1 {
		if c.Path() == "/login" && c.Method() == fiber.MethodPost {
			return h.loginFormExpired(c)
		}
		return fiber.NewError(fiber.StatusForbidden, "csrf")
	}
	return c.Next()
}

// authenticate requires a signed-in, active user: from the session, else from an IAP
// assertion when IAP is configured. Otherwise it sends the browser to sign in (htmx gets a
// 401 with HX-Redirect), remembering where to come back.
func (h *Handler) authenticate(c *fiber.Ctx) error {
	st := state(c)
	now := h.now()
	uid, _ := st.sess.Get(sessUserID).(int64)
	if h.iap != nil {
		if a := c.Get(iapHeader); a != "" {
			// Behind IAP the assertion is authoritative on every request: a session continues
			// only while it belongs to the person IAP vouches for now (a shared computer whose
			// Google account changed must not keep the previous person's session).
			email, err := h.iap.Verify(c.UserContext(), a)
			if err != nil {
				h.log.Warn("iap assertion refused", "error", err, "request_id", st.requestID)
				if err := h.store.RecordLogin(c.UserContext(), store.LoginAttempt{Method: "iap", Username: "(aserción inválida)",
					Reason: "invalid_assertion", IP: clientIP(c), UserAgent: c.Get(fiber.HeaderUserAgent)}); err != nil {
					return err
				}
				if uid != 0 {
					if err := st.sess.Reset(); err != nil {
						return err
					}
					st.csrf, st.dirty = "", true
				}
				return h.renderError(c, fiber.StatusForbidden, msgForbiddenTitle, msgIAPNotAllowed)
			}
			stored, _ := st.sess.Get(sessIAPEmail).(string)
			if uid == 0 || !strings.EqualFold(stored, email) || h.sessionOver(c, now) {
				ok, err := h.signInIAP(c, email)
				if err != nil {
					return err
				}
				if !ok {
					return h.renderError(c, fiber.StatusForbidden, msgForbiddenTitle, msgIAPNotAllowed)
				}
				return h.resolvePrincipal(c)
			}
		}
	}
	if uid != 0 {
		if h.sessionOver(c, now) {
			return h.endSession(c, msgSessionExpired)
		}
		u, err := h.store.UserByID(c.UserContext(), uid)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !u.Active) {
			return h.endSession(c, msgSessionExpired)
		}
		if err != nil {
			return err
		}
		st.user = &u
		// Refresh the idle expiry at most once a minute rather than writing on every request.
		if seen, _ := st.sess.Get(sessSeenAt).(int64); now.Sub(time.Unix(seen, 0)) > sessionSeen {
			st.sess.Set(sessSeenAt, now.Unix())
			st.dirty = true
		}
		return h.resolvePrincipal(c)
	}
	return h.redirectToLogin(c, msgLoginRequired)
}

// sessionOver reports whether the signed-in session passed its absolute or idle limit. The
// storage expires idle sessions too; checking here keeps the rule exact and independent of
// the storage's clock and garbage collection.
func (h *Handler) sessionOver(c *fiber.Ctx, now time.Time) bool {
	st := state(c)
	authAt, _ := st.sess.Get(sessAuthAt).(int64)
	seen, _ := st.sess.Get(sessSeenAt).(int64)
	return now.Sub(time.Unix(authAt, 0)) > h.cfg.SessionMaxAge || now.Sub(time.Unix(seen, 0)) > h.cfg.SessionIdle
}

// endSession destroys a session that may no longer be used and sends the user to sign in.
func (h *Handler) endSession(c *fiber.Ctx, notice string) error {
	st := state(c)
	uid, _ := st.sess.Get(sessUserID).(int64)
	if err := st.sess.Regenerate(); err != nil {
		return err
	}
	keepPendingForm(c, uid)
	st.sess.Delete(sessUserID)
	st.sess.Delete(sessAuthAt)
	st.csrf = ""
	st.sess.Delete(sessCSRF)
	st.sess.Delete(sessClinic)
	return h.redirectToLogin(c, notice)
}

// keepPendingForm keeps a plain form post (no JavaScript) that arrived on an expired
// session, so that the same user can send it again after signing in. Only the ticket forms,
// only for a known user, at most 16 KiB; the CSRF token is not kept.
func keepPendingForm(c *fiber.Ctx, uid int64) {
	st := state(c)
	if uid == 0 || c.Method() != fiber.MethodPost || c.Get("HX-Request") == "true" || !strings.HasPrefix(c.Path(), "/tickets/") {
		return
	}
	form, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		return
	}
	form.Del("_csrf")
	enc := form.Encode()
	if len(enc) > 16<<10 {
		return
	}
	st.sess.Set(sessPendingUser, uid)
	st.sess.Set(sessPendingPath, c.Path())
	st.sess.Set(sessPendingForm, enc)
	st.dirty = true
}

func (h *Handler) redirectToLogin(c *fiber.Ctx, notice string) error {
	st := state(c)
	next := c.OriginalURL()
	if isFragmentRequest(c) {
		// An htmx request's own URL is a fragment endpoint: return to the page instead.
		next = ""
		if cur, err := url.Parse(c.Get("HX-Current-URL")); err == nil {
			next = cur.RequestURI()
		}
	} else if c.Method() != fiber.MethodGet {
		next = string(c.Request().Header.Referer())
		if u, err := url.Parse(next); err == nil {
			next = u.RequestURI()
		}
	}
	st.sess.Set(sessNotice, notice)
	state(c).dirty = true
	target := "/login"
	if safeNext(next) != "" && safeNext(next) != "/" {
		target += "?next=" + url.QueryEscape(safeNext(next))
	}
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", target)
		return c.SendStatus(fiber.StatusUnauthorized)
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// safeNext accepts only a local path, so the sign-in page cannot be used to redirect away.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t") || strings.HasPrefix(next, "/login") || strings.HasPrefix(next, "/logout") {
		return ""
	}
	return next
}

// resolvePrincipal decides over which clinic(s) the request acts. A non-superuser always acts
// on their own clinic, whatever any parameter names. A superuser may choose a clinic (or
// "todas") with ?clinica=, remembered in the session.
func (h *Handler) resolvePrincipal(c *fiber.Ctx) error {
	st := state(c)
	u := st.user
	p := store.Principal{UserID: u.ID, Username: u.Username, Role: u.Role, ClinicID: u.ClinicID}
	st.clinicName = u.ClinicName
	if u.Role == store.RoleSuperuser {
		choice := c.Query("clinica")
		remembered, _ := st.sess.Get(sessClinic).(string)
		if choice == "" {
			choice = remembered
		}
		p.AllClinics, p.ClinicID, st.clinicName = true, 0, ""
		if id, err := strconv.ParseInt(choice, 10, 64); err == nil && id > 0 {
			cl, err := h.store.Clinic(c.UserContext(), p, id)
			switch {
			case err == nil:
				p.AllClinics, p.ClinicID, st.clinicName = false, cl.ID, cl.Name
			case errors.Is(err, store.ErrNotFound):
				choice = "todas"
			default:
				return err
			}
		} else {
			choice = "todas"
		}
		if choice != remembered {
			st.sess.Set(sessClinic, choice)
			state(c).dirty = true
		}
	}
	st.principal = p
	return c.Next()
}

// requireRole lets only the listed roles through: the single place where a route states who
// may use it (RULES §9).
func requireRole(roles ...store.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		r := state(c).principal.Role
		for _, ok := range roles {
			if r == ok {
				return c.Next()
			}
		}
		return fiber.ErrForbidden
	}
}

// takeFlash moves a one-time status message from the session into the page.
func takeFlash(c *fiber.Ctx) error {
	st := state(c)
	if f, _ := st.sess.Get(sessFlash).(string); f != "" {
		st.flash = f
		st.sess.Delete(sessFlash)
		state(c).dirty = true
	}
	return nil
}
