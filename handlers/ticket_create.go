package handlers

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

// readTicketForm copies the create form out of Fiber's buffers; errs holds the fields whose
// characters RULES §8b refuses (each field's id is its name).
func readTicketForm(c *fiber.Ctx) (components.TicketFormValues, components.Errors) {
	var errs components.Errors
	v := func(k string) string { return formText(c, &errs, k, k) }
	return components.TicketFormValues{
		RUT: v("rut"), FirstNames: v("nombres"), LastNameFather: v("apellido_paterno"), LastNameMother: v("apellido_materno"),
		Age: v("edad"), Sex: v("sexo"), EpisodeID: v("episodio"), Room: v("habitacion"), Bed: v("cama"), Location: v("ubicacion"),
		SpecialtyID: v("especialidad"), SurgeryID: v("cirugia"), DoctorID: v("medico"),
		PavilionDate: v("fecha_pabellon"), PavilionTime: v("hora_pabellon"), Block: v("bloque"),
	}, errs
}

// ticketClinic is the clinic a new ticket goes to: the user's, or the superuser's choice.
// ok is false when a superuser has not chosen one yet.
func ticketClinic(c *fiber.Ctx) (int64, bool) {
	p := state(c).principal
	return p.ClinicID, !p.AllClinics && p.ClinicID > 0
}

// showCreateTicket renders the empty form (the pavilion date defaults to today).
func (h *Handler) showCreateTicket(c *fiber.Ctx) error {
	if _, ok := ticketClinic(c); !ok {
		return h.chooseClinic(c, "/tickets/nuevo")
	}
	v := components.TicketFormValues{PavilionDate: fpa.FormatDate(h.now())}
	props, _, err := h.ticketForm(c, v, nil, false, false)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, components.TicketForm(props))
}

func (h *Handler) chooseClinic(c *fiber.Ctx, action string) error {
	p := state(c).principal
	clinics, err := h.store.Clinics(c.UserContext(), p)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, components.ChooseClinic(components.ClinicChoiceProps{
		Page: h.page(c, "Nuevo ticket"), Clinics: clinics, Action: action,
	}))
}

// createTicket creates the ticket, or re-renders the form: with the helper buttons (no
// JavaScript) it only refreshes the patient, surgeries and preview; with problems it answers 422
// with every message and everything typed.
func (h *Handler) createTicket(c *fiber.Ctx) error {
	clinicID, ok := ticketClinic(c)
	if !ok {
		return h.chooseClinic(c, "/tickets/nuevo")
	}
	v, inputErrs := readTicketForm(c)
	if action := bodyValue(c, "accion"); action != "crear" {
		// "calcular", "paciente", "especialidad", or Enter pressed in a field: refresh, never create.
		props, _, err := h.ticketForm(c, v, nil, false, true)
		if err != nil {
			return err
		}
		return render(c, fiber.StatusOK, components.TicketForm(props))
	}
	props, nt, err := h.ticketForm(c, v, inputErrs, true, true)
	if err != nil {
		return err
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
		props.Errors.Add("cirugia", msgSurgeryUnavailable)
	case errors.Is(err, store.ErrDoctorUnavailable):
		props.Errors.Add("medico", msgDoctorUnavailable)
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
	v, _ := readTicketForm(c)
	props, _, err := h.ticketForm(c, v, nil, false, false)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, components.FPAPreviewBox(props))
}

// ticketSurgeries answers a specialty change (htmx): the filtered surgery select, and the
// preview again since the surgery may have been cleared.
func (h *Handler) ticketSurgeries(c *fiber.Ctx) error {
	if _, ok := ticketClinic(c); !ok {
		return fiber.ErrNotFound
	}
	v, _ := readTicketForm(c)
	props, _, err := h.ticketForm(c, v, nil, false, false)
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
	v, _ := readTicketForm(c)
	props, _, err := h.ticketForm(c, v, nil, false, true)
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
// the preview, and (when validate) every field's problem, starting with inputErrs (refused
// characters), together with the parsed ticket. The database is read once.
func (h *Handler) ticketForm(c *fiber.Ctx, v components.TicketFormValues, inputErrs components.Errors, validate, lookup bool) (components.TicketFormProps, *store.NewTicket, error) {
	st := state(c)
	props := components.TicketFormProps{Page: h.page(c, "Nuevo ticket"), ClinicName: st.clinicName}
	r, rutErr := rut.Parse(v.RUT)
	canonical := ""
	if rutErr == nil && lookup {
		canonical = r.Canonical()
	}
	data, err := h.store.TicketForm(c.UserContext(), st.principal, st.principal.ClinicID, canonical)
	if err != nil {
		return props, nil, err
	}
	surgery := ticketFormOptions(&props, data.Catalog, &v, validate)

	nt := &store.NewTicket{BlockStart: -1}
	if rutErr == nil {
		v.RUT = r.Display()
		nt.Patient.RUT = r.Canonical()
		if data.Patient != nil {
			props.PatientKnown = fillKnownPatient(&v, *data.Patient)
		}
		if data.Active != nil {
			props.Active = &components.ActiveTicketLink{ID: data.Active.ID, Code: data.Active.Code}
		}
	}
	errs := &props.Errors
	if validate {
		*errs = append(*errs, inputErrs...)
		if rutErr != nil {
			errs.Add("rut", rutErr.Error())
		}
		nt.Patient = validatePatient(errs, v, nt.Patient.RUT)
		nt.SurgeryID, nt.DoctorID = validateSurgeryAndDoctor(errs, v, surgery, props.Doctors)
	}
	h.ticketPreview(&props, data.Catalog, v, surgery, validate, nt)
	if validate {
		nt.Room, nt.Bed, nt.Location, nt.EpisodeID = locationTexts(errs, v.Room, v.Bed, v.Location, v.EpisodeID)
		if props.Active != nil {
			errs.Add("rut", msgPatientHasActive)
		}
	}
	props.Values = v
	props.Errors = sortErrors(*errs)
	return props, nt, nil
}

// ticketFormOptions fills the form's choices with the clinic's active specialties, surgeries
// (of the chosen specialty) and doctors, and returns the chosen surgery if it is among them.
// Without validate, a surgery not offered is forgotten: the nurse is asked again rather than
// left with a hidden choice.
func ticketFormOptions(props *components.TicketFormProps, cat *store.ClinicCatalog, v *components.TicketFormValues, validate bool) *store.Surgery {
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
	specialtyID, _ := strconv.ParseInt(v.SpecialtyID, 10, 64)
	surgeryID, _ := strconv.ParseInt(v.SurgeryID, 10, 64)
	var surgery *store.Surgery
	for i, s := range cat.Surgeries {
		if !s.Active || (specialtyID != 0 && s.SpecialtyID != specialtyID) {
			continue
		}
		if _, ok := cat.ActiveSurgery(s.ID); !ok {
			continue
		}
		props.Surgeries = append(props.Surgeries, s)
		if s.ID == surgeryID {
			surgery = &cat.Surgeries[i]
		}
	}
	if surgery == nil && !validate {
		v.SurgeryID = ""
	}
	return surgery
}

// validatePatient checks the patient's fields (RULES §8b) and returns them as stored.
func validatePatient(errs *components.Errors, v components.TicketFormValues, canonicalRUT string) store.PatientInput {
	in := store.PatientInput{RUT: canonicalRUT, Age: -1}
	in.FirstNames = nameText(errs, "nombres", v.FirstNames, msgFirstNamesRequired, msgFirstNamesTooLong)
	in.LastNameFather = nameText(errs, "apellido_paterno", v.LastNameFather, msgLastNameRequired, msgLastNameTooLong)
	in.LastNameMother = nameText(errs, "apellido_materno", v.LastNameMother, "", msgLastNameTooLong)
	if v.Age != "" {
		age, err := strconv.Atoi(v.Age)
		if err != nil || age < 0 || age > 130 {
			errs.Add("edad", msgAge)
		} else {
			in.Age = age
		}
	}
	switch v.Sex {
	case "", "M", "F", "O":
		in.Sex = v.Sex
	default:
		errs.Add("sexo", msgSex)
	}
	return in
}

// validateSurgeryAndDoctor checks the surgery (required, offered) and the doctor (optional,
// one of the clinic's active doctors).
func validateSurgeryAndDoctor(errs *components.Errors, v components.TicketFormValues, surgery *store.Surgery, doctors []store.Doctor) (surgeryID, doctorID int64) {
	switch {
	case v.SurgeryID == "":
		errs.Add("cirugia", msgSurgeryRequired)
	case surgery == nil:
		errs.Add("cirugia", msgSurgeryUnavailable)
	default:
		surgeryID = surgery.ID
	}
	if v.DoctorID == "" {
		return surgeryID, 0
	}
	id, err := strconv.ParseInt(v.DoctorID, 10, 64)
	for _, d := range doctors {
		if err == nil && d.ID == id {
			return surgeryID, id
		}
	}
	errs.Add("medico", msgDoctorUnavailable)
	return surgeryID, 0
}

// ticketPreview computes the FPA the form would save, from the clinic's catalog (no query):
// the preview box, or the hint of what it still needs; with validate, the pavilion fields'
// and the block's problems too.
func (h *Handler) ticketPreview(props *components.TicketFormProps, cat *store.ClinicCatalog, v components.TicketFormValues,
	surgery *store.Surgery, validate bool, nt *store.NewTicket) {
	errs := &props.Errors
	pavilion, pErr := h.parsePavilionEnd(v)
	switch {
	case pErr != nil && validate:
		field := "fecha_pabellon"
		var ie *fpa.InputError
		if errors.As(pErr, &ie) && ie.Field == fpa.FieldTime {
			field = "hora_pabellon"
		}
		errs.Add(field, pErr.Error())
	case pErr == nil:
		nt.PavilionEnd = pavilion
	}
	switch {
	case surgery == nil:
		props.PreviewHint = msgPreviewNeedsSurgery
	case pErr != nil:
		props.PreviewHint = msgPreviewNeedsPavilion
		if v.PavilionDate != "" && v.PavilionTime != "" {
			props.PreviewHint = pErr.Error()
		}
	default:
		res, err := cat.ComputeFPA(surgery.ID, pavilion)
		if err != nil {
			// The catalog offered the surgery, so only the engine refuses here (no block left).
			props.PreviewHint = err.Error()
			var ie *fpa.InputError
			if errors.As(err, &ie) {
				props.PreviewHint = ie.Msg
			}
			return
		}
		props.Preview = buildPreview(res, *surgery, v.Block)
		for _, b := range props.Preview.Choices {
			if b.Selected {
				nt.BlockStart, _ = strconv.Atoi(b.Start)
			}
		}
		if validate && v.Block != "" && !blockOffered(props.Preview.Choices, v.Block) {
			errs.Add("bloque", msgBlockNotOffered)
		}
	}
}

// ticketFieldOrder is the order of the form, which the error summary follows.
var ticketFieldOrder = []string{"rut", "nombres", "apellido_paterno", "apellido_materno", "edad", "sexo",
	"especialidad", "cirugia", "medico", "fecha_pabellon", "hora_pabellon", "bloque", "habitacion", "cama", "ubicacion", "episodio"}

func sortErrors(errs components.Errors) components.Errors {
	out := make(components.Errors, 0, len(errs))
	for _, f := range ticketFieldOrder {
		if m := errs.For(f); m != "" {
			out = append(out, components.FormError{Field: f, Msg: m})
		}
	}
	// A field the order does not know keeps its message, after the others.
	for _, e := range errs {
		if !slices.Contains(ticketFieldOrder, e.Field) {
			out = append(out, e)
		}
	}
	return out
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

// parsePavilionEnd reads the pavilion end and checks RULES §2's ±30 days window.
func (h *Handler) parsePavilionEnd(v components.TicketFormValues) (time.Time, error) {
	t, err := fpa.ParseWallTime(v.PavilionDate, v.PavilionTime)
	if err != nil {
		return time.Time{}, err
	}
	if err := fpa.ValidatePavilionEnd(t, h.now()); err != nil {
		return time.Time{}, err
	}
	return t, nil
}

func buildPreview(res fpa.Result, s store.Surgery, chosen string) *components.FPAPreview {
	pv := &components.FPAPreview{}
	selected := res.Proposed
	if start, err := strconv.Atoi(chosen); err == nil && start != res.Proposed.Block.Start {
		if slot, err := res.Choose(start); err == nil {
			selected = slot
		}
	}
	for _, b := range res.Choosable {
		pv.Choices = append(pv.Choices, components.BlockOption{
			Start: strconv.Itoa(b.Start), Label: b.Label(),
			Proposed: b.Start == res.Proposed.Block.Start, Selected: b.Start == selected.Block.Start,
		})
	}
	pv.FPAText = fpa.FormatFPA(selected.Start, selected.Block)
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

func blockOffered(choices []components.BlockOption, start string) bool {
	for _, b := range choices {
		if b.Start == start {
			return true
		}
	}
	return false
}

// Text limits of RULES §8b, matching the schema's CHECKs.
const (
	maxName         = 100
	maxLocationText = 40
	maxNote         = 1000 // justifications, annulment and revert notes
)

// nameText checks a person's name (RULES §8b): required unless missing is "", at most 100
// characters, letters and the few signs names use.
func nameText(errs *components.Errors, field, v, missing, tooLong string) string {
	switch {
	case v == "" && missing != "":
		errs.Add(field, missing)
	case utf8.RuneCountInString(v) > maxName:
		errs.Add(field, tooLong)
	case !isName(v):
		errs.Add(field, msgNameCharacters)
	}
	return v
}

// optionalText checks a free one-line text of at most max printable characters.
func optionalText(errs *components.Errors, field, v string, max int, tooLong string) string {
	switch {
	case utf8.RuneCountInString(v) > max:
		errs.Add(field, tooLong)
	case !isPrintable(v):
		errs.Add(field, msgBadCharacters)
	}
	return v
}

// locationTexts checks room, bed, location and episode id (RULES §8b: 1–40 printable
// characters when given), with the field ids both forms use.
func locationTexts(errs *components.Errors, room, bed, location, episode string) (string, string, string, string) {
	return optionalText(errs, "habitacion", room, maxLocationText, fmt.Sprintf(msgTooLong, "La habitación", maxLocationText)),
		optionalText(errs, "cama", bed, maxLocationText, fmt.Sprintf(msgTooLong, "La cama", maxLocationText)),
		optionalText(errs, "ubicacion", location, maxLocationText, fmt.Sprintf(msgTooLong, "La ubicación", maxLocationText)),
		optionalText(errs, "episodio", episode, maxLocationText, fmt.Sprintf(msgTooLong, "El ID del episodio", maxLocationText))
}
