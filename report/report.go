// Package report builds the files users download (XLSX workbooks, PDF sheets) from plain
// data: no HTTP, no store. Dates are written as Santiago wall-clock date-times.
package report

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/redsalud/ticket-home/fpa"
)

// Sheet is one worksheet written row by row: a header row, frozen and filterable, then
// values (strings, numbers, time.Time shown as "dd/mm/aaaa hh:mm"). Text is always text:
// a cell that begins with "=" is a string, never a formula.
type Sheet struct {
	f         *excelize.File
	sw        *excelize.StreamWriter
	name      string
	row       int
	cols      int
	dateStyle int
}

// NewSheet starts a workbook of one sheet named name with the given column headers and
// widths (characters).
func NewSheet(name string, headers []string, widths []float64) (*Sheet, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	s := &Sheet{f: f, sw: sw, name: name, cols: len(headers)}
	if s.dateStyle, err = f.NewStyle(&excelize.Style{CustomNumFmt: ptr("dd/mm/yyyy hh:mm")}); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	cells := make([]any, len(headers))
	for i, h := range headers {
		cells[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return nil, err
	}
	s.row = 1
	return s, nil
}

func ptr[T any](v T) *T { return &v }

// Add writes one row.
func (s *Sheet) Add(values ...any) error {
	s.row++
	cells := make([]any, len(values))
	for i, v := range values {
		switch v := v.(type) {
		case time.Time:
			if v.IsZero() {
				cells[i] = nil
				continue
			}
			cells[i] = excelize.Cell{StyleID: s.dateStyle, Value: wallClock(v)}
		default:
			cells[i] = v
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cell, cells)
}

// wallClock is t's Santiago wall-clock time as a zone-less time (what Excel shows).
func wallClock(t time.Time) time.Time {
	l := t.In(fpa.Santiago)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

// WriteTo finishes the workbook (filters on the header) and writes it to w.
func (s *Sheet) WriteTo(w io.Writer) (int64, error) {
	last, err := excelize.CoordinatesToCellName(max(s.cols, 1), max(s.row, 2))
	if err != nil {
		return 0, err
	}
	// A table gives the header row its filter buttons.
	if err := s.sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: "Datos", StyleName: "TableStyleLight9"}); err != nil {
		return 0, err
	}
	if err := s.sw.Flush(); err != nil {
		return 0, err
	}
	return s.f.WriteTo(w)
}

// Close releases the workbook's temporary files.
func (s *Sheet) Close() error { return s.f.Close() }

// TempFile writes the finished workbook to a temporary file already removed from its
// directory (it lives while open): the caller streams it and closes it.
func (s *Sheet) TempFile() (*os.File, int64, error) {
	f, err := os.CreateTemp("", "ticket-home-*.xlsx")
	if err != nil {
		return nil, 0, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, 0, err
	}
	n, err := s.WriteTo(f)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("report: workbook: %w", err)
	}
	return f, n, nil
}
