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
	"github.com/redsalud/ticket-home/store"
)

// env is a server under test on a seeded database, driven in-process through app.Test. Its
// helpers take the *testing.T of the (sub)test that calls them, so a failure ends that test.
type env struct {
	app      *fiber.App
	st       *store.Store
	adminURL string
	// db is the package's one superuser pool on the test database (shared, never per call).
	db    *sql.DB
	clock *testapp.Clock
}

func newEnv(t testing.TB) *env {
	t.Helper()
	s := testapp.New(t)
	return &env{app: s.App, st: s.Store, adminURL: s.AdminURL, db: testapp.AdminDB(t), clock: s.Clock}
}

// client is a browser: it keeps cookies between requests.
type client struct {
	t       testing.TB
	e       *env
	cookies map[string]string
	htmx    bool
}

func (e *env) client(t testing.TB) *client { return &client{t: t, e: e, cookies: map[string]string{}} }

func (c *client) do(req *http.Request) *http.Response {
	c.t.Helper()
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
		c.t.Fatal(err)
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

func doc(t testing.TB, resp *http.Response) *goquery.Document {
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
	c.t.Helper()
	resp := c.get(path)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s = %d", path, resp.StatusCode)
	}
	tok, _ := doc(c.t, resp).Find(`input[name="_csrf"]`).First().Attr("value")
	if tok == "" {
		c.t.Fatalf("no CSRF token on %s", path)
	}
	return tok
}

// login signs in and fails the test unless it works.
func (c *client) login(username string) {
	c.t.Helper()
	tok := c.csrf("/login")
	resp := c.post("/login", url.Values{"_csrf": {tok}, "username": {username}, "password": {demo.Password}})
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login %s = %d", username, resp.StatusCode)
	}
}

// loginUnhurried signs c in through a second server on the same database with the default
// deadlines, for a test whose own server's deadlines are too short for password hashing on a
// loaded machine; sessions live in the database, so the session works on both servers.
func (c *client) loginUnhurried(username string) {
	c.t.Helper()
	s, err := testapp.StartWith(testapp.Options{})
	if err != nil {
		c.t.Fatal(err)
	}
	defer s.Close()
	other := &client{t: c.t, e: &env{app: s.App}, cookies: c.cookies}
	other.login(username)
}

// search sends the board's search form (POST: the text never goes into a URL) with the
// other filters in extra, and returns the board as the browser ends up showing it: for htmx
// the results fragment, else the page the 303 leads to.
func (c *client) search(q string, extra url.Values) *http.Response {
	c.t.Helper()
	htmx := c.htmx
	c.htmx = false
	form := url.Values{"_csrf": {c.pageCSRF("/tablero")}, "q": {q}}
	c.htmx = htmx
	for k, v := range extra {
		form[k] = v
	}
	resp := c.post("/tablero", form)
	if c.htmx || resp.StatusCode != http.StatusSeeOther {
		return resp
	}
	return c.get(resp.Header.Get("Location"))
}

// pageCSRF reads the CSRF token of an authenticated page (the sign-out form carries it).
func (c *client) pageCSRF(path string) string {
	c.t.Helper()
	tok, _ := doc(c.t, c.get(path)).Find(`form[action="/logout"] input[name="_csrf"]`).Attr("value")
	if tok == "" {
		c.t.Fatalf("no CSRF token on %s", path)
	}
	return tok
}

// sql runs a statement as the database superuser (bypassing RLS) to arrange a test.
func (e *env) sql(t testing.TB, query string, args ...any) {
	t.Helper()
	if _, err := e.db.Exec(query, args...); err != nil {
		t.Fatal(err)
	}
}

// count runs a count query as the database superuser.
func (e *env) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
