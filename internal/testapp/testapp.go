// Package testapp builds a complete Ticket Home server on a fresh, migrated database with the
// demo data, for handler and browser tests.
package testapp

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/config"
	"github.com/redsalud/ticket-home/db"
	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/handlers"
	"github.com/redsalud/ticket-home/internal/faultproxy"
	"github.com/redsalud/ticket-home/internal/testdb"
	"github.com/redsalud/ticket-home/live"
	"github.com/redsalud/ticket-home/store"
)

// Clock is a settable time source: the real time shifted by what tests advance, or, once
// frozen, a fixed instant that moves only when a test advances it (for rules that count
// seconds, such as the sign-in throttle's waits, on a machine of any speed).
type Clock struct {
	mu     sync.Mutex
	d      time.Duration
	frozen bool
	at     time.Time
}

// Now is the shifted (or frozen) time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return c.at.Add(c.d)
	}
	return time.Now().Add(c.d)
}

// Freeze stops the clock at its current time.
func (c *Clock) Freeze() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen {
		c.frozen, c.at = true, time.Now()
	}
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.d += d
}

// Server is an application under test.
type Server struct {
	App   *fiber.App
	Store *store.Store
	// AdminURL is a superuser URL of the test database, to arrange and inspect state
	// underneath row-level security.
	AdminURL string
	Clock    *Clock
	close    func()
}

// The seeded database of this test binary, made by Main, and its superuser pool.
var (
	seedURL, seedAdmin string
	adminDB            *sql.DB
)

// Main creates this test binary's database with the demo data, runs the tests and drops it.
// Call it from TestMain: os.Exit(testapp.Main(m)).
func Main(m *testing.M) int {
	appURL, adminURL, cleanup, err := testdb.Shared(db.MigrationsVersion(), db.Migrate)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testapp:", err)
		return 1
	}
	defer cleanup()
	st, err := store.Open(context.Background(), appURL, store.Options{MaxConns: 4, StatementTimeout: time.Minute})
	if err != nil {
		fmt.Fprintln(os.Stderr, "testapp:", err)
		return 1
	}
	err = demo.Seed(context.Background(), st, true, time.Now())
	st.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testapp: seed:", err)
		return 1
	}
	adminDB, err = sql.Open("postgres", adminURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testapp:", err)
		return 1
	}
	adminDB.SetMaxOpenConns(4)
	defer adminDB.Close()
	seedURL, seedAdmin = appURL, adminURL
	return m.Run()
}

// DB returns the seeded database of this test binary: an app-role URL and a superuser URL.
func DB(t testing.TB) (appURL, adminURL string) {
	t.Helper()
	if seedURL == "" {
		t.Fatal("testapp: call testapp.Main from TestMain")
	}
	return seedURL, seedAdmin
}

// Options change how a test server is built; the zero value is the demo server.
type Options struct {
	// Env overrides configuration keys (config.Keys), e.g. "IAP_AUDIENCE".
	Env map[string]string
	// IAP verifies IAP assertions; nil disables IAP sign-in.
	IAP handlers.IAPVerifier
	// DatabaseURL replaces the seeded database's app-role URL (e.g. the same database through
	// a proxy that a test freezes).
	DatabaseURL string
	// Clock is the server's clock (several servers may share one); nil means a new one.
	Clock *Clock
	// Log receives the server's log lines; nil discards them.
	Log io.Writer
	// Live serves the board's live updates, with their own listening connection.
	Live bool
}

// New returns a server on this test binary's seeded database (shared by the package's
// tests; tests that change data use their own clinic or user, or their own database). It is
// closed when the test ends.
func New(t testing.TB, opts ...Options) *Server {
	t.Helper()
	DB(t)
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	s, err := StartWith(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start returns a server on the seeded database that lives until Close, for a server shared
// by a whole test binary (browser tests), with the board's live updates as in production.
func Start() (*Server, error) { return StartWith(Options{Live: true}) }

// StartWith is Start with options.
func StartWith(o Options) (*Server, error) {
	if seedURL == "" {
		return nil, fmt.Errorf("testapp: call testapp.Main from TestMain")
	}
	dbURL := seedURL
	if o.DatabaseURL != "" {
		dbURL = o.DatabaseURL
	}
	cfg, err := config.Load(func(k string) string {
		if v, ok := o.Env[k]; ok {
			return v
		}
		switch k {
		case "APP_VERSION":
			return "test"
		case "DATABASE_URL":
			return dbURL
		case "DB_MAX_CONNS":
			return "8" // the suite runs several servers at once: keep each one's share small
		}
		return ""
	})
	if err != nil {
		return nil, err
	}
	mainOpts, sessOpts := store.OptionsFor(cfg)
	st, err := store.Open(context.Background(), dbURL, mainOpts)
	if err != nil {
		return nil, err
	}
	sessions, err := store.OpenSessions(context.Background(), dbURL, sessOpts)
	if err != nil {
		st.Close()
		return nil, err
	}
	clk := o.Clock
	if clk == nil {
		clk = &Clock{}
	}
	logw := o.Log
	if logw == nil {
		logw = io.Discard
	}
	var broker *live.Broker
	if o.Live {
		if broker, err = live.Start(context.Background(), dbURL, live.Options{MaxStreams: cfg.LiveMaxStreams}); err != nil {
			st.Close()
			sessions.Close()
			return nil, err
		}
	}
	h := handlers.New(cfg, st, slog.New(slog.NewTextHandler(logw, nil)),
		handlers.Options{SessionStorage: sessions, IAP: o.IAP, Now: clk.Now, Live: broker})
	return &Server{App: h.App(), Store: st, AdminURL: seedAdmin, Clock: clk, close: func() {
		if broker != nil {
			broker.Close()
		}
		st.Close()
		sessions.Close()
	}}, nil
}

// Close releases the server's database connections.
func (s *Server) Close() { s.close() }

// AdminDB is the test binary's one superuser pool on the seeded database, to arrange and
// inspect state underneath row-level security. Tests share it: a pool per call would hold
// connections until the test ends.
func AdminDB(t testing.TB) *sql.DB {
	t.Helper()
	DB(t)
	return adminDB
}

// Proxied returns dbURL through a proxy the test can freeze or make refuse, as a database
// that hangs or goes away; the proxy closes when the test ends.
func Proxied(t testing.TB, dbURL string) (string, *faultproxy.Proxy) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal("testapp: database URL does not parse")
	}
	p, err := faultproxy.New(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	proxied, err := p.RewriteURL(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	return proxied, p
}

// LogBuffer collects a server's log lines while it writes them.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Eventually polls cond until it holds, failing t after within: for a state another
// goroutine or process reaches (a notification heard, a connection freed), never a sleep.
func Eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
