package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/redsalud/ticket-home/demo"
)

// The administration's other pages and their error states, at both sizes: axe-core finds
// nothing; each is screenshot for people to look at.
func TestAccessibility_AdministrationPages(t *testing.T) {
	base := baseURL(t)
	tk := newTicket(t)
	for _, size := range []struct {
		name          string
		width, height int64
	}{{"768", 768, 1024}, {"1366", 1366, 768}} {
		t.Run(size.name, func(t *testing.T) {
			b := newBrowser(t, size.width, size.height, true)
			b.loginKeyboard(t, base, demo.SuperuserName, demo.Password)
			b.do(t, waitVisible("main"))
			b.do(t, chromedp.Navigate(base+"/clinicas"), waitVisible("#clinicas"))
			b.assertAxe(t, "clinics")
			b.screenshot(t, "clinics-"+size.name)
			b.do(t, chromedp.Click(chromedp.CSS(`#clinicas form[action$="/estado"] button`)), waitVisible("#confirmar"))
			b.assertAxe(t, "a clinic's deactivation asked to confirm")
			b.screenshot(t, "clinic-confirm-"+size.name)
			b.do(t, chromedp.Click(chromedp.CSS(`#confirmar a`)), waitVisible("#clinicas"))
			b.do(t, chromedp.Click(chromedp.CSS(`form[action="/superusuarios"] button`)), waitVisible("#correo-error"))
			b.assertAxe(t, "allow-list with an error")
			b.do(t, chromedp.Navigate(base+"/clinicas/nueva"), waitVisible("#nombre"),
				chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)), waitVisible("#nombre-error"))
			b.assertAxe(t, "new clinic with an error")
			b.do(t, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d/medico", base, tk.ID)), waitVisible("#medico"))
			b.assertAxe(t, "attending doctor")
			b.do(t, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d/correccion", base, tk.ID)), waitVisible("#cirugia"),
				chromedp.Click(chromedp.CSS(`button[value="calcular"]`)))
			b.waitJS(t, `document.querySelector("[data-error-summary]") || document.querySelector('input[name="vista"]')`)
			if msg := eval[string](t, b, `(document.querySelector("[data-error-summary]") || {}).textContent || ""`); msg != "" {
				t.Fatalf("the correction's FPA: %s", msg)
			}
			b.assertAxe(t, "correction with its FPA")
			b.screenshot(t, "correction-"+size.name)
			b.do(t, chromedp.Navigate(base+"/clinicas/copiar"), waitVisible("#origen"),
				chromedp.Click(chromedp.CSS(`button[value="ver"]`)), waitVisible("#origen-error"))
			b.assertAxe(t, "copy of master data with an error")
			b.do(t, chromedp.SetValue(chromedp.CSS("#origen"), fmt.Sprint(tk.ClinicID)),
				chromedp.Evaluate[chromedp.Void](`document.querySelector("#destino").selectedIndex = document.querySelector("#destino").options.length - 1`),
				chromedp.Click(chromedp.CSS(`button[value="ver"]`)), waitVisible("#plan-titulo"))
			b.assertAxe(t, "copy of master data with its preview")
			b.do(t, chromedp.Navigate(base+"/usuarios"), waitVisible("#usuarios"))
			b.assertAxe(t, "users of every clinic")
			b.do(t, chromedp.Navigate(base+"/catalogo/umbrales"), waitVisible("main"))
			b.assertAxe(t, "thresholds asking for a clinic")
			b.assertClean(t)
		})
	}
}
