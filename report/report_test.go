package report

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestSheet_TextStaysTextDatesAreSantiagoHeaderFiltered(t *testing.T) {
	s, err := NewSheet("Datos", []string{"Texto", "Número", "Fecha"}, []float64{20, 10, 18})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 12, 5, 2, 30, 0, 0, time.UTC) // 23:30 of the 4th in Santiago
	if err := s.Add("=HYPERLINK(\"http://x\")", 42, at); err != nil {
		t.Fatal(err)
	}
	if err := s.Add("@SUM(A1)", 1.5, time.Time{}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := s.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, cell := range []string{"A2", "A3"} {
		if formula, _ := f.GetCellFormula("Datos", cell); formula != "" {
			t.Errorf("%s is a formula: %q", cell, formula)
		}
	}
	if v, _ := f.GetCellValue("Datos", "A2"); v != "=HYPERLINK(\"http://x\")" {
		t.Errorf("A2 = %q", v)
	}
	if v, _ := f.GetCellValue("Datos", "C2"); v != "04/12/2026 23:30" {
		t.Errorf("C2 = %q, want the Santiago wall time", v)
	}
	if typ, _ := f.GetCellType("Datos", "B2"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("a number was written as text")
	}
	panes, err := f.GetPanes("Datos")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
	tables, err := f.GetTables("Datos")
	if err != nil || len(tables) != 1 || tables[0].Range != "A1:C3" {
		t.Errorf("no filterable table over the rows: %+v %v", tables, err)
	}
}
