package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/page"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/border"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/orientation"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

// ShiftSheet is the ward's printed list for the shift handoff.
type ShiftSheet struct {
	Clinic    string
	Filters   []string // human descriptions of the filters applied, e.g. "Estado: Vigente, Vencido"; empty → "Sin filtros"
	PrintedBy string
	PrintedAt time.Time
	Rows      []ShiftRow // already sorted by the caller
}

// ShiftRow is one ticket of the shift list.
type ShiftRow struct {
	Bed      string // may be empty → "—"
	Location string // ward/location, may be empty
	Patient  string // full name (this sheet stays on the ward)
	FPA      time.Time
	Block    string // "10:00 – 12:00"
	State    string // "Vigente", "Programado", "Vencido", "Anulado", "De alta"
	Urgency  string // "Crítico", "Advertencia", "En ventana de alta", "" ...
	Mods     int    // number of FPA modifications (0–5)
	Episode  string // episode id, may be empty → "Sin ID Ep."
	Code     string // ticket code
}

// shiftRowsPerPage is how many tickets each page of the shift list holds.
const shiftRowsPerPage = 40

// Letter portrait geometry of the shift list, in mm. Every row has a fixed height and
// every text is fitted to one line, so a page is always: heading (first page) or
// continuation line (next pages), the column header, then up to 40 rows.
const (
	shiftPageW     = 215.9
	shiftPageH     = 279.4
	shiftMarginX   = 10.0
	shiftMarginTop = 10.0
	shiftMarginBot = 13.0
	shiftWidth     = shiftPageW - 2*shiftMarginX
	shiftUsable    = shiftPageH - shiftMarginTop - shiftMarginBot

	shiftBandH       = 12.0
	shiftInfoH       = 5.5
	shiftHeadingH    = shiftBandH + 2*shiftInfoH + 2.5 // first page
	shiftContH       = 8.0                             // next pages
	shiftColHeadH    = 7.0
	shiftRowH        = 5.5
	shiftCellPad     = 1.5
	shiftTextSize    = 8.0
	shiftMinSize     = 6.0
	shiftNameMinSize = 7.0 // a long name is cut rather than made tiny
	shiftGridTotal   = 1000
)

// shiftCols are the table's columns: title, width in grid units (of shiftGridTotal).
var shiftCols = []struct {
	title string
	size  int
	align align.Type
}{
	{"Cama · ubicación", 140, align.Left},
	{"Paciente", 225, align.Left},
	{"FPA y bloque", 175, align.Left},
	{"Estado / urgencia", 180, align.Left},
	{"Mod.", 40, align.Center},
	{"Episodio", 90, align.Left},
	{"Código", 150, align.Left},
}

func shiftColW(i int) float64 {
	return shiftWidth * float64(shiftCols[i].size) / shiftGridTotal
}

// ShiftPDF is the "Lista del turno" sheet (US Letter, portrait): a heading with the clinic,
// the filters, who printed it and the total, then a table of exactly shiftRowsPerPage rows
// per page with its column header repeated on every page and "Página n de m" at the foot.
func ShiftPDF(s ShiftSheet) ([]byte, error) {
	cfg := config.NewBuilder().
		WithPageSize(pagesize.Letter).
		WithOrientation(orientation.Vertical).
		WithLeftMargin(shiftMarginX).
		WithRightMargin(shiftMarginX).
		WithTopMargin(shiftMarginTop).
		WithBottomMargin(shiftMarginBot).
		WithMaxGridSize(shiftGridTotal).
		WithDefaultFont(&props.Font{Family: pdfFont, Size: shiftTextSize, Color: colorInk}).
		WithPageNumber(props.PageNumber{
			Pattern: "Página {current} de {total}", Place: props.RightBottom,
			Family: pdfFont, Size: 8, Color: colorMuted,
		}).
		WithTitle("Lista del turno", true).
		WithAuthor("RedSalud", true).
		WithCreationDate(s.PrintedAt).
		WithCompression(true).
		Build()
	m := maroto.New(cfg)
	ms := newMeasurer()

	first := shiftHeading(ms, s)
	if len(s.Rows) == 0 {
		rows := append(first, row.New(18).Add(col.New().WithStyle(&props.Cell{
			BorderType: border.Full, BorderColor: colorRule, BorderThickness: 0.3, BackgroundColor: colorShade,
		}).Add(
			txt{size: 12, color: colorInk, align: align.Center, top: middle(18, 12)}.of("No hay tickets con estos filtros."),
		)))
		m.AddPages(page.New().Add(rows...))
		return generate(m)
	}

	cont := shiftContinuation(ms, s)
	for start := 0; start < len(s.Rows); start += shiftRowsPerPage {
		var rows []core.Row
		if start == 0 {
			rows = append(rows, first...)
		} else {
			rows = append(rows, cont)
		}
		rows = append(rows, shiftColumnHeader())
		end := min(start+shiftRowsPerPage, len(s.Rows))
		for i, r := range s.Rows[start:end] {
			rows = append(rows, shiftRow(ms, r, i%2 == 1))
		}
		// One maroto page per 40 tickets: the rows never reach the bottom margin, so
		// maroto never breaks a page on its own.
		m.AddPages(page.New().Add(rows...))
	}
	return generate(m)
}

// shiftHeading is the first page's heading: band with title and clinic, filters, printing
// line and total.
func shiftHeading(ms *measurer, s ShiftSheet) []core.Row {
	clinic, clinicSize := ms.fit(orDash(s.Clinic), fontstyle.Bold, 13, 8, shiftWidth*0.55-4)
	filters := "Sin filtros"
	var fs []string
	for _, f := range s.Filters {
		if f = strings.TrimSpace(f); f != "" {
			fs = append(fs, f)
		}
	}
	if len(fs) > 0 {
		filters = strings.Join(fs, " · ")
	}
	const filtersLabel = "Filtros:"
	labelW := ms.runOn(filtersLabel, fontstyle.Bold, 9)
	filters, filtersSize := ms.fit(filters, fontstyle.Normal, 9, shiftMinSize, shiftWidth-labelW)
	printed, printedSize := ms.fit(fmt.Sprintf("Impreso el %s %s por %s",
		shortDate(s.PrintedAt), clockTime(s.PrintedAt), orDash(s.PrintedBy)), fontstyle.Normal, 9, shiftMinSize, shiftWidth*0.7)
	total := fmt.Sprintf("Total: %d tickets", len(s.Rows))
	if len(s.Rows) == 1 {
		total = "Total: 1 ticket"
	}
	base := shiftInfoH - 1.5
	return []core.Row{
		row.New(shiftBandH).WithStyle(&props.Cell{BackgroundColor: colorBrand}).Add(
			col.New(450).Add(txt{size: 16, style: fontstyle.Bold, color: colorWhite, left: 4, top: middle(shiftBandH, 16)}.of("Lista del turno")),
			col.New(550).Add(txt{size: clinicSize, style: fontstyle.Bold, color: colorWhite, align: align.Right, right: 4, top: middle(shiftBandH, clinicSize)}.of(clinic)),
		),
		row.New(shiftInfoH).Add(col.New().Add(
			txt{size: 9, style: fontstyle.Bold, color: colorInk, top: base - 9*ptToMM}.of(filtersLabel),
			txt{size: filtersSize, color: colorInk, left: labelW, top: base - filtersSize*ptToMM}.of(filters),
		)),
		row.New(shiftInfoH).Add(
			col.New(700).Add(txt{size: printedSize, color: colorMuted, top: base - printedSize*ptToMM}.of(printed)),
			col.New(300).Add(txt{size: 9, style: fontstyle.Bold, color: colorInk, align: align.Right, top: base - 9*ptToMM}.of(total)),
		),
		row.New(shiftHeadingH - shiftBandH - 2*shiftInfoH),
	}
}

// shiftContinuation heads the pages after the first one.
func shiftContinuation(ms *measurer, s ShiftSheet) core.Row {
	line, size := ms.fit(fmt.Sprintf("Lista del turno · %s · impreso el %s %s (continuación)",
		orDash(s.Clinic), shortDate(s.PrintedAt), clockTime(s.PrintedAt)), fontstyle.Bold, 9, shiftMinSize, shiftWidth)
	return row.New(shiftContH).Add(col.New().Add(
		txt{size: size, style: fontstyle.Bold, color: colorMuted, top: shiftContH - 3 - size*ptToMM}.of(line),
	))
}

// shiftColumnHeader is the table's header row, repeated on every page.
func shiftColumnHeader() core.Row {
	cols := make([]core.Col, len(shiftCols))
	for i, c := range shiftCols {
		cols[i] = col.New(c.size).Add(txt{
			size: 8, style: fontstyle.Bold, color: colorWhite, align: c.align,
			left: shiftCellPad, right: shiftCellPad, top: middle(shiftColHeadH, 8),
		}.of(c.title))
	}
	return row.New(shiftColHeadH).WithStyle(&props.Cell{BackgroundColor: colorHeadBg}).Add(cols...)
}

// shiftRow is one ticket: every cell fitted to a single line.
func shiftRow(ms *measurer, r ShiftRow, shaded bool) core.Row {
	top := func(size float64) float64 { return middle(shiftRowH, size) }
	inner := func(i int) float64 { return shiftColW(i) - 2*shiftCellPad }
	cell := func(i int, s string, style fontstyle.Type, color *props.Color, minSize float64) core.Col {
		v, size := ms.fit(s, style, shiftTextSize, minSize, inner(i))
		return col.New(shiftCols[i].size).Add(txt{
			size: size, style: style, color: color, align: shiftCols[i].align,
			left: shiftCellPad, right: shiftCellPad, top: top(size),
		}.of(v))
	}

	// Bed in bold, its location beside it in grey.
	bed, bedSize := ms.fit(orDash(r.Bed), fontstyle.Bold, shiftTextSize, shiftMinSize, inner(0))
	bedCol := col.New(shiftCols[0].size).Add(txt{size: bedSize, style: fontstyle.Bold, color: colorInk, left: shiftCellPad, top: top(bedSize)}.of(bed))
	if loc := strings.TrimSpace(r.Location); loc != "" {
		bedW := ms.width(bed, fontstyle.Bold, bedSize) + 1.2
		if room := inner(0) - bedW; room > 5 {
			l, lSize := ms.fit(loc, fontstyle.Normal, shiftTextSize-1, shiftMinSize, room)
			bedCol.Add(txt{size: lSize, color: colorMuted, left: shiftCellPad + bedW, top: top(shiftTextSize) + (shiftTextSize-lSize)*ptToMM}.of(l))
		}
	}

	// State, then the urgency in its colour.
	state := strings.TrimSpace(r.State)
	urgency := strings.TrimSpace(r.Urgency)
	stateCol := col.New(shiftCols[3].size)
	switch {
	case urgency == "":
		st, size := ms.fit(orDash(state), fontstyle.Normal, shiftTextSize, shiftMinSize, inner(3))
		stateCol.Add(txt{size: size, color: colorInk, left: shiftCellPad, top: top(size)}.of(st))
	default:
		head := pdfText(orDash(state) + " ·")
		size := shiftTextSize
		for size > shiftMinSize && ms.runOn(head, fontstyle.Normal, size)+ms.width(pdfText(urgency), fontstyle.Bold, size) > inner(3)-0.4 {
			size -= 0.5
		}
		headW := ms.runOn(head, fontstyle.Normal, size)
		u := ms.cut(pdfText(urgency), fontstyle.Bold, size, inner(3)-headW-0.4)
		stateCol.Add(
			txt{size: size, color: colorInk, left: shiftCellPad, top: top(size)}.of(head),
			txt{size: size, style: fontstyle.Bold, color: urgencyColor(urgency), left: shiftCellPad + headW, top: top(size)}.of(u),
		)
	}

	fpaText := shortDate(r.FPA)
	if b := strings.TrimSpace(r.Block); b != "" {
		fpaText += "  " + b
	}
	modsStyle, modsColor := fontstyle.Normal, colorInk
	switch {
	case r.Mods == 0:
		modsColor = colorMuted
	case r.Mods >= 3:
		modsStyle, modsColor = fontstyle.Bold, colorBrand
	}
	episode, episodeColor, episodeStyle := strings.TrimSpace(r.Episode), colorInk, fontstyle.Normal
	if episode == "" {
		episode, episodeColor, episodeStyle = "Sin ID Ep.", colorMuted, fontstyle.Italic
	}

	style := &props.Cell{BorderType: border.Bottom, BorderColor: colorRule, BorderThickness: 0.15}
	if shaded {
		style.BackgroundColor = colorShade
	}
	return row.New(shiftRowH).WithStyle(style).Add(
		bedCol,
		cell(1, orDash(r.Patient), fontstyle.Normal, colorInk, shiftNameMinSize),
		cell(2, fpaText, fontstyle.Normal, colorInk, shiftMinSize),
		stateCol,
		cell(4, fmt.Sprint(r.Mods), modsStyle, modsColor, shiftMinSize),
		cell(5, episode, episodeStyle, episodeColor, shiftMinSize),
		cell(6, orDash(r.Code), fontstyle.Normal, colorInk, shiftMinSize),
	)
}

// urgencyColor is the ink of an urgency label.
func urgencyColor(u string) *props.Color {
	switch strings.ToLower(pdfText(u)) {
	case "crítico", "critico":
		return colorBrand
	case "advertencia":
		return colorWarn
	default:
		return colorInk
	}
}
