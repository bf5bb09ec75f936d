package handlers

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
	"github.com/redsalud/ticket-home/store"
)

// The administration of a clinic's master data (RULES §1, §1c, §2, §6, §9):
// /catalogo/{kind}/nueva creates, /catalogo/{kind}/{id} edits, /catalogo/{kind}/{id}/estado
// deactivates or reactivates, /catalogo/umbrales sets the thresholds and the discharge
// capacity. Admins act on their clinic; a superuser on the clinic chosen (?clinica=), and is
// asked for one when looking at every clinic.

// catalogKind is one kind of master data as its pages name it.
type catalogKind struct {
	slug  string
	kind  store.CatalogKind
	noun  string // "la especialidad"
	title string // "Especialidad"
}

var catalogKinds = map[string]catalogKind{
	"especialidades": {"especialidades", store.KindSpecialty, "la especialidad", "especialidad"},
	"cirugias":       {"cirugias", store.KindSurgery, "la cirugía", "cirugía"},
	"medicos":        {"medicos", store.KindDoctor, "el médico", "médico"},
	"razones":        {"razones", store.KindReason, "la razón", "razón"},
	"bloques":        {"bloques", store.KindBlock, "el bloque", "bloque"},
}

// kindOf is the kind in the address; blocks have no form (only a state).
func kindOf(c *fiber.Ctx, withForm bool) (catalogKind, error) {
	k, ok := catalogKinds[c.Params("kind")]
	if !ok || (withForm && k.kind == store.KindBlock) {
		return k, fiber.ErrNotFound
	}
	return k, nil
}

// rowID is the id in the address: "nueva" is 0; anything else not an id is 404.
func rowID(c *fiber.Ctx) (int64, error) {
	if c.Params("id") == "" {
		return 0, nil
	}
	id, ok := forms.ID(c.Params("id"))
	if !ok {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

// inOneClinic answers a superuser looking at every clinic with the choice of one.
func (h *Handler) inOneClinic(c *fiber.Ctx, heading string) (bool, error) {
	if !state(c).principal.AllClinics {
		return true, nil
	}
	return false, h.chooseClinic(c, heading, "Está viendo todas las clínicas. Elija la clínica cuyos datos quiere cambiar.", c.Path())
}

// showCatalogRow is the form of a new row or of an existing one.
func (h *Handler) showCatalogRow(c *fiber.Ctx) error {
	k, err := kindOf(c, true)
	if err != nil {
		return err
	}
	id, err := rowID(c)
	if err != nil {
		return err
	}
	props := h.catalogEditProps(c, k, id)
	if ok, err := h.inOneClinic(c, props.Heading); !ok || err != nil {
		return err
	}
	cat, err := h.store.Catalog(c.UserContext(), state(c).principal)
	if err != nil {
		return err
	}
	if id != 0 && !fillRow(&props, k, cat, id) {
		return fiber.ErrNotFound
	}
	props.Specialties = specialtyOptions(cat, props.Surgery.Specialty+props.Doctor.Specialty)
	return render(c, fiber.StatusOK, components.CatalogEdit(props))
}

func (h *Handler) catalogEditProps(c *fiber.Ctx, k catalogKind, id int64) components.CatalogEditProps {
	heading := "Nueva " + k.title
	if k.kind == store.KindDoctor {
		heading = "Nuevo médico"
	}
	action := "/catalogo/" + k.slug + "/nueva"
	if id != 0 {
		heading = "Editar " + k.title
		action = "/catalogo/" + k.slug + "/" + strconv.FormatInt(id, 10)
	}
	heading = upperFirst(heading)
	return components.CatalogEditProps{Page: h.page(c, heading), Kind: k.slug, Heading: heading, Action: action,
		New: id == 0, ClinicName: state(c).clinicName}
}

// fillRow puts row id of kind k into the form, as it is saved; false when the clinic has none.
func fillRow(p *components.CatalogEditProps, k catalogKind, cat store.Catalog, id int64) bool {
	switch k.kind {
	case store.KindSpecialty:
		for _, s := range cat.Specialties {
			if s.ID == id {
				p.Specialty, p.Version, p.Inactive = components.SpecialtyValues{Name: s.Name}, s.Version, !s.Active
				return true
			}
		}
	case store.KindSurgery:
		for _, s := range cat.Surgeries {
			if s.ID == id {
				p.Surgery, p.Version, p.Inactive = surgeryValues(s), s.Version, !s.Active
				return true
			}
		}
	case store.KindDoctor:
		for _, d := range cat.Doctors {
			if d.ID == id {
				p.Doctor, p.Version, p.Inactive = doctorValues(d), d.Version, !d.Active
				return true
			}
		}
	case store.KindReason:
		for _, r := range cat.Reasons {
			if r.ID == id {
				p.Reason, p.Version, p.Inactive = components.ReasonValues{Category: r.Category, Name: r.Name}, r.Version, !r.Active
				return true
			}
		}
	}
	return false
}

func surgeryValues(s store.Surgery) components.SurgeryValues {
	v := components.SurgeryValues{Specialty: strconv.FormatInt(s.SpecialtyID, 10), Name: s.Name,
		Hours: components.Hours(s.BaseStayHours), Ambulatory: s.Ambulatory}
	if s.CutoffHour.Valid {
		v.Cutoff = strconv.Itoa(int(s.CutoffHour.Int16))
	}
	return v
}

func doctorValues(d store.Doctor) components.DoctorValues {
	v := components.DoctorValues{FirstName: d.FirstName, LastName: d.LastName, RUT: components.RUT(d.RUT)}
	if d.SpecialtyID != 0 {
		v.Specialty = strconv.FormatInt(d.SpecialtyID, 10)
	}
	return v
}

// specialtyOptions are the clinic's active specialties, and the one chosen even if inactive.
func specialtyOptions(cat store.Catalog, chosen string) []components.Option {
	var out []components.Option
	for _, s := range cat.Specialties {
		id := strconv.FormatInt(s.ID, 10)
		if s.Active || id == chosen {
			out = append(out, components.Option{Value: id, Label: s.Name})
		}
	}
	return out
}

// saveCatalogRow creates or edits a row: 303 to the catalog with a status message; with
// problems, the form again with them (422), a name in use (422), or an edit made from an
// old version (409, the saved values beside the typed ones).
func (h *Handler) saveCatalogRow(c *fiber.Ctx) error {
	k, err := kindOf(c, true)
	if err != nil {
		return err
	}
	id, err := rowID(c)
	if err != nil {
		return err
	}
	props := h.catalogEditProps(c, k, id)
	if ok, err := h.inOneClinic(c, props.Heading); !ok || err != nil {
		return err
	}
	ch, err := forms.RowEdit(c, id)
	if err != nil {
		return err
	}
	p := state(c).principal
	ctx := c.UserContext()
	var errs components.Errors
	switch k.kind {
	case store.KindSpecialty:
		v, refused := forms.ReadSpecialty(c)
		props.Specialty = v
		var name string
		if name, errs = forms.ValidateSpecialty(v, refused); len(errs) == 0 {
			_, err = h.store.SaveSpecialty(ctx, p, ch, name)
		}
	case store.KindSurgery:
		v, refused := forms.ReadSurgery(c)
		props.Surgery = v
		var in store.NewSurgery
		if in, errs = forms.ValidateSurgery(v, refused); len(errs) == 0 {
			_, err = h.store.SaveSurgery(ctx, p, ch, in)
		}
	case store.KindDoctor:
		v, refused := forms.ReadDoctor(c)
		props.Doctor = v
		var in store.NewDoctor
		if in, errs = forms.ValidateDoctor(v, refused); len(errs) == 0 {
			_, err = h.store.SaveDoctor(ctx, p, ch, in)
		}
	case store.KindReason:
		v, refused := forms.ReadReason(c)
		props.Reason = v
		var in store.ReasonInput
		if in, errs = forms.ValidateReason(v, refused); len(errs) == 0 {
			_, err = h.store.SaveReason(ctx, p, ch, in)
		}
	}
	status := fiber.StatusUnprocessableEntity
	switch {
	case len(errs) > 0:
	case err == nil:
		verb := "guardada."
		if k.kind == store.KindDoctor {
			verb = "guardado."
		}
		h.flash(c, upperFirst(k.title)+" "+verb)
		return h.seeOther(c, "/catalogo#"+k.slug)
	case errors.Is(err, store.ErrNotFound):
		return fiber.ErrNotFound
	case errors.Is(err, store.ErrSpecialtyUnavailable):
		errs.Add("especialidad", forms.MsgSpecialtyUnavailable)
	case errors.Is(err, store.ErrConflict):
		status = fiber.StatusConflict
	default:
		field, msg, ok := nameTaken(err)
		if !ok {
			return err
		}
		errs.Add(field, msg)
	}
	cat, err := h.store.Catalog(ctx, p)
	if err != nil {
		return err
	}
	if probe := props; id != 0 && !fillRow(&probe, k, cat, id) {
		return fiber.ErrNotFound // not this clinic's: nothing of it is shown, not even a form
	}
	if status == fiber.StatusConflict {
		cur := props
		if !fillRow(&cur, k, cat, id) {
			return fiber.ErrNotFound
		}
		props.Version, props.Inactive = cur.Version, cur.Inactive
		saved, typed := conflictValues(k, cur, cat.Specialties), conflictValues(k, props, cat.Specialties)
		rows := make([]components.ConflictRow, len(saved))
		for i := range saved {
			rows[i] = components.ConflictRow{Label: saved[i].Label, Current: saved[i].Typed, Typed: typed[i].Typed}
		}
		props.Conflict = &components.Conflict{Subject: k.noun, Rows: rows, DiscardHref: props.Action,
			DiscardLabel: "Descartar mi cambio y ver " + k.noun + " como está guardada"}
		if k.kind == store.KindDoctor {
			props.Conflict.DiscardLabel = "Descartar mi cambio y ver " + k.noun + " como está guardado"
		}
	}
	props.Errors = errs
	props.Specialties = specialtyOptions(cat, props.Surgery.Specialty+props.Doctor.Specialty)
	return render(c, status, components.CatalogEdit(props))
}

// conflictValues are a form's values as a conflict shows them (Typed holds them).
func conflictValues(k catalogKind, p components.CatalogEditProps, specialties []store.Specialty) []components.ConflictRow {
	row := func(label, v string) components.ConflictRow {
		return components.ConflictRow{Label: label, Typed: components.OrDash(v)}
	}
	specialty := func(id string) string {
		for _, s := range specialties {
			if strconv.FormatInt(s.ID, 10) == id {
				return s.Name
			}
		}
		return id
	}
	switch k.kind {
	case store.KindSpecialty:
		return []components.ConflictRow{row("Nombre", p.Specialty.Name)}
	case store.KindSurgery:
		s := p.Surgery
		cutoff := ""
		if s.Ambulatory {
			cutoff = s.Cutoff
		}
		return []components.ConflictRow{row("Especialidad", specialty(s.Specialty)), row("Nombre", s.Name), row("Horas base", s.Hours),
			row("Ambulatoria", components.YesNo(s.Ambulatory)), row("Hora de corte", cutoff)}
	case store.KindDoctor:
		d := p.Doctor
		return []components.ConflictRow{row("Nombres", d.FirstName), row("Apellidos", d.LastName), row("Especialidad", specialty(d.Specialty)), row("RUT", d.RUT)}
	case store.KindReason:
		return []components.ConflictRow{row("Categoría", components.ReasonCategory(p.Reason.Category)), row("Razón", p.Reason.Name)}
	}
	return nil
}

// nameTaken turns a unique violation into the field's message.
func nameTaken(err error) (field, msg string, ok bool) {
	var ce *store.ConstraintError
	if !errors.As(err, &ce) || ce.Kind != "unique" {
		return "", "", false
	}
	switch ce.Constraint {
	case "specialties_name_key":
		return "nombre", forms.MsgSpecialtyTaken, true
	case "surgeries_name_key":
		return "nombre", forms.MsgSurgeryTaken, true
	case "doctors_name_key":
		return "apellidos", forms.MsgDoctorTaken, true
	case "doctors_clinic_id_rut_key":
		return "rut", forms.MsgDoctorRUTTaken, true
	case "reasons_name_key":
		return "nombre", forms.MsgReasonTaken, true
	}
	return "", "", false
}

// setCatalogActive deactivates (activo=0) or reactivates (activo=1) a row. Deactivated rows
// leave the ticket forms; tickets that used them keep showing them. The last active block
// of a clinic stays active: the catalog again, with the reason (409).
func (h *Handler) setCatalogActive(c *fiber.Ctx) error {
	k, err := kindOf(c, false)
	if err != nil {
		return err
	}
	id, err := rowID(c)
	if err != nil || id == 0 {
		return fiber.ErrNotFound
	}
	if ok, err := h.inOneClinic(c, "Catálogo de la clínica"); !ok || err != nil {
		return err
	}
	active, err := forms.Activo(c)
	if err != nil {
		return err
	}
	changed, err := h.store.SetActive(c.UserContext(), state(c).principal, k.kind, id, active)
	switch {
	case errors.Is(err, store.ErrLastActiveBlock):
		return h.renderCatalog(c, fiber.StatusConflict, components.Errors{{Field: "bloques", Msg: msgLastActiveBlock}})
	case err != nil:
		return err
	}
	msg := upperFirst(k.title) + " desactivad" + genderEnd(k) + "."
	if active {
		msg = upperFirst(k.title) + " reactivad" + genderEnd(k) + "."
	}
	if !changed {
		msg = upperFirst(k.title) + " ya estaba " + map[bool]string{true: "activ", false: "desactivad"}[active] + genderEnd(k) + "."
	}
	h.flash(c, msg)
	return h.seeOther(c, "/catalogo#"+k.slug)
}

func genderEnd(k catalogKind) string {
	if k.kind == store.KindDoctor || k.kind == store.KindBlock {
		return "o"
	}
	return "a"
}

// showThresholds is the form of the clinic's urgency thresholds and discharge capacity.
func (h *Handler) showThresholds(c *fiber.Ctx) error {
	props := h.thresholdProps(c)
	if ok, err := h.inOneClinic(c, props.Heading); !ok || err != nil {
		return err
	}
	cl, err := h.store.Clinic(c.UserContext(), state(c).principal, state(c).principal.ClinicID)
	if err != nil {
		return err
	}
	crit, warn, capacity := strconv.Itoa(cl.CriticalHours), strconv.Itoa(cl.WarningHours), strconv.Itoa(cl.DischargeCapacity)
	props.Thresholds = components.ThresholdValues{Critical: crit, Warning: warn, Capacity: capacity,
		BeforeCritical: crit, BeforeWarning: warn, BeforeCapacity: capacity}
	return render(c, fiber.StatusOK, components.CatalogEdit(props))
}

func (h *Handler) thresholdProps(c *fiber.Ctx) components.CatalogEditProps {
	const heading = "Umbrales y capacidad"
	return components.CatalogEditProps{Page: h.page(c, heading), Kind: "umbrales", Heading: heading,
		Action: "/catalogo/umbrales", ClinicName: state(c).clinicName}
}

// saveThresholds saves the thresholds (0 < critical < warning ≤ 72) and the discharge capacity
// (1–50, RULES §1c); if another admin changed any of them since the form was opened, 409 with
// both.
func (h *Handler) saveThresholds(c *fiber.Ctx) error {
	props := h.thresholdProps(c)
	if ok, err := h.inOneClinic(c, props.Heading); !ok || err != nil {
		return err
	}
	v, refused := forms.ReadThresholds(c)
	before, after, errs, err := forms.ValidateThresholds(v, refused)
	if err != nil {
		return err
	}
	props.Thresholds = v
	status := fiber.StatusUnprocessableEntity
	if len(errs) == 0 {
		p := state(c).principal
		err := h.store.SaveThresholds(c.UserContext(), p, before, after)
		if err == nil {
			h.flash(c, msgThresholdsSaved)
			return h.seeOther(c, "/catalogo#umbrales")
		}
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
		cl, err := h.store.Clinic(c.UserContext(), p, p.ClinicID)
		if err != nil {
			return err
		}
		status = fiber.StatusConflict
		props.Thresholds.BeforeCritical, props.Thresholds.BeforeWarning = strconv.Itoa(cl.CriticalHours), strconv.Itoa(cl.WarningHours)
		props.Thresholds.BeforeCapacity = strconv.Itoa(cl.DischargeCapacity)
		props.Conflict = &components.Conflict{Subject: "los umbrales y la capacidad", DiscardHref: "/catalogo/umbrales",
			DiscardLabel: "Descartar mi cambio y ver los valores guardados", Rows: []components.ConflictRow{
				{Label: "Crítico (horas)", Current: strconv.Itoa(cl.CriticalHours), Typed: v.Critical},
				{Label: "Advertencia (horas)", Current: strconv.Itoa(cl.WarningHours), Typed: v.Warning},
				{Label: "Capacidad (altas por bloque)", Current: strconv.Itoa(cl.DischargeCapacity), Typed: v.Capacity},
			}}
	}
	props.Errors = errs
	return render(c, status, components.CatalogEdit(props))
}
