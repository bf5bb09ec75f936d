package handlers

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

const boardPageSize = 50

// stateChips are the board's state filters: label and the states they select.
var stateChips = []struct {
	label  string
	states []string
}{
	{"Activos", nil},
	{"Programados", []string{store.StateProgramado}},
	{"Vigentes", []string{store.StateVigente}},
	{"Vencidos", []string{store.StateVencido}},
	{"Anulados", []string{store.StateAnulado}},
	{"De alta", []string{store.StateDeAlta}},
	{"Todos", store.AllStates},
}

// showBoard renders the nurse board. Filters live in the URL so a view can be bookmarked; an
// htmx request (filters changed, or the minute refresh) gets only the results.
func (h *Handler) showBoard(c *fiber.Ctx) error {
	st := state(c)
	p := st.principal
	if err := takeFlash(c); err != nil {
		return err
	}
	now := h.now()
	q := c.Context().QueryArgs()
	fv := components.BoardFilterValues{
		Query:     strings.TrimSpace(c.Query("q")),
		Specialty: strings.TrimSpace(c.Query("especialidad")),
		Surgery:   strings.TrimSpace(c.Query("cirugia")),
		From:      strings.TrimSpace(c.Query("desde")),
		To:        strings.TrimSpace(c.Query("hasta")),
		NoEpisode: c.Query("sin_episodio") != "",
	}
	for _, s := range q.PeekMulti("estado") {
		if v := string(s); slices.Contains(store.AllStates, v) && !slices.Contains(fv.States, v) {
			fv.States = append(fv.States, v)
		}
	}
	if p.IsSuperuser() {
		fv.ClinicParam = "todas"
		if !p.AllClinics {
			fv.ClinicParam = strconv.FormatInt(p.ClinicID, 10)
		}
	}
	page, _ := strconv.Atoi(c.Query("pagina"))
	if page < 1 {
		page = 1
	}

	f := store.BoardFilter{States: fv.States, Query: fv.Query, RUTQuery: rut.Normalize(fv.Query),
		Specialty: fv.Specialty, Surgery: fv.Surgery, NoEpisode: fv.NoEpisode, Page: page, PageSize: boardPageSize,
		Options: !isFragmentRequest(c)}
	var errs components.Errors
	if fv.From != "" {
		if d, err := fpa.ParseDate(fv.From); err != nil {
			errs.Add("desde", err.Error())
		} else {
			f.From = d.At(0)
		}
	}
	if fv.To != "" {
		if d, err := fpa.ParseDate(fv.To); err != nil {
			errs.Add("hasta", err.Error())
		} else {
			f.To = d.AddDays(1).At(0)
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		errs.Add("hasta", msgDateRangeInverted)
	}

	res, err := h.store.Board(c.UserContext(), p, f, now)
	if err != nil {
		return err
	}
	props := components.BoardProps{
		Page: h.page(c, "Tablero"), ClinicName: st.clinicName, Filter: fv, Errors: errs,
		Total: res.Total, PageNum: page, ShowClinic: p.AllClinics,
		CanCreate: p.Role != store.RoleViewer,
	}
	props.Pages = (res.Total + boardPageSize - 1) / boardPageSize
	for _, t := range res.Tickets {
		props.Rows = append(props.Rows, components.NewTicketView(t, now))
	}
	base := boardQuery(fv)
	props.RefreshHref = boardHref(base, "pagina", strconv.Itoa(page))
	if page > 1 {
		props.PrevHref = boardHref(base, "pagina", strconv.Itoa(page-1))
	}
	if page < props.Pages {
		props.NextHref = boardHref(base, "pagina", strconv.Itoa(page+1))
	}
	for _, ch := range stateChips {
		states := ch.states
		count := 0
		for _, s := range states {
			count += res.Counts[s]
		}
		if states == nil {
			for _, s := range store.ActiveStates {
				count += res.Counts[s]
			}
		}
		v := boardQuery(fv)
		v.Del("estado")
		for _, s := range states {
			v.Add("estado", s)
		}
		props.Chips = append(props.Chips, components.Chip{
			Label: ch.label, Count: count, Href: "/tablero?" + v.Encode(),
			Current: slices.Equal(sortedCopy(states), sortedCopy(fv.States)),
		})
	}
	status := fiber.StatusOK
	if len(errs) > 0 {
		status = fiber.StatusUnprocessableEntity
	}
	if isFragmentRequest(c) {
		return render(c, status, components.BoardResults(props))
	}
	props.Specialties, props.Surgeries = res.Specialties, res.Surgeries
	if p.IsSuperuser() {
		su := p
		su.AllClinics, su.ClinicID = true, 0
		if props.Clinics, err = h.store.Clinics(c.UserContext(), su); err != nil {
			return err
		}
	}
	return render(c, status, components.Board(props))
}

// boardQuery is the filters as URL parameters (the page number excluded).
func boardQuery(fv components.BoardFilterValues) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("q", fv.Query)
	set("especialidad", fv.Specialty)
	set("cirugia", fv.Surgery)
	set("desde", fv.From)
	set("hasta", fv.To)
	if fv.NoEpisode {
		v.Set("sin_episodio", "1")
	}
	for _, s := range fv.States {
		v.Add("estado", s)
	}
	set("clinica", fv.ClinicParam)
	return v
}

func boardHref(base url.Values, k, val string) string {
	v := url.Values{}
	for key, vals := range base {
		v[key] = append([]string(nil), vals...)
	}
	v.Set(k, val)
	return "/tablero?" + v.Encode()
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
