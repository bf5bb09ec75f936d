package handlers

import (
	"strconv"
	"strings"
	"time"

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
		"surgery": fv.Surgery, "from": fv.From, "to": fv.To, "ward": fv.Ward, "no_episode": fv.NoEpisode,
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
