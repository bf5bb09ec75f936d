package store_test

import (
	"context"
	"database/sql"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/internal/testapp"
	"github.com/redsalud/ticket-home/store"
)

// santiago is a Santiago wall-clock instant.
func santiago(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, fpa.Santiago)
}

// dashTicket is a ticket crafted at given instants: created, pavilion end, FPA (a 2-hour
// block from it) and, when not zero, discharged.
type dashTicket struct {
	created, p, f, discharged time.Time
	status                    string // "" vigente, "alta", "anulado"
}

// craft creates the tickets in clinic c and sets their instants as the superuser.
func craft(t *testing.T, st *store.Store, admin *sql.DB, c testClinic, tickets ...dashTicket) []int64 {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	reason := reasonOf(t, admin, c, "annulment", "Duplicado")
	var ids []int64
	for _, d := range tickets {
		tk, err := st.CreateTicket(ctx, c.Admin, c.ID, store.NewTicket{
			Patient: patient(20_000_000 + rand.IntN(50_000_000)), SurgeryID: c.SurgeryID, PavilionEnd: now.Add(-2 * time.Hour), BlockStart: -1,
		}, now)
		if err != nil {
			t.Fatal(err)
		}
		start := d.f.In(fpa.Santiago)
		minute := start.Hour()*60 + start.Minute()
		if _, err := admin.Exec(`UPDATE tickets SET created_at = $2, pavilion_end_at = $3, fpa_at = $4, fpa_end_at = $4::timestamptz + interval '2 hours',
			original_fpa_at = $4, fpa_block_start = $5, fpa_block_end = $6, original_block_start = $5, original_block_end = $6
			WHERE id = $1`, tk.ID, d.created, d.p, d.f, minute, minute+120); err != nil {
			t.Fatal(err)
		}
		switch d.status {
		case "alta":
			_, err = admin.Exec(`UPDATE tickets SET status = 'alta', discharged_at = $2, discharge_recorded_at = $2, discharge_recorded_by = created_by WHERE id = $1`, tk.ID, d.discharged)
		case "anulado":
			_, err = admin.Exec(`UPDATE tickets SET status = 'anulado', annulled_at = created_at, annulled_by = created_by, annul_reason_id = $2 WHERE id = $1`, tk.ID, reason)
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tk.ID)
	}
	return ids
}

func dashboardOf(t *testing.T, st *store.Store, p store.Principal, now time.Time, f store.DashboardFilter) store.Dashboard {
	t.Helper()
	if f.From.Year == 0 {
		f.From, f.To = fpa.DateOf(now).AddDays(-29), fpa.DateOf(now)
	}
	d, err := st.Dashboard(context.Background(), p, f, now)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Today, this week and this month are Santiago's: 23:30 on a Thursday is that Thursday though
// UTC has moved on; the week starts on Monday 00:00 and the month on the 1st.
func TestDashboard_CreatedTodayWeekMonthAreSantiagos(t *testing.T) {
	st, _ := seededStore(t)
	_, adminURL := testapp.DB(t)
	admin := openRaw(t, adminURL)
	c := newTestClinic(t, st)
	now := santiago(2026, 12, 3, 23, 45) // Thursday; 02:45 UTC on Friday
	p, f := now.Add(-30*time.Hour), now.Add(20*time.Hour)
	craft(t, st, admin, c,
		dashTicket{created: santiago(2026, 12, 3, 23, 30), p: p, f: f},  // today (Friday in UTC)
		dashTicket{created: santiago(2026, 12, 3, 0, 0), p: p, f: f},    // today, its first minute
		dashTicket{created: santiago(2026, 12, 2, 23, 59), p: p, f: f},  // yesterday: this week, this month
		dashTicket{created: santiago(2026, 12, 1, 0, 0), p: p, f: f},    // the month's first minute
		dashTicket{created: santiago(2026, 11, 30, 23, 59), p: p, f: f}, // Monday: this week, last month
		dashTicket{created: santiago(2026, 11, 30, 0, 0), p: p, f: f},   // Monday 00:00: this week
		dashTicket{created: santiago(2026, 11, 29, 23, 59), p: p, f: f}, // Sunday: neither
	)
	d := dashboardOf(t, st, c.Admin, now, store.DashboardFilter{})
	if d.CreatedToday != 2 || d.CreatedWeek != 6 || d.CreatedMonth != 4 {
		t.Fatalf("today %d (want 2), week %d (want 6), month %d (want 4)", d.CreatedToday, d.CreatedWeek, d.CreatedMonth)
	}
	if want := santiago(2026, 11, 30, 0, 0); !d.Periods.Week.Equal(want) {
		t.Fatalf("week from %v, want %v", d.Periods.Week, want)
	}
}

// On the days the clocks change a Santiago day has 23 or 25 hours, and "today" is all of it.
func TestDashboard_TodayOnDaysTheClocksChange(t *testing.T) {
	st, _ := seededStore(t)
	_, adminURL := testapp.DB(t)
	admin := openRaw(t, adminURL)
	for _, tc := range []struct {
		name          string
		now           time.Time
		in, out       []time.Time
		hoursInTheDay float64
	}{
		{
			// Saturday 4 April 2026: 24:00 becomes 23:00, the day has 25 hours.
			name: "25 hours", now: time.Date(2026, 4, 5, 3, 40, 0, 0, time.UTC), // 23:40 -04, the second 23:40
			in:            []time.Time{santiago(2026, 4, 4, 0, 0), time.Date(2026, 4, 5, 2, 50, 0, 0, time.UTC) /* the first 23:50 (-03) */},
			out:           []time.Time{santiago(2026, 4, 3, 23, 59), time.Date(2026, 4, 5, 4, 0, 0, 0, time.UTC) /* Sunday 00:00 -04 */},
			hoursInTheDay: 25,
		},
		{
			// Sunday 6 September 2026: 00:00 becomes 01:00, the day has 23 hours.
			name: "23 hours", now: santiago(2026, 9, 6, 23, 50),
			in:            []time.Time{time.Date(2026, 9, 6, 4, 0, 0, 0, time.UTC) /* 01:00 -03, its first instant */, santiago(2026, 9, 6, 23, 40)},
			out:           []time.Time{time.Date(2026, 9, 6, 3, 59, 0, 0, time.UTC) /* Saturday 23:59 -04 */, santiago(2026, 9, 7, 0, 0)},
			hoursInTheDay: 23,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClinic(t, st)
			var tickets []dashTicket
			for _, at := range append(append([]time.Time{}, tc.in...), tc.out...) {
				tickets = append(tickets, dashTicket{created: at, p: tc.now.Add(-40 * time.Hour), f: tc.now.Add(30 * time.Hour)})
			}
			craft(t, st, admin, c, tickets...)
			d := dashboardOf(t, st, c.Admin, tc.now, store.DashboardFilter{})
			if d.CreatedToday != len(tc.in) {
				t.Fatalf("created today %d, want %d", d.CreatedToday, len(tc.in))
			}
			if h := d.Periods.Tomorrow.Sub(d.Periods.Today).Hours(); h != tc.hoursInTheDay {
				t.Fatalf("today lasts %v hours, want %v", h, tc.hoursInTheDay)
			}
		})
	}
}

// The states are as of now; "next 24 hours" ends before now + 24 h; discharges today are
// Santiago's today; annulled count those created in the period.
func TestDashboard_StatesSoonDischargesAndAnnulled(t *testing.T) {
	st, _ := seededStore(t)
	_, adminURL := testapp.DB(t)
	admin := openRaw(t, adminURL)
	c := newTestClinic(t, st)
	now := santiago(2026, 12, 3, 10, 0)
	h := time.Hour
	craft(t, st, admin, c,
		dashTicket{created: now.Add(-h), p: now.Add(2 * h), f: now.Add(30 * h)},   // programado
		dashTicket{created: now.Add(-h), p: now.Add(-20 * h), f: now.Add(23 * h)}, // vigente, soon
		dashTicket{created: now.Add(-h), p: now.Add(-20 * h), f: now.Add(24 * h)}, // vigente, not soon (exactly 24 h)
		dashTicket{created: now.Add(-h), p: now.Add(-20 * h), f: now.Add(-h)},     // vigente: inside its block
		dashTicket{created: now.Add(-h), p: now.Add(-20 * h), f: now.Add(-2 * h)}, // vencido: its block ended now
		dashTicket{created: now.Add(-h), p: now.Add(-20 * h), f: now, status: "alta", discharged: santiago(2026, 12, 3, 0, 0)},
		dashTicket{created: now.Add(-h), p: now.Add(-30 * h), f: now, status: "alta", discharged: santiago(2026, 12, 2, 23, 59)},
		dashTicket{created: now.Add(-h), p: now.Add(-20 * h), f: now.Add(5 * h), status: "anulado"},
		dashTicket{created: now.Add(-40 * 24 * h), p: now.Add(-40 * 24 * h), f: now.Add(-39 * 24 * h), status: "anulado"}, // before the period
	)
	d := dashboardOf(t, st, c.Admin, now, store.DashboardFilter{})
	got := [6]int{d.Programados, d.Vigentes, d.Vencidos, d.Soon, d.DischargedToday, d.Anulados}
	if want := [6]int{1, 3, 1, 1, 1, 1}; got != want {
		t.Fatalf("programados, vigentes, vencidos, soon, discharged today, annulled = %v, want %v", got, want)
	}
	// Another clinic's tickets are not counted, and a superuser over every clinic counts both.
	other := newTestClinic(t, st)
	craft(t, st, admin, other, dashTicket{created: now.Add(-h), p: now.Add(2 * h), f: now.Add(30 * h)})
	if d := dashboardOf(t, st, c.Admin, now, store.DashboardFilter{}); d.Programados != 1 {
		t.Fatalf("another clinic's ticket counted: %d", d.Programados)
	}
	su := principalFor(t, st, demo.SuperuserName)
	su.AllClinics, su.ClinicID = true, 0
	all := dashboardOf(t, st, su, now, store.DashboardFilter{})
	if all.Programados < 2 || all.OneClinic || len(all.Load) != 0 {
		t.Fatalf("all clinics: %d programados, one clinic %v, %d load rows", all.Programados, all.OneClinic, len(all.Load))
	}
}

// Plans held: every discharge of the period in exactly one bucket, the late ones' average
// delay after the block, those before noon, and the observed stay next to the norm.
func TestDashboard_PlansHeld(t *testing.T) {
	st, _ := seededStore(t)
	_, adminURL := testapp.DB(t)
	admin := openRaw(t, adminURL)
	c := newTestClinic(t, st)
	now := santiago(2026, 12, 10, 18, 0)
	f := santiago(2026, 12, 8, 14, 0) // block 14:00–16:00
	p := santiago(2026, 12, 7, 10, 0)
	mk := func(discharged time.Time) dashTicket {
		return dashTicket{created: p, p: p, f: f, status: "alta", discharged: discharged}
	}
	craft(t, st, admin, c,
		mk(santiago(2026, 12, 7, 20, 0)),  // before the FPA date (stay 10 h)
		mk(santiago(2026, 12, 8, 11, 0)),  // that day, before the block (25 h), before noon
		mk(santiago(2026, 12, 8, 14, 0)),  // in the block, its first minute (28 h)
		mk(santiago(2026, 12, 8, 15, 59)), // in the block
		mk(santiago(2026, 12, 8, 16, 0)),  // that day, after the block
		mk(santiago(2026, 12, 9, 10, 0)),  // after the FPA date: 18 h after the block, before noon
		mk(santiago(2026, 12, 9, 22, 0)),  // after the FPA date: 30 h after the block
	)
	// The 22:00–24:00 block: a discharge at midnight is the next day, after the FPA date.
	late := santiago(2026, 12, 8, 22, 0)
	craft(t, st, admin, c, dashTicket{created: p, p: p, f: late, status: "alta", discharged: santiago(2026, 12, 9, 0, 0)})
	d := dashboardOf(t, st, c.Admin, now, store.DashboardFilter{})
	if want := [5]int{1, 1, 2, 1, 3}; d.Buckets != want || d.Discharged != 8 {
		t.Fatalf("buckets %v of %d, want %v of 8", d.Buckets, d.Discharged, want)
	}
	if math.Abs(d.LateHours-(18+30+0)/3.0) > 1e-9 {
		t.Fatalf("late by %v hours on average, want 16", d.LateHours)
	}
	if d.BeforeNoon != 3 { // 11:00, 10:00 and 00:00
		t.Fatalf("%d before noon, want 3", d.BeforeNoon)
	}
	if len(d.Stays) != 1 || d.Stays[0].N != 8 || d.Stays[0].NormHours != 24 {
		t.Fatalf("stays: %+v", d.Stays)
	}
	// Stays: 10, 25, 28, 29.98…, 30, 48, 60, 38 hours; the median of eight is the mean of the 4th and 5th.
	if s := d.Stays[0]; math.Abs(s.Median-(29+59.0/60+30)/2) > 1e-6 || s.P90 <= s.Median {
		t.Fatalf("median %v, p90 %v", s.Median, s.P90)
	}
}

// FPA changes of the period's tickets: count, modified share, extra nights and the reasons
// ranked; the load of today's blocks against the capacity.
func TestDashboard_ModificationsAndBlockLoad(t *testing.T) {
	st, _ := seededStore(t)
	_, adminURL := testapp.DB(t)
	admin := openRaw(t, adminURL)
	c := newTestClinic(t, st)
	ctx := context.Background()
	now := time.Now()
	today := fpa.DateOf(now)
	tomorrowTen := today.AddDays(1).At(600)
	ids := craft(t, st, admin, c,
		dashTicket{created: now.Add(-time.Hour), p: now.Add(-3 * time.Hour), f: tomorrowTen},
		dashTicket{created: now.Add(-time.Hour), p: now.Add(-3 * time.Hour), f: tomorrowTen},
		dashTicket{created: now.Add(-time.Hour), p: now.Add(-3 * time.Hour), f: tomorrowTen},
	)
	reasons := []int64{reasonOf(t, admin, c, "modification", "Evolución lenta"), reasonOf(t, admin, c, "modification", "Complicación")}
	// Ticket 0 twice later (+1 night, then +1 more), ticket 1 to another block of the same day.
	modify := func(id int64, d fpa.Date, block int, reason int64) {
		t.Helper()
		tk, err := st.Ticket(ctx, c.Admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ModifyFPA(ctx, c.Admin, store.Change{TicketID: id, Version: tk.Version},
			store.ModifyInput{Date: d, BlockStart: block, ReasonID: reason, Justification: "control"}, now); err != nil {
			t.Fatal(err)
		}
	}
	modify(ids[0], today.AddDays(2), 600, reasons[0])
	modify(ids[0], today.AddDays(3), 600, reasons[0])
	modify(ids[1], today.AddDays(1), 720, reasons[1])
	d := dashboardOf(t, st, c.Admin, now, store.DashboardFilter{})
	if d.Tickets != 3 || d.Modified != 2 || d.Modifications != 3 || d.ExtraNights != 2 {
		t.Fatalf("tickets %d, modified %d, modifications %d, extra nights %d; want 3, 2, 3, 2", d.Tickets, d.Modified, d.Modifications, d.ExtraNights)
	}
	if len(d.Reasons) != 2 || d.Reasons[0].N != 2 || d.Reasons[1].N != 1 {
		t.Fatalf("reasons: %+v", d.Reasons)
	}
	if len(d.TopSurgeries) != 1 || d.TopSurgeries[0].N != 3 {
		t.Fatalf("surgeries: %+v", d.TopSurgeries)
	}
	// Tomorrow 10:00 holds one ticket (ticket 2), 12:00 one (ticket 1); the capacity is 4.
	if d.Capacity != 4 {
		t.Fatalf("capacity %d", d.Capacity)
	}
	load := map[string]int{}
	for _, l := range d.Load {
		load[l.Date.String()+" "+l.Block.Label()] = l.N
	}
	tm := today.AddDays(1).String()
	if load[tm+" 10:00–12:00"] != 1 || load[tm+" 12:00–14:00"] != 1 || len(d.Load) != 24 {
		t.Fatalf("load %v (%d rows)", load, len(d.Load))
	}
}

// reasonOf is the id of the clinic's reason of that category and name, created if missing.
func reasonOf(t *testing.T, admin *sql.DB, c testClinic, category, name string) int64 {
	t.Helper()
	var id int64
	err := admin.QueryRow(`WITH ins AS (
		INSERT INTO reasons (clinic_id, category, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id)
		SELECT id FROM ins UNION ALL SELECT id FROM reasons WHERE clinic_id = $1 AND category = $2 AND name = $3 LIMIT 1`,
		c.ID, category, name).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
