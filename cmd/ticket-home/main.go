// Command ticket-home serves Ticket Home and runs its operations:
//
//	ticket-home [serve]   migrate, then serve HTTP (default)
//	ticket-home migrate   apply pending migrations and exit
//	ticket-home seed      load the demo data into an empty database (local only)
//	ticket-home healthcheck  exit 0 if the local server answers /livez (container HEALTHCHECK)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gofiber/storage/postgres/v3"

	"github.com/redsalud/ticket-home/config"
	"github.com/redsalud/ticket-home/db"
	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/handlers"
	"github.com/redsalud/ticket-home/iap"
	"github.com/redsalud/ticket-home/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ticket-home:", err)
		os.Exit(1)
	}
}

// Local cluster database settings: a non-superuser owner role, as in production.
const (
	localDBName     = "ticket_home"
	localDBOwner    = "ticket_home"
	localDBPassword = "ticket-home-local"
)

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	if cmd == "healthcheck" {
		return healthcheck(ctx, getenv("LISTEN_ADDR"))
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stdout)

	switch cmd {
	case "serve", "migrate", "seed":
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, "usage: ticket-home [serve|migrate|seed|healthcheck]")
		return nil
	default:
		return fmt.Errorf("unknown command %q (want serve, migrate or seed)", cmd)
	}

	databaseURL, cleanup, err := databaseFor(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer cleanup()

	if err := db.Migrate(ctx, databaseURL); err != nil {
		return err
	}
	if cmd == "migrate" {
		log.Info("migrations applied")
		return nil
	}
	st, err := store.Open(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Guard(ctx); err != nil {
		return err
	}

	switch cmd {
	case "seed":
		if err := demo.Seed(ctx, st, cfg.Local(), time.Now()); err != nil {
			return err
		}
		log.Info("demo data loaded")
		printSignIns(stdout)
		return nil
	}

	if cfg.Local() {
		empty, err := st.Empty(ctx)
		if err != nil {
			return err
		}
		if empty {
			if err := demo.Seed(ctx, st, true, time.Now()); err != nil {
				return err
			}
			log.Info("demo data loaded into the empty database")
		}
	}
	return serve(ctx, cfg, log, st, databaseURL, stdout)
}

// databaseFor returns the database to use: DATABASE_URL, or in local a private cluster under
// DATA_DIR started (or reused) now and stopped by the returned cleanup.
func databaseFor(ctx context.Context, cfg config.Config, log *slog.Logger) (string, func(), error) {
	if cfg.DatabaseURL != "" {
		return cfg.DatabaseURL, func() {}, nil
	}
	if !cfg.Local() {
		return "", nil, errors.New("DATABASE_URL is required outside local")
	}
	dir, err := filepath.Abs(filepath.Join(cfg.DataDir, "pg"))
	if err != nil {
		return "", nil, err
	}
	cluster, err := db.StartLocal(ctx, dir, cfg.LocalPGPort, log)
	if err != nil {
		return "", nil, err
	}
	cleanup := func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := cluster.Stop(sctx); err != nil {
			log.Error("stopping the local PostgreSQL cluster", "error", err)
		}
	}
	appURL, err := db.EnsureAppDatabase(ctx, cluster.SuperuserURL("postgres"), localDBName, localDBOwner, localDBPassword)
	if err != nil {
		cleanup()
		return "", nil, err
	}
	log.Info("local PostgreSQL cluster ready", "dir", dir, "port", cfg.LocalPGPort)
	return appURL, cleanup, nil
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, st *store.Store, databaseURL string, stdout io.Writer) error {
	sessions, err := newSessionStorage(databaseURL)
	if err != nil {
		return err
	}
	defer sessions.Close()

	opt := handlers.Options{SessionStorage: sessions}
	if cfg.IAPAudience != "" {
		v, err := iap.New(ctx, iap.Config{JWKSURL: cfg.IAPJWKSURL, Audience: cfg.IAPAudience, Issuer: cfg.IAPIssuer})
		if err != nil {
			return err
		}
		opt.IAP = v
	}
	app := handlers.New(cfg, st, log, opt).App()

	errc := make(chan error, 1)
	go func() { errc <- app.Listen(cfg.ListenAddr) }()
	log.Info("serving", "addr", cfg.ListenAddr, "env", cfg.Env, "version", cfg.Version)
	if cfg.Local() {
		fmt.Fprintf(stdout, "\nTicket Home is running on http://localhost%s\n", portOf(cfg.ListenAddr))
		printSignIns(stdout)
		fmt.Fprintln(stdout, "Press Ctrl-C to stop.")
	}
	select {
	case err := <-errc:
		return fmt.Errorf("listen: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	if err := app.ShutdownWithTimeout(10 * time.Second); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// newSessionStorage opens the Postgres session storage, turning the library's panic on an
// unreachable database into an error.
func newSessionStorage(databaseURL string) (s *postgres.Storage, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("session storage: %v", r)
		}
	}()
	return postgres.New(postgres.Config{ConnectionURI: databaseURL, Table: "sessions", GCInterval: time.Minute}), nil
}

func printSignIns(w io.Writer) {
	fmt.Fprintf(w, "\nDemo sign-ins (password %q):\n", demo.Password)
	for _, s := range demo.SignIns() {
		fmt.Fprintf(w, "  %-16s %-16s %s\n", s.Username, s.Role.Label(), s.Clinic)
	}
	fmt.Fprintln(w)
}

func portOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i:]
		}
	}
	return ":" + addr
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// healthcheck asks the server on this machine for /livez; the distroless image has no curl.
func healthcheck(ctx context.Context, addr string) error {
	if addr == "" {
		addr = ":8080"
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1"+portOf(addr)+"/livez", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("livez answered %d", resp.StatusCode)
	}
	return nil
}
