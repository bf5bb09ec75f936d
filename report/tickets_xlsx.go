package report

import "time"

// MaxMods is how many FPA modifications a ticket can have, each with its own columns.
const MaxMods = 5

// TicketRow is one ticket of the board's workbook.
type TicketRow struct {
	Code, State, RUT, Patient, Bed, Location, Clinic string
	Specialty, Surgery                               string
	BaseHours                                        float64
	Doctor                                           string
	PavilionEnd, OriginalFPA, FPA                    time.Time
	Block                                            string
	PlannedNights, ExtraNights                       int
	CreatedBy                                        string
	CreatedAt, DischargedAt                          time.Time // DischargedAt zero: not discharged
	Mods                                             []ModRow
}

// ModRow is one FPA modification of a TicketRow.
type ModRow struct {
	At, FPA                            time.Time
	Block, User, Reason, Justification string
}

// TicketsSheet is the board's workbook: one row per ticket, the columns of the board and of
// everything the ticket records, modifications 1–5 side by side.
type TicketsSheet struct {
	*Sheet
	withClinic bool
}

// NewTicketsSheet starts the workbook; withClinic adds the clinic column (the all-clinics view).
func NewTicketsSheet(withClinic bool) (*TicketsSheet, error) {
	type col struct {
		h string
		w float64
	}
	cols := []col{{"Código", 18}, {"Estado", 12}, {"RUT", 13}, {"Nombre completo", 32}, {"Cama", 8}, {"Ubicación", 16}}
	if withClinic {
		cols = append(cols, col{"Clínica", 22})
	}
	cols = append(cols, []col{{"Especialidad", 20}, {"Cirugía", 28}, {"Horas base", 10}, {"Médico", 24},
		{"Fin de pabellón", 17}, {"FPA inicial", 17}, {"FPA actual", 17}, {"Bloque", 12},
		{"Noches planificadas", 11}, {"Noches extra", 9}, {"Creado por", 16}, {"Creado el", 17}, {"Alta efectiva", 17}}...)
	for i := 1; i <= MaxMods; i++ {
		n := " " + string(rune('0'+i))
		cols = append(cols, []col{{"Mod." + n + " fecha", 17}, {"Mod." + n + " FPA nueva", 17}, {"Mod." + n + " bloque", 12},
			{"Mod." + n + " usuario", 14}, {"Mod." + n + " motivo", 24}, {"Mod." + n + " justificación", 40}}...)
	}
	headers := make([]string, len(cols))
	widths := make([]float64, len(cols))
	for i, c := range cols {
		headers[i], widths[i] = c.h, c.w
	}
	s, err := NewSheet("Tickets", headers, widths)
	if err != nil {
		return nil, err
	}
	return &TicketsSheet{Sheet: s, withClinic: withClinic}, nil
}

// AddTicket writes one ticket.
func (s *TicketsSheet) AddTicket(r TicketRow) error {
	v := make([]any, 0, 21+6*MaxMods)
	v = append(v, r.Code, r.State, r.RUT, r.Patient, r.Bed, r.Location)
	if s.withClinic {
		v = append(v, r.Clinic)
	}
	v = append(v, r.Specialty, r.Surgery, r.BaseHours, r.Doctor, r.PavilionEnd, r.OriginalFPA, r.FPA, r.Block,
		r.PlannedNights, r.ExtraNights, r.CreatedBy, r.CreatedAt, r.DischargedAt)
	for i := range MaxMods {
		if i < len(r.Mods) {
			m := r.Mods[i]
			v = append(v, m.At, m.FPA, m.Block, m.User, m.Reason, m.Justification)
		} else {
			v = append(v, nil, nil, nil, nil, nil, nil)
		}
	}
	return s.Add(v...)
}
