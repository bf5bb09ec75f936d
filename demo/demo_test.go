package demo

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/db"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/internal/testdb"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

// wantCounts is the plan as counts per state and urgency.
func wantCounts() map[wanted]int {
	m := map[wanted]int{}
	for _, e := range ticketPlan {
		m[e.want] += e.n
	}
	return m
}

func planSize() int {
	n := 0
	for _, e := range ticketPlan {
		n += e.n
	}
	return n
}

// seeded returns a fresh database with the demo data seeded at now.
func seeded(t *testing.T, now time.Time) *store.Store {
	t.Helper()
	appURL, _ := testdb.New(t, db.MigrationsVersion(), db.Migrate)
	st, err := store.Open(t.Context(), appURL, store.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := Seed(t.Context(), st, true, now); err != nil {
		t.Fatal(err)
	}
	return st
}

func principal(t *testing.T, st *store.Store, username string) store.Principal {
	t.Helper()
	u, err := st.UserByUsername(t.Context(), username)
	if err != nil {
		t.Fatalf("user %s: %v", username, err)
	}
	return u.Principal()
}

// board returns every ticket the principal sees at now.
func board(t *testing.T, st *store.Store, p store.Principal, now time.Time) store.BoardPage {
	t.Helper()
	page, err := st.Board(t.Context(), p, store.BoardFilter{States: store.AllStates, PageSize: 1000}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Tickets) != page.Total {
		t.Fatalf("board lists %d of %d tickets", len(page.Tickets), page.Total)
	}
	return page
}

// checkStates reports a clinic whose tickets do not show exactly the wanted states at now.
func checkStates(t *testing.T, clinic string, tickets []store.Ticket, now time.Time, want map[wanted]int) {
	t.Helper()
	got := map[wanted]int{}
	for _, tk := range tickets {
		s, u := tk.State(now)
		got[wanted{s, u}]++
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s at %s: states %v, want %v", clinic, fpa.FormatDateTime(now), got, want)
	}
}

func TestSeed_EveryClinicBoardShowsEveryState(t *testing.T) {
	now := time.Now()
	st := seeded(t, now)
	year := now.In(fpa.Santiago).Year()
	first, last := strings.Join(append(append([]string{}, FemaleNames...), MaleNames...), "|"), "|"+strings.Join(Surnames, "|")+"|"

	for _, name := range []string{ClinicNames[0], ClinicNames[2]} { // Iquique, Valparaíso
		code := fpa.DefaultClinicCode(name)
		clinico := "clinico_" + strings.ToLower(code)
		// The clinic's viewer sees its board; the tickets were made by its clinical user.
		page := board(t, st, principal(t, st, "visor_"+strings.ToLower(code)), now)
		if page.Total != planSize() {
			t.Fatalf("%s: %d tickets, want %d", code, page.Total, planSize())
		}
		// The plan itself, unless now is one of the rare instants without a crítico FPA.
		checkStates(t, code, page.Tickets, now, expectedCounts(testClinicData(t, code, now), now))
		// The board's SQL derives the same states as Ticket.State.
		if page.Counts[store.StateProgramado] != 2 || page.Counts[store.StateVigente] != 8 || page.Counts[store.StateVencido] != 3 {
			t.Errorf("%s: board counts %v", code, page.Counts)
		}

		var seqs []int
		ruts := map[string]bool{}
		noEpisode, noDoctor := 0, 0
		viewer := principal(t, st, "visor_"+strings.ToLower(code))
		for _, row := range page.Tickets {
			// The board reads only what it shows: the whole ticket for the rest.
			tk, err := st.Ticket(context.Background(), viewer, row.ID)
			if err != nil {
				t.Fatal(err)
			}
			prefix := fmt.Sprintf("TH-%s-%d-", code, year)
			n, err := strconv.Atoi(strings.TrimPrefix(tk.Code, prefix))
			if !strings.HasPrefix(tk.Code, prefix) || err != nil || len(tk.Code)-len(prefix) < 3 {
				t.Errorf("code %s, want %sNNN", tk.Code, prefix)
			}
			seqs = append(seqs, n)
			r, err := rut.Parse(tk.RUT)
			if err != nil || r.Canonical() != tk.RUT || r.Body() < minRUTBody || r.Body() > maxRUTBody {
				t.Errorf("%s: RUT %s (%v)", tk.Code, tk.RUT, err)
			}
			if ruts[tk.RUT] {
				t.Errorf("%s: RUT %s repeated", tk.Code, tk.RUT)
			}
			ruts[tk.RUT] = true
			if tk.CreatedByName != clinico || tk.ClinicID != page.Tickets[0].ClinicID {
				t.Errorf("%s: created by %s in clinic %d", tk.Code, tk.CreatedByName, tk.ClinicID)
			}
			if !strings.Contains("|"+first+"|", "|"+tk.FirstNames+"|") || !strings.Contains(last, "|"+tk.LastNameFather+"|") ||
				!strings.Contains(last, "|"+tk.LastNameMother+"|") {
				t.Errorf("%s: patient %s %s %s", tk.Code, tk.FirstNames, tk.LastNameFather, tk.LastNameMother)
			}
			if female := slices.Contains(FemaleNames, tk.FirstNames); (tk.Sex == "F") != female || (tk.Sex != "F" && tk.Sex != "M") {
				t.Errorf("%s: %s has sex %q", tk.Code, tk.FirstNames, tk.Sex)
			}
			if !tk.Age.Valid || tk.Age.Int16 < 18 || tk.Age.Int16 > 90 {
				t.Errorf("%s: age %v", tk.Code, tk.Age)
			}
			if tk.Room == "" || tk.Bed == "" || tk.Location == "" {
				t.Errorf("%s: room %q bed %q location %q", tk.Code, tk.Room, tk.Bed, tk.Location)
			}
			if tk.EpisodeID == "" {
				noEpisode++
			} else if !strings.HasPrefix(tk.EpisodeID, fmt.Sprintf("EP-%d-", year)) || len(tk.EpisodeID) != len("EP-2026-004512") {
				t.Errorf("%s: episode %q", tk.Code, tk.EpisodeID)
			}
			if tk.DoctorName == "" {
				noDoctor++
			}
			if err := fpa.ValidatePavilionEnd(tk.PavilionEnd, now); err != nil {
				t.Errorf("%s: pavilion end %s: %v", tk.Code, fpa.FormatDateTime(tk.PavilionEnd), err)
			}
		}
		slices.Sort(seqs)
		for i, n := range seqs {
			if n != i+1 {
				t.Fatalf("%s: ticket numbers %v, want 1..%d without gaps", code, seqs, len(seqs))
			}
		}
		if noEpisode != 2 {
			t.Errorf("%s: %d tickets without episode id, want 2", code, noEpisode)
		}
		if noDoctor > len(page.Tickets)/3 {
			t.Errorf("%s: %d of %d tickets without a doctor", code, noDoctor, len(page.Tickets))
		}
		only, err := st.Board(t.Context(), principal(t, st, clinico), store.BoardFilter{States: store.AllStates, NoEpisode: true}, now)
		if err != nil || only.Total != 2 {
			t.Errorf("%s: Sin ID Ep. filter: %d tickets (%v), want 2", code, only.Total, err)
		}
	}

	if err := Seed(t.Context(), st, true, now); err == nil {
		t.Error("a second Seed into a seeded database succeeded")
	}
	if err := Seed(t.Context(), st, false, now); !errors.Is(err, ErrProduction) {
		t.Errorf("Seed outside local: %v, want ErrProduction", err)
	}
}

// On the days Chile changes its clocks, blocks last one hour more or less and a pavilion end
// plus a norm lands an hour away on the wall clock; the search must still find every state.
func TestSeed_DSTDays(t *testing.T) {
	for _, tc := range []struct {
		now  time.Time
		full bool // every wanted state can exist at now
	}{
		// 23:00–24:00 happens twice tonight, so the 22:00–24:00 block lasts three hours and
		// from 22:00 to the first 23:00 no block starts within two hours: crítico cannot
		// exist (RULES §6), and those tickets become advertencia.
		{time.Date(2026, 4, 4, 22, 30, 0, 0, fpa.Santiago), false},
		// 00:00–01:00 is skipped tonight: the 22:00–24:00 block ends at 01:00 and the next
		// starts then.
		{time.Date(2026, 9, 5, 23, 30, 0, 0, fpa.Santiago), true},
	} {
		now := tc.now
		t.Run(now.Format("2006-01-02T15:04"), func(t *testing.T) {
			st := seeded(t, now)
			page := board(t, st, principal(t, st, SuperuserName), now)
			byClinic := map[string][]store.Ticket{}
			for _, tk := range page.Tickets {
				byClinic[tk.ClinicName] = append(byClinic[tk.ClinicName], tk)
			}
			if len(byClinic) != len(ClinicNames) {
				t.Fatalf("tickets in %d clinics, want %d", len(byClinic), len(ClinicNames))
			}
			want := expectedCounts(testClinicData(t, "IQUI", now), now)
			if full := reflect.DeepEqual(want, wantCounts()); full != tc.full {
				t.Fatalf("every state possible = %v, want %v (%v)", full, tc.full, want)
			}
			for name, tickets := range byClinic {
				checkStates(t, name, tickets, now, want)
			}
		})
	}
}

// testClinicData is a clinic as the demo seeds it, without a database.
func testClinicData(t *testing.T, code string, now time.Time) clinicData {
	t.Helper()
	c := clinicData{Code: code, Year: now.In(fpa.Santiago).Year(), Blocks: fpa.DefaultBlocks(), Thresholds: fpa.DefaultThresholds()}
	id := int64(0)
	for _, sp := range specialties {
		for _, s := range sp.surgeries {
			h, err := strconv.ParseFloat(s.hours, 64)
			if err != nil {
				t.Fatal(err)
			}
			id++
			c.Surgeries = append(c.Surgeries, demoSurgery{ID: id, Name: s.name, Specialty: sp.name,
				Rule: fpa.Surgery{BaseStayHours: h, Ambulatory: s.ambulatory, CutoffHour: s.cutoff}})
		}
	}
	for i, d := range doctors {
		c.Doctors = append(c.Doctors, demoDoctor{ID: int64(100 + i), Specialty: specialties[d.specialty].name})
	}
	return c
}

// The plan is the same for the same clinic and now, and differs between clinics.
func TestPlanTickets_Deterministic(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 17, 42, 0, fpa.Santiago)
	a, err := planTickets(testClinicData(t, "IQUI", now), now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := planTickets(testClinicData(t, "IQUI", now), now)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two plans for the same clinic and now differ")
	}
	c, err := planTickets(testClinicData(t, "VALP", now), now)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("two clinics got the same plan")
	}
	for _, pt := range a {
		if pt.Ticket.PavilionEnd.Second() != 0 || pt.Ticket.PavilionEnd.Nanosecond() != 0 {
			t.Errorf("pavilion end %v is not on a minute", pt.Ticket.PavilionEnd)
		}
	}
}

// expectedCounts is the plan at now with every wanted state that cannot exist then replaced
// by its fallback. Whether a Vigente urgency can exist is found here independently of
// clinicData.possible: by walking time from 4 h before now to 76 h after it in 10-minute steps
// (every block lasts at least an hour, even across DST) and deriving at the start of every
// active block met.
func expectedCounts(c clinicData, now time.Time) map[wanted]int {
	var slots []fpa.Slot
	for at := now.Add(-4 * time.Hour); at.Before(now.Add(76 * time.Hour)); at = at.Add(10 * time.Minute) {
		if s, ok := fpa.NextActiveBlock(c.Blocks, at); ok {
			slots = append(slots, s)
		}
	}
	exists := func(w wanted) bool {
		if w.State != fpa.Vigente {
			return true
		}
		for _, s := range slots {
			if st, u := fpa.Derive(fpa.StoredVigente, now, s.Start, s.Len(), now, c.Thresholds); (wanted{st, u}) == w {
				return true
			}
		}
		return false
	}
	out := map[wanted]int{}
	for w, n := range wantCounts() {
		for !exists(w) {
			next, ok := fallback[w]
			if !ok {
				panic("no fallback for " + w.String())
			}
			w = next
		}
		out[w] += n
	}
	return out
}

var critico = wanted{fpa.Vigente, fpa.UrgencyCritico}

// The search finds every state that can exist at now, around both DST changes, at block
// boundaries and with other thresholds than the defaults, without a database.
func TestPlanTickets_EveryStateAtAnyTime(t *testing.T) {
	utc := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, time.UTC) }
	cases := []struct {
		now     time.Time
		critico bool // whether a crítico ticket can exist then (default thresholds)
	}{
		{time.Date(2026, 4, 4, 22, 30, 0, 0, fpa.Santiago), false}, // the 22:00–24:00 block lasts 3 h tonight
		{utc(2026, 4, 5, 2, 30), true},                             // 23:30, first time (-03)
		{utc(2026, 4, 5, 3, 30), true},                             // 23:30, second time (-04)
		{time.Date(2026, 4, 5, 0, 30, 0, 0, fpa.Santiago), true},
		{time.Date(2026, 9, 5, 23, 30, 0, 0, fpa.Santiago), true},   // the next block starts at 01:00
		{time.Date(2026, 9, 6, 1, 30, 0, 0, fpa.Santiago), true},    // inside the 1-hour 00:00–02:00 block
		{time.Date(2026, 11, 20, 14, 0, 0, 0, fpa.Santiago), false}, // exactly at a block start
		{time.Date(2026, 11, 20, 14, 0, 0, 1, fpa.Santiago), true},
		{time.Date(2026, 12, 31, 23, 59, 0, 0, fpa.Santiago), true},
	}
	for _, day := range []time.Time{utc(2026, 4, 4, 18, 0), utc(2026, 9, 5, 18, 0)} {
		for m := 0; m < 16*60; m += 37 { // the 16 hours around each change, every 37 minutes
			cases = append(cases, struct {
				now     time.Time
				critico bool
			}{day.Add(time.Duration(m) * time.Minute), true})
		}
	}
	for i, tc := range cases {
		now := tc.now
		c := testClinicData(t, fpa.DefaultClinicCode(ClinicNames[i%len(ClinicNames)]), now)
		want := expectedCounts(c, now)
		if i < 9 && (want[critico] > 0) != tc.critico {
			t.Errorf("%s: crítico possible = %v, want %v", fpa.FormatDateTime(now), want[critico] > 0, tc.critico)
		}
		if i%4 == 3 {
			c.Thresholds = fpa.Thresholds{CriticalHours: 6, WarningHours: 48}
			want = expectedCounts(c, now)
		}
		plan, err := planTickets(c, now)
		if err != nil {
			t.Fatalf("%s: %v", fpa.FormatDateTime(now), err)
		}
		got := map[wanted]int{}
		for _, pt := range plan {
			var sg demoSurgery
			for _, s := range c.Surgeries {
				if s.ID == pt.Ticket.SurgeryID {
					sg = s
				}
			}
			w, ok := c.derive(sg, pt.Ticket.PavilionEnd, now)
			if !ok || w != createdAs(pt.Want) {
				t.Fatalf("%s: planned %s, derives to %s", fpa.FormatDateTime(now), createdAs(pt.Want), w)
			}
			got[pt.Want]++
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s (%v): states %v, want %v", fpa.FormatDateTime(now), c.Thresholds, got, want)
		}
	}
}
