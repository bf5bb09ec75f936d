package handlers_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

// ticketBy creates a vigente ticket in a demo clinic as that user, directly through the store.
func ticketBy(t *testing.T, e *env, username string) store.Ticket {
	t.Helper()
	ctx := context.Background()
	u, err := e.st.UserByUsername(ctx, username)
	if err != nil {
		t.Fatal(err)
	}
	p := u.Principal()
	r, _ := rut.New(30_000_000 + rand.IntN(60_000_000))
	sid := e.count(t, `SELECT id FROM surgeries WHERE clinic_id = $1 AND name = 'Apendicectomía laparoscópica'`, u.ClinicID)
	now := time.Now()
	tk, err := e.st.CreateTicket(ctx, p, u.ClinicID, store.NewTicket{
		Patient:   store.PatientInput{RUT: r.Canonical(), FirstNames: "Prueba", LastNameFather: "Ciclo", Age: -1},
		SurgeryID: int64(sid), PavilionEnd: now.Add(-26 * time.Hour), BlockStart: -1,
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (e *env) ticketStatus(t testing.TB, id int64) (status string, version, mods int) {
	t.Helper()
	if err := e.db.QueryRow(`SELECT status, version, modification_count FROM tickets WHERE id = $1`, id).Scan(&status, &version, &mods); err != nil {
		t.Fatal(err)
	}
	return
}

func key() string { return fmt.Sprintf("k%019d", rand.Int64N(1e18)) }

func reasonFor(t testing.TB, e *env, tk store.Ticket, category string) string {
	return fmt.Sprint(e.count(t, `SELECT min(id) FROM reasons WHERE clinic_id = $1 AND category = $2`, tk.ClinicID, category))
}

// actions are the lifecycle forms, each with a valid submission for a ticket.
var actions = map[string]struct {
	path   string
	form   func(t testing.TB, e *env, tk store.Ticket) url.Values
	prep   func(t *testing.T, e *env, tk store.Ticket) store.Ticket // bring the ticket to the state the action needs
	status string                                                   // stored status after success
}{
	"modify": {"/fpa", func(t testing.TB, e *env, tk store.Ticket) url.Values {
		return url.Values{"fecha": {fpa.DateOf(tk.FPA).AddDays(1).String()}, "bloque": {"600"}, "razon": {reasonFor(t, e, tk, "modification")}, "justificacion": {"Fiebre postoperatoria"}, "accion": {"modificar"}}
	}, nil, "vigente"},
	"annul": {"/anular", func(t testing.TB, e *env, tk store.Ticket) url.Values {
		return url.Values{"razon": {reasonFor(t, e, tk, "annulment")}, "confirmar": {"1"}}
	}, nil, "anulado"},
	"discharge": {"/alta", func(t testing.TB, e *env, tk store.Ticket) url.Values {
		now := time.Now().Add(-time.Minute)
		return url.Values{"fecha": {fpa.FormatDate(now)}, "hora": {fpa.FormatTime(now)}, "confirmar": {"1"}}
	}, nil, "alta"},
	"location": {"/ubicacion", func(t testing.TB, e *env, tk store.Ticket) url.Values {
		return url.Values{"habitacion": {"909"}, "cama": {"Z"}, "ubicacion": {"UPC"}, "episodio": {"EP-X"}}
	}, nil, "vigente"},
	"revert": {"/revertir-anulacion", func(t testing.TB, e *env, tk store.Ticket) url.Values {
		return url.Values{"nota": {"Anulado por error"}}
	}, func(t *testing.T, e *env, tk store.Ticket) store.Ticket {
		u, _ := e.st.UserByUsername(context.Background(), tk.CreatedByName)
		p := u.Principal()
		p.Role = store.RoleAdmin
		r := int64(e.count(t, `SELECT min(id) FROM reasons WHERE clinic_id = $1 AND category = 'annulment'`, tk.ClinicID))
		out, err := e.st.AnnulTicket(context.Background(), p, store.Change{TicketID: tk.ID, Version: tk.Version}, r, "", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return out
	}, "vigente"},
	"undo": {"/deshacer-alta", func(t testing.TB, e *env, tk store.Ticket) url.Values { return url.Values{} },
		func(t *testing.T, e *env, tk store.Ticket) store.Ticket {
			u, _ := e.st.UserByUsername(context.Background(), tk.CreatedByName)
			p := u.Principal()
			out, err := e.st.RecordDischarge(context.Background(), p, store.Change{TicketID: tk.ID, Version: tk.Version}, time.Now().Add(-time.Hour), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return out
		}, "vigente"},
}

// TestLifecycle_RoleMatrix submits every action as every kind of user and checks the database,
// not only the status code (RULES §9).
func TestLifecycle_RoleMatrix(t *testing.T) {
	e := newEnv(t)
	type who struct {
		user    string
		creator string // who created the ticket
	}
	allowed := map[string][]string{ // action → users allowed
		"modify":    {"superadmin", "admin_prov", "clinico_prov", "clinico_prov(other)"},
		"annul":     {"superadmin", "admin_prov", "clinico_prov"},
		"discharge": {"superadmin", "admin_prov", "clinico_prov", "clinico_prov(other)"},
		"location":  {"superadmin", "admin_prov", "clinico_prov", "clinico_prov(other)"},
		"revert":    {"superadmin", "admin_prov"},
		"undo":      {"superadmin", "admin_prov"},
	}
	users := []struct {
		label, user, creator string
		status               int // when not allowed
	}{
		{"superadmin", "superadmin", "clinico_prov", 0},
		{"admin_prov", "admin_prov", "clinico_prov", 0},
		{"clinico_prov", "clinico_prov", "clinico_prov", 0},
		{"clinico_prov(other)", "clinico_prov", "admin_prov", http.StatusForbidden},
		{"visor_prov", "visor_prov", "clinico_prov", http.StatusForbidden},
		{"admin_valp", "admin_valp", "clinico_prov", http.StatusNotFound},
	}
	for name, a := range actions {
		for _, u := range users {
			t.Run(name+"/"+u.label, func(t *testing.T) {
				tk := ticketBy(t, e, u.creator)
				if a.prep != nil {
					tk = a.prep(t, e, tk)
				}
				c := e.client(t)
				c.login(u.user)
				form := a.form(t, e, tk)
				form.Set("_csrf", c.pageCSRF("/tablero"))
				form.Set("version", fmt.Sprint(tk.Version))
				form.Set("clave", key())
				resp := c.post(fmt.Sprintf("/tickets/%d%s", tk.ID, a.path), form)
				ok := false
				for _, al := range allowed[name] {
					ok = ok || al == u.label
				}
				st, version, _ := e.ticketStatus(t, tk.ID)
				if ok {
					if resp.StatusCode != http.StatusSeeOther {
						t.Fatalf("status %d, want 303: %s", resp.StatusCode, doc(t, resp).Find("[role=alert], [data-error-summary]").Text())
					}
					if st != a.status || version != tk.Version+1 {
						t.Fatalf("database: status %s version %d, want %s and %d", st, version, a.status, tk.Version+1)
					}
					return
				}
				want := u.status
				if want == 0 {
					want = http.StatusForbidden // a role the action does not admit
				}
				if resp.StatusCode != want {
					t.Fatalf("status %d, want %d", resp.StatusCode, want)
				}
				if version != tk.Version {
					t.Fatalf("a refused %s changed the ticket (version %d → %d)", name, tk.Version, version)
				}
			})
		}
	}
}

func TestModifyFPA_FlowLimitConflictAndDoubleSubmit(t *testing.T) {
	e := newEnv(t)
	tk := ticketBy(t, e, "clinico_prov")
	a := e.client(t)
	a.login("clinico_prov")
	page := doc(t, a.get(fmt.Sprintf("/tickets/%d", tk.ID)))
	tok, _ := page.Find(`#modificar-fpa input[name="_csrf"]`).Attr("value")
	formKey, _ := page.Find(`#modificar-fpa input[name="clave"]`).Attr("value")
	if v, _ := page.Find("#fpa_fecha").Attr("value"); v != fpa.DateOf(tk.FPA).ISO() { // a native date field
		t.Fatalf("the new date defaults to %q, want the current FPA date", v)
	}
	base := actions["modify"].form(t, e, tk)
	base.Set("_csrf", tok)
	base.Set("version", fmt.Sprint(tk.Version))
	base.Set("clave", formKey)

	t.Run("Validation422KeepsInput", func(t *testing.T) {
		f := url.Values{}
		for k, v := range base {
			f[k] = v
		}
		f.Set("justificacion", "   ")
		f.Set("fecha", "32/13/2026")
		resp := a.post(fmt.Sprintf("/tickets/%d/fpa", tk.ID), f)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", resp.StatusCode)
		}
		d := doc(t, resp)
		for _, f := range []string{"fpa_fecha", "fpa_justificacion"} {
			if d.Find(`[data-error-summary] a[href="#`+f+`"]`).Length() != 1 {
				t.Fatalf("no message for %s", f)
			}
		}
		if v, _ := d.Find("#fpa_fecha").Attr("value"); v != "32/13/2026" {
			t.Fatalf("typed date not kept: %q", v)
		}
	})
	t.Run("AppliesOnceEvenIfSubmittedTwice", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			resp := a.post(fmt.Sprintf("/tickets/%d/fpa", tk.ID), base)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("submit %d: %d", i+1, resp.StatusCode)
			}
		}
		if _, _, mods := e.ticketStatus(t, tk.ID); mods != 1 {
			t.Fatalf("modifications = %d after a double submit, want 1", mods)
		}
		d := doc(t, a.get(fmt.Sprintf("/tickets/%d", tk.ID)))
		if got := strings.TrimSpace(d.Find("#estado").Text()); got != "Este cambio ya estaba registrado." {
			t.Fatalf("status message after the repeat = %q", got)
		}
		if d.Find("#historial-titulo").Length() != 1 || !strings.Contains(d.Find("ol").Text(), "Fiebre postoperatoria") {
			t.Fatal("history does not show the modification")
		}
	})
	t.Run("StaleVersionGets409FragmentWithBothValues", func(t *testing.T) {
		f := url.Values{}
		for k, v := range base {
			f[k] = v
		}
		f.Set("clave", key())
		f.Set("fecha", fpa.DateOf(tk.FPA).AddDays(3).String())
		for _, htmx := range []bool{false, true} {
			a.htmx = htmx
			req := httpPost(fmt.Sprintf("/tickets/%d/fpa", tk.ID), f.Encode())
			if htmx {
				req.Header.Set("HX-Target", "section#modificar-fpa")
			}
			resp := a.do(req)
			if resp.StatusCode != http.StatusConflict {
				t.Fatalf("stale submit = %d, want 409", resp.StatusCode)
			}
			d := doc(t, resp)
			if d.Find("#conflicto").Length() != 1 {
				t.Fatal("no conflict box")
			}
			if htmx && d.Find("header").Length() != 0 {
				t.Fatal("htmx got the whole page")
			}
			if v, _ := d.Find("#fpa_fecha").Attr("value"); v != mustDate(t, f.Get("fecha")).ISO() {
				t.Fatalf("typed date lost: %q", v)
			}
			if v, _ := d.Find(`#modificar-fpa input[name="version"]`).Attr("value"); v != fmt.Sprint(tk.Version+1) {
				t.Fatalf("the form is not on the current version: %q", v)
			}
		}
		a.htmx = false
		if _, _, mods := e.ticketStatus(t, tk.ID); mods != 1 {
			t.Fatalf("a stale submit changed the ticket: %d modifications", mods)
		}
	})
	t.Run("LimitOfFive", func(t *testing.T) {
		e.sql(t, `UPDATE tickets SET modification_count = 5, version = version + 1 WHERE id = $1`, tk.ID)
		_, version, _ := e.ticketStatus(t, tk.ID)
		f := url.Values{}
		for k, v := range base {
			f[k] = v
		}
		f.Set("clave", key())
		f.Set("version", fmt.Sprint(version))
		f.Set("fecha", fpa.DateOf(tk.FPA).AddDays(4).String())
		resp := a.post(fmt.Sprintf("/tickets/%d/fpa", tk.ID), f)
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("sixth = %d, want 409", resp.StatusCode)
		}
		d := doc(t, resp)
		if !strings.Contains(d.Find("main").Text(), "Se alcanzó el límite de 5 modificaciones de FPA.") {
			t.Fatal("no limit message")
		}
		if d.Find("#modificar-fpa form").Length() != 0 {
			t.Fatal("the form is still offered at the limit")
		}
	})
}

func TestAnnul_ConfirmationStepThenAnnulled(t *testing.T) {
	e := newEnv(t)
	tk := ticketBy(t, e, "clinico_prov")
	c := e.client(t)
	c.login("clinico_prov")
	page := doc(t, c.get(fmt.Sprintf("/tickets/%d", tk.ID)))
	tok, _ := page.Find(`#anular input[name="_csrf"]`).Attr("value")
	k, _ := page.Find(`#anular input[name="clave"]`).Attr("value")
	form := url.Values{"_csrf": {tok}, "clave": {k}, "version": {fmt.Sprint(tk.Version)}, "razon": {reasonFor(t, e, tk, "annulment")}, "nota": {"Duplicado"}}
	resp := c.post(fmt.Sprintf("/tickets/%d/anular", tk.ID), form)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("first step = %d", resp.StatusCode)
	}
	d := doc(t, resp)
	if !strings.Contains(d.Find("#anular").Text(), "¿Está seguro que desea anular este ticket?") {
		t.Fatal("no confirmation question")
	}
	if st, _, _ := e.ticketStatus(t, tk.ID); st != "vigente" {
		t.Fatal("annulled before confirming")
	}
	confirm := url.Values{}
	d.Find(`#anular form input[type="hidden"]`).Each(func(_ int, s *goquery.Selection) {
		n, _ := s.Attr("name")
		v, _ := s.Attr("value")
		confirm.Set(n, v)
	})
	resp = c.post(fmt.Sprintf("/tickets/%d/anular", tk.ID), confirm)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm = %d", resp.StatusCode)
	}
	d = doc(t, c.get(fmt.Sprintf("/tickets/%d", tk.ID)))
	main := d.Find("main").Text()
	if !strings.Contains(main, "TICKET ANULADO") || !strings.Contains(main, "Duplicado") || !strings.Contains(main, "clinico_prov") {
		t.Fatalf("annulled page lacks who/why")
	}
	for _, sel := range []string{"#modificar-fpa", "#registrar-alta", "#anular"} {
		if d.Find(sel).Length() != 0 {
			t.Fatalf("annulled ticket still offers %s", sel)
		}
	}
	if d.Find(`a[href$="/ubicacion"]`).Length() != 0 {
		t.Fatal("annulled ticket still offers the location edit")
	}
}

func TestDischarge_BoundsMessagesAndUndoWindow(t *testing.T) {
	e := newEnv(t)
	tk := ticketBy(t, e, "admin_prov")
	c := e.client(t)
	c.login("admin_prov")
	tok := c.pageCSRF("/tablero")
	post := func(date, clock string) *http.Response {
		return c.post(fmt.Sprintf("/tickets/%d/alta", tk.ID), url.Values{"_csrf": {tok}, "version": {fmt.Sprint(tk.Version)}, "clave": {key()}, "fecha": {date}, "hora": {clock}})
	}
	p := tk.PavilionEnd
	future := time.Now().Add(2 * time.Hour)
	for _, tc := range []struct {
		name, date, clock, field, msg string
	}{
		{"AtPavilionEnd", fpa.FormatDate(p), fpa.FormatTime(p), "alta_fecha", "El alta debe ser posterior al fin de pabellón"},
		{"Future", fpa.FormatDate(future), fpa.FormatTime(future), "alta_hora", "El alta no puede estar en el futuro."},
		{"BadTime", fpa.FormatDate(p), "7:75", "alta_hora", "Hora inválida"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := post(tc.date, tc.clock)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", resp.StatusCode)
			}
			d := doc(t, resp)
			if msg := d.Find("#" + tc.field + "-error").Text(); !strings.Contains(msg, tc.msg) {
				t.Fatalf("message at %s = %q", tc.field, msg)
			}
			if v, _ := d.Find("#alta_hora").Attr("value"); v != tc.clock {
				t.Fatalf("typed time lost: %q", v)
			}
		})
	}
	// A valid discharge is first shown to confirm, naming the patient and the time; nothing is
	// recorded until it is confirmed.
	now := time.Now().Add(-time.Minute)
	resp := post(fpa.FormatDate(now), fpa.FormatTime(now))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("valid discharge, unconfirmed = %d, want 200", resp.StatusCode)
	}
	confirm := doc(t, resp).Find(`#registrar-alta[open] [role="alertdialog"]`)
	if want := "¿Registrar el alta de Prueba Ciclo el " + fpa.FormatDate(now) + " a las " + fpa.FormatTime(now) + "?"; !strings.Contains(confirm.Text(), want) {
		t.Fatalf("confirmation = %q, want %q", confirm.Text(), want)
	}
	if status, _, _ := e.ticketStatus(t, tk.ID); status != "vigente" {
		t.Fatalf("status %s before the confirmation", status)
	}
	form := url.Values{"confirmar": {"1"}}
	confirm.Find("form input").Each(func(_ int, in *goquery.Selection) {
		n, _ := in.Attr("name")
		v, _ := in.Attr("value")
		form.Set(n, v)
	})
	if resp := c.post(fmt.Sprintf("/tickets/%d/alta", tk.ID), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmed discharge = %d", resp.StatusCode)
	}
	d := doc(t, c.get(fmt.Sprintf("/tickets/%d", tk.ID)))
	if !strings.Contains(d.Find("main").Text(), "Alta registrada") || d.Find("#deshacer-alta").Length() != 1 {
		t.Fatal("discharged ticket lacks the record or the undo")
	}
	// 25 hours later (a new shift: sign in again) the undo is refused with a clear message.
	e.clock.Advance(25 * time.Hour)
	c = e.client(t)
	c.login("admin_prov")
	tok = c.pageCSRF("/tablero")
	_, version, _ := e.ticketStatus(t, tk.ID)
	resp = c.post(fmt.Sprintf("/tickets/%d/deshacer-alta", tk.ID), url.Values{"_csrf": {tok}, "version": {fmt.Sprint(version)}, "clave": {key()}})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("late undo = %d, want 409", resp.StatusCode)
	}
	if !strings.Contains(doc(t, resp).Find("main").Text(), "24 horas") {
		t.Fatal("late undo has no message")
	}
	if st, _, _ := e.ticketStatus(t, tk.ID); st != "alta" {
		t.Fatal("a late undo changed the ticket")
	}
}

func TestStaleAnnulAndDischarge_ShowWhatChangedBesideWhatWasTyped(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		action string
		form   url.Values
		typed  string
	}{
		{"/anular", url.Values{"confirmar": {"1"}, "nota": {"Paciente trasladado"}}, "Paciente trasladado"},
		{"/alta", url.Values{"confirmar": {"1"}, "fecha": {fpa.FormatDate(time.Now().Add(-time.Minute))}, "hora": {fpa.FormatTime(time.Now().Add(-time.Minute))}}, fpa.FormatTime(time.Now().Add(-time.Minute))},
	} {
		t.Run(tc.action, func(t *testing.T) {
			tk := ticketBy(t, e, "admin_prov")
			c := e.client(t)
			c.login("admin_prov")
			form := tc.form
			form.Set("_csrf", c.pageCSRF("/tablero"))
			form.Set("version", fmt.Sprint(tk.Version))
			form.Set("clave", key())
			if tc.action == "/anular" {
				form.Set("razon", reasonFor(t, e, tk, "annulment"))
			}
			// Someone else edits the ticket after the form was opened.
			e.sql(t, `UPDATE tickets SET bed = 'Otra', version = version + 1 WHERE id = $1`, tk.ID)
			resp := c.post(fmt.Sprintf("/tickets/%d%s", tk.ID, tc.action), form)
			if resp.StatusCode != http.StatusConflict {
				t.Fatalf("stale %s = %d, want 409", tc.action, resp.StatusCode)
			}
			box := doc(t, resp).Find("#conflicto")
			if box.Length() != 1 || !strings.Contains(box.Text(), tc.typed) || !strings.Contains(box.Text(), "Estado") {
				t.Fatalf("conflict box = %q", box.Text())
			}
			if st, _, _ := e.ticketStatus(t, tk.ID); st != "vigente" {
				t.Fatal("a stale submit changed the ticket")
			}
		})
	}
}

// mustDate parses a date as the forms accept it.
func mustDate(t testing.TB, s string) fpa.Date {
	t.Helper()
	d, err := fpa.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
