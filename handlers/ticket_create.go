package handlers

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

// ticketClinic is the clinic a new ticket goes to: the user's, or the superuser's choice.
// ok is false when a superuser has not chosen one yet.
func ticketClinic(c *fiber.Ctx) (int64, bool) {
	p := state(c).principal
	return p.ClinicID, !p.AllClinics && p.ClinicID > 0
}

// showCreateTicket renders the empty form (the pavilion date defaults to today).
func (h *Handler) showCreateTicket(c *fiber.Ctx) error {
	if _, ok := ticketClinic(c); !ok {
		return h.chooseClinic(c, "Nuevo ticket", "Elija la clínica del paciente.", "/tickets/nuevo")
	}
	f := forms.Ticket{TicketFormValues: components.TicketFormValues{PavilionDate: fpa.FormatDate(h.now())}}
	props, _, err := h.ticketForm(c, f, false, false)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, components.TicketForm(props))
}

// chooseClinic asks a superuser looking at every clinic which clinic the page at action is
// for (its form sends ?clinica=).
func (h *Handler) chooseClinic(c *fiber.Ctx, heading, intro, action string) error {
	p := state(c).principal
	clinics, err := h.store.Clinics(c.UserContext(), p)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, components.ChooseClinic(components.ClinicChoiceProps{
		Page: h.page(c, heading), Heading: heading, Intro: intro, Clinics: clinics, Action: action,
	}))
}

// createTicket creates the ticket, or re-renders the form: with the helper buttons (no
// JavaScript) it only refreshes the patient, surgeries and preview; with problems it answers 422
// with every message and everything typed.
func (h *Handler) createTicket(c *fiber.Ctx) error {
	clinicID, ok := ticketClinic(c)
	if !ok {
		return h.chooseClinic(c, "Nuevo ticket", "Elija la clínica del paciente.", "/tickets/nuevo")
	}
	f := forms.ReadTicket(c)
	if action := forms.Body(c, "accion"); action != "crear" {
		// "calcular", "paciente", "especialidad", or Enter pressed in a field: refresh, never create.
		props, _, err := h.ticketForm(c, f, false, true)
		if err != nil {
			return err
		}
		return render(c, fiber.StatusOK, components.TicketForm(props))
	}
	props, nt, err := h.ticketForm(c, f, true, true)
	if err != nil {
		return err
	}
	if shown, ok := forms.Shown(c); ok && len(props.Errors) == 0 && props.Preview != nil && shown != props.Preview.Shown {
		// The screen showed another FPA (an outdated preview, or none): show this one first.
		props.Errors.Add("vista-previa", msgPreviewOutdated)
	}
	if len(props.Errors) == 0 {
		t, err := h.store.CreateTicket(c.UserContext(), state(c).principal, clinicID, *nt, h.now())
		if err == nil {
			h.flash(c, fmt.Sprintf(msgTicketCreated, t.Code))
			return h.seeOther(c, "/tickets/"+strconv.FormatInt(t.ID, 10))
		}
		if !ticketCreateFieldError(err, &props) {
			return err
		}
	}
	return render(c, fiber.StatusUnprocessableEntity, components.TicketForm(props))
}

// ticketCreateFieldError turns what the store refused into a message at a field. It reports
// false for errors that are not the user's (a 500).
func ticketCreateFieldError(err error, props *components.TicketFormProps) bool {
	var ae *store.ActiveTicketError
	var ie *fpa.InputError
	switch {
	case errors.As(err, &ae):
		props.Errors.Add("rut", msgPatientHasActive)
		if ae.ID != 0 {
			props.Active = &components.ActiveTicketLink{ID: ae.ID, Code: ae.Code}
		}
	case errors.Is(err, store.ErrSurgeryUnavailable):
		props.Errors.Add("cirugia", forms.MsgSurgeryUnavailable)
	case errors.Is(err, store.ErrDoctorUnavailable):
		props.Errors.Add("medico", forms.MsgDoctorUnavailable)
	case errors.As(err, &ie):
		props.Errors.Add("bloque", ie.Msg)
	default:
		return false
	}
	return true
}

// previewTicketFPA answers the form's live preview (htmx): just the preview box.
func (h *Handler) previewTicketFPA(c *fiber.Ctx) error {
	if _, ok := ticketClinic(c); !ok {
		return fiber.ErrNotFound
	}
	props, _, err := h.ticketForm(c, forms.ReadTicket(c), false, false)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, components.FPAPreviewContents(props))
}

// ticketSurgeries answers a specialty change (htmx): the filtered surgery select, and the
// preview again since the surgery may have been cleared.
func (h *Handler) ticketSurgeries(c *fiber.Ctx) error {
	if _, ok := ticketClinic(c); !ok {
		return fiber.ErrNotFound
	}
	props, _, err := h.ticketForm(c, forms.ReadTicket(c), false, false)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, components.SurgeryFieldWithPreview(props))
}

// ticketPatient answers a RUT change (htmx): the patient block, filled in when the clinic
// already knows the RUT (WCAG 3.3.7: nothing typed twice).
func (h *Handler) ticketPatient(c *fiber.Ctx) error {
	if _, ok := ticketClinic(c); !ok {
		return fiber.ErrNotFound
	}
	props, _, err := h.ticketForm(c, forms.ReadTicket(c), false, true)
	if err != nil {
		return err
	}
	if !props.PatientKnown && props.Active == nil {
		// Nothing to add: swapping the block would only risk what the nurse is typing now.
		return c.SendStatus(fiber.StatusNoContent)
	}
	return render(c, fiber.StatusOK, components.PatientFieldset(props))
}

// ticketForm builds the form's props from what was typed: the clinic's active master data,
// the known patient (with lookup: the live preview shows only the FPA and needs no patient),
// the preview with the discharges already planned in its blocks (RULES §1c), and (when
// validate) every field's problem together with the ticket to create. The database is read
// once.
func (h *Handler) ticketForm(c *fiber.Ctx, f forms.Ticket, validate, lookup bool) (components.TicketFormProps, *store.NewTicket, error) {
	st := state(c)
	props := components.TicketFormProps{Page: h.page(c, "Nuevo ticket"), ClinicName: st.clinicName}
	r, rutErr := rut.Parse(f.RUT)
	canonical := ""
	if rutErr == nil && lookup {
		canonical = r.Canonical()
	}
	var computed formFPA
	data, err := h.store.TicketForm(c.UserContext(), st.principal, st.principal.ClinicID, canonical,
		func(cat *store.ClinicCatalog) []time.Time {
			computed = h.computeFormFPA(cat, f)
			return computed.slotStarts()
		})
	if err != nil {
		return props, nil, err
	}
	cat := data.Catalog
	ticketFormOptions(&props, cat, f.SpecialtyID)
	surgery := f.Surgery(cat)
	if surgery == nil && !validate {
		f.SurgeryID = "" // not offered (or gone): ask again rather than keep a hidden choice
	}
	if rutErr == nil {
		f.RUT = r.Display()
		if data.Patient != nil {
			props.PatientKnown = fillKnownPatient(&f.TicketFormValues, *data.Patient)
		}
		if data.Active != nil {
			props.Active = &components.ActiveTicketLink{ID: data.Active.ID, Code: data.Active.Code}
		}
	}
	if computed.surgery == nil {
		props.PreviewHint = computed.hint
	} else {
		props.Preview = buildPreview(computed.res, *computed.surgery, f.Block, data.Load)
	}
	props.Values = f.TicketFormValues
	if !validate {
		return props, nil, nil
	}
	nt, errs := f.Validate(cat, h.now())
	if props.Active != nil {
		errs.Add("rut", msgPatientHasActive)
	}
	props.Errors = forms.Sorted(errs, forms.TicketFieldOrder)
	return props, &nt, nil
}

// ticketFormOptions fills the form's choices with the clinic's active specialties, surgeries
// (of the chosen specialty) and doctors.
func ticketFormOptions(props *components.TicketFormProps, cat *store.ClinicCatalog, specialty string) {
	for _, s := range cat.Specialties {
		if s.Active {
			props.Specialties = append(props.Specialties, s)
		}
	}
	for _, d := range cat.Doctors {
		if d.Active {
			props.Doctors = append(props.Doctors, d)
		}
	}
	specialtyID, _ := strconv.ParseInt(specialty, 10, 64)
	for _, s := range cat.Surgeries {
		if _, ok := cat.ActiveSurgery(s.ID); ok && (specialtyID == 0 || s.SpecialtyID == specialtyID) {
			props.Surgeries = append(props.Surgeries, s)
		}
	}
}

// formFPA is the FPA the create form's fields give: the engine's result for the surgery, or
// (surgery nil) the hint of what the preview still needs.
type formFPA struct {
	res     fpa.Result
	surgery *store.Surgery
	hint    string
}

// computeFormFPA computes the FPA the form would save, from the clinic's catalog (no query).
func (h *Handler) computeFormFPA(cat *store.ClinicCatalog, f forms.Ticket) formFPA {
	surgery := f.Surgery(cat)
	pavilion, pErr := f.PavilionEnd(h.now())
	switch {
	case surgery == nil:
		return formFPA{hint: msgPreviewNeedsSurgery}
	case pErr != nil:
		if f.PavilionDate != "" && f.PavilionTime != "" {
			return formFPA{hint: pErr.Error()}
		}
		return formFPA{hint: msgPreviewNeedsPavilion}
	}
	res, err := cat.ComputeFPA(surgery.ID, pavilion)
	if err != nil {
		// The catalog offered the surgery, so only the engine refuses here (no block left).
		var ie *fpa.InputError
		if errors.As(err, &ie) {
			return formFPA{hint: ie.Msg}
		}
		return formFPA{hint: err.Error()}
	}
	return formFPA{res: res, surgery: surgery}
}

// slotStarts are the starts of the slots the preview offers (the FPA date's choosable
// blocks), whose planned discharges it shows; none without an FPA.
func (f formFPA) slotStarts() []time.Time {
	if f.surgery == nil {
		return nil
	}
	var out []time.Time
	for _, b := range f.res.Choosable {
		if slot, err := f.res.Choose(b.Start); err == nil {
			out = append(out, slot.Start)
		}
	}
	return out
}

// slotWarning is the forms' warning for a slot already holding at least the clinic's
// capacity of planned discharges (RULES §1c: a warning, never a refusal); "" under it.
func slotWarning(load store.SlotLoad, start time.Time) string {
	if !load.Full(start) {
		return ""
	}
	return msgSlotFull(load.Planned(start), load.Capacity)
}

// fillKnownPatient completes the fields the nurse left empty with what the clinic knows.
// It reports whether anything was filled.
func fillKnownPatient(v *components.TicketFormValues, p store.Patient) bool {
	filled := false
	set := func(dst *string, val string) {
		if *dst == "" && val != "" {
			*dst, filled = val, true
		}
	}
	set(&v.FirstNames, p.FirstNames)
	set(&v.LastNameFather, p.LastNameFather)
	set(&v.LastNameMother, p.LastNameMother)
	if p.Age.Valid {
		set(&v.Age, strconv.Itoa(int(p.Age.Int16)))
	}
	set(&v.Sex, p.Sex)
	return filled
}

func buildPreview(res fpa.Result, s store.Surgery, chosen string, load store.SlotLoad) *components.FPAPreview {
	pv := &components.FPAPreview{}
	selected := res.Proposed
	if start, err := strconv.Atoi(chosen); err == nil && start != res.Proposed.Block.Start {
		if slot, err := res.Choose(start); err == nil {
			selected = slot
		}
	}
	for _, b := range res.Choosable {
		opt := components.BlockOption{
			Start: strconv.Itoa(b.Start), Label: b.Label(),
			Proposed: b.Start == res.Proposed.Block.Start, Selected: b.Start == selected.Block.Start,
		}
		if slot, err := res.Choose(b.Start); err == nil {
			opt.FPAText = fpa.FormatFPA(slot.Start, slot.Block)
			opt.Warning = slotWarning(load, slot.Start)
		}
		pv.Choices = append(pv.Choices, opt)
	}
	pv.Shown = res.Proposed.Date.String()
	pv.Nights = fpa.Nights(res.P, selected.Start)
	short := func(t time.Time) string { return t.In(fpa.Santiago).Format("02/01 15:04") }
	plain := res.P.Add(fpa.Surgery{BaseStayHours: mustHours(s.BaseStayHours)}.BaseStay())
	pv.Explanation = fmt.Sprintf("Fin de pabellón %s + %s h = %s → bloque %s",
		short(res.P), components.Hours(s.BaseStayHours), short(plain), res.Proposed.Block.Label())
	if fpa.DateOf(plain) != res.Proposed.Date || !res.R.Equal(plain) {
		pv.Explanation += " del " + res.Proposed.Date.String()
	}
	if !res.R.Equal(plain) && s.CutoffHour.Valid {
		pv.Ambulatory = fmt.Sprintf(msgAmbulatoryRule, s.CutoffHour.Int16, short(res.R))
	}
	return pv
}

func mustHours(s string) float64 {
	h, _ := strconv.ParseFloat(s, 64) // the database's numeric text always parses
	return h
}
