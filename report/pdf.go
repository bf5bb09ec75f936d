package report

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontfamily"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"github.com/phpdave11/gofpdf"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/redsalud/ticket-home/fpa"
)

// The PDF sheets use the PDF core font Helvetica (maroto's "arial"), which needs no font
// file. Maroto translates UTF-8 to Windows-1252 for the core fonts before writing and
// measuring, and 1252 holds every Spanish letter and sign (á é í ó ú ü ñ Ñ ¿ ¡ – — …).
// pdfText keeps every string inside that set, so nothing is printed as "." instead.

const (
	pdfFont = fontfamily.Arial
	ptToMM  = 25.4 / 72
)

var (
	colorBrand     = &props.Color{Red: 227, Green: 0, Blue: 27}    // RedSalud red
	colorBrandTint = &props.Color{Red: 253, Green: 240, Blue: 241} // red, very light
	colorInk       = &props.Color{Red: 33, Green: 37, Blue: 41}
	colorMuted     = &props.Color{Red: 96, Green: 102, Blue: 110}
	colorRule      = &props.Color{Red: 190, Green: 194, Blue: 199}
	colorShade     = &props.Color{Red: 242, Green: 243, Blue: 245}
	colorHeadBg    = &props.Color{Red: 55, Green: 60, Blue: 66}
	colorWarn      = &props.Color{Red: 178, Green: 92, Blue: 0}
	colorWhite     = &props.WhiteColor
)

// Spanish names, independent of the host's locale.
var (
	weekdayNames = [...]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"}
	monthNames   = [...]string{"", "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
		"agosto", "septiembre", "octubre", "noviembre", "diciembre"}
)

// longDate is t's Santiago date in words: "Viernes 4 de diciembre de 2026".
func longDate(t time.Time) string {
	if t.IsZero() {
		return "Sin fecha"
	}
	l := t.In(fpa.Santiago)
	w := weekdayNames[l.Weekday()]
	return fmt.Sprintf("%s %d de %s de %d", strings.ToUpper(w[:1])+w[1:], l.Day(), monthNames[l.Month()], l.Year())
}

// shortDate is t's Santiago date as dd/mm/aaaa.
func shortDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(fpa.Santiago).Format("02/01/2006")
}

// clockTime is t's Santiago time of day as hh:mm.
func clockTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(fpa.Santiago).Format("15:04")
}

// orDash is s trimmed, or "—" when it is empty.
func orDash(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return "—"
	}
	return s
}

// pdfText makes s printable with the core fonts: composed accents, one line, every rune
// in Windows-1252 (a letter outside it loses its accent; anything else becomes "?").
func pdfText(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteString(cp1252Rune(r))
	}
	return b.String()
}

func cp1252Rune(r rune) string {
	if r < 0x80 {
		return string(r)
	}
	if _, ok := charmap.Windows1252.EncodeRune(r); ok {
		return string(r)
	}
	switch r {
	case '‐', '‑', '‒', '−':
		return "-"
	case '―':
		return "—"
	}
	var base strings.Builder
	for _, d := range norm.NFD.String(string(r)) {
		if unicode.Is(unicode.Mn, d) {
			continue
		}
		if _, ok := charmap.Windows1252.EncodeRune(d); ok || d < 0x80 {
			base.WriteRune(d)
		}
	}
	if base.Len() == 0 {
		return "?"
	}
	return base.String()
}

// measurer measures strings in the core fonts exactly as maroto will (same gofpdf metrics,
// same 1252 translation), so text can be shrunk or cut to stay on one line.
type measurer struct {
	pdf *gofpdf.Fpdf
	tr  func(string) string
}

func newMeasurer() *measurer {
	pdf := gofpdf.New("P", "mm", "Letter", "")
	return &measurer{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("")}
}

// width is the width in mm of s (already pdfText) at the given style and size.
func (m *measurer) width(s string, style fontstyle.Type, size float64) float64 {
	m.pdf.SetFont(pdfFont, string(style), size)
	return m.pdf.GetStringWidth(m.tr(s))
}

// runOn is where text that follows s (already pdfText) on the same line starts: after s
// and one space, drawn as a gap so text extraction sees the two words apart.
func (m *measurer) runOn(s string, style fontstyle.Type, size float64) float64 {
	return m.width(s, style, size) + m.width(" ", style, size)
}

// fit returns s and the largest size between maxSize and minSize (half-point steps) at
// which s fits in width mm; at minSize it cuts s and ends it with "…".
func (m *measurer) fit(s string, style fontstyle.Type, maxSize, minSize, width float64) (string, float64) {
	s = pdfText(s)
	width -= 0.4 // never touch the edge: maroto wraps as soon as the text is wider
	for size := maxSize; size >= minSize; size -= 0.5 {
		if m.width(s, style, size) <= width {
			return s, size
		}
	}
	return m.cut(s, style, minSize, width), minSize
}

// cut shortens s until it (with "…") fits in width mm at size.
func (m *measurer) cut(s string, style fontstyle.Type, size, width float64) string {
	if m.width(s, style, size) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		c := strings.TrimRight(string(r), " ,;·-–") + "…"
		if m.width(c, style, size) <= width {
			return c
		}
	}
	return ""
}

// txt is a one-line text component; top is the distance in mm from the cell top to the
// top of the line box.
type txt struct {
	size  float64
	style fontstyle.Type
	color *props.Color
	align align.Type
	top   float64
	left  float64
	right float64
}

func (t txt) of(s string) core.Component {
	a := t.align
	if a == "" {
		a = align.Left
	}
	return text.New(pdfText(s), props.Text{
		Family: pdfFont, Style: t.style, Size: t.size, Color: t.color, Align: a,
		Top: t.top, Left: t.left, Right: t.right,
	})
}

// middle is the top offset that centres one line of size pt in a row h mm tall.
func middle(h, size float64) float64 {
	// maroto puts the baseline one font size below top; capitals are ~0.72 of it.
	return max(h/2-0.64*size*ptToMM, 0)
}

// generate renders m to bytes.
func generate(m core.Maroto) ([]byte, error) {
	doc, err := m.Generate()
	if err != nil {
		return nil, fmt.Errorf("report: pdf: %w", err)
	}
	return doc.GetBytes(), nil
}
