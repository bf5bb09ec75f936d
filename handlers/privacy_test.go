package handlers_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/internal/testapp"
)

func TestAnonymousVisitors_StoreNoSession(t *testing.T) {
	e := newEnv(t)
	before := e.count(t, `SELECT count(*) FROM sessions`)
	paths := []string{"/", "/tablero", "/login", "/login?next=%2Ftablero", "/tickets/1", "/catalogo", "/tickets/nuevo", "/no-existe"}
	for i := range 200 {
		c := e.client(t)
		c.htmx = i%5 == 0
		resp := c.get(paths[i%len(paths)])
		resp.Body.Close()
	}
	// Failed sign-ins cost no session either.
	for i := range 5 {
		c := e.client(t)
		tok := c.csrf("/login")
		if resp := c.post("/login", url.Values{"_csrf": {tok}, "username": {fmt.Sprintf("nadie_anon_%d", i)}, "password": {"x"}}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failed sign-in = %d", resp.StatusCode)
		}
		if _, ok := c.cookies["th_session"]; ok {
			t.Fatal("a failed sign-in set a session cookie")
		}
	}
	if got := e.count(t, `SELECT count(*) FROM sessions`); got != before {
		t.Fatalf("sessions %d → %d after anonymous visits", before, got)
	}
}

func TestExpiredSession_KeptFormLivesAtMost15Minutes(t *testing.T) {
	e := newEnv(t)
	tk := ticketBy(t, e, "clinico_prov")
	c := e.client(t)
	c.login("clinico_prov")
	form := openModifyForm(t, e, c, tk)
	e.clock.Advance(13 * time.Hour)
	resp := c.post(fmt.Sprintf("/tickets/%d/fpa", tk.ID), form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("expired POST = %d", resp.StatusCode)
	}
	// The row that keeps it expires within 15 minutes (the storage's own clock is real time).
	if n := e.count(t, `SELECT count(*) FROM sessions WHERE e > 0 AND e <= extract(epoch FROM now())::bigint + 15*60 + 5 AND e >= extract(epoch FROM now())::bigint + 15*60 - 60`); n < 1 {
		t.Fatal("no session row kept for at most 15 minutes")
	}
	// Signing in after 15 minutes no longer offers it.
	e.clock.Advance(16 * time.Minute)
	tok := c.csrf("/login")
	resp = c.post("/login", url.Values{"_csrf": {tok}, "username": {"clinico_prov"}, "password": {demo.Password}})
	if loc := resp.Header.Get("Location"); loc == "/reenviar" {
		t.Fatal("a form kept more than 15 minutes was offered")
	}
}

// urlsIn lists every URL a response hands the browser: links, form actions, htmx attributes
// and the redirect headers.
func urlsIn(header http.Header, d *goquery.Document) []string {
	var out []string
	for _, h := range []string{"Location", "HX-Location", "HX-Push-Url", "HX-Replace-Url", "HX-Redirect"} {
		if v := header.Get(h); v != "" {
			out = append(out, v)
		}
	}
	d.Find("[href], [action], [hx-get], [hx-post], [hx-push-url], [src]").Each(func(_ int, s *goquery.Selection) {
		for _, a := range []string{"href", "action", "hx-get", "hx-post", "hx-push-url", "src"} {
			if v, ok := s.Attr(a); ok {
				out = append(out, v)
			}
		}
	})
	return out
}

func TestBoardSearch_NameAndRUTNeverInAURL(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("admin_prov")
	tok := c.pageCSRF("/tickets/nuevo")
	form := validTicketForm(t, e, tok)
	form.Set("nombres", "Herminia")
	if resp := c.post("/tickets/nuevo", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create = %d", resp.StatusCode)
	}
	compact := strings.NewReplacer(".", "", "-", "").Replace(form.Get("rut"))
	secrets := []string{"Herminia", "herminia", form.Get("rut"), compact, url.QueryEscape(form.Get("rut"))}
	check := func(where string, urls []string) {
		t.Helper()
		for _, u := range urls {
			for _, s := range secrets {
				if strings.Contains(strings.ToLower(u), strings.ToLower(s)) {
					t.Fatalf("%s: URL %q carries %q", where, u, s)
				}
			}
		}
	}
	for _, q := range []string{"herminia", form.Get("rut"), compact} {
		for _, htmx := range []bool{false, true} {
			c.htmx = false
			ctok := c.pageCSRF("/tablero")
			c.htmx = htmx
			resp := c.post("/tablero", url.Values{"_csrf": {ctok}, "q": {q}, "estado": {"vigente"}})
			check("search response", []string{resp.Header.Get("Location"), resp.Header.Get("HX-Push-Url")})
			if !htmx {
				if resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("search without JavaScript = %d, want 303", resp.StatusCode)
				}
				resp = c.get(resp.Header.Get("Location"))
			}
			d := doc(t, resp)
			if d.Find("#resultados [data-ticket]").Length() != 1 {
				t.Fatalf("q=%q (htmx %v): %d results, want 1", q, htmx, d.Find("#resultados [data-ticket]").Length())
			}
			check("board", urlsIn(resp.Header, d))
		}
	}
	c.htmx = false
	// Chips, pages and the minute refresh keep the search, from the session.
	resp := c.get("/tablero?estado=vigente&estado=programado&estado=vencido")
	if n := doc(t, resp).Find("#resultados [data-ticket]").Length(); n != 1 {
		t.Fatalf("a chip lost the search: %d results", n)
	}
	// An old link with ?q= neither searches nor passes the text on to the sign-in page.
	anon := e.client(t)
	resp = anon.get("/tablero?q=Herminia&estado=vigente")
	check("sign-in redirect", []string{resp.Header.Get("Location")})
	if !strings.Contains(resp.Header.Get("Location"), "estado%3Dvigente") {
		t.Fatalf("the other filters were lost: %s", resp.Header.Get("Location"))
	}
	// "Limpiar filtros" ends the search.
	ctok := c.pageCSRF("/tablero")
	if resp := c.post("/tablero", url.Values{"_csrf": {ctok}, "limpiar": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("clear = %d", resp.StatusCode)
	}
	if n := doc(t, c.get("/tablero")).Find("#resultados [data-ticket]").Length(); n <= 1 {
		t.Fatalf("after clearing the board lists %d tickets", n)
	}
}

func TestBoardSearch_PercentAndUnderscoreMatchThemselves(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("visor_prov")
	for _, q := range []string{"%", "_", "%%", "\\"} {
		d := doc(t, c.search(q, nil))
		if n := d.Find("#resultados [data-ticket]").Length(); n != 0 {
			t.Fatalf("q=%q lists %d tickets: a wildcard, not a character", q, n)
		}
	}
}

func TestCSRF_TokenInTheQueryStringIsRefused(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("admin_prov")
	tok := c.pageCSRF("/tablero")
	resp := c.do(httpPost("/logout?_csrf="+url.QueryEscape(tok), ""))
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("token in the query string = %d, want 403", resp.StatusCode)
	}
	if resp := c.get("/tablero"); resp.StatusCode != http.StatusOK {
		t.Fatalf("the refused sign-out ended the session: %d", resp.StatusCode)
	}
}

func TestRequestTooLarge_SpanishPageWithSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	// Over a real socket: the server refuses the body before any handler runs.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.app.Listener(ln) }()
	t.Cleanup(func() { _ = e.app.Shutdown() })
	// The headers announce a body over the limit; the answer comes before it is sent.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\nusername=", 2<<20)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
	assertSecurityHeaders(t, resp)
	if h := doc(t, resp).Find("h1").Text(); h != "Solicitud demasiado grande" {
		t.Fatalf("h1 = %q", h)
	}
}

func TestAccessLog_StatusIsTheAnswersStatus(t *testing.T) {
	logs := &testapp.LogBuffer{}
	s := testapp.New(t, testapp.Options{Log: logs})
	e := &env{app: s.App, st: s.Store, adminURL: s.AdminURL, db: testapp.AdminDB(t), clock: s.Clock}
	c := e.client(t)
	c.login("admin_prov")
	if resp := c.get("/tickets/999999999"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("missing ticket = %d", resp.StatusCode)
	}
	line := regexp.MustCompile(`(?m)^.*msg=request.*route=/tickets/:id .*$`).FindString(logs.String())
	if !strings.Contains(line, "status=404") || !strings.Contains(line, "level=INFO") {
		t.Fatalf("access log line = %q, want status=404 at INFO", line)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Fatalf("a 404 logged an error:\n%s", logs.String())
	}
}
