package db_test

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	_ "github.com/lib/pq"

	"github.com/redsalud/ticket-home/db"
)

// TestStartLocal_CreatesReusesAndKeepsData walks the life of the `make run`
// cluster: create, provision the app database (twice), stop, start again
// with the data intact, and reuse a running server.
func TestStartLocal_CreatesReusesAndKeepsData(t *testing.T) {
	requireServerBinaries(t)
	ctx := t.Context()

	// Not t.TempDir: as root the server runs as postgres, which must be able
	// to enter the parent, and t.TempDir's parents are 0700.
	parent, err := os.MkdirTemp("", "ticket-home-localpg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(parent); err != nil {
			t.Error(err)
		}
	})
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	// The layout of `make run`: .data does not exist yet and is created too.
	dir := filepath.Join(parent, ".data", "pg")
	port := freePort(t)
	log := slog.New(slog.NewTextHandler(testWriter{t}, nil))

	c, err := db.StartLocal(ctx, dir, port, log)
	if err != nil {
		t.Fatal(err)
	}
	// Registered after RemoveAll, so it runs first: never delete a live cluster.
	t.Cleanup(func() {
		if err := c.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})

	var one int
	queryRow(t, c.SuperuserURL("postgres"), `SELECT 1`, &one)
	if one != 1 {
		t.Fatalf("SELECT 1 = %d", one)
	}

	superURL := c.SuperuserURL("postgres")
	appURL, err := db.EnsureAppDatabase(ctx, superURL, "ticket_home", "ticket_home_owner", "s3cret'pw")
	if err != nil {
		t.Fatal(err)
	}
	again, err := db.EnsureAppDatabase(ctx, superURL, "ticket_home", "ticket_home_owner", "s3cret'pw")
	if err != nil {
		t.Fatalf("second EnsureAppDatabase: %v", err)
	}
	if again != appURL {
		t.Errorf("second EnsureAppDatabase URL = %q, first %q", again, appURL)
	}
	if !strings.Contains(appURL, "127.0.0.1:"+strconv.Itoa(port)) || !strings.Contains(appURL, "sslmode=disable") {
		t.Errorf("app URL %q does not keep host, port and sslmode", appURL)
	}

	var user, dbname string
	var super, bypass bool
	queryRow(t, appURL, `SELECT current_user, current_database(), rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`,
		&user, &dbname, &super, &bypass)
	if user != "ticket_home_owner" || dbname != "ticket_home" {
		t.Errorf("connected as %s to %s, want ticket_home_owner to ticket_home", user, dbname)
	}
	if super || bypass {
		t.Errorf("owner role: rolsuper=%v rolbypassrls=%v, want both false", super, bypass)
	}
	exec(t, appURL, `CREATE TABLE kept (note text NOT NULL)`, `INSERT INTO kept (note) VALUES ('survives a restart')`)

	if _, err := db.EnsureAppDatabase(ctx, superURL, "ticket_home", c.Superuser, "x"); err == nil {
		t.Error("EnsureAppDatabase with the connecting superuser as owner: want an error, got nil")
	}
	if _, err := db.EnsureAppDatabase(ctx, superURL, "postgres", "ticket_home_owner", "s3cret'pw"); err == nil {
		t.Error("EnsureAppDatabase on a database owned by another role: want an error, got nil")
	}

	pidFile := filepath.Join(dir, "postmaster.pid")
	pidLines, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(pidFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("postmaster.pid after Stop: %v, want it gone", err)
	}

	// A crash leaves postmaster.pid behind, naming a process that is gone;
	// a reaped child of ours is such a process.
	gone := osexec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(pidLines), "\n")
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(gone.Process.Pid)+"\n"+rest), 0o600); err != nil {
		t.Fatal(err)
	}

	c, err = db.StartLocal(ctx, dir, port, log)
	if err != nil {
		t.Fatalf("restart over a stale postmaster.pid: %v", err)
	}
	var note string
	queryRow(t, appURL, `SELECT note FROM kept`, &note)
	if note != "survives a restart" {
		t.Errorf("note after restart = %q", note)
	}

	// A second `make run` while the server runs reuses it.
	reused, err := db.StartLocal(ctx, dir, port, log)
	if err != nil {
		t.Fatalf("reuse: %v", err)
	}
	queryRow(t, reused.SuperuserURL("ticket_home"), `SELECT note FROM kept`, &note)

	if _, err := db.StartLocal(ctx, dir, freePort(t), log); err == nil {
		t.Error("StartLocal on a running cluster with another port: want an error, got nil")
	}
}

func TestStartLocal_RefusesNonEmptyDirectoryWithoutCluster(t *testing.T) {
	requireServerBinaries(t)
	dir := t.TempDir()
	precious := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(precious, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(precious)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartLocal(t.Context(), dir, freePort(t), nil); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("StartLocal in a non-empty directory: err = %v, want one saying it is not empty", err)
	}
	after, err := os.Stat(precious)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) || ownerOf(before) != ownerOf(after) || before.Mode() != after.Mode() {
		t.Error("StartLocal touched a file in a directory it refused")
	}
}

func TestFindServerBinaries_ExplicitPGBinMustWork(t *testing.T) {
	t.Setenv("PG_BIN", t.TempDir())
	_, err := db.FindServerBinaries()
	if err == nil || !strings.Contains(err.Error(), "PG_BIN") {
		t.Fatalf("FindServerBinaries with an empty PG_BIN: err = %v, want one naming PG_BIN", err)
	}
}

func TestErrServerBinariesNotFound_IsOneLineWithAdvice(t *testing.T) {
	msg := db.ErrServerBinariesNotFound.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "apt-get install postgresql") || !strings.Contains(msg, "DATABASE_URL") {
		t.Errorf("message %q: want one line naming the package and DATABASE_URL", msg)
	}
}

// requireServerBinaries fails without binaries unless the machine provides a
// database another way, where the private cluster is never used.
func requireServerBinaries(t *testing.T) {
	t.Helper()
	if _, err := db.FindServerBinaries(); err != nil {
		if errors.Is(err, db.ErrServerBinariesNotFound) && os.Getenv("TEST_DATABASE_URL") != "" {
			t.Skip("no PostgreSQL server binaries; TEST_DATABASE_URL is set, so the private cluster is not needed here")
		}
		t.Fatal(err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func queryRow(t *testing.T, url, query string, dest ...any) {
	t.Helper()
	pool, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := pool.QueryRowContext(t.Context(), query).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func exec(t *testing.T, url string, stmts ...string) {
	t.Helper()
	pool, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for _, s := range stmts {
		if _, err := pool.ExecContext(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func ownerOf(fi os.FileInfo) uint32 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Uid
	}
	return 0
}

// testWriter sends the cluster's log lines to the test log, shown on failure
// or with -v.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func TestStartLocal_AsRootExplainsAnUnreachableDirectory(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root hands the cluster to another user, who may not reach the directory")
	}
	requireServerBinaries(t)
	// MkdirTemp makes a 0700 directory: the postgres user cannot enter it.
	parent, err := os.MkdirTemp("", "ticket-home-localpg-closed-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(parent); err != nil {
			t.Error(err)
		}
	})
	_, err = db.StartLocal(t.Context(), filepath.Join(parent, "data", "pg"), freePort(t), nil)
	if err == nil {
		t.Fatal("StartLocal under a directory the server's user cannot enter: want an error, got nil")
	}
	msg := err.Error()
	t.Log(msg)
	if !strings.Contains(msg, parent+" ") || !strings.Contains(msg, "chmod o+x") || !strings.Contains(msg, "DATABASE_URL") || strings.Contains(msg, "\n") {
		t.Errorf("error %q: want one line naming %s, chmod o+x and DATABASE_URL", msg, parent)
	}
}
