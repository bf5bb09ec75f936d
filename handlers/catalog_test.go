package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func clinicID(t *testing.T, e *env, code string) int {
	t.Helper()
	return e.count(t, `SELECT id FROM clinics WHERE code = $1`, code)
}

func TestCatalog_ShowsOwnClinicsMasterData(t *testing.T) {
	e := newEnv(t)
	for _, htmx := range []bool{false, true} {
		c := e.client(t)
		c.login("visor_elqu")
		c.htmx = htmx
		resp := c.get("/catalogo")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status = %d", resp.StatusCode)
		}
		d := doc(t, resp)
		body := d.Find("main").Text()
		for _, want := range []string{"Clínica RedSalud Elqui", "Apendicectomía laparoscópica", "Colecistectomía laparoscópica", "14:00", "1,5 h", "08:00–10:00", "Cirugía suspendida", "Fuentes Araya"} {
			if !strings.Contains(body, want) {
				t.Errorf("catalog lacks %q", want)
			}
		}
		if n := d.Find("#cirugias tbody tr").Length(); n != 12 {
			t.Errorf("surgeries rows = %d, want 12", n)
		}
		if n := d.Find("#bloques tbody tr").Length(); n != 12 {
			t.Errorf("block rows = %d, want 12", n)
		}
		if d.Find("select#clinica").Length() != 0 {
			t.Error("a non-superuser is offered the clinic selector")
		}
	}
}

func TestCatalog_NonSuperuserNamingAnotherClinicStillSeesOwn(t *testing.T) {
	e := newEnv(t)
	valp := clinicID(t, e, "VALP")
	var valpRUT string
	raw := e.count(t, `SELECT count(*) FROM doctors WHERE clinic_id = $1`, valp)
	if raw != 4 {
		t.Fatalf("VALP doctors = %d", raw)
	}
	valpRUT = firstDoctorRUTBody(t, e, valp)
	for _, user := range []string{"admin_prov", "clinico_prov", "visor_prov"} {
		c := e.client(t)
		c.login(user)
		for _, q := range []string{"?clinica=%d", "?clinic_id=%d", "?clinica=%d&clinica=todas", "?clinica=todas"} {
			path := "/catalogo" + fmt.Sprintf(strings.ReplaceAll(q, "todas", "todas"), valp)
			if !strings.Contains(q, "%d") {
				path = "/catalogo" + q
			}
			resp := c.get(path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s %s = %d", user, path, resp.StatusCode)
			}
			body := doc(t, resp).Text()
			if strings.Contains(body, "Valparaíso") || strings.Contains(body, valpRUT) {
				t.Fatalf("%s %s shows Valparaíso data", user, path)
			}
			if !strings.Contains(body, "Clínica RedSalud Providencia") {
				t.Fatalf("%s %s does not show their own clinic", user, path)
			}
		}
	}
}

func firstDoctorRUTBody(t *testing.T, e *env, clinic int) string {
	t.Helper()
	n := e.count(t, `SELECT split_part(rut, '-', 1)::int FROM doctors WHERE clinic_id = $1 ORDER BY id LIMIT 1`, clinic)
	// Displayed with thousands dots: 12.345.678
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestCatalog_SuperuserChoosesClinicOrAll(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("superadmin")
	valp := clinicID(t, e, "VALP")

	d := doc(t, c.get(fmt.Sprintf("/catalogo?clinica=%d", valp)))
	if !strings.Contains(d.Find("main p").First().Text(), "Clínica RedSalud Valparaíso") {
		t.Fatal("chosen clinic not shown")
	}
	if n := d.Find("#especialidades tbody tr").Length(); n != 4 {
		t.Fatalf("one clinic's specialties = %d, want 4", n)
	}
	// The choice is remembered.
	d = doc(t, c.get("/catalogo"))
	if v, _ := d.Find("#clinica option[selected]").Attr("value"); v != fmt.Sprint(valp) {
		t.Fatalf("remembered clinic = %q", v)
	}
	d = doc(t, c.get("/catalogo?clinica=todas"))
	if n := d.Find("#especialidades tbody tr").Length(); n != 36 {
		t.Fatalf("all clinics' specialties = %d, want 36", n)
	}
	if d.Find(`#especialidades th:contains("Clínica")`).Length() == 0 {
		t.Fatal("all-clinics view lacks the clinic column")
	}
	// A clinic id that does not exist falls back to all clinics rather than failing.
	if resp := c.get("/catalogo?clinica=999999"); resp.StatusCode != http.StatusOK {
		t.Fatalf("unknown clinic = %d", resp.StatusCode)
	}
}
