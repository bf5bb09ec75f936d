package report

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The PDF tests read the sheets back with poppler (pdftotext, pdfinfo, pdftoppm).

func poppler(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found (poppler-utils): run scripts/install-deps.sh", name)
	}
	return path
}

// writePDF stores pdf in the test's temporary directory and returns its path.
func writePDF(t *testing.T, name string, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// pdfLines is the sheet's text as pdftotext -layout lays it out.
func pdfLines(t *testing.T, pdf []byte) string {
	t.Helper()
	out, err := exec.Command(poppler(t, "pdftotext"), "-layout", writePDF(t, "sheet", pdf), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// flat is text with every run of blanks made one space.
func flat(text string) string { return strings.Join(strings.Fields(text), " ") }

// pdfPages is the sheet's page count according to pdfinfo.
func pdfPages(t *testing.T, pdf []byte) int {
	t.Helper()
	out, err := exec.Command(poppler(t, "pdfinfo"), writePDF(t, "info", pdf)).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("pdfinfo gave no page count:\n%s", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// keepArtifact renders page 1 of pdf to PNG (and keeps the PDF) in $PDF_ARTIFACTS, when
// that variable is set, so a later run can keep what the sheets looked like.
func keepArtifact(t *testing.T, name string, pdf []byte) {
	t.Helper()
	dir := os.Getenv("PDF_ARTIFACTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(poppler(t, "pdftoppm"), "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
		path, filepath.Join(dir, name))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
}

var rutLike = regexp.MustCompile(`\b\d{1,2}\.?\d{3}\.?\d{3}-[\dkK]\b`)

func ticketSample(changed bool) TicketSheet {
	s := TicketSheet{
		Clinic:        "Clínica Providencia",
		Code:          "TH-PROV-2026-0042",
		Patient:       "María G.",
		Surgery:       "Colecistectomía laparoscópica",
		OriginalFPA:   time.Date(2026, 12, 4, 13, 0, 0, 0, time.UTC), // 10:00 of Friday 4 in Santiago
		OriginalBlock: "10:00 – 12:00",
		PlannedNights: 2,
		Doctor:        "Dr. Ignacio Muñoz Pérez",
		PrintedAt:     time.Date(2026, 12, 5, 2, 32, 0, 0, time.UTC), // 23:32 of the 4th in Santiago
		PrintedBy:     "clinico_prov",
	}
	if changed {
		s.Changed = true
		s.CurrentFPA = time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC) // 14:00 of Monday 7
		s.CurrentBlock = "14:00 – 16:00"
		s.CurrentNights = 3
	}
	return s
}

func TestTicketPDF(t *testing.T) {
	for _, changed := range []bool{false, true} {
		t.Run(fmt.Sprintf("changed=%v", changed), func(t *testing.T) {
			s := ticketSample(changed)
			pdf, err := TicketPDF(s)
			if err != nil {
				t.Fatal(err)
			}
			keepArtifact(t, fmt.Sprintf("ticket-changed-%v", changed), pdf)
			if n := pdfPages(t, pdf); n != 1 {
				t.Errorf("pages = %d, want 1", n)
			}
			text := flat(pdfLines(t, pdf))
			want := []string{
				"RedSalud", "Clínica Providencia", "Programación del alta", "TH-PROV-2026-0042",
				"Paciente: María G.", "Cirugía: Colecistectomía laparoscópica",
				"Médico tratante: Dr. Ignacio Muñoz Pérez",
				"Viernes 4 de diciembre de 2026", "04/12/2026", "Hora (entre): 10:00 – 12:00",
				"Noches planificadas: 2",
				"Firma médico tratante y notas",
				"Impreso el 04/12/2026 a las 23:32 por clinico_prov",
				"La hora de alta puede cambiar según su evolución clínica; el equipo le informará.",
			}
			newDate := []string{"Nueva fecha", "Lunes 7 de diciembre de 2026", "07/12/2026",
				"Hora (entre): 14:00 – 16:00", "Noches planificadas: 3"}
			if changed {
				want = append(want, newDate...)
				want = append(want, "Fecha original")
			} else {
				want = append(want, "Fecha probable de alta")
				for _, w := range newDate {
					if strings.Contains(text, w) {
						t.Errorf("unchanged sheet shows %q", w)
					}
				}
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("sheet lacks %q\n%s", w, text)
				}
			}
			if strings.Contains(text, "05/12/2026") {
				t.Error("printed date is the UTC date, not Santiago's")
			}
			if rutLike.MatchString(text) {
				t.Errorf("sheet shows a RUT-like string: %q", rutLike.FindString(text))
			}
		})
	}
}

func TestTicketPDF_EmptyDoctorAndLongTexts(t *testing.T) {
	s := ticketSample(true)
	s.Doctor = ""
	s.Surgery = strings.Repeat("Resección quirúrgica ampliada ", 10)
	s.Clinic = strings.Repeat("Clínica ", 20)
	pdf, err := TicketPDF(s)
	if err != nil {
		t.Fatal(err)
	}
	keepArtifact(t, "ticket-long-texts", pdf)
	if n := pdfPages(t, pdf); n != 1 {
		t.Errorf("pages = %d, want 1", n)
	}
	text := flat(pdfLines(t, pdf))
	if !strings.Contains(text, "Médico tratante: —") {
		t.Errorf("empty doctor not shown as —\n%s", text)
	}
	if !strings.Contains(text, "…") {
		t.Errorf("long surgery not cut\n%s", text)
	}
}

func shiftSample(n int) ShiftSheet {
	states := []struct{ state, urgency string }{
		{"Vigente", "En ventana de alta"}, {"Vencido", "Crítico"}, {"Programado", ""},
		{"Vigente", "Advertencia"}, {"De alta", ""}, {"Anulado", ""},
	}
	s := ShiftSheet{
		Clinic:    "Clínica Providencia",
		Filters:   []string{"Estado: Vigente, Vencido", "Búsqueda: gonz"},
		PrintedBy: "enfermera_prov",
		PrintedAt: time.Date(2026, 12, 5, 2, 32, 0, 0, time.UTC),
	}
	for i := range n {
		st := states[i%len(states)]
		r := ShiftRow{
			Bed:      fmt.Sprintf("%d-%c", 100+i, 'A'+rune(i%4)),
			Location: "Cirugía 3.º piso",
			Patient:  fmt.Sprintf("Nombre%03d Muñoz González", i),
			FPA:      time.Date(2026, 12, 4+i%5, 13, 0, 0, 0, time.UTC),
			Block:    "10:00 – 12:00",
			State:    st.state,
			Urgency:  st.urgency,
			Mods:     i % 6,
			Episode:  fmt.Sprintf("EP%07d", 4400000+i),
			Code:     fmt.Sprintf("TH-PROV-2026-%04d", i+1),
		}
		if i%7 == 3 {
			r.Bed, r.Location, r.Episode = "", "", ""
		}
		s.Rows = append(s.Rows, r)
	}
	return s
}

func TestShiftPDF_FortyRowsAPage(t *testing.T) {
	if slack := shiftUsable - shiftHeadingH - shiftColHeadH - shiftRowsPerPage*shiftRowH; slack < 0 {
		t.Fatalf("first page overflows by %.1f mm", -slack)
	}
	sum := 0
	for _, c := range shiftCols {
		sum += c.size
	}
	if sum != shiftGridTotal {
		t.Fatalf("columns take %d of %d grid units", sum, shiftGridTotal)
	}
	for _, tc := range []struct{ rows, pages int }{{0, 1}, {1, 1}, {40, 1}, {41, 2}, {45, 2}, {80, 2}, {81, 3}} {
		t.Run(fmt.Sprint(tc.rows), func(t *testing.T) {
			s := shiftSample(tc.rows)
			pdf, err := ShiftPDF(s)
			if err != nil {
				t.Fatal(err)
			}
			if tc.rows == 45 {
				keepArtifact(t, "shift", pdf)
			}
			if n := pdfPages(t, pdf); n != tc.pages {
				t.Fatalf("%d rows: pages = %d, want %d", tc.rows, n, tc.pages)
			}
			raw := pdfLines(t, pdf)
			text := flat(raw)
			for _, w := range []string{"Lista del turno", "Clínica Providencia",
				"Filtros: Estado: Vigente, Vencido · Búsqueda: gonz",
				"Impreso el 04/12/2026 23:32 por enfermera_prov",
				fmt.Sprintf("Página %d de %d", tc.pages, tc.pages)} {
				if !strings.Contains(text, w) {
					t.Errorf("sheet lacks %q\n%s", w, raw)
				}
			}
			if tc.rows == 0 {
				if !strings.Contains(text, "No hay tickets con estos filtros.") {
					t.Errorf("empty sheet lacks its message\n%s", raw)
				}
				return
			}
			if got := strings.Count(raw, "Paciente"); got != tc.pages {
				t.Errorf("column header appears %d times, want once a page (%d)", got, tc.pages)
			}
			for _, r := range s.Rows {
				if !strings.Contains(text, flat(r.Patient)) {
					t.Errorf("sheet lacks patient %q", r.Patient)
				}
				if !strings.Contains(text, r.Code) {
					t.Errorf("sheet lacks code %q", r.Code)
				}
			}
			for _, w := range []string{"Cama", "FPA y bloque", "Estado / urgencia", "Mod.", "Episodio", "Código",
				"Cirugía 3.º piso", "04/12/2026 10:00 – 12:00"} {
				if !strings.Contains(text, w) {
					t.Errorf("sheet lacks %q", w)
				}
			}
			if tc.rows > 3 {
				for _, w := range []string{"Vencido · Crítico", "Vigente · En ventana de alta", "Sin ID Ep."} {
					if !strings.Contains(text, w) {
						t.Errorf("sheet lacks %q", w)
					}
				}
			}
			if tc.rows > 1 && !strings.Contains(text, "Total: "+strconv.Itoa(tc.rows)+" tickets") {
				t.Errorf("sheet lacks the total %d", tc.rows)
			}
		})
	}
}

func TestShiftPDF_LongTextsStayOnOneLine(t *testing.T) {
	for _, n := range []int{40, 41} {
		s := shiftSample(n)
		for i := range s.Rows {
			s.Rows[i].Patient = fmt.Sprintf("P%03d ", i) + strings.Repeat("Maximiliano ", 11)[:115]
			s.Rows[i].Location = strings.Repeat("Unidad de Paciente Crítico ", 4)
			s.Rows[i].Urgency = "En ventana de alta prolongada por evaluación"
		}
		s.Filters = []string{strings.Repeat("Búsqueda: larguísima ", 20)}
		pdf, err := ShiftPDF(s)
		if err != nil {
			t.Fatal(err)
		}
		if n == 41 {
			keepArtifact(t, "shift-long-texts", pdf)
		}
		want := (n + shiftRowsPerPage - 1) / shiftRowsPerPage
		if got := pdfPages(t, pdf); got != want {
			t.Fatalf("%d rows with long names: pages = %d, want %d", n, got, want)
		}
		// Each ticket stays on one text line: its name starts on the line of its code.
		lines := strings.Split(pdfLines(t, pdf), "\n")
		for i, r := range s.Rows {
			found := false
			for _, l := range lines {
				if strings.Contains(l, r.Code) {
					found = strings.Contains(l, fmt.Sprintf("P%03d Maximiliano", i)) && strings.Contains(l, "…")
					break
				}
			}
			if !found {
				t.Errorf("row %d: name not cut onto its code's line", i)
			}
		}
	}
}

func TestSpanishDates(t *testing.T) {
	for d, want := range map[int]string{
		2: "Miércoles 2 de diciembre de 2026",
		5: "Sábado 5 de diciembre de 2026",
		6: "Domingo 6 de diciembre de 2026",
	} {
		at := time.Date(2026, 12, d, 15, 0, 0, 0, time.UTC)
		if got := longDate(at); got != want {
			t.Errorf("longDate(%v) = %q, want %q", at, got, want)
		}
	}
	// 01:30 UTC on the 1st of September is still 31 August in Santiago.
	if got := longDate(time.Date(2026, 9, 1, 1, 30, 0, 0, time.UTC)); got != "Lunes 31 de agosto de 2026" {
		t.Errorf("longDate = %q", got)
	}
}

func TestPDFText(t *testing.T) {
	for in, want := range map[string]string{
		"María\tGonzález\n":     "María González",
		"Nun\u0303ez":           "Nuñez", // decomposed tilde is composed
		"¿Cómo? ¡Sí! 10 – 12 —": "¿Cómo? ¡Sí! 10 – 12 —",
		"Łukasz Ōtsuka":         "?ukasz Otsuka",
		"a → b":                 "a ? b",
	} {
		if got := pdfText(in); got != want {
			t.Errorf("pdfText(%q) = %q, want %q", in, got, want)
		}
	}
}
