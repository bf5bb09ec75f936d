package testdb_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	_ "github.com/lib/pq"

	"github.com/redsalud/ticket-home/internal/testdb"
)

// version is fixed so the template survives between runs, as the app's will.
const version = "testdb self-test v1"

func migrate(ctx context.Context, url string) error {
	pool, err := sql.Open("postgres", url)
	if err != nil {
		return err
	}
	defer pool.Close()
	_, err = pool.ExecContext(ctx, `CREATE TABLE widget (id int PRIMARY KEY, name text NOT NULL)`)
	return err
}

func TestNew_GivesSeparateMigratedDatabasesOwnedByAPlainRole(t *testing.T) {
	app1, admin1 := testdb.New(t, version, migrate)
	app2, _ := testdb.New(t, version, migrate)
	if app1 == app2 {
		t.Fatalf("two New calls returned the same URL %q", app1)
	}

	var names [2]string
	for i, u := range []string{app1, app2} {
		var user string
		var super, bypass bool
		var widget sql.NullString
		queryRow(t, u, `SELECT current_user, current_database(), rolsuper, rolbypassrls, to_regclass('public.widget')::text
			FROM pg_catalog.pg_roles WHERE rolname = current_user`, &user, &names[i], &super, &bypass, &widget)
		if !strings.HasPrefix(user, "th_test_owner_") {
			t.Errorf("app URL connects as %q, want the th_test_owner_ role", user)
		}
		if super || bypass {
			t.Errorf("%s: rolsuper=%v rolbypassrls=%v, want both false", user, super, bypass)
		}
		if !widget.Valid {
			t.Errorf("database %s lacks the migrated table widget", names[i])
		}
		var tableOwner string
		queryRow(t, u, `SELECT tableowner FROM pg_catalog.pg_tables WHERE tablename = 'widget'`, &tableOwner)
		if tableOwner != user {
			t.Errorf("widget is owned by %s, want the owner role %s", tableOwner, user)
		}
	}
	if names[0] == names[1] {
		t.Fatalf("two New calls gave the same database %s", names[0])
	}

	exec(t, app1, `INSERT INTO widget (id, name) VALUES (1, 'only in the first')`)
	var n int
	queryRow(t, app2, `SELECT count(*) FROM widget`, &n)
	if n != 0 {
		t.Errorf("second database sees %d rows written to the first", n)
	}

	var adminDB string
	var adminSuper bool
	queryRow(t, admin1, `SELECT current_database(), rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user`, &adminDB, &adminSuper)
	if adminDB != names[0] || !adminSuper {
		t.Errorf("admin URL: database %s superuser %v, want %s and true", adminDB, adminSuper, names[0])
	}
}

func TestNew_DropsTheDatabaseWhenTheTestEnds(t *testing.T) {
	var name string
	t.Run("uses a database", func(t *testing.T) {
		app, _ := testdb.New(t, version, migrate)
		queryRow(t, app, `SELECT current_database()`, &name)
	})
	var exists bool
	queryRowArgs(t, testdb.Admin(t), `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1)`, []any{name}, &exists)
	if exists {
		t.Errorf("database %s still exists after its test ended", name)
	}
}

func TestNew_MigratesATemplateOncePerProcess(t *testing.T) {
	calls := 0
	counting := func(ctx context.Context, url string) error {
		calls++
		return migrate(ctx, url)
	}
	// A version of its own, so an earlier test in this process has not
	// built the template already.
	const v = "testdb self-test v1, counted"
	testdb.New(t, v, counting)
	testdb.New(t, v, counting)
	if calls > 1 {
		t.Errorf("migrate ran %d times for one version, want at most once", calls)
	}
}

func TestCreateRole_GivesALessPrivilegedLoginOnTheSameDatabase(t *testing.T) {
	_, admin := testdb.New(t, version, migrate)
	u := testdb.CreateRole(t, admin, "th_test_reader", "NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
	again := testdb.CreateRole(t, admin, "th_test_reader", "NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
	if again != u {
		t.Errorf("second CreateRole URL %q, first %q", again, u)
	}

	var adminDB, user, roleDB string
	var super, bypass bool
	queryRow(t, admin, `SELECT current_database()`, &adminDB)
	queryRow(t, u, `SELECT current_user, current_database(), rolsuper, rolbypassrls
		FROM pg_catalog.pg_roles WHERE rolname = current_user`, &user, &roleDB, &super, &bypass)
	if user != "th_test_reader" || roleDB != adminDB {
		t.Errorf("role URL connects as %s to %s, want th_test_reader to %s", user, roleDB, adminDB)
	}
	if super || bypass {
		t.Errorf("rolsuper=%v rolbypassrls=%v, want both false", super, bypass)
	}
	// Privileges are the caller's business: without a grant the table is closed.
	pool, err := sql.Open("postgres", u)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.ExecContext(t.Context(), `SELECT id FROM widget`); err == nil {
		t.Error("reading widget without a grant: want permission denied, got nil")
	}
}

// queryRow runs a query without parameters and scans its one row into dest.
func queryRow(t *testing.T, url, query string, dest ...any) {
	t.Helper()
	queryRowArgs(t, url, query, nil, dest...)
}

func queryRowArgs(t *testing.T, url, query string, args []any, dest ...any) {
	t.Helper()
	pool, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := pool.QueryRowContext(t.Context(), query, args...).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func exec(t *testing.T, url, stmt string) {
	t.Helper()
	pool, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.ExecContext(t.Context(), stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}
