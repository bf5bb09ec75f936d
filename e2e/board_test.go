package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/store"
)

// patientsAboveFold counts the board's tickets wholly visible without scrolling.
const patientsAboveFold = `[...document.querySelectorAll('#resultados [data-ticket]')].filter(r => { const b = r.getBoundingClientRect(); return b.height > 0 && b.top >= 0 && b.bottom <= window.innerHeight; }).length`

// TestBoard_ReadAtAGlance: a tablet shows at least 8 patients without scrolling, a desktop at
// least 10 rows, with JavaScript and without.
func TestBoard_ReadAtAGlance(t *testing.T) {
	base := baseURL(t)
	for range 12 {
		newTicket(t)
	}
	for _, size := range []struct {
		w, h int64
		want int
	}{{768, 1024, 8}, {1366, 768, 10}} {
		for _, js := range []bool{true, false} {
			name := fmt.Sprintf("%dx%d-%s", size.w, size.h, map[bool]string{true: "JavaScript", false: "NoJavaScript"}[js])
			t.Run(name, func(t *testing.T) {
				b := newBrowser(t, size.w, size.h, js)
				b.loginKeyboard(t, base, "clinico_prov", demo.Password)
				b.do(t, waitVisible("#resultados [data-ticket]"))
				b.screenshotViewport(t, "board-"+name)
				if n := eval[int](t, b, patientsAboveFold); n < size.want {
					t.Errorf("%d patients visible without scrolling, want at least %d", n, size.want)
				}
			})
		}
	}
}

// smallTargets lists the board's tappable controls smaller than 44×44 px. A link that covers
// its row (the patient) or its box (the bed's "Editar") is measured by what it covers.
const smallTargets = `[...document.querySelectorAll('main a, main button, main summary, main input:not([type=hidden]), main select')]
	.filter(el => el.checkVisibility({visibilityProperty: true}))
	.map(el => [el, (el.matches('.row-link') ? el.closest('tr') : el.matches('.edit') ? el.closest('.loc') : el).getBoundingClientRect()])
	.filter(([el, r]) => r.width < 44 || r.height < 44)
	.map(([el, r]) => (el.id || el.className || el.tagName) + ' ' + Math.round(r.width) + '×' + Math.round(r.height))`

// TestBoard_TouchTargetsAndMemory: at 768 px every control is at least 44×44 px; the ward
// and the layout a nurse chooses are remembered (by the user, across sign-ins), and "Volver
// al tablero" returns to the board as it was, filters included.
func TestBoard_TouchTargetsAndMemory(t *testing.T) {
	base := baseURL(t)
	tk := newTicket(t)
	ward := fmt.Sprintf("Sala %d", tk.ID)
	ctx := context.Background()
	u, err := srv.Store.UserByUsername(ctx, "clinico_prov")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Store.UpdateLocation(ctx, u.Principal(), store.Change{TicketID: tk.ID, Version: tk.Version},
		store.LocationInput{Bed: "12B", Room: "301", Location: ward}, time.Now()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Store.SaveBoardPreferences(ctx, u.Principal(), "", "") })
	for _, js := range []bool{true, false} {
		name := map[bool]string{true: "JavaScript", false: "NoJavaScript"}[js]
		t.Run(name, func(t *testing.T) {
			b := newBrowser(t, 768, 1024, js)
			b.loginKeyboard(t, base, "clinico_prov", demo.Password)
			b.do(t, waitVisible("#resultados [data-ticket]"))
			if small := eval[[]string](t, b, smallTargets); len(small) > 0 {
				t.Errorf("controls under 44×44 px: %v", small)
			}
			if js { // axe runs in the page: with JavaScript (the markup is the same without)
				b.assertAxe(t, "board "+name)
			}
			// Filtros: choose the ward and the newest first.
			b.do(t, chromedp.Click(chromedp.CSS(".board-more > summary")), waitVisible("#f-ubicacion"))
			b.do(t, chromedp.SetValue(chromedp.CSS("#f-ubicacion"), ward), chromedp.SetValue(chromedp.CSS("#orden"), "creacion"))
			if !js {
				b.do(t, chromedp.Click(chromedp.CSS(`.board-more button.btn-primary`)))
			}
			if !b.waitJSFor(t, `document.querySelectorAll('#resultados [data-ticket]').length === 1`, patience) {
				t.Fatalf("after choosing the ward: %s", eval[string](t, b, `location.href + ' | ' + (document.querySelector('#resultados-titulo') || {}).textContent + ' | ward ' + (document.querySelector('#f-ubicacion') || {}).value + ' | ' + [...document.querySelectorAll('#f-ubicacion option')].map(o => o.value).join(',')`))
			}
			if got := b.text(t, ".board-more > summary"); !strings.Contains(got, "1") {
				t.Errorf("Filtros says %q, want one filter active", got)
			}
			b.screenshotViewport(t, "board-ward-"+name)
			// The ticket, and back: the same board.
			b.do(t, chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-ticket="%d"] .row-link`, tk.ID))), waitVisible("#estado-ticket"))
			b.do(t, chromedp.Click(chromedp.CSS(`main a[href^="/tablero"]`)), waitVisible("#resultados [data-ticket]"))
			if n := eval[int](t, b, `document.querySelectorAll('#resultados [data-ticket]').length`); n != 1 {
				t.Fatalf("back on the board, %d tickets: the filters were lost", n)
			}
			// Another sign-in, on another device: the ward is remembered; the layout too.
			b.do(t, chromedp.Click(chromedp.CSS(".board-more > summary")), chromedp.Click(chromedp.CSS(`button[form="vista-tablero"][aria-pressed="false"]`)))
			b.waitJS(t, `document.querySelector('#resultados').dataset.view !== ''`)
			view := eval[string](t, b, `document.querySelector('#resultados').dataset.view`)
			c := newBrowser(t, 1366, 768, js)
			c.loginKeyboard(t, base, "clinico_prov", demo.Password)
			c.do(t, waitVisible("#resultados [data-ticket]"))
			if n := eval[int](t, c, `document.querySelectorAll('#resultados [data-ticket]').length`); n != 1 {
				t.Errorf("a new sign-in shows %d tickets: the ward was not remembered", n)
			}
			if got := eval[string](t, c, `document.querySelector('#resultados').dataset.view`); got != view {
				t.Errorf("a new sign-in shows the %q layout, want %q", got, view)
			}
			c.screenshotViewport(t, "board-remembered-"+name)
			// Limpiar filtros forgets the ward.
			c.do(t, chromedp.Click(chromedp.CSS(".board-more > summary")), waitVisible(`button[form="limpiar-filtros"]`),
				chromedp.Click(chromedp.CSS(`button[form="limpiar-filtros"]`)))
			if !c.waitJSFor(t, `document.querySelectorAll('#resultados [data-ticket]').length > 1`, patience) {
				t.Fatalf("after Limpiar filtros: %s", eval[string](t, c, `location.href + ' | ' + (document.querySelector('h1') || {}).textContent + ' | ' + (document.querySelector('#resultados-titulo') || {}).textContent`))
			}
			if w, err := srv.Store.UserByUsername(ctx, "clinico_prov"); err != nil || w.BoardWard != "" {
				t.Fatalf("after Limpiar filtros the remembered ward is %q (%v)", w.BoardWard, err)
			}
			if err := srv.Store.SaveBoardPreferences(ctx, u.Principal(), "", ""); err != nil {
				t.Fatal(err)
			}
			b.assertClean(t)
		})
	}
}
