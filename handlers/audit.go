package handlers

import (
	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
	"github.com/redsalud/ticket-home/report"
	"github.com/redsalud/ticket-home/store"
)

// The audit log (RULES §10, §11): GET /auditoria shows the newest entries; its filters are
// POSTed to /auditoria (the page) or /auditoria/exportar (the same entries as XLSX).

// showAudit is the audit log, unfiltered.
func (h *Handler) showAudit(c *fiber.Ctx) error {
	return h.renderAudit(c, fiber.StatusOK, components.AuditFilterValues{}, store.AuditFilter{}, 1, nil)
}

// filterAudit is the audit log as the filters ask.
func (h *Handler) filterAudit(c *fiber.Ctx) error {
	v, refused := forms.ReadAuditFilter(c)
	f, page, errs := forms.ValidateAuditFilter(v, refused, components.AuditActions())
	if len(errs) > 0 {
		return h.renderAudit(c, fiber.StatusUnprocessableEntity, v, store.AuditFilter{}, 1, errs)
	}
	return h.renderAudit(c, fiber.StatusOK, v, f, page, nil)
}

func (h *Handler) renderAudit(c *fiber.Ctx, status int, v components.AuditFilterValues, f store.AuditFilter, page int, errs components.Errors) error {
	st := state(c)
	log, err := h.store.ReadAuditLog(c.UserContext(), st.principal, f, page)
	if err != nil {
		return err
	}
	return render(c, status, components.Audit(components.AuditProps{
		Page: h.page(c, "Auditoría"), Filter: v, Errors: errs, Log: log, ClinicName: st.clinicName,
		Filtered: f != (store.AuditFilter{}),
	}))
}

// exportAudit sends the entries the filters select as an XLSX workbook, every page.
func (h *Handler) exportAudit(c *fiber.Ctx) error {
	v, refused := forms.ReadAuditFilter(c)
	f, _, errs := forms.ValidateAuditFilter(v, refused, components.AuditActions())
	if len(errs) > 0 {
		return h.renderAudit(c, fiber.StatusUnprocessableEntity, v, store.AuditFilter{}, 1, errs)
	}
	st := state(c)
	sheet, err := report.NewSheet("Auditoría",
		[]string{"Fecha", "Usuario", "Clínica", "Acción", "Registro", "Detalle", "IP", "Navegador"},
		[]float64{17, 18, 26, 30, 22, 60, 16, 40})
	if err != nil {
		return err
	}
	defer sheet.Close()
	code, err := h.store.ExportAuditLog(c.UserContext(), st.principal, f, func(e store.AuditEntry) error {
		return sheet.Add(e.At, e.Username, e.ClinicName, components.ActionLabel(e.Action), components.AuditRecord(e),
			components.AuditDetails(e), e.IP, e.UserAgent)
	})
	if err != nil {
		return err
	}
	return sendWorkbook(c, sheet, exportName("auditoria", code, h.now(), "xlsx"))
}
