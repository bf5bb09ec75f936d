package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/store"
)

// reasonID returns a reason of the category in the test clinic, created on first use.
func reasonID(t *testing.T, st *store.Store, c testClinic, category string) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := st.WithTenant(ctx, c.Admin, func(tx *store.Tx) error {
		var err error
		id, err = tx.CreateReason(ctx, c.ID, category, "Motivo "+category+" "+time.Now().Format("150405.000000000"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func freshTicket(t *testing.T, st *store.Store, c testClinic, body int, now time.Time) store.Ticket {
	t.Helper()
	tk, err := st.CreateTicket(context.Background(), c.Admin, c.ID, store.NewTicket{
		Patient: patient(body), SurgeryID: c.SurgeryID, PavilionEnd: now.Add(-2 * time.Hour), BlockStart: -1,
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestModifyFPA_TwentyConcurrentRequestsApplyExactlyFive(t *testing.T) {
	ctx := context.Background()
	st, url := seededStore(t)
	c := newTestClinic(t, st)
	now := time.Now()
	tk := freshTicket(t, st, c, 21_000_001, now)
	reason := reasonID(t, st, c, "modification")
	start := fpa.DateOf(tk.FPA)
	var ok, limit atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each request asks for a different day, so no two ask for the same FPA.
			in := store.ModifyInput{Date: start.AddDays(i + 1), BlockStart: 10 * 60, ReasonID: reason, Justification: "Evolución lenta"}
			for attempt := 0; attempt < 50; attempt++ {
				cur, err := st.Ticket(ctx, c.Admin, tk.ID)
				if err != nil {
					t.Error(err)
					return
				}
				_, err = st.ModifyFPA(ctx, c.Admin, store.Change{TicketID: tk.ID, Version: cur.Version}, in, now)
				var stale *store.StaleError
				switch {
				case err == nil:
					ok.Add(1)
					return
				case errors.Is(err, store.ErrLimitReached):
					limit.Add(1)
					return
				case errors.As(err, &stale):
					continue // retry on the current version
				default:
					t.Error(err)
					return
				}
			}
			t.Error("no answer after 50 retries")
		}()
	}
	wg.Wait()
	if ok.Load() != 5 || limit.Load() != 15 {
		t.Fatalf("applied %d, limit %d; want 5 and 15", ok.Load(), limit.Load())
	}
	final, err := st.Ticket(ctx, c.Admin, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if final.ModificationCount != 5 {
		t.Fatalf("modification_count = %d", final.ModificationCount)
	}
	mods, err := st.Modifications(ctx, c.Admin, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) != 5 {
		t.Fatalf("history rows = %d", len(mods))
	}
	for i, m := range mods {
		if m.Seq != 5-i {
			t.Fatalf("history sequence %v", mods)
		}
	}
	if !mods[0].NewFPA.Equal(final.FPA) {
		t.Fatal("the newest history row is not the current FPA")
	}
	raw := openRaw(t, url)
	var audits int
	if err := raw.QueryRow(`SELECT count(*) FROM (SELECT set_config('app.all_clinics','on',false)) s, action_audit WHERE action = 'modify_fpa' AND entity_id = $1`, tk.ID).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if audits != 5 {
		t.Fatalf("audit rows = %d, want 5", audits)
	}
	// The database refuses a sixth even if the application were bypassed.
	if _, err := raw.Exec(`SELECT set_config('app.all_clinics','on',false)`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE tickets SET modification_count = 6 WHERE id = $1`, tk.ID); err == nil {
		t.Fatal("modification_count = 6 passed the CHECK")
	}
}

func TestModifyFPA_SameVersionTwiceOneAppliesOneStale(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	now := time.Now()
	tk := freshTicket(t, st, c, 21_000_010, now)
	reason := reasonID(t, st, c, "modification")
	d := fpa.DateOf(tk.FPA).AddDays(1)
	first, err := st.ModifyFPA(ctx, c.Admin, store.Change{TicketID: tk.ID, Version: tk.Version}, store.ModifyInput{Date: d, BlockStart: 600, ReasonID: reason, Justification: "a"}, now)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.ModifyFPA(ctx, c.Admin, store.Change{TicketID: tk.ID, Version: tk.Version}, store.ModifyInput{Date: d.AddDays(1), BlockStart: 600, ReasonID: reason, Justification: "b"}, now)
	var stale *store.StaleError
	if !errors.As(err, &stale) || stale.Current.Version != first.Version || !stale.Current.FPA.Equal(first.FPA) {
		t.Fatalf("second submit: %v, want StaleError with the current ticket", err)
	}
	mods, _ := st.Modifications(ctx, c.Admin, tk.ID)
	if len(mods) != 1 {
		t.Fatalf("history rows = %d, want 1", len(mods))
	}
}

func TestModifyFPA_RepeatedFormKeyIsANoOp(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	now := time.Now()
	tk := freshTicket(t, st, c, 21_000_020, now)
	reason := reasonID(t, st, c, "modification")
	ch := store.Change{TicketID: tk.ID, Version: tk.Version, Key: "k-0123456789abcdef"}
	in := store.ModifyInput{Date: fpa.DateOf(tk.FPA).AddDays(-1).AddDays(2), BlockStart: 600, ReasonID: reason, Justification: "x"}
	first, err := st.ModifyFPA(ctx, c.Admin, ch, in, now)
	if err != nil {
		t.Fatal(err)
	}
	again, err := st.ModifyFPA(ctx, c.Admin, ch, in, now)
	if !errors.Is(err, store.ErrAlreadySubmitted) || again.Version != first.Version || again.ModificationCount != 1 {
		t.Fatalf("retry: %v, count %d", err, again.ModificationCount)
	}
}

func TestModifyFPA_RulesRefused(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	now := time.Now()
	tk := freshTicket(t, st, c, 21_000_030, now)
	reason := reasonID(t, st, c, "modification")
	annulReason := reasonID(t, st, c, "annulment")
	ch := store.Change{TicketID: tk.ID, Version: tk.Version}
	same := store.ModifyInput{Date: fpa.DateOf(tk.FPA), BlockStart: tk.BlockStart, ReasonID: reason, Justification: "x"}
	if _, err := st.ModifyFPA(ctx, c.Admin, ch, same, now); !errors.Is(err, store.ErrSameFPA) {
		t.Fatalf("same FPA: %v", err)
	}
	wrongReason := same
	wrongReason.Date = same.Date.AddDays(1)
	wrongReason.ReasonID = annulReason
	if _, err := st.ModifyFPA(ctx, c.Admin, ch, wrongReason, now); !errors.Is(err, store.ErrReasonUnavailable) {
		t.Fatalf("annulment reason: %v", err)
	}
	beforeP := same
	beforeP.Date = fpa.DateOf(tk.PavilionEnd).AddDays(-1)
	var ie *fpa.InputError
	if _, err := st.ModifyFPA(ctx, c.Admin, ch, beforeP, now); !errors.As(err, &ie) {
		t.Fatalf("block before P: %v", err)
	}
	other := newTestClinic(t, st)
	if _, err := st.ModifyFPA(ctx, other.Admin, ch, wrongReason, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other clinic: %v", err)
	}
	// Earlier is allowed (RULES §4 Δ) and recorded as such.
	earlier := same
	earlier.BlockStart = tk.BlockStart - 120
	if earlier.BlockStart < 0 || fpa.DateOf(tk.PavilionEnd) != earlier.Date {
		earlier.Date, earlier.BlockStart = fpa.DateOf(tk.FPA), tk.BlockStart
		earlier.Date = earlier.Date.AddDays(2)
	}
	got, err := st.ModifyFPA(ctx, c.Admin, ch, earlier, now)
	if err != nil {
		t.Fatal(err)
	}
	mods, _ := st.Modifications(ctx, c.Admin, tk.ID)
	wantDir := "later"
	if got.FPA.Before(tk.FPA) {
		wantDir = "earlier"
	}
	if len(mods) != 1 || mods[0].Direction != wantDir || mods[0].ExtraNights != fpa.Nights(tk.FPA, got.FPA) {
		t.Fatalf("history %+v", mods)
	}
}

func TestAnnul_ClinicalOnlyOwnAndRevert(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	now := time.Now()
	reason := reasonID(t, st, c, "annulment")
	var nurseA, nurseB store.Principal
	err := st.WithTenant(ctx, c.Admin, func(tx *store.Tx) error {
		a, err := tx.CreateUser(ctx, store.NewUser{ClinicID: c.ID, Username: "enf_a_" + lower(c.Code), Role: store.RoleClinical})
		if err != nil {
			return err
		}
		b, err := tx.CreateUser(ctx, store.NewUser{ClinicID: c.ID, Username: "enf_b_" + lower(c.Code), Role: store.RoleClinical})
		nurseA.UserID, nurseB.UserID = a, b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	nurseA, nurseB = principalByID(t, st, nurseA.UserID), principalByID(t, st, nurseB.UserID)
	tk, err := st.CreateTicket(ctx, nurseA, c.ID, store.NewTicket{Patient: patient(21_000_040), SurgeryID: c.SurgeryID, PavilionEnd: now.Add(-time.Hour), BlockStart: -1}, now)
	if err != nil {
		t.Fatal(err)
	}
	ch := store.Change{TicketID: tk.ID, Version: tk.Version}
	if _, err := st.AnnulTicket(ctx, nurseB, ch, reason, "", now); !errors.Is(err, store.ErrForbidden) {
		t.Fatalf("another nurse annuls: %v", err)
	}
	annulled, err := st.AnnulTicket(ctx, nurseA, ch, reason, "Error de digitación", now)
	if err != nil {
		t.Fatal(err)
	}
	if annulled.Status != "anulado" || annulled.AnnulReason == "" || annulled.AnnulledByName == "" || annulled.AnnulNote != "Error de digitación" {
		t.Fatalf("annulled ticket: %+v", annulled)
	}
	if _, err := st.RecordDischarge(ctx, c.Admin, store.Change{TicketID: tk.ID, Version: annulled.Version}, now, now); !errors.Is(err, store.ErrNotActive) {
		t.Fatalf("discharge of an annulled ticket: %v", err)
	}
	reverted, err := st.RevertAnnulment(ctx, c.Admin, store.Change{TicketID: tk.ID, Version: annulled.Version}, "Anulado por error", now)
	if err != nil {
		t.Fatal(err)
	}
	if reverted.Status != "vigente" || reverted.AnnulledAt.Valid {
		t.Fatalf("reverted: %+v", reverted)
	}
}

func TestDischarge_BoundsAndUndoWindow(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	now := time.Now()
	tk := freshTicket(t, st, c, 21_000_050, now)
	ch := store.Change{TicketID: tk.ID, Version: tk.Version}
	if _, err := st.RecordDischarge(ctx, c.Admin, ch, tk.PavilionEnd, now); !errors.Is(err, store.ErrDischargeBeforeP) {
		t.Fatalf("D = P: %v", err)
	}
	if _, err := st.RecordDischarge(ctx, c.Admin, ch, now.Add(time.Minute), now); !errors.Is(err, store.ErrDischargeInFuture) {
		t.Fatalf("D in the future: %v", err)
	}
	d := now.Add(-30 * time.Minute)
	done, err := st.RecordDischarge(ctx, c.Admin, ch, d, now)
	if err != nil {
		t.Fatal(err)
	}
	if diff := done.DischargedAt.Time.Sub(d); done.Status != "alta" || diff > time.Microsecond || diff < -time.Microsecond {
		t.Fatalf("discharged: %+v", done)
	}
	later := now.Add(24*time.Hour + time.Minute)
	if _, err := st.UndoDischarge(ctx, c.Admin, store.Change{TicketID: tk.ID, Version: done.Version}, later); !errors.Is(err, store.ErrUndoExpired) {
		t.Fatalf("undo after 24 h: %v", err)
	}
	undone, err := st.UndoDischarge(ctx, c.Admin, store.Change{TicketID: tk.ID, Version: done.Version}, now.Add(23*time.Hour))
	if err != nil || undone.Status != "vigente" || undone.DischargedAt.Valid {
		t.Fatalf("undo within 24 h: %v %+v", err, undone)
	}
}

func TestUpdateLocation_LockedAfterAnnulOrDischarge(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	now := time.Now()
	tk := freshTicket(t, st, c, 21_000_060, now)
	upd, err := st.UpdateLocation(ctx, c.Admin, store.Change{TicketID: tk.ID, Version: tk.Version}, store.LocationInput{Room: "401", Bed: "B", Location: "Piso 4", EpisodeID: "EP-9"}, now)
	if err != nil || upd.Bed != "B" || upd.EpisodeID != "EP-9" {
		t.Fatalf("edit: %v %+v", err, upd)
	}
	done, err := st.RecordDischarge(ctx, c.Admin, store.Change{TicketID: tk.ID, Version: upd.Version}, now.Add(-time.Minute), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateLocation(ctx, c.Admin, store.Change{TicketID: tk.ID, Version: done.Version}, store.LocationInput{Room: "401", Bed: "C", Location: "Piso 4", EpisodeID: "EP-9"}, now); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("bed after discharge: %v", err)
	}
	ep, err := st.UpdateLocation(ctx, c.Admin, store.Change{TicketID: tk.ID, Version: done.Version}, store.LocationInput{Room: "401", Bed: "B", Location: "Piso 4", EpisodeID: "EP-10"}, now)
	if err != nil || ep.EpisodeID != "EP-10" {
		t.Fatalf("episode after discharge: %v", err)
	}
}
