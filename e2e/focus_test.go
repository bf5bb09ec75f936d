package e2e

import (
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
)

// focusIndicatorJS describes the focus indicator of the focused element: "" when it has one of
// at least 2 px whose colour contrasts at least 3:1 with the background behind it (WCAG 2.4.7,
// 2.4.11), else what is wrong.
const focusIndicatorJS = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return ''; // past the last control
  const cv = document.createElement('canvas');
  cv.width = cv.height = 1;
  const cx = cv.getContext('2d', {willReadFrequently: true});
  // Any CSS colour (Tailwind's are oklch) as [r, g, b, alpha].
  const rgba = c => {
    cx.clearRect(0, 0, 1, 1);
    cx.fillStyle = 'rgba(0,0,0,0)';
    cx.fillStyle = c;
    cx.fillRect(0, 0, 1, 1);
    const d = cx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[name=' + el.name + ']' : '') +
    (el.textContent ? ' "' + el.textContent.trim().slice(0, 30) + '"' : '');
  const cs = getComputedStyle(el);
  if (cs.outlineStyle === 'none' || parseFloat(cs.outlineWidth) < 2) {
    return name + ': outline ' + cs.outlineStyle + ' ' + cs.outlineWidth;
  }
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  // The background the outline is drawn on: the first ancestor (outside the element, as the
  // outline is drawn outside it) with an opaque background.
  let bg = [255, 255, 255];
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = rgba(getComputedStyle(n).backgroundColor);
    if (c[3] > 0.5) { bg = c.slice(0, 3); break; }
  }
  const fg = rgba(cs.outlineColor).slice(0, 3);
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  const ratio = (hi + 0.05) / (lo + 0.05);
  return ratio >= 3 ? '' : name + ': outline contrast ' + ratio.toFixed(2) + ':1';
})()`

// TestFocus_EveryControlShowsAVisibleIndicator tabs through every control of the board, the
// new-ticket form and a ticket's page, at both sizes, and checks each one's focus indicator.
func TestFocus_EveryControlShowsAVisibleIndicator(t *testing.T) {
	base := baseURL(t)
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			b := newBrowser(t, vp.width, vp.height, true)
			b.loginKeyboard(t, base, "admin_prov", demo.Password)
			b.do(t, waitVisible("#resultados"))
			ticket := eval[string](t, b, `document.querySelector('#resultados .row-link').getAttribute('href')`)
			for _, page := range []struct{ path, ready string }{
				{"/tablero", "#resultados"},
				{"/tickets/nuevo", "#rut"},
				{ticket, "#estado-ticket"},
			} {
				b.do(t, chromedp.Navigate(base+page.path), waitVisible(page.ready))
				total := eval[int](t, b, `[...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])')].filter(e => !e.disabled && e.offsetParent).length`)
				var problems []string
				seen := map[string]bool{}
				for range total + 2 {
					b.typeKeys(t, kb.Tab)
					if p := eval[string](t, b, focusIndicatorJS); p != "" && !seen[p] {
						seen[p] = true
						problems = append(problems, p)
					}
				}
				if len(problems) > 0 {
					t.Errorf("%s: %d controls without a visible focus indicator:\n%s", page.path, len(problems), strings.Join(problems, "\n"))
				}
			}
		})
	}
}

// TestCreateTicket_EnterInAFieldCreates: pressing Enter in any field of the new-ticket form
// submits its main action ("Crear ticket"), with JavaScript and without.
func TestCreateTicket_EnterInAFieldCreates(t *testing.T) {
	base := baseURL(t)
	for _, js := range []bool{true, false} {
		name := map[bool]string{true: "JavaScript", false: "NoJavaScript"}[js]
		t.Run(name, func(t *testing.T) {
			b := newBrowser(t, 768, 1024, js)
			b.loginKeyboard(t, base, "clinico_prov", demo.Password)
			b.do(t, waitVisible("#resultados"))
			b.do(t, chromedp.Navigate(base+"/tickets/nuevo"), waitVisible("#rut"))
			r, _ := rut.New(50_000_000 + rand.IntN(40_000_000))
			p := time.Now().In(fpa.Santiago).Add(-2 * time.Hour)
			eval[bool](t, b, fmt.Sprintf(`(() => {
				const set = (id, v) => { document.getElementById(id).value = v; };
				set('rut', %q); set('nombres', 'Elena'); set('apellido_paterno', 'Rojas');
				set('fecha_pabellon', %q); set('hora_pabellon', %q); set('cama', '21');
				const s = document.getElementById('cirugia');
				s.value = [...s.options].find(o => o.text.startsWith('Apendicectomía')).value;
				return true;
			})()`, r.Display(), p.Format("2006-01-02"), p.Format("15:04")))
			b.do(t, chromedp.Focus(chromedp.CSS("#cama")))
			b.typeKeys(t, kb.Enter)
			// The fields were set without a preview: the server shows the FPA it would save and
			// asks to confirm it; Enter again creates.
			b.waitJS(t, `!!document.querySelector('#vista-previa-error') && document.querySelectorAll('#vista-previa input[name="bloque"]').length > 0`)
			b.do(t, chromedp.Focus(chromedp.CSS("#cama")))
			b.typeKeys(t, kb.Enter)
			b.waitJS(t, `!!document.querySelector('#estado') && document.querySelector('#estado').textContent.includes('creado')`)
		})
	}
}

// TestRefusedAction_LandsOnTheForm: a refused discharge or annulment comes back as the whole
// page, which lands on the refused form (its error summary focused and on screen), not at the
// top of a page 3 000 px long on a tablet.
func TestRefusedAction_LandsOnTheForm(t *testing.T) {
	base := baseURL(t)
	for _, tc := range []struct{ name, section, prepare, submit string }{
		{"discharge", "#registrar-alta", `document.getElementById('alta_hora').value = ''`, `#registrar-alta button[type=submit]`},
		{"annulment", "#anular", `document.getElementById('anular_nota').value = 'x'.repeat(1001)`, `#anular button[type=submit]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := newTicket(t)
			b := newBrowser(t, 768, 1024, true)
			b.loginKeyboard(t, base, "admin_prov", demo.Password)
			b.do(t, waitVisible("#resultados"))
			b.do(t, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, tk.ID)), waitVisible("#estado-ticket"))
			b.openAction(t, strings.TrimPrefix(tc.section, "#"))
			eval[bool](t, b, `(() => { `+tc.prepare+`; return true })()`)
			b.do(t, chromedp.Click(chromedp.CSS(tc.submit)))
			b.waitJS(t, `!!document.activeElement && document.activeElement.hasAttribute('data-error-summary')`)
			where := eval[string](t, b, `(() => {
				const el = document.activeElement, r = el.getBoundingClientRect();
				if (!el.closest('`+tc.section+`')) return 'focus outside the refused form';
				return r.top >= 0 && r.top < innerHeight ? '' : 'the summary is off screen at ' + Math.round(r.top) + ' px';
			})()`)
			if where != "" {
				t.Fatal(where)
			}
			b.screenshot(t, "refused-"+tc.name)
		})
	}
}
