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

// visibleFPA is the new-ticket preview's FPA as the nurse sees it (the checked block's text).
const visibleFPA = `[...document.querySelectorAll('#vista-previa .fpa-text')].filter(e => getComputedStyle(e).display !== 'none').map(e => e.textContent).join('|')`

// previewSettled holds when no preview is being recalculated and none is outdated.
const previewSettled = `!document.querySelector('[data-preview][aria-busy]') && !document.querySelector('[data-main-submit][aria-disabled]')`

// TestPreview_OnASlowNetworkShowsWhatIsSaved: with 300 ms of latency, the date and the block
// changed at once, the preview says "Calculando…" and the main submit waits; then the preview
// describes exactly what the submit saves.
func TestPreview_OnASlowNetworkShowsWhatIsSaved(t *testing.T) {
	base := baseURL(t)
	t.Run("Modify", func(t *testing.T) {
		tk := newTicket(t)
		b := newBrowser(t, 768, 1024, true)
		b.loginKeyboard(t, base, "clinico_prov", demo.Password)
		b.do(t, waitVisible("#resultados"), chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, tk.ID)), waitVisible("#modificar-fpa"))
		b.openAction(t, "modificar-fpa")
		b.network(t, 300, false)
		next := fpa.DateOf(tk.FPA).AddDays(1)
		eval[bool](t, b, fmt.Sprintf(`(() => {
			const change = (id, v) => { const el = document.getElementById(id); el.value = v; el.dispatchEvent(new Event('change', {bubbles: true})); };
			change('fpa_fecha', %q);
			change('fpa_bloque', '960');
			return true;
		})()`, next.ISO()))
		// In flight: the box says so and the main submit waits; a click on it does nothing.
		b.waitJS(t, `document.querySelector('#fpa-cambio[aria-busy] .preview-busy:not([hidden])') !== null && document.querySelector('button[value="modificar"]').getAttribute('aria-disabled') === 'true'`)
		b.screenshot(t, "preview-calculating")
		b.do(t, chromedp.Click(chromedp.CSS(`button[value="modificar"]`)))
		b.waitJS(t, previewSettled)
		want := fpa.FormatFPA(next.At(960), fpa.Block{Start: 960, End: 1080})
		if got := b.text(t, "#fpa-cambio"); !strings.Contains(got, "Nueva: "+want) {
			t.Fatalf("preview = %q, want the new FPA %q (%s)", got, want, eval[string](t, b, `document.getElementById('modificar-fpa').outerHTML.slice(0, 3000)`))
		}
		b.do(t,
			chromedp.SetValue(chromedp.CSS("#fpa_razon"), eval[string](t, b, `document.querySelector('#fpa_razon option:nth-child(2)').value`)),
			chromedp.SetValue(chromedp.CSS("#fpa_justificacion"), "Control de herida."),
			chromedp.Click(chromedp.CSS(`button[value="modificar"]`)),
		)
		b.waitJS(t, `document.querySelector('#estado') && document.querySelector('#estado').textContent.includes('FPA modificada exitosamente.')`)
		cur := ticketNow(t, tk.ID)
		if got := fpa.FormatFPA(cur.FPA, fpa.Block{Start: cur.BlockStart, End: cur.BlockEnd}); got != want || cur.ModificationCount != 1 {
			t.Fatalf("saved %q with %d modifications, want %q once", got, cur.ModificationCount, want)
		}
		b.assertClean(t)
	})
	t.Run("Create", func(t *testing.T) {
		b := newBrowser(t, 1366, 768, true)
		b.loginKeyboard(t, base, "clinico_prov", demo.Password)
		b.do(t, waitVisible("#resultados"), chromedp.Navigate(base+"/tickets/nuevo"), waitVisible("#rut"))
		b.network(t, 300, false)
		r, _ := rut.New(40_000_000 + rand.IntN(40_000_000))
		p := time.Now().In(fpa.Santiago).Add(-3 * time.Hour).Truncate(time.Minute)
		b.tabToID(t, "rut")
		b.typeKeys(t, r.Display())
		b.tabToID(t, "nombres")
		b.typeKeys(t, "Marta")
		b.tabToID(t, "apellido_paterno")
		b.typeKeys(t, "Fuentes")
		b.tabToID(t, "cirugia")
		b.typeKeys(t, "Apen")
		b.tabToID(t, "fecha_pabellon")
		b.typeDate(t, fpa.DateOf(p))
		b.tabToID(t, "hora_pabellon")
		b.typeTime(t, p)
		b.typeKeys(t, kb.Tab)
		b.waitJS(t, previewSettled+` && document.querySelectorAll('#vista-previa input[name="bloque"]').length > 0`)
		shown := eval[string](t, b, visibleFPA)
		if want := expectedChoice(t, p, 24); !strings.Contains(b.text(t, "#vista-previa"), "+ 24 h =") || strings.Contains(shown, "|") || shown == "" {
			t.Fatalf("preview shows %q (want one FPA, choices include %q)", shown, want)
		}
		b.do(t, chromedp.Click(chromedp.CSS(`button[value="crear"]`)))
		b.do(t, waitVisible("#estado-ticket"))
		if main := b.text(t, "main"); !strings.Contains(main, shown) {
			t.Fatalf("the ticket saved another FPA than the preview's %q:\n%s", shown, main)
		}
		b.assertClean(t)
	})
}

// TestOffline_FailuresSayWhatFailedAndKeepWhatWasTyped: offline, the board's refresh, the
// search and a modification say so in Spanish next to what failed and offer to retry; nothing
// typed is lost, and the minute's refresh never discards an open inline edit.
func TestOffline_FailuresSayWhatFailedAndKeepWhatWasTyped(t *testing.T) {
	base := baseURL(t)
	tk := newTicket(t)
	b := newBrowser(t, 768, 1024, true)
	b.loginKeyboard(t, base, "clinico_prov", demo.Password)
	b.do(t, waitVisible("#resultados"))
	asOf := eval[string](t, b, `document.querySelector('#resultados').dataset.asOf`)

	t.Run("BoardRefresh", func(t *testing.T) {
		b.network(t, 0, true)
		eval[bool](t, b, `document.dispatchEvent(new Event('tablero')), true`) // as a live event or the minute's timer asks
		b.waitJS(t, `!!document.querySelector('#resultados > .request-failure')`)
		if got := b.text(t, "#resultados > .request-failure"); !strings.Contains(got, "Sin conexión — datos de las "+asOf) || !strings.Contains(got, "Reintentar") {
			t.Fatalf("refresh failure says %q", got)
		}
		b.screenshot(t, "board-offline")
		b.assertAxe(t, "board offline")
		// Back online, the board refreshes by itself.
		b.network(t, 0, false)
		b.waitJS(t, `!document.querySelector('.request-failure') && !!document.querySelector('#resultados [data-ticket]')`)
	})

	t.Run("Search", func(t *testing.T) {
		b.network(t, 0, true)
		b.do(t, chromedp.Focus(chromedp.CSS("#q")))
		b.typeKeys(t, "Hernán")
		b.waitJS(t, `!!document.querySelector('#tablero .request-failure')`)
		if got := b.value(t, "#q"); got != "Hernán" {
			t.Fatalf("typed search lost: %q", got)
		}
		b.network(t, 0, false)
		b.do(t, chromedp.Click(chromedp.CSS("#tablero .request-failure button")))
		b.waitJS(t, `!document.querySelector('.request-failure') && document.querySelector('#resultados').textContent.includes('Hernán')`)
	})

	t.Run("InlineEditSurvivesRefresh", func(t *testing.T) {
		cell := fmt.Sprintf("#ubic-t-%d", tk.ID)
		b.waitJS(t, `!document.querySelector('.htmx-request')`)
		b.clickLive(t, cell+" a.edit")
		b.do(t, waitVisible(cell+" form"))
		b.do(t, chromedp.SetValue(chromedp.CSS(cell+` input[name="cama"]`), "7B"), chromedp.Focus(chromedp.CSS("#q")))
		eval[bool](t, b, `window.resultsBefore = document.querySelector('#resultados'), true`)
		// The minute's refresh, and a change announced by the server: neither touches the edit.
		eval[bool](t, b, `document.dispatchEvent(new Event('tablero')), true`)
		if !eval[bool](t, b, `document.querySelector('#resultados') === window.resultsBefore && document.querySelector('`+cell+` input[name="cama"]').value === '7B'`) {
			t.Fatal("the refresh replaced an open inline edit")
		}
		// Saved, the edit closes and the skipped refresh runs.
		b.do(t, chromedp.Click(chromedp.CSS(cell+` button[type="submit"]`)))
		b.waitJS(t, `document.querySelector('`+cell+`').textContent.includes('Guardado')`)
		if got := b.activeID(t); got != "A" {
			t.Errorf("after saving, the focus is on %q, want the bed's control", got)
		}
		// The focus stays on the saved bed's control, through the refresh too.
		if !b.waitJSFor(t, `document.activeElement === document.querySelector('`+cell+` .edit')`, patience) {
			t.Fatalf("focus on %s", eval[string](t, b, `document.activeElement.outerHTML.slice(0, 300)`))
		}
	})

	t.Run("ModifyOffline", func(t *testing.T) {
		b.do(t, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, tk.ID)), waitVisible("#modificar-fpa"))
		b.openAction(t, "modificar-fpa")
		next := fpa.DateOf(tk.FPA).AddDays(1)
		b.do(t,
			chromedp.SetValue(chromedp.CSS("#fpa_fecha"), next.ISO()),
			chromedp.SetValue(chromedp.CSS("#fpa_bloque"), "600"),
			chromedp.SetValue(chromedp.CSS("#fpa_razon"), eval[string](t, b, `document.querySelector('#fpa_razon option:nth-child(2)').value`)),
			chromedp.SetValue(chromedp.CSS("#fpa_justificacion"), "Dolor no controlado."),
		)
		b.waitJS(t, previewSettled+` && document.querySelector('#fpa-cambio').textContent.includes('`+next.String()+`')`)
		b.network(t, 0, true)
		b.do(t, chromedp.Click(chromedp.CSS(`button[value="modificar"]`)))
		b.waitJS(t, `!!document.querySelector('#modificar-fpa .request-failure')`)
		if got := b.text(t, "#modificar-fpa .request-failure"); !strings.Contains(got, "Sin conexión") {
			t.Fatalf("failure says %q", got)
		}
		if got := b.value(t, "#fpa_justificacion"); got != "Dolor no controlado." {
			t.Fatalf("typed justification lost: %q", got)
		}
		b.screenshot(t, "modify-offline")
		b.network(t, 0, false)
		b.do(t, chromedp.Click(chromedp.CSS("#modificar-fpa .request-failure button")))
		b.waitJS(t, `document.querySelector('#estado') && document.querySelector('#estado').textContent.includes('FPA modificada exitosamente.')`)
		if cur := ticketNow(t, tk.ID); cur.ModificationCount != 1 {
			t.Fatalf("modifications = %d after the retry, want 1", cur.ModificationCount)
		}
	})
	// The browser logs the failed requests themselves; nothing else may be reported.
	b.assertClean(t, "net::ERR_INTERNET_DISCONNECTED", "htmx:error: Failed to fetch")
}

// ticketNow reads a ticket as the superuser sees it.
func ticketNow(t *testing.T, id int64) store.Ticket {
	t.Helper()
	su, err := srv.Store.UserByUsername(context.Background(), demo.SuperuserName)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := srv.Store.Ticket(context.Background(), su.Principal(), id)
	if err != nil {
		t.Fatal(err)
	}
	return cur
}
