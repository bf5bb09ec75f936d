package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/redsalud/ticket-home/internal/testapp"
)

// Statements each page may send to PostgreSQL per request, BEGIN, COMMIT, the session read
// and the page's audit row included, whatever the number of tickets (make bench prints them
// with the throughput).
const (
	budgetBoard  = 6
	budgetTicket = 7
	// The FPA previews count the discharges already planned in the slots they show, with the
	// clinic's capacity, in one statement (RULES §1c): one more than the 5 before.
	budgetPreview = 6
)

// TestStatementBudgets counts what the server's database drivers send through a proxy for
// each page, as a signed-in nurse asks for it again and again (the first request of a
// session may do more: the catalog's first load, the session's idle refresh).
func TestStatementBudgets(t *testing.T) {
	appURL, _ := testapp.DB(t)
	proxied, proxy := testapp.Proxied(t, appURL)
	s := testapp.New(t, testapp.Options{DatabaseURL: proxied})
	e := &env{app: s.App, st: s.Store, adminURL: s.AdminURL, db: testapp.AdminDB(t), clock: s.Clock}
	c := e.client(t)
	c.login("clinico_prov")
	tok := c.pageCSRF("/tickets/nuevo")
	ticket := e.count(t, `SELECT t.id FROM tickets t JOIN clinics c ON c.id = t.clinic_id
		WHERE c.code = 'PROV' AND t.status = 'vigente' ORDER BY t.id LIMIT 1`)
	preview := validTicketForm(t, e, tok)
	// A complete modification: the day after the FPA, in the clinic's first block.
	var day string
	var block int
	if err := e.db.QueryRow(`SELECT to_char((t.fpa_at AT TIME ZONE 'America/Santiago') + interval '1 day', 'DD/MM/YYYY'),
			(SELECT min(start_minute) FROM discharge_blocks b WHERE b.clinic_id = t.clinic_id AND b.active)
		FROM tickets t WHERE t.id = $1`, ticket).Scan(&day, &block); err != nil {
		t.Fatal(err)
	}
	modify := url.Values{"_csrf": {tok}, "fecha": {day}, "bloque": {fmt.Sprint(block)}}

	pages := []struct {
		name   string
		budget int
		send   func() *http.Response
	}{
		{"board", budgetBoard, func() *http.Response { return c.get("/tablero") }},
		{"board (htmx refresh)", budgetBoard, func() *http.Response {
			c.htmx = true
			defer func() { c.htmx = false }()
			return c.get("/tablero")
		}},
		{"board (history: counted in SQL)", budgetBoard, func() *http.Response { return c.get("/tablero?estado=anulado&estado=de_alta") }},
		{"ticket page", budgetTicket, func() *http.Response { return c.get(fmt.Sprintf("/tickets/%d", ticket)) }},
		{"FPA preview (new ticket)", budgetPreview, func() *http.Response {
			c.htmx = true
			defer func() { c.htmx = false }()
			return c.post("/tickets/nuevo/vista-previa", preview)
		}},
		{"FPA preview (modification)", budgetPreview, func() *http.Response {
			c.htmx = true
			defer func() { c.htmx = false }()
			return c.post(fmt.Sprintf("/tickets/%d/fpa/vista-previa", ticket), modify)
		}},
	}
	// The modification preview must have computed something, or its count proves little.
	c.htmx = true
	if d := doc(t, c.post(fmt.Sprintf("/tickets/%d/fpa/vista-previa", ticket), modify)); !strings.Contains(d.Text(), "Posterga el alta") {
		t.Fatalf("the modification preview computed nothing: %q", d.Text())
	}
	c.htmx = false
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			p.send().Body.Close() // warm: the catalog cache, the session's idle refresh
			worst := 0
			for range 5 {
				before := proxy.Counts()
				resp := p.send()
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d", resp.StatusCode)
				}
				worst = max(worst, int(proxy.Counts().Sub(before).Statements))
			}
			t.Logf("%s: %d statements per request (budget %d)", p.name, worst, p.budget)
			if worst > p.budget {
				t.Errorf("%s sends %d statements per request, over its budget of %d", p.name, worst, p.budget)
			}
		})
	}
}
