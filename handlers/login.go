package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
	"github.com/redsalud/ticket-home/password"
	"github.com/redsalud/ticket-home/store"
)

const iapHeader = "X-Goog-IAP-JWT-Assertion"

func (h *Handler) loginProps(c *fiber.Ctx, f forms.Login) components.LoginProps {
	return components.LoginProps{
		Page:     h.page(c, "Iniciar sesión"),
		Username: f.Username,
		Next:     safeNext(f.Next),
		IAP:      h.iap != nil,
		Password: h.cfg.PasswordLogin,
	}
}

// Notices of the sign-in page, named in its URL (/login?aviso=…): a visitor who only reads
// pages gets no session row, so nothing can carry them there but the URL.
var loginNotices = map[string]string{
	"requerida": msgLoginRequired,
	"expirada":  msgSessionExpired,
	"cerrada":   msgLoggedOut,
}

// loginURL is the sign-in page with a notice and where to go after it.
func loginURL(notice, next string) string {
	v := url.Values{}
	if notice != "" {
		v.Set("aviso", notice)
	}
	if n := safeNext(next); n != "" && n != "/" {
		v.Set("next", n)
	}
	if len(v) == 0 {
		return "/login"
	}
	return "/login?" + v.Encode()
}

// showLogin renders the sign-in page. A signed-in user goes straight to where they wanted.
func (h *Handler) showLogin(c *fiber.Ctx) error {
	st := state(c)
	next := safeNext(c.Query("next"))
	if uid, _ := st.sess.Get(sessUserID).(int64); uid != 0 {
		if next == "" {
			next = "/"
		}
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	h.loginCSRF(c)
	props := h.loginProps(c, forms.Login{Next: next})
	props.Notice = loginNotices[c.Query("aviso")]
	return render(c, fiber.StatusOK, components.Login(props))
}

// loginFormExpired answers a sign-in whose CSRF token does not match (cookies cleared, or the
// page sat open past the token's life): the form again, with the username kept, never a dead
// end.
func (h *Handler) loginFormExpired(c *fiber.Ctx) error {
	username, _ := forms.Clean(forms.Body(c, "username"), false)
	f := forms.Login{Username: username, Next: forms.Body(c, "next")}
	if err := h.store.RecordLogin(c.UserContext(), store.LoginAttempt{Username: username, Method: "password",
		Reason: "form_expired", IP: clientIP(c), UserAgent: headerText(c, fiber.HeaderUserAgent)}); err != nil {
		return err
	}
	h.newLoginCSRF(c)
	props := h.loginProps(c, f)
	props.Notice = msgLoginFormExpired
	return render(c, fiber.StatusForbidden, components.Login(props))
}

// login checks a username and password. Every attempt is audited; every failure gets the same
// message (wrong user, wrong password and inactive user are indistinguishable from outside);
// failures are throttled in the database, for every instance (RULES §10).
func (h *Handler) login(c *fiber.Ctx) error {
	if !h.cfg.PasswordLogin {
		return fiber.ErrNotFound
	}
	f := forms.ReadLogin(c)
	ctx := c.UserContext()
	now := h.now()
	attempt := store.LoginAttempt{Username: f.Username, Method: "password", IP: clientIP(c), UserAgent: headerText(c, fiber.HeaderUserAgent), At: now}
	fail := func(status int, reason, msg string, counted bool) error {
		attempt.Reason, attempt.CountFailure = reason, counted
		if err := h.store.RecordLogin(ctx, attempt); err != nil {
			return err
		}
		props := h.loginProps(c, f)
		props.Error = msg
		return render(c, status, components.Login(props))
	}
	if msg, reason := f.Validate(); msg != "" {
		return fail(fiber.StatusUnprocessableEntity, reason, msg, false)
	}
	wait, err := h.store.LoginWait(ctx, f.Username, attempt.IP, now)
	if err != nil {
		return err
	}
	if wait > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(waitSeconds(wait)))
		return fail(fiber.StatusTooManyRequests, "throttled", fmt.Sprintf(msgLoginWait, waitText(wait)), false)
	}
	if len(f.Username) > 254 || len(f.Password) > 1024 {
		password.Equalise(f.Password[:min(len(f.Password), 1024)])
		return fail(fiber.StatusUnauthorized, "too_long", msgBadCredentials, true)
	}
	u, err := h.store.UserByUsername(ctx, f.Username)
	if errors.Is(err, store.ErrNotFound) {
		password.Equalise(f.Password)
		return fail(fiber.StatusUnauthorized, "unknown_user", msgBadCredentials, true)
	}
	if err != nil {
		return err
	}
	attempt.UserID, attempt.ClinicID = u.ID, u.ClinicID
	if u.PasswordHash == "" {
		password.Equalise(f.Password)
		return fail(fiber.StatusUnauthorized, "no_password", msgBadCredentials, true)
	}
	ok, err := password.Verify(f.Password, u.PasswordHash)
	if err != nil {
		h.log.Error("stored password hash is malformed", "user_id", u.ID, "request_id", state(c).requestID)
		return fail(fiber.StatusUnauthorized, "bad_hash", msgBadCredentials, true)
	}
	if !ok {
		return fail(fiber.StatusUnauthorized, "bad_password", msgBadCredentials, true)
	}
	if !u.Active {
		return fail(fiber.StatusUnauthorized, "inactive", msgBadCredentials, true)
	}
	// The audit row first: a sign-in that cannot be audited does not happen (RULES §10).
	attempt.Success = true
	if err := h.store.RecordLogin(ctx, attempt); err != nil {
		return err
	}
	if err := h.startSession(c, u); err != nil {
		return err
	}
	c.ClearCookie(loginCSRFCookie)
	next := safeNext(f.Next)
	if next == "" {
		next = "/"
	}
	if h.hasPendingForm(c) {
		next = "/reenviar"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// waitSeconds is a wait in whole seconds, rounded up (below a millisecond is the database's
// rounding of the instant, not a wait).
func waitSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Truncate(time.Millisecond).Seconds())))
}

// waitText says how long to wait, in the words of the sign-in message.
func waitText(d time.Duration) string {
	if s := waitSeconds(d); s < 60 {
		if s == 1 {
			return "1 segundo"
		}
		return fmt.Sprintf("%d segundos", s)
	}
	m := (waitSeconds(d) + 59) / 60
	if m == 1 {
		return "1 minuto"
	}
	return fmt.Sprintf("%d minutos", m)
}

// headerText is a request header as it may be stored: cleaned like any text (RULES §8b; the
// refused parts as U+FFFD) and at most 512 bytes.
func headerText(c *fiber.Ctx, name string) string {
	v, _ := forms.Clean(c.Get(name), false)
	return v
}

// showResubmit offers the form kept from an expired session: its values as hidden fields, a
// new CSRF token, and the choice to send it or discard it. It is shown once.
func (h *Handler) showResubmit(c *fiber.Ctx) error {
	st := state(c)
	path, _ := st.sess.Get(sessPendingPath).(string)
	enc, _ := st.sess.Get(sessPendingForm).(string)
	fresh := h.pendingFor(c, st.principal.UserID)
	for _, k := range []string{sessPendingPath, sessPendingForm, sessPendingUser, sessPendingAt} {
		st.sess.Delete(k)
	}
	st.dirty = true
	form, err := url.ParseQuery(enc)
	if !fresh || path == "" || err != nil || !strings.HasPrefix(path, "/tickets/") {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	back := path
	if i := strings.Index(path[len("/tickets/"):], "/"); i >= 0 {
		back = path[:len("/tickets/")+i]
	}
	props := components.ResubmitProps{Page: h.page(c, "Formulario pendiente"), Action: path, Back: back}
	for k, vs := range form {
		for _, v := range vs {
			props.Fields = append(props.Fields, components.Option{Value: v, Label: k})
		}
	}
	return render(c, fiber.StatusOK, components.Resubmit(props))
}

// startSession signs u in on a fresh session id (no fixation) with a fresh CSRF token.
func (h *Handler) startSession(c *fiber.Ctx, u store.User) error {
	st := state(c)
	if err := st.sess.Regenerate(); err != nil {
		return err
	}
	keep := h.pendingFor(c, u.ID)
	for _, k := range st.sess.Keys() {
		// A form kept from an expired session survives only for the same user, and only for
		// a while: on a shared tablet, the next nurse must not see what the previous one typed.
		if keep && (k == sessPendingPath || k == sessPendingForm || k == sessPendingAt || k == sessPendingUser) {
			continue
		}
		st.sess.Delete(k)
	}
	st.sess.SetExpiry(0) // the signed-in session's own lifetime, not the kept form's
	now := h.now().Unix()
	rememberUser(st, u)
	st.sess.Set(sessAuthAt, now)
	st.sess.Set(sessSeenAt, now)
	st.csrf = ""
	ensureCSRF(c)
	st.dirty = true
	return nil
}

// logout ends the session: the row is deleted from the store, not merely expired, and no new
// one is made (the notice travels in the sign-in page's URL).
func (h *Handler) logout(c *fiber.Ctx) error {
	st := state(c)
	if uid, _ := st.sess.Get(sessUserID).(int64); uid != 0 {
		if u, err := h.store.UserByID(c.UserContext(), uid); err == nil {
			if err := h.store.RecordLogout(c.UserContext(), u, clientIP(c), headerText(c, fiber.HeaderUserAgent)); err != nil {
				return err
			}
		}
	}
	if err := st.sess.Destroy(); err != nil {
		return err
	}
	st.csrf, st.dirty = "", false
	return c.Redirect(loginURL("cerrada", ""), fiber.StatusSeeOther)
}

// signInIAP signs in the user of a verified IAP e-mail. An allow-listed superuser e-mail
// gets its account on first sign-in; anyone else must already have an active account.
func (h *Handler) signInIAP(c *fiber.Ctx, email string) (bool, error) {
	ctx := c.UserContext()
	attempt := store.LoginAttempt{Method: "iap", Username: email, IP: clientIP(c), UserAgent: headerText(c, fiber.HeaderUserAgent)}
	u, err := h.store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		u, err = h.store.EnsureAllowListedSuperuser(ctx, email)
		if errors.Is(err, store.ErrNotFound) {
			attempt.Reason = "unknown_user"
			return false, h.store.RecordLogin(ctx, attempt)
		}
	}
	if err != nil {
		attempt.Reason = "error"
		if aerr := h.store.RecordLogin(ctx, attempt); aerr != nil {
			h.log.Error("login audit failed", "error", aerr, "request_id", state(c).requestID)
		}
		return false, err
	}
	attempt.UserID, attempt.ClinicID = u.ID, u.ClinicID
	if !u.Active {
		attempt.Reason = "inactive"
		return false, h.store.RecordLogin(ctx, attempt)
	}
	// The audit row first: a sign-in that cannot be audited does not happen (RULES §10).
	attempt.Success = true
	if err := h.store.RecordLogin(ctx, attempt); err != nil {
		return false, err
	}
	if err := h.startSession(c, u); err != nil {
		return false, err
	}
	state(c).sess.Set(sessIAPEmail, strings.ToLower(email))
	return true, nil
}

// loginIAP is where the sign-in page's "Ingresar con Google" button leads: IAP has signed the
// user in on the way (authenticate), so go on to where they were going.
func (h *Handler) loginIAP(c *fiber.Ctx) error {
	next := safeNext(c.Query("next"))
	if next == "" {
		next = "/"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// clientIP is the address of the browser: the first X-Forwarded-For hop when the request came
// through a trusted proxy (Fiber checks the proxy), else the TCP peer. Whatever is not an IP
// address there is not believed: the TCP peer is used instead.
func clientIP(c *fiber.Ctx) string {
	ip := c.IP()
	if i := strings.IndexByte(ip, ','); i >= 0 {
		ip = ip[:i]
	}
	if a, err := netip.ParseAddr(strings.TrimSpace(ip)); err == nil {
		return a.Unmap().String()
	}
	return c.Context().RemoteIP().String()
}
