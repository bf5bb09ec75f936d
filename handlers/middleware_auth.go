package handlers

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/forms"
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
	// What the user's board remembers (store.User.BoardView, BoardWard), and the board's
	// address as last shown, for "Volver al tablero".
	sessBoardView = "board_view"
	sessBoardWard = "board_ward"
	sessBoardBack = "board_back"
	sessionSeen   = time.Minute
	// What the session knows of its user, stamped with the versions every transaction checks
	// (store.Principal): no request reads the user on its own.
	sessUsername    = "uname"
	sessRole        = "role"
	sessUserVersion = "uver"
	sessHomeClinic  = "home"      // the user's clinic (0 for a superuser)
	sessHomeName    = "home_name" // its name
	sessHomeVersion = "home_ver"
	// A superuser's chosen clinic (sessClinic) as last checked: its name and version.
	sessChosenName    = "chosen_name"
	sessChosenVersion = "chosen_ver"
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

// Pages are compressed, so a secret in a page must not be the same bytes in every response
// (BREACH): the token a page carries is masked with a fresh random pad each time,
// base64(pad ‖ token ⊕ pad), and unmasked when it comes back.

// maskCSRF masks tok for one page.
func maskCSRF(tok string) string {
	if tok == "" {
		return ""
	}
	pad := make([]byte, len(tok))
	if _, err := rand.Read(pad); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	out := make([]byte, 2*len(tok))
	copy(out, pad)
	for i := range len(tok) {
		out[len(tok)+i] = tok[i] ^ pad[i]
	}
	return base64.RawURLEncoding.EncodeToString(out)
}

// unmaskCSRF recovers the token from a masked one ("" when it is not one).
func unmaskCSRF(masked string) string {
	b, err := base64.RawURLEncoding.DecodeString(masked)
	if err != nil || len(b) == 0 || len(b)%2 != 0 {
		return ""
	}
	n := len(b) / 2
	out := make([]byte, n)
	for i := range n {
		out[i] = b[i] ^ b[n+i]
	}
	return string(out)
}

// sentCSRF is the token a state-changing request carries: the X-CSRF-Token header (htmx) or
// the form's "_csrf" field, from the body only (a link cannot carry it).
func sentCSRF(c *fiber.Ctx) string {
	if v := c.Get("X-CSRF-Token"); v != "" {
		return v
	}
	return forms.Body(c, "_csrf")
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
	if len(want) < 32 || subtle.ConstantTimeCompare([]byte(unmaskCSRF(sentCSRF(c))), []byte(want)) != 1 {
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
		if v, _ := st.sess.Get(sessUserVersion).(int64); v == 0 {
			// A session that does not know its user yet: learn it.
			if ok, err := h.reloadUser(c, uid); !ok || err != nil {
				return err
			}
		}
		// Refresh the idle expiry at most once a minute rather than writing on every request.
		if seen, _ := st.sess.Get(sessSeenAt).(int64); now.Sub(time.Unix(seen, 0)) > sessionSeen {
			st.sess.Set(sessSeenAt, now.Unix())
			st.dirty = true
		}
		return h.resolvePrincipal(c)
	}
	return h.redirectToLogin(c, "requerida")
}

// rememberUser keeps in the session what requests need of the signed-in user u.
func rememberUser(st *reqState, u store.User) {
	st.sess.Set(sessUserID, u.ID)
	st.sess.Set(sessUsername, u.Username)
	st.sess.Set(sessRole, string(u.Role))
	st.sess.Set(sessUserVersion, u.Version)
	st.sess.Set(sessHomeClinic, u.ClinicID)
	st.sess.Set(sessHomeName, u.ClinicName)
	st.sess.Set(sessHomeVersion, u.ClinicVersion)
	st.sess.Set(sessBoardView, u.BoardView)
	st.sess.Set(sessBoardWard, u.BoardWard)
	// A superuser's choice is checked again (it may be what changed).
	st.sess.Delete(sessChosenName)
	st.sess.Delete(sessChosenVersion)
	st.dirty = true
}

// reloadUser reads the session's user again. A user gone or no longer active (or whose clinic
// was deactivated) ends the session: ok is false and the answer is already given.
func (h *Handler) reloadUser(c *fiber.Ctx, uid int64) (ok bool, err error) {
	u, err := h.store.UserByID(c.UserContext(), uid)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !u.Active) {
		return false, h.endSession(c, "expirada")
	}
	if err != nil {
		return false, err
	}
	rememberUser(state(c), u)
	return true, nil
}

// principalChanged answers a request whose principal the database no longer agrees with (a
// role or clinic changed, the user or clinic deactivated): nothing was done. The session
// learns the user again and the browser repeats the request (a form is sent again, 307), so
// the change applies from this very request on; a user no longer allowed in signs in again.
func (h *Handler) principalChanged(c *fiber.Ctx) error {
	st := state(c)
	// Whatever the handler began to answer is not the answer.
	c.Response().ResetBody()
	for _, k := range []string{"HX-Push-Url", "HX-Retarget", "HX-Reswap", "HX-Trigger", "HX-Redirect"} {
		c.Response().Header.Del(k)
	}
	if ok, err := h.reloadUser(c, st.principal.UserID); !ok || err != nil {
		return err
	}
	status := fiber.StatusTemporaryRedirect
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		status = fiber.StatusSeeOther
	}
	return c.Redirect(c.OriginalURL(), status)
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
			if _, ok := forms.Clean(v, true); !ok {
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

// resolvePrincipal decides over which clinic(s) the request acts, from what the session knows
// of its user (every transaction checks it). A non-superuser always acts on their own clinic,
// whatever any parameter names. A superuser may choose a clinic (or "todas") with ?clinica=,
// remembered in the session. Then the handler runs.
func (h *Handler) resolvePrincipal(c *fiber.Ctx) error {
	st := state(c)
	sess := st.sess
	p := store.Principal{Role: store.Role(str(sess.Get(sessRole)))}
	p.UserID, _ = sess.Get(sessUserID).(int64)
	p.Username = str(sess.Get(sessUsername))
	p.UserVersion, _ = sess.Get(sessUserVersion).(int64)
	p.ClinicID, _ = sess.Get(sessHomeClinic).(int64)
	p.ClinicVersion, _ = sess.Get(sessHomeVersion).(int64)
	st.clinicName = str(sess.Get(sessHomeName))
	if p.IsSuperuser() {
		var err error
		if p, err = h.chosenClinic(c, p.InAllClinics()); err != nil {
			if errors.Is(err, store.ErrPrincipalChanged) {
				return h.principalChanged(c)
			}
			return err
		}
	}
	st.principal = p
	st.signedIn = true
	err := c.Next()
	if errors.Is(err, store.ErrPrincipalChanged) {
		return h.principalChanged(c)
	}
	return err
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// chosenClinic is superuser p acting on the clinic of ?clinica= or the one remembered, as
// last checked (or checked now), or on every clinic.
func (h *Handler) chosenClinic(c *fiber.Ctx, p store.Principal) (store.Principal, error) {
	st := state(c)
	sess := st.sess
	remembered := str(sess.Get(sessClinic))
	choice := c.Query("clinica")
	if choice == "" {
		choice = remembered
	}
	st.clinicName = ""
	out := p
	if id, err := strconv.ParseInt(choice, 10, 64); err == nil && id > 0 {
		version, _ := sess.Get(sessChosenVersion).(int64)
		if choice == remembered && version != 0 {
			out = p.InClinic(store.Clinic{ID: id, Version: version})
			st.clinicName = str(sess.Get(sessChosenName))
		} else {
			cl, err := h.store.Clinic(c.UserContext(), p, id)
			switch {
			case err == nil:
				out = p.InClinic(cl)
				st.clinicName = cl.Name
				sess.Set(sessChosenName, cl.Name)
				sess.Set(sessChosenVersion, cl.Version)
				st.dirty = true
			case errors.Is(err, store.ErrNotFound):
				choice = "todas"
			default:
				return p, err
			}
		}
	} else {
		choice = "todas"
	}
	if choice != remembered {
		sess.Set(sessClinic, choice)
		st.dirty = true
	}
	return out, nil
}

// require lets through only a principal with the capability (store.Principal's CanRead,
// CanWrite, IsAdmin…): the single place where a route states who may use it (RULES §9). A
// refusal is checked against the database first: the session's role may be older than a
// promotion.
func (h *Handler) require(capability func(store.Principal) bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		st := state(c)
		if capability(st.principal) {
			return c.Next()
		}
		u, err := h.store.UserByID(c.UserContext(), st.principal.UserID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil && u.Version != st.principal.UserVersion {
			return h.principalChanged(c)
		}
		return fiber.ErrForbidden
	}
}

// takeFlash moves a one-time status message from the session into the page. The pages a
// change redirects to call it (the board, a ticket, the catalog), also when htmx follows the
// redirect.
func takeFlash(c *fiber.Ctx) {
	st := state(c)
	if f, _ := st.sess.Get(sessFlash).(string); f != "" {
		st.flash = f
		st.sess.Delete(sessFlash)
		st.dirty = true
	}
}
