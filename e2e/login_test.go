package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/redsalud/ticket-home/demo"
)

var viewports = []struct {
	name          string
	width, height int64
}{
	{"tablet", 768, 1024},
	{"desktop", 1366, 768},
}

func TestLogin_KeyboardOnlyThenCatalog(t *testing.T) {
	base := baseURL(t)
	for _, js := range []bool{true, false} {
		name := map[bool]string{true: "JavaScript", false: "NoJavaScript"}[js]
		t.Run(name, func(t *testing.T) {
			b := newBrowser(t, 1366, 768, js)
			b.loginKeyboard(t, base, "clinico_prov", demo.Password)
			b.do(t, waitVisible("#resultados"))
			// To the catalog through the navigation, by keyboard.
			b.tabTo(t, "the Catálogo link", "el && el.getAttribute('href') === '/catalogo'")
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#cirugias"))
			if h := b.text(t, "h1"); h != "Catálogo de la clínica" {
				t.Fatalf("after sign-in h1 = %q", h)
			}
			if got := b.text(t, "header"); !strings.Contains(got, "Clínica RedSalud Providencia") {
				t.Fatalf("header = %q", got)
			}
			if got := b.text(t, "#cirugias"); !strings.Contains(got, "Artroscopia de rodilla") || !strings.Contains(got, "16:00") {
				t.Fatalf("surgeries table = %q", got)
			}
			rows := eval[int](t, b, `document.querySelectorAll('#bloques tbody tr').length`)
			if rows != 12 {
				t.Fatalf("blocks rows = %d", rows)
			}
			// Sign out with the keyboard too.
			b.do(t, chromedp.Focus(chromedp.CSS(`form[action="/logout"] button`)))
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#username"))
			if got := b.text(t, "main"); !strings.Contains(got, "Sesión cerrada.") {
				t.Fatalf("after sign-out: %q", got)
			}
			b.assertClean(t)
		})
	}
}

func TestLogin_WrongPasswordKeepsUsernameAndFocusesSummary(t *testing.T) {
	base := baseURL(t)
	b := newBrowser(t, 768, 1024, true)
	b.loginKeyboard(t, base, "admin_prov", "equivocada")
	b.do(t, waitVisible("[data-error-summary]"))
	if got := b.text(t, "[data-error-summary]"); !strings.Contains(got, "Usuario o contraseña incorrectos.") {
		t.Fatalf("summary = %q", got)
	}
	if v := b.value(t, "#username"); v != "admin_prov" {
		t.Fatalf("username kept = %q", v)
	}
	if !eval[bool](t, b, `document.activeElement === document.querySelector('[data-error-summary]')`) {
		t.Fatal("focus is not on the error summary")
	}
	b.assertClean(t)
}

func TestAccessibility_LoginAndCatalog(t *testing.T) {
	base := baseURL(t)
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			b := newBrowser(t, vp.width, vp.height, true)
			b.do(t, chromedp.Navigate(base+"/login"), waitVisible("#username"))
			b.screenshot(t, "login-"+vp.name)
			b.assertAxe(t, "sign-in")
			b.do(t,
				chromedp.SendKeys(chromedp.CSS("#username"), "visor_prov"),
				chromedp.SendKeys(chromedp.CSS("#password"), "mala"),
				chromedp.Submit(chromedp.CSS("#password")),
				waitVisible("[data-error-summary]"),
			)
			b.screenshot(t, "login-error-"+vp.name)
			b.assertAxe(t, "sign-in with an error")
			b.do(t,
				chromedp.SetValue(chromedp.CSS("#password"), demo.Password),
				chromedp.Submit(chromedp.CSS("#password")),
				waitVisible("#resultados"),
				chromedp.Navigate(base+"/catalogo"),
				waitVisible("#cirugias"),
			)
			b.screenshot(t, "catalog-"+vp.name)
			b.assertAxe(t, "catalog")
			b.assertClean(t)
		})
	}
	t.Run("superuser all clinics", func(t *testing.T) {
		b := newBrowser(t, 1366, 768, true)
		b.do(t, chromedp.Navigate(base+"/login"), waitVisible("#username"),
			chromedp.SendKeys(chromedp.CSS("#username"), "superadmin"),
			chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
			chromedp.Submit(chromedp.CSS("#password")),
			waitVisible("#resultados"),
			chromedp.Navigate(base+"/catalogo?clinica=todas"),
			waitVisible("#cirugias"),
		)
		b.assertAxe(t, "catalog, all clinics")
		b.assertClean(t)
	})
}

func TestSkipLink_FirstTabThenEnterMovesToMain(t *testing.T) {
	base := baseURL(t)
	b := newBrowser(t, 768, 1024, true)
	b.loginKeyboard(t, base, "visor_prov", demo.Password)
	b.do(t, waitVisible("#resultados"))
	b.typeKeys(t, kb.Tab)
	if got := eval[string](t, b, `document.activeElement.getAttribute('href') || ''`); got != "#contenido" {
		t.Fatalf("first Tab on the board focused %q, want the skip link", got)
	}
	b.typeKeys(t, kb.Enter)
	if got := b.activeID(t); got != "contenido" {
		t.Fatalf("the skip link moved focus to %q, want main", got)
	}
	b.assertClean(t)
}
