package e2e

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/rut"
)

// tabTo presses Tab until the JavaScript predicate on document.activeElement holds.
func (b *browser) tabTo(t *testing.T, what, predicate string) {
	t.Helper()
	for range 60 {
		if eval[bool](t, b, "(function(el){ return !!("+predicate+"); })(document.activeElement)") {
			return
		}
		b.typeKeys(t, kb.Tab)
	}
	t.Fatalf("Tab never reached %s", what)
}

func (b *browser) tabToID(t *testing.T, id string) {
	t.Helper()
	b.tabTo(t, "#"+id, "el && el.id === '"+id+"'")
}

// expectedChoice computes, with the rules engine, the FPA the test expects after the nurse
// moves from the proposed block to the next choosable one (arrow key, wrapping).
func expectedChoice(t *testing.T, p time.Time, hours float64) string {
	t.Helper()
	res, err := fpa.Compute(p, fpa.Surgery{BaseStayHours: hours}, fpa.DefaultBlocks())
	if err != nil {
		t.Fatal(err)
	}
	idx := 0
	for i, b := range res.Choosable {
		if b.Start == res.Proposed.Block.Start {
			idx = i
		}
	}
	next := res.Choosable[(idx+1)%len(res.Choosable)]
	slot, err := res.Choose(next.Start)
	if err != nil {
		t.Fatal(err)
	}
	return fpa.FormatFPA(slot.Start, slot.Block)
}

func TestCreateTicket_KeyboardOnly(t *testing.T) {
	base := baseURL(t)
	for _, js := range []bool{true, false} {
		name := map[bool]string{true: "JavaScript", false: "NoJavaScript"}[js]
		t.Run(name, func(t *testing.T) {
			b := newBrowser(t, 1366, 900, js)
			b.loginKeyboard(t, base, "clinico_prov", demo.Password)
			b.do(t, waitVisible("#resultados"), chromedp.Navigate(base+"/tickets/nuevo"), waitVisible("#rut"))
			r, _ := rut.New(40_000_000 + rand.IntN(40_000_000))
			p := time.Now().In(fpa.Santiago).Add(-3 * time.Hour).Truncate(time.Minute)
			want := expectedChoice(t, p, 24)

			b.tabToID(t, "rut")
			b.typeKeys(t, r.Display())
			b.tabToID(t, "nombres")
			b.typeKeys(t, "Rosa Elena")
			b.tabToID(t, "apellido_paterno")
			b.typeKeys(t, "Sepúlveda")
			b.tabToID(t, "edad")
			b.typeKeys(t, "72")
			b.tabToID(t, "sexo")
			b.typeKeys(t, "F")
			b.tabToID(t, "cirugia")
			b.typeKeys(t, "Apen")
			if got := b.value(t, "#cirugia"); got == "" {
				t.Fatal("typing did not choose the surgery")
			}
			b.tabToID(t, "fecha_pabellon")
			b.typeDate(t, fpa.DateOf(p))
			b.tabToID(t, "hora_pabellon")
			b.typeTime(t, p)
			if js {
				b.typeKeys(t, kb.Tab) // leaving the field fires change: the preview arrives by itself
			} else {
				b.tabTo(t, "the Calcular FPA button", "el && el.value === 'calcular'")
				b.typeKeys(t, kb.Enter)
				b.do(t, waitVisible("#vista-previa"))
			}
			b.do(t, waitVisible(`#vista-previa input[name="bloque"]`))
			if got := b.text(t, "#vista-previa"); !strings.Contains(got, "+ 24 h =") {
				t.Fatalf("preview = %q", got)
			}
			b.screenshot(t, "create-preview-"+name)
			b.tabTo(t, "the checked block", "el && el.name === 'bloque' && el.checked")
			b.typeKeys(t, kb.ArrowRight)
			b.tabToID(t, "cama")
			b.typeKeys(t, "21A")
			b.tabTo(t, "the Crear ticket button", "el && el.value === 'crear'")
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#estado-ticket"))
			if got := b.text(t, "#estado"); !strings.HasPrefix(got, "Ticket TH-PROV-") {
				t.Fatalf("status = %q", got)
			}
			main := b.text(t, "main")
			if !strings.Contains(main, want) {
				t.Fatalf("ticket page does not show the chosen FPA %q:\n%s", want, main)
			}
			if !strings.Contains(main, "Rosa Elena Sepúlveda") || !strings.Contains(main, r.Display()) {
				t.Fatalf("ticket page lacks the patient")
			}
			b.screenshot(t, "ticket-"+name)
			b.assertClean(t)
		})
	}
}

func TestBoard_SearchWithAndWithoutJavaScript(t *testing.T) {
	base := baseURL(t)
	for _, js := range []bool{true, false} {
		name := map[bool]string{true: "JavaScript", false: "NoJavaScript"}[js]
		t.Run(name, func(t *testing.T) {
			b := newBrowser(t, 768, 1024, js)
			b.loginKeyboard(t, base, "visor_prov", demo.Password)
			b.do(t, waitVisible("#resultados"))
			all := eval[int](t, b, `document.querySelectorAll('#resultados [data-ticket]').length`)
			if all == 0 {
				t.Fatal("the board lists no tickets")
			}
			// Search for the first card's RUT without dots or dash.
			rutText := b.text(t, "#resultados [data-ticket] th .sub")
			compact := strings.NewReplacer(".", "", "-", "").Replace(rutText)
			b.tabToID(t, "q")
			b.typeKeys(t, compact)
			if !js {
				b.typeKeys(t, kb.Enter)
			}
			b.waitJS(t, `document.querySelectorAll('#resultados [data-ticket]').length === 1`)
			if got := b.text(t, "#resultados [data-ticket]"); !strings.Contains(got, rutText) {
				t.Fatalf("result = %q, want %s", got, rutText)
			}
			// RULES §11: the search never reaches the address bar or the history.
			if href := eval[string](t, b, `location.href`); strings.Contains(href, compact) || strings.Contains(href, "q=") {
				t.Fatalf("the search is in the URL: %s", href)
			}
			// It stays on while the nurse works: a reload shows the same results.
			b.do(t, chromedp.Reload(), waitVisible("#resultados"))
			if n := eval[int](t, b, `document.querySelectorAll('#resultados [data-ticket]').length`); n != 1 {
				t.Fatalf("after a reload the board lists %d tickets, want the 1 found", n)
			}
			b.screenshot(t, "board-search-"+name)
			b.assertClean(t)
		})
	}
}

func TestAccessibility_TicketPages(t *testing.T) {
	base := baseURL(t)
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			b := newBrowser(t, vp.width, vp.height, true)
			b.loginKeyboard(t, base, "admin_prov", demo.Password)
			b.do(t, waitVisible("#resultados"))
			b.screenshot(t, "board-"+vp.name)
			b.assertAxe(t, "board")
			b.do(t, chromedp.Navigate(base+"/tickets/nuevo"), waitVisible("#rut"))
			b.assertAxe(t, "create form")
			b.do(t, chromedp.Click(chromedp.CSS(`button[value="crear"]`)), waitVisible("[data-error-summary]"))
			b.screenshot(t, "create-errors-"+vp.name)
			b.assertAxe(t, "create form with errors")
			b.do(t, chromedp.Navigate(base+"/tablero"), waitVisible("#resultados"))
			href := eval[string](t, b, `[...document.querySelectorAll('#resultados a[href^="/tickets/"]')].find(a => a.offsetParent && /^\/tickets\/\d+$/.test(a.getAttribute('href'))).getAttribute('href')`)
			b.do(t, chromedp.Navigate(base+href), waitVisible("#estado-ticket"))
			b.screenshot(t, "ticket-"+vp.name)
			b.assertAxe(t, "ticket page")
			b.assertClean(t)
		})
	}
}
