package handlers_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func httpPost(path, body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func assertSecurityHeaders(t *testing.T, resp *http.Response) {
	t.Helper()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self' 'nonce-"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows unsafe sources: %q", csp)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
}

func TestSecurityHeaders_OnEveryKindOfResponse(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("visor_prov")
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/login", http.StatusSeeOther}, // signed in: straight to the app
		{"/catalogo", http.StatusOK},
		{"/no-existe", http.StatusNotFound},
		{"/static/no-existe.css", http.StatusNotFound},
		{"/static/css/app.css", http.StatusOK},
		{"/livez", http.StatusOK},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp := c.get(tc.path)
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tc.status)
			}
			assertSecurityHeaders(t, resp)
		})
	}
	t.Run("NoncesDiffer", func(t *testing.T) {
		a := c.get("/catalogo").Header.Get("Content-Security-Policy")
		b := c.get("/catalogo").Header.Get("Content-Security-Policy")
		if a == b {
			t.Fatal("the CSP nonce is reused across requests")
		}
	})
	t.Run("AuthenticatedPagesNotCached", func(t *testing.T) {
		if got := c.get("/catalogo").Header.Get("Cache-Control"); got != "no-store" {
			t.Fatalf("Cache-Control = %q", got)
		}
	})
}

func TestNotFound_SpanishPageWithoutInternals(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("admin_prov")
	for _, htmx := range []bool{false, true} {
		c.htmx = htmx
		resp := c.get("/tickets/999999")
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status = %d", resp.StatusCode)
		}
		d := doc(t, resp)
		if h := d.Find("h1").Text(); h != "Página no encontrada" {
			t.Fatalf("h1 = %q", h)
		}
		if htmx && d.Find("header").Length() != 0 {
			t.Fatal("htmx request got a whole page instead of the fragment")
		}
	}
}

func TestProbes(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	for _, p := range []string{"/livez", "/readyz"} {
		resp := c.get(p)
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || string(b) != "ok" {
			t.Fatalf("%s = %d %q", p, resp.StatusCode, b)
		}
		if len(resp.Cookies()) != 0 {
			t.Fatalf("%s set a cookie", p)
		}
	}
}
