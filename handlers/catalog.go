package handlers

import (
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/store"
)

// showCatalog renders the read-only master data of the principal's clinic. A non-superuser
// who names another clinic in ?clinica= still sees only their own (resolvePrincipal ignores it).
func (h *Handler) showCatalog(c *fiber.Ctx) error {
	takeFlash(c)
	return h.renderCatalog(c, fiber.StatusOK, nil)
}

// renderCatalog is the catalog page; refused says why a change was refused, at its section.
// Admins and superusers see the administration's controls.
func (h *Handler) renderCatalog(c *fiber.Ctx, status int, refused components.Errors) error {
	st := state(c)
	p := st.principal
	cc, err := h.store.CatalogPage(c.UserContext(), p)
	if err != nil {
		return err
	}
	props := components.CatalogProps{Page: h.page(c, "Catálogo de la clínica"), Catalog: cc.Catalog, ClinicName: st.clinicName,
		CanEdit: p.IsAdmin(), Refused: refused}
	if !p.AllClinics {
		props.Thresholds = &store.Thresholds{Critical: cc.Clinic.CriticalHours, Warning: cc.Clinic.WarningHours,
			Capacity: cc.Clinic.DischargeCapacity}
	}
	if p.IsSuperuser() {
		su := p
		su.AllClinics, su.ClinicID = true, 0
		if props.Clinics, err = h.store.Clinics(c.UserContext(), su); err != nil {
			return err
		}
		props.SelectedClinic = "todas"
		if !p.AllClinics {
			props.SelectedClinic = strconv.FormatInt(p.ClinicID, 10)
		}
	}
	return render(c, status, components.Catalog(props))
}

// home sends each user to their starting page.
func (h *Handler) home(c *fiber.Ctx) error {
	return c.Redirect("/tablero", fiber.StatusSeeOther)
}

// upperFirst capitalises the first letter of s.
func upperFirst(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+utf8.RuneLen(r):]
	}
	return s
}
