package handlers_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"github.com/redsalud/ticket-home/rut"
)

func TestAudit_PatientAccessReportByRUTInAnyFormat(t *testing.T) {
	e := newEnv(t)
	tk := ticketBy(t, e, "clinico_prov")
	other := ticketBy(t, e, "clinico_prov")
	viewer := e.client(t)
	viewer.login("visor_prov")
	if resp := viewer.get(fmt.Sprintf("/tickets/%d", tk.ID)); resp.StatusCode != http.StatusOK {
		t.Fatalf("view = %d", resp.StatusCode)
	}
	viewer.get(fmt.Sprintf("/tickets/%d", other.ID))

	admin := e.client(t)
	admin.login("admin_prov")
	page := doc(t, admin.get("/auditoria"))
	if got := page.Find("#registros tbody").Text(); !strings.Contains(got, "visor_prov") || strings.Contains(got, "_valp") {
		t.Fatalf("the clinic's audit log: %q", got)
	}
	tok, _ := page.Find(`#filtros-auditoria input[name="_csrf"]`).Attr("value")
	r, _ := rut.Parse(tk.RUT)
	form := url.Values{"_csrf": {tok}, "rut": {r.Display()}}
	resp := admin.post("/auditoria", form)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("filter = %d", resp.StatusCode)
	}
	d := doc(t, resp)
	rows := d.Find("#registros tbody tr")
	if rows.Length() == 0 {
		t.Fatal("the access report is empty")
	}
	sawView := false
	rows.Each(func(_ int, row *goquery.Selection) {
		text := row.Text()
		if !strings.Contains(text, tk.Code) {
			t.Errorf("a row of another record: %q", text)
		}
		sawView = sawView || (strings.Contains(text, "visor_prov") && strings.Contains(text, "Vista de ticket"))
	})
	if !sawView {
		t.Fatal("the report does not say visor_prov saw the ticket")
	}
	// The RUT never goes into a URL: not in the form's addresses, not in any link.
	html, _ := d.Html()
	for _, attr := range []string{"href", "action", "formaction", "hx-get", "hx-post"} {
		d.Find("[" + attr + "]").Each(func(_ int, s *goquery.Selection) {
			if v, _ := s.Attr(attr); strings.Contains(v, strconv.Itoa(r.Body())) {
				t.Errorf("%s carries the RUT: %q", attr, v)
			}
		})
	}
	if !strings.Contains(html, r.Display()) {
		t.Error("the filter form lost the RUT typed")
	}
	// Same report, RUT typed without dots nor dash.
	resp = admin.post("/auditoria", url.Values{"_csrf": {tok}, "rut": {strings.NewReplacer(".", "", "-", "").Replace(r.Display())}})
	if got := doc(t, resp).Find("#registros tbody tr").Length(); got != rows.Length() {
		t.Fatalf("compact RUT: %d rows, want %d", got, rows.Length())
	}

	// Exported: the same rows, as XLSX, audited.
	resp = admin.post("/auditoria/exportar", form)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("export = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="auditoria_PROV_`) || strings.Contains(cd, strconv.Itoa(r.Body())) {
		t.Fatalf("file name: %q", cd)
	}
	body, _ := io.ReadAll(resp.Body)
	x, err := excelize.OpenReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	sheet, err := x.GetRows("Auditoría")
	if err != nil {
		t.Fatal(err)
	}
	if len(sheet) != rows.Length()+1 || sheet[0][0] != "Fecha" {
		t.Fatalf("workbook: %d rows (want %d + header), header %v", len(sheet), rows.Length(), sheet[0])
	}
	if e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'export_audit' AND details->>'patient_rut' = $1`, r.Canonical()) != 1 {
		t.Fatal("the export is not audited with its filters")
	}

	// Another clinic's admin learns nothing of this patient.
	valp := e.client(t)
	valp.login("admin_valp")
	vtok, _ := doc(t, valp.get("/auditoria")).Find(`#filtros-auditoria input[name="_csrf"]`).Attr("value")
	if got := doc(t, valp.post("/auditoria", url.Values{"_csrf": {vtok}, "rut": {r.Display()}})).Find("#registros tbody tr").Length(); got != 0 {
		t.Fatalf("another clinic's admin sees %d rows", got)
	}
}

func TestAudit_FiltersRefuseBadInputAndPagesClamp(t *testing.T) {
	e := newEnv(t)
	admin := e.client(t)
	admin.login("admin_prov")
	tok, _ := doc(t, admin.get("/auditoria")).Find(`#filtros-auditoria input[name="_csrf"]`).Attr("value")
	for _, tc := range []struct{ field, value string }{
		{"desde", "31/02/2026"},
		{"hasta", "mañana"},
		{"usuario", "x"},
		{"tipo", "drop table"},
		{"codigo", "TH-PROV"},
		{"rut", "12.345.678-9"},
		{"rut", "12\x00345"},
	} {
		resp := admin.post("/auditoria", url.Values{"_csrf": {tok}, tc.field: {tc.value}})
		if msg, _ := fieldError(t, resp, tc.field); resp.StatusCode != http.StatusUnprocessableEntity || msg == "" {
			t.Errorf("%s=%q: %d %q", tc.field, tc.value, resp.StatusCode, msg)
		}
	}
	resp := admin.post("/auditoria", url.Values{"_csrf": {tok}, "desde": {"05/12/2026"}, "hasta": {"01/12/2026"}})
	if msg, _ := fieldError(t, resp, "hasta"); msg != "La fecha final es anterior a la inicial." {
		t.Errorf("reversed range: %q", msg)
	}
	resp = admin.post("/auditoria", url.Values{"_csrf": {tok}, "pagina": {"999999"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("page beyond the last = %d", resp.StatusCode)
	}
	if h := doc(t, resp).Find("#registros-titulo").Text(); !strings.Contains(h, "página") {
		t.Fatalf("heading: %q", h)
	} else {
		var page, pages int
		fmt.Sscanf(h[strings.Index(h, "página"):], "página %d de %d", &page, &pages)
		if page != pages || page == 0 {
			t.Fatalf("page beyond the last shows %q", h)
		}
	}
	for _, u := range []string{"clinico_prov", "visor_prov"} {
		c := e.client(t)
		c.login(u)
		if resp := c.get("/auditoria"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s GET /auditoria = %d", u, resp.StatusCode)
		}
	}
}
