package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// rulesOfRoutes is RULES §9 as routes: who may use each one. A route added to the
// application must be added here, with its rule, or the test below fails.
var rulesOfRoutes = map[string]string{
	"GET /livez": "public", "GET /readyz": "public",
	"GET /login": "public", "POST /login": "public", "POST /logout": "public",

	"GET /": "readers", "GET /login/iap": "readers", "GET /catalogo": "readers", "GET /reenviar": "readers",
	"GET /cuenta/contrasena": "readers", "POST /cuenta/contrasena": "readers",
	"GET /tablero": "readers", "POST /tablero": "readers", "POST /tablero/vista": "readers",
	"GET /tablero/eventos": "readers", "GET /tablero/exportar": "readers", "GET /tablero/turno": "readers",
	"GET /tickets/:id": "readers", "GET /tickets/:id/imprimir": "readers", "GET /tickets/:id/estado": "readers",

	"GET /tickets/nuevo": "writers", "POST /tickets/nuevo": "writers", "POST /tickets/nuevo/vista-previa": "writers",
	"POST /tickets/nuevo/cirugias": "writers", "POST /tickets/nuevo/paciente": "writers",
	"POST /tickets/:id/fpa": "writers", "POST /tickets/:id/fpa/vista-previa": "writers",
	"POST /tickets/:id/anular": "writers", "POST /tickets/:id/alta": "writers",
	"GET /tickets/:id/ubicacion": "writers", "POST /tickets/:id/ubicacion": "writers",

	"POST /tickets/:id/revertir-anulacion": "admins", "POST /tickets/:id/deshacer-alta": "admins",
	"GET /tickets/:id/paciente": "admins", "POST /tickets/:id/paciente": "admins",
	"GET /tickets/:id/correccion": "writers", "POST /tickets/:id/correccion": "writers",
	"GET /tickets/:id/medico": "admins", "POST /tickets/:id/medico": "admins",
	"GET /catalogo/umbrales": "admins", "POST /catalogo/umbrales": "admins",
	"GET /catalogo/:kind/nueva": "admins", "POST /catalogo/:kind/nueva": "admins",
	"GET /catalogo/:kind/:id": "admins", "POST /catalogo/:kind/:id": "admins", "POST /catalogo/:kind/:id/estado": "admins",
	"GET /usuarios": "admins", "GET /usuarios/nuevo": "admins", "POST /usuarios/nuevo": "admins",
	"GET /usuarios/:id": "admins", "POST /usuarios/:id": "admins", "POST /usuarios/:id/estado": "admins",
	"GET /panel": "admins", "GET /panel/exportar": "admins",
	"GET /auditoria": "admins", "POST /auditoria": "admins", "POST /auditoria/exportar": "admins",

	"GET /clinicas": "superusers", "GET /clinicas/nueva": "superusers",
	"GET /clinicas/copiar": "superusers", "POST /clinicas/copiar": "superusers", "POST /clinicas/nueva": "superusers",
	"GET /clinicas/:id": "superusers", "POST /clinicas/:id": "superusers", "POST /clinicas/:id/estado": "superusers",
	"POST /superusuarios": "superusers", "POST /superusuarios/:id/quitar": "superusers",
}

// The roles each rule admits.
var admitted = map[string][]string{
	"public":     {"superuser", "admin", "clinical", "visualizador", "signed out", "other clinic"},
	"readers":    {"superuser", "admin", "clinical", "visualizador", "other clinic"},
	"writers":    {"superuser", "admin", "clinical", "other clinic"},
	"admins":     {"superuser", "admin", "other clinic"},
	"superusers": {"superuser"},
}

func TestRoutes_EveryRouteHasItsRuleAndEveryRoleGetsIt(t *testing.T) {
	e := newEnv(t)
	table := map[string]string{}
	for _, r := range e.app.GetRoutes(true) {
		key := r.Method + " " + r.Path
		if r.Method == http.MethodHead {
			if got := table["GET "+r.Path]; got != "" && got != r.Name {
				t.Errorf("HEAD %s is %q but GET is %q", r.Path, r.Name, got)
			}
			continue
		}
		if r.Name == "" {
			t.Errorf("%s has no explicit role rule", key)
		}
		table[key] = r.Name
	}
	for key, rule := range table {
		if want, ok := rulesOfRoutes[key]; !ok {
			t.Errorf("%s (%s) is not in RULES §9's table of this test: add it with its rule", key, rule)
		} else if rule != want {
			t.Errorf("%s admits %s, RULES §9 says %s", key, rule, want)
		}
	}
	for key := range rulesOfRoutes {
		if _, ok := table[key]; !ok {
			t.Errorf("%s is in the rules but not a route", key)
		}
	}
	if t.Failed() {
		return
	}

	// Every route, as every role.
	prov := e.count(t, `SELECT id FROM clinics WHERE code = 'PROV'`)
	tk := ticketBy(t, e, "clinico_prov")
	surgery := e.count(t, `SELECT min(id) FROM surgeries WHERE clinic_id = $1`, prov)
	block := e.count(t, `SELECT min(id) FROM discharge_blocks WHERE clinic_id = $1`, prov)
	user := e.count(t, `SELECT id FROM users WHERE username = $1`, newUser(t, e, "PROV", "visualizador"))
	concrete := strings.NewReplacer(
		"/tickets/:id", fmt.Sprintf("/tickets/%d", tk.ID),
		"/catalogo/:kind/nueva", "/catalogo/especialidades/nueva",
		"/catalogo/:kind/:id/estado", fmt.Sprintf("/catalogo/bloques/%d/estado", block),
		"/catalogo/:kind/:id", fmt.Sprintf("/catalogo/cirugias/%d", surgery),
		"/usuarios/:id", fmt.Sprintf("/usuarios/%d", user),
		"/clinicas/:id", fmt.Sprintf("/clinicas/%d", prov),
		"/superusuarios/:id", "/superusuarios/999999",
	)
	snapshot := func() string {
		var s string
		if err := e.db.QueryRow(`SELECT md5(concat_ws('|',
			(SELECT string_agg(t::text, ',' ORDER BY id) FROM tickets t),
			(SELECT string_agg(p::text, ',' ORDER BY id) FROM patients p),
			(SELECT string_agg(u::text, ',' ORDER BY id) FROM (SELECT id, clinic_id, username, email, password_hash, role, active, version FROM users) u),
			(SELECT string_agg(x::text, ',' ORDER BY id) FROM specialties x),
			(SELECT string_agg(x::text, ',' ORDER BY id) FROM surgeries x),
			(SELECT string_agg(x::text, ',' ORDER BY id) FROM doctors x),
			(SELECT string_agg(x::text, ',' ORDER BY id) FROM reasons x),
			(SELECT string_agg(x::text, ',' ORDER BY id) FROM discharge_blocks x),
			(SELECT string_agg(x::text, ',' ORDER BY id) FROM clinics x),
			(SELECT string_agg(x::text, ',' ORDER BY id) FROM fpa_modifications x),
			(SELECT count(*) FROM action_audit)::text))`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	actors := map[string]*client{}
	tokens := map[string]string{}
	for role, username := range map[string]string{"superuser": "superadmin", "admin": "admin_prov", "clinical": "clinico_prov",
		"visualizador": "visor_prov", "other clinic": "admin_valp", "signed out": ""} {
		c := e.client(t)
		if username != "" {
			c.login(username)
			tokens[role] = c.pageCSRF("/tablero")
			if role == "superuser" {
				c.get(fmt.Sprintf("/tablero?clinica=%d", prov))
			}
		}
		actors[role] = c
	}
	keys := make([]string, 0, len(rulesOfRoutes))
	for k := range rulesOfRoutes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		rule := rulesOfRoutes[key]
		if rule == "public" {
			continue // sign-in and sign-out: their own tests
		}
		method, pattern, _ := strings.Cut(key, " ")
		path := concrete.Replace(pattern)
		for role, c := range actors {
			before := snapshot()
			var resp *http.Response
			if method == http.MethodGet {
				resp = c.get(path)
			} else {
				// The fields every form of these routes carries, so that a request reaches the
				// record it names: an old version, and "reactivate" (nothing for an active row).
				resp = c.post(path, url.Values{"_csrf": {tokens[role]}, "version": {"1"}, "activo": {"1"}})
			}
			allowed := false
			for _, r := range admitted[rule] {
				allowed = allowed || r == role
			}
			toLogin := resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")
			refused := resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusUnauthorized || toLogin
			otherClinicsRecord := role == "other clinic" && strings.Contains(pattern, ":id")
			switch {
			case otherClinicsRecord:
				if resp.StatusCode != http.StatusNotFound && !refused {
					t.Errorf("%s as %s (another clinic's record) = %d, want 404", key, role, resp.StatusCode)
				}
			case allowed && resp.StatusCode == http.StatusServiceUnavailable && pattern == "/tablero/eventos":
				// Live updates are off on this server: the board polls instead.
			case allowed && (refused || resp.StatusCode >= 500):
				t.Errorf("%s as %s = %d %s: refused, RULES §9 admits it", key, role, resp.StatusCode, resp.Header.Get("Location"))
			case !allowed && !refused:
				t.Errorf("%s as %s = %d: RULES §9 refuses it", key, role, resp.StatusCode)
			}
			if (!allowed || otherClinicsRecord) && snapshot() != before {
				t.Errorf("%s as %s was refused but changed the database", key, role)
			}
		}
	}
}
