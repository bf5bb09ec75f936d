package handlers_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/rut"
)

// freshRUT is a valid RUT no demo patient has.
func freshRUT() string {
	r, err := rut.New(30_000_000 + rand.IntN(60_000_000))
	if err != nil {
		panic(err)
	}
	return r.Display()
}

// surgeryID finds a surgery of a clinic by name.
func surgeryID(t *testing.T, e *env, code, name string) int {
	t.Helper()
	return e.count(t, `SELECT g.id FROM surgeries g JOIN clinics c ON c.id = g.clinic_id WHERE c.code = $1 AND g.name = $2`, code, name)
}

func validTicketForm(t *testing.T, e *env, tok string) url.Values {
	now := time.Now().In(fpa.Santiago).Add(-3 * time.Hour)
	return url.Values{
		"_csrf": {tok}, "accion": {"crear"},
		"rut": {freshRUT()}, "nombres": {"Juan Pablo"}, "apellido_paterno": {"Muñoz"}, "apellido_materno": {"Soto"},
		"edad": {"61"}, "sexo": {"M"}, "cirugia": {fmt.Sprint(surgeryID(t, e, "PROV", "Apendicectomía laparoscópica"))},
		"fecha_pabellon": {now.Format("02/01/2006")}, "hora_pabellon": {now.Format("15:04")},
		"cama": {"12"}, "ubicacion": {"Piso 3 Oriente"}, "episodio": {"EP-1"},
	}
}

func TestCreateTicket_ValidFormCreatesAndRedirectsWithStatusMessage(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("clinico_prov")
	tok := c.pageCSRF("/tickets/nuevo")
	form := validTicketForm(t, e, tok)
	resp := c.post("/tickets/nuevo", form)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/tickets/") {
		t.Fatalf("create = %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	d := doc(t, c.get(resp.Header.Get("Location")))
	status := strings.TrimSpace(d.Find("#estado").Text())
	if !strings.HasPrefix(status, "Ticket TH-PROV-") || !strings.HasSuffix(status, " creado.") {
		t.Fatalf("status region = %q", status)
	}
	main := d.Find("main").Text()
	for _, want := range []string{"Juan Pablo Muñoz Soto", form.Get("rut"), "Apendicectomía laparoscópica", "24 h", "Piso 3 Oriente", "0 de 5", "clinico_prov", ", entre "} {
		if !strings.Contains(main, want) {
			t.Errorf("ticket page lacks %q", want)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'create_ticket' AND details->>'code' = $1`, strings.TrimSuffix(strings.TrimPrefix(status, "Ticket "), " creado.")); n != 1 {
		t.Fatalf("create audit rows = %d", n)
	}
}

func TestCreateTicket_InvalidInputGets422WithMessagesAndInputKept(t *testing.T) {
	e := newEnv(t)
	valpSurgery := surgeryID(t, e, "VALP", "Apendicectomía laparoscópica")
	cases := []struct {
		name  string
		edit  func(url.Values)
		field string
		msg   string
	}{
		{"BadRUT", func(v url.Values) { v.Set("rut", "12.345.678-9") }, "rut", "RUT inválido: el dígito verificador no corresponde."},
		{"MissingNames", func(v url.Values) { v.Set("nombres", "") }, "nombres", "Ingrese los nombres del paciente."},
		{"BadAge", func(v url.Values) { v.Set("edad", "doscientos") }, "edad", "La edad debe ser un número entero entre 0 y 130."},
		{"NoSurgery", func(v url.Values) { v.Set("cirugia", "") }, "cirugia", "Elija la cirugía."},
		{"OtherClinicsSurgery", func(v url.Values) { v.Set("cirugia", fmt.Sprint(valpSurgery)) }, "cirugia", "La cirugía elegida no está disponible en esta clínica. Elija otra."},
		{"TamperedSurgery", func(v url.Values) { v.Set("cirugia", "abc") }, "cirugia", "La cirugía elegida no está disponible en esta clínica. Elija otra."},
		{"BadDate", func(v url.Values) { v.Set("fecha_pabellon", "31/02/2026") }, "fecha_pabellon", ""},
		{"BadTime", func(v url.Values) { v.Set("hora_pabellon", "25:00") }, "hora_pabellon", "Hora inválida: use el formato HH:MM (24 horas)."},
		{"PavilionTooOld", func(v url.Values) {
			v.Set("fecha_pabellon", time.Now().In(fpa.Santiago).AddDate(0, 0, -40).Format("02/01/2006"))
		}, "fecha_pabellon", ""},
		{"TamperedBlock", func(v url.Values) { v.Set("bloque", "61") }, "bloque", "El rango horario elegido no está disponible para esta FPA. Elija uno de la lista."},
		{"LongBed", func(v url.Values) { v.Set("cama", strings.Repeat("x", 41)) }, "cama", "La cama no puede superar 40 caracteres."},
	}
	for _, tc := range cases {
		for _, htmx := range []bool{false, true} {
			t.Run(tc.name+map[bool]string{true: "/htmx"}[htmx], func(t *testing.T) {
				c := e.client(t)
				c.login("admin_prov")
				tok := c.pageCSRF("/tickets/nuevo")
				c.htmx = htmx
				form := validTicketForm(t, e, tok)
				tc.edit(form)
				before := e.count(t, `SELECT count(*) FROM tickets`)
				resp := c.post("/tickets/nuevo", form)
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("status = %d, want 422", resp.StatusCode)
				}
				d := doc(t, resp)
				link := d.Find(`[data-error-summary] a[href="#` + tc.field + `"]`)
				if link.Length() != 1 {
					t.Fatalf("summary has no link to #%s: %q", tc.field, d.Find("[data-error-summary]").Text())
				}
				if tc.msg != "" && strings.TrimSpace(link.Text()) != tc.msg {
					t.Fatalf("message = %q, want %q", link.Text(), tc.msg)
				}
				if tc.field != "bloque" {
					if inv, _ := d.Find("#" + tc.field).Attr("aria-invalid"); inv != "true" {
						t.Fatalf("#%s not marked aria-invalid", tc.field)
					}
				}
				// Everything typed is kept.
				if v, _ := d.Find("#apellido_materno").Attr("value"); v != "Soto" {
					t.Fatalf("apellido_materno kept = %q", v)
				}
				if v, _ := d.Find("#ubicacion").Attr("value"); v != "Piso 3 Oriente" {
					t.Fatalf("ubicacion kept = %q", v)
				}
				if after := e.count(t, `SELECT count(*) FROM tickets`); after != before {
					t.Fatal("an invalid form created a ticket")
				}
			})
		}
	}
}

func TestCreateTicket_HelperButtonsRefreshWithoutCreating(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("clinico_prov")
	tok := c.pageCSRF("/tickets/nuevo")
	form := validTicketForm(t, e, tok)
	form.Set("accion", "calcular")
	before := e.count(t, `SELECT count(*) FROM tickets`)
	resp := c.post("/tickets/nuevo", form)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("calcular = %d", resp.StatusCode)
	}
	d := doc(t, resp)
	if !strings.Contains(d.Find("#vista-previa").Text(), "+ 24 h =") {
		t.Fatalf("preview = %q", d.Find("#vista-previa").Text())
	}
	if d.Find(`#vista-previa input[name="bloque"][checked]`).Length() != 1 {
		t.Fatal("no block preselected")
	}
	if e.count(t, `SELECT count(*) FROM tickets`) != before {
		t.Fatal("Calcular FPA created a ticket")
	}
}

func TestPreviewFragment_HTMX(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("clinico_prov")
	tok := c.pageCSRF("/tickets/nuevo")
	c.htmx = true
	form := validTicketForm(t, e, tok)
	// RULES §2 example: P 05/11 11:00 is outside ±30 days; use today at 09:40 with 36 h.
	resp := c.post("/tickets/nuevo/vista-previa", form)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview = %d", resp.StatusCode)
	}
	d := doc(t, resp)
	// The box's contents alone: the box stays, so no answer is ever dropped for a replaced target.
	if d.Find("header").Length() != 0 || d.Find("#vista-previa").Length() != 0 || d.Find(`input[name="bloque"]`).Length() == 0 {
		t.Fatal("the preview endpoint did not answer the box's contents alone")
	}
	// The specialty change answers the filtered surgeries plus the preview as a partial.
	form.Set("especialidad", fmt.Sprint(e.count(t, `SELECT s.id FROM specialties s JOIN clinics c ON c.id = s.clinic_id WHERE c.code = 'PROV' AND s.name = 'Urología'`)))
	d = doc(t, c.post("/tickets/nuevo/cirugias", form))
	opts := d.Find("#cirugia option").Length()
	if opts != 4 { // placeholder + 3 urology surgeries
		t.Fatalf("urology options = %d", opts)
	}
	if d.Find(`hx-partial[hx-target="#vista-previa-contenido"] input[name="vista"]`).Length() != 1 {
		t.Fatal("no preview partial with the surgery list")
	}
}

func TestPatientLookup_KnownRUTFillsTheForm(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("clinico_prov")
	tok := c.pageCSRF("/tickets/nuevo")
	form := validTicketForm(t, e, tok)
	if resp := c.post("/tickets/nuevo", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create = %d", resp.StatusCode)
	}
	for _, htmx := range []bool{false, true} {
		c.htmx = htmx
		lookup := url.Values{"_csrf": {tok}, "rut": {strings.ReplaceAll(form.Get("rut"), ".", "")}, "accion": {"paciente"}}
		path := "/tickets/nuevo"
		if htmx {
			path = "/tickets/nuevo/paciente"
		}
		d := doc(t, c.post(path, lookup))
		if v, _ := d.Find("#nombres").Attr("value"); v != "Juan Pablo" {
			t.Fatalf("nombres = %q, want the known patient's", v)
		}
		if v, _ := d.Find("#apellido_paterno").Attr("value"); v != "Muñoz" {
			t.Fatalf("apellido = %q", v)
		}
		if !strings.Contains(d.Find("#datos-paciente").Text(), "ya tiene un ticket vigente") {
			t.Fatal("the patient's vigente ticket is not pointed out")
		}
	}
	// Creating a second vigente ticket for the same patient is refused at the RUT field.
	c.htmx = false
	form.Set("_csrf", tok)
	resp := c.post("/tickets/nuevo", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("second ticket = %d, want 422", resp.StatusCode)
	}
	d := doc(t, resp)
	if d.Find(`[data-error-summary] a[href="#rut"]`).Length() != 1 || d.Find(`#datos-paciente a[href^="/tickets/"]`).Length() != 1 {
		t.Fatal("the refusal does not link the existing ticket")
	}
}

func TestTicketRoutes_RolesAndClinics(t *testing.T) {
	e := newEnv(t)
	admin := e.client(t)
	admin.login("admin_prov")
	tok := admin.pageCSRF("/tickets/nuevo")
	resp := admin.post("/tickets/nuevo", validTicketForm(t, e, tok))
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create = %d", resp.StatusCode)
	}
	t.Run("ViewerSeesButCannotCreate", func(t *testing.T) {
		v := e.client(t)
		v.login("visor_prov")
		if resp := v.get(loc); resp.StatusCode != http.StatusOK {
			t.Fatalf("viewer ticket page = %d", resp.StatusCode)
		}
		if resp := v.get("/tickets/nuevo"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer create form = %d, want 403", resp.StatusCode)
		}
		vt := v.pageCSRF("/tablero")
		before := e.count(t, `SELECT count(*) FROM tickets`)
		if resp := v.post("/tickets/nuevo", validTicketForm(t, e, vt)); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer create = %d, want 403", resp.StatusCode)
		}
		if e.count(t, `SELECT count(*) FROM tickets`) != before {
			t.Fatal("a viewer created a ticket")
		}
		if d := doc(t, v.get("/tablero")); d.Find(`a[href="/tickets/nuevo"]`).Length() != 0 {
			t.Fatal("the viewer is offered to create tickets")
		}
	})
	t.Run("OtherClinicGets404", func(t *testing.T) {
		o := e.client(t)
		o.login("admin_valp")
		for _, p := range []string{loc, loc + "/estado", loc + "?clinica=" + fmt.Sprint(e.count(t, `SELECT id FROM clinics WHERE code='PROV'`))} {
			if resp := o.get(p); resp.StatusCode != http.StatusNotFound {
				t.Fatalf("%s from another clinic = %d, want 404", p, resp.StatusCode)
			}
		}
	})
	t.Run("SuperuserSeesAnyClinic", func(t *testing.T) {
		s := e.client(t)
		s.login("superadmin")
		if resp := s.get(loc + "?clinica=todas"); resp.StatusCode != http.StatusOK {
			t.Fatalf("superuser = %d", resp.StatusCode)
		}
		// Creating needs a clinic first.
		if d := doc(t, s.get("/tickets/nuevo")); d.Find("select#clinica").Length() != 1 {
			t.Fatal("superuser is not asked for the clinic")
		}
	})
	t.Run("ViewIsAudited", func(t *testing.T) {
		id := strings.TrimPrefix(loc, "/tickets/")
		before := e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'view_ticket' AND entity_id = $1`, id)
		admin.get(loc)
		admin.get(loc + "/estado") // refreshes are not views
		if got := e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'view_ticket' AND entity_id = $1`, id); got != before+1 {
			t.Fatalf("view audit rows %d → %d", before, got)
		}
	})
}

func TestBoard_SearchFiltersAndFragment(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("clinico_prov")
	tok := c.pageCSRF("/tickets/nuevo")
	form := validTicketForm(t, e, tok)
	form.Set("nombres", "Eulogio")
	form.Set("cama", "77Z")
	if resp := c.post("/tickets/nuevo", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create = %d", resp.StatusCode)
	}
	compact := strings.NewReplacer(".", "", "-", "").Replace(form.Get("rut"))
	for _, q := range []string{"eulogio", "EULOGIO muñoz", form.Get("rut"), compact, "77z"} {
		for _, htmx := range []bool{false, true} {
			c.htmx = htmx
			resp := c.search(q, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("board q=%q = %d", q, resp.StatusCode)
			}
			d := doc(t, resp)
			if htmx && d.Find("header").Length() != 0 {
				t.Fatal("htmx board request got the whole page")
			}
			if n := d.Find("#resultados [data-ticket]").Length(); n != 1 {
				t.Fatalf("q=%q: %d rows, want 1", q, n)
			}
			if !strings.Contains(d.Find("#resultados").Text(), "Eulogio") {
				t.Fatalf("q=%q: the patient is not listed", q)
			}
		}
	}
	c.htmx = false
	for _, tc := range []struct {
		query string
		found bool
	}{
		{"cirugia=" + url.QueryEscape("Apendicectomía laparoscópica"), true},
		{"especialidad=" + url.QueryEscape("Cirugía General"), true},
		{"especialidad=" + url.QueryEscape("Urología"), false},
		{"desde=" + url.QueryEscape(fpa.FormatDate(time.Now().AddDate(0, 0, -1))), true},
		{"hasta=" + url.QueryEscape(fpa.FormatDate(time.Now().AddDate(0, 0, -2))), false},
		{"sin_episodio=1", false},
	} {
		c.search("eulogio", nil)
		d := doc(t, c.get("/tablero?"+tc.query))
		if got := strings.Contains(d.Find("#resultados").Text(), "Eulogio"); got != tc.found {
			t.Errorf("filter %s: listed = %v, want %v", tc.query, got, tc.found)
		}
	}
	d := doc(t, c.get("/tablero"))
	if d.Find(`#f-cirugia option[value="Apendicectomía laparoscópica"]`).Length() != 1 || d.Find(`#f-especialidad option[value="Urología"]`).Length() != 1 {
		t.Fatal("the filters do not offer the clinic's specialties and surgeries")
	}
	resp := c.get("/tablero?desde=99/99/2026")
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad date = %d, want 422", resp.StatusCode)
	}
	if d := doc(t, resp); d.Find(`[data-error-summary] a[href="#desde"]`).Length() != 1 {
		t.Fatal("bad date has no message at its field")
	}
	// Another clinic's board never lists the ticket, whatever it asks for.
	o := e.client(t)
	o.login("admin_valp")
	o.search("eulogio", nil)
	d = doc(t, o.get("/tablero?estado=programado&estado=vigente&estado=vencido&estado=anulado&estado=de_alta&clinica="+fmt.Sprint(e.count(t, `SELECT id FROM clinics WHERE code='PROV'`))))
	if strings.Contains(d.Text(), "Eulogio") {
		t.Fatal("another clinic's board lists the patient")
	}
}
