package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/redsalud/ticket-home/internal/testapp"
	"github.com/redsalud/ticket-home/store"
)

// The last active block is kept by the database: of two transactions that deactivate a
// clinic's last two blocks at once, the second waits for the first and is refused.
func TestLastActiveBlock_TwoTransactionsAtOnceLeaveOne(t *testing.T) {
	st, url := seededStore(t)
	raw := openRaw(t, url)
	ctx := context.Background()
	admin := newTestClinic(t, st).Admin
	var blocks []int64
	scope := `SELECT set_config('app.all_clinics', 'on', true)`
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(scope); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(`SELECT id FROM discharge_blocks WHERE clinic_id = $1 ORDER BY id`, admin.ClinicID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, id)
	}
	if _, err := tx.Exec(`UPDATE discharge_blocks SET active = false WHERE clinic_id = $1 AND id > $2`, admin.ClinicID, blocks[1]); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	first, _ := raw.Begin()
	defer first.Rollback()
	first.Exec(scope)
	if _, err := first.Exec(`UPDATE discharge_blocks SET active = false WHERE id = $1`, blocks[0]); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		second, err := raw.Begin()
		if err == nil {
			second.Exec(scope)
			_, err = second.Exec(`UPDATE discharge_blocks SET active = false WHERE id = $1`, blocks[1])
			if err == nil {
				err = second.Commit()
			} else {
				second.Rollback()
			}
		}
		done <- err
	}()
	testapp.Eventually(t, 30*time.Second, "the second transaction to wait for the first", func() bool {
		var n int
		raw.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
		return n > 0
	})
	if err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	err = <-done
	var pe *pq.Error
	if !errors.As(err, &pe) || pe.Code != "TH002" {
		t.Fatalf("second deactivation: %v, want TH002", err)
	}
	// And through the store: the refusal has its error.
	if _, err := st.SetActive(ctx, admin, store.KindBlock, blocks[1], false); !errors.Is(err, store.ErrLastActiveBlock) {
		t.Fatalf("SetActive of the last block: %v", err)
	}
	cat, err := st.Catalog(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	active := 0
	for _, b := range cat.Blocks {
		if b.Active {
			active++
		}
	}
	if active != 1 {
		t.Fatalf("%d active blocks, want 1", active)
	}
}

// Two admins saving the same surgery from the same version: one edit applies, the other is a
// conflict (never a lost update).
func TestSaveSurgery_SameVersionTwiceOneAppliesOneConflict(t *testing.T) {
	st, _ := seededStore(t)
	ctx := context.Background()
	admin := principalFor(t, st, "admin_prov")
	cat, err := st.Catalog(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	g := cat.Surgeries[0]
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, hours := range []string{"10", "20"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = st.SaveSurgery(ctx, admin, store.RowEdit{ID: g.ID, Version: g.Version}, store.NewSurgery{
				SpecialtyID: g.SpecialtyID, Name: g.Name, BaseStayHours: hours})
		}()
	}
	wg.Wait()
	ok, conflicts := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, store.ErrConflict):
			conflicts++
		default:
			t.Fatal(err)
		}
	}
	if ok != 1 || conflicts != 1 {
		t.Fatalf("%d applied, %d conflicts; want 1 and 1", ok, conflicts)
	}
}

// A clinic keeps an active admin: of two transactions deactivating its two admins at once,
// the second waits for the first and is refused.
func TestLastAdmin_TwoTransactionsAtOnceLeaveOne(t *testing.T) {
	st, url := seededStore(t)
	raw := openRaw(t, url)
	ctx := context.Background()
	c := newTestClinic(t, st)
	admin := c.Admin
	su := principalFor(t, st, "superadmin")
	if _, err := st.SaveUser(ctx, su, store.RowEdit{}, store.UserInput{Username: "admin2_" + lower(c.Code), Role: store.RoleAdmin, ClinicID: c.ID}); err != nil {
		t.Fatal(err)
	}
	second := principalFor(t, st, "admin2_"+lower(c.Code))
	scope := `SELECT set_config('app.all_clinics', 'on', true)`
	first, _ := raw.Begin()
	defer first.Rollback()
	first.Exec(scope)
	if _, err := first.Exec(`UPDATE users SET active = false WHERE id = $1`, admin.UserID); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		tx, err := raw.Begin()
		if err == nil {
			tx.Exec(scope)
			_, err = tx.Exec(`UPDATE users SET role = 'clinical' WHERE id = $1`, second.UserID)
			if err == nil {
				err = tx.Commit()
			} else {
				tx.Rollback()
			}
		}
		done <- err
	}()
	testapp.Eventually(t, 30*time.Second, "the second transaction to wait for the first", func() bool {
		var n int
		raw.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
		return n > 0
	})
	if err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	var pe *pq.Error
	if err := <-done; !errors.As(err, &pe) || pe.Code != "TH003" {
		t.Fatalf("demoting the other admin: %v, want TH003", err)
	}
	if _, err := st.SetUserActive(ctx, su, second.UserID, false); !errors.Is(err, store.ErrLastAdmin) {
		t.Fatalf("SetUserActive of the last admin: %v", err)
	}
}

// SUPERUSER_EMAILS adds to the allow-list at start and never removes what was added in the
// application.
func TestEnsureAllowedSuperusers_AddsNeverRemoves(t *testing.T) {
	st, url := seededStore(t)
	raw := openRaw(t, url)
	ctx := context.Background()
	su := principalFor(t, st, "superadmin")
	if err := st.AllowSuperuser(ctx, su, "desde.la.app@redsalud.cl"); err != nil {
		t.Fatal(err)
	}
	for range 2 { // twice: a restart
		if err := st.EnsureAllowedSuperusers(ctx, []string{"Config@RedSalud.cl"}); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM superusers WHERE email IN ('config@redsalud.cl', 'desde.la.app@redsalud.cl')`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("allow-list has %d of the 2 e-mails (%v)", n, err)
	}
	if _, err := st.ReadClinicsPage(ctx, principalFor(t, st, "admin_prov")); !errors.Is(err, store.ErrForbidden) {
		t.Fatalf("an admin read the clinics page: %v", err)
	}
}
