package handlers_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

// exportedTickets creates n tickets in the clinic of username for patients of a surname no
// other patient has, and returns that surname.
func exportedTickets(t *testing.T, e *env, username string, n int) (string, []store.Ticket) {
	t.Helper()
	ctx := context.Background()
	u, err := e.st.UserByUsername(ctx, username)
	if err != nil {
		t.Fatal(err)
	}
	surname := "Exportado" + strings.Map(func(r rune) rune { return 'a' + r%26 }, fmt.Sprint(rand.Int64()))[:8]
	sid := e.count(t, `SELECT id FROM surgeries WHERE clinic_id = $1 AND name = 'Apendicectomía laparoscópica'`, u.ClinicID)
	now := time.Now()
	var out []store.Ticket
	for i := range n {
		r, _ := rut.New(30_000_000 + rand.IntN(60_000_000))
		tk, err := e.st.CreateTicket(ctx, u.Principal(), u.ClinicID, store.NewTicket{
			Patient:   store.PatientInput{RUT: r.Canonical(), FirstNames: "Ana", LastNameFather: surname, Age: -1},
			SurgeryID: int64(sid), PavilionEnd: now.Add(-time.Duration(20+i) * time.Hour), BlockStart: -1,
			Bed: fmt.Sprint(10 - i), Location: "=Piso 3",
		}, now)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tk)
	}
	return surname, out
}

// download GETs an export and checks its type and file name.
func download(t *testing.T, c *client, path, contentType string, name *regexp.Regexp) []byte {
	t.Helper()
	resp := c.get(path)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentType {
		t.Fatalf("GET %s = %d %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cd := resp.Header.Get("Content-Disposition"); !name.MatchString(cd) {
		t.Fatalf("GET %s: Content-Disposition %q", path, cd)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// boardCodes are the ticket codes a board page shows, in order.
func boardCodes(d *goquery.Document) []string {
	var codes []string
	d.Find("table.board tbody td.c-code").Each(func(_ int, s *goquery.Selection) { codes = append(codes, s.Text()) })
	return codes
}

// The workbook holds exactly the tickets the board shows — the search kept in the session, the
// states of the URL — in the board's order, with the columns the ward asked for.
func TestBoardExport_WorkbookIsTheBoard(t *testing.T) {
	e := newEnv(t)
	surname, tks := exportedTickets(t, e, "clinico_prov", 3)
	ctx := context.Background()
	admin, err := e.st.UserByUsername(ctx, "admin_prov")
	if err != nil {
		t.Fatal(err)
	}
	// The first ticket moved a day later, its justification looking like a formula.
	tk := tks[0]
	reason := e.count(t, `SELECT min(id) FROM reasons WHERE clinic_id = $1 AND category = 'modification'`, tk.ClinicID)
	now := time.Now()
	if _, err := e.st.ModifyFPA(ctx, admin.Principal(), store.Change{TicketID: tk.ID, Version: tk.Version},
		store.ModifyInput{Date: fpa.DateOf(tk.FPA).AddDays(1), BlockStart: tk.BlockStart, ReasonID: int64(reason), Justification: "=1+1 evolución lenta"}, now); err != nil {
		t.Fatal(err)
	}
	// Annulled: shown only under "Todos".
	annul := e.count(t, `SELECT min(id) FROM reasons WHERE clinic_id = $1 AND category = 'annulment'`, tk.ClinicID)
	if _, err := e.st.AnnulTicket(ctx, admin.Principal(), store.Change{TicketID: tks[2].ID, Version: tks[2].Version}, int64(annul), "duplicado", now); err != nil {
		t.Fatal(err)
	}

	c := e.client(t)
	c.login("clinico_prov")
	shown := boardCodes(doc(t, c.search(surname, url.Values{"estado": {store.StateProgramado, store.StateVigente, store.StateVencido, store.StateAnulado, store.StateDeAlta}})))
	if len(shown) != 3 {
		t.Fatalf("the board shows %d tickets of the patient, want 3", len(shown))
	}
	q := "?estado=programado&estado=vigente&estado=vencido&estado=anulado&estado=de_alta"
	body := download(t, c, "/tablero/exportar"+q, xlsxType,
		regexp.MustCompile(`^attachment; filename="tickets_PROV_\d{4}-\d{2}-\d{2}\.xlsx"$`))
	x, err := excelize.OpenReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("Tickets")
	if err != nil {
		t.Fatal(err)
	}
	head := rows[0]
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, h := range []string{"Código", "Estado", "RUT", "Nombre completo", "Cama", "Ubicación", "Especialidad", "Cirugía",
		"Horas base", "Médico", "Fin de pabellón", "FPA inicial", "FPA actual", "Bloque", "Noches planificadas", "Noches extra",
		"Creado por", "Creado el", "Alta efectiva", "Mod. 1 fecha", "Mod. 1 FPA nueva", "Mod. 1 bloque", "Mod. 1 usuario",
		"Mod. 1 motivo", "Mod. 1 justificación", "Mod. 5 justificación"} {
		if _, ok := col[h]; !ok {
			t.Errorf("no column %q", h)
		}
	}
	if _, ok := col["Clínica"]; ok {
		t.Error("a clinic's workbook has a clinic column")
	}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[0])
	}
	if strings.Join(got, " ") != strings.Join(shown, " ") {
		t.Fatalf("workbook %v, board %v", got, shown)
	}
	// The modified ticket's row: its modification, its justification as text, its dates as
	// Santiago date-times.
	var i int
	for i = 1; rows[i][0] != tk.Code; i++ {
	}
	r := rows[i]
	cell := func(h string) string {
		name, _ := excelize.CoordinatesToCellName(col[h]+1, i+1)
		return name
	}
	if r[col["Mod. 1 justificación"]] != "=1+1 evolución lenta" || r[col["Mod. 1 usuario"]] != "admin_prov" || r[col["Estado"]] == "" {
		t.Errorf("modified row: %v", r)
	}
	for _, h := range []string{"Mod. 1 justificación", "Ubicación"} {
		if f, _ := x.GetCellFormula("Tickets", cell(h)); f != "" {
			t.Errorf("%s is a formula: %q", h, f)
		}
	}
	if r[col["Noches extra"]] != "1" || r[col["RUT"]] != tk.RUT {
		t.Errorf("extra nights %q, RUT %q", r[col["Noches extra"]], r[col["RUT"]])
	}
	if want := tk.PavilionEnd.In(fpa.Santiago).Format("02/01/2006 15:04"); r[col["Fin de pabellón"]] != want {
		t.Errorf("pavilion end %q, want %q", r[col["Fin de pabellón"]], want)
	}
	if typ, _ := x.GetCellType("Tickets", cell("FPA actual")); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Error("a date was written as text")
	}
	if typ, _ := x.GetCellType("Tickets", cell("Horas base")); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Error("a number was written as text")
	}
	// Audited with its filters, not its data.
	if e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'export_tickets' AND details->>'search' = $1 AND (details->>'rows')::int = 3`, surname) != 1 {
		t.Fatal("the export is not audited with its filters")
	}

	// The default board (active states) leaves the annulled ticket out, as the board does.
	body = download(t, c, "/tablero/exportar", xlsxType, regexp.MustCompile(`tickets_PROV_`))
	x, _ = excelize.OpenReader(strings.NewReader(string(body)))
	rows, _ = x.GetRows("Tickets")
	if len(rows) != 3 {
		t.Fatalf("active board: %d rows, want 2 + header", len(rows))
	}

	// Another clinic's nurse with the same search exports nothing of this patient.
	v := e.client(t)
	v.login("clinico_valp")
	v.search(surname, nil)
	body = download(t, v, "/tablero/exportar"+q, xlsxType, regexp.MustCompile(`tickets_VALP_`))
	x, _ = excelize.OpenReader(strings.NewReader(string(body)))
	if rows, _ = x.GetRows("Tickets"); len(rows) != 1 {
		t.Fatalf("another clinic exports %d rows of this patient", len(rows)-1)
	}

	// A superuser looking at every clinic gets the clinic column.
	su := e.client(t)
	su.login("superadmin")
	su.search(surname, url.Values{"clinica": {"todas"}})
	body = download(t, su, "/tablero/exportar?clinica=todas", xlsxType, regexp.MustCompile(`tickets_TODAS_`))
	x, _ = excelize.OpenReader(strings.NewReader(string(body)))
	rows, _ = x.GetRows("Tickets")
	if len(rows) != 3 || rows[0][6] != "Clínica" || rows[1][6] != tk.ClinicName {
		t.Fatalf("all clinics: %d rows, header %v", len(rows), rows[0])
	}
}

// A filter the board refuses is refused by the export too, with the board's message.
func TestBoardExport_BadFilterIsTheBoardsMessage(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("clinico_prov")
	resp := c.get("/tablero/exportar?desde=31%2F02%2F2026")
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if doc(t, resp).Find("#desde-error").Length() == 0 {
		t.Fatal("no message at the date")
	}
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
