package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/redsalud/ticket-home/fpa"
)

// RULES §1c: each clinic's admins set how many discharges its wards can process per block; the
// create and modify forms warn (never refuse) when the chosen slot already holds that many.
// These tests change SANT's settings and put them back.

// keepClinicSettings puts a clinic's thresholds and capacity back when the test ends.
func keepClinicSettings(t *testing.T, e *env, clinic int) (crit, warn, capacity int) {
	t.Helper()
	if err := e.db.QueryRow(`SELECT critical_hours, warning_hours, discharge_capacity FROM clinics WHERE id = $1`, clinic).
		Scan(&crit, &warn, &capacity); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.sql(t, `UPDATE clinics SET critical_hours = $2, warning_hours = $3, discharge_capacity = $4 WHERE id = $1`, clinic, crit, warn, capacity)
	})
	return crit, warn, capacity
}

func setCapacity(t *testing.T, e *env, clinic, n int) {
	t.Helper()
	e.sql(t, `UPDATE clinics SET discharge_capacity = $2 WHERE id = $1`, clinic, n)
}

// slotFull is the warning the forms show for a slot holding planned discharges at capacity.
func slotFull(planned, capacity int) string {
	if planned == 1 {
		return fmt.Sprintf("Bloque con 1 alta planificada; capacidad %d.", capacity)
	}
	return fmt.Sprintf("Bloque con %d altas planificadas; capacidad %d.", planned, capacity)
}

func TestThresholds_DischargeCapacitySavedRefusedStaleAndAudited(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("admin_sant")
	clinic := e.count(t, `SELECT id FROM clinics WHERE code = 'SANT'`)
	crit, warn, capacity := keepClinicSettings(t, e, clinic)
	audited := e.count(t, `SELECT coalesce(max(id), 0) FROM action_audit`)

	page := doc(t, c.get("/catalogo/umbrales"))
	if h := strings.TrimSpace(page.Find("h1").Text()); h != "Umbrales y capacidad" {
		t.Fatalf("heading %q", h)
	}
	if v, _ := page.Find("#capacidad").Attr("value"); v != strconv.Itoa(capacity) {
		t.Fatalf("the capacity field shows %q, want %d", v, capacity)
	}
	if l := strings.TrimSpace(page.Find(`label[for="capacidad"]`).Text()); !strings.HasPrefix(l, "Capacidad de altas por bloque") {
		t.Fatalf("capacity label %q", l)
	}
	form := with(formOf(t, c, "/catalogo/umbrales", "/catalogo/umbrales"),
		"critico", strconv.Itoa(crit), "advertencia", strconv.Itoa(warn), "capacidad", strconv.Itoa(capacity))
	if form.Get("antes_capacidad") != strconv.Itoa(capacity) {
		t.Fatalf("the form does not carry the capacity it was opened with: %v", form)
	}

	// Out of range or not a number: the message at the field, what was typed kept, nothing saved.
	const outOfRange = "La capacidad debe ser un número entero entre 1 y 50."
	for _, tc := range []struct{ typed, want, kept string }{
		{"0", outOfRange, "0"},
		{"51", outOfRange, "51"},
		{"-3", outOfRange, "-3"},
		{"", outOfRange, ""},
		{"cuatro", outOfRange, "cuatro"},
		{"4,5", outOfRange, "4,5"},
		{"99999999999999999999", outOfRange, "99999999999999999999"},
		{"4\x00", "Contiene caracteres no permitidos.", "4\uFFFD"},
	} {
		for _, htmx := range []bool{false, true} {
			c.htmx = htmx
			resp := c.post("/catalogo/umbrales", with(form, "capacidad", tc.typed))
			c.htmx = false
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("capacity %q (htmx %v): status %d, want 422", tc.typed, htmx, resp.StatusCode)
			}
			msg, kept := fieldError(t, resp, "capacidad")
			if msg != tc.want || kept != tc.kept {
				t.Errorf("capacity %q (htmx %v): message %q, kept %q; want %q, %q", tc.typed, htmx, msg, kept, tc.want, tc.kept)
			}
		}
	}
	// A tampered "opened with" value is not a form this application produced: 400, never 500.
	for _, before := range []string{"", "x", "4\x00", "99999999999999999999"} {
		if resp := c.post("/catalogo/umbrales", with(form, "antes_capacidad", before)); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("antes_capacidad %q: status %d, want 400", before, resp.StatusCode)
		}
	}
	if got := e.count(t, `SELECT discharge_capacity FROM clinics WHERE id = $1`, clinic); got != capacity {
		t.Fatalf("a refused form saved the capacity %d", got)
	}

	// The catalog page shows the capacity beside the thresholds (read now, it is cached).
	catalogCapacity := func() string {
		t.Helper()
		return strings.Join(strings.Fields(doc(t, c.get("/catalogo")).Find("#umbrales").Text()), " ")
	}
	if s := catalogCapacity(); !strings.Contains(s, fmt.Sprintf("Capacidad: %d altas por bloque", capacity)) {
		t.Fatalf("the catalog page does not show the capacity: %q", s)
	}
	saved := capacity%50 + 1 // another valid capacity
	if resp := c.post("/catalogo/umbrales", with(form, "capacidad", strconv.Itoa(saved))); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("valid capacity: status %d", resp.StatusCode)
	}
	if got := e.count(t, `SELECT discharge_capacity FROM clinics WHERE id = $1`, clinic); got != saved {
		t.Fatalf("capacity saved %d, want %d", got, saved)
	}
	if s := catalogCapacity(); !strings.Contains(s, fmt.Sprintf("Capacidad: %d altas por bloque", saved)) {
		t.Fatalf("the catalog page does not show the saved capacity: %q", s)
	}
	if got := e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'edit_thresholds' AND clinic_id = $1 AND id > $2
		AND (details->'before'->>'discharge_capacity')::int = $3 AND (details->'after'->>'discharge_capacity')::int = $4
		AND (details->'after'->>'critical_hours')::int = $5`, clinic, audited, capacity, saved, crit); got != 1 {
		t.Fatalf("%d audit rows with the capacity before → after, want 1", got)
	}

	// The same form, opened before that change: 409, the saved capacity beside the typed one.
	resp := c.post("/catalogo/umbrales", with(form, "capacidad", "7"))
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale form: status %d, want 409", resp.StatusCode)
	}
	d := doc(t, resp)
	row := d.Find("#conflicto tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Find("th").Text(), "Capacidad")
	})
	if row.Length() != 1 || strings.TrimSpace(row.Find("td").Eq(0).Text()) != strconv.Itoa(saved) || strings.TrimSpace(row.Find("td").Eq(1).Text()) != "7" {
		t.Fatalf("the conflict view has no capacity row with %d beside 7: %q", saved, d.Find("#conflicto").Text())
	}
	if v, _ := d.Find("#capacidad").Attr("value"); v != "7" {
		t.Fatalf("the conflict form lost the typed capacity: %q", v)
	}
	if got := e.count(t, `SELECT discharge_capacity FROM clinics WHERE id = $1`, clinic); got != saved {
		t.Fatalf("the stale form saved %d", got)
	}
	// The conflict form is on the saved values: sending it again applies.
	again := url.Values{}
	d.Find(`form[action="/catalogo/umbrales"] input`).Each(func(_ int, s *goquery.Selection) {
		n, _ := s.Attr("name")
		v, _ := s.Attr("value")
		again.Set(n, v)
	})
	if resp := c.post("/catalogo/umbrales", again); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the conflict form sent again: status %d", resp.StatusCode)
	}
	if got := e.count(t, `SELECT discharge_capacity FROM clinics WHERE id = $1`, clinic); got != 7 {
		t.Fatalf("capacity %d after the conflict form, want 7", got)
	}
	if got := e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'edit_thresholds' AND clinic_id = $1 AND id > $2`, clinic, audited); got != 2 {
		t.Fatalf("%d edit_thresholds audit rows, want 2 (one per change)", got)
	}
}

// newSantTicket creates a ticket in SANT through the form (clinico_sant signed in on c) with
// its pavilion end at pavilion, annulled again when the test ends; it returns its id, FPA and
// block start.
func newSantTicket(t *testing.T, e *env, c *client, surgery int, pavilion time.Time) (id int64, at time.Time, block int) {
	t.Helper()
	resp := c.post("/tickets/nuevo", santTicketForm(c.pageCSRF("/tickets/nuevo"), surgery, pavilion))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: status %d", resp.StatusCode)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(resp.Header.Get("Location"), "/tickets/"), 10, 64)
	if err != nil {
		t.Fatalf("create went to %q", resp.Header.Get("Location"))
	}
	t.Cleanup(func() {
		e.sql(t, `UPDATE tickets t SET status = 'anulado', annulled_at = now(), annulled_by = t.created_by,
			annul_reason_id = (SELECT min(r.id) FROM reasons r WHERE r.clinic_id = t.clinic_id AND r.category = 'annulment')
			WHERE id = $1 AND status = 'vigente'`, id)
	})
	if err := e.db.QueryRow(`SELECT fpa_at, fpa_block_start FROM tickets WHERE id = $1`, id).Scan(&at, &block); err != nil {
		t.Fatal(err)
	}
	return id, at, block
}

func santTicketForm(tok string, surgery int, pavilion time.Time) url.Values {
	return url.Values{
		"_csrf": {tok}, "accion": {"crear"},
		"rut": {freshRUT()}, "nombres": {"Ana María"}, "apellido_paterno": {"Rojas"}, "apellido_materno": {"Vera"},
		"edad": {"54"}, "sexo": {"F"}, "cirugia": {strconv.Itoa(surgery)},
		"fecha_pabellon": {pavilion.Format("02/01/2006")}, "hora_pabellon": {pavilion.Format("15:04")},
		"cama": {"21"}, "ubicacion": {"Piso 4 Norte"},
	}
}

// santSurgery is an active, non-ambulatory surgery of an active specialty of SANT, and a
// pavilion end ten days ahead (past the demo tickets' FPAs).
func santSurgery(t *testing.T, e *env, clinic int) (int, time.Time) {
	t.Helper()
	surgery := e.count(t, `SELECT min(g.id) FROM surgeries g JOIN specialties s ON s.id = g.specialty_id
		WHERE g.clinic_id = $1 AND g.active AND s.active AND NOT g.is_ambulatory`, clinic)
	d := time.Now().In(fpa.Santiago).AddDate(0, 0, 10)
	return surgery, time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, fpa.Santiago)
}

// planned counts SANT's vigente tickets whose FPA is at.
func planned(t *testing.T, e *env, clinic int, at time.Time) int {
	t.Helper()
	return e.count(t, `SELECT count(*) FROM tickets WHERE clinic_id = $1 AND status = 'vigente' AND fpa_at = $2`, clinic, at)
}

// checkedWarning is, in a new-ticket preview, the checked block's start and the warning shown
// for it ("" when none).
func checkedWarning(t *testing.T, box *goquery.Selection) (block, warning string) {
	t.Helper()
	labels := box.Find(".fpa-choices label")
	n := -1
	labels.EachWithBreak(func(i int, s *goquery.Selection) bool {
		if _, ok := s.Find("input[checked]").Attr("value"); ok {
			n = i
			return false
		}
		return true
	})
	if n < 0 {
		t.Fatalf("no block checked in the preview: %q", box.Text())
	}
	block, _ = labels.Eq(n).Find("input").Attr("value")
	w := box.Find(fmt.Sprintf(`[role="status"] .capacity-warning[data-choice="%d"]`, n+1))
	return block, strings.TrimSpace(w.Text())
}

func TestCreatePreview_WarnsWhenTheChosenBlockIsAtCapacity(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("clinico_sant")
	clinic := e.count(t, `SELECT id FROM clinics WHERE code = 'SANT'`)
	keepClinicSettings(t, e, clinic)
	surgery, pavilion := santSurgery(t, e, clinic)
	setCapacity(t, e, clinic, 50)
	_, at, block := newSantTicket(t, e, c, surgery, pavilion)
	n := planned(t, e, clinic, at)

	tok := c.pageCSRF("/tickets/nuevo")
	form := santTicketForm(tok, surgery, pavilion) // another patient, the same slot proposed
	preview := func() (string, string) {
		t.Helper()
		c.htmx = true
		defer func() { c.htmx = false }()
		resp := c.post("/tickets/nuevo/vista-previa", form)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("preview: status %d", resp.StatusCode)
		}
		return checkedWarning(t, doc(t, resp).Selection)
	}

	// Under capacity: nothing said.
	setCapacity(t, e, clinic, n+1)
	if b, w := preview(); b != strconv.Itoa(block) || w != "" {
		t.Fatalf("under capacity: block %s (want %d), warning %q", b, block, w)
	}
	// At capacity: the count and the capacity, in words.
	setCapacity(t, e, clinic, n)
	if _, w := preview(); w != slotFull(n, n) {
		t.Fatalf("at capacity: warning %q, want %q", w, slotFull(n, n))
	}

	// Without JavaScript: "Calcular FPA", and a refused submit, show the same preview.
	calc := with(form, "accion", "calcular")
	resp := c.post("/tickets/nuevo", calc)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("calcular: status %d", resp.StatusCode)
	}
	if _, w := checkedWarning(t, doc(t, resp).Find("#vista-previa-contenido")); w != slotFull(n, n) {
		t.Fatalf("calcular: warning %q", w)
	}
	resp = c.post("/tickets/nuevo", with(form, "nombres", ""))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("refused create: status %d", resp.StatusCode)
	}
	if _, w := checkedWarning(t, doc(t, resp).Find("#vista-previa-contenido")); w != slotFull(n, n) {
		t.Fatalf("refused create: warning %q", w)
	}
	// A warning, never a refusal: the ticket is created in the full block.
	if resp := c.post("/tickets/nuevo", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create in a full block: status %d", resp.StatusCode)
	}
	t.Cleanup(func() {
		e.sql(t, `UPDATE tickets t SET status = 'anulado', annulled_at = now(), annulled_by = t.created_by,
			annul_reason_id = (SELECT min(r.id) FROM reasons r WHERE r.clinic_id = t.clinic_id AND r.category = 'annulment')
			WHERE clinic_id = $1 AND fpa_at = $2 AND status = 'vigente' AND bed = '21' AND location = 'Piso 4 Norte'`, clinic, at)
	})
	if got := planned(t, e, clinic, at); got != n+1 {
		t.Fatalf("%d planned after creating in the full block, want %d", got, n+1)
	}
}

func TestModifyPreview_WarnsWhenTheNewBlockIsAtCapacity(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("clinico_sant")
	clinic := e.count(t, `SELECT id FROM clinics WHERE code = 'SANT'`)
	keepClinicSettings(t, e, clinic)
	surgery, pavilion := santSurgery(t, e, clinic)
	setCapacity(t, e, clinic, 50)
	// Two tickets in one slot, and a third a day earlier that will move there.
	_, at, block := newSantTicket(t, e, c, surgery, pavilion)
	newSantTicket(t, e, c, surgery, pavilion)
	moving, from, _ := newSantTicket(t, e, c, surgery, pavilion.AddDate(0, 0, -1))
	if from.Equal(at) {
		t.Fatal("the third ticket is in the same slot")
	}
	n := planned(t, e, clinic, at)
	if n < 2 {
		t.Fatalf("%d planned in the slot, want at least 2", n)
	}

	path := fmt.Sprintf("/tickets/%d", moving)
	page := doc(t, c.get(path))
	hidden := func(name string) string {
		v, _ := page.Find(`#modificar-fpa input[name="` + name + `"]`).Attr("value")
		return v
	}
	form := url.Values{"_csrf": {hidden("_csrf")}, "version": {hidden("version")}, "clave": {hidden("clave")},
		"fecha": {fpa.DateOf(at).String()}, "bloque": {strconv.Itoa(block)}}
	preview := func() string {
		t.Helper()
		c.htmx = true
		defer func() { c.htmx = false }()
		resp := c.post(path+"/fpa/vista-previa", form)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("preview: status %d", resp.StatusCode)
		}
		d := doc(t, resp)
		if !strings.Contains(d.Text(), "Posterga el alta") {
			t.Fatalf("the preview computed nothing: %q", d.Text())
		}
		return strings.TrimSpace(d.Find(`.capacity-warning[role="status"]`).Text())
	}

	setCapacity(t, e, clinic, n+1)
	if w := preview(); w != "" {
		t.Fatalf("under capacity: warning %q", w)
	}
	setCapacity(t, e, clinic, n)
	if w := preview(); w != slotFull(n, n) {
		t.Fatalf("at capacity: warning %q, want %q", w, slotFull(n, n))
	}

	// Without JavaScript: "Ver cambio" renders the ticket's page with the same preview.
	resp := c.post(path+"/fpa", with(form, "accion", "vista"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ver cambio: status %d", resp.StatusCode)
	}
	if w := strings.TrimSpace(doc(t, resp).Find(`#fpa-cambio-contenido .capacity-warning[role="status"]`).Text()); w != slotFull(n, n) {
		t.Fatalf("ver cambio: warning %q", w)
	}

	// A warning, never a refusal: the modification applies in the full block.
	reason := e.count(t, `SELECT min(id) FROM reasons WHERE clinic_id = $1 AND category = 'modification' AND active`, clinic)
	done := with(form, "accion", "modificar", "razon", strconv.Itoa(reason), "justificacion", "Control de herida")
	if resp := c.post(path+"/fpa", done); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("modify into a full block: status %d", resp.StatusCode)
	}
	if got := planned(t, e, clinic, at); got != n+1 {
		t.Fatalf("%d planned after the modification, want %d", got, n+1)
	}
}
