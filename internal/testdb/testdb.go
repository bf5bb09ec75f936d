// Package testdb gives each database test its own freshly migrated
// PostgreSQL database, owned by a role that is neither superuser nor
// BYPASSRLS, as the app's role is in production (docs/ARCHITECTURE.md, Data).
//
// Databases are copied from a migrated template (CREATE DATABASE … TEMPLATE),
// which is much faster than migrating each one. The template is built once per
// server and migration version, and reused by later runs.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lib/pq"

	"github.com/redsalud/ticket-home/db"
)

const (
	// privatePort is for the fallback cluster; 54329 is `make run`'s, so
	// tests never touch the developer's demo data.
	privatePort = 54339
	// dbPrefix names every per-test database, so leftovers of a killed run
	// are recognisable (and templates, named differently, are not among them).
	dbPrefix = "th_test_"
	// roleComment marks roles this package created; CreateRole refuses to
	// alter any other role, since roles are shared by the whole server.
	roleComment  = "ticket-home testdb"
	setupTimeout = 2 * time.Minute
)

// defaultAdminURL is a var so the fallback to a private cluster can be tried
// on a machine whose local server answers:
//
//	go test -ldflags '-X github.com/redsalud/ticket-home/internal/testdb.defaultAdminURL=postgres://postgres@127.0.0.1:1/postgres?sslmode=disable' ./internal/testdb/
var defaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var (
	adminMu     sync.Mutex
	chosenAdmin string // decided once per test process

	// templatesMu also serialises template builds within the process, so
	// parallel tests wait for one build instead of queueing on the lock.
	templatesMu sync.Mutex
	templates   = map[string]bool{} // admin URL + template name → ready
)

// Admin returns the superuser URL tests use: TEST_DATABASE_URL if set, else
// the local server on 127.0.0.1:5432 as user postgres if it answers within
// 2 s, else a private cluster under os.TempDir() on port 54339.
//
// The private cluster is left running on purpose: several test binaries
// (one per package) share it at once and none knows which finishes last, and
// the next `go test` starts in milliseconds instead of seconds. It lives in
// the temp directory, listens on 127.0.0.1 only, and `pg_ctl stop -D <dir>`
// or a reboot ends it.
func Admin(t TB) string {
	t.Helper()
	adminMu.Lock()
	defer adminMu.Unlock()
	if chosenAdmin != "" {
		return chosenAdmin
	}
	u, err := chooseAdmin(t)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	chosenAdmin = u
	return u
}

func chooseAdmin(t TB) (string, error) {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u, nil
	}
	err := ping(t.Context(), defaultAdminURL, 2*time.Second)
	if err == nil {
		return defaultAdminURL, nil
	}
	t.Logf("testdb: no local server on 127.0.0.1:5432 (%v); using a private cluster", err)
	return startPrivateCluster(t)
}

func ping(ctx context.Context, dbURL string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// connect_timeout as well: a port that accepts but never speaks would
	// otherwise hold the handshake past the context.
	u, err := withParam(dbURL, "connect_timeout", fmt.Sprint(int(timeout.Seconds())))
	if err != nil {
		return err
	}
	pool, err := sql.Open("postgres", u)
	if err != nil {
		return err
	}
	defer pool.Close()
	return pool.PingContext(ctx)
}

// startPrivateCluster starts (or reuses) the per-OS-user test cluster. The
// flock makes concurrent test binaries take turns: the first initdb's and
// starts it, the others find it running.
func startPrivateCluster(t TB) (string, error) {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("ticket-home-testpg-%d", os.Getuid()))
	// In a shared /tmp another user could plant a symlink where the cluster
	// goes; refuse to follow one (O_NOFOLLOW for the lock file below).
	if fi, err := os.Lstat(dir); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return "", fmt.Errorf("%s is a symlink; remove it", dir)
	}
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return "", fmt.Errorf("lock private cluster: %w", err)
	}
	defer lock.Close() // closing releases the flock
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("lock private cluster: %w", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), setupTimeout)
	defer cancel()
	log := slog.New(slog.NewTextHandler(testLogWriter{t}, nil))
	c, err := db.StartLocal(ctx, dir, privatePort, log)
	if err != nil {
		return "", err
	}
	return c.SuperuserURL("postgres"), nil
}

// New creates a fresh database for one test (or test package), dropped when
// the test ends, and returns a URL for its owner role (not a superuser, no
// BYPASSRLS) and a superuser URL for the same database.
//
// version identifies the migrations (e.g. a hash of their content): each
// version gets its own template, built once by migrate, which receives a URL
// for the template database as the owner role so that every object it creates
// belongs to the owner, as in production. Test processes running at once
// build a template only once: they take turns on a PostgreSQL advisory lock.
func New(t TB, version string, migrate func(ctx context.Context, url string) error) (appURL string, adminURL string) {
	t.Helper()
	admin := Admin(t)
	ctx, cancel := context.WithTimeout(t.Context(), setupTimeout)
	defer cancel()

	sum := sha256.Sum256([]byte(version))
	hash := hex.EncodeToString(sum[:])
	template := TemplateName(version)
	owner := "th_test_owner_" + hash[:8]
	password := rolePassword(owner)

	if err := ensureTemplate(ctx, admin, template, owner, password, migrate); err != nil {
		t.Fatalf("testdb: template %s: %v", template, err)
	}

	name := dbPrefix + randomHex(t, 8)
	pool, err := sql.Open("postgres", admin)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	defer pool.Close()
	if _, err := pool.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)+
		" TEMPLATE "+pq.QuoteIdentifier(template)+" OWNER "+pq.QuoteIdentifier(owner)); err != nil {
		t.Fatalf("testdb: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		// Not t.Context(): it is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := dropDatabase(ctx, admin, name); err != nil {
			t.Errorf("testdb: %v", err)
		}
	})

	appURL, err = urlFor(admin, url.UserPassword(owner, password), name)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	adminURL, err = withDatabase(admin, name)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	return appURL, adminURL
}

// ensureTemplate builds the template database unless it is already there.
// Complete templates are marked IS_TEMPLATE; one left unmarked by a process
// that died while migrating is dropped and rebuilt.
func ensureTemplate(ctx context.Context, admin, template, owner, password string, migrate func(context.Context, string) error) (err error) {
	templatesMu.Lock()
	defer templatesMu.Unlock()
	key := admin + "\x00" + template
	if templates[key] {
		return nil
	}

	pool, err := sql.Open("postgres", admin)
	if err != nil {
		return err
	}
	defer pool.Close()
	// Advisory locks belong to a session, so lock and unlock on one connection.
	conn, err := pool.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	lockKey := advisoryKey(template)
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		return fmt.Errorf("advisory lock: %w", err)
	}
	defer func() {
		// Should the unlock fail, closing the session releases the lock anyway.
		if _, uerr := conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, lockKey); uerr != nil && err == nil {
			err = fmt.Errorf("advisory unlock: %w", uerr)
		}
	}()

	var ready bool
	err = conn.QueryRowContext(ctx, `SELECT datistemplate FROM pg_catalog.pg_database WHERE datname = $1`, template).Scan(&ready)
	switch {
	case err == nil && ready:
		templates[key] = true
		return nil
	case err == nil:
		if _, err := conn.ExecContext(ctx, "DROP DATABASE "+pq.QuoteIdentifier(template)+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop unfinished template: %w", err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}

	ownerURL, err := db.EnsureAppDatabase(ctx, admin, template, owner, password)
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "COMMENT ON ROLE "+pq.QuoteIdentifier(owner)+" IS "+pq.QuoteLiteral(roleComment)); err != nil {
		return err
	}
	if err := migrate(ctx, ownerURL); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// A session the migration left open would make every CREATE DATABASE …
	// TEMPLATE fail ("source database is being accessed by other users").
	if _, err := conn.ExecContext(ctx,
		`SELECT pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, template,
	); err != nil {
		return err
	}
	// ALLOW_CONNECTIONS false keeps stray sessions out for good.
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+pq.QuoteIdentifier(template)+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"); err != nil {
		return err
	}
	templates[key] = true
	return nil
}

// CreateRole creates (or updates) a login role name with the role options
// attrs (e.g. "NOSUPERUSER NOBYPASSRLS NOINHERIT"; they must be valid for both
// CREATE ROLE and ALTER ROLE) and returns a URL for it on adminURL's database
// (adminURL as returned by New: the role itself is made through Admin).
// Privileges are the caller's business. Roles are global to the server and
// are kept after the test: another test database may still hold grants to
// one, and a role without objects costs nothing. A role this package did not
// create is never altered.
func CreateRole(t TB, adminURL, name string, attrs string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), setupTimeout)
	defer cancel()
	password := rolePassword(name)
	if err := ensureRole(ctx, Admin(t), name, password, attrs); err != nil {
		t.Fatalf("testdb: role %s: %v", name, err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		t.Fatal("testdb: admin URL does not parse")
	}
	roleURL, err := urlFor(adminURL, url.UserPassword(name, password), strings.TrimPrefix(u.Path, "/"))
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	return roleURL
}

// ensureRole creates or updates a role in one transaction under an advisory
// lock taken on the admin database that every test process shares: two
// concurrent ALTER ROLEs of one role fail with "tuple concurrently updated",
// and a lock on a per-test database would not keep them apart.
func ensureRole(ctx context.Context, admin, name, password, attrs string) (err error) {
	pool, err := sql.Open("postgres", admin)
	if err != nil {
		return err
	}
	defer pool.Close()
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, tx.Rollback())
		}
	}()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, advisoryKey("role\x00"+name)); err != nil {
		return err
	}
	var comment sql.NullString
	err = tx.QueryRowContext(ctx,
		`SELECT pg_catalog.shobj_description(oid, 'pg_authid') FROM pg_catalog.pg_roles WHERE rolname = $1`, name,
	).Scan(&comment)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if exists && comment.String != roleComment {
		return errors.New("exists and was not created by testdb: choose another name")
	}
	verb := "CREATE"
	if exists {
		verb = "ALTER"
	}
	// Role options cannot be bind parameters.
	if _, err := tx.ExecContext(ctx, verb+" ROLE "+pq.QuoteIdentifier(name)+
		" WITH LOGIN PASSWORD "+pq.QuoteLiteral(password)+" "+attrs); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "COMMENT ON ROLE "+pq.QuoteIdentifier(name)+" IS "+pq.QuoteLiteral(roleComment)); err != nil {
		return err
	}
	return tx.Commit()
}

func dropDatabase(ctx context.Context, admin, name string) error {
	pool, err := sql.Open("postgres", admin)
	if err != nil {
		return err
	}
	defer pool.Close()
	// FORCE (PostgreSQL 13+) ends sessions the test's pools left open.
	if _, err := pool.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// rolePassword derives a role's password from its name. Deterministic on
// purpose: the role is shared by every test process on the server, and a
// random password set by one would lock out the connections of the others.
func rolePassword(role string) string {
	sum := sha256.Sum256([]byte("ticket-home testdb password\x00" + role))
	return hex.EncodeToString(sum[:16])
}

// advisoryKey maps a template name to a pg_advisory_lock key, so unrelated
// versions build their templates in parallel.
func advisoryKey(template string) int64 {
	h := fnv.New64a()
	h.Write([]byte("ticket-home testdb\x00" + template)) // hash.Hash never returns an error
	return int64(h.Sum64())
}

func randomHex(t TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("testdb: %v", err)
	}
	return hex.EncodeToString(b)
}

// urlFor returns base with its credentials and database replaced, keeping
// scheme, host, port and parameters such as sslmode.
func urlFor(base string, user *url.Userinfo, dbname string) (string, error) {
	u, err := parsePostgresURL(base)
	if err != nil {
		return "", err
	}
	u.User = user
	u.Path = "/" + dbname
	u.RawPath = ""
	return u.String(), nil
}

// withDatabase returns base pointing at dbname, credentials unchanged.
func withDatabase(base, dbname string) (string, error) {
	u, err := parsePostgresURL(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + dbname
	u.RawPath = ""
	return u.String(), nil
}

func withParam(base, key, value string) (string, error) {
	u, err := parsePostgresURL(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func parsePostgresURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		// Not wrapped: url.Error quotes the whole URL, password included.
		return nil, errors.New("database URL does not parse")
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, errors.New("database URL must start with postgres:// (key=value strings are not supported)")
	}
	return u, nil
}

// testLogWriter sends the private cluster's log lines to the test log.
type testLogWriter struct{ t TB }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
