package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

// newTicket creates a vigente ticket of clinico_prov directly in the store.
func newTicket(t *testing.T) store.Ticket {
	t.Helper()
	ctx := context.Background()
	u, err := srv.Store.UserByUsername(ctx, "clinico_prov")
	if err != nil {
		t.Fatal(err)
	}
	p := u.Principal()
	cat, err := srv.Store.Catalog(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	var surgery int64
	for _, s := range cat.Surgeries {
		if s.Name == "Apendicectomía laparoscópica" {
			surgery = s.ID
		}
	}
	r, _ := rut.New(30_000_000 + rand.IntN(60_000_000))
	now := time.Now()
	tk, err := srv.Store.CreateTicket(ctx, p, u.ClinicID, store.NewTicket{
		Patient:   store.PatientInput{RUT: r.Canonical(), FirstNames: "Hernán", LastNameFather: "Rojas", Age: 66, Sex: "M"},
		SurgeryID: surgery, PavilionEnd: now.Add(-5 * time.Hour), BlockStart: -1,
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestModifyFPA_KeyboardOnly(t *testing.T) {
	base := baseURL(t)
	for _, js := range []bool{true, false} {
		name := map[bool]string{true: "JavaScript", false: "NoJavaScript"}[js]
		t.Run(name, func(t *testing.T) {
			tk := newTicket(t)
			newDate := fpa.DateOf(tk.FPA).AddDays(1)
			want := fpa.FormatFPA(newDate.At(10*60), fpa.Block{Start: 600, End: 720})
			b := newBrowser(t, 768, 1024, js)
			b.loginKeyboard(t, base, "clinico_prov", demo.Password)
			b.do(t, waitVisible("#resultados"), chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, tk.ID)), waitVisible("#modificar-fpa"))
			// One action at a time: Enter on "Modificar FPA" opens its form.
			b.tabTo(t, "the Modificar FPA disclosure", "el && el.matches('#modificar-fpa > summary')")
			b.typeKeys(t, kb.Enter)
			b.tabToID(t, "fpa_fecha")
			b.typeDate(t, newDate)
			b.tabToID(t, "fpa_bloque")
			b.typeKeys(t, "10")
			if js {
				b.waitJS(t, `document.querySelector('#fpa-cambio').textContent.includes('Nueva:')`)
			}
			b.tabToID(t, "fpa_razon")
			b.typeKeys(t, "Evol")
			b.tabToID(t, "fpa_justificacion")
			b.typeKeys(t, "Evolución más lenta de lo esperado.")
			if !js {
				b.tabTo(t, "Ver cambio", "el && el.value === 'vista'")
				b.typeKeys(t, kb.Enter)
				b.do(t, waitVisible("#fpa-cambio"))
				if got := b.text(t, "#fpa-cambio"); !strings.Contains(got, want) {
					t.Fatalf("preview = %q, want %q", got, want)
				}
				b.do(t, chromedp.Focus(chromedp.CSS("#fpa_justificacion")))
			}
			b.screenshot(t, "modify-"+name)
			b.tabTo(t, "Modificar FPA", "el && el.value === 'modificar'")
			b.typeKeys(t, kb.Enter)
			b.waitJS(t, `document.querySelector('#estado') && document.querySelector('#estado').textContent.includes('FPA modificada exitosamente.')`)
			if got := b.text(t, "main"); !strings.Contains(got, want) || !strings.Contains(got, "Evolución más lenta de lo esperado.") {
				t.Fatalf("ticket page after the change lacks the new FPA or the history")
			}
			b.assertClean(t)
		})
	}
}

func TestModifyFPA_TwoTabsConflict(t *testing.T) {
	base := baseURL(t)
	tk := newTicket(t)
	// Two windows (each its own browser, so neither is a background tab that stops
	// rendering), both signed in as the ward's nurse, both open on the same ticket.
	b := newBrowser(t, 1366, 900, true)
	b.loginKeyboard(t, base, "clinico_prov", demo.Password)
	b.do(t, waitVisible("#resultados"))
	tab2 := newBrowser(t, 1366, 900, true)
	tab2.loginKeyboard(t, base, "clinico_prov", demo.Password)
	tab2.do(t, waitVisible("#resultados"))
	url := fmt.Sprintf("%s/tickets/%d", base, tk.ID)
	b.do(t, chromedp.Navigate(url), waitVisible("#modificar-fpa"))
	tab2.do(t, chromedp.Navigate(url), waitVisible("#modificar-fpa"))
	fill := func(x *browser, days int, why string) {
		x.openAction(t, "modificar-fpa")
		x.do(t,
			chromedp.SetValue(chromedp.CSS("#fpa_fecha"), fpa.DateOf(tk.FPA).AddDays(days).ISO()),
			chromedp.SetValue(chromedp.CSS("#fpa_bloque"), "600"),
			chromedp.SetValue(chromedp.CSS("#fpa_razon"), eval[string](t, x, `document.querySelector('#fpa_razon option:nth-child(2)').value`)),
			chromedp.SetValue(chromedp.CSS("#fpa_justificacion"), why),
		)
		// The main submit waits for the preview of the new date.
		x.waitJS(t, fmt.Sprintf(`!document.querySelector('#fpa-cambio[aria-busy]') && document.querySelector('#fpa-cambio').textContent.includes(%q)`, fpa.DateOf(tk.FPA).AddDays(days).String()))
	}
	fill(b, 1, "Primera pestaña")
	b.do(t, chromedp.Click(chromedp.CSS(`button[value="modificar"]`)))
	b.waitJS(t, `document.querySelector('#estado').textContent.includes('FPA modificada exitosamente.')`)
	fill(tab2, 2, "Segunda pestaña")
	tab2.do(t, chromedp.Click(chromedp.CSS(`button[value="modificar"]`)))
	tab2.waitJS(t, `!!document.querySelector('#conflicto')`)
	tab2.screenshot(t, "conflict")
	if got := tab2.text(t, "#conflicto"); !strings.Contains(got, "Otra persona cambió este ticket") || !strings.Contains(got, fpa.DateOf(tk.FPA).AddDays(2).String()) {
		t.Fatalf("conflict = %q", got)
	}
	if v := tab2.value(t, "#fpa_justificacion"); v != "Segunda pestaña" {
		t.Fatalf("typed justification lost: %q", v)
	}
	tab2.assertAxe(t, "conflict")
	// Apply it again on the current version: the same button now succeeds.
	tab2.do(t, chromedp.Click(chromedp.CSS(`button[value="modificar"]`)))
	tab2.waitJS(t, `document.querySelector('#estado') && document.querySelector('#estado').textContent.includes('FPA modificada exitosamente.')`)
	su, err := srv.Store.UserByUsername(context.Background(), demo.SuperuserName)
	if err != nil {
		t.Fatal(err)
	}
	got, err := srv.Store.Modifications(context.Background(), su.Principal(), tk.ID)
	if err != nil || len(got) != 2 {
		t.Fatalf("history after both tabs: %d rows (%v)", len(got), err)
	}
	b.assertClean(t)
}

func TestAnnul_WithConfirmationAndAccessibility(t *testing.T) {
	base := baseURL(t)
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			tk := newTicket(t)
			b := newBrowser(t, vp.width, vp.height, true)
			b.loginKeyboard(t, base, "clinico_prov", demo.Password)
			b.do(t, waitVisible("#resultados"), chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, tk.ID)), waitVisible("#anular"))
			b.assertAxe(t, "ticket page with its actions closed")
			// Errors shown on every form.
			b.openAction(t, "modificar-fpa")
			b.assertAxe(t, "ticket page with an action open")
			b.do(t, chromedp.Click(chromedp.CSS(`button[value="modificar"]`)), waitVisible("#modificar-fpa [data-error-summary]"))
			b.assertAxe(t, "modification form with errors")
			b.openAction(t, "registrar-alta")
			if eval[bool](t, b, `document.getElementById('modificar-fpa').open`) {
				t.Fatal("two actions open at once")
			}
			b.do(t, chromedp.SetValue(chromedp.CSS("#alta_hora"), ""), chromedp.Click(chromedp.CSS(`#registrar-alta button`)), waitVisible("#alta_hora-error"))
			b.assertAxe(t, "discharge form with an error")
			b.openAction(t, "anular")
			b.do(t, chromedp.Click(chromedp.CSS(`#anular button`)), waitVisible("#anular_razon-error"))
			b.assertAxe(t, "annul form with an error")
			// Annul: choose a reason, confirm.
			b.do(t, chromedp.SetValue(chromedp.CSS("#anular_razon"), eval[string](t, b, `document.querySelector('#anular_razon option:nth-child(2)').value`)),
				chromedp.Click(chromedp.CSS(`#anular button`)), waitVisible(`[role="alertdialog"]`))
			b.screenshot(t, "annul-confirm-"+vp.name)
			b.assertAxe(t, "annul confirmation")
			if got := b.activeID(t); got != "BUTTON" {
				t.Fatalf("focus on the confirmation is %q, want the confirm button", got)
			}
			b.typeKeys(t, kb.Enter)
			b.waitJS(t, `document.querySelector('main').textContent.includes('TICKET ANULADO')`)
			b.screenshot(t, "annulled-"+vp.name)
			b.assertAxe(t, "annulled ticket")
			b.do(t, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d/ubicacion", base, newTicket(t).ID)), waitVisible("#cama"),
				chromedp.SetValue(chromedp.CSS("#cama"), strings.Repeat("x", 41)), chromedp.Click(chromedp.CSS(`#editar-ubicacion button[type="submit"]`)), waitVisible("#cama-error"))
			b.assertAxe(t, "location form with an error")
			b.assertClean(t)
		})
	}
}

func TestAccessibility_AdminForms(t *testing.T) {
	base := baseURL(t)
	tk := newTicket(t)
	ctx := context.Background()
	admin, err := srv.Store.UserByUsername(ctx, "admin_prov")
	if err != nil {
		t.Fatal(err)
	}
	p := admin.Principal()
	cat, err := srv.Store.Catalog(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	var reason int64
	for _, r := range cat.Reasons {
		if r.Category == "annulment" {
			reason = r.ID
		}
	}
	if _, err := srv.Store.AnnulTicket(ctx, p, store.Change{TicketID: tk.ID, Version: tk.Version}, reason, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, 768, 1024, true)
	b.loginKeyboard(t, base, "admin_prov", demo.Password)
	b.do(t, waitVisible("#resultados"), chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, tk.ID)), waitVisible("#revertir"))
	b.openAction(t, "revertir")
	b.do(t, chromedp.Click(chromedp.CSS(`#revertir button`)), waitVisible("#revertir_nota-error"))
	b.assertAxe(t, "revert form with an error")
	other := newTicket(t)
	b.do(t, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d/paciente", base, other.ID)), waitVisible("#rut"),
		chromedp.SetValue(chromedp.CSS("#rut"), "12.345.678-9"), chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)), waitVisible("#rut-error"))
	b.screenshot(t, "patient-edit-error")
	b.assertAxe(t, "patient form with an error")
	b.assertClean(t)
}
