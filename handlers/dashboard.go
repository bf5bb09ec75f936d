package handlers

import (
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/report"
	"github.com/redsalud/ticket-home/store"
)

// dashboardDays is the default period: the last 30 Santiago days, today included.
const dashboardDays = 30

// readDashboardFilters reads the dashboard's GET form. The period defaults to the last 30
// days; a date it cannot read is a message at its field.
func readDashboardFilters(c *fiber.Ctx, now time.Time) (components.DashboardFilterValues, store.DashboardFilter, components.Errors) {
	var errs components.Errors
	args := c.Request().URI().QueryArgs()
	text := func(key string) string {
		v, ok := forms.Clean(string(args.Peek(key)), false)
		if !ok {
			errs.Add(key, forms.MsgBadCharacters)
			return ""
		}
		return v
	}
	fv := components.DashboardFilterValues{From: text("desde"), To: text("hasta"), Specialty: text("especialidad"),
		Surgery: text("cirugia"), ClinicParam: currentClinicParam(state(c).principal)}
	f := store.DashboardFilter{Specialty: fv.Specialty, Surgery: fv.Surgery, To: fpa.DateOf(now)}
	date := func(field, typed string, dst *fpa.Date) {
		if typed == "" {
			return
		}
		d, err := fpa.ParseDate(typed)
		if err != nil {
			errs.Add(field, err.Error())
			return
		}
		*dst = d
	}
	date("hasta", fv.To, &f.To)
	f.From = f.To.AddDays(1 - dashboardDays)
	date("desde", fv.From, &f.From)
	if errs.For("desde") == "" && errs.For("hasta") == "" && f.From.Compare(f.To) > 0 {
		errs.Add("hasta", msgDateRangeInverted)
	}
	if fv.From == "" {
		fv.From = f.From.String()
	}
	if fv.To == "" {
		fv.To = f.To.String()
	}
	return fv, f, errs
}

// showDashboard is the dashboard ("Panel"): admins see their clinic, superusers the clinic
// they chose or every clinic.
func (h *Handler) showDashboard(c *fiber.Ctx) error {
	st := state(c)
	p := st.principal
	now := h.now()
	fv, f, errs := readDashboardFilters(c, now)
	props := components.DashboardProps{Page: h.page(c, "Panel"), ClinicName: st.clinicName, Filter: fv, Errors: errs}
	var err error
	if p.IsSuperuser() {
		su := p
		su.AllClinics, su.ClinicID = true, 0
		if props.Clinics, err = h.store.Clinics(c.UserContext(), su); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		// The choices stay on offer; nothing is counted for a period that is not one.
		d, err := h.store.Dashboard(c.UserContext(), p, store.DashboardFilter{From: fpa.DateOf(now), To: fpa.DateOf(now)}, now)
		if err != nil {
			return err
		}
		props.Specialties, props.Surgeries = d.SpecialtyNames, d.SurgeryNames
		return render(c, fiber.StatusUnprocessableEntity, components.Dashboard(props))
	}
	d, err := h.store.Dashboard(c.UserContext(), p, f, now)
	if err != nil {
		return err
	}
	props.D = d
	props.Specialties, props.Surgeries = d.SpecialtyNames, d.SurgeryNames
	props.PeriodText = fpa.FormatDate(d.Periods.From) + " al " + fpa.FormatDate(f.To.At(0))
	props.Now, props.Created = dashboardCards(fv, f, d)
	props.ExportHref = "/panel/exportar?" + dashboardQuery(fv).Encode()
	today := fpa.DateOf(now)
	props.TodayText, props.TomText = fmtDay(today), fmtDay(today.AddDays(1))
	props.Load = loadRows(d, today)
	return render(c, fiber.StatusOK, components.Dashboard(props))
}

func fmtDay(d fpa.Date) string { return d.At(12 * 60).In(fpa.Santiago).Format("02/01") }

// dashboardQuery is the dashboard's filters as URL parameters.
func dashboardQuery(fv components.DashboardFilterValues) url.Values {
	v := url.Values{}
	for k, val := range map[string]string{"desde": fv.From, "hasta": fv.To, "especialidad": fv.Specialty,
		"cirugia": fv.Surgery, "clinica": fv.ClinicParam} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return v
}

// dashboardCards are the headline numbers, each with the board that lists exactly its
// tickets: the same specialty, surgery and clinic, every ward, no search.
func dashboardCards(fv components.DashboardFilterValues, f store.DashboardFilter, d store.Dashboard) (now, created components.Cards) {
	board := func(states []string, kv ...string) string {
		v := url.Values{"ubicacion": {""}, "sin_busqueda": {"1"}}
		for k, val := range map[string]string{"especialidad": f.Specialty, "cirugia": f.Surgery, "clinica": fv.ClinicParam} {
			if val != "" {
				v.Set(k, val)
			}
		}
		for _, s := range states {
			v.Add("estado", s)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return "/tablero?" + v.Encode()
	}
	day := func(t time.Time) string { return fpa.DateOf(t).String() }
	pr := d.Periods
	today := day(pr.Today)
	now = components.Cards{
		{Label: "Vigentes", Value: d.Vigentes, Href: board([]string{store.StateVigente}), Hint: "Desde el fin de pabellón hasta el fin de su bloque"},
		{Label: "Programados", Value: d.Programados, Href: board([]string{store.StateProgramado}), Hint: "Cirugía aún no terminada"},
		{Label: "Vencidos", Value: d.Vencidos, Href: board([]string{store.StateVencido}), Hint: "Pasó el bloque sin alta registrada"},
		{Label: "Próximas altas en 24 h", Value: d.Soon, Href: board(nil, "proximas", "1"), Hint: "FPA en las próximas 24 horas"},
	}
	created = components.Cards{
		{Label: "Creados hoy", Value: d.CreatedToday, Href: board(store.AllStates, "fecha", store.DateCreated, "desde", today, "hasta", today)},
		{Label: "Esta semana", Value: d.CreatedWeek, Href: board(store.AllStates, "fecha", store.DateCreated, "desde", day(pr.Week), "hasta", today), Hint: "Creados desde el lunes"},
		{Label: "Este mes", Value: d.CreatedMonth, Href: board(store.AllStates, "fecha", store.DateCreated, "desde", day(pr.Month), "hasta", today), Hint: "Creados desde el día 1"},
		{Label: "Altas hoy", Value: d.DischargedToday, Href: board([]string{store.StateDeAlta}, "fecha", store.DateDischarged, "desde", today, "hasta", today)},
		{Label: "Anulados", Value: d.Anulados, Href: board([]string{store.StateAnulado}, "fecha", store.DateCreated, "desde", f.From.String(), "hasta", f.To.String()),
			Hint: "Creados en el período y anulados"},
	}
	return now, created
}

// loadRows are today's and tomorrow's blocks side by side, those over capacity marked.
func loadRows(d store.Dashboard, today fpa.Date) []components.LoadRow {
	var rows []components.LoadRow
	at := map[string]int{}
	for _, l := range d.Load {
		label := l.Block.Label()
		i, ok := at[label]
		if !ok {
			i = len(rows)
			at[label] = i
			rows = append(rows, components.LoadRow{Block: label})
		}
		if l.Date == today {
			rows[i].Today, rows[i].TodayOver = l.N, l.N > d.Capacity
		} else {
			rows[i].Tomorrow, rows[i].TomOver = l.N, l.N > d.Capacity
		}
	}
	return rows
}

// exportDashboard downloads the dashboard's numbers, with the same filters, as a workbook;
// the export is audited.
func (h *Handler) exportDashboard(c *fiber.Ctx) error {
	now := h.now()
	fv, f, errs := readDashboardFilters(c, now)
	if len(errs) > 0 {
		return h.showDashboard(c)
	}
	p := state(c).principal
	d, code, err := h.store.ExportDashboard(c.UserContext(), p, f, now)
	if err != nil {
		return err
	}
	sheet, err := report.NewSheet("Panel", []string{"Sección", "Indicador", "Valor", "Detalle"}, []float64{24, 44, 12, 40})
	if err != nil {
		return err
	}
	defer sheet.Close()
	scope := state(c).clinicName
	if p.AllClinics {
		scope = "Todas las clínicas"
	}
	current, created := dashboardCards(fv, f, d)
	rows := [][4]any{
		{"Filtros", "Clínica", scope, ""},
		{"Filtros", "Período desde", fpa.FormatDate(d.Periods.From), ""},
		{"Filtros", "Período hasta", fpa.FormatDate(f.To.At(0)), ""},
		{"Filtros", "Especialidad", orAll(f.Specialty), ""},
		{"Filtros", "Cirugía", orAll(f.Surgery), ""},
		{"Filtros", "Calculado el", now, ""},
	}
	for _, cd := range current {
		rows = append(rows, [4]any{"Ahora", cd.Label, cd.Value, cd.Hint})
	}
	for _, cd := range created {
		rows = append(rows, [4]any{"Creados y altas", cd.Label, cd.Value, cd.Hint})
	}
	rows = append(rows,
		[4]any{"Cambios de FPA", "Tickets creados en el período", d.Tickets, "Sin los anulados"},
		[4]any{"Cambios de FPA", "Modificaciones", d.Modifications, ""},
		[4]any{"Cambios de FPA", "Tickets modificados", d.Modified, components.Pct(d.Modified, d.Tickets)},
		[4]any{"Cambios de FPA", "Noches extra", d.ExtraNights, ""})
	for _, r := range d.Reasons {
		rows = append(rows, [4]any{"Motivos", r.Name, r.N, ""})
	}
	for _, r := range d.TopDoctors {
		rows = append(rows, [4]any{"Médicos con más modificaciones", r.Name, r.N, ""})
	}
	for _, r := range d.TopSurgeries {
		rows = append(rows, [4]any{"Cirugías con más modificaciones", r.Name, r.N, ""})
	}
	rows = append(rows, [4]any{"Planes", "Altas en el período", d.Discharged, ""})
	for i, n := range d.Buckets {
		rows = append(rows, [4]any{"Planes", store.DischargeBuckets[i], n, components.Pct(n, d.Discharged)})
	}
	rows = append(rows,
		[4]any{"Planes", "Altas antes de las 12:00", d.BeforeNoon, components.Pct(d.BeforeNoon, d.Discharged)},
		[4]any{"Planes", "Atraso promedio después de la fecha (h)", d.LateHours, ""})
	for _, s := range d.Stays {
		name := s.Surgery
		if p.AllClinics {
			name = s.ClinicCode + " · " + name
		}
		rows = append(rows, [4]any{"Estadía por cirugía", name, s.Median,
			"Altas " + strconv.Itoa(s.N) + "; norma " + components.Decimal(s.NormHours, 1) + " h; mediana " + components.Decimal(s.Median, 1) +
				" h; percentil 90 " + components.Decimal(s.P90, 1) + " h"})
	}
	for _, l := range d.Load {
		detail := "Capacidad " + strconv.Itoa(d.Capacity)
		if l.N > d.Capacity {
			detail += "; sobre capacidad"
		}
		rows = append(rows, [4]any{"Carga por bloque", fpa.FormatDate(l.Date.At(12*60)) + " " + l.Block.Label(), l.N, detail})
	}
	for _, r := range rows {
		if err := sheet.Add(r[:]...); err != nil {
			return err
		}
	}
	return sendWorkbook(c, sheet, exportName("panel", code, now, "xlsx"))
}

func orAll(s string) string {
	if s == "" {
		return "Todas"
	}
	return s
}
