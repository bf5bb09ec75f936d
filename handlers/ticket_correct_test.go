package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/fpa"
)

func TestCorrectInputs_AuthorWithinTwoHoursOrAdminRecomputesTheFPA(t *testing.T) {
	e := newEnv(t)
	tk := ticketBy(t, e, "clinico_prov")
	path := fmt.Sprintf("/tickets/%d/correccion", tk.ID)
	stranger := newUser(t, e, "PROV", "clinical")
	for user, want := range map[string]int{stranger: http.StatusForbidden, "visor_prov": http.StatusForbidden, "admin_valp": http.StatusNotFound} {
		c := e.client(t)
		c.login(user)
		if resp := c.get(path); resp.StatusCode != want {
			t.Errorf("%s GET = %d, want %d", user, resp.StatusCode, want)
		}
	}
	author := e.client(t)
	author.login("clinico_prov")
	if doc(t, author.get(fmt.Sprintf("/tickets/%d", tk.ID))).Find(`a[href="`+path+`"]`).Length() != 1 {
		t.Fatal("the ticket page offers its author no correction")
	}
	d := doc(t, author.get(path))
	hidden := url.Values{}
	for _, n := range []string{"_csrf", "version", "clave"} {
		v, _ := d.Find(`input[name="` + n + `"]`).Attr("value")
		hidden.Set(n, v)
	}
	other := e.count(t, `SELECT id FROM surgeries WHERE clinic_id = $1 AND name = 'Prótesis total de cadera'`, tk.ClinicID)
	pav := tk.PavilionEnd.Add(-time.Hour).In(fpa.Santiago)
	form := with(hidden, "cirugia", fmt.Sprint(other), "fecha_pabellon", pav.Format("2006-01-02"), "hora_pabellon", pav.Format("15:04"))

	// Bad input: a message at the field, nothing saved.
	for field, bad := range map[string]string{"cirugia": "abc", "fecha_pabellon": "31/02/2026", "hora_pabellon": "25:00"} {
		resp := author.post(path, with(form, field, bad, "accion", "calcular"))
		if msg, _ := fieldError(t, resp, field); resp.StatusCode != 422 || msg == "" {
			t.Errorf("%s=%q: %d %q", field, bad, resp.StatusCode, msg)
		}
	}
	// Saving without the FPA on screen shows it first.
	resp := author.post(path, with(form, "accion", "guardar"))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("save without a preview = %d", resp.StatusCode)
	}
	preview := doc(t, resp)
	shown, _ := preview.Find(`input[name="vista"]`).Attr("value")
	if shown == "" || !strings.Contains(preview.Find(`[role="status"]`).Text(), "Con la corrección") {
		t.Fatal("no corrected FPA shown")
	}
	if _, _, mods := e.ticketStatus(t, tk.ID); mods != 0 || e.count(t, `SELECT count(*) FROM tickets WHERE id = $1 AND surgery_id = $2`, tk.ID, other) != 0 {
		t.Fatal("saved without the FPA on screen")
	}
	// The FPA shown for another pavilion end is not saved for this one.
	stale := with(form, "accion", "guardar", "vista", shown, "hora_pabellon", pav.Add(-6*time.Hour).Format("15:04"),
		"fecha_pabellon", pav.Add(-6*time.Hour).Format("2006-01-02"))
	if resp := author.post(path, stale); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("an outdated preview = %d, want 422", resp.StatusCode)
	}
	if resp := author.post(path, with(form, "accion", "guardar", "vista", shown)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("correction = %d", resp.StatusCode)
	}
	if e.count(t, `SELECT count(*) FROM tickets WHERE id = $1 AND surgery_id = $2 AND surgery_name = 'Prótesis total de cadera'
		AND base_stay_hours = 96 AND original_fpa_at = fpa_at AND modification_count = 0 AND pavilion_end_at = $3`, tk.ID, other, pav.Truncate(time.Minute)) != 1 {
		t.Fatal("the ticket was not corrected and computed again as at creation")
	}
	if e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'correct_inputs' AND entity_id = $1
		AND details->'before'->>'surgery' = 'Apendicectomía laparoscópica' AND details->'after'->>'surgery' = 'Prótesis total de cadera'`, tk.ID) != 1 {
		t.Fatal("the correction is not audited before → after")
	}

	// Two hours after creation the author no longer may; an admin still may.
	e.sql(t, `UPDATE tickets SET created_at = created_at - interval '3 hours' WHERE id = $1`, tk.ID)
	if resp := author.get(path); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the author after 2 h = %d", resp.StatusCode)
	}
	admin := e.client(t)
	admin.login("admin_prov")
	if resp := admin.get(path); resp.StatusCode != http.StatusOK {
		t.Fatalf("an admin = %d", resp.StatusCode)
	}
	// After a modification nobody may.
	e.sql(t, `UPDATE tickets SET modification_count = 1 WHERE id = $1`, tk.ID)
	t.Cleanup(func() { e.sql(t, `UPDATE tickets SET modification_count = 0 WHERE id = $1`, tk.ID) })
	if resp := admin.get(path); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an admin after a modification = %d", resp.StatusCode)
	}
}
