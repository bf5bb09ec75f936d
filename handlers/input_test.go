package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/redsalud/ticket-home/fpa"
)

// badInputs are texts RULES §8b refuses in any field: NUL, invalid UTF-8, a bidirectional
// override, and U+FFFD (what the others are shown as, so a resubmit stores nothing either).
var badInputs = []struct{ name, value string }{
	{"NUL", "Ana\x00Luz"},
	{"InvalidUTF8", "Ana\xff\xfeLuz"},
	{"BidiOverride", "Ana\u202eLuz"},
	{"ReplacementCharacter", "Ana\uFFFDLuz"},
}

const badCharactersMsg = "Contiene caracteres no permitidos."

// assertRefusedField checks a 422 with the message at the field, the value shown again with
// U+FFFD where the refused characters were.
func assertRefusedField(t *testing.T, resp *http.Response, field string, typed string) {
	t.Helper()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", resp.StatusCode)
	}
	d := doc(t, resp)
	if msg := strings.TrimSpace(d.Find("#" + field + "-error").Text()); !strings.Contains(msg, badCharactersMsg) {
		t.Fatalf("message at %s = %q, want %q", field, msg, badCharactersMsg)
	}
	shown, ok := d.Find("#" + field).Attr("value")
	if !ok {
		shown = d.Find("#" + field).Text() // a textarea
	}
	if !strings.HasPrefix(shown, "Ana") || !strings.HasSuffix(shown, "Luz") || !strings.ContainsRune(shown, '\uFFFD') {
		t.Fatalf("%s shown as %q, want what was typed with U+FFFD for the refused part (typed %q)", field, shown, typed)
	}
}

func TestBadCharacters_EveryTicketFormAnswers422AndStoresNothing(t *testing.T) {
	e := newEnv(t)
	admin := e.client(t)
	admin.login("admin_prov")
	tok := admin.pageCSRF("/tablero")
	for _, bad := range badInputs {
		t.Run(bad.name, func(t *testing.T) {
			t.Run("Create", func(t *testing.T) {
				for _, field := range []string{"nombres", "apellido_paterno", "cama", "ubicacion", "episodio"} {
					form := validTicketForm(t, e, tok)
					form.Set(field, bad.value)
					before := e.count(t, `SELECT count(*) FROM tickets`)
					assertRefusedField(t, admin.post("/tickets/nuevo", form), field, bad.value)
					if e.count(t, `SELECT count(*) FROM tickets`) != before {
						t.Fatalf("%s: a ticket was created", field)
					}
				}
			})
			tk := ticketBy(t, e, "admin_prov")
			base := func() url.Values {
				return url.Values{"_csrf": {tok}, "version": {fmt.Sprint(tk.Version)}, "clave": {key()}}
			}
			unchanged := func(t *testing.T) {
				t.Helper()
				if _, v, _ := e.ticketStatus(t, tk.ID); v != tk.Version {
					t.Fatalf("the ticket changed (version %d → %d)", tk.Version, v)
				}
			}
			t.Run("Modify", func(t *testing.T) {
				f := actions["modify"].form(t, e, tk)
				for k, v := range base() {
					f[k] = v
				}
				f.Set("justificacion", bad.value)
				assertRefusedField(t, admin.post(fmt.Sprintf("/tickets/%d/fpa", tk.ID), f), "fpa_justificacion", bad.value)
				unchanged(t)
			})
			t.Run("AnnulNote", func(t *testing.T) {
				f := base()
				f.Set("razon", reasonFor(t, e, tk, "annulment"))
				f.Set("nota", bad.value)
				f.Set("confirmar", "1")
				assertRefusedField(t, admin.post(fmt.Sprintf("/tickets/%d/anular", tk.ID), f), "anular_nota", bad.value)
				unchanged(t)
			})
			t.Run("Discharge", func(t *testing.T) {
				f := base()
				f.Set("fecha", bad.value)
				f.Set("hora", "10:00")
				assertRefusedField(t, admin.post(fmt.Sprintf("/tickets/%d/alta", tk.ID), f), "alta_fecha", bad.value)
				unchanged(t)
			})
			t.Run("Location", func(t *testing.T) {
				f := base()
				f.Set("cama", bad.value)
				assertRefusedField(t, admin.post(fmt.Sprintf("/tickets/%d/ubicacion", tk.ID), f), "cama", bad.value)
				unchanged(t)
			})
			t.Run("PatientEdit", func(t *testing.T) {
				d := doc(t, admin.get(fmt.Sprintf("/tickets/%d/paciente", tk.ID)))
				f := url.Values{"_csrf": {tok}}
				d.Find(`form[action$="/paciente"] [name]`).Each(func(_ int, s *goquery.Selection) {
					n, _ := s.Attr("name")
					v, _ := s.Attr("value")
					if n != "_csrf" {
						f.Set(n, v)
					}
				})
				f.Set("nombres", bad.value)
				before := e.count(t, `SELECT count(*) FROM patients WHERE id = $1 AND first_names = 'Prueba'`, tk.PatientID)
				assertRefusedField(t, admin.post(fmt.Sprintf("/tickets/%d/paciente", tk.ID), f), "nombres", bad.value)
				if after := e.count(t, `SELECT count(*) FROM patients WHERE id = $1 AND first_names = 'Prueba'`, tk.PatientID); after != before || before != 1 {
					t.Fatal("the patient changed")
				}
			})
			t.Run("RevertNote", func(t *testing.T) {
				annulled := actions["revert"].prep(t, e, ticketBy(t, e, "admin_prov"))
				f := url.Values{"_csrf": {tok}, "version": {fmt.Sprint(annulled.Version)}, "clave": {key()}, "nota": {bad.value}}
				assertRefusedField(t, admin.post(fmt.Sprintf("/tickets/%d/revertir-anulacion", annulled.ID), f), "revertir_nota", bad.value)
				if st, _, _ := e.ticketStatus(t, annulled.ID); st != "anulado" {
					t.Fatal("the annulment was reverted")
				}
			})
			t.Run("Login", func(t *testing.T) {
				c := e.client(t)
				ltok := c.csrf("/login")
				resp := c.post("/login", url.Values{"_csrf": {ltok}, "username": {bad.value}, "password": {"x"}})
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422", resp.StatusCode)
				}
				d := doc(t, resp)
				if msg := d.Find("[data-error-summary]").Text(); !strings.Contains(msg, "El usuario contiene caracteres no permitidos.") {
					t.Fatalf("message = %q", msg)
				}
				if v, _ := d.Find("#username").Attr("value"); !strings.ContainsRune(v, '\uFFFD') {
					t.Fatalf("username shown as %q", v)
				}
			})
			t.Run("BoardSearch", func(t *testing.T) {
				resp := admin.post("/tablero", url.Values{"_csrf": {tok}, "q": {bad.value}})
				assertRefusedField(t, resp, "q", bad.value)
			})
			t.Run("BoardFilters", func(t *testing.T) {
				for _, k := range []string{"especialidad", "cirugia"} {
					resp := admin.get("/tablero?" + k + "=" + url.QueryEscape(bad.value))
					if resp.StatusCode != http.StatusUnprocessableEntity {
						t.Fatalf("%s: status %d, want 422", k, resp.StatusCode)
					}
					if msg := doc(t, resp).Find("#f-" + k + "-error, [data-error-summary]").Text(); !strings.Contains(msg, badCharactersMsg) {
						t.Fatalf("%s: no message (%q)", k, msg)
					}
				}
			})
		})
	}
}

func TestOutOfRangeNumbers_NeverA500(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("admin_prov")
	tok := c.pageCSRF("/tablero")
	huge := "99999999999999999999"

	resp := c.get("/tablero?pagina=9223372036854775807")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("huge page = %d, want the last page", resp.StatusCode)
	}
	if got := doc(t, resp).Find("#resultados-titulo").Text(); strings.Contains(got, "página") && !strings.Contains(got, "página 1 de 1") && !lastPage(got) {
		t.Fatalf("huge page shows %q, want the last page", got)
	}
	for _, p := range []string{huge, "-5", "abc", "0"} {
		if resp := c.get("/tablero?pagina=" + p); resp.StatusCode != http.StatusOK {
			t.Fatalf("pagina=%s = %d", p, resp.StatusCode)
		}
	}
	if resp := c.get("/tickets/" + huge); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("ticket id beyond int64 = %d, want 404", resp.StatusCode)
	}
	tk := ticketBy(t, e, "admin_prov")
	for _, v := range []string{"99999999999", huge, "-1", "uno", ""} {
		f := actions["discharge"].form(t, e, tk)
		f.Set("_csrf", tok)
		f.Set("clave", key())
		f.Set("version", v)
		if resp := c.post(fmt.Sprintf("/tickets/%d/alta", tk.ID), f); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("version %q = %d, want 400", v, resp.StatusCode)
		}
	}
	for _, field := range []string{"razon", "bloque"} {
		f := actions["modify"].form(t, e, tk)
		f.Set("_csrf", tok)
		f.Set("clave", key())
		f.Set("version", fmt.Sprint(tk.Version))
		f.Set(field, huge)
		if resp := c.post(fmt.Sprintf("/tickets/%d/fpa", tk.ID), f); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s beyond int64 = %d, want 422", field, resp.StatusCode)
		}
	}
	for _, field := range []string{"cirugia", "medico", "especialidad", "edad", "bloque"} {
		form := validTicketForm(t, e, tok)
		form.Set(field, huge)
		if resp := c.post("/tickets/nuevo", form); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("create with %s beyond int64 = %d, want 422", field, resp.StatusCode)
		}
	}
	if _, v, _ := e.ticketStatus(t, tk.ID); v != tk.Version {
		t.Fatal("a refused submit changed the ticket")
	}
}

// lastPage reports whether a results title says "página N de N".
func lastPage(title string) bool {
	var n, m int
	i := strings.Index(title, "página ")
	if i < 0 {
		return false
	}
	if _, err := fmt.Sscanf(title[i:], "página %d de %d", &n, &m); err != nil {
		return false
	}
	return n == m
}

func TestModifyFPA_MoreThan180DaysAfterThePavilionIsRefused(t *testing.T) {
	e := newEnv(t)
	tk := ticketBy(t, e, "clinico_prov")
	c := e.client(t)
	c.login("clinico_prov")
	tok := c.pageCSRF("/tablero")
	last := fpa.DateOf(tk.PavilionEnd).AddDays(fpa.MaxModificationDays)
	post := func(date string) *http.Response {
		f := actions["modify"].form(t, e, tk)
		_, version, _ := e.ticketStatus(t, tk.ID)
		f.Set("_csrf", tok)
		f.Set("clave", key())
		f.Set("version", fmt.Sprint(version))
		f.Set("fecha", date)
		return c.post(fmt.Sprintf("/tickets/%d/fpa", tk.ID), f)
	}
	for _, date := range []string{"31/12/2999", last.AddDays(1).String()} {
		resp := post(date)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s = %d, want 422", date, resp.StatusCode)
		}
		want := "La nueva FPA no puede ser posterior al " + last.String()
		if msg := doc(t, resp).Find("#fpa_fecha-error").Text(); !strings.Contains(msg, want) {
			t.Fatalf("%s: message %q, want it to name %s", date, msg, last)
		}
	}
	if _, _, mods := e.ticketStatus(t, tk.ID); mods != 0 {
		t.Fatal("a refused date was stored")
	}
	// The last day allowed is accepted, and its extra nights are calendar nights.
	if resp := post(last.String()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("day %d = %d, want 303", fpa.MaxModificationDays, resp.StatusCode)
	}
	var extra int
	if err := e.db.QueryRow(`SELECT extra_nights FROM fpa_modifications WHERE ticket_id = $1`, tk.ID).Scan(&extra); err != nil {
		t.Fatal(err)
	}
	if want := fpa.DateOf(tk.FPA).DaysUntil(last); extra != want {
		t.Fatalf("extra nights = %d, want %d", extra, want)
	}
}
