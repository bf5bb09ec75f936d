package handlers_test

import (
	"fmt"

	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/store"
)

func TestLogin_SuccessRegeneratesSessionAndIsAudited(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	tok := c.csrf("/login")
	if _, ok := c.cookies["th_session"]; ok {
		t.Fatal("the sign-in page set a session cookie: a visitor must not cost a stored session")
	}
	if c.cookies["th_login"] == "" {
		t.Fatal("the sign-in page set no cookie for its form's token")
	}
	audits := e.count(t, `SELECT count(*) FROM login_audit WHERE username = 'clinico_prov' AND success`)
	resp := c.post("/login", url.Values{"_csrf": {tok}, "username": {"clinico_prov"}, "password": {demo.Password}, "next": {"/catalogo"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/catalogo" {
		t.Fatalf("POST /login = %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if c.cookies["th_session"] == "" {
		t.Fatal("no session after signing in")
	}
	if got := e.count(t, `SELECT count(*) FROM login_audit WHERE username = 'clinico_prov' AND success AND method = 'password' AND ip <> ''`); got != audits+1 {
		t.Fatalf("success audit rows = %d, want %d", got, audits+1)
	}
	d := doc(t, c.get("/catalogo"))
	if h := d.Find("h1").Text(); h != "Catálogo de la clínica" {
		t.Fatalf("h1 = %q", h)
	}
	if !strings.Contains(d.Find("header").Text(), "Clínica RedSalud Providencia") {
		t.Fatal("header does not name the user's clinic")
	}
	if !strings.Contains(d.Find("header").Text(), "Usuario Clínico") {
		t.Fatal("header does not name the user's role")
	}
}

func TestLogin_FailuresGetOneGenericMessageKeepUsernameAndAreAudited(t *testing.T) {
	e := newEnv(t)
	e.sql(t, `INSERT INTO users (clinic_id, username, password_hash, role, active)
	       SELECT clinic_id, 'visor_inactivo', password_hash, role, false FROM users WHERE username = 'visor_ranc'
	       ON CONFLICT DO NOTHING`)
	cases := []struct {
		name, username, password, reason string
	}{
		{"WrongPassword", "admin_vita", "not-the-password", "bad_password"},
		{"UnknownUser", "nadie_vita", demo.Password, "unknown_user"},
		{"InactiveUser", "visor_inactivo", demo.Password, "inactive"},
	}
	for _, tc := range cases {
		for _, htmx := range []bool{false, true} {
			t.Run(tc.name+map[bool]string{false: "", true: "/htmx"}[htmx], func(t *testing.T) {
				c := e.client(t)
				tok := c.csrf("/login")
				c.htmx = htmx
				before := e.count(t, `SELECT count(*) FROM login_audit WHERE username = $1 AND NOT success AND reason = $2`, tc.username, tc.reason)
				resp := c.post("/login", url.Values{"_csrf": {tok}, "username": {tc.username}, "password": {tc.password}})
				if resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("status = %d, want 401", resp.StatusCode)
				}
				d := doc(t, resp)
				if msg := strings.TrimSpace(d.Find("[data-error-summary] a").Text()); msg != "Usuario o contraseña incorrectos." {
					t.Fatalf("message = %q", msg)
				}
				if v, _ := d.Find("#username").Attr("value"); v != tc.username {
					t.Fatalf("username kept = %q, want %q", v, tc.username)
				}
				if v, ok := d.Find("#password").Attr("value"); ok && v != "" {
					t.Fatal("the password was echoed back")
				}
				if got := e.count(t, `SELECT count(*) FROM login_audit WHERE username = $1 AND NOT success AND reason = $2`, tc.username, tc.reason); got != before+1 {
					t.Fatalf("failure audit rows = %d, want %d", got, before+1)
				}
				if _, ok := c.cookies["th_session"]; ok {
					if resp := c.get("/catalogo"); resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusUnauthorized {
						t.Fatalf("after a failed sign-in /catalogo = %d", resp.StatusCode)
					}
				}
			})
		}
	}
	if n := e.count(t, `SELECT count(*) FROM login_audit WHERE user_agent ILIKE '%not-the-password%' OR username ILIKE '%not-the-password%' OR reason ILIKE '%not-the-password%'`); n != 0 {
		t.Fatal("a password reached the login audit")
	}
}

func TestCSRF_MissingOrWrongTokenIsRefused(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("admin_prov")
	good := c.pageCSRF("/catalogo")
	for _, tc := range []struct {
		name  string
		token string
	}{{"Missing", ""}, {"Wrong", good + "x"}} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{}
			if tc.token != "" {
				form.Set("_csrf", tc.token)
			}
			resp := c.post("/logout", form)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status = %d, want 403", resp.StatusCode)
			}
			if h := doc(t, resp).Find("h1").Text(); h != "Solicitud no válida" {
				t.Fatalf("h1 = %q", h)
			}
			if resp := c.get("/catalogo"); resp.StatusCode != http.StatusOK {
				t.Fatalf("the refused sign-out ended the session: %d", resp.StatusCode)
			}
		})
	}
	t.Run("HeaderForHTMX", func(t *testing.T) {
		req := httpPost("/logout", "")
		req.Header.Set("X-CSRF-Token", good)
		resp := c.do(req)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-out with the header token = %d, want 303", resp.StatusCode)
		}
	})
	t.Run("LoginWithoutToken", func(t *testing.T) {
		c := e.client(t)
		audits := e.count(t, `SELECT count(*) FROM login_audit WHERE username = 'admin_prov' AND reason = 'form_expired'`)
		resp := c.post("/login", url.Values{"username": {"admin_prov"}, "password": {demo.Password}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status = %d, want 403", resp.StatusCode)
		}
		if got := e.count(t, `SELECT count(*) FROM login_audit WHERE username = 'admin_prov' AND reason = 'form_expired'`); got != audits+1 {
			t.Fatalf("the refused attempt was not audited (%d → %d rows)", audits, got)
		}
		d := doc(t, resp)
		if v, _ := d.Find("#username").Attr("value"); v != "admin_prov" {
			t.Fatalf("username not kept: %q", v)
		}
		tok, _ := d.Find(`input[name="_csrf"]`).Attr("value")
		resp = c.post("/login", url.Values{"_csrf": {tok}, "username": {"admin_prov"}, "password": {demo.Password}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("retry with the fresh token = %d, want 303", resp.StatusCode)
		}
	})
}

func TestLogout_DeletesTheSession(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("admin_maga")
	tok := c.pageCSRF("/catalogo")
	n := e.count(t, `SELECT count(*) FROM sessions`)
	resp := c.post("/logout", url.Values{"_csrf": {tok}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?aviso=cerrada" {
		t.Fatalf("logout = %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := e.count(t, `SELECT count(*) FROM sessions`); got != n-1 {
		t.Fatalf("sessions %d → %d after sign-out, want the row deleted and none made", n, got)
	}
	if got := doc(t, c.get(resp.Header.Get("Location"))).Find("main").Text(); !strings.Contains(got, "Sesión cerrada.") {
		t.Fatal("sign-in page does not say the session was closed")
	}
	if resp := c.get("/catalogo"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after sign-out /catalogo = %d, want 303 to sign-in", resp.StatusCode)
	}
}

func TestSession_ExpiresAfterIdleAndAbsoluteLimits(t *testing.T) {
	e := newEnv(t)
	t.Run("Absolute", func(t *testing.T) {
		c := e.client(t)
		c.login("clinico_sant")
		// Stay active every hour for a whole shift: the 12 h limit still ends the session.
		for i := 0; i < 11; i++ {
			e.clock.Advance(time.Hour)
			if resp := c.get("/catalogo"); resp.StatusCode != http.StatusOK {
				t.Fatalf("hour %d: %d", i+1, resp.StatusCode)
			}
		}
		e.clock.Advance(61 * time.Minute)
		resp := c.get("/catalogo")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?aviso=expirada&next=%2Fcatalogo" {
			t.Fatalf("after 12 h: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if !strings.Contains(doc(t, c.get(resp.Header.Get("Location"))).Text(), "Su sesión expiró") {
			t.Fatal("no expiry notice on the sign-in page")
		}
	})
	t.Run("Idle", func(t *testing.T) {
		c := e.client(t)
		c.login("clinico_vita")
		e.clock.Advance(119 * time.Minute)
		if resp := c.get("/catalogo"); resp.StatusCode != http.StatusOK {
			t.Fatalf("after 1 h 59 min idle: %d", resp.StatusCode)
		}
		e.clock.Advance(121 * time.Minute)
		if resp := c.get("/catalogo"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("after 2 h 1 min idle: %d, want 303 to sign-in", resp.StatusCode)
		}
	})
}

func TestHTMX_UnauthenticatedGets401WithRedirectBackToPage(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.htmx = true
	resp := c.get("/catalogo?fragmento=1")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401", resp.StatusCode)
	}
	if got := resp.Header.Get("HX-Redirect"); got != "/login?aviso=requerida&next=%2Fcatalogo" {
		t.Fatalf("HX-Redirect = %q", got)
	}
}

func TestLogin_NextOnlyAcceptsLocalPaths(t *testing.T) {
	e := newEnv(t)
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"} {
		c := e.client(t)
		tok := c.csrf("/login")
		resp := c.post("/login", url.Values{"_csrf": {tok}, "username": {"admin_prov"}, "password": {demo.Password}, "next": {next}})
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("next=%q redirected to %q, want /", next, loc)
		}
	}
}

// openModifyForm opens the ticket's page as c and fills its modification form (token, key and
// version as the page gives them) with a valid change.
func openModifyForm(t *testing.T, e *env, c *client, tk store.Ticket) url.Values {
	t.Helper()
	page := doc(t, c.get(fmt.Sprintf("/tickets/%d", tk.ID)))
	form := actions["modify"].form(t, e, tk)
	for _, name := range []string{"_csrf", "clave", "version"} {
		v, _ := page.Find(`#modificar-fpa input[name="` + name + `"]`).Attr("value")
		form.Set(name, v)
	}
	return form
}

func TestExpiredSession_PostWithoutJavaScriptKeepsTheFormForTheSameUser(t *testing.T) {
	e := newEnv(t)
	tk := ticketBy(t, e, "clinico_prov")
	c := e.client(t)
	c.login("clinico_prov")
	form := openModifyForm(t, e, c, tk)
	e.clock.Advance(13 * time.Hour) // the shift ended while the form was open
	req := httpPost(fmt.Sprintf("/tickets/%d/fpa", tk.ID), form.Encode())
	req.Header.Set("Referer", fmt.Sprintf("http://example.test/tickets/%d", tk.ID))
	resp := c.do(req)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/login?aviso=expirada&next=%%2Ftickets%%2F%d", tk.ID) {
		t.Fatalf("expired POST = %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, _, mods := e.ticketStatus(t, tk.ID); mods != 0 {
		t.Fatal("a post on an expired session changed the ticket")
	}

	kept := c.cookies["th_session"]
	if kept == "" {
		t.Fatal("the form was not kept")
	}
	tok := c.csrf("/login")
	resp = c.post("/login", url.Values{"_csrf": {tok}, "username": {"clinico_prov"}, "password": {demo.Password}, "next": {fmt.Sprintf("/tickets/%d", tk.ID)}})
	if resp.Header.Get("Location") != "/reenviar" {
		t.Fatalf("after sign-in → %q, want the kept form", resp.Header.Get("Location"))
	}
	if c.cookies["th_session"] == kept {
		t.Fatal("session id not regenerated at sign-in")
	}
	d := doc(t, c.get("/reenviar"))
	if !strings.Contains(d.Find("main").Text(), "Fiebre postoperatoria") {
		t.Fatal("the kept form does not show what was typed")
	}
	resend := url.Values{}
	d.Find(`main form input[type="hidden"]`).Each(func(_ int, s *goquery.Selection) {
		n, _ := s.Attr("name")
		v, _ := s.Attr("value")
		resend.Add(n, v)
	})
	action, _ := d.Find("main form").Attr("action")
	if resp := c.post(action, resend); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sending the kept form = %d", resp.StatusCode)
	}
	if _, _, mods := e.ticketStatus(t, tk.ID); mods != 1 {
		t.Fatalf("modifications = %d after sending the kept form", mods)
	}
	if resp := c.get("/reenviar"); resp.StatusCode != http.StatusSeeOther {
		t.Fatal("the kept form is offered twice")
	}
}

func TestExpiredSession_KeptFormNotShownToAnotherUser(t *testing.T) {
	e := newEnv(t)
	tk := ticketBy(t, e, "clinico_prov")
	c := e.client(t)
	c.login("clinico_prov")
	tok := c.pageCSRF(fmt.Sprintf("/tickets/%d", tk.ID))
	form := actions["modify"].form(t, e, tk)
	form.Set("_csrf", tok)
	form.Set("version", fmt.Sprint(tk.Version))
	e.clock.Advance(13 * time.Hour)
	if resp := c.post(fmt.Sprintf("/tickets/%d/fpa", tk.ID), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("expired POST = %d", resp.StatusCode)
	}
	// The next nurse signs in on the same tablet.
	tok = c.csrf("/login")
	resp := c.post("/login", url.Values{"_csrf": {tok}, "username": {"admin_prov"}, "password": {demo.Password}})
	if loc := resp.Header.Get("Location"); loc != "/" {
		t.Fatalf("another user after sign-in → %q", loc)
	}
	if resp := c.get("/reenviar"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("another user sees the kept form: %d", resp.StatusCode)
	}
}
