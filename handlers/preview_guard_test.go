package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/redsalud/ticket-home/fpa"
)

// A submit saves only the FPA its screen showed: a form whose preview box was outdated (or never
// calculated) gets the new preview and a request to confirm, and nothing is saved.
func TestSubmit_SavesOnlyTheFPAOnScreen(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("clinico_prov")

	t.Run("Create", func(t *testing.T) {
		tok := c.pageCSRF("/tickets/nuevo")
		form := validTicketForm(t, e, tok)
		// The preview the box would show for these fields.
		pv := doc(t, c.post("/tickets/nuevo/vista-previa", form))
		shown, ok := pv.Find(`input[name="vista"]`).Attr("value")
		if !ok || shown == "" {
			t.Fatalf("the preview carries no key of what it shows: %q", pv.Text())
		}
		before := e.count(t, `SELECT count(*) FROM tickets`)
		for _, stale := range []string{"", "01/01/2020"} {
			f := cloneForm(form)
			f.Set("vista", stale)
			resp := c.post("/tickets/nuevo", f)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("vista %q: status %d, want 422", stale, resp.StatusCode)
			}
			d := doc(t, resp)
			if d.Find(`[data-error-summary] a[href="#vista-previa"]`).Length() != 1 || !strings.Contains(d.Find("#vista-previa").Text(), "Revise la FPA") {
				t.Fatalf("vista %q: no request to confirm the FPA", stale)
			}
			if got, _ := d.Find(`#vista-previa input[name="vista"]`).Attr("value"); got != shown {
				t.Fatalf("vista %q: the page shows the preview %q, want %q", stale, got, shown)
			}
			if v, _ := d.Find("#nombres").Attr("value"); v != "Juan Pablo" {
				t.Fatalf("typed name not kept: %q", v)
			}
		}
		if after := e.count(t, `SELECT count(*) FROM tickets`); after != before {
			t.Fatalf("%d tickets created from outdated previews", after-before)
		}
		f := cloneForm(form)
		f.Set("vista", shown)
		if resp := c.post("/tickets/nuevo", f); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirmed create: status %d", resp.StatusCode)
		}
	})

	t.Run("Modify", func(t *testing.T) {
		tk := ticketBy(t, e, "clinico_prov")
		page := doc(t, c.get(fmt.Sprintf("/tickets/%d", tk.ID)))
		tok, _ := page.Find(`#modificar-fpa input[name="_csrf"]`).Attr("value")
		formKey, _ := page.Find(`#modificar-fpa input[name="clave"]`).Attr("value")
		f := actions["modify"].form(t, e, tk)
		f.Set("_csrf", tok)
		f.Set("version", fmt.Sprint(tk.Version))
		f.Set("clave", formKey)
		next := fpa.DateOf(tk.FPA).AddDays(1)
		f.Set("fecha", next.String())
		f.Set("bloque", "960") // 16:00–18:00
		// The box showed 14:00–16:00 (its answer to an earlier choice).
		pv := doc(t, c.post(fmt.Sprintf("/tickets/%d/fpa/vista-previa", tk.ID), url.Values{"_csrf": {tok}, "fecha": {next.String()}, "bloque": {"840"}}))
		old, _ := pv.Find(`input[name="vista"]`).Attr("value")
		if !strings.Contains(pv.Text(), "entre 14:00 y 16:00") || old == "" {
			t.Fatalf("preview of 14:00 = %q (key %q)", pv.Text(), old)
		}
		f.Set("vista", old)
		resp := c.post(fmt.Sprintf("/tickets/%d/fpa", tk.ID), f)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("outdated preview: status %d, want 422", resp.StatusCode)
		}
		d := doc(t, resp)
		box := d.Find("#fpa-cambio").Text()
		if !strings.Contains(box, "Revise la FPA") || !strings.Contains(box, "entre 16:00 y 18:00") {
			t.Fatalf("the box does not ask to confirm the FPA to be saved: %q", box)
		}
		if v := d.Find("#fpa_justificacion").Text(); !strings.Contains(v, f.Get("justificacion")) {
			t.Fatalf("typed justification not kept")
		}
		if _, _, mods := e.ticketStatus(t, tk.ID); mods != 0 {
			t.Fatal("the modification was saved from an outdated preview")
		}
		now, _ := d.Find(`#fpa-cambio input[name="vista"]`).Attr("value")
		f.Set("vista", now)
		if resp := c.post(fmt.Sprintf("/tickets/%d/fpa", tk.ID), f); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirmed modification: status %d", resp.StatusCode)
		}
		var block int
		if err := e.db.QueryRow(`SELECT fpa_block_start FROM tickets WHERE id = $1`, tk.ID).Scan(&block); err != nil || block != 960 {
			t.Fatalf("saved block %d (%v), want 960", block, err)
		}
	})
}

func cloneForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	return out
}
