package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
)

// showCatalog renders the read-only master data of the principal's clinic. A non-superuser
// who names another clinic in ?clinica= still sees only their own (resolvePrincipal ignores it).
func (h *Handler) showCatalog(c *fiber.Ctx) error {
	takeFlash(c)
	st := state(c)
	p := st.principal
	cat, err := h.store.Catalog(c.UserContext(), p)
	if err != nil {
		return err
	}
	props := components.CatalogProps{Page: h.page(c, "Catálogo de la clínica"), Catalog: cat, ClinicName: st.clinicName}
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
	return render(c, fiber.StatusOK, components.Catalog(props))
}

// home sends each user to their starting page.
func (h *Handler) home(c *fiber.Ctx) error {
	return c.Redirect("/tablero", fiber.StatusSeeOther)
}
