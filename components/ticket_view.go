package components

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/store"
)

// TicketView is a ticket with its state derived at one instant, as every ticket widget shows it.
type TicketView struct {
	store.Ticket
	State   fpa.State
	Urgency fpa.Urgency
	Now     time.Time
}

// NewTicketView derives the state of t at now (RULES §6).
func NewTicketView(t store.Ticket, now time.Time) TicketView {
	s, u := t.State(now)
	return TicketView{Ticket: t, State: s, Urgency: u, Now: now}
}

// Href is the ticket page's URL.
func (v TicketView) Href() string { return "/tickets/" + strconv.FormatInt(v.ID, 10) }

// PatientName is "Nombres Paterno Materno".
func (v TicketView) PatientName() string {
	n := v.FirstNames + " " + v.LastNameFather
	if v.LastNameMother != "" {
		n += " " + v.LastNameMother
	}
	return n
}

// PatientShort is what leaves the hospital on paper: the first name and the initial of the
// first surname ("María G."), never the whole name nor the RUT (RULES §11).
func (v TicketView) PatientShort() string {
	first, _, _ := strings.Cut(strings.TrimSpace(v.FirstNames), " ")
	initial := []rune(strings.TrimSpace(v.LastNameFather))
	if len(initial) == 0 {
		return first
	}
	return first + " " + string(unicode.ToUpper(initial[0])) + "."
}

// FPAText is "02/11/2025, entre 14:00 y 16:00".
func (v TicketView) FPAText() string {
	return fpa.FormatFPA(v.FPA, fpa.Block{Start: v.BlockStart, End: v.BlockEnd})
}

// FPADateText is the FPA's date, "02/11/2025"; FPABlockText its block, "entre 14:00 y 16:00".
func (v TicketView) FPADateText() string { return fpa.FormatDate(v.FPA) }

func (v TicketView) FPABlockText() string {
	_, block, _ := strings.Cut(v.FPAText(), ", ")
	return block
}

// OriginalFPAText is the frozen original FPA in the same form.
func (v TicketView) OriginalFPAText() string {
	return fpa.FormatFPA(v.OriginalFPA, fpa.Block{Start: v.OriginalStart, End: v.OriginalEnd})
}

// PlannedNights is nights(P, F) (RULES §3).
func (v TicketView) PlannedNights() int { return fpa.Nights(v.PavilionEnd, v.FPA) }

// ExtraNights is nights(original FPA, F), negative when the FPA moved earlier.
func (v TicketView) ExtraNights() int { return fpa.Nights(v.OriginalFPA, v.FPA) }

// StateText is the state in words, with the urgency of a Vigente ticket ("VIGENTE · Crítico").
func (v TicketView) StateText() string {
	if v.State == fpa.Vigente && v.Urgency != fpa.UrgencyNone {
		return v.State.Badge() + " · " + v.Urgency.Label()
	}
	return v.State.Badge()
}

// MaxMods is the limit of FPA modifications per ticket as text (RULES §4).
var MaxMods = strconv.Itoa(fpa.MaxModifications)

// StateKey names the state's colour (data-st in input.css): the urgency of a Vigente ticket,
// else the state ("critico", "vencido", "programado"…). The text always says the same (never
// colour alone).
func (v TicketView) StateKey() string {
	if v.State == fpa.Vigente {
		if v.Urgency == fpa.UrgencyNormal || v.Urgency == fpa.UrgencyNone {
			return "normal"
		}
		return v.Urgency.Key()
	}
	return v.State.Key()
}

// Countdown is the server-rendered countdown and what app.js needs to tick it: the instant it
// counts to (unix ms) and its mode.
type Countdown struct {
	Text     string
	Deadline int64
	Mode     string // "programado", "antes", "ventana", "vencido", or "" when nothing counts
}

// Countdown tells how far the ticket is from its next moment: the pavilion end for a
// Programado ticket, the FPA, the end of the discharge block, or how long it is overdue.
func (v TicketView) Countdown() Countdown {
	switch v.State {
	case fpa.Programado:
		return Countdown{"Activo en " + Duration(v.PavilionEnd.Sub(v.Now)), v.PavilionEnd.UnixMilli(), "programado"}
	case fpa.Vigente:
		if v.Urgency == fpa.UrgencyEnVentana {
			return Countdown{"Quedan " + Duration(v.FPAEnd.Sub(v.Now)) + " del bloque", v.FPAEnd.UnixMilli(), "ventana"}
		}
		return Countdown{"Faltan " + Duration(v.FPA.Sub(v.Now)) + " para la FPA", v.FPA.UnixMilli(), "antes"}
	case fpa.Vencido:
		return Countdown{"Vencido hace " + Duration(v.Now.Sub(v.FPAEnd)), v.FPAEnd.UnixMilli(), "vencido"}
	}
	return Countdown{}
}

// Duration says a span the way the wards read it: "2 d 3 h", "3 h 20 min", "45 min".
func Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	mins := int(d / time.Minute)
	switch {
	case mins < 1:
		return "menos de 1 min"
	case mins < 60:
		return fmt.Sprintf("%d min", mins)
	case mins < 24*60:
		return fmt.Sprintf("%d h %d min", mins/60, mins%60)
	}
	return fmt.Sprintf("%d d %d h", mins/(24*60), (mins%(24*60))/60)
}

// DateTime formats an instant in Santiago as "dd/mm/aaaa HH:MM".
func DateTime(t time.Time) string { return fpa.FormatDateTime(t) }

// SexLabel is the sex in words.
func SexLabel(s string) string {
	switch s {
	case "M":
		return "Masculino"
	case "F":
		return "Femenino"
	case "O":
		return "Otro"
	}
	return "Sin indicar"
}

// OrDash shows "—" for an empty value.
func OrDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// Signed shows a signed integer with its sign ("+1", "0", "-2").
func Signed(n int) string {
	if n > 0 {
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
