package store

import (
	"context"
	"fmt"
	"time"

	"github.com/redsalud/ticket-home/fpa"
)

// DashboardFilter is what the dashboard ("Panel") counts: a period of Santiago dates (both
// included) and, as on the board, the specialty and surgery names recorded on the tickets.
// The clinic is the principal's scope.
type DashboardFilter struct {
	From, To           fpa.Date
	Specialty, Surgery string
}

// Periods are the Santiago instants the dashboard counts from (RULES §12): each [start, end).
type Periods struct {
	Today, Tomorrow, DayAfter, Week, Month time.Time
	From, To                               time.Time // the filter's period
}

// PeriodsAt are the dashboard's periods at now for f: today, this week from Monday 00:00,
// this month from the 1st, and the filter's dates, all in America/Santiago (a day is 23 or
// 25 hours long on the days the clocks change).
func PeriodsAt(now time.Time, f DashboardFilter) Periods {
	today := fpa.DateOf(now)
	weekday := int(time.Date(today.Year, today.Month, today.Day, 12, 0, 0, 0, time.UTC).Weekday())
	return Periods{
		Today: today.At(0), Tomorrow: today.AddDays(1).At(0), DayAfter: today.AddDays(2).At(0),
		Week:  today.AddDays(-((weekday + 6) % 7)).At(0),
		Month: fpa.NewDate(today.Year, today.Month, 1).At(0),
		From:  f.From.At(0), To: f.To.AddDays(1).At(0),
	}
}

// Dashboard is every number of the dashboard.
type Dashboard struct {
	Periods Periods

	// The cards. States are as of now; Anulados are the tickets created in the period that
	// were annulled.
	Programados, Vigentes, Vencidos, Anulados int
	CreatedToday, CreatedWeek, CreatedMonth   int
	DischargedToday, Soon                     int

	// FPA changes of the tickets created in the period (annulled ones left out).
	Tickets, Modified, Modifications, ExtraNights int
	Reasons                                       []Ranked // every reason, most used first
	TopDoctors, TopSurgeries                      []Ranked // the ten with the most modifications

	// Plans held: the tickets discharged in the period, by when against their FPA.
	Discharged int
	Buckets    [5]int  // DischargeBuckets' order
	LateHours  float64 // average hours after the block's end of those discharged after the FPA date
	BeforeNoon int
	Stays      []SurgeryStay
	OneClinic  bool
	Capacity   int         // discharges a block can take (one clinic only)
	Load       []BlockLoad // today's and tomorrow's active blocks (one clinic only)

	// The filters' choices.
	SpecialtyNames, SurgeryNames []string
}

// DischargeBuckets name the plans-held buckets, which do not overlap.
var DischargeBuckets = [5]string{
	"Antes de la fecha de la FPA",
	"El día de la FPA, antes del bloque",
	"Dentro del bloque",
	"El día de la FPA, después del bloque",
	"Después de la fecha de la FPA",
}

// Ranked is a name and how many times it counts.
type Ranked struct {
	Kind string `db:"kind"`
	Name string `db:"name"`
	N    int    `db:"n"`
}

// SurgeryStay is the observed stay of a surgery's discharged tickets next to its norm.
type SurgeryStay struct {
	ClinicCode string  `db:"clinic_code"`
	Surgery    string  `db:"surgery"`
	N          int     `db:"n"`
	NormHours  float64 `db:"norm_hours"`
	Median     float64 `db:"median_hours"`
	P90        float64 `db:"p90_hours"`
}

// BlockLoad is how many active tickets have their FPA in one block of one day.
type BlockLoad struct {
	Date  fpa.Date
	Block fpa.Block
	N     int
}

// The dashboard's statements share their parameters: $1 clinic (0 = all in scope), $2
// specialty, $3 surgery, $4 period from, $5 period to; the cards also $6 now, $7 today, $8
// tomorrow, $9 week, $10 month.
const (
	dashScope = `(($1 = 0 OR t.clinic_id = $1) AND ($2 = '' OR t.specialty_name = $2) AND ($3 = '' OR t.surgery_name = $3))`

	dashCardsSQL = `
SELECT count(*) FILTER (WHERE t.status = 'vigente' AND t.pavilion_end_at > $6) AS programados,
       count(*) FILTER (WHERE t.status = 'vigente' AND t.pavilion_end_at <= $6 AND t.fpa_end_at > $6) AS vigentes,
       count(*) FILTER (WHERE t.status = 'vigente' AND t.fpa_end_at <= $6) AS vencidos,
       count(*) FILTER (WHERE t.status = 'anulado' AND t.created_at >= $4 AND t.created_at < $5) AS anulados,
       count(*) FILTER (WHERE t.created_at >= $7 AND t.created_at < $8) AS created_today,
       count(*) FILTER (WHERE t.created_at >= $9 AND t.created_at < $8) AS created_week,
       count(*) FILTER (WHERE t.created_at >= $10 AND t.created_at < $8) AS created_month,
       count(*) FILTER (WHERE t.status = 'alta' AND t.discharged_at >= $7 AND t.discharged_at < $8) AS discharged_today,
       count(*) FILTER (WHERE t.status = 'vigente' AND t.fpa_at >= $6 AND t.fpa_at < $6 + interval '` + soonHours + ` hours') AS soon,
       count(*) FILTER (WHERE t.status <> 'anulado' AND t.created_at >= $4 AND t.created_at < $5) AS tickets,
       count(*) FILTER (WHERE t.status <> 'anulado' AND t.created_at >= $4 AND t.created_at < $5 AND t.modification_count > 0) AS modified,
       coalesce(sum(t.modification_count) FILTER (WHERE t.status <> 'anulado' AND t.created_at >= $4 AND t.created_at < $5), 0) AS modifications,
       coalesce(sum((t.fpa_at AT TIME ZONE 'America/Santiago')::date - (t.original_fpa_at AT TIME ZONE 'America/Santiago')::date)
           FILTER (WHERE t.status <> 'anulado' AND t.created_at >= $4 AND t.created_at < $5), 0) AS extra_nights
FROM tickets t
WHERE ` + dashScope + `
  AND (t.status = 'vigente' OR t.created_at >= least($9, $10, $4) OR (t.status = 'alta' AND t.discharged_at >= $7))`

	// The rankings of the period's modified tickets: every reason; the ten doctors and surgeries
	// with the most modifications.
	dashRankingsSQL = `
WITH cohort AS (
    SELECT t.clinic_id, t.id, t.modification_count, t.surgery_name, t.doctor_id
    FROM tickets t
    WHERE ` + dashScope + ` AND t.status <> 'anulado' AND t.created_at >= $4 AND t.created_at < $5
      AND t.modification_count > 0
)
(SELECT 'reason' AS kind, r.name, count(*) AS n
 FROM cohort JOIN fpa_modifications m ON m.clinic_id = cohort.clinic_id AND m.ticket_id = cohort.id
 JOIN reasons r ON r.clinic_id = m.clinic_id AND r.id = m.reason_id
 GROUP BY r.name ORDER BY n DESC, r.name)
UNION ALL
(SELECT 'doctor', d.first_name || ' ' || d.last_name, sum(cohort.modification_count)
 FROM cohort JOIN doctors d ON d.clinic_id = cohort.clinic_id AND d.id = cohort.doctor_id
 GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT 10)
UNION ALL
(SELECT 'surgery', cohort.surgery_name, sum(cohort.modification_count)
 FROM cohort GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT 10)`

	// Plans held: each discharge of the period in one bucket (see DischargeBuckets).
	dashPlansSQL = `
WITH d AS (
    SELECT t.discharged_at AS at, t.fpa_at AS f, t.fpa_end_at AS f_end,
           (t.discharged_at AT TIME ZONE 'America/Santiago')::date AS d_day,
           (t.fpa_at AT TIME ZONE 'America/Santiago')::date AS f_day
    FROM tickets t
    WHERE ` + dashScope + ` AND t.status = 'alta' AND t.discharged_at >= $4 AND t.discharged_at < $5
), b AS (
    SELECT d.*, CASE WHEN d_day < f_day THEN 0 WHEN at < f THEN 1 WHEN at < f_end THEN 2
                     WHEN d_day = f_day THEN 3 ELSE 4 END AS bucket
    FROM d
)
SELECT count(*) AS discharged,
       count(*) FILTER (WHERE bucket = 0) AS b0, count(*) FILTER (WHERE bucket = 1) AS b1,
       count(*) FILTER (WHERE bucket = 2) AS b2, count(*) FILTER (WHERE bucket = 3) AS b3,
       count(*) FILTER (WHERE bucket = 4) AS b4,
       coalesce(avg(extract(epoch FROM at - f_end) / 3600) FILTER (WHERE bucket = 4), 0)::float8 AS late_hours,
       count(*) FILTER (WHERE extract(hour FROM at AT TIME ZONE 'America/Santiago') < 12) AS before_noon
FROM b`

	// Observed stay (pavilion end → discharge) per surgery next to its current norm.
	dashStaysSQL = `
SELECT c.code AS clinic_code, t.surgery_name AS surgery, count(*) AS n,
       coalesce(max(s.base_stay_hours), 0)::float8 AS norm_hours,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.discharged_at - t.pavilion_end_at) / 3600)::float8 AS median_hours,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t.discharged_at - t.pavilion_end_at) / 3600)::float8 AS p90_hours
FROM tickets t
JOIN clinics c ON c.id = t.clinic_id
LEFT JOIN surgeries s ON s.clinic_id = t.clinic_id AND s.id = t.surgery_id
WHERE ` + dashScope + ` AND t.status = 'alta' AND t.discharged_at >= $4 AND t.discharged_at < $5
GROUP BY c.code, t.surgery_name
ORDER BY count(*) DESC, c.code, t.surgery_name
LIMIT 30`

	// The load of today's and tomorrow's blocks: the clinic's active tickets by FPA, and the
	// clinic's capacity.
	dashLoadSQL = `
SELECT t.fpa_at AS at, count(*) AS n, max(c.discharge_capacity) AS capacity
FROM clinics c LEFT JOIN tickets t ON t.clinic_id = c.id AND t.status = 'vigente' AND t.fpa_at >= $2 AND t.fpa_at < $3
WHERE c.id = $1
GROUP BY t.fpa_at`
)

// Dashboard counts the dashboard of the principal's scope at now, and the filters' choices.
func (s *Store) Dashboard(ctx context.Context, p Principal, f DashboardFilter, now time.Time) (Dashboard, error) {
	var out Dashboard
	err := s.WithTenant(ctx, p, func(tx *Tx) error {
		var err error
		if out, err = tx.dashboard(ctx, f, now); err != nil {
			return err
		}
		out.SpecialtyNames, out.SurgeryNames, err = tx.filterChoices(ctx)
		return err
	})
	if err != nil {
		return Dashboard{}, fmt.Errorf("store: dashboard: %w", err)
	}
	return out, nil
}

// ExportDashboard counts the dashboard for its workbook and audits the export (its filters)
// in the same transaction. It returns the clinic's code ("" for every clinic).
func (s *Store) ExportDashboard(ctx context.Context, p Principal, f DashboardFilter, now time.Time) (out Dashboard, code string, err error) {
	err = s.WithTenant(ctx, p, func(tx *Tx) error {
		clinic := int64(0)
		if !p.AllClinics {
			clinic = p.ClinicID
			if err := tx.tx.GetContext(ctx, &code, `SELECT code FROM clinics WHERE id = $1`, p.ClinicID); err != nil {
				return err
			}
		}
		var err error
		if out, err = tx.dashboard(ctx, f, now); err != nil {
			return err
		}
		return tx.Audit(ctx, clinic, "export_dashboard", "dashboard", 0, map[string]any{
			"from": f.From.String(), "to": f.To.String(), "specialty": f.Specialty, "surgery": f.Surgery})
	})
	if err != nil {
		return Dashboard{}, "", fmt.Errorf("store: export dashboard: %w", err)
	}
	return out, code, nil
}

// dashboard counts the dashboard in the transaction.
func (tx *Tx) dashboard(ctx context.Context, f DashboardFilter, now time.Time) (Dashboard, error) {
	p := tx.p
	out := Dashboard{Periods: PeriodsAt(now, f), OneClinic: !p.AllClinics}
	pr := out.Periods
	clinic := p.ClinicID
	if p.AllClinics {
		clinic = 0
	}
	args := []any{clinic, f.Specialty, f.Surgery, pr.From, pr.To, now, pr.Today, pr.Tomorrow, pr.Week, pr.Month}
	period := args[:5]
	err := func() error {
		row := tx.tx.QueryRowxContext(ctx, dashCardsSQL, args...)
		if err := row.Scan(&out.Programados, &out.Vigentes, &out.Vencidos, &out.Anulados,
			&out.CreatedToday, &out.CreatedWeek, &out.CreatedMonth, &out.DischargedToday, &out.Soon,
			&out.Tickets, &out.Modified, &out.Modifications, &out.ExtraNights); err != nil {
			return fmt.Errorf("cards: %w", err)
		}
		var ranked []Ranked
		if err := tx.tx.SelectContext(ctx, &ranked, dashRankingsSQL, period...); err != nil {
			return fmt.Errorf("rankings: %w", err)
		}
		for _, r := range ranked {
			switch r.Kind {
			case "reason":
				out.Reasons = append(out.Reasons, r)
			case "doctor":
				out.TopDoctors = append(out.TopDoctors, r)
			default:
				out.TopSurgeries = append(out.TopSurgeries, r)
			}
		}
		row = tx.tx.QueryRowxContext(ctx, dashPlansSQL, period...)
		b := &out.Buckets
		if err := row.Scan(&out.Discharged, &b[0], &b[1], &b[2], &b[3], &b[4], &out.LateHours, &out.BeforeNoon); err != nil {
			return fmt.Errorf("plans: %w", err)
		}
		if err := tx.tx.SelectContext(ctx, &out.Stays, dashStaysSQL, period...); err != nil {
			return fmt.Errorf("stays: %w", err)
		}
		if p.AllClinics {
			return nil
		}
		return tx.blockLoad(ctx, now, &out)
	}()
	return out, err
}

// blockLoad fills the load of today's and tomorrow's blocks: every active block, and an
// inactive one only when tickets are planned in it.
func (t *Tx) blockLoad(ctx context.Context, now time.Time, out *Dashboard) error {
	var rows []struct {
		At       *time.Time `db:"at"`
		N        int        `db:"n"`
		Capacity int        `db:"capacity"`
	}
	pr := out.Periods
	if err := t.tx.SelectContext(ctx, &rows, dashLoadSQL, t.p.ClinicID, pr.Today, pr.DayAfter); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	planned := map[time.Time]int{}
	for _, r := range rows {
		out.Capacity = r.Capacity
		if r.At != nil {
			planned[r.At.UTC()] += r.N
		}
	}
	cc, err := t.ClinicCatalog(ctx, t.p.ClinicID)
	if err != nil {
		return err
	}
	today := fpa.DateOf(now)
	for _, d := range []fpa.Date{today, today.AddDays(1)} {
		for _, b := range cc.FPABlocks() {
			at := fpa.SlotOn(d, b).Start.UTC()
			n, ok := planned[at]
			if b.Active || ok {
				out.Load = append(out.Load, BlockLoad{Date: d, Block: b, N: n})
			}
		}
	}
	return nil
}
