package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/redsalud/ticket-home/db"
	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/internal/testapp"
	"github.com/redsalud/ticket-home/internal/testdb"
	"github.com/redsalud/ticket-home/store"
)

func seededStore(t *testing.T) (*store.Store, string) {
	t.Helper()
	url, _ := testapp.DB(t)
	st, err := store.Open(context.Background(), url, store.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, url
}

func openRaw(t *testing.T, url string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// principalFor signs in as a demo user by username, the way the server does.
// principalByID is the principal of user id as a session would make it.
func principalByID(t *testing.T, st *store.Store, id int64) store.Principal {
	t.Helper()
	u, err := st.UserByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u.Principal()
}

func principalFor(t *testing.T, st *store.Store, username string) store.Principal {
	t.Helper()
	u, err := st.UserByUsername(context.Background(), username)
	if err != nil {
		t.Fatalf("user %s: %v", username, err)
	}
	return u.Principal()
}

func TestMigrations_UpDownUp(t *testing.T) {
	ctx := context.Background()
	appURL, _ := testdb.New(t, db.MigrationsVersion(), db.Migrate)
	raw := openRaw(t, appURL)
	tableCount := func() int {
		var n int
		if err := raw.QueryRow(`SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	up := tableCount()
	if up < 10 {
		t.Fatalf("after up: %d tables, want the foundation's tables", up)
	}
	// Roll back every migration, newest first.
	for i := 0; i < 50 && tableCount() > 0; i++ {
		if err := db.Rollback(ctx, appURL); err != nil {
			t.Fatal(err)
		}
	}
	if n := tableCount(); n != 0 {
		t.Fatalf("after down: %d tables remain", n)
	}
	if err := db.Migrate(ctx, appURL); err != nil {
		t.Fatal(err)
	}
	if n := tableCount(); n != up {
		t.Fatalf("after up again: %d tables, want %d", n, up)
	}
	// Migrating an up-to-date database is a no-op, also when two instances start at once.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = db.Migrate(ctx, appURL) }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestRLS_WithoutSettingsSeesNoTenantRows(t *testing.T) {
	_, url := seededStore(t)
	raw := openRaw(t, url)
	for _, table := range []string{"clinics", "users", "specialties", "surgeries", "doctors", "discharge_blocks", "reasons", "action_audit", "login_audit"} {
		var n int
		if err := raw.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows visible without tenant settings, want 0", table, n)
		}
	}
}

func TestRLS_ClinicCannotReadOrWriteAnotherClinicsRows(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	prov := principalFor(t, st, "admin_prov")
	valp := principalFor(t, st, "admin_valp")

	// Even a query that names the other clinic explicitly gets nothing: RLS filters underneath.
	err := st.WithTenant(ctx, prov, func(tx *store.Tx) error {
		n, err := tx.CountForTest(ctx, `SELECT count(*) FROM specialties WHERE clinic_id = $1`, valp.ClinicID)
		if err != nil {
			return err
		}
		if n != 0 {
			t.Errorf("PROV sees %d VALP specialties", n)
		}
		own, err := tx.CountForTest(ctx, `SELECT count(*) FROM specialties WHERE clinic_id = $1`, prov.ClinicID)
		if err != nil {
			return err
		}
		if own != 4 {
			t.Errorf("PROV sees %d own specialties, want 4", own)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	err = st.WithTenant(ctx, prov, func(tx *store.Tx) error {
		_, err := tx.CreateSpecialty(ctx, valp.ClinicID, "Intrusa")
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Fatalf("insert into another clinic: err = %v, want a row-level security violation", err)
	}
}

func TestCatalog_OnlyOwnClinicsRows(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	prov := principalFor(t, st, "visor_prov")
	cat, err := st.Catalog(ctx, prov)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Specialties) != 4 || len(cat.Surgeries) != 12 || len(cat.Doctors) != 4 || len(cat.Blocks) != 12 || len(cat.Reasons) != 9 {
		t.Fatalf("catalog sizes = %d/%d/%d/%d/%d", len(cat.Specialties), len(cat.Surgeries), len(cat.Doctors), len(cat.Blocks), len(cat.Reasons))
	}
	for _, s := range cat.Surgeries {
		if s.ClinicID != prov.ClinicID {
			t.Fatalf("surgery %d of clinic %d in PROV's catalog", s.ID, s.ClinicID)
		}
	}
	su := principalFor(t, st, demo.SuperuserName)
	all, err := st.Catalog(ctx, su)
	if err != nil {
		t.Fatal(err)
	}
	// Other tests add clinics of their own to this database: count the demo clinics' rows.
	demoRows := 0
	for _, s := range all.Specialties {
		for _, name := range demo.ClinicNames {
			if s.ClinicName == name {
				demoRows++
			}
		}
	}
	if demoRows != 4*len(demo.ClinicNames) {
		t.Fatalf("superuser sees %d demo specialties, want %d", demoRows, 4*len(demo.ClinicNames))
	}
}

func TestCompositeKeys_SurgeryCannotUseAnotherClinicsSpecialty(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	su := principalFor(t, st, demo.SuperuserName)
	prov := principalFor(t, st, "admin_prov")
	valp := principalFor(t, st, "admin_valp")
	cat, err := st.Catalog(ctx, prov)
	if err != nil {
		t.Fatal(err)
	}
	err = st.WithTenant(ctx, su, func(tx *store.Tx) error {
		_, err := tx.CreateSurgery(ctx, valp.ClinicID, store.NewSurgery{SpecialtyID: cat.Specialties[0].ID, Name: "Cruzada", BaseStayHours: "24"})
		return err
	})
	var ce *store.ConstraintError
	if !errors.As(err, &ce) || ce.Kind != "foreign_key" {
		t.Fatalf("err = %v, want a foreign key violation", err)
	}
}

func TestAudit_RowsAreAppendOnly(t *testing.T) {
	ctx := context.Background()
	st, url := seededStore(t)
	prov := principalFor(t, st, "admin_prov")
	if err := st.WithTenant(ctx, prov, func(tx *store.Tx) error {
		return tx.Audit(ctx, prov.ClinicID, "test_event", "test", 1, map[string]any{"k": "v"})
	}); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE action_audit SET action = 'tampered'`,
		`DELETE FROM action_audit`,
		`TRUNCATE action_audit`,
		`UPDATE login_audit SET success = true`,
		`DELETE FROM login_audit`,
		`TRUNCATE login_audit`,
	} {
		t.Run(stmt, func(t *testing.T) {
			raw := openRaw(t, url)
			tx, err := raw.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.Exec(`SELECT set_config('app.all_clinics', 'on', true)`); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(stmt); err == nil {
				t.Fatalf("%s succeeded on an audit table", stmt)
			}
		})
	}
}

func TestRecordLogin_WritesAuditAndLastLogin(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	u, err := st.UserByUsername(ctx, "clinico_elqu")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RecordLogin(ctx, store.LoginAttempt{UserID: u.ID, ClinicID: u.ClinicID, Username: u.Username, Method: "password", Success: true, IP: "10.0.0.1", UserAgent: "test"}); err != nil {
		t.Fatal(err)
	}
	after, err := st.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !after.LastLoginAt.Valid {
		t.Fatal("last_login_at not set")
	}
	// The clinic's admin sees the row; another clinic's admin does not.
	elqu := principalFor(t, st, "admin_elqu")
	rows, err := st.LoginAudit(ctx, elqu, 50)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		found = found || (r.Username == u.Username && r.Success)
	}
	if !found {
		t.Fatal("login audit row not visible to the clinic's admin")
	}
	other, err := st.LoginAudit(ctx, principalFor(t, st, "admin_iqui"), 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range other {
		if r.Username == u.Username {
			t.Fatal("IQUI admin sees ELQU's login audit")
		}
	}
}

func TestGuard(t *testing.T) {
	ctx := context.Background()
	appURL, adminURL := testdb.New(t, db.MigrationsVersion(), db.Migrate)

	t.Run("AppRoleAccepted", func(t *testing.T) {
		st, err := store.Open(ctx, appURL, store.Options{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if err := st.Guard(ctx); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("SuperuserRefused", func(t *testing.T) {
		st, err := store.Open(ctx, adminURL, store.Options{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if err := st.Guard(ctx); !errors.Is(err, store.ErrUnsafeRole) {
			t.Fatalf("Guard as superuser = %v, want ErrUnsafeRole", err)
		}
	})
	t.Run("BypassRLSRefused", func(t *testing.T) {
		url := testdb.CreateRole(t, adminURL, "th_test_bypass", "BYPASSRLS")
		st, err := store.Open(ctx, url, store.Options{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if err := st.Guard(ctx); !errors.Is(err, store.ErrUnsafeRole) {
			t.Fatalf("Guard with BYPASSRLS = %v, want ErrUnsafeRole", err)
		}
	})
	t.Run("TableWithoutForcedRLSRefused", func(t *testing.T) {
		raw := openRaw(t, appURL)
		if _, err := raw.Exec(`CREATE TABLE leaky (clinic_id bigint NOT NULL); ALTER TABLE leaky ENABLE ROW LEVEL SECURITY`); err != nil {
			t.Fatal(err)
		}
		st, err := store.Open(ctx, appURL, store.Options{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		err = st.Guard(ctx)
		if !errors.Is(err, store.ErrUnsafeRole) || !strings.Contains(err.Error(), "leaky") {
			t.Fatalf("Guard with a leaky table = %v", err)
		}
	})
}

func TestWithTenant_RefusesPrincipalWithoutScope(t *testing.T) {
	st, _ := seededStore(t)
	for name, p := range map[string]store.Principal{
		"no user":                {ClinicID: 1},
		"no clinic":              {UserID: 1, Role: store.RoleAdmin},
		"all clinics, not super": {UserID: 1, Role: store.RoleAdmin, AllClinics: true},
	} {
		t.Run(name, func(t *testing.T) {
			err := st.WithTenant(context.Background(), p, func(*store.Tx) error { return nil })
			if !errors.Is(err, store.ErrNoScope) {
				t.Fatalf("err = %v, want ErrNoScope", err)
			}
		})
	}
}
