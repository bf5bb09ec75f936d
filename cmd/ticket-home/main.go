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

	"github.com/redsalud/ticket-home/config"
	"github.com/redsalud/ticket-home/db"
	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/handlers"
	"github.com/redsalud/ticket-home/iap"
	"github.com/redsalud/ticket-home/live"
	"github.com/redsalud/ticket-home/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- run(ctx, os.Args[1:], os.Getenv, os.Stdout) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		// Asked to stop: the platform kills the process 10 s after SIGTERM, so finish before
		// that whatever the database does (every request is bounded; this is the backstop).
		select {
		case err = <-done:
		case <-time.After(stopDeadline):
			fmt.Fprintln(os.Stderr, "ticket-home: shutdown did not finish in time; exiting")
			os.Exit(0)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			// Stopped during start-up (migrations, the first connection): an orderly stop.
			fmt.Fprintln(os.Stderr, "ticket-home: stopped:", err)
			return
		}
		fmt.Fprintln(os.Stderr, "ticket-home:", err)
		os.Exit(1)
	}
}

// stopDeadline is how long the process may take to stop after SIGTERM: less than the 10 s
// Cloud Run and Kubernetes allow before SIGKILL.
const stopDeadline = 9500 * time.Millisecond

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
		addr := getenv("LISTEN_ADDR")
		if p := getenv("PORT"); p != "" {
			addr = ":" + p
		}
		return healthcheck(ctx, addr)
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
	mainOpts, sessOpts := store.OptionsFor(cfg)
	st, err := store.Open(ctx, databaseURL, mainOpts)
	if err != nil {
		return err
	}
	defer closeWithin(log, "database pool", st.Close)
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
	if err := st.EnsureAllowedSuperusers(ctx, cfg.SuperuserEmails); err != nil {
		return err
	}
	return serve(ctx, cfg, log, st, databaseURL, sessOpts, stdout)
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

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, st *store.Store, databaseURL string, sessOpts store.Options, stdout io.Writer) error {
	sessions, err := store.OpenSessions(ctx, databaseURL, sessOpts)
	if err != nil {
		return err
	}
	defer closeWithin(log, "session store", sessions.Close)
	mainPool, sessPool, listener := cfg.DBPools()
	log.Info("database pools", "main", mainPool, "sessions", sessPool, "listener", listener, "total", cfg.DBMaxConns,
		"statement_timeout", cfg.DBStatementTimeout, "request_timeout", cfg.RequestTimeout)

	opt := handlers.Options{SessionStorage: sessions}
	if cfg.LiveMaxStreams > 0 {
		// The board's live updates: this instance's one listening connection.
		broker, err := live.Start(ctx, databaseURL, live.Options{MaxStreams: cfg.LiveMaxStreams, Log: log})
		if err != nil {
			return err
		}
		defer closeWithin(log, "live-update listener", broker.Close)
		opt.Live = broker
		log.Info("live updates", "max_streams", cfg.LiveMaxStreams, "stream_max_age", cfg.LiveStreamMaxAge)
	}
	if cfg.IAPAudience != "" {
		v, err := iap.New(ctx, iap.Config{JWKSURL: cfg.IAPJWKSURL, Audience: cfg.IAPAudience, Issuer: cfg.IAPIssuer, HostedDomain: cfg.IAPHostedDomain})
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
	// In-flight requests end within REQUEST_TIMEOUT even on a frozen database, and live-update
	// streams as soon as the shutdown begins; a request still running after that is cut rather
	// than holding the stop past the platform's limit.
	if err := app.ShutdownWithTimeout(cfg.RequestTimeout + time.Second); err != nil {
		log.Warn("shutdown: requests were still running", "error", err)
	}
	return nil
}

// closeWithin closes a pool without waiting more than a second on connections that a frozen
// database still holds (they fail by themselves when their deadline passes).
func closeWithin(log *slog.Logger, what string, closeFn func() error) {
	done := make(chan error, 1)
	go func() { done <- closeFn() }()
	select {
	case err := <-done:
		if err != nil {
			log.Warn("closing "+what, "error", err)
		}
	case <-time.After(time.Second):
		log.Warn("closing " + what + ": connections still busy; not waiting")
	}
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
