package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/internal/testapp"
)

// An admin keeps the catalog by keyboard alone, with and without JavaScript: a surgery
// refused and then created, a discharge block deactivated, the thresholds' form; axe-core
// finds nothing on any of these pages or their error states.
func TestCatalogAdmin_KeyboardOnlySurgeryAndBlock(t *testing.T) {
	base := baseURL(t)
	db := testapp.AdminDB(t)
	for _, tc := range []struct {
		name          string
		js            bool
		width, height int64
		admin, code   string
	}{
		{"JavaScript768", true, 768, 1024, "admin_ranc", "RANC"},
		{"JavaScript1366", true, 1366, 768, "admin_ranc", "RANC"},
		{"NoJavaScript", false, 1366, 768, "admin_vita", "VITA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			surgery := "Meniscectomía " + tc.name
			t.Cleanup(func() {
				db.Exec(`DELETE FROM surgeries WHERE name = $1`, surgery)
				db.Exec(`UPDATE discharge_blocks SET active = true WHERE clinic_id = (SELECT id FROM clinics WHERE code = $1)`, tc.code)
			})
			b := newBrowser(t, tc.width, tc.height, tc.js)
			axe := func(label string) {
				if tc.js { // axe-core runs as a script
					b.assertAxe(t, label)
				}
			}
			b.loginKeyboard(t, base, tc.admin, demo.Password)
			b.do(t, waitVisible("#resultados"))
			b.tabTo(t, "the Catálogo link", "el && el.getAttribute('href') === '/catalogo'")
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#cirugias"))
			axe("catalog with the administration's controls")
			b.screenshot(t, "catalog-admin-"+tc.name)

			b.tabTo(t, "Agregar cirugía", "el && el.getAttribute('href') === '/catalogo/cirugias/nueva'")
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#especialidad"))
			b.tabToID(t, "especialidad")
			b.typeKeys(t, kb.ArrowDown)
			b.tabToID(t, "nombre")
			b.typeKeys(t, surgery)
			b.tabToID(t, "horas")
			b.typeKeys(t, "0")
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#horas-error"))
			if got := b.activeID(t); got != "DIV" && !strings.Contains(b.text(t, "[data-error-summary]"), "horas base") {
				t.Fatalf("after the refused submit focus is on %q", got)
			}
			if v := b.value(t, "#nombre"); v != surgery {
				t.Fatalf("the refused form lost the name: %q", v)
			}
			axe("new surgery with an error")
			b.screenshot(t, "surgery-error-"+tc.name)
			b.tabToID(t, "horas")
			b.typeKeys(t, kb.Backspace+"12,5")
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#cirugias"))
			if got := b.text(t, "#estado"); got != "Cirugía guardada." || !strings.Contains(b.text(t, "#cirugias"), surgery) {
				t.Fatalf("after saving the status says %q", got)
			}

			// Deactivate the 00:00–02:00 block by keyboard.
			b.tabTo(t, "Desactivar 00:00–02:00", "el && el.tagName === 'BUTTON' && el.textContent.includes('Desactivar') && el.textContent.includes('00:00')")
			b.typeKeys(t, kb.Enter)
			b.waitJS(t, `document.querySelector("#estado").textContent.trim() === "Bloque desactivado."`)
			if row := b.text(t, "#bloques tbody tr:first-child"); !strings.Contains(row, "Inactivo") || !strings.Contains(row, "Reactivar") {
				t.Fatalf("the block's row says %q", row)
			}
			var active int
			if err := db.QueryRow(`SELECT count(*) FROM discharge_blocks b JOIN clinics c ON c.id = b.clinic_id WHERE c.code = $1 AND b.active`, tc.code).Scan(&active); err != nil || active != 11 {
				t.Fatalf("active blocks = %d (%v), want 11", active, err)
			}

			b.do(t, chromedp.Navigate(base+"/catalogo/umbrales"), waitVisible("#critico"))
			b.tabToID(t, "critico")
			b.typeKeys(t, kb.Backspace+kb.Backspace+"9")
			b.typeKeys(t, kb.Enter)
			b.do(t, waitVisible("#advertencia-error"))
			axe("thresholds with an error")
			b.assertClean(t)
		})
	}
}
