package components

import (
	"strconv"
	"strings"

	"github.com/redsalud/ticket-home/store"
)

// DashboardFilterValues are the dashboard's filters as typed (its GET form).
type DashboardFilterValues struct {
	From, To           string
	Specialty, Surgery string
	ClinicParam        string // superuser: clinic id or "todas"
}

// DashCard is one headline number and the board that lists exactly those tickets.
type DashCard struct {
	Label string
	Value int
	Href  string
	Hint  string // what it counts, in a few words
}

// LoadRow is one block's planned discharges today and tomorrow.
type LoadRow struct {
	Block              string
	Today, Tomorrow    int
	TodayOver, TomOver bool
	TodayHref, TomHref string
}

// DashboardProps is the dashboard page.
type DashboardProps struct {
	Page
	ClinicName  string
	Filter      DashboardFilterValues
	Errors      Errors
	Specialties []string
	Surgeries   []string
	Clinics     []store.Clinic
	D           store.Dashboard
	PeriodText  string // "06/11/2026 al 05/12/2026"
	Now         Cards
	Created     Cards
	ExportHref  string
	Load        []LoadRow
	TodayText   string // "05/12"
	TomText     string
}

// Cards is a group of headline numbers.
type Cards []DashCard

// Pct is n of total as a Spanish percentage with one decimal ("33,3 %"); "—" of nothing.
func Pct(n, total int) string {
	if total == 0 {
		return "—"
	}
	return Decimal(float64(n)*100/float64(total), 1) + " %"
}

// Decimal writes x with a decimal comma and the given decimals ("1,5").
func Decimal(x float64, decimals int) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', decimals, 64), ".", ",", 1)
}

// reasonBars are the ranked reasons as bars.
func rankedBars(r []store.Ranked) []Bar {
	out := make([]Bar, len(r))
	for i, x := range r {
		out[i] = Bar{Label: x.Name, Value: x.N}
	}
	return out
}

// cumulative is the running percentage of each ranked reason.
func cumulative(r []store.Ranked) []string {
	total := 0
	for _, x := range r {
		total += x.N
	}
	out := make([]string, len(r))
	cum := 0
	for i, x := range r {
		cum += x.N
		out[i] = Pct(cum, total)
	}
	return out
}

// bucketBars are the plans-held buckets as bars.
func bucketBars(d store.Dashboard) []Bar {
	out := make([]Bar, len(d.Buckets))
	for i, n := range d.Buckets {
		out[i] = Bar{Label: store.DischargeBuckets[i], Value: n}
	}
	return out
}

// loadBars are one day's blocks as bars, those over capacity marked.
func loadBars(rows []LoadRow, today bool) []Bar {
	out := make([]Bar, len(rows))
	for i, r := range rows {
		if today {
			out[i] = Bar{Label: r.Block, Value: r.Today, Over: r.TodayOver}
		} else {
			out[i] = Bar{Label: r.Block, Value: r.Tomorrow, Over: r.TomOver}
		}
	}
	return out
}

// normVerdict says how a surgery's observed median stay compares with its norm: more than a
// fifth away either way is worth an admin's look.
func normVerdict(s store.SurgeryStay) string {
	switch {
	case s.NormHours <= 0 || s.N < 3:
		return "Pocos datos"
	case s.Median > s.NormHours*1.2:
		return "La norma se queda corta"
	case s.Median < s.NormHours*0.8:
		return "La norma sobra"
	}
	return "Acorde"
}

// avgPerTicket is the modifications per ticket of the period ("0,45").
func avgPerTicket(d store.Dashboard) string {
	if d.Tickets == 0 {
		return "—"
	}
	return Decimal(float64(d.Modifications)/float64(d.Tickets), 2)
}

// lateText is the average delay of the discharges after the FPA date, counted from the end
// of the block.
func lateText(d store.Dashboard) string {
	if d.Buckets[4] == 0 {
		return "—"
	}
	return Decimal(d.LateHours, 1) + " h"
}

func barClass(over bool) string {
	if over {
		return "dash-bar dash-bar-over"
	}
	return "dash-bar"
}

// names are strings as the options of a select (value and label alike).
func names(s []string) []Option {
	out := make([]Option, len(s))
	for i, n := range s {
		out[i] = Option{Value: n, Label: n}
	}
	return out
}
