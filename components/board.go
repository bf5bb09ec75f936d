package components

import "github.com/redsalud/ticket-home/store"

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
	States      []string
	ClinicParam string // superuser: clinic id or "todas"
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
	AsOf        string // when the data was read, "15:04" in Santiago
	ShowClinic  bool
	CanCreate   bool
	Specialties []string
	Surgeries   []string
	Clinics     []store.Clinic
}
