package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// formOf reads the hidden fields (CSRF, version) of the first form posting to action on page.
func formOf(t *testing.T, c *client, page, action string) url.Values {
	t.Helper()
	d := doc(t, c.get(page))
	f := d.Find(`form[action="` + action + `"]`).First()
	if f.Length() == 0 {
		t.Fatalf("no form posting to %s on %s", action, page)
	}
	v := url.Values{}
	f.Find(`input[type="hidden"]`).Each(func(_ int, s *goquery.Selection) {
		n, _ := s.Attr("name")
		val, _ := s.Attr("value")
		v.Set(n, val)
	})
	return v
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// fieldError is the message shown at a field of a re-rendered form.
func fieldError(t *testing.T, resp *http.Response, field string) (msg, value string) {
	t.Helper()
	d := doc(t, resp)
	msg = strings.TrimPrefix(strings.TrimSpace(d.Find("#"+field+"-error").Text()), "Error: ")
	value, _ = d.Find("#" + field).Attr("value")
	if sel := d.Find("select#" + field); sel.Length() == 1 {
		value, _ = sel.Find("option[selected]").Attr("value")
	}
	return msg, value
}

func TestCatalogAdmin_SurgeryCreatedEditedDeactivatedWithEveryRule(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("admin_sant")
	clinic := e.count(t, `SELECT id FROM clinics WHERE code = 'SANT'`)
	spec := e.count(t, `SELECT min(id) FROM specialties WHERE clinic_id = $1 AND active`, clinic)
	otherSpec := e.count(t, `SELECT min(id) FROM specialties WHERE clinic_id <> $1`, clinic)
	t.Cleanup(func() { e.sql(t, `DELETE FROM surgeries WHERE name = 'Rodillectomía Parcial'`) })
	catalog := doc(t, c.get("/catalogo"))
	if catalog.Find(`a[href="/catalogo/cirugias/nueva"]`).Length() != 1 {
		t.Fatal("the catalog offers an admin no Agregar cirugía")
	}
	base := formOf(t, c, "/catalogo/cirugias/nueva", "/catalogo/cirugias/nueva")
	good := with(base, "especialidad", strconv.Itoa(spec), "nombre", "Rodillectomía Parcial", "horas", "36,5", "corte", "")
	before := e.count(t, `SELECT count(*) FROM surgeries`)

	// Bad input on every field: a message at the field, what was typed kept, nothing saved.
	for _, tc := range []struct {
		name, field, value, want string
		extra                    []string
	}{
		{"empty name", "nombre", "", "Escriba el nombre de la cirugía.", nil},
		{"long name", "nombre", strings.Repeat("a", 151), "El nombre no puede superar 150 caracteres.", nil},
		{"NUL in name", "nombre", "Rodilla\x00", "Contiene caracteres no permitidos.", nil},
		{"zero hours", "horas", "0", "Las horas base deben ser un número mayor que 0 y hasta 2160, con hasta dos decimales (por ejemplo 36 o 2,5).", nil},
		{"too many hours", "horas", "2160.01", "Las horas base deben ser un número mayor que 0 y hasta 2160, con hasta dos decimales (por ejemplo 36 o 2,5).", nil},
		{"words for hours", "horas", "treinta", "Las horas base deben ser un número mayor que 0 y hasta 2160, con hasta dos decimales (por ejemplo 36 o 2,5).", nil},
		{"no hours", "horas", "", "Escriba las horas base de estadía.", nil},
		{"no specialty", "especialidad", "", "Elija una especialidad de la lista.", nil},
		{"another clinic's specialty", "especialidad", strconv.Itoa(otherSpec), "La especialidad elegida no está activa en esta clínica. Elija otra.", nil},
		{"huge specialty id", "especialidad", "99999999999999999999", "Elija una especialidad de la lista.", nil},
		{"ambulatory without cut-off", "corte", "", "Elija la hora de corte (0 a 23): es obligatoria para una cirugía ambulatoria.", []string{"ambulatoria", "1"}},
		{"cut-off 24", "corte", "24", "Elija la hora de corte (0 a 23): es obligatoria para una cirugía ambulatoria.", []string{"ambulatoria", "1"}},
	} {
		form := with(good, append([]string{tc.field, tc.value}, tc.extra...)...)
		resp := c.post("/catalogo/cirugias/nueva", form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: status %d, want 422", tc.name, resp.StatusCode)
		}
		msg, kept := fieldError(t, resp, tc.field)
		if msg != tc.want {
			t.Errorf("%s: message %q, want %q", tc.name, msg, tc.want)
		}
		if want := strings.ReplaceAll(tc.value, "\x00", "\uFFFD"); tc.field == "nombre" && kept != want {
			t.Errorf("%s: the form kept %q, want %q", tc.name, kept, want)
		}
	}
	if got := e.count(t, `SELECT count(*) FROM surgeries`); got != before {
		t.Fatalf("refused forms saved %d surgeries", got-before)
	}

	if resp := c.post("/catalogo/cirugias/nueva", good); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("valid surgery = %d", resp.StatusCode)
	}
	id := e.count(t, `SELECT id FROM surgeries WHERE clinic_id = $1 AND name = 'Rodillectomía Parcial' AND base_stay_hours = 36.5 AND NOT is_ambulatory AND active`, clinic)
	if e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'create_surgery' AND entity_id = $1 AND clinic_id = $2`, id, clinic) != 1 {
		t.Fatal("the new surgery has no audit row")
	}
	// Unique per clinic, whatever the case and the accents.
	resp := c.post("/catalogo/cirugias/nueva", with(good, "nombre", "RODILLECTOMIA parcial"))
	if msg, _ := fieldError(t, resp, "nombre"); resp.StatusCode != http.StatusUnprocessableEntity ||
		msg != "Ya existe una cirugía con ese nombre en esta clínica (sin distinguir mayúsculas ni tildes)." {
		t.Fatalf("duplicate name = %d %q", resp.StatusCode, msg)
	}

	// Editing a surgery tickets used changes no ticket: they keep the norm they were computed with.
	used := e.count(t, `SELECT surgery_id FROM tickets WHERE clinic_id = $1 GROUP BY surgery_id ORDER BY count(*) DESC LIMIT 1`, clinic)
	snapshot := e.count(t, `SELECT count(*) FROM tickets WHERE surgery_id = $1 AND base_stay_hours <> 999`, used)
	var norm string
	if err := e.db.QueryRow(`SELECT base_stay_hours::text FROM surgeries WHERE id = $1`, used).Scan(&norm); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.sql(t, `UPDATE surgeries SET base_stay_hours = $2::numeric WHERE id = $1`, used, norm) })
	editPath := fmt.Sprintf("/catalogo/cirugias/%d", used)
	edit := formOf(t, c, editPath, editPath)
	d := doc(t, c.get(editPath))
	name, _ := d.Find("#nombre").Attr("value")
	specUsed, _ := d.Find("select#especialidad option[selected]").Attr("value")
	changed := with(edit, "especialidad", specUsed, "nombre", name, "horas", "999", "corte", "")
	if resp := c.post(editPath, changed); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit = %d", resp.StatusCode)
	}
	if e.count(t, `SELECT count(*) FROM tickets WHERE surgery_id = $1 AND base_stay_hours <> 999`, used) != snapshot || snapshot == 0 {
		t.Fatal("editing the norm changed existing tickets")
	}
	if e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'edit_surgery' AND entity_id = $1 AND details->'after'->>'BaseStayHours' = '999' AND details->'before'->>'BaseStayHours' <> '999'`, used) != 1 {
		t.Fatal("the edit has no before → after audit row")
	}
	// The same form again was opened on the old version: 409 with the saved values beside the typed.
	resp = c.post(editPath, with(changed, "horas", "48"))
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale edit = %d, want 409", resp.StatusCode)
	}
	cd := doc(t, resp)
	if cd.Find("#conflicto").Length() != 1 || !strings.Contains(cd.Find("#conflicto").Text(), "999") || !strings.Contains(cd.Find("#conflicto").Text(), "48") {
		t.Fatalf("the conflict view does not show both values: %q", cd.Find("#conflicto").Text())
	}
	if v, _ := cd.Find("#horas").Attr("value"); v != "48" {
		t.Fatalf("the conflict lost what was typed: %q", v)
	}
	// A tampered version is not a form this application produced.
	if resp := c.post(editPath, with(changed, "version", "x")); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("tampered version = %d", resp.StatusCode)
	}

	// Deactivated: gone from the new-ticket form, back when reactivated.
	state := formOf(t, c, "/catalogo", fmt.Sprintf("/catalogo/cirugias/%d/estado", id))
	if resp := c.post(fmt.Sprintf("/catalogo/cirugias/%d/estado", id), state); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivate = %d", resp.StatusCode)
	}
	newTicket := func() string { return doc(t, c.get("/tickets/nuevo")).Find("select#cirugia").Text() }
	if strings.Contains(newTicket(), "Rodillectomía Parcial") {
		t.Fatal("a deactivated surgery is still offered")
	}
	if e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'deactivate_surgery' AND entity_id = $1`, id) != 1 {
		t.Fatal("no audit row for the deactivation")
	}
	if resp := c.post(fmt.Sprintf("/catalogo/cirugias/%d/estado", id), with(state, "activo", "1")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reactivate = %d", resp.StatusCode)
	}
	if !strings.Contains(newTicket(), "Rodillectomía Parcial") {
		t.Fatal("a reactivated surgery is not offered")
	}
}

func TestCatalogAdmin_OtherMasterDataAndItsMessages(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("admin_sant")
	clinic := e.count(t, `SELECT id FROM clinics WHERE code = 'SANT'`)
	csrf := url.Values{"_csrf": {c.pageCSRF("/catalogo")}}
	t.Cleanup(func() {
		e.sql(t, `DELETE FROM specialties WHERE name = 'Neurocirugía Pediátrica'`)
		e.sql(t, `DELETE FROM doctors WHERE rut = '12345678-5'`)
		e.sql(t, `DELETE FROM reasons WHERE name = 'Cambio de plan quirúrgico'`)
	})

	// Specialty: unique ignoring case and accents.
	if resp := c.post("/catalogo/especialidades/nueva", with(csrf, "nombre", "Neurocirugía Pediátrica")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("new specialty = %d", resp.StatusCode)
	}
	resp := c.post("/catalogo/especialidades/nueva", with(csrf, "nombre", "neurocirugia pediatrica"))
	if msg, kept := fieldError(t, resp, "nombre"); resp.StatusCode != 422 || !strings.HasPrefix(msg, "Ya existe una especialidad") || kept != "neurocirugia pediatrica" {
		t.Fatalf("duplicate specialty = %d %q %q", resp.StatusCode, msg, kept)
	}
	// Doctor: names as RULES §8b, RUT as §8, unique RUT.
	for _, tc := range []struct{ field, value, want string }{
		{"nombres", "", "Escriba los nombres del médico."},
		{"apellidos", "Soto3", "Use solo letras, espacios, apóstrofos, guiones y puntos."},
		{"rut", "12.345.678-9", "RUT inválido: el dígito verificador no corresponde."},
		{"especialidad", "abc", "Elija una especialidad de la lista."},
	} {
		form := with(csrf, "nombres", "Ana María", "apellidos", "Pérez Lagos", "rut", "12.345.678-5", tc.field, tc.value)
		resp := c.post("/catalogo/medicos/nueva", form)
		if msg, _ := fieldError(t, resp, tc.field); resp.StatusCode != 422 || msg != tc.want {
			t.Errorf("doctor %s=%q: %d %q, want %q", tc.field, tc.value, resp.StatusCode, msg, tc.want)
		}
	}
	if resp := c.post("/catalogo/medicos/nueva", with(csrf, "nombres", "Ana María", "apellidos", "Pérez Lagos", "rut", "12345678-5")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("new doctor = %d", resp.StatusCode)
	}
	if e.count(t, `SELECT count(*) FROM doctors WHERE clinic_id = $1 AND rut = '12345678-5' AND specialty_id IS NULL`, clinic) != 1 {
		t.Fatal("the doctor was not stored with its canonical RUT")
	}
	resp = c.post("/catalogo/medicos/nueva", with(csrf, "nombres", "Juan", "apellidos", "Otro", "rut", "12345678-5"))
	if msg, _ := fieldError(t, resp, "rut"); msg != "Ya existe un médico con ese RUT en esta clínica." {
		t.Fatalf("duplicate RUT: %q", msg)
	}
	// Reason: a category, a name unique per category.
	resp = c.post("/catalogo/razones/nueva", with(csrf, "categoria", "otra", "nombre", "Traslado"))
	if msg, _ := fieldError(t, resp, "categoria"); resp.StatusCode != 422 || msg != "Elija si la razón es de modificación o de anulación." {
		t.Fatalf("bad category = %d %q", resp.StatusCode, msg)
	}
	for _, cat := range []string{"modification", "annulment"} {
		if resp := c.post("/catalogo/razones/nueva", with(csrf, "categoria", cat, "nombre", "Cambio de plan quirúrgico")); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reason %s = %d", cat, resp.StatusCode)
		}
	}
	// Thresholds: 0 < critical < warning ≤ 72.
	var crit, warn, capacity int
	if err := e.db.QueryRow(`SELECT critical_hours, warning_hours, discharge_capacity FROM clinics WHERE id = $1`, clinic).Scan(&crit, &warn, &capacity); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.sql(t, `UPDATE clinics SET critical_hours = $2, warning_hours = $3 WHERE id = $1`, clinic, crit, warn)
	})
	audited := e.count(t, `SELECT coalesce(max(id), 0) FROM action_audit`)
	th := with(formOf(t, c, "/catalogo/umbrales", "/catalogo/umbrales"), "capacidad", strconv.Itoa(capacity))
	for _, tc := range []struct{ crit, warn, field, want string }{
		{"0", "8", "critico", "Las horas de umbral crítico deben ser un número entero entre 1 y 71."},
		{"2", "73", "advertencia", "Las horas de umbral de advertencia deben ser un número entero entre 2 y 72."},
		{"8", "8", "advertencia", "El umbral de advertencia debe ser mayor que el crítico."},
		{"dos", "8", "critico", "Las horas de umbral crítico deben ser un número entero entre 1 y 71."},
	} {
		resp := c.post("/catalogo/umbrales", with(th, "critico", tc.crit, "advertencia", tc.warn))
		if msg, _ := fieldError(t, resp, tc.field); resp.StatusCode != 422 || msg != tc.want {
			t.Errorf("thresholds %s/%s: %d %q", tc.crit, tc.warn, resp.StatusCode, msg)
		}
	}
	if resp := c.post("/catalogo/umbrales", with(th, "critico", "4", "advertencia", "12")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("thresholds = %d", resp.StatusCode)
	}
	if e.count(t, `SELECT count(*) FROM clinics WHERE id = $1 AND critical_hours = 4 AND warning_hours = 12`, clinic) != 1 {
		t.Fatal("thresholds not saved")
	}
	// The same form, opened before that change, is a conflict.
	if resp := c.post("/catalogo/umbrales", with(th, "critico", "3", "advertencia", "10")); resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale thresholds = %d", resp.StatusCode)
	}
	if e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'edit_thresholds' AND clinic_id = $1 AND id > $2`, clinic, audited) != 1 {
		t.Fatal("thresholds change not audited once")
	}
}

func TestCatalogAdmin_LastActiveBlockStaysActive(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("admin_sant")
	clinic := e.count(t, `SELECT id FROM clinics WHERE code = 'SANT'`)
	last := e.count(t, `SELECT max(id) FROM discharge_blocks WHERE clinic_id = $1`, clinic)
	var active []byte
	if err := e.db.QueryRow(`SELECT array_agg(id)::text FROM discharge_blocks WHERE clinic_id = $1 AND active`, clinic).Scan(&active); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.sql(t, `UPDATE discharge_blocks SET active = true WHERE clinic_id = $1`, clinic)
		e.sql(t, `UPDATE discharge_blocks SET active = false WHERE clinic_id = $1 AND NOT id = ANY($2::bigint[])`, clinic, string(active))
	})
	e.sql(t, `UPDATE discharge_blocks SET active = false WHERE clinic_id = $1 AND id <> $2`, clinic, last)
	path := fmt.Sprintf("/catalogo/bloques/%d/estado", last)
	resp := c.post(path, with(formOf(t, c, "/catalogo", path), "activo", "0"))
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("last block = %d, want 409", resp.StatusCode)
	}
	if msg := doc(t, resp).Find(`[data-error-summary] a[href="#bloques"]`).Text(); !strings.HasPrefix(msg, "No se puede desactivar el último bloque horario activo") {
		t.Fatalf("message = %q", msg)
	}
	if e.count(t, `SELECT count(*) FROM discharge_blocks WHERE clinic_id = $1 AND active`, clinic) != 1 {
		t.Fatal("the last block was deactivated")
	}
}

func TestCatalogAdmin_OnlyAdminsOfTheClinic(t *testing.T) {
	e := newEnv(t)
	prov := e.count(t, `SELECT id FROM clinics WHERE code = 'PROV'`)
	surgery := e.count(t, `SELECT min(id) FROM surgeries WHERE clinic_id = $1`, prov)
	block := e.count(t, `SELECT min(id) FROM discharge_blocks WHERE clinic_id = $1`, prov)
	snapshot := func() int {
		return e.count(t, `SELECT (SELECT count(*) FROM surgeries WHERE active) + (SELECT count(*) FROM discharge_blocks WHERE active)
			+ (SELECT count(*) FROM specialties) + (SELECT count(*) FROM action_audit WHERE action LIKE 'deactivate%' OR action LIKE 'create_s%')`)
	}
	before := snapshot()
	for user, want := range map[string]int{"clinico_prov": 403, "visor_prov": 403, "admin_valp": 404} {
		c := e.client(t)
		c.login(user)
		tok := url.Values{"_csrf": {c.pageCSRF("/tablero")}}
		if resp := c.get(fmt.Sprintf("/catalogo/cirugias/%d", surgery)); resp.StatusCode != want {
			t.Errorf("%s GET surgery = %d, want %d", user, resp.StatusCode, want)
		}
		if resp := c.post(fmt.Sprintf("/catalogo/cirugias/%d/estado", surgery), with(tok, "activo", "0")); resp.StatusCode != want {
			t.Errorf("%s deactivate surgery = %d, want %d", user, resp.StatusCode, want)
		}
		if resp := c.post(fmt.Sprintf("/catalogo/bloques/%d/estado", block), with(tok, "activo", "0")); resp.StatusCode != want {
			t.Errorf("%s deactivate block = %d, want %d", user, resp.StatusCode, want)
		}
		if user != "admin_valp" {
			if resp := c.post("/catalogo/especialidades/nueva", with(tok, "nombre", "Intrusa")); resp.StatusCode != want {
				t.Errorf("%s new specialty = %d, want %d", user, resp.StatusCode, want)
			}
			if doc(t, c.get("/catalogo")).Find(`a[href$="/nueva"], form[action$="/estado"]`).Length() != 0 {
				t.Errorf("%s sees the administration's controls", user)
			}
		}
	}
	if snapshot() != before {
		t.Fatal("a refused request changed the database")
	}
	for _, path := range []string{"/catalogo/pacientes/nueva", "/catalogo/cirugias/abc", "/catalogo/bloques/nueva", "/catalogo/cirugias/99999999999999999999"} {
		c := e.client(t)
		c.login("admin_prov")
		if resp := c.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}

	// A superuser looking at every clinic is asked which one; with a clinic, edits it.
	su := e.client(t)
	su.login("superadmin")
	su.get("/catalogo?clinica=todas")
	if d := doc(t, su.get("/catalogo/especialidades/nueva")); d.Find(`select#clinica`).Length() != 1 {
		t.Fatal("a superuser in every clinic is not asked for one")
	}
	t.Cleanup(func() { e.sql(t, `DELETE FROM specialties WHERE name = 'Geriatría Quirúrgica'`) })
	path := fmt.Sprintf("/catalogo/especialidades/nueva?clinica=%d", prov)
	tok := formOf(t, su, path, "/catalogo/especialidades/nueva")
	if resp := su.post(path, with(tok, "nombre", "Geriatría Quirúrgica")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("superuser new specialty = %d", resp.StatusCode)
	}
	if e.count(t, `SELECT count(*) FROM specialties WHERE clinic_id = $1 AND name = 'Geriatría Quirúrgica'`, prov) != 1 {
		t.Fatal("the superuser's specialty is not in the chosen clinic")
	}
}
