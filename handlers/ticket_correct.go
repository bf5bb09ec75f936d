package handlers

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/store"
)

// Correcting a ticket's pavilion end and surgery (RULES §5b): GET and POST
// /tickets/{id}/correccion. The form shows the FPA the correction gives ("Calcular FPA") and
// saves only that FPA: a correction whose FPA is not the one on screen is shown again.

func (h *Handler) correctProps(c *fiber.Ctx, t store.Ticket, cat *store.ClinicCatalog) components.CorrectProps {
	props := components.CorrectProps{Page: h.page(c, "Corregir · "+t.Code), T: components.NewTicketView(t, h.now()),
		Version: t.Version, Key: randomToken(18)}
	for _, g := range cat.Surgeries {
		if _, ok := cat.ActiveSurgery(g.ID); ok {
			props.Surgeries = append(props.Surgeries, components.Option{Value: strconv.FormatInt(g.ID, 10), Label: g.Name + " (" + g.SpecialtyName + ")"})
		}
	}
	return props
}

// correctionCatalog reads the ticket and its clinic's catalog, refusing who may not correct it.
func (h *Handler) correctionCatalog(c *fiber.Ctx) (store.Ticket, *store.ClinicCatalog, error) {
	t, err := h.currentTicket(c)
	if err != nil {
		return t, nil, err
	}
	if !store.CanCorrectInputs(state(c).principal, t, h.now()) {
		return t, nil, fiber.ErrForbidden
	}
	f, err := h.store.TicketForm(c.UserContext(), state(c).principal, t.ClinicID, "", nil)
	if err != nil {
		return t, nil, err
	}
	return t, f.Catalog, nil
}

// showCorrectInputs is the form with the ticket's pavilion end and surgery.
func (h *Handler) showCorrectInputs(c *fiber.Ctx) error {
	t, cat, err := h.correctionCatalog(c)
	if err != nil {
		return err
	}
	props := h.correctProps(c, t, cat)
	props.Date, props.Time, props.Surgery = fpa.DateOf(t.PavilionEnd).ISO(), fpa.FormatTime(t.PavilionEnd), strconv.FormatInt(t.SurgeryID, 10)
	return render(c, fiber.StatusOK, components.CorrectInputsPage(props))
}

// correctInputs calculates the corrected FPA (accion=calcular) or saves it (accion=guardar)
// when it is the one the form showed.
func (h *Handler) correctInputs(c *fiber.Ctx) error {
	t, cat, err := h.correctionCatalog(c)
	if err != nil {
		return err
	}
	ch, err := readChange(c, t.ID)
	if err != nil {
		return err
	}
	f := forms.ReadCorrection(c)
	now := h.now()
	surgery, pavilion, errs := f.Validate(cat, now)
	props := h.correctProps(c, t, cat)
	props.Date, props.Time, props.Surgery, props.Version, props.Key = f.Date, f.Time, f.Surgery, ch.Version, forms.Body(c, "clave")
	status := fiber.StatusUnprocessableEntity
	var slotStart time.Time
	if len(errs) == 0 {
		res, err := cat.ComputeFPA(surgery, pavilion)
		if err != nil {
			errs.Add("cirugia", err.Error())
		} else {
			slotStart = res.Proposed.Start
			props.Preview = fpa.FormatFPA(res.Proposed.Start, res.Proposed.Block)
			props.Shown = forms.ShownKey(slotStart)
		}
	}
	shown, _ := forms.Shown(c)
	switch {
	case len(errs) > 0:
	case forms.Body(c, "accion") == "calcular":
		status = fiber.StatusOK
	case shown != props.Shown:
		props.Message = msgPreviewOutdated
	default:
		done, err := h.store.CorrectInputs(c.UserContext(), state(c).principal, ch, surgery, pavilion, now)
		switch {
		case err == nil || errors.Is(err, store.ErrAlreadySubmitted):
			return h.actionDone(c, done, err, "Datos corregidos. FPA: "+components.NewTicketView(done, now).FPAText()+".")
		case errors.Is(err, store.ErrForbidden):
			return fiber.ErrForbidden
		case errors.Is(err, store.ErrHasModifications):
			status, props.Message = fiber.StatusConflict, msgHasModifications
		default:
			code, msg, ok := lifecycleStatus(err)
			if !ok {
				return err
			}
			status, props.Message = code, msg
			var stale *store.StaleError
			if errors.As(err, &stale) {
				cur := stale.Current
				props.Message, props.Version = msgStaleTyped, cur.Version
				props.T = components.NewTicketView(cur, now)
				props.Conflict = &components.Conflict{DiscardHref: props.T.Href(), Rows: []components.ConflictRow{
					{Label: "Cirugía", Current: cur.SurgeryName, Typed: surgeryName(cat, surgery)},
					{Label: "Fin de pabellón", Current: fpa.FormatDateTime(cur.PavilionEnd), Typed: fpa.FormatDateTime(pavilion)},
					{Label: "FPA", Current: props.T.FPAText(), Typed: props.Preview},
				}}
			}
		}
	}
	props.Errors = errs
	return render(c, status, components.CorrectInputsPage(props))
}

func surgeryName(cat *store.ClinicCatalog, id int64) string {
	if g, ok := cat.ActiveSurgery(id); ok {
		return g.Name
	}
	return "—"
}
