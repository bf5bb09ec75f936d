package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// exportColumns are what an exported ticket carries: the board's columns and the rest of what
// the ticket records, its FPA modifications as one JSON array (in order).
const exportColumns = `
SELECT t.clinic_id, c.name AS clinic_name, c.code AS clinic_code, c.critical_hours, c.warning_hours,
       t.id, t.code, t.status, t.modification_count,
       p.rut, p.first_names, p.last_name_father, p.last_name_mother,
       t.surgery_name, t.specialty_name, t.base_stay_hours::text AS base_stay_hours,
       coalesce(d.first_name || ' ' || d.last_name, '') AS doctor_name,
       t.pavilion_end_at, t.fpa_at, t.fpa_end_at, t.fpa_block_start, t.fpa_block_end,
       t.original_fpa_at, t.original_block_start, t.original_block_end,
       t.room, t.bed, t.location, t.episode_id, t.created_by, u.username AS created_by_name, t.created_at,
       t.discharged_at, coalesce(m.mods, '[]') AS mods
FROM tickets t
JOIN clinics c ON c.id = t.clinic_id
JOIN patients p ON p.clinic_id = t.clinic_id AND p.id = t.patient_id
JOIN users u ON u.id = t.created_by
LEFT JOIN doctors d ON d.clinic_id = t.clinic_id AND d.id = t.doctor_id
LEFT JOIN LATERAL (
    SELECT json_agg(json_build_object('at', fm.modified_at, 'fpa', fm.new_fpa_at,
               'start', fm.new_block_start, 'end', fm.new_block_end, 'user', mu.username,
               'reason', r.name, 'justification', fm.justification) ORDER BY fm.seq)::text AS mods
    FROM fpa_modifications fm
    JOIN users mu ON mu.id = fm.modified_by
    JOIN reasons r ON r.clinic_id = fm.clinic_id AND r.id = fm.reason_id
    WHERE t.modification_count > 0 AND fm.clinic_id = t.clinic_id AND fm.ticket_id = t.id
) m ON true`

// ExportedTicket is one ticket of an export: the ticket and its modifications.
type ExportedTicket struct {
	Ticket
	ClinicCode string `db:"clinic_code"`
	ModsJSON   string `db:"mods"`
	Mods       []ExportedMod
}

// ExportedMod is one FPA modification as an export lists it.
type ExportedMod struct {
	At            time.Time `json:"at"`
	FPA           time.Time `json:"fpa"`
	BlockStart    int       `json:"start"`
	BlockEnd      int       `json:"end"`
	User          string    `json:"user"`
	Reason        string    `json:"reason"`
	Justification string    `json:"justification"`
}

// BoardExport describes an export for its audit row and file name.
type BoardExport struct {
	Kind   string // the audit action: "export_tickets", "export_shift"
	Filter map[string]any
}

// ExportBoard calls fn for every ticket the board shows under f (every page, in the board's
// order) and audits the export — its filters and row count, not its data — in the same
// transaction. It returns the principal's clinic code ("" for every clinic), for the file's name.
func (s *Store) ExportBoard(ctx context.Context, p Principal, f BoardFilter, now time.Time, e BoardExport, fn func(ExportedTicket) error) (code string, err error) {
	f.Page, f.PageSize = 1, 1
	list, _ := boardQueries(p, f, now)
	v := 0
	if strings.TrimSpace(f.Query) != "" {
		v = 1 // as boardQueries chose
	}
	args := list.Args
	args[15] = nil // LIMIT NULL: every page
	err = s.WithTenant(ctx, p, func(tx *Tx) error {
		if !p.AllClinics {
			if err := tx.tx.GetContext(ctx, &code, `SELECT code FROM clinics WHERE id = $1`, p.ClinicID); err != nil {
				return err
			}
		}
		rows, err := tx.tx.QueryxContext(ctx, board.export[v], args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var t ExportedTicket
			var discharged sql.NullTime
			if err := rows.Scan(&t.ClinicID, &t.ClinicName, &t.ClinicCode, &t.CriticalHours, &t.WarningHours,
				&t.ID, &t.Code, &t.Status, &t.ModificationCount,
				&t.RUT, &t.FirstNames, &t.LastNameFather, &t.LastNameMother,
				&t.SurgeryName, &t.SpecialtyName, &t.BaseStayHours, &t.DoctorName,
				&t.PavilionEnd, &t.FPA, &t.FPAEnd, &t.BlockStart, &t.BlockEnd,
				&t.OriginalFPA, &t.OriginalStart, &t.OriginalEnd,
				&t.Room, &t.Bed, &t.Location, &t.EpisodeID, &t.CreatedByID, &t.CreatedByName, &t.CreatedAt,
				&discharged, &t.ModsJSON); err != nil {
				return err
			}
			t.DischargedAt = discharged
			if err := json.Unmarshal([]byte(t.ModsJSON), &t.Mods); err != nil {
				return fmt.Errorf("modifications of %s: %w", t.Code, err)
			}
			t.ModsJSON = ""
			if err := fn(t); err != nil {
				return err
			}
			n++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		clinic := p.ClinicID
		if p.AllClinics {
			clinic = 0
		}
		details := map[string]any{"rows": n}
		for k, val := range e.Filter {
			details[k] = val
		}
		return tx.Audit(ctx, clinic, e.Kind, "board", 0, details)
	})
	if err != nil {
		return "", fmt.Errorf("store: export board: %w", err)
	}
	return code, nil
}
