package handlers_test

import (
	"fmt"

	"github.com/PuerkitoBio/goquery"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestClinics_SuperuserCreatesRenamesAndDeactivates(t *testing.T) {
	e := newEnv(t)
	su := e.client(t)
	su.login("superadmin")
	tok := url.Values{"_csrf": {su.pageCSRF("/clinicas")}}
	const name = "Clínica RedSalud Ñuñoa"
	for _, tc := range []struct{ field, name, code, want string }{
		{"nombre", "", "", "Escriba el nombre de la clínica."},
		{"codigo", name, "AB1", "El código debe tener de 2 a 6 letras de la A a la Z, sin tildes (por ejemplo VALP)."},
		{"codigo", name, "PROV", "Otra clínica ya usa ese código."},
		{"nombre", "Clínica RedSalud Providencia", "ZZQQ", "Ya existe una clínica con ese nombre."},
	} {
		resp := su.post("/clinicas/nueva", with(tok, "nombre", tc.name, "codigo", tc.code))
		if msg, _ := fieldError(t, resp, tc.field); resp.StatusCode != 422 || msg != tc.want {
			t.Errorf("%q/%q: %d %q, want %q", tc.name, tc.code, resp.StatusCode, msg, tc.want)
		}
	}
	// The code, left empty, is derived from the name (RULES §7).
	resp := su.post("/clinicas/nueva", with(tok, "nombre", name, "codigo", ""))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("new clinic = %d", resp.StatusCode)
	}
	id := e.count(t, `SELECT id FROM clinics WHERE name = $1`, name)
	if e.count(t, `SELECT count(*) FROM discharge_blocks WHERE clinic_id = $1 AND active`, id) != 12 {
		t.Fatal("the new clinic has not its 12 blocks")
	}
	var derived string
	e.db.QueryRow(`SELECT code FROM clinics WHERE id = $1`, id).Scan(&derived)
	if derived != "NUNO" && derived != "NUNOA" {
		t.Fatalf("derived code %q", derived)
	}
	t.Cleanup(func() { e.sql(t, `UPDATE clinics SET active = false WHERE id = $1`, id) })

	// A clinic with tickets keeps its code; its name changes.
	prov := e.count(t, `SELECT id FROM clinics WHERE code = 'PROV'`)
	path := fmt.Sprintf("/clinicas/%d", prov)
	edit := formOf(t, su, path, path)
	if v := edit.Get("codigo"); v != "PROV" {
		t.Fatalf("a clinic with tickets offers its code to edit (%q)", v)
	}
	resp = su.post(path, with(edit, "nombre", "Clínica RedSalud Providencia", "codigo", "PRVD"))
	if msg, _ := fieldError(t, resp, "codigo"); resp.StatusCode != 422 || !strings.HasPrefix(msg, "El código ya no puede cambiar") {
		t.Fatalf("code of a clinic with tickets: %d %q", resp.StatusCode, msg)
	}
	// Deactivated: its users no longer sign in, their sessions end; reactivated, they do.
	nurse := e.client(t)
	nurse.login("clinico_maga")
	maga := e.count(t, `SELECT id FROM clinics WHERE code = 'MAGA'`)
	// Asked once more, naming the clinic; nothing changes until confirmed.
	resp = su.post(fmt.Sprintf("/clinicas/%d/estado", maga), with(tok, "activo", "0"))
	if got := doc(t, resp).Find("#confirmar-titulo").Text(); resp.StatusCode != http.StatusOK || !strings.Contains(got, "Magallanes") {
		t.Fatalf("deactivation's confirmation = %d %q", resp.StatusCode, got)
	}
	if e.count(t, `SELECT count(*) FROM clinics WHERE id = $1 AND active`, maga) != 1 {
		t.Fatal("deactivated before the confirmation")
	}
	if resp := su.post(fmt.Sprintf("/clinicas/%d/estado", maga), with(tok, "activo", "0", "confirmar", "1")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivate = %d", resp.StatusCode)
	}
	t.Cleanup(func() { e.sql(t, `UPDATE clinics SET active = true WHERE id = $1`, maga) })
	if resp := nurse.get("/tablero"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("a deactivated clinic's user: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := e.client(t).signInWith("clinico_maga", "x"); got == http.StatusSeeOther {
		t.Fatal("signed in to a deactivated clinic")
	}
	if resp := su.post(fmt.Sprintf("/clinicas/%d/estado", maga), with(tok, "activo", "1")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reactivate = %d", resp.StatusCode)
	}
	nurse.login("clinico_maga")
	if e.count(t, `SELECT count(*) FROM action_audit WHERE entity = 'clinic' AND entity_id = $1 AND action IN ('deactivate_clinic', 'reactivate_clinic')`, maga) < 2 {
		t.Fatal("the clinic's state changes are not audited")
	}
}

func TestSuperuserAllowList_AddAndRemove(t *testing.T) {
	e := newEnv(t)
	su := e.client(t)
	su.login("superadmin")
	tok := url.Values{"_csrf": {su.pageCSRF("/clinicas")}}
	email := fmt.Sprintf("jefa.ti.%d@redsalud.cl", rand.IntN(1_000_000))
	for _, bad := range []string{"", "no-es-correo", "a@b\x00.cl"} {
		resp := su.post("/superusuarios", with(tok, "correo", bad))
		if msg, _ := fieldError(t, resp, "correo"); resp.StatusCode != 422 || msg == "" {
			t.Errorf("%q: %d %q", bad, resp.StatusCode, msg)
		}
	}
	if resp := su.post("/superusuarios", with(tok, "correo", strings.ToUpper(email))); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add = %d", resp.StatusCode)
	}
	resp := su.post("/superusuarios", with(tok, "correo", email))
	if msg, _ := fieldError(t, resp, "correo"); msg != "Ese correo ya está en la lista." {
		t.Fatalf("duplicate: %q", msg)
	}
	id := e.count(t, `SELECT id FROM superusers WHERE email = $1`, email)
	if resp := su.post(fmt.Sprintf("/superusuarios/%d/quitar", id), tok); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove = %d", resp.StatusCode)
	}
	if e.count(t, `SELECT count(*) FROM superusers WHERE email = $1`, email) != 0 {
		t.Fatal("not removed")
	}
	if e.count(t, `SELECT count(*) FROM action_audit WHERE action IN ('allow_superuser', 'disallow_superuser') AND details->>'email' = $1`, email) != 2 {
		t.Fatal("not audited")
	}
	// Only superusers.
	admin := e.client(t)
	admin.login("admin_prov")
	if resp := admin.post("/superusuarios", url.Values{"_csrf": {admin.pageCSRF("/tablero")}, "correo": {"intruso@redsalud.cl"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an admin adding a superuser e-mail = %d", resp.StatusCode)
	}
}

func TestCopyMasterData_PreviewThenCopyNothingDuplicated(t *testing.T) {
	e := newEnv(t)
	su := e.client(t)
	su.login("superadmin")
	tok := url.Values{"_csrf": {su.pageCSRF("/clinicas/copiar")}}
	if resp := su.post("/clinicas/nueva", with(tok, "nombre", "Clínica RedSalud Copiapó", "codigo", "COPI")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("new clinic = %d", resp.StatusCode)
	}
	prov := fmt.Sprint(e.count(t, `SELECT id FROM clinics WHERE code = 'PROV'`))
	dest := e.count(t, `SELECT id FROM clinics WHERE code = 'COPI'`)
	// One surgery already there, named with other accents and case: not copied again.
	e.sql(t, `INSERT INTO specialties (clinic_id, name) VALUES ($1, 'CIRUGIA GENERAL')`, dest)
	form := with(tok, "origen", prov, "destino", fmt.Sprint(dest))
	if resp := su.post("/clinicas/copiar", with(form, "destino", prov)); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a clinic onto itself = %d", resp.StatusCode)
	}
	resp := su.post("/clinicas/copiar", with(form, "accion", "ver"))
	d := doc(t, resp)
	plan, _ := d.Find(`input[name="plan"]`).Attr("value")
	if resp.StatusCode != http.StatusOK || plan == "" {
		t.Fatalf("preview = %d, plan %q", resp.StatusCode, plan)
	}
	items := d.Find("#plan-titulo").Parent().Find("li")
	if items.Length() == 0 {
		t.Fatal("the preview lists nothing to add")
	}
	items.Each(func(_ int, li *goquery.Selection) {
		if li.Text() == "Cirugía General" {
			t.Error("the preview adds a specialty the destination has (in other case and accents)")
		}
	})
	wantSurgeries := e.count(t, `SELECT count(*) FROM surgeries g JOIN specialties s ON s.id = g.specialty_id WHERE g.clinic_id = $1 AND g.active AND s.active`, prov)
	if resp := su.post("/clinicas/copiar", with(form, "accion", "copiar", "plan", plan)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("copy = %d", resp.StatusCode)
	}
	if got := e.count(t, `SELECT count(*) FROM surgeries WHERE clinic_id = $1`, dest); got != wantSurgeries {
		t.Fatalf("%d surgeries copied, want %d", got, wantSurgeries)
	}
	if got := e.count(t, `SELECT count(*) FROM specialties WHERE clinic_id = $1 AND fold(name) = 'cirugia general'`, dest); got != 1 {
		t.Fatalf("Cirugía General is there %d times", got)
	}
	if e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'copy_master_data' AND clinic_id = $1`, dest) != 1 {
		t.Fatal("the copy is not audited")
	}
	// Again: nothing to add; the old plan is no longer what a copy would do.
	if got := doc(t, su.post("/clinicas/copiar", with(form, "accion", "ver"))).Find("#plan-titulo").Text(); !strings.Contains(got, "no hay nada que agregar") {
		t.Fatalf("second preview: %q", got)
	}
	if resp := su.post("/clinicas/copiar", with(form, "accion", "copiar", "plan", plan)); resp.StatusCode != http.StatusConflict {
		t.Fatalf("a copy with an old plan = %d", resp.StatusCode)
	}
	admin := e.client(t)
	admin.login("admin_prov")
	if resp := admin.get("/clinicas/copiar"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an admin = %d", resp.StatusCode)
	}
}
