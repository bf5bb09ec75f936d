package handlers_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/redsalud/ticket-home/static"
)

// Pages travel compressed when the browser accepts it; static files are cached for good.
func TestResponses_CompressedAndStaticImmutable(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("clinico_prov")
	req := httptest.NewRequest(http.MethodGet, "/tablero", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp := c.do(req)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("board = %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil || !bytes.Contains(body, []byte(`id="resultados"`)) {
		t.Fatalf("the compressed board does not decompress to the board (%v)", err)
	}
	asset := c.get(static.Path("css/app.css"))
	if cc := asset.Header.Get("Cache-Control"); asset.StatusCode != http.StatusOK || !strings.Contains(cc, "immutable") {
		t.Fatalf("stylesheet = %d, Cache-Control %q", asset.StatusCode, cc)
	}
}

// A compressed page must not carry the same secret bytes every time (BREACH): the CSRF token
// differs on every page, and every one of them is accepted.
func TestCSRF_MaskedDifferentlyOnEveryPage(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("clinico_prov")
	a, b := c.pageCSRF("/tablero"), c.pageCSRF("/tablero")
	if a == b {
		t.Fatal("two pages carry the same CSRF token")
	}
	for _, tok := range []string{a, b} {
		resp := c.post("/tablero", url.Values{"_csrf": {tok}, "q": {""}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("filter with a masked token = %d", resp.StatusCode)
		}
	}
	if resp := c.post("/tablero", url.Values{"_csrf": {a[:len(a)-4] + "AAAA"}, "q": {""}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("filter with a damaged token = %d, want 403", resp.StatusCode)
	}
}

// maxBytesPerTicket bounds the board's HTML per ticket: each ticket is rendered once.
const maxBytesPerTicket = 1200

func TestBoard_BytesPerTicket(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("clinico_prov")
	read := func(resp *http.Response) []byte {
		t.Helper()
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	full := read(c.get("/tablero"))
	shown := bytes.Count(full, []byte("<tr data-ticket"))
	empty := read(c.search("zzzzzz", nil))
	if shown < 10 || bytes.Contains(empty, []byte("<tr data-ticket")) {
		t.Fatalf("%d tickets on the board, or the empty search shows some", shown)
	}
	per := (len(full) - len(empty)) / shown
	t.Logf("%d tickets, %d bytes of HTML each", shown, per)
	if per > maxBytesPerTicket {
		t.Errorf("%d bytes of HTML per ticket, over %d", per, maxBytesPerTicket)
	}
}
