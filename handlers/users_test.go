package handlers_test

import (
	"fmt"

	"github.com/PuerkitoBio/goquery"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/redsalud/ticket-home/demo"
)

// signInWith posts the sign-in form with a password and returns the status.
func (c *client) signInWith(username, password string) int {
	c.t.Helper()
	tok := c.csrf("/login")
	return c.post("/login", url.Values{"_csrf": {tok}, "username": {username}, "password": {password}}).StatusCode
}

func TestUsers_AdminCreatesEditsAndDeactivatesClinicalUsers(t *testing.T) {
	e := newEnv(t)
	admin := e.client(t)
	admin.login("admin_prov")
	list := doc(t, admin.get("/usuarios"))
	if got := list.Find("#usuarios tbody").Text(); !strings.Contains(got, "clinico_prov") || strings.Contains(got, "clinico_valp") || strings.Contains(got, "superadmin") {
		t.Fatalf("an admin's list: %q", got)
	}
	name := fmt.Sprintf("enf.rojas%d", rand.IntN(1_000_000))
	const pw = "turno de noche en el ala norte"
	tok := formOf(t, admin, "/usuarios/nuevo", "/usuarios/nuevo")
	good := with(tok, "usuario", name, "correo", name+"@redsalud.cl", "rol", "clinical", "contrasena", pw, "confirmacion", pw)
	before := e.count(t, `SELECT count(*) FROM users`)
	for _, tc := range []struct{ field, value, wantField, want string }{
		{"usuario", "ab", "usuario", "Use de 3 a 40 caracteres: letras minúsculas sin tildes, números, puntos, guiones o guiones bajos."},
		{"usuario", "ana maría", "usuario", "Use de 3 a 40 caracteres: letras minúsculas sin tildes, números, puntos, guiones o guiones bajos."},
		{"usuario", "ana\x00", "usuario", "Contiene caracteres no permitidos."},
		{"usuario", "clinico_prov", "usuario", "Ese nombre de usuario ya existe. Elija otro."},
		{"usuario", "CLINICO_PROV", "usuario", "Ese nombre de usuario ya existe. Elija otro."},
		{"correo", "sin-arroba", "correo", "Escriba un correo válido, por ejemplo nombre@redsalud.cl."},
		{"rol", "admin", "rol", "Usted no puede dar ese rol ni administrar usuarios con él: solo un superusuario crea o promueve administradores y superusuarios."},
		{"rol", "superuser", "rol", "Usted no puede dar ese rol ni administrar usuarios con él: solo un superusuario crea o promueve administradores y superusuarios."},
		{"rol", "jefe", "rol", "Elija un rol de la lista."},
		{"contrasena", "corta", "contrasena", "La contraseña debe tener al menos 12 caracteres. Una frase de varias palabras es una buena contraseña."},
		{"contrasena", "Password1234", "contrasena", "Esa contraseña es de las primeras que se prueban al atacar una cuenta. Elija otra."},
		{"confirmacion", "otra cosa distinta", "confirmacion", "La confirmación no coincide con la contraseña."},
	} {
		form := with(good, tc.field, tc.value)
		if tc.field == "contrasena" {
			form.Set("confirmacion", tc.value)
		}
		resp := admin.post("/usuarios/nuevo", form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s=%q: %d, want 422", tc.field, tc.value, resp.StatusCode)
		}
		d := doc(t, resp)
		if msg := strings.TrimPrefix(strings.TrimSpace(d.Find("#"+tc.wantField+"-error").Text()), "Error: "); msg != tc.want {
			t.Errorf("%s=%q: message %q, want %q", tc.field, tc.value, msg, tc.want)
		}
		if v, _ := d.Find("#contrasena").Attr("value"); v != "" {
			t.Errorf("%s=%q: the password was sent back", tc.field, tc.value)
		}
		if v, _ := d.Find("#correo").Attr("value"); v != name+"@redsalud.cl" && tc.field != "correo" {
			t.Errorf("%s=%q: the form lost the e-mail (%q)", tc.field, tc.value, v)
		}
	}
	if got := e.count(t, `SELECT count(*) FROM users`); got != before {
		t.Fatalf("refused forms created %d users", got-before)
	}
	if resp := admin.post("/usuarios/nuevo", good); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("valid user = %d", resp.StatusCode)
	}
	resp := admin.post("/usuarios/nuevo", with(good, "usuario", name+"x", "correo", strings.ToUpper(name)+"@REDSALUD.CL"))
	if msg, _ := fieldError(t, resp, "correo"); msg != "Ese correo ya pertenece a otro usuario." {
		t.Fatalf("duplicate e-mail: %d %q", resp.StatusCode, msg)
	}
	id := e.count(t, `SELECT id FROM users WHERE username = $1 AND role = 'clinical' AND clinic_id = (SELECT id FROM clinics WHERE code = 'PROV')`, name)
	if e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'create_user' AND entity_id = $1 AND details::text NOT LIKE '%argon%'`, id) != 1 {
		t.Fatal("the new user is not audited (or the audit holds the hash)")
	}

	// The new user signs in with the password the admin set.
	nurse := e.client(t)
	if got := nurse.signInWith(name, pw); got != http.StatusSeeOther {
		t.Fatalf("the new user's sign-in = %d", got)
	}
	if resp := nurse.get("/tickets/nuevo"); resp.StatusCode != http.StatusOK {
		t.Fatalf("a clinical user's new-ticket form = %d", resp.StatusCode)
	}
	// Made a viewer: from their next request on.
	path := fmt.Sprintf("/usuarios/%d", id)
	edit := formOf(t, admin, path, path)
	if resp := admin.post(path, with(edit, "usuario", name, "correo", name+"@redsalud.cl", "rol", "visualizador")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("role change = %d", resp.StatusCode)
	}
	if resp := nurse.get("/tickets/nuevo"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first request after the role change = %d, want it repeated", resp.StatusCode)
	}
	if resp := nurse.get("/tickets/nuevo"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a viewer's new-ticket form = %d", resp.StatusCode)
	}
	// The form opened before that change is a conflict.
	resp = admin.post(path, with(edit, "usuario", name, "correo", "otro@redsalud.cl", "rol", "clinical"))
	if resp.StatusCode != http.StatusConflict || doc(t, resp).Find("#conflicto").Length() != 1 {
		t.Fatalf("stale user edit = %d", resp.StatusCode)
	}
	// Deactivated: their session ends at their next request; they cannot sign in.
	state := formOf(t, admin, "/usuarios", path+"/estado")
	if resp := admin.post(path+"/estado", state); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivate = %d", resp.StatusCode)
	}
	if resp := nurse.get("/tablero"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("a deactivated user's board = %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := e.client(t).signInWith(name, pw); got == http.StatusSeeOther {
		t.Fatal("a deactivated user signed in")
	}
	if resp := admin.post(path+"/estado", with(state, "activo", "1")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reactivate = %d", resp.StatusCode)
	}
	if got := e.client(t).signInWith(name, pw); got != http.StatusSeeOther {
		t.Fatalf("a reactivated user's sign-in = %d", got)
	}
	if e.count(t, `SELECT count(*) FROM action_audit WHERE entity = 'user' AND entity_id = $1 AND action IN ('edit_user', 'deactivate_user', 'reactivate_user')`, id) != 3 {
		t.Fatal("the user's changes are not each audited")
	}
}

func TestUsers_WhoManagesWhom(t *testing.T) {
	e := newEnv(t)
	// admin_prov and one more are the clinic's active admins (other tests may have made some).
	e.sql(t, `UPDATE users SET active = false WHERE role = 'admin' AND username <> 'admin_prov'
		AND clinic_id = (SELECT id FROM clinics WHERE code = 'PROV')`)
	other := newUser(t, e, "PROV", "admin")
	otherID := e.count(t, `SELECT id FROM users WHERE username = $1`, other)
	self := e.count(t, `SELECT id FROM users WHERE username = 'admin_prov'`)
	su := e.count(t, `SELECT id FROM users WHERE username = 'superadmin'`)
	valp := e.count(t, `SELECT id FROM users WHERE username = 'clinico_valp'`)
	snapshot := func() int {
		return e.count(t, `SELECT count(*) FROM users WHERE active AND role IN ('admin', 'superuser')`)
	}
	before := snapshot()

	admin := e.client(t)
	admin.login("admin_prov")
	tok := url.Values{"_csrf": {admin.pageCSRF("/usuarios")}}
	for path, want := range map[string]int{
		fmt.Sprintf("/usuarios/%d", otherID): http.StatusForbidden, // another admin: superusers only
		fmt.Sprintf("/usuarios/%d", su):      http.StatusNotFound,  // no clinic: not the admin's to see
		fmt.Sprintf("/usuarios/%d", valp):    http.StatusNotFound,  // another clinic's
	} {
		if resp := admin.get(path); resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
		if resp := admin.post(path+"/estado", with(tok, "activo", "0")); resp.StatusCode != want {
			t.Errorf("deactivate %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
	// Oneself: neither deactivated nor given another role.
	resp := admin.post(fmt.Sprintf("/usuarios/%d/estado", self), with(tok, "activo", "0"))
	if resp.StatusCode != http.StatusConflict || !strings.Contains(doc(t, resp).Find("[data-error-summary]").Text(), "No puede desactivar su propia cuenta") {
		t.Fatalf("deactivating oneself = %d", resp.StatusCode)
	}
	selfPath := fmt.Sprintf("/usuarios/%d", self)
	edit := formOf(t, admin, selfPath, selfPath)
	resp = admin.post(selfPath, with(edit, "usuario", "admin_prov", "rol", "clinical"))
	if msg, _ := fieldError(t, resp, "rol"); resp.StatusCode != 422 || msg == "" {
		t.Fatalf("demoting oneself = %d %q", resp.StatusCode, msg)
	}
	for _, u := range []string{"clinico_prov", "visor_prov"} {
		c := e.client(t)
		c.login(u)
		if resp := c.get("/usuarios"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s GET /usuarios = %d", u, resp.StatusCode)
		}
		if resp := c.post(fmt.Sprintf("/usuarios/%d/estado", otherID), url.Values{"_csrf": {c.pageCSRF("/tablero")}, "activo": {"0"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s deactivating an admin = %d", u, resp.StatusCode)
		}
	}
	if snapshot() != before {
		t.Fatal("a refused request changed the users")
	}

	// A superuser manages admins, but never leaves a clinic without an active one.
	s := e.client(t)
	s.login("superadmin")
	stok := url.Values{"_csrf": {s.pageCSRF("/usuarios")}}
	if resp := s.post(fmt.Sprintf("/usuarios/%d/estado", otherID), with(stok, "activo", "0")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("superuser deactivating an admin = %d", resp.StatusCode)
	}
	resp = s.post(fmt.Sprintf("/usuarios/%d/estado", self), with(stok, "activo", "0"))
	if resp.StatusCode != http.StatusConflict || !strings.Contains(doc(t, resp).Find("[data-error-summary]").Text(), "último administrador activo") {
		t.Fatalf("deactivating the last admin = %d", resp.StatusCode)
	}
	edit = formOf(t, s, selfPath, selfPath)
	prov := fmt.Sprint(e.count(t, `SELECT id FROM clinics WHERE code = 'PROV'`))
	resp = s.post(selfPath, with(edit, "usuario", "admin_prov", "rol", "clinical", "clinica_usuario", prov))
	if msg, _ := fieldError(t, resp, "rol"); resp.StatusCode != 422 || !strings.Contains(msg, "último administrador activo") {
		t.Fatalf("demoting the last admin = %d %q", resp.StatusCode, msg)
	}
	resp = s.post(fmt.Sprintf("/usuarios/%d/estado", su), with(stok, "activo", "0"))
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("a superuser deactivating themselves = %d", resp.StatusCode)
	}
	if e.count(t, `SELECT count(*) FROM users WHERE username = 'admin_prov' AND active AND role = 'admin'`) != 1 {
		t.Fatal("the last admin was changed")
	}
}

func TestOwnPassword_ChangedWithTheCurrentOne(t *testing.T) {
	e := newEnv(t)
	name := newUser(t, e, "PROV", "visualizador")
	c := e.client(t)
	c.login(name)
	tok := formOf(t, c, "/cuenta/contrasena", "/cuenta/contrasena")
	const next = "un visor que lee el tablero"
	for _, tc := range []struct{ current, pw, confirm, field string }{
		{"", next, next, "actual"},
		{"no es esta", next, next, "actual"},
		{demo.Password, "corta", "corta", "nueva"},
		{demo.Password, next, next + "!", "confirmacion"},
		{demo.Password, demo.Password, demo.Password, "nueva"},
	} {
		resp := c.post("/cuenta/contrasena", with(tok, "actual", tc.current, "nueva", tc.pw, "confirmacion", tc.confirm))
		if msg, _ := fieldError(t, resp, tc.field); resp.StatusCode != 422 || msg == "" {
			t.Errorf("%+v: %d %q", tc, resp.StatusCode, msg)
		}
	}
	if resp := c.post("/cuenta/contrasena", with(tok, "actual", demo.Password, "nueva", next, "confirmacion", next)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change = %d", resp.StatusCode)
	}
	if got := e.client(t).signInWith(name, demo.Password); got == http.StatusSeeOther {
		t.Fatal("the old password still signs in")
	}
	if got := e.client(t).signInWith(name, next); got != http.StatusSeeOther {
		t.Fatalf("the new password's sign-in = %d", got)
	}
	if e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'change_own_password' AND user_id = (SELECT id FROM users WHERE username = $1)`, name) != 1 {
		t.Fatal("the change is not audited")
	}
}

func TestBoard_MisTicketsShowsWhatTheUserCreatedWithItsCount(t *testing.T) {
	e := newEnv(t)
	ticketBy(t, e, "clinico_prov")
	ticketBy(t, e, "admin_prov")
	c := e.client(t)
	c.login("clinico_prov")
	d := doc(t, c.get("/tablero"))
	chip := d.Find(`a.chip[href*="mios=1"]`)
	if chip.Length() != 1 || !strings.Contains(chip.Text(), "Mis tickets") {
		t.Fatal("no Mis tickets chip")
	}
	mine := e.count(t, `SELECT count(*) FROM tickets WHERE status = 'vigente' AND created_by = (SELECT id FROM users WHERE username = 'clinico_prov')`)
	if n := strings.TrimSpace(chip.Find(".chip-n").Text()); n != fmt.Sprint(mine) {
		t.Fatalf("chip count %s, want %d", n, mine)
	}
	href, _ := chip.Attr("href")
	d = doc(t, c.get(href))
	rows := d.Find("tr[data-ticket]")
	if rows.Length() != min(mine, 50) {
		t.Fatalf("Mis tickets shows %d rows, want %d", rows.Length(), min(mine, 50))
	}
	var ids []string
	rows.Each(func(_ int, r *goquery.Selection) {
		id, _ := r.Attr("data-ticket")
		ids = append(ids, id)
	})
	if n := e.count(t, `SELECT count(*) FROM tickets WHERE id = ANY(string_to_array($1, ',')::bigint[])
		AND created_by <> (SELECT id FROM users WHERE username = 'clinico_prov')`, strings.Join(ids, ",")); n != 0 {
		t.Fatalf("Mis tickets shows %d tickets of other authors", n)
	}
	if cur, _ := d.Find(`a.chip[aria-current="true"]`).Last().Attr("href"); !strings.Contains(d.Find(`a.chip[aria-current="true"]`).Text(), "Mis tickets") {
		t.Fatalf("Mis tickets is not marked current (%s)", cur)
	}
	// A viewer creates no tickets: no chip.
	v := e.client(t)
	v.login("visor_prov")
	if doc(t, v.get("/tablero")).Find(`a.chip[href*="mios=1"]`).Length() != 0 {
		t.Fatal("a viewer is offered Mis tickets")
	}
}
