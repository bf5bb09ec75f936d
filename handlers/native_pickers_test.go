package handlers_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/fpa"
)

// Native date and time fields send aaaa-mm-dd and HH:MM; typed dd/mm/aaaa is accepted alike,
// and the page gives the date back in the form the native field takes.
func TestNativePickers_ValuesAcceptedAndShownBack(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("clinico_prov")
	tok := c.pageCSRF("/tickets/nuevo")
	form := validTicketForm(t, e, tok)
	p, err := fpa.ParseDate(form.Get("fecha_pabellon"))
	if err != nil {
		t.Fatal(err)
	}
	form.Set("fecha_pabellon", p.ISO())
	if resp := c.post("/tickets/nuevo", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create with an ISO date = %d", resp.StatusCode)
	}
	// Shown back: a refused form keeps the date, as the native field takes it.
	form = validTicketForm(t, e, tok)
	form.Set("nombres", "")
	d := doc(t, c.post("/tickets/nuevo", form))
	if v, _ := d.Find("#fecha_pabellon").Attr("value"); v != mustDate(t, form.Get("fecha_pabellon")).ISO() {
		t.Fatalf("date shown back as %q", v)
	}
	if typ, _ := d.Find("#fecha_pabellon").Attr("type"); typ != "date" {
		t.Fatalf("the pavilion date is a %q field", typ)
	}
	if typ, _ := d.Find("#hora_pabellon").Attr("type"); typ != "time" {
		t.Fatalf("the pavilion time is a %q field", typ)
	}
	// A discharge with the native field's date, then the board filtered by ISO dates.
	tk := ticketBy(t, e, "clinico_prov")
	now := time.Now().Add(-time.Minute)
	resp := c.post(fmt.Sprintf("/tickets/%d/alta", tk.ID), map[string][]string{"_csrf": {tok}, "version": {fmt.Sprint(tk.Version)}, "clave": {key()},
		"fecha": {fpa.DateOf(now).ISO()}, "hora": {fpa.FormatTime(now)}, "confirmar": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("discharge with an ISO date = %d", resp.StatusCode)
	}
	if resp := c.get("/tablero?desde=" + fpa.DateOf(now).AddDays(-1).ISO() + "&hasta=" + fpa.DateOf(now).ISO()); resp.StatusCode != http.StatusOK {
		t.Fatalf("board filtered by ISO dates = %d", resp.StatusCode)
	}
}
