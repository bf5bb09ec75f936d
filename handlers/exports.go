package handlers

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/report"
	"github.com/redsalud/ticket-home/store"
)

const contentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// exportBoard downloads the board the user is looking at as a workbook: every filter of the
// URL, the search of the session, the superuser's clinic choice, every page, in its order.
func (h *Handler) exportBoard(c *fiber.Ctx) error {
	fv, errs := boardShown(c)
	f := storeBoardFilter(fv, &errs)
	if len(errs) > 0 {
		return h.renderBoard(c, fv, errs, 1, boardWhole)
	}
	p := state(c).principal
	now := h.now()
	sheet, err := report.NewTicketsSheet(p.AllClinics)
	if err != nil {
		return err
	}
	defer sheet.Close()
	code, err := h.store.ExportBoard(c.UserContext(), p, f, now, store.BoardExport{Kind: "export_tickets", Filter: auditedFilter(fv)},
		func(t store.ExportedTicket) error { return sheet.AddTicket(ticketRow(t, now)) })
	if err != nil {
		return err
	}
	return sendWorkbook(c, sheet.Sheet, exportName("tickets", code, now, "xlsx"))
}

// ticketRow is an exported ticket as the workbook shows it.
func ticketRow(t store.ExportedTicket, now time.Time) report.TicketRow {
	v := components.NewTicketView(t.Ticket, now)
	hours, _ := strconv.ParseFloat(t.BaseStayHours, 64)
	r := report.TicketRow{
		Code: t.Code, State: v.State.Label(), RUT: t.RUT, Patient: v.PatientName(), Bed: t.Bed, Location: t.Location,
		Clinic: t.ClinicName, Specialty: t.SpecialtyName, Surgery: t.SurgeryName, BaseHours: hours, Doctor: t.DoctorName,
		PavilionEnd: t.PavilionEnd, OriginalFPA: t.OriginalFPA, FPA: t.FPA,
		Block:         fpa.Block{Start: t.BlockStart, End: t.BlockEnd}.Label(),
		PlannedNights: v.PlannedNights(), ExtraNights: v.ExtraNights(),
		CreatedBy: t.CreatedByName, CreatedAt: t.CreatedAt,
	}
	if t.DischargedAt.Valid {
		r.DischargedAt = t.DischargedAt.Time
	}
	for _, m := range t.Mods {
		r.Mods = append(r.Mods, report.ModRow{At: m.At, FPA: m.FPA, Block: fpa.Block{Start: m.BlockStart, End: m.BlockEnd}.Label(),
			User: m.User, Reason: m.Reason, Justification: m.Justification})
	}
	return r
}

// auditedFilter is what an export's audit row records of the board's filters.
func auditedFilter(fv components.BoardFilterValues) map[string]any {
	states := fv.States
	if len(states) == 0 {
		states = store.ActiveStates
	}
	return map[string]any{"states": strings.Join(states, ","), "search": fv.Query, "specialty": fv.Specialty,
		"surgery": fv.Surgery, "from": fv.From, "to": fv.To, "date_of": fv.DateOf, "soon": fv.Soon, "ward": fv.Ward, "no_episode": fv.NoEpisode,
		"mine": fv.Mine, "sort": fv.Sort, "clinic": fv.ClinicParam}
}

// exportName is a download's file name: "tickets_PROV_2026-11-27.xlsx" (TODAS for every
// clinic). It never carries a patient's data (RULES §11).
func exportName(kind, code string, now time.Time, ext string) string {
	if code == "" {
		code = "TODAS"
	}
	return kind + "_" + code + "_" + now.In(fpa.Santiago).Format("2006-01-02") + "." + ext
}

// sendWorkbook streams a finished workbook from its unlinked temporary file, which the
// response closes once sent.
func sendWorkbook(c *fiber.Ctx, sheet *report.Sheet, name string) error {
	file, size, err := sheet.TempFile()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, contentTypeXLSX)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusOK).SendStream(file, int(size))
}

// printTicket is the patient's printed sheet, "Programación del alta": first name and the
// initial of the first surname, never the RUT (RULES §11); named by the ticket's code, shown
// inline. Printing is audited; an annulled ticket has no sheet.
func (h *Handler) printTicket(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	st := state(c)
	t, err := h.store.PrintTicket(c.UserContext(), st.principal, id)
	if errors.Is(err, store.ErrAnnulled) {
		return h.renderError(c, fiber.StatusConflict, msgAnnulledSheetTitle, msgAnnulledSheet(t.Code))
	}
	if err != nil {
		return err
	}
	now := h.now()
	v := components.NewTicketView(t, now)
	sheet := report.TicketSheet{
		Clinic: t.ClinicName, Code: t.Code, Patient: v.PatientShort(), Surgery: t.SurgeryName,
		OriginalFPA: t.OriginalFPA, OriginalBlock: fpa.Block{Start: t.OriginalStart, End: t.OriginalEnd}.Label(),
		PlannedNights: fpa.Nights(t.PavilionEnd, t.OriginalFPA),
		Doctor:        t.DoctorName, PrintedAt: now, PrintedBy: st.principal.Username,
	}
	if !t.FPA.Equal(t.OriginalFPA) || t.BlockStart != t.OriginalStart || t.BlockEnd != t.OriginalEnd {
		sheet.Changed, sheet.CurrentFPA = true, t.FPA
		sheet.CurrentBlock, sheet.CurrentNights = fpa.Block{Start: t.BlockStart, End: t.BlockEnd}.Label(), v.PlannedNights()
	}
	pdf, err := report.TicketPDF(sheet)
	if err != nil {
		return err
	}
	return sendPDF(c, pdf, t.Code+".pdf")
}

// sendPDF answers a PDF shown in the browser (printable from its viewer), named name.
func sendPDF(c *fiber.Ctx, pdf []byte, name string) error {
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusOK).Send(pdf)
}

// maxShiftRows bounds the shift sheet (25 pages): a ward's list, not a whole clinic's history.
const maxShiftRows = 1000

var errShiftTooLong = errors.New("shift sheet: too many tickets")

// shiftSheet is the ward's handoff list of the tickets the board shows (its filters, the
// session's search, every page), one row each sorted by bed, with the patients' full names:
// the sheet stays on the ward. Audited like every export.
func (h *Handler) shiftSheet(c *fiber.Ctx) error {
	fv, errs := boardShown(c)
	f := storeBoardFilter(fv, &errs)
	if len(errs) > 0 {
		return h.renderBoard(c, fv, errs, 1, boardWhole)
	}
	st := state(c)
	now := h.now()
	var rows []report.ShiftRow
	code, err := h.store.ExportBoard(c.UserContext(), st.principal, f, now, store.BoardExport{Kind: "export_shift", Filter: auditedFilter(fv)},
		func(t store.ExportedTicket) error {
			if len(rows) == maxShiftRows {
				return errShiftTooLong
			}
			v := components.NewTicketView(t.Ticket, now)
			loc := t.Location
			if st.principal.AllClinics {
				loc = strings.TrimSpace(t.ClinicCode + " " + loc)
			}
			rows = append(rows, report.ShiftRow{Bed: t.Bed, Location: loc, Patient: v.PatientName(), FPA: t.FPA,
				Block: fpa.Block{Start: t.BlockStart, End: t.BlockEnd}.Label(), State: v.State.Label(), Urgency: v.Urgency.Label(),
				Mods: t.ModificationCount, Episode: t.EpisodeID, Code: t.Code})
			return nil
		})
	if errors.Is(err, errShiftTooLong) {
		return h.renderError(c, fiber.StatusUnprocessableEntity, msgShiftTooLongTitle, msgShiftTooLong(maxShiftRows))
	}
	if err != nil {
		return err
	}
	slices.SortStableFunc(rows, func(a, b report.ShiftRow) int {
		return cmp.Or(naturalCompare(a.Bed, b.Bed), naturalCompare(a.Location, b.Location))
	})
	clinic := st.clinicName
	if st.principal.AllClinics {
		clinic = "Todas las clínicas"
	}
	pdf, err := report.ShiftPDF(report.ShiftSheet{Clinic: clinic, Filters: filterLines(fv), PrintedBy: st.principal.Username,
		PrintedAt: now, Rows: rows})
	if err != nil {
		return err
	}
	return sendPDF(c, pdf, exportName("turno", code, now, "pdf"))
}

// naturalCompare orders beds as people read them: "2" before "10", "101-B" after "101-A";
// an empty bed last.
func naturalCompare(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	ra, rb := []rune(strings.ToUpper(a)), []rune(strings.ToUpper(b))
	for len(ra) > 0 && len(rb) > 0 {
		if unicode.IsDigit(ra[0]) && unicode.IsDigit(rb[0]) {
			na, nb := digitRun(ra), digitRun(rb)
			// Without leading zeros, the longer number is the greater.
			ta, tb := strings.TrimLeft(string(ra[:na]), "0"), strings.TrimLeft(string(rb[:nb]), "0")
			if c := cmp.Or(cmp.Compare(len(ta), len(tb)), strings.Compare(ta, tb)); c != 0 {
				return c
			}
			ra, rb = ra[na:], rb[nb:]
			continue
		}
		if c := cmp.Compare(ra[0], rb[0]); c != 0 {
			return c
		}
		ra, rb = ra[1:], rb[1:]
	}
	return cmp.Or(cmp.Compare(len(ra), len(rb)), strings.Compare(a, b))
}

func digitRun(r []rune) int {
	n := 0
	for n < len(r) && unicode.IsDigit(r[n]) {
		n++
	}
	return n
}

// filterLines describes the board's filters for a printed sheet's header.
func filterLines(fv components.BoardFilterValues) []string {
	var out []string
	states := fv.States
	if len(states) == 0 {
		out = append(out, "Activos (programados, vigentes y vencidos)")
	} else {
		var names []string
		for _, s := range states {
			names = append(names, stateNames[s])
		}
		out = append(out, "Estado: "+strings.Join(names, ", "))
	}
	add := func(label, v string) {
		if v != "" {
			out = append(out, label+": "+v)
		}
	}
	add("Búsqueda", fv.Query)
	add("Ubicación", fv.Ward)
	add("Especialidad", fv.Specialty)
	add("Cirugía", fv.Surgery)
	if fv.From != "" || fv.To != "" {
		kind := components.DateKinds[0].Label
		for _, o := range components.DateKinds {
			if o.Value == fv.DateOf {
				kind = o.Label
			}
		}
		add(kind+" desde", fv.From)
		add(kind+" hasta", fv.To)
	}
	if fv.Soon {
		out = append(out, "Altas en las próximas 24 horas")
	}
	if fv.NoEpisode {
		out = append(out, "Sin ID Ep.")
	}
	if fv.Mine {
		out = append(out, "Mis tickets")
	}
	return out
}

// stateNames are the board's state keys in words.
var stateNames = map[string]string{store.StateProgramado: "Programado", store.StateVigente: "Vigente",
	store.StateVencido: "Vencido", store.StateAnulado: "Anulado", store.StateDeAlta: "De alta"}
