package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/redsalud/ticket-home/demo"
)

// download is one file the browser fetched with its session, as the link gives it.
type download struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Body        string `json:"body"` // base64
}

// fetchLink fetches the href of the link sel as the page's own session would.
func fetchLink(t *testing.T, b *browser, sel string) download {
	t.Helper()
	out := eval[string](t, b, fmt.Sprintf(`(async () => {
	  const r = await fetch(document.querySelector(%q).href, {credentials: 'same-origin'});
	  const bytes = new Uint8Array(await r.arrayBuffer());
	  let bin = ''; for (const x of bytes) bin += String.fromCharCode(x);
	  return JSON.stringify({status: r.status, type: r.headers.get('content-type'),
	    disposition: r.headers.get('content-disposition'), body: btoa(bin)});
	})()`, sel), chromedp.EvalAwaitPromise)
	var d download
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// The board's Excel, its shift sheet and a ticket's printed sheet, from the links the pages
// show, with JavaScript and without (plain links); the printed sheet's first page is kept as
// a PNG beside the screenshots.
func TestDownloads_FromTheBoardAndTheTicket(t *testing.T) {
	base := baseURL(t)
	tk := newTicket(t)
	for _, js := range []bool{true, false} {
		t.Run(fmt.Sprintf("JavaScript=%v", js), func(t *testing.T) {
			b := newBrowser(t, 1366, 768, js)
			b.loginKeyboard(t, base, "clinico_prov", demo.Password)
			b.do(t, waitVisible(".board-exports"))
			for _, l := range []struct{ sel, typ, name string }{
				{`.board-exports a[href^="/tablero/exportar"]`, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment; filename=\"tickets_PROV_"},
				{`.board-exports a[href^="/tablero/turno"]`, "application/pdf", "inline; filename=\"turno_PROV_"},
			} {
				d := fetchLink(t, b, l.sel)
				if d.Status != 200 || d.Type != l.typ || !strings.HasPrefix(d.Disposition, l.name) || len(d.Body) < 1000 {
					t.Fatalf("%s: %d %q %q (%d bytes)", l.sel, d.Status, d.Type, d.Disposition, len(d.Body))
				}
			}
			b.do(t, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, tk.ID)), waitVisible("h1"))
			d := fetchLink(t, b, `a[href$="/imprimir"]`)
			if d.Status != 200 || d.Type != "application/pdf" || d.Disposition != `inline; filename="`+tk.Code+`.pdf"` {
				t.Fatalf("the printed sheet: %d %q %q", d.Status, d.Type, d.Disposition)
			}
			if dir := os.Getenv("E2E_SCREENSHOTS"); dir != "" && js {
				pdf, err := base64.StdEncoding.DecodeString(d.Body)
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(dir, "programacion-del-alta.pdf")
				if err := os.WriteFile(path, pdf, 0o644); err != nil {
					t.Fatal(err)
				}
				if out, err := exec.Command("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", path,
					strings.TrimSuffix(path, ".pdf")).CombinedOutput(); err != nil {
					t.Fatalf("pdftoppm (poppler-utils; scripts/install-deps.sh): %v %s", err, out)
				}
			}
			b.assertClean(t)
		})
	}
}
