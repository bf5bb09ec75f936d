// Package testapp builds a complete Ticket Home server on a fresh, migrated database with the
// demo data, for handler and browser tests.
package testapp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/storage/postgres/v3"

	"github.com/redsalud/ticket-home/config"
	"github.com/redsalud/ticket-home/db"
	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/handlers"
	"github.com/redsalud/ticket-home/internal/testdb"
	"github.com/redsalud/ticket-home/store"
)

// Clock is a settable time source: the real time shifted by what tests advance.
type Clock struct {
	mu sync.Mutex
	d  time.Duration
}

// Now is the shifted time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.d)
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

// The seeded database of this test binary, made by Main.
var seedURL, seedAdmin string

// Main creates this test binary's database with the demo data, runs the tests and drops it.
// Call it from TestMain: os.Exit(testapp.Main(m)).
func Main(m *testing.M) int {
	appURL, adminURL, cleanup, err := testdb.Shared(db.MigrationsVersion(), db.Migrate)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testapp:", err)
		return 1
	}
	defer cleanup()
	st, err := store.Open(context.Background(), appURL)
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

// New returns a server on this test binary's seeded database (shared by the package's
// tests; tests that change data use their own clinic or user, or their own database). It is
// closed when the test ends.
func New(t *testing.T) *Server {
	t.Helper()
	DB(t)
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start returns a server on the seeded database that lives until Close, for a server shared
// by a whole test binary (browser tests).
func Start() (*Server, error) {
	if seedURL == "" {
		return nil, fmt.Errorf("testapp: call testapp.Main from TestMain")
	}
	st, err := store.Open(context.Background(), seedURL)
	if err != nil {
		return nil, err
	}
	sessions := postgres.New(postgres.Config{ConnectionURI: seedURL, Table: "sessions", GCInterval: time.Hour})
	cfg, err := config.Load(func(k string) string {
		if k == "APP_VERSION" {
			return "test"
		}
		return ""
	})
	if err != nil {
		st.Close()
		sessions.Close()
		return nil, err
	}
	clk := &Clock{}
	h := handlers.New(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)), handlers.Options{SessionStorage: sessions, Now: clk.Now})
	return &Server{App: h.App(), Store: st, AdminURL: seedAdmin, Clock: clk, close: func() {
		st.Close()
		sessions.Close()
	}}, nil
}

// Close releases the server's database connections.
func (s *Server) Close() { s.close() }
