package handlers

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
	"github.com/redsalud/ticket-home/store"
)

// Clinics and the superuser allow-list (superusers only, RULES §7, §9): /clinicas lists,
// /clinicas/nueva creates, /clinicas/{id} edits, /clinicas/{id}/estado deactivates or
// reactivates; /superusuarios adds an e-mail, /superusuarios/{id}/quitar removes one.

func (h *Handler) showClinics(c *fiber.Ctx) error {
	takeFlash(c)
	return h.renderClinics(c, fiber.StatusOK, components.ClinicsProps{})
}

func (h *Handler) renderClinics(c *fiber.Ctx, status int, props components.ClinicsProps) error {
	data, err := h.store.ReadClinicsPage(c.UserContext(), state(c).principal)
	if err != nil {
		return err
	}
	props.Page, props.Data = h.page(c, "Clínicas"), data
	return render(c, status, components.Clinics(props))
}

func (h *Handler) clinicProps(c *fiber.Ctx, id int64) components.ClinicEditProps {
	if id == 0 {
		return components.ClinicEditProps{Page: h.page(c, "Nueva clínica"), Heading: "Nueva clínica", Action: "/clinicas/nueva", New: true}
	}
	return components.ClinicEditProps{Page: h.page(c, "Editar clínica"), Heading: "Editar clínica", Action: "/clinicas/" + strconv.FormatInt(id, 10)}
}

// clinicRow is clinic id as the clinics page lists it (404 when there is none).
func (h *Handler) clinicRow(c *fiber.Ctx, id int64) (store.ClinicRow, error) {
	data, err := h.store.ReadClinicsPage(c.UserContext(), state(c).principal)
	if err != nil {
		return store.ClinicRow{}, err
	}
	for _, r := range data.Clinics {
		if r.ID == id {
			return r, nil
		}
	}
	return store.ClinicRow{}, fiber.ErrNotFound
}

func (h *Handler) showClinic(c *fiber.Ctx) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	props := h.clinicProps(c, id)
	if id != 0 {
		row, err := h.clinicRow(c, id)
		if err != nil {
			return err
		}
		props.Values, props.Version, props.CodeLocked = components.ClinicValues{Name: row.Name, Code: row.Code}, row.Version, row.Tickets > 0
	}
	return render(c, fiber.StatusOK, components.ClinicEdit(props))
}

// saveClinic creates or edits a clinic: 303 to the list; problems at their fields (422); a
// form opened on an old version (409).
func (h *Handler) saveClinic(c *fiber.Ctx) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	ch, err := forms.RowEdit(c, id)
	if err != nil {
		return err
	}
	props := h.clinicProps(c, id)
	v, refused := forms.ReadClinic(c)
	name, code, errs := forms.ValidateClinic(v, refused)
	props.Values, props.Version = v, ch.Version
	status := fiber.StatusUnprocessableEntity
	if len(errs) == 0 {
		_, err := h.store.SaveClinic(c.UserContext(), state(c).principal, ch, name, code)
		var ce *store.ConstraintError
		switch {
		case err == nil:
			h.flash(c, "Clínica "+name+" guardada.")
			return h.seeOther(c, "/clinicas")
		case errors.Is(err, store.ErrNotFound):
			return fiber.ErrNotFound
		case errors.Is(err, store.ErrCodeLocked):
			errs.Add("codigo", forms.MsgClinicCodeLocked)
		case errors.As(err, &ce) && ce.Constraint == "clinics_code_key":
			errs.Add("codigo", forms.MsgClinicCodeTaken)
		case errors.As(err, &ce) && ce.Constraint == "clinics_name_key":
			errs.Add("nombre", forms.MsgClinicNameTaken)
		case errors.Is(err, store.ErrConflict):
			cur, err := h.clinicRow(c, id)
			if err != nil {
				return err
			}
			status, props.Version = fiber.StatusConflict, cur.Version
			props.Conflict = &components.Conflict{Subject: "esta clínica", DiscardHref: props.Action,
				DiscardLabel: "Descartar mi cambio y ver la clínica como está guardada", Rows: []components.ConflictRow{
					{Label: "Nombre", Current: cur.Name, Typed: v.Name},
					{Label: "Código", Current: cur.Code, Typed: components.OrDash(v.Code)},
				}}
		default:
			return err
		}
	}
	if id != 0 {
		row, err := h.clinicRow(c, id)
		if err != nil {
			return err
		}
		props.CodeLocked = row.Tickets > 0
	}
	props.Errors = errs
	return render(c, status, components.ClinicEdit(props))
}

// setClinicActive deactivates (activo=0) or reactivates (activo=1) a clinic.
func (h *Handler) setClinicActive(c *fiber.Ctx) error {
	id, err := rowID(c)
	if err != nil || id == 0 {
		return fiber.ErrNotFound
	}
	active, err := forms.Activo(c)
	if err != nil {
		return err
	}
	if !active && forms.Body(c, "confirmar") != "1" {
		// Deactivating signs every user of the clinic out: asked once more, naming the clinic.
		row, err := h.clinicRow(c, id)
		if err != nil {
			return err
		}
		if row.Active {
			return h.renderClinics(c, fiber.StatusOK, components.ClinicsProps{Confirm: &row})
		}
	}
	changed, err := h.store.SetClinicActive(c.UserContext(), state(c).principal, id, active)
	if err != nil {
		return err
	}
	msg := map[bool]string{true: "Clínica reactivada.", false: "Clínica desactivada: sus usuarios ya no pueden iniciar sesión."}[active]
	if !changed {
		msg = map[bool]string{true: "La clínica ya estaba activa.", false: "La clínica ya estaba desactivada."}[active]
	}
	h.flash(c, msg)
	return h.seeOther(c, "/clinicas")
}

// allowSuperuser adds an e-mail to the superuser allow-list.
func (h *Handler) allowSuperuser(c *fiber.Ctx) error {
	email, errs := forms.ReadAllowedEmail(c)
	if len(errs) == 0 {
		err := h.store.AllowSuperuser(c.UserContext(), state(c).principal, email)
		var ce *store.ConstraintError
		switch {
		case err == nil:
			h.flash(c, "Correo "+email+" agregado: entrará como superusuario al iniciar sesión con Google.")
			return h.seeOther(c, "/clinicas#superusuarios")
		case errors.As(err, &ce) && ce.Kind == "unique":
			errs.Add("correo", forms.MsgEmailAllowed)
		default:
			return err
		}
	}
	return h.renderClinics(c, fiber.StatusUnprocessableEntity, components.ClinicsProps{Email: email, EmailErrors: errs})
}

// disallowSuperuser removes an e-mail from the allow-list.
func (h *Handler) disallowSuperuser(c *fiber.Ctx) error {
	id, err := rowID(c)
	if err != nil || id == 0 {
		return fiber.ErrNotFound
	}
	if err := h.store.DisallowSuperuser(c.UserContext(), state(c).principal, id); err != nil {
		return err
	}
	h.flash(c, "Correo quitado de la lista de superusuarios.")
	return h.seeOther(c, "/clinicas#superusuarios")
}

// showCopy is the form that copies master data between clinics.
func (h *Handler) showCopy(c *fiber.Ctx) error {
	return h.renderCopy(c, fiber.StatusOK, components.CopyProps{})
}

func (h *Handler) renderCopy(c *fiber.Ctx, status int, props components.CopyProps) error {
	clinics, err := h.store.Clinics(c.UserContext(), state(c).principal.InAllClinics())
	if err != nil {
		return err
	}
	props.Page, props.Clinics = h.page(c, "Copiar datos maestros"), clinics
	return render(c, status, components.CatalogCopy(props))
}

// copyCatalog shows what a copy would add (accion=ver) or adds it (accion=copiar) when it is
// still what was shown.
func (h *Handler) copyCatalog(c *fiber.Ctx) error {
	var errs components.Errors
	props := components.CopyProps{From: forms.Text(c, &errs, "origen", "origen"), To: forms.Text(c, &errs, "destino", "destino")}
	from, okFrom := forms.ID(props.From)
	to, okTo := forms.ID(props.To)
	if !okFrom {
		errs.Add("origen", msgChooseClinic)
	}
	if !okTo {
		errs.Add("destino", msgChooseClinic)
	}
	if okFrom && okTo && from == to {
		errs.Add("destino", msgSameClinic)
	}
	if len(errs) > 0 {
		props.Errors = errs
		return h.renderCopy(c, fiber.StatusUnprocessableEntity, props)
	}
	p := state(c).principal
	if forms.Body(c, "accion") == "copiar" {
		plan, err := h.store.CopyMasterData(c.UserContext(), p, from, to, forms.Body(c, "plan"))
		switch {
		case err == nil:
			h.flash(c, "Datos maestros copiados a "+plan.To.Name+": "+strconv.Itoa(len(plan.Specialties))+" especialidades, "+
				strconv.Itoa(len(plan.Surgeries))+" cirugías, "+strconv.Itoa(len(plan.Doctors))+" médicos y "+strconv.Itoa(len(plan.Reasons))+" razones.")
			return h.seeOther(c, "/clinicas")
		case errors.Is(err, store.ErrPlanChanged):
			props.Message = msgPlanChanged
		case errors.Is(err, store.ErrNotFound):
			return fiber.ErrNotFound
		default:
			return err
		}
	}
	plan, err := h.store.PlanCopy(c.UserContext(), p, from, to)
	if errors.Is(err, store.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	props.Plan = &plan
	status := fiber.StatusOK
	if props.Message != "" {
		status = fiber.StatusConflict
	}
	return h.renderCopy(c, status, props)
}
