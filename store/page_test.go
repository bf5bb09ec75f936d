package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/internal/testapp"
	"github.com/redsalud/ticket-home/store"
)

// TestBoardState_AgreesWithDeriveAtTheBoundaries puts one ticket on the board at every
// instant where its state changes (a microsecond before, at, after: PostgreSQL keeps
// microseconds) and checks that the board files it under the state fpa.Derive gives: from
// the clinic's active tickets in memory (the unfiltered board) and from the board's SQL (a
// filter that keeps every ticket).
func TestBoardState_AgreesWithDeriveAtTheBoundaries(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	now := time.Now().Truncate(time.Microsecond)
	tk := freshTicket(t, st, c, 21_000_090, now)
	var instants []time.Time
	for _, at := range []time.Time{tk.PavilionEnd, tk.FPA, tk.FPAEnd} {
		instants = append(instants, at.Add(-time.Microsecond), at, at.Add(time.Microsecond))
	}
	for _, at := range instants {
		want, _ := tk.State(at)
		for _, state := range store.ActiveStates {
			for _, f := range []store.BoardFilter{{States: []string{state}}, {States: []string{state}, From: now.AddDate(-1, 0, 0)}} {
				page, err := st.Board(ctx, c.Admin, f, at)
				if err != nil {
					t.Fatal(err)
				}
				shown := len(page.Tickets) == 1 && page.Tickets[0].ID == tk.ID
				if shown != (want.Key() == state) || page.Counts[state] != len(page.Tickets) {
					t.Errorf("at %s (SQL %v): under %q shown=%v (count %d); Derive says %q",
						at.Format(time.RFC3339Nano), !f.From.IsZero(), state, shown, page.Counts[state], want.Key())
				}
			}
		}
	}
}

// TestBoardCounts_HistoryCountersStayExact runs a ticket through every status change and
// compares, after each, the unfiltered board's history chips (per-clinic counters) with
// the same chips counted from the tickets (a filter that keeps every ticket).
func TestBoardCounts_HistoryCountersStayExact(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	now := time.Now()
	check := func(step string, anulados, deAlta int) {
		t.Helper()
		fast, err := st.Board(ctx, c.Admin, store.BoardFilter{}, now)
		if err != nil {
			t.Fatal(err)
		}
		counted, err := st.Board(ctx, c.Admin, store.BoardFilter{From: now.AddDate(-10, 0, 0)}, now)
		if err != nil {
			t.Fatal(err)
		}
		for state, want := range map[string]int{store.StateAnulado: anulados, store.StateDeAlta: deAlta} {
			if fast.Counts[state] != want || counted.Counts[state] != want {
				t.Fatalf("after %s: %s chip %d (counters), %d (counted), want %d", step, state, fast.Counts[state], counted.Counts[state], want)
			}
		}
		// The board from memory is the board from SQL: same tickets, same order (in each of
		// the board's orders), same counts.
		for _, sort := range []string{store.SortUrgency, store.SortFPA, store.SortCreated} {
			fast, err := st.Board(ctx, c.Admin, store.BoardFilter{Sort: sort}, now)
			if err != nil {
				t.Fatal(err)
			}
			counted, err := st.Board(ctx, c.Admin, store.BoardFilter{From: now.AddDate(-10, 0, 0), Sort: sort}, now)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(fast.Counts) != fmt.Sprint(counted.Counts) || len(fast.Tickets) != len(counted.Tickets) {
				t.Fatalf("after %s: counts %v (memory) and %v (SQL), %d and %d tickets", step, fast.Counts, counted.Counts, len(fast.Tickets), len(counted.Tickets))
			}
			for i := range fast.Tickets {
				a, b := fast.Tickets[i], counted.Tickets[i]
				if a.ID != b.ID || !a.FPA.Equal(b.FPA) || a.Bed != b.Bed || a.FirstNames != b.FirstNames {
					t.Fatalf("after %s, order %q: row %d is %s (memory) and %s (SQL)", step, sort, i, a.Code, b.Code)
				}
			}
		}
	}
	check("nothing", 0, 0)
	a := freshTicket(t, st, c, 21_000_091, now)
	b := freshTicket(t, st, c, 21_000_092, now)
	check("two creations", 0, 0)
	// What the board shows changes with any write: the memory follows.
	if _, err := st.UpdateLocation(ctx, c.Admin, store.Change{TicketID: b.ID, Version: b.Version}, store.LocationInput{Bed: "7C"}, now); err != nil {
		t.Fatal(err)
	}
	b, _ = st.Ticket(ctx, c.Admin, b.ID)
	if page, _ := st.Board(ctx, c.Admin, store.BoardFilter{}, now); len(page.Tickets) != 2 || (page.Tickets[0].Bed != "7C" && page.Tickets[1].Bed != "7C") {
		t.Fatal("the board from memory still shows the old bed")
	}
	check("a bed changed", 0, 0)
	// The ward filter, and its choices.
	if _, err := st.UpdateLocation(ctx, c.Admin, store.Change{TicketID: b.ID, Version: b.Version}, store.LocationInput{Bed: "7C", Location: "Piso 3 Oriente"}, now); err != nil {
		t.Fatal(err)
	}
	b, _ = st.Ticket(ctx, c.Admin, b.ID)
	if page, err := st.Board(ctx, c.Admin, store.BoardFilter{Ward: "Piso 3 Oriente", Options: true}, now); err != nil || len(page.Tickets) != 1 || page.Tickets[0].ID != b.ID || fmt.Sprint(page.Wards) != "[Piso 3 Oriente]" {
		t.Fatalf("ward filter: %v (%v)", page, err)
	}
	check("a ward set", 0, 0)
	reason := reasonID(t, st, c, "annulment")
	a, err := st.AnnulTicket(ctx, c.Admin, store.Change{TicketID: a.ID, Version: a.Version}, reason, "", now)
	if err != nil {
		t.Fatal(err)
	}
	check("an annulment", 1, 0)
	b, err = st.RecordDischarge(ctx, c.Admin, store.Change{TicketID: b.ID, Version: b.Version}, now.Add(-time.Minute), now)
	if err != nil {
		t.Fatal(err)
	}
	check("a discharge", 1, 1)
	if _, err := st.RevertAnnulment(ctx, c.Admin, store.Change{TicketID: a.ID, Version: a.Version}, "Error", now); err != nil {
		t.Fatal(err)
	}
	check("the annulment reverted", 0, 1)
	if _, err := st.UndoDischarge(ctx, c.Admin, store.Change{TicketID: b.ID, Version: b.Version}, now); err != nil {
		t.Fatal(err)
	}
	check("the discharge undone", 0, 0)
}

// TestClinicCatalog_EveryInstanceSeesAnAdminsChange: two instances (two stores) read a
// clinic's catalog once and then from their caches; a change to the master data made
// anywhere (here underneath, as the database superuser) reaches both at their next request.
func TestClinicCatalog_EveryInstanceSeesAnAdminsChange(t *testing.T) {
	ctx := context.Background()
	one, url := seededStore(t)
	two, err := store.Open(ctx, url, store.Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { two.Close() })
	c := newTestClinic(t, one)
	pavilion := time.Date(2026, 11, 30, 9, 0, 0, 0, fpa.Santiago)
	fpaOf := func(st *store.Store) (*store.ClinicCatalog, time.Time) {
		t.Helper()
		f, err := st.TicketForm(ctx, c.Admin, c.ID, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := f.Catalog.ComputeFPA(c.SurgeryID, pavilion)
		if err != nil {
			t.Fatal(err)
		}
		return f.Catalog, res.Proposed.Start
	}
	var before time.Time
	for _, st := range []*store.Store{one, two} {
		first, at := fpaOf(st)
		again, _ := fpaOf(st)
		if first != again {
			t.Fatal("the catalog was read again without any change")
		}
		before = at
	}
	exec := func(query string, args ...any) {
		t.Helper()
		if _, err := testapp.AdminDB(t).ExecContext(ctx, query, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE surgeries SET base_stay_hours = 48 WHERE clinic_id = $1 AND id = $2`, c.ID, c.SurgeryID)
	for i, st := range []*store.Store{one, two} {
		// 24 h more of stay: the same block a day later (no DST change in these days).
		if _, after := fpaOf(st); !after.Equal(before.Add(24 * time.Hour)) {
			t.Fatalf("instance %d: FPA after the norm went from 24 h to 48 h = %s, was %s", i+1, after, before)
		}
	}
	// Thresholds are master data too.
	exec(`UPDATE clinics SET critical_hours = 3, warning_hours = 9 WHERE id = $1`, c.ID)
	cat, _ := fpaOf(two)
	if got := fmt.Sprint(cat.Clinic.CriticalHours, cat.Clinic.WarningHours); got != "3 9" {
		t.Fatalf("thresholds after the change: %s", got)
	}
}

// The limits are defined once in Go (fpa.MaxModifications, store.MaxName…); the schema's
// CHECKs guard the same numbers underneath.
func TestLimits_SchemaAgreesWithTheRules(t *testing.T) {
	want := map[string]string{
		"tickets_modification_count_check":      fmt.Sprintf("(modification_count <= %d)", fpa.MaxModifications),
		"fpa_modifications_seq_check":           fmt.Sprintf("(seq <= %d)", fpa.MaxModifications),
		"patients_first_names_check":            fmt.Sprintf("<= %d)", store.MaxName),
		"patients_last_name_father_check":       fmt.Sprintf("<= %d)", store.MaxName),
		"patients_last_name_mother_check":       fmt.Sprintf("<= %d)", store.MaxName),
		"tickets_room_check":                    fmt.Sprintf("<= %d)", store.MaxLocationText),
		"tickets_bed_check":                     fmt.Sprintf("<= %d)", store.MaxLocationText),
		"tickets_location_check":                fmt.Sprintf("<= %d)", store.MaxLocationText),
		"tickets_episode_id_check":              fmt.Sprintf("<= %d)", store.MaxLocationText),
		"tickets_annul_note_check":              fmt.Sprintf("<= %d)", store.MaxNote),
		"fpa_modifications_justification_check": fmt.Sprintf("<= %d)", store.MaxNote),
	}
	for name, clause := range want {
		var def string
		if err := testapp.AdminDB(t).QueryRow(`SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = $1`, name).Scan(&def); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(def, clause) {
			t.Errorf("%s is %s, want it to contain %s", name, def, clause)
		}
	}
}

// TestBoard_FromMemoryFollowsMasterData: the board's rows carry the clinic's
// thresholds and the doctors' names, which are master data: a change to them reaches the
// board kept in memory at the next request.
func TestBoard_FromMemoryFollowsMasterData(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	now := time.Now()
	freshTicket(t, st, c, 21_000_095, now)
	first, err := st.Board(ctx, c.Admin, store.BoardFilter{}, now)
	if err != nil || len(first.Tickets) != 1 {
		t.Fatalf("board: %v, %d tickets", err, len(first.Tickets))
	}
	if _, err := testapp.AdminDB(t).ExecContext(ctx, `UPDATE clinics SET critical_hours = 5, warning_hours = 30 WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	after, err := st.Board(ctx, c.Admin, store.BoardFilter{}, now)
	if err != nil || len(after.Tickets) != 1 || after.Tickets[0].CriticalHours != 5 || after.Tickets[0].WarningHours != 30 {
		t.Fatalf("board after the thresholds changed: %v %+v", err, after.Tickets)
	}
}
