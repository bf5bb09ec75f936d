package components

import (
	"strconv"

	"github.com/redsalud/ticket-home/store"
)

// Chip is one state filter of the board with its count.
type Chip struct {
	Label   string
	Count   int
	Href    string
	Current bool
}

// BoardFilterValues are the board's filters as typed (they live in the URL).
type BoardFilterValues struct {
	Query       string
	Specialty   string
	Surgery     string
	From, To    string
	NoEpisode   bool
	Mine        bool
	Ward        string // ubicación
	Sort        string // store.SortUrgency, SortFPA or SortCreated
	DateOf      string // the date From and To apply to: store.DatePavilion, DateCreated…
	Soon        bool   // only FPAs in the next 24 hours
	States      []string
	ClinicParam string // superuser: clinic id or "todas"
}

// Narrowing counts the filters set under "Filtros" (not the states, the search or the order).
func (f BoardFilterValues) Narrowing() int {
	n := 0
	for _, set := range []bool{f.Specialty != "", f.Surgery != "", f.From != "", f.To != "", f.Ward != "", f.Soon} {
		if set {
			n++
		}
	}
	return n
}

// BoardProps is the nurse board ("Tablero").
type BoardProps struct {
	Page
	ClinicName  string
	Filter      BoardFilterValues
	Errors      Errors
	Chips       []Chip
	Rows        []TicketView
	Total       int
	PageNum     int
	Pages       int
	PrevHref    string
	NextHref    string
	RefreshHref string
	ExportQuery string // the filters of the exports' links: "?estado=…" or ""
	AsOf        string // when the data was read, "15:04" in Santiago
	LiveHref    string // the board's stream of changes, from when the data was read
	NoEpisode   Chip   // "Sin ID Ep.": the active tickets without an episode id
	Mine        Chip   // "Mis tickets": the active tickets the user created
	View        string // store.BoardViewAuto, BoardViewCards or BoardViewTable
	Wards       []string
	ShowClinic  bool
	CanCreate   bool
	Specialties []string
	Surgeries   []string
	Clinics     []store.Clinic
}

// filtersOpen opens "Filtros" when one of its fields has a problem to show.
func filtersOpen(p BoardProps) bool {
	for _, f := range []string{"desde", "hasta", "f-especialidad", "f-cirugia", "f-ubicacion"} {
		if p.Errors.For(f) != "" {
			return true
		}
	}
	return false
}

// boardCaption names the board's order for screen readers.
func boardCaption(sort string) string {
	switch sort {
	case "fpa":
		return "Tickets del tablero, ordenados por FPA"
	case "creacion":
		return "Tickets del tablero, del más reciente al más antiguo"
	}
	return "Tickets del tablero, ordenados por urgencia: primero los vencidos, luego la FPA más próxima"
}

// viewToggle is what a layout button asks for: that layout, or back to the automatic one
// (by the screen's width) when it is already chosen.
func viewToggle(current, view string) string {
	if current == view {
		return ""
	}
	return view
}

// boardExportScope says what the exports hold: every ticket of the filters, all pages.
func boardExportScope(total int) string {
	if total == 1 {
		return "este paciente"
	}
	return "los " + strconv.Itoa(total) + " pacientes"
}

// DateKinds are the dates the board's range can apply to, as its select offers them.
var DateKinds = []Option{
	{Value: store.DatePavilion, Label: "Fin de pabellón"},
	{Value: store.DateCreated, Label: "Creación del ticket"},
	{Value: store.DateFPA, Label: "FPA actual"},
	{Value: store.DateDischarged, Label: "Alta efectiva"},
}
