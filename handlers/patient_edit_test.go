package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/redsalud/ticket-home/rut"
)

func TestEditPatient_AdminCorrectsRUTAndNamesAudited(t *testing.T) {
	e := newEnv(t)
	tk := ticketBy(t, e, "clinico_prov")
	other := ticketBy(t, e, "clinico_prov")
	path := fmt.Sprintf("/tickets/%d/paciente", tk.ID)

	for user, want := range map[string]int{"clinico_prov": http.StatusForbidden, "visor_prov": http.StatusForbidden, "admin_valp": http.StatusNotFound} {
		c := e.client(t)
		c.login(user)
		if resp := c.get(path); resp.StatusCode != want {
			t.Fatalf("%s GET = %d, want %d", user, resp.StatusCode, want)
		}
	}
	c := e.client(t)
	c.login("admin_prov")
	d := doc(t, c.get(path))
	tok, _ := d.Find(`input[name="_csrf"]`).Attr("value")
	stamp, _ := d.Find(`input[name="sello"]`).Attr("value")
	otherRUT, _ := rut.Parse(other.RUT)
	form := url.Values{"_csrf": {tok}, "sello": {stamp}, "rut": {otherRUT.Display()}, "nombres": {"Hernán Andrés"}, "apellido_paterno": {"Rojas"}, "edad": {"67"}, "sexo": {"M"}}
	resp := c.post(path, form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("taken RUT = %d, want 422", resp.StatusCode)
	}
	if msg := doc(t, resp).Find(`[data-error-summary] a[href="#rut"]`).Text(); msg != "Otro paciente de la clínica ya tiene ese RUT." {
		t.Fatalf("message = %q", msg)
	}
	fresh, _ := rut.New(91_000_000 + int(tk.ID))
	form.Set("rut", strings.ReplaceAll(fresh.Canonical(), "-", ""))
	if resp := c.post(path, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("valid edit = %d", resp.StatusCode)
	}
	if got := e.count(t, `SELECT count(*) FROM patients WHERE id = $1 AND rut = $2 AND first_names = 'Hernán Andrés' AND age = 67`, tk.PatientID, fresh.Canonical()); got != 1 {
		t.Fatal("the patient was not updated")
	}
	if got := e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'edit_patient' AND entity_id = $1 AND details->'before'->>'FirstNames' = 'Prueba' AND details->'after'->>'FirstNames' = 'Hernán Andrés'`, tk.PatientID); got != 1 {
		t.Fatal("no before → after audit row")
	}
	// The same form again (a double tap) is not a conflict: the correction is already saved.
	if resp := c.post(path, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("repeat = %d", resp.StatusCode)
	}
	// A form opened before someone else's edit is a conflict, with both versions.
	form.Set("nombres", "Otro Nombre")
	resp = c.post(path, form)
	if resp.StatusCode != http.StatusConflict || doc(t, resp).Find("#conflicto").Length() != 1 {
		t.Fatalf("stale edit = %d", resp.StatusCode)
	}
}

func TestBoardInlineLocationEdit_HTMXFragments(t *testing.T) {
	e := newEnv(t)
	tk := ticketBy(t, e, "clinico_prov")
	c := e.client(t)
	c.login("clinico_prov")
	tok := c.pageCSRF("/tablero")
	c.htmx = true
	d := doc(t, c.get(fmt.Sprintf("/tickets/%d/ubicacion?en=t", tk.ID)))
	if d.Find("header").Length() != 0 || d.Find(fmt.Sprintf(`#ubic-t-%d form`, tk.ID)).Length() != 1 {
		t.Fatal("the inline form is not a fragment")
	}
	k, _ := d.Find(`input[name="clave"]`).Attr("value")
	form := url.Values{"_csrf": {tok}, "version": {fmt.Sprint(tk.Version)}, "clave": {k}, "habitacion": {"310"}, "cama": {"C"}, "ubicacion": {"Piso 3"}, "episodio": {"EP-77"}}
	resp := c.post(fmt.Sprintf("/tickets/%d/ubicacion?en=t", tk.ID), form)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("inline save = %d", resp.StatusCode)
	}
	d = doc(t, resp)
	if !strings.Contains(d.Text(), "Guardado.") || !strings.Contains(d.Text(), "EP-77") {
		t.Fatalf("inline result = %q", d.Text())
	}
	if e.count(t, `SELECT count(*) FROM tickets WHERE id = $1 AND bed = 'C' AND episode_id = 'EP-77'`, tk.ID) != 1 {
		t.Fatal("not saved")
	}
	form.Set("cama", strings.Repeat("x", 25))
	form.Set("clave", "k-another-key-123456")
	resp = c.post(fmt.Sprintf("/tickets/%d/ubicacion?en=t", tk.ID), form)
	if resp.StatusCode != http.StatusConflict && resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad inline save = %d", resp.StatusCode)
	}
}

func TestCorrectDoctor_AdminsOnlyAuditedAndStaleGetsTheConflict(t *testing.T) {
	e := newEnv(t)
	tk := ticketBy(t, e, "clinico_prov")
	path := fmt.Sprintf("/tickets/%d/medico", tk.ID)
	for user, want := range map[string]int{"clinico_prov": http.StatusForbidden, "visor_prov": http.StatusForbidden, "admin_valp": http.StatusNotFound} {
		c := e.client(t)
		c.login(user)
		if resp := c.get(path); resp.StatusCode != want {
			t.Errorf("%s GET = %d, want %d", user, resp.StatusCode, want)
		}
	}
	c := e.client(t)
	c.login("admin_prov")
	if doc(t, c.get(fmt.Sprintf("/tickets/%d", tk.ID))).Find(`a[href="`+path+`"]`).Length() != 1 {
		t.Fatal("the ticket page offers an admin no Corregir médico tratante")
	}
	d := doc(t, c.get(path))
	var hidden = url.Values{}
	for _, n := range []string{"_csrf", "version", "clave"} {
		v, _ := d.Find(`input[name="` + n + `"]`).Attr("value")
		hidden.Set(n, v)
	}
	var doctor string
	d.Find("select#medico option").Each(func(_ int, s *goquery.Selection) {
		if v, _ := s.Attr("value"); v != "" && doctor == "" && s.AttrOr("selected", "x") == "x" {
			doctor = v
		}
	})
	other := fmt.Sprint(e.count(t, `SELECT min(id) FROM doctors WHERE clinic_id <> (SELECT clinic_id FROM tickets WHERE id = $1)`, tk.ID))
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range hidden {
			v[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	for _, bad := range []string{other, "abc", "99999999999999999999"} {
		resp := c.post(path, form("medico", bad, "clave", ""))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("doctor %q = %d, want 422", bad, resp.StatusCode)
		}
	}
	if resp := c.post(path, form("medico", doctor)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("correction = %d", resp.StatusCode)
	}
	if e.count(t, `SELECT count(*) FROM tickets WHERE id = $1 AND doctor_id = $2`, tk.ID, doctor) != 1 {
		t.Fatal("the doctor was not saved")
	}
	if e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'correct_doctor' AND entity_id = $1 AND details->'after'->>'doctor' <> ''`, tk.ID) != 1 {
		t.Fatal("the correction is not audited before → after")
	}
	// The same form (its version is old now) with another choice: the conflict view.
	resp := c.post(path, form("medico", "", "clave", ""))
	if resp.StatusCode != http.StatusConflict || doc(t, resp).Find("#conflicto").Length() != 1 {
		t.Fatalf("stale correction = %d", resp.StatusCode)
	}
}
