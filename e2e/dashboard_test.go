package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/redsalud/ticket-home/demo"
)

// The dashboard by keyboard only, at both sizes: reached from the navigation, filtered, a
// card opened onto its board; axe-core finds nothing, with and without an error.
func TestDashboard_KeyboardOnlyAndAccessible(t *testing.T) {
	base := baseURL(t)
	for _, size := range []struct {
		name          string
		width, height int64
	}{{"768", 768, 1024}, {"1366", 1366, 768}} {
		t.Run(size.name, func(t *testing.T) {
			b := newBrowser(t, size.width, size.height, true)
			b.loginKeyboard(t, base, "admin_prov", demo.Password)
			b.do(t, waitVisible("#resultados"))
			b.tabTo(t, "the Panel link", "el && el.getAttribute('href') === '/panel'")
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#ahora-titulo"))
			b.assertAxe(t, "dashboard")
			b.screenshot(t, "dashboard-"+size.name)
			// A period the wrong way round: the message at the field, focus on the summary.
			b.tabToID(t, "desde")
			b.do(t, chromedp.SetValue(chromedp.CSS("#desde"), "2026-12-31"), chromedp.SetValue(chromedp.CSS("#hasta"), "2026-12-01"))
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#hasta-error"))
			b.assertAxe(t, "dashboard with an error")
			b.do(t, chromedp.Navigate(base+"/panel"), waitVisible("#ahora-titulo"))
			want := b.text(t, "a.dash-card .dash-num")
			b.tabTo(t, "the first card", "el && el.classList.contains('dash-card')")
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#resultados-titulo"))
			if got := strings.Fields(b.text(t, "#resultados-titulo")); len(got) == 0 || got[0] != want {
				t.Fatalf("the card said %s, its board %v", want, got)
			}
			b.assertClean(t)
		})
	}
}
