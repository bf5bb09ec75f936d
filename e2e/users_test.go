package e2e

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/redsalud/ticket-home/demo"
)

// An admin creates a user by keyboard alone (a refused password first), and the new user signs
// in with it; with and without JavaScript; axe-core finds nothing on the users' pages.
func TestUsers_CreateByKeyboardThenSignInAsThem(t *testing.T) {
	base := baseURL(t)
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
			b := newBrowser(t, tc.width, tc.height, tc.js)
			axe := func(label string) {
				if tc.js {
					b.assertAxe(t, label)
				}
			}
			name := fmt.Sprintf("tens.%d", rand.IntN(1_000_000))
			const pw = "cuidados de la tarde en pabellón"
			b.loginKeyboard(t, base, "admin_elqu", demo.Password)
			b.do(t, waitVisible("#resultados"))
			b.tabTo(t, "the Usuarios link", "el && el.getAttribute('href') === '/usuarios'")
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#usuarios"))
			axe("users list")
			b.tabTo(t, "Agregar usuario", "el && el.getAttribute('href') === '/usuarios/nuevo'")
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#usuario"))
			b.tabToID(t, "usuario")
			b.typeKeys(t, name)
			b.tabToID(t, "rol")
			b.typeKeys(t, kb.ArrowDown) // Usuario Clínico
			b.tabToID(t, "contrasena")
			b.typeKeys(t, "corta")
			b.tabToID(t, "confirmacion")
			b.typeKeys(t, "corta")
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#contrasena-error"))
			if v := b.value(t, "#usuario"); v != name {
				t.Fatalf("the refused form lost the username: %q", v)
			}
			axe("new user with an error")
			b.screenshot(t, "user-error-"+tc.name)
			b.tabToID(t, "contrasena")
			b.typeKeys(t, pw)
			b.tabToID(t, "confirmacion")
			b.typeKeys(t, pw)
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#usuarios"))
			if got := b.text(t, "#estado"); got != "Usuario "+name+" guardado." {
				t.Fatalf("after saving the status says %q", got)
			}
			b.do(t, chromedp.Focus(chromedp.CSS(`form[action="/logout"] button`)))
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#username"))
			b.loginKeyboard(t, base, name, pw)
			b.do(t, waitVisible("#resultados"))
			if got := b.text(t, "header"); !strings.Contains(got, name) || !strings.Contains(got, "Usuario Clínico") {
				t.Fatalf("signed in as %q", got)
			}
			b.do(t, chromedp.Navigate(base+"/cuenta/contrasena"), waitVisible("#actual"))
			b.tabToID(t, "actual")
			b.typeKeys(t, "no es esta")
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#actual-error"))
			axe("own password with an error")
			b.assertClean(t)
		})
	}
}
