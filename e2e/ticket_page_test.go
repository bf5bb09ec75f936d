package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/redsalud/ticket-home/demo"
)

// TestTicketPage_OneActionAtATimeAndDischargeConfirmed: the page is headed by the patient,
// bed and code; its actions are closed disclosures, one open at a time; "Registrar alta" asks
// to confirm naming the patient and the time; after it, the focus is on the page's message,
// never on <body>. With JavaScript and without, at both sizes.
func TestTicketPage_OneActionAtATimeAndDischargeConfirmed(t *testing.T) {
	base := baseURL(t)
	for _, vp := range viewports {
		for _, js := range []bool{true, false} {
			name := vp.name + "-" + map[bool]string{true: "JavaScript", false: "NoJavaScript"}[js]
			t.Run(name, func(t *testing.T) {
				tk := newTicket(t)
				b := newBrowser(t, vp.width, vp.height, js)
				b.loginKeyboard(t, base, "clinico_prov", demo.Password)
				b.do(t, waitVisible("#resultados"), chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, tk.ID)), waitVisible("#estado-ticket"))
				if h := b.text(t, "h1"); h != "Hernán Rojas" {
					t.Errorf("heading %q, want the patient", h)
				}
				if sub := b.text(t, "h1 + p"); !strings.Contains(sub, "Cama") || !strings.Contains(sub, tk.Code) {
					t.Errorf("under the heading %q, want the bed and the code", sub)
				}
				if open := eval[int](t, b, `document.querySelectorAll('details.action[open]').length`); open != 0 {
					t.Errorf("%d actions open on arrival, want none", open)
				}
				height := eval[int](t, b, `document.documentElement.scrollHeight`)
				t.Logf("page height %d px", height)
				b.screenshot(t, "ticket-"+name)
				// Keyboard: Tab to "Registrar alta", Enter opens it (and closes any other).
				b.openAction(t, "modificar-fpa")
				b.do(t, chromedp.Focus(chromedp.CSS("#registrar-alta > summary")))
				b.typeKeys(t, kb.Enter)
				b.waitJS(t, `document.getElementById('registrar-alta').open && !document.getElementById('modificar-fpa').open`)
				b.do(t, chromedp.Click(chromedp.CSS(`#registrar-alta button[type="submit"]`)))
				b.waitJS(t, `!!document.querySelector('#registrar-alta[open] [role="alertdialog"]')`)
				if got := b.text(t, `#registrar-alta [role="alertdialog"]`); !strings.Contains(got, "¿Registrar el alta de Hernán Rojas el ") || !strings.Contains(got, " a las ") {
					t.Fatalf("confirmation says %q", got)
				}
				if cur := ticketNow(t, tk.ID); cur.DischargedAt.Valid {
					t.Fatal("discharged before the confirmation")
				}
				b.screenshot(t, "discharge-confirm-"+name)
				if js {
					b.assertAxe(t, "discharge confirmation")
				}
				if got := b.activeID(t); got != "BUTTON" {
					t.Fatalf("focus on the confirmation is %q, want its button", got)
				}
				b.typeKeys(t, kb.Enter)
				b.waitJS(t, `document.querySelector('main').textContent.includes('Alta registrada')`)
				if cur := ticketNow(t, tk.ID); !cur.DischargedAt.Valid {
					t.Fatal("not discharged after the confirmation")
				}
				if js {
					b.waitJS(t, `document.activeElement && document.activeElement.hasAttribute('data-flash')`)
				}
				b.assertClean(t)
			})
		}
	}
}
