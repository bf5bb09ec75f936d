package report

import (
	"fmt"
	"time"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
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

// TicketSheet is what the patient's printed sheet shows.
type TicketSheet struct {
	Clinic        string    // clinic name, e.g. "Clínica Providencia"
	Code          string    // ticket code, e.g. "TH-PROV-2026-0042"
	Patient       string    // first name + first-surname initial only, e.g. "María G." (the caller builds it; never a RUT)
	Surgery       string    // e.g. "Colecistectomía laparoscópica"
	OriginalFPA   time.Time // original expected discharge date-time (an instant; shown in Santiago)
	OriginalBlock string    // e.g. "10:00 – 12:00"
	PlannedNights int       // nights planned at creation
	Changed       bool      // the FPA changed since creation
	CurrentFPA    time.Time // only meaningful when Changed
	CurrentBlock  string
	CurrentNights int    // nights from pavilion end to the current FPA (only when Changed)
	Doctor        string // attending doctor full name; may be empty → "—"
	PrintedAt     time.Time
	PrintedBy     string // user name of who printed
}

// Letter portrait geometry of the patient sheet, in mm.
const (
	ticketPageW     = 215.9
	ticketPageH     = 279.4
	ticketMarginX   = 16.0
	ticketMarginTop = 12.0
	ticketMarginBot = 12.0
	ticketWidth     = ticketPageW - 2*ticketMarginX
	ticketUsable    = ticketPageH - ticketMarginTop - ticketMarginBot
	ticketPad       = 6.0 // inner left padding of the boxes
	ticketMinSign   = 62.0
	ticketMaxSign   = 96.0
)

// TicketPDF is the one-page "Programación del alta" sheet (US Letter, portrait) a nurse
// prints for the patient or family: clinic, ticket code, patient, surgery, the expected
// discharge date (and the new one when it changed), the attending doctor, a box for the
// doctor's signature and notes, and who printed it and when.
func TicketPDF(s TicketSheet) ([]byte, error) {
	cfg := config.NewBuilder().
		WithPageSize(pagesize.Letter).
		WithOrientation(orientation.Vertical).
		WithLeftMargin(ticketMarginX).
		WithRightMargin(ticketMarginX).
		WithTopMargin(ticketMarginTop).
		WithBottomMargin(ticketMarginBot).
		WithMaxGridSize(100).
		WithDefaultFont(&props.Font{Family: pdfFont, Size: 11, Color: colorInk}).
		WithTitle("Programación del alta "+s.Code, true).
		WithAuthor("RedSalud", true).
		WithCreationDate(s.PrintedAt).
		WithCompression(true).
		Build()
	m := maroto.New(cfg)
	ms := newMeasurer()

	footer := ticketFooter(ms, s)
	footerH := 16.0
	if err := m.RegisterFooter(footer...); err != nil {
		return nil, fmt.Errorf("report: ticket sheet footer: %w", err)
	}

	used := 0.0
	add := func(h float64, r core.Row) {
		m.AddRows(r)
		used += h
	}
	gap := func(h float64) { add(h, row.New(h)) }

	// Header band.
	const bandH = 20.0
	clinic, clinicSize := ms.fit(orDash(s.Clinic), fontstyle.Bold, 14, 9, ticketWidth*0.6-ticketPad)
	add(bandH, row.New(bandH).WithStyle(&props.Cell{BackgroundColor: colorBrand}).Add(
		col.New(40).Add(
			txt{size: 24, style: fontstyle.Bold, color: colorWhite, left: ticketPad, top: middle(bandH, 24)}.of("RedSalud"),
		),
		col.New(60).Add(
			txt{size: clinicSize, style: fontstyle.Bold, color: colorWhite, align: align.Right, right: ticketPad, top: middle(bandH, clinicSize)}.of(clinic),
		),
	))
	gap(6)

	// Title and ticket code.
	const titleH = 16.0
	code, codeSize := ms.fit(orDash(s.Code), fontstyle.Bold, 18, 10, ticketWidth*0.4)
	add(titleH, row.New(titleH).Add(
		col.New(60).Add(
			txt{size: 24, style: fontstyle.Bold, color: colorInk, top: 3}.of("Programación del alta"),
		),
		col.New(40).Add(
			txt{size: 9.5, color: colorMuted, align: align.Right, top: 0.5}.of("N.º de ticket"),
			txt{size: codeSize, style: fontstyle.Bold, color: colorBrand, align: align.Right, top: 5.5}.of(code),
		),
	))
	add(3, row.New(3).WithStyle(&props.Cell{BorderType: border.Bottom, BorderColor: colorBrand, BorderThickness: 0.6}))
	gap(5)

	// Who and what.
	labels := []string{"Paciente:", "Cirugía:", "Médico tratante:"}
	labelW := 0.0
	for _, l := range labels {
		labelW = max(labelW, ms.runOn(pdfText(l), fontstyle.Normal, 13))
	}
	labelW += 3
	add(10, labelValue(ms, 10, labels[0], orDash(s.Patient), 13, 17, 11, fontstyle.Bold, labelW))
	add(9, labelValue(ms, 9, labels[1], orDash(s.Surgery), 13, 14, 10, fontstyle.Normal, labelW))
	add(9, labelValue(ms, 9, labels[2], orDash(s.Doctor), 13, 14, 10, fontstyle.Normal, labelW))
	gap(5)

	// Expected discharge date: the current one first, the original below when it changed.
	if s.Changed {
		add(dateBoxH, dateBox(ms, "Nueva fecha probable de alta", s.CurrentFPA, s.CurrentBlock, s.CurrentNights))
		gap(4)
		add(originalBoxH, originalBox(ms, s))
	} else {
		add(dateBoxH, dateBox(ms, "Fecha probable de alta", s.OriginalFPA, s.OriginalBlock, s.PlannedNights))
	}
	gap(6)

	// Signature and notes.
	const signTitleH = 8.0
	add(signTitleH, row.New(signTitleH).Add(col.New().Add(
		txt{size: 12, style: fontstyle.Bold, color: colorInk, top: 1}.of("Firma médico tratante y notas"),
	)))
	signH := min(max(ticketUsable-used-footerH-4, ticketMinSign), ticketMaxSign)
	add(signH, row.New(signH).Add(col.New().WithStyle(&props.Cell{
		BorderType: border.Full, BorderColor: colorMuted, BorderThickness: 0.35,
	})))

	return generate(m)
}

// labelValue is a row "Label: value": the label muted, the value starting at x labelW.
func labelValue(ms *measurer, h float64, label, value string, labelSize, maxSize, minSize float64,
	style fontstyle.Type, labelW float64,
) core.Row {
	v, size := ms.fit(value, style, maxSize, minSize, ticketWidth-labelW)
	base := h - 2.2 // common baseline
	return row.New(h).Add(col.New().Add(
		txt{size: labelSize, color: colorMuted, top: base - labelSize*ptToMM}.of(label),
		txt{size: size, style: style, color: colorInk, left: labelW, top: base - size*ptToMM}.of(v),
	))
}

const (
	dateBoxH     = 47.0
	originalBoxH = 23.0
)

// dateBox is the prominent box with a discharge date in words and digits, the hour block
// and the nights.
func dateBox(ms *measurer, title string, at time.Time, block string, nights int) core.Row {
	inner := ticketWidth - 2*ticketPad
	words, wordsSize := ms.fit(longDate(at), fontstyle.Bold, 22, 14, inner)
	hourLabel := "Hora (entre):"
	hourLabelW := ms.runOn(pdfText(hourLabel), fontstyle.Normal, 14)
	hour, hourSize := ms.fit(orDash(block), fontstyle.Bold, 14, 10, inner-hourLabelW)
	nightsLabel := "Noches planificadas:"
	nightsLabelW := ms.runOn(pdfText(nightsLabel), fontstyle.Normal, 14)
	return row.New(dateBoxH).Add(col.New().WithStyle(&props.Cell{
		BorderType: border.Full, BorderColor: colorBrand, BorderThickness: 0.6, BackgroundColor: colorBrandTint,
	}).Add(
		txt{size: 11, style: fontstyle.Bold, color: colorBrand, left: ticketPad, top: 4}.of(title),
		txt{size: wordsSize, style: fontstyle.Bold, color: colorInk, left: ticketPad, top: 10}.of(words),
		txt{size: 14, color: colorMuted, left: ticketPad, top: 20.5}.of(shortDate(at)),
		txt{size: 14, color: colorInk, left: ticketPad, top: 29.5}.of(hourLabel),
		txt{size: hourSize, style: fontstyle.Bold, color: colorInk, left: ticketPad + hourLabelW, top: 29.5 + (14-hourSize)*ptToMM}.of(hour),
		txt{size: 14, color: colorInk, left: ticketPad, top: 37.5}.of(nightsLabel),
		txt{size: 14, style: fontstyle.Bold, color: colorInk, left: ticketPad + nightsLabelW, top: 37.5}.of(fmt.Sprint(nights)),
	))
}

// originalBox is the quieter box with the date set when the ticket was created.
func originalBox(ms *measurer, s TicketSheet) core.Row {
	inner := ticketWidth - 2*ticketPad
	date, dateSize := ms.fit(longDate(s.OriginalFPA)+" · "+shortDate(s.OriginalFPA), fontstyle.Normal, 12, 9, inner)
	detail, detailSize := ms.fit(fmt.Sprintf("Hora (entre): %s · Noches planificadas: %d", orDash(s.OriginalBlock), s.PlannedNights),
		fontstyle.Normal, 11, 8, inner)
	return row.New(originalBoxH).Add(col.New().WithStyle(&props.Cell{
		BorderType: border.Full, BorderColor: colorRule, BorderThickness: 0.35,
	}).Add(
		txt{size: 10, style: fontstyle.Bold, color: colorMuted, left: ticketPad, top: 3.5}.of("Fecha original"),
		txt{size: dateSize, color: colorInk, left: ticketPad, top: 9.5}.of(date),
		txt{size: detailSize, color: colorMuted, left: ticketPad, top: 16}.of(detail),
	))
}

// ticketFooter is the note for the patient and the printing line, at the page bottom.
func ticketFooter(ms *measurer, s TicketSheet) []core.Row {
	note, noteSize := ms.fit("La hora de alta puede cambiar según su evolución clínica; el equipo le informará.",
		fontstyle.Italic, 11, 8, ticketWidth)
	printed, printedSize := ms.fit(fmt.Sprintf("Impreso el %s a las %s por %s",
		shortDate(s.PrintedAt), clockTime(s.PrintedAt), orDash(s.PrintedBy)), fontstyle.Normal, 9, 7, ticketWidth*0.75)
	return []core.Row{
		row.New(9).Add(col.New().Add(
			txt{size: noteSize, style: fontstyle.Italic, color: colorInk, top: 1.5}.of(note),
		)),
		row.New(1).WithStyle(&props.Cell{BorderType: border.Bottom, BorderColor: colorRule, BorderThickness: 0.3}),
		row.New(6).Add(
			col.New(75).Add(txt{size: printedSize, color: colorMuted, top: 2}.of(printed)),
			col.New(25).Add(txt{size: 9, color: colorMuted, align: align.Right, top: 2}.of("Ticket Home · RedSalud")),
		),
	}
}
