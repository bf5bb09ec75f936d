package handlers_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
)

// newUser adds a user of the demo clinic code with role, the demo password, and returns its
// username: tests that change a user need one of their own.
func newUser(t *testing.T, e *env, code, role string) string {
	t.Helper()
	name := fmt.Sprintf("tmp_%s_%d", role, rand.IntN(1_000_000_000))
	e.sql(t, `INSERT INTO users (clinic_id, username, password_hash, role)
		SELECT c.id, $2, u.password_hash, $3 FROM clinics c JOIN users u ON u.username = 'clinico_prov' WHERE c.code = $1`,
		code, name, role)
	return name
}

// The session keeps what it knows of its user; every request's transaction checks it, so a
// change made by an admin applies from the user's next request on.
func TestPrincipal_ChangesApplyAtTheNextRequest(t *testing.T) {
	e := newEnv(t)

	t.Run("deactivated user", func(t *testing.T) {
		name := newUser(t, e, "PROV", "clinical")
		c := e.client(t)
		c.login(name)
		e.sql(t, `UPDATE users SET active = false WHERE username = $1`, name)
		resp := c.get("/tablero")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?aviso=expirada") {
			t.Fatalf("board of a deactivated user = %d → %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp := c.get("/tablero"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Fatalf("the session survived: %d", resp.StatusCode)
		}
	})

	t.Run("deactivated clinic", func(t *testing.T) {
		name := newUser(t, e, "MAGA", "visualizador")
		c := e.client(t)
		c.login(name)
		// Another clinic's change is nothing to this user; their own clinic's is.
		e.sql(t, `UPDATE clinics SET active = false WHERE code = 'IQUI'`)
		t.Cleanup(func() { e.sql(t, `UPDATE clinics SET active = true WHERE code = 'IQUI'`) })
		if resp := c.get("/tablero"); resp.StatusCode != http.StatusOK {
			t.Fatalf("board after another clinic changed = %d", resp.StatusCode)
		}
		e.sql(t, `UPDATE clinics SET active = false WHERE code = 'MAGA'`)
		t.Cleanup(func() { e.sql(t, `UPDATE clinics SET active = true WHERE code = 'MAGA'`) })
		resp := c.get("/tablero")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?aviso=expirada") {
			t.Fatalf("board of a deactivated clinic = %d → %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})

	t.Run("demoted to viewer", func(t *testing.T) {
		name := newUser(t, e, "PROV", "clinical")
		c := e.client(t)
		c.login(name)
		if resp := c.get("/tickets/nuevo"); resp.StatusCode != http.StatusOK {
			t.Fatalf("new ticket form = %d", resp.StatusCode)
		}
		e.sql(t, `UPDATE users SET role = 'visualizador' WHERE username = $1`, name)
		resp := c.get("/tickets/nuevo")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/tickets/nuevo" {
			t.Fatalf("first request after the demotion = %d → %q, want it repeated", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp := c.get("/tickets/nuevo"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("new ticket form for a viewer = %d, want 403", resp.StatusCode)
		}
		d := doc(t, c.get("/tablero"))
		if d.Find(`a[href="/tickets/nuevo"]`).Length() != 0 {
			t.Fatal("the viewer's board still offers a new ticket")
		}
	})

	t.Run("demoted while posting", func(t *testing.T) {
		name := newUser(t, e, "PROV", "clinical")
		c := e.client(t)
		c.login(name)
		tok := c.pageCSRF("/tickets/nuevo")
		form := validTicketForm(t, e, tok)
		before := e.count(t, `SELECT count(*) FROM tickets`)
		e.sql(t, `UPDATE users SET role = 'visualizador' WHERE username = $1`, name)
		resp := c.post("/tickets/nuevo", form)
		if resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != "/tickets/nuevo" {
			t.Fatalf("create after the demotion = %d → %q, want 307 to send it again", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp := c.post("/tickets/nuevo", form); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("create sent again by a viewer = %d, want 403", resp.StatusCode)
		}
		if e.count(t, `SELECT count(*) FROM tickets`) != before {
			t.Fatal("a demoted user created a ticket")
		}
	})

	t.Run("promoted to admin", func(t *testing.T) {
		name := newUser(t, e, "PROV", "clinical")
		c := e.client(t)
		c.login(name)
		tk := e.count(t, `SELECT t.id FROM tickets t JOIN clinics c ON c.id = t.clinic_id
			WHERE c.code = 'PROV' AND t.status = 'vigente' ORDER BY t.id LIMIT 1`)
		path := fmt.Sprintf("/tickets/%d/paciente", tk)
		if resp := c.get(path); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("patient edit for a clinical user = %d, want 403", resp.StatusCode)
		}
		e.sql(t, `UPDATE users SET role = 'admin' WHERE username = $1`, name)
		resp := c.get(path)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
			t.Fatalf("first request after the promotion = %d → %q, want it repeated", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp := c.get(path); resp.StatusCode != http.StatusOK {
			t.Fatalf("patient edit for the new admin = %d, want 200", resp.StatusCode)
		}
	})

	t.Run("renamed", func(t *testing.T) {
		name := newUser(t, e, "PROV", "visualizador")
		c := e.client(t)
		c.login(name)
		e.sql(t, `UPDATE users SET username = $2 WHERE username = $1`, name, name+"_b")
		resp := c.get("/tablero")
		if resp.StatusCode == http.StatusSeeOther {
			resp = c.get(resp.Header.Get("Location"))
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("board after the rename = %d", resp.StatusCode)
		}
		if !strings.Contains(doc(t, resp).Find("header").Text(), name+"_b") {
			t.Fatal("the header still shows the old username")
		}
	})
}

// A superuser's chosen clinic is checked on every request like the user: a clinic renamed
// shows its new name at once.
func TestPrincipal_SuperuserClinicRenamed(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("superadmin")
	id := e.count(t, `SELECT id FROM clinics WHERE code = 'MAGA'`)
	if resp := c.get(fmt.Sprintf("/tablero?clinica=%d", id)); resp.StatusCode != http.StatusOK {
		t.Fatalf("board of the chosen clinic = %d", resp.StatusCode)
	}
	e.sql(t, `UPDATE clinics SET name = name || ' Norte' WHERE id = $1`, id)
	t.Cleanup(func() { e.sql(t, `UPDATE clinics SET name = regexp_replace(name, ' Norte$', '') WHERE id = $1`, id) })
	resp := c.get("/tablero")
	if resp.StatusCode == http.StatusSeeOther {
		resp = c.get(resp.Header.Get("Location"))
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(doc(t, resp).Text(), " Norte") {
		t.Fatalf("board after the clinic's rename = %d, or without its new name", resp.StatusCode)
	}
}
