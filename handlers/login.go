package handlers

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/password"
	"github.com/redsalud/ticket-home/store"
)

const iapHeader = "X-Goog-IAP-JWT-Assertion"

// loginForm is the sign-in form, copied out of Fiber's buffers at once.
type loginForm struct {
	Username string
	Password string
	Next     string
}

func (h *Handler) loginProps(c *fiber.Ctx, f loginForm) components.LoginProps {
	return components.LoginProps{
		Page:     h.page(c, "Iniciar sesión"),
		Username: f.Username,
		Next:     safeNext(f.Next),
		IAP:      h.iap != nil,
		Password: h.cfg.PasswordLogin,
	}
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
	ensureCSRF(c)
	notice, _ := st.sess.Get(sessNotice).(string)
	st.sess.Delete(sessNotice)
	state(c).dirty = true
	props := h.loginProps(c, loginForm{Next: next})
	props.Notice = notice
	return render(c, fiber.StatusOK, components.Login(props))
}

// loginFormExpired answers a sign-in whose CSRF token no longer matches (the page sat open
// past the session's idle expiry): the form again, with the username kept, never a dead end.
func (h *Handler) loginFormExpired(c *fiber.Ctx) error {
	f := loginForm{Username: strings.TrimSpace(c.FormValue("username")), Next: c.FormValue("next")}
	ensureCSRF(c)
	state(c).dirty = true
	props := h.loginProps(c, f)
	props.Notice = msgLoginFormExpired
	return render(c, fiber.StatusForbidden, components.Login(props))
}

// login checks a username and password. Every attempt is audited; every failure gets the same
// message (wrong user, wrong password and inactive user are indistinguishable from outside).
func (h *Handler) login(c *fiber.Ctx) error {
	if !h.cfg.PasswordLogin {
		return fiber.ErrNotFound
	}
	f := loginForm{
		Username: strings.TrimSpace(c.FormValue("username")),
		Password: c.FormValue("password"),
		Next:     c.FormValue("next"),
	}
	ctx := c.UserContext()
	attempt := store.LoginAttempt{Username: f.Username, Method: "password", IP: clientIP(c), UserAgent: c.Get(fiber.HeaderUserAgent)}
	fail := func(status int, reason, msg string) error {
		attempt.Reason = reason
		if err := h.store.RecordLogin(ctx, attempt); err != nil {
			return err
		}
		props := h.loginProps(c, f)
		props.Error = msg
		return render(c, status, components.Login(props))
	}
	if f.Username == "" || f.Password == "" {
		return fail(fiber.StatusUnprocessableEntity, "empty", msgLoginMissing)
	}
	if len(f.Username) > 254 || len(f.Password) > 1024 {
		password.Equalise(f.Password[:min(len(f.Password), 1024)])
		return fail(fiber.StatusUnauthorized, "too_long", msgBadCredentials)
	}
	u, err := h.store.UserByUsername(ctx, f.Username)
	if errors.Is(err, store.ErrNotFound) {
		password.Equalise(f.Password)
		return fail(fiber.StatusUnauthorized, "unknown_user", msgBadCredentials)
	}
	if err != nil {
		return err
	}
	attempt.UserID, attempt.ClinicID = u.ID, u.ClinicID
	if u.PasswordHash == "" {
		password.Equalise(f.Password)
		return fail(fiber.StatusUnauthorized, "no_password", msgBadCredentials)
	}
	ok, err := password.Verify(f.Password, u.PasswordHash)
	if err != nil {
		h.log.Error("stored password hash is malformed", "user_id", u.ID, "request_id", state(c).requestID)
		return fail(fiber.StatusUnauthorized, "bad_hash", msgBadCredentials)
	}
	if !ok {
		return fail(fiber.StatusUnauthorized, "bad_password", msgBadCredentials)
	}
	if !u.Active {
		return fail(fiber.StatusUnauthorized, "inactive", msgBadCredentials)
	}
	attempt.Success = true
	if err := h.startSession(c, u); err != nil {
		return err
	}
	if err := h.store.RecordLogin(ctx, attempt); err != nil {
		return err
	}
	next := safeNext(f.Next)
	if next == "" {
		next = "/"
	}
	if p, _ := state(c).sess.Get(sessPendingPath).(string); p != "" {
		next = "/reenviar"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// showResubmit offers the form kept from an expired session: its values as hidden fields, a
// new CSRF token, and the choice to send it or discard it. It is shown once.
func (h *Handler) showResubmit(c *fiber.Ctx) error {
	st := state(c)
	path, _ := st.sess.Get(sessPendingPath).(string)
	enc, _ := st.sess.Get(sessPendingForm).(string)
	st.sess.Delete(sessPendingPath)
	st.sess.Delete(sessPendingForm)
	st.dirty = true
	form, err := url.ParseQuery(enc)
	if path == "" || err != nil || !strings.HasPrefix(path, "/tickets/") {
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
	pendingUser, _ := st.sess.Get(sessPendingUser).(int64)
	for _, k := range st.sess.Keys() {
		// A form kept from an expired session survives only for the same user: on a shared
		// tablet, the next nurse must not see what the previous one typed.
		if pendingUser == u.ID && (k == sessPendingPath || k == sessPendingForm) {
			continue
		}
		st.sess.Delete(k)
	}
	now := h.now().Unix()
	st.sess.Set(sessUserID, u.ID)
	st.sess.Set(sessAuthAt, now)
	st.sess.Set(sessSeenAt, now)
	st.csrf = ""
	ensureCSRF(c)
	st.dirty = true
	return nil
}

// logout ends the session: the row is deleted from the store, not merely expired.
func (h *Handler) logout(c *fiber.Ctx) error {
	st := state(c)
	if uid, _ := st.sess.Get(sessUserID).(int64); uid != 0 {
		if u, err := h.store.UserByID(c.UserContext(), uid); err == nil {
			if err := h.store.RecordLogout(c.UserContext(), u, clientIP(c), c.Get(fiber.HeaderUserAgent)); err != nil {
				return err
			}
		}
	}
	// Delete the stored session, then carry the "signed out" notice to the sign-in page on a
	// fresh anonymous one under a new id.
	if err := st.sess.Reset(); err != nil {
		return err
	}
	st.csrf = ""
	st.sess.Set(sessNotice, msgLoggedOut)
	st.dirty = true
	return c.Redirect("/login", fiber.StatusSeeOther)
}

// signInIAP signs in the user of a verified IAP e-mail. An allow-listed superuser e-mail
// gets its account on first sign-in; anyone else must already have an active account.
func (h *Handler) signInIAP(c *fiber.Ctx, email string) (bool, error) {
	ctx := c.UserContext()
	attempt := store.LoginAttempt{Method: "iap", Username: email, IP: clientIP(c), UserAgent: c.Get(fiber.HeaderUserAgent)}
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
	if err := h.startSession(c, u); err != nil {
		return false, err
	}
	state(c).sess.Set(sessIAPEmail, strings.ToLower(email))
	state(c).user = &u
	attempt.Success = true
	return true, h.store.RecordLogin(ctx, attempt)
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
// through a trusted proxy (Fiber checks the proxy), else the TCP peer.
func clientIP(c *fiber.Ctx) string {
	ip := c.IP()
	if i := strings.IndexByte(ip, ','); i >= 0 {
		ip = ip[:i]
	}
	ip = strings.TrimSpace(ip)
	if len(ip) > 45 {
		ip = ip[:45]
	}
	return ip
}
