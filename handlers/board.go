package handlers

import (
	"errors"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
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

// readBoardFilters reads the board's filters from a GET query or a POSTed body (the same
// names). The search text is not among them: it never travels in a URL (RULES §11).
func readBoardFilters(args *fasthttp.Args, errs *components.Errors) components.BoardFilterValues {
	text := func(key, field string) string {
		v, ok := forms.Clean(string(args.Peek(key)), false)
		if !ok {
			errs.Add(field, forms.MsgBadCharacters)
			return "" // shown as typed would mean keeping it in the URL: drop it
		}
		return v
	}
	fv := components.BoardFilterValues{
		Specialty: text("especialidad", "f-especialidad"),
		Surgery:   text("cirugia", "f-cirugia"),
		From:      text("desde", "desde"),
		To:        text("hasta", "hasta"),
		Ward:      text("ubicacion", "f-ubicacion"),
		NoEpisode: len(args.Peek("sin_episodio")) > 0,
		Mine:      len(args.Peek("mios")) > 0,
		Soon:      len(args.Peek("proximas")) > 0,
	}
	if d := string(args.Peek("fecha")); slices.ContainsFunc(components.DateKinds, func(o components.Option) bool { return o.Value == d }) {
		fv.DateOf = d
	}
	if utf8.RuneCountInString(fv.Ward) > store.MaxLocationText {
		fv.Ward = ""
		errs.Add("f-ubicacion", forms.TooLong("La ubicación", store.MaxLocationText))
	}
	if o := string(args.Peek("orden")); o == store.SortFPA || o == store.SortCreated {
		fv.Sort = o
	}
	for _, s := range args.PeekMulti("estado") {
		if v := string(s); slices.Contains(store.AllStates, v) && !slices.Contains(fv.States, v) {
			fv.States = append(fv.States, v)
		}
	}
	return fv
}

// boardPageNumber reads ?pagina=: garbage is the first page, a number too big for any board
// the last one (the store clamps it).
func boardPageNumber(c *fiber.Ctx) int {
	page, err := strconv.Atoi(c.Query("pagina"))
	switch {
	case errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(c.Query("pagina"), "-"):
		return math.MaxInt32
	case err != nil || page < 1:
		return 1
	}
	return min(page, math.MaxInt32)
}

// showBoard renders the nurse board. Filters live in the URL so a view can be bookmarked,
// except the search text, which lives in the session; an htmx request (the minute refresh, a
// chip, a page) gets only the results.
func (h *Handler) showBoard(c *fiber.Ctx) error {
	takeFlash(c)
	if c.Request().URI().QueryArgs().Has("sin_busqueda") {
		// A link that names its tickets exactly (the dashboard's): the search typed earlier
		// would narrow them.
		st := state(c)
		if q, _ := st.sess.Get(sessBoardQuery).(string); q != "" {
			st.sess.Delete(sessBoardQuery)
			st.dirty = true
		}
	}
	fv, errs := boardShown(c)
	part := boardWhole
	if isFragmentRequest(c) {
		part = boardResults
	}
	return h.renderBoard(c, fv, errs, boardPageNumber(c), part)
}

// boardShown is the board a GET asks for: the filters of its URL, the search text of the
// session and, unless the URL names one, the ward this user's board shows. The exports read
// it too, so that a file holds exactly what the board shows.
func boardShown(c *fiber.Ctx) (components.BoardFilterValues, components.Errors) {
	var errs components.Errors
	args := c.Request().URI().QueryArgs()
	fv := readBoardFilters(args, &errs)
	fv.Query, _ = state(c).sess.Get(sessBoardQuery).(string)
	if !args.Has("ubicacion") {
		fv.Ward, _ = state(c).sess.Get(sessBoardWard).(string)
	}
	fv.ClinicParam = currentClinicParam(state(c).principal)
	return fv, errs
}

// filterBoard is the filters form (POST, so the search text stays out of URLs, browser
// history and request logs: RULES §11). The search text goes to the session and the other
// filters to the board's URL: without JavaScript a 303 there; with htmx the results at once
// and that URL pushed into the history.
func (h *Handler) filterBoard(c *fiber.Ctx) error {
	st := state(c)
	var errs components.Errors
	if forms.Body(c, "limpiar") != "" {
		st.sess.Delete(sessBoardQuery)
		st.dirty = true
		if err := h.rememberBoard(c, boardView(st), ""); err != nil {
			return err
		}
		return h.seeOther(c, "/tablero")
	}
	fv := readBoardFilters(c.Request().PostArgs(), &errs)
	q := forms.Text(c, &errs, "q", "q")
	if utf8.RuneCountInString(q) > forms.MaxSearch {
		errs.Add("q", forms.MsgSearchTooLong)
	}
	if p := st.principal; p.IsSuperuser() {
		if choice := forms.Body(c, "clinica"); choice != "" {
			fv.ClinicParam = choice
		}
	}
	if len(errs) > 0 {
		// Nothing is kept: the form comes back with the message and what was typed.
		fv.Query = q
		if isFragmentRequest(c) {
			c.Set("HX-Retarget", "#tablero")
			c.Set("HX-Reswap", "outerHTML")
			return h.renderBoard(c, fv, errs, 1, boardMain)
		}
		return h.renderBoard(c, fv, errs, 1, boardWhole)
	}
	st.sess.Set(sessBoardQuery, q)
	st.dirty = true
	if c.Request().PostArgs().Has("ubicacion") {
		if err := h.rememberBoard(c, boardView(st), fv.Ward); err != nil {
			return err
		}
	}
	target := "/tablero"
	if v := boardQuery(fv); len(v) > 0 {
		target += "?" + v.Encode()
	}
	if !isFragmentRequest(c) || fv.ClinicParam != currentClinicParam(st.principal) {
		// Another clinic changes the filters' choices too: load the whole page.
		return c.Redirect(target, fiber.StatusSeeOther)
	}
	c.Set("HX-Push-Url", target)
	fv.Query = q
	return h.renderBoard(c, fv, nil, 1, boardFiltered)
}

// The parts of the board a request may want.
type boardPart int

const (
	boardWhole    boardPart = iota // the page
	boardMain                      // filters and results (a refused htmx filter submit)
	boardResults                   // the results alone (refresh, chips, pages)
	boardFiltered                  // the results and the filters' count (filters applied)
)

// currentClinicParam is the clinica= value of the principal's scope ("" for non-superusers).
func currentClinicParam(p store.Principal) string {
	switch {
	case !p.IsSuperuser():
		return ""
	case p.AllClinics:
		return "todas"
	}
	return strconv.FormatInt(p.ClinicID, 10)
}

// renderBoard renders the board, or the part of it asked for, for the filters fv.
func (h *Handler) renderBoard(c *fiber.Ctx, fv components.BoardFilterValues, errs components.Errors, page int, part boardPart) error {
	st := state(c)
	p := st.principal
	now := h.now()
	fv.ClinicParam = currentClinicParam(p)
	f := storeBoardFilter(fv, &errs)
	f.Page, f.PageSize, f.Options = page, boardPageSize, part != boardResults && part != boardFiltered

	res, err := h.store.Board(c.UserContext(), p, f, now)
	if err != nil {
		return err
	}
	page = res.Page
	props := components.BoardProps{
		Page: h.page(c, "Tablero"), ClinicName: st.clinicName, Filter: fv, Errors: errs,
		Total: res.Total, PageNum: page, ShowClinic: p.AllClinics,
		CanCreate: p.CanWrite(), AsOf: now.In(fpa.Santiago).Format("15:04"), View: boardView(st),
		LiveHref: "/tablero/eventos?desde=" + strconv.FormatInt(now.UnixMilli(), 10),
	}
	props.Pages = (res.Total + boardPageSize - 1) / boardPageSize
	props.Rows = make([]components.TicketView, 0, len(res.Tickets))
	for _, t := range res.Tickets {
		props.Rows = append(props.Rows, components.NewTicketView(t, now))
	}
	base := boardQuery(fv)
	if len(base) > 0 {
		props.ExportQuery = "?" + base.Encode()
	}
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
	ne := boardQuery(fv)
	if fv.NoEpisode {
		ne.Del("sin_episodio")
	} else {
		ne.Set("sin_episodio", "1")
	}
	props.NoEpisode = components.Chip{Label: "Sin ID Ep.", Count: res.Counts[store.CountNoEpisode], Href: "/tablero?" + ne.Encode(), Current: fv.NoEpisode}
	mine := boardQuery(fv)
	if fv.Mine {
		mine.Del("mios")
	} else {
		mine.Set("mios", "1")
	}
	if p.CanWrite() {
		props.Mine = components.Chip{Label: "Mis tickets", Count: res.Counts[store.CountMine], Href: "/tablero?" + mine.Encode(), Current: fv.Mine}
	}
	// "Volver al tablero" returns to this board, filters and page included.
	back := "/tablero"
	if page > 1 {
		back = boardHref(base, "pagina", strconv.Itoa(page))
	} else if len(base) > 0 {
		back += "?" + base.Encode()
	}
	if prev, _ := st.sess.Get(sessBoardBack).(string); prev != back && len(errs) == 0 {
		st.sess.Set(sessBoardBack, back)
		st.dirty = true
	}
	status := fiber.StatusOK
	if len(errs) > 0 {
		status = fiber.StatusUnprocessableEntity
	}
	switch part {
	case boardResults:
		return render(c, status, components.BoardResults(props))
	case boardFiltered:
		return render(c, status, components.BoardFiltered(props))
	}
	props.Specialties, props.Surgeries, props.Wards = res.Specialties, res.Surgeries, res.Wards
	if fv.Ward != "" && !slices.Contains(props.Wards, fv.Ward) {
		props.Wards = append(props.Wards, fv.Ward) // no active ticket there now: still the choice
	}
	if p.IsSuperuser() {
		su := p
		su.AllClinics, su.ClinicID = true, 0
		if props.Clinics, err = h.store.Clinics(c.UserContext(), su); err != nil {
			return err
		}
	}
	if part == boardMain {
		return render(c, status, components.BoardMain(props))
	}
	return render(c, status, components.Board(props))
}

// storeBoardFilter is the store's filter for the board's filters fv; a date it cannot read
// adds its message to errs and filters nothing.
func storeBoardFilter(fv components.BoardFilterValues, errs *components.Errors) store.BoardFilter {
	f := store.BoardFilter{States: fv.States, Query: fv.Query, RUTQuery: rut.Normalize(fv.Query),
		Specialty: fv.Specialty, Surgery: fv.Surgery, NoEpisode: fv.NoEpisode, Mine: fv.Mine, Ward: fv.Ward, Sort: fv.Sort,
		DateOf: fv.DateOf, Soon: fv.Soon}
	if errs.For("q") != "" {
		f.Query, f.RUTQuery = "", "" // a refused search is shown, not run
	}
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
	return f
}

// boardQuery is the filters as URL parameters (the page number and the search text excluded:
// no URL carries a patient's name or RUT, RULES §11).
func boardQuery(fv components.BoardFilterValues) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("especialidad", fv.Specialty)
	set("cirugia", fv.Surgery)
	set("desde", fv.From)
	set("hasta", fv.To)
	set("fecha", fv.DateOf)
	set("ubicacion", fv.Ward)
	set("orden", fv.Sort)
	if fv.NoEpisode {
		v.Set("sin_episodio", "1")
	}
	if fv.Mine {
		v.Set("mios", "1")
	}
	if fv.Soon {
		v.Set("proximas", "1")
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

// boardView is the layout the user's board remembers.
func boardView(st *reqState) string {
	v, _ := st.sess.Get(sessBoardView).(string)
	return v
}

// rememberBoard keeps the user's board layout and ward, in the database (the user's, on any
// device) and in the session, when they changed.
func (h *Handler) rememberBoard(c *fiber.Ctx, view, ward string) error {
	st := state(c)
	if old, _ := st.sess.Get(sessBoardWard).(string); old == ward && view == boardView(st) {
		return nil
	}
	if err := h.store.SaveBoardPreferences(c.UserContext(), st.principal, view, ward); err != nil {
		return err
	}
	st.sess.Set(sessBoardView, view)
	st.sess.Set(sessBoardWard, ward)
	st.dirty = true
	return nil
}

// chooseBoardView is the cards/table switch: the choice is remembered, and the board shown
// again as it was.
func (h *Handler) chooseBoardView(c *fiber.Ctx) error {
	st := state(c)
	view := forms.Body(c, "vista")
	if view != store.BoardViewCards && view != store.BoardViewTable {
		view = store.BoardViewAuto
	}
	ward, _ := st.sess.Get(sessBoardWard).(string)
	if err := h.rememberBoard(c, view, ward); err != nil {
		return err
	}
	return h.seeOther(c, boardBack(st))
}

// boardBack is the board as the user last saw it.
func boardBack(st *reqState) string {
	if back, _ := st.sess.Get(sessBoardBack).(string); strings.HasPrefix(back, "/tablero") {
		return back
	}
	return "/tablero"
}
