package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/rut"
)

// An admin finds who saw a patient's ticket by keyboard alone, typing the RUT in any format,
// with and without JavaScript; axe-core finds nothing on the audit log or its error state.
func TestAudit_PatientAccessReportByKeyboard(t *testing.T) {
	base := baseURL(t)
	tk := newTicket(t)
	r, _ := rut.Parse(tk.RUT)
	for _, tc := range []struct {
		name          string
		js            bool
		width, height int64
	}{
		{"JavaScript768", true, 768, 1024},
		{"JavaScript1366", true, 1366, 768},
		{"NoJavaScript", false, 1366, 768},
	} {
		t.Run(tc.name, func(t *testing.T) {
			viewer := newBrowser(t, 768, 1024, tc.js)
			viewer.loginKeyboard(t, base, "visor_prov", demo.Password)
			viewer.do(t, waitVisible("#resultados"), chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, tk.ID)), waitVisible("h1"))

			b := newBrowser(t, tc.width, tc.height, tc.js)
			b.loginKeyboard(t, base, "admin_prov", demo.Password)
			b.do(t, waitVisible("#resultados"))
			b.tabTo(t, "the Auditoría link", "el && el.getAttribute('href') === '/auditoria'")
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#filtros-auditoria"))
			if tc.js {
				b.assertAxe(t, "audit log")
			}
			b.tabToID(t, "rut")
			b.typeKeys(t, "12.345.678-9") // a wrong check digit first
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#rut-error"))
			if tc.js {
				b.assertAxe(t, "audit log with an error")
			}
			b.tabToID(t, "rut")
			b.typeKeys(t, kb.End+strings.Repeat(kb.Backspace, 20))
			b.typeKeys(t, strings.ReplaceAll(r.Display(), ".", ""))
			b.typeKeys(t, kb.Enter)
			b.waitJS(t, `!document.querySelector("#rut-error") && document.querySelector("#registros") !== null`)
			got := b.text(t, "#registros")
			if !strings.Contains(got, tk.Code) || !strings.Contains(got, "visor_prov") || !strings.Contains(got, "Vista de ticket") {
				t.Fatalf("the access report: %q", got)
			}
			if u := eval[string](t, b, "location.href"); strings.Contains(u, fmt.Sprint(r.Body())) {
				t.Fatalf("the RUT went into the address: %s", u)
			}
			b.screenshot(t, "audit-report-"+tc.name)
			b.assertClean(t)
		})
	}
}
