package handlers_test

import (
	"database/sql"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/internal/testapp"
	"github.com/redsalud/ticket-home/internal/testdb"
	"github.com/redsalud/ticket-home/store"
)

// env is a server under test on a seeded database, driven in-process through app.Test.
type env struct {
	t        *testing.T
	app      *fiber.App
	st       *store.Store
	adminURL string
	clock    *testapp.Clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	s := testapp.New(t)
	return &env{t: t, app: s.App, st: s.Store, adminURL: s.AdminURL, clock: s.Clock}
}

// client is a browser: it keeps cookies between requests.
type client struct {
	e       *env
	cookies map[string]string
	htmx    bool
}

func (e *env) client() *client { return &client{e: e, cookies: map[string]string{}} }

func (c *client) do(req *http.Request) *http.Response {
	c.e.t.Helper()
	var parts []string
	for k, v := range c.cookies {
		parts = append(parts, k+"="+v)
	}
	if len(parts) > 0 {
		req.Header.Set("Cookie", strings.Join(parts, "; "))
	}
	if c.htmx {
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Current-URL", "http://example.test/catalogo")
	}
	resp, err := c.e.app.Test(req, -1)
	if err != nil {
		c.e.t.Fatal(err)
	}
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return resp
}

func (c *client) get(path string) *http.Response {
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

func (c *client) post(path string, form url.Values) *http.Response {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func doc(t *testing.T, resp *http.Response) *goquery.Document {
	t.Helper()
	defer resp.Body.Close()
	d, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// csrf opens the sign-in page and returns its CSRF token.
func (c *client) csrf(path string) string {
	c.e.t.Helper()
	resp := c.get(path)
	if resp.StatusCode != http.StatusOK {
		c.e.t.Fatalf("GET %s = %d", path, resp.StatusCode)
	}
	tok, _ := doc(c.e.t, resp).Find(`input[name="_csrf"]`).First().Attr("value")
	if tok == "" {
		c.e.t.Fatalf("no CSRF token on %s", path)
	}
	return tok
}

// login signs in and fails the test unless it works.
func (c *client) login(username string) {
	c.e.t.Helper()
	tok := c.csrf("/login")
	resp := c.post("/login", url.Values{"_csrf": {tok}, "username": {username}, "password": {demo.Password}})
	if resp.StatusCode != http.StatusSeeOther {
		c.e.t.Fatalf("login %s = %d", username, resp.StatusCode)
	}
}

// pageCSRF reads the CSRF token of an authenticated page (the sign-out form carries it).
func (c *client) pageCSRF(path string) string {
	c.e.t.Helper()
	tok, _ := doc(c.e.t, c.get(path)).Find(`form[action="/logout"] input[name="_csrf"]`).Attr("value")
	if tok == "" {
		c.e.t.Fatalf("no CSRF token on %s", path)
	}
	return tok
}

// sql runs a statement as the database superuser (bypassing RLS) to arrange a test.
func (e *env) sql(query string, args ...any) {
	e.t.Helper()
	raw := testdb.Open(e.t, e.adminURL)
	if _, err := raw.Exec(query, args...); err != nil {
		e.t.Fatal(err)
	}
}

// count runs a count query as the database superuser.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	raw := testdb.Open(e.t, e.adminURL)
	var n int
	if err := raw.QueryRow(query, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func testdbOpen(e *env) *sql.DB { return testdb.Open(e.t, e.adminURL) }
