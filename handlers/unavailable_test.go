package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/internal/faultproxy"
	"github.com/redsalud/ticket-home/internal/testapp"
)

// frozenEnv is a server whose every database connection (pool and session store) goes
// through a proxy the test can freeze, as `kill -STOP` freezes PostgreSQL, or make refuse.
func frozenEnv(t *testing.T) (*env, *faultproxy.Proxy) {
	t.Helper()
	appURL, _ := testapp.DB(t)
	proxied, p := testapp.Proxied(t, appURL)
	s := testapp.New(t, testapp.Options{DatabaseURL: proxied, Env: map[string]string{
		"REQUEST_TIMEOUT": "2s", "DB_STATEMENT_TIMEOUT": "1s",
	}})
	return &env{app: s.App, st: s.Store, adminURL: s.AdminURL, db: testapp.AdminDB(t), clock: s.Clock}, p
}

// timed runs a request and returns its response and how long the answer took.
func timed(f func() *http.Response) (*http.Response, time.Duration) {
	start := time.Now()
	resp := f()
	return resp, time.Since(start)
}

// bound is far above what a bounded request takes even on a loaded machine, and far below
// "hangs for as long as the database is frozen" (the test keeps it frozen longer).
const bound = 10 * time.Second

func assertUnavailablePage(t *testing.T, resp *http.Response, took time.Duration) {
	t.Helper()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
	if took > bound {
		t.Fatalf("answered after %s", took)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
	if resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatal("503 without the security headers")
	}
	if h := doc(t, resp).Find("h1").Text(); h != "Servicio no disponible" {
		t.Fatalf("h1 = %q", h)
	}
}

// recovered waits until the board answers 200 again and returns how long that took.
func recovered(t *testing.T, c *client) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		resp := c.get("/tablero")
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return time.Since(start)
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("the board still answers %d 30 s after the database came back", resp.StatusCode)
		}
	}
}

func TestDatabaseFrozen_RequestsFailFastWith503AndRecover(t *testing.T) {
	e, proxy := frozenEnv(t)
	c := e.client(t)
	c.loginUnhurried("clinico_prov")
	if resp := c.get("/tablero"); resp.StatusCode != http.StatusOK {
		t.Fatalf("board before the freeze = %d", resp.StatusCode)
	}

	proxy.Pause()
	resp, took := timed(func() *http.Response { return c.get("/readyz") })
	if resp.StatusCode != http.StatusServiceUnavailable || took > bound {
		t.Fatalf("/readyz on a frozen database = %d after %s, want 503 at its 1 s limit", resp.StatusCode, took)
	}
	t.Logf("/readyz answered 503 after %s", took.Round(time.Millisecond))
	resp, took = timed(func() *http.Response { return c.get("/tablero") })
	assertUnavailablePage(t, resp, took)
	t.Logf("the board answered 503 after %s", took.Round(time.Millisecond))
	c.htmx = true
	resp, took = timed(func() *http.Response { return c.get("/tablero") })
	if resp.StatusCode != http.StatusServiceUnavailable || took > bound {
		t.Fatalf("htmx refresh on a frozen database = %d after %s", resp.StatusCode, took)
	}
	c.htmx = false

	proxy.Resume()
	t.Logf("recovered %s after the database came back", recovered(t, c).Round(time.Millisecond))

	proxy.Refuse()
	resp, took = timed(func() *http.Response { return c.get("/tablero") })
	assertUnavailablePage(t, resp, took)
	if resp := c.get("/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz on a stopped database = %d", resp.StatusCode)
	}
	proxy.Resume()
	t.Logf("recovered %s after the database was reachable again", recovered(t, c).Round(time.Millisecond))
	if !strings.Contains(doc(t, c.get("/tablero")).Find("h1").Text(), "Tablero") {
		t.Fatal("the board does not render after recovering")
	}
}
