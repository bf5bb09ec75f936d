package handlers_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

// pdfText is a PDF's text as poppler's pdftotext lays it out, and its number of pages.
func pdfText(t *testing.T, pdf []byte) (string, int) {
	t.Helper()
	for _, tool := range []string{"pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found (poppler-utils): run scripts/install-deps.sh", tool)
		}
	}
	path := filepath.Join(t.TempDir(), "f.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	info, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo: no page count in %s", info)
	}
	pages := 0
	for _, d := range m[1] {
		pages = pages*10 + int(d-'0')
	}
	return string(text), pages
}

// The patient's sheet: first name and surname initial, never the RUT; the original FPA and,
// once changed, the new one; named by the code; audited; none for an annulled ticket; another
// clinic's ticket is not found.
func TestPrintTicket_SheetForThePatient(t *testing.T) {
	e := newEnv(t)
	surname, tks := exportedTickets(t, e, "clinico_prov", 2)
	tk := tks[0]
	ctx := context.Background()
	admin, err := e.st.UserByUsername(ctx, "admin_prov")
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	c.login("visor_prov") // readers print too
	path := "/tickets/" + itoa(tk.ID) + "/imprimir"
	pdf := download(t, c, path, "application/pdf", regexp.MustCompile(`^inline; filename="`+tk.Code+`\.pdf"$`))
	text, pages := pdfText(t, pdf)
	if pages != 1 {
		t.Errorf("%d pages", pages)
	}
	r, _ := rut.Parse(tk.RUT)
	for _, want := range []string{"Programación del alta", tk.Code, "Ana E.", tk.ClinicName, fpa.FormatDate(tk.OriginalFPA),
		fpa.Block{Start: tk.OriginalStart, End: tk.OriginalEnd}.Label(), "Firma médico tratante", "visor_prov"} {
		if !strings.Contains(text, want) {
			t.Errorf("the sheet lacks %q:\n%s", want, text)
		}
	}
	for _, never := range []string{r.Display(), r.Canonical(), strconv.Itoa(r.Body()), surname} {
		if strings.Contains(text, never) {
			t.Errorf("the sheet shows %q", never)
		}
	}
	if strings.Contains(text, "Nueva fecha") {
		t.Error("an unchanged ticket shows a new date")
	}
	if e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'print_ticket' AND entity_id = $1`, tk.ID) != 1 {
		t.Error("printing is not audited")
	}

	// Changed: the new date and block beside the original.
	reason := e.count(t, `SELECT min(id) FROM reasons WHERE clinic_id = $1 AND category = 'modification'`, tk.ClinicID)
	newDate := fpa.DateOf(tk.FPA).AddDays(2)
	if _, err := e.st.ModifyFPA(ctx, admin.Principal(), store.Change{TicketID: tk.ID, Version: tk.Version},
		store.ModifyInput{Date: newDate, BlockStart: tk.BlockStart, ReasonID: int64(reason), Justification: "evolución lenta"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	text, _ = pdfText(t, download(t, c, path, "application/pdf", regexp.MustCompile(tk.Code)))
	if !strings.Contains(text, "Nueva fecha") || !strings.Contains(text, fpa.FormatDate(newDate.At(tk.BlockStart))) || !strings.Contains(text, fpa.FormatDate(tk.OriginalFPA)) {
		t.Errorf("changed ticket's sheet:\n%s", text)
	}
	if strings.Contains(text, "evolución lenta") {
		t.Error("the sheet prints the justification")
	}

	// Annulled: a message, no PDF, nothing audited.
	other := tks[1]
	annul := e.count(t, `SELECT min(id) FROM reasons WHERE clinic_id = $1 AND category = 'annulment'`, tk.ClinicID)
	if _, err := e.st.AnnulTicket(ctx, admin.Principal(), store.Change{TicketID: other.ID, Version: other.Version}, int64(annul), "duplicado", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp := c.get("/tickets/" + itoa(other.ID) + "/imprimir")
	if resp.StatusCode != http.StatusConflict || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("annulled: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if msg := doc(t, resp).Find("h1").Text(); msg != "Ticket anulado" {
		t.Errorf("annulled: %q", msg)
	}
	if e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'print_ticket' AND entity_id = $1`, other.ID) != 0 {
		t.Error("an annulled ticket's refused sheet is audited as printed")
	}
	// The ticket page offers the sheet only for a ticket that is not annulled.
	if doc(t, c.get("/tickets/"+itoa(tk.ID))).Find(`a[href="`+path+`"]`).Length() != 1 {
		t.Error("the ticket page has no link to its sheet")
	}
	if doc(t, c.get("/tickets/"+itoa(other.ID))).Find(`a[href$="/imprimir"]`).Length() != 0 {
		t.Error("an annulled ticket's page offers its sheet")
	}

	// Another clinic's reader: not found.
	v := e.client(t)
	v.login("visor_valp")
	if resp := v.get(path); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another clinic: %d", resp.StatusCode)
	}
}

// The shift sheet lists the board's tickets sorted by bed as people read beds (8, 9, 10),
// with full names, the filters in its header; audited.
func TestShiftSheet_TheBoardSortedByBed(t *testing.T) {
	e := newEnv(t)
	surname, tks := exportedTickets(t, e, "clinico_prov", 3) // beds 10, 9, 8
	c := e.client(t)
	c.login("clinico_prov")
	c.search(surname, nil)
	pdf := download(t, c, "/tablero/turno", "application/pdf", regexp.MustCompile(`^inline; filename="turno_PROV_\d{4}-\d{2}-\d{2}\.pdf"$`))
	text, pages := pdfText(t, pdf)
	if pages != 1 {
		t.Errorf("%d pages", pages)
	}
	for _, want := range []string{"Lista del turno", "Búsqueda: " + surname, "clinico_prov", "Total: 3"} {
		if !strings.Contains(text, want) {
			t.Errorf("the sheet lacks %q:\n%s", want, text)
		}
	}
	last := -1
	for _, i := range []int{2, 1, 0} { // beds 8, 9, 10
		at := strings.Index(text, tks[i].Code)
		if at < 0 || at < last {
			t.Fatalf("bed %s (%s) missing or out of order:\n%s", tks[i].Bed, tks[i].Code, text)
		}
		last = at
	}
	if !strings.Contains(text, "Ana "+surname) {
		t.Errorf("the ward's sheet shows full names:\n%s", text)
	}
	if e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'export_shift' AND details->>'search' = $1 AND (details->>'rows')::int = 3`, surname) != 1 {
		t.Fatal("the shift sheet is not audited with its filters")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
