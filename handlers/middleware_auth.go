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
	sessIAPEmail = "iap_email" // the IAP identity a session was started for
	// A form posted after the session expired, kept for the same user to send again.
	sessPendingUser = "pending_user"
	sessPendingPath = "pending_path"
	sessPendingForm = "pending_form"
	sessPendingAt   = "pending_at" // unix seconds: the form is kept pendingFormLife at most
	// The board's search text: kept here, never in a URL (RULES §11).
	sessBoardQuery = "board_q"
	sessionSeen    = time.Minute
)

// pendingFormLife is how long a form posted on an expired session is kept for its author.
const pendingFormLife = 15 * time.Minute

// loadSession attaches the session (new and unsaved if the browser has none) and its CSRF
// token to the request, and saves it once after the handler if anything changed and the
// handler succeeded: a failed request (a sign-in whose audit row could not be written, say)
// leaves no session behind. Fiber releases a session on Save, so nothing may touch it after.
// A visitor who only reads pages, or fails to sign in, never changes it: no row is stored.
func (h *Handler) loadSession(c *fiber.Ctx) error {
	sess, err := h.sessions.Get(c)
	if err != nil {
		return err
	}
	st := state(c)
	st.sess = sess
	st.csrf, _ = sess.Get(sessCSRF).(string)
	err = c.Next()
	if st.dirty && err == nil && c.Response().StatusCode() < fiber.StatusInternalServerError {
		st.dirty = false
		return st.sess.Save()
	}
	return err
}

// ensureCSRF gives a signed-in session a CSRF token if it has none.
func ensureCSRF(c *fiber.Ctx) {
	st := state(c)
	if st.csrf == "" {
		st.csrf = randomToken(32)
		st.sess.Set(sessCSRF, st.csrf)
		st.dirty = true
	}
}

// The sign-in form's CSRF token lives in a cookie of its own and in the form (a double
// submit), not in a session: a session would have to be stored for every visitor of the
// sign-in page. Every cookie is encrypted and authenticated (encryptcookie), so nobody can
// plant a token of their choosing.
const loginCSRFCookie = "th_login"

// loginCSRF puts the sign-in form's token (the cookie's, or a new one) into the page.
func (h *Handler) loginCSRF(c *fiber.Ctx) {
	if tok := c.Cookies(loginCSRFCookie); len(tok) >= 32 {
		state(c).csrf = tok
		return
	}
	h.newLoginCSRF(c)
}

// newLoginCSRF sets a new sign-in token in the cookie and the page.
func (h *Handler) newLoginCSRF(c *fiber.Ctx) {
	tok := randomToken(32)
	c.Cookie(&fiber.Cookie{
		Name: loginCSRFCookie, Value: tok, Path: "/login", MaxAge: int(h.cfg.SessionMaxAge.Seconds()),
		HTTPOnly: true, Secure: !h.cfg.Local(), SameSite: fiber.CookieSameSiteLaxMode,
	})
	state(c).csrf = tok
}

// sentCSRF is the token a state-changing request carries: the X-CSRF-Token header (htmx) or
// the form's "_csrf" field, from the body only (a link cannot carry it).
func sentCSRF(c *fiber.Ctx) string {
	if v := c.Get("X-CSRF-Token"); v != "" {
		return v
	}
	return bodyValue(c, "_csrf")
}

// checkCSRF refuses any state-changing request whose token does not match the session's (or,
// for the sign-in form, the sign-in cookie's).
func (h *Handler) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	st := state(c)
	want := st.csrf
	isLogin := c.Path() == "/login" && c.Method() == fiber.MethodPost
	if isLogin {
		want = c.Cookies(loginCSRFCookie)
	}
	if len(want) < 32 || subtle.ConstantTimeCompare([]byte(sentCSRF(c)), []byte(want)) != 1 {
		if isLogin {
			return h.loginFormExpired(c)
		}
		return fiber.NewError(fiber.StatusForbidden, "csrf")
	}
	if isLogin {
		st.csrf = want // the page rendered again after a failed sign-in keeps the token
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
					Reason: "invalid_assertion", IP: clientIP(c), UserAgent: headerText(c, fiber.HeaderUserAgent)}); err != nil {
					return err
				}
				if uid != 0 {
					if err := st.sess.Destroy(); err != nil {
						return err
					}
					st.csrf, st.dirty = "", false
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
			return h.endSession(c, "expirada")
		}
		u, err := h.store.UserByID(c.UserContext(), uid)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !u.Active) {
			return h.endSession(c, "expirada")
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
	return h.redirectToLogin(c, "requerida")
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
// Only a form the user was posting is kept, under a new id, for pendingFormLife.
func (h *Handler) endSession(c *fiber.Ctx, notice string) error {
	st := state(c)
	uid, _ := st.sess.Get(sessUserID).(int64)
	form, keep := pendingForm(c, uid)
	st.csrf = ""
	if !keep {
		if err := st.sess.Destroy(); err != nil {
			return err
		}
		st.dirty = false
		return h.redirectToLogin(c, notice)
	}
	if err := st.sess.Regenerate(); err != nil {
		return err
	}
	for _, k := range st.sess.Keys() {
		st.sess.Delete(k)
	}
	st.sess.Set(sessPendingUser, uid)
	st.sess.Set(sessPendingPath, c.Path())
	st.sess.Set(sessPendingForm, form)
	st.sess.Set(sessPendingAt, h.now().Unix())
	st.sess.SetExpiry(pendingFormLife)
	st.dirty = true
	return h.redirectToLogin(c, notice)
}

// maxPendingForm bounds a kept form (encoded), so an expired session cannot be made to store
// anything big.
const maxPendingForm = 16 << 10

// pendingForm is the plain form post (no JavaScript) that arrived on an expired session, to
// keep for the same user to send again after signing in: only the ticket forms, only for a
// known user, at most maxPendingForm; never the CSRF token, never refused characters.
func pendingForm(c *fiber.Ctx, uid int64) (string, bool) {
	if uid == 0 || c.Method() != fiber.MethodPost || c.Get("HX-Request") == "true" || !strings.HasPrefix(c.Path(), "/tickets/") ||
		len(c.Body()) > maxPendingForm {
		return "", false
	}
	form, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		return "", false
	}
	form.Del("_csrf")
	for _, vs := range form {
		for _, v := range vs {
			if _, ok := cleanText(v, true); !ok {
				return "", false
			}
		}
	}
	enc := form.Encode()
	return enc, len(enc) <= maxPendingForm
}

// pendingFor reports whether the session holds a kept form of user uid still within its life.
func (h *Handler) pendingFor(c *fiber.Ctx, uid int64) bool {
	st := state(c)
	owner, _ := st.sess.Get(sessPendingUser).(int64)
	at, _ := st.sess.Get(sessPendingAt).(int64)
	return owner == uid && uid != 0 && h.now().Sub(time.Unix(at, 0)) <= pendingFormLife
}

// hasPendingForm reports whether the signed-in session has a kept form to offer.
func (h *Handler) hasPendingForm(c *fiber.Ctx) bool {
	path, _ := state(c).sess.Get(sessPendingPath).(string)
	return path != ""
}

func (h *Handler) redirectToLogin(c *fiber.Ctx, notice string) error {
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
	target := loginURL(notice, withoutSearch(next))
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", target)
		return c.SendStatus(fiber.StatusUnauthorized)
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// withoutSearch drops a search text from a URL (an old link may still carry ?q=): the sign-in
// page's ?next= must not carry a patient's name or RUT (RULES §11).
func withoutSearch(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.RawQuery == "" {
		return next
	}
	q := u.Query()
	q.Del("q")
	u.RawQuery = q.Encode()
	return u.RequestURI()
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
