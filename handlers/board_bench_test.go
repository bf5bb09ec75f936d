package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/redsalud/ticket-home/config"
	"github.com/redsalud/ticket-home/db"
	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/handlers"
	"github.com/redsalud/ticket-home/internal/benchdata"
	"github.com/redsalud/ticket-home/internal/testdb"
	"github.com/redsalud/ticket-home/store"
)

// The board benchmark's database and load: a network's 100 000 tickets, a busy clinic's
// board of 300, and a ward's worth of nurses' screens at once.
const (
	benchTotalTickets  = 100_000
	benchActiveTickets = 300
	benchClients       = 32
)

// BenchmarkBoard measures GET /tablero over loopback against the real server on a database
// of 100 000 tickets: 32 signed-in clients share b.N requests; eight clients in ten show the
// default board, one a search by surname (kept in its session, as a nurse's search is), one
// the vencido filter. The load is done once, in the parent benchmark (which runs once); the
// sub-benchmark is what testing repeats with growing b.N.
func BenchmarkBoard(b *testing.B) {
	srv := startBoardBench(b)
	surname := strings.ToLower(benchdata.Surnames[0])
	kinds := []boardKind{
		{"default", "/tablero", ""},
		{"q=" + surname, "/tablero", surname},
		{"estado=vencido", "/tablero?estado=" + store.StateVencido, ""},
	}
	mix := []boardKind{kinds[0], kinds[0], kinds[0], kinds[1], kinds[0], kinds[0], kinds[0], kinds[0], kinds[2], kinds[0]}
	srv.assign(b, mix)
	var shown, serial []string
	for _, k := range kinds {
		shown = append(shown, k.name+": "+srv.verify(b, k))
	}
	// One client, one request at a time: the service time, without the queueing of the run.
	for _, k := range kinds {
		lat := srv.serial(b, k, 10)
		serial = append(serial, fmt.Sprintf("%s p50 %.1f ms", k.name, ms(percentile(lat, 0.5))))
	}
	// testing keeps ten lines of a benchmark's log: one line per fact.
	srv.notes = append(srv.notes, "boards: "+strings.Join(shown, "; "),
		"serial (1 client, 10 requests each): "+strings.Join(serial, "; "))
	b.Run("mix", func(b *testing.B) { srv.run(b) })
}

// boardKind is one board the clients ask for: its URL, and the search its clients' sessions
// hold ("" for none).
type boardKind struct{ name, path, search string }

// assign gives client i the board mix[i % len(mix)] for the whole run, posting its search.
func (s *boardBench) assign(b *testing.B, mix []boardKind) {
	b.Helper()
	s.kinds = make([]boardKind, len(s.clients))
	for i, c := range s.clients {
		k := mix[i%len(mix)]
		s.kinds[i] = k
		if k.search == "" {
			continue
		}
		body, err := getBoard(b.Context(), c, s.base, "/tablero")
		if err != nil {
			b.Fatal(err)
		}
		m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(body)
		if m == nil {
			b.Fatal("no CSRF token on the board")
		}
		form := url.Values{"_csrf": {string(m[1])}, "q": {k.search}}
		resp, err := c.PostForm(s.base+"/tablero", form)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			b.Fatalf("POST /tablero (search) = %d, want 303", resp.StatusCode)
		}
	}
}

// clientFor is a client that shows board k.
func (s *boardBench) clientFor(k boardKind) *http.Client {
	for i, ki := range s.kinds {
		if ki == k {
			return s.clients[i]
		}
	}
	return s.clients[0]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// percentile of sorted latencies.
func percentile(sorted []time.Duration, q float64) time.Duration {
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// errorLog keeps the server's ERROR lines (a 500's cause) and drops the rest, which are
// still formatted as in production.
type errorLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *errorLog) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("level=ERROR")) {
		l.mu.Lock()
		if len(l.lines) < 20 {
			l.lines = append(l.lines, strings.TrimSpace(string(p)))
		}
		l.mu.Unlock()
	}
	return len(p), nil
}

func (l *errorLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// boardBench is the running server and its signed-in clients.
type boardBench struct {
	base    string
	clients []*http.Client
	errs    *errorLog
	// notes are the setup's figures, logged by the sub-benchmark: a parent benchmark's log is
	// shown only with -v.
	notes []string
	// active is the number of vigente tickets of the signed-in clinic (the default board's total).
	active int
	// kinds[i] is the board client i asks for.
	kinds []boardKind
}

// startBoardBench makes a database of its own (the 100 000 rows would slow the package's
// other tests on the shared one), loads it, starts the app on a loopback port and signs in
// benchClients clients as the clinic's clinico user.
func startBoardBench(b *testing.B) *boardBench {
	b.Helper()
	ctx := b.Context()
	appURL, superURL := testdb.New(b, db.MigrationsVersion(), db.Migrate)
	st, err := store.Open(ctx, appURL, store.Options{MaxConns: 4})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	start := time.Now()
	if err := demo.Seed(ctx, st, true, time.Now()); err != nil {
		b.Fatal(err)
	}
	seeded := time.Now()
	code := fpa.DefaultClinicCode(demo.ClinicNames[4])
	if err := benchdata.Load(ctx, superURL, code, benchActiveTickets, benchTotalTickets); err != nil {
		b.Fatal(err)
	}
	loaded := fmt.Sprintf("demo seed %s; load of %d tickets (%d vigente in %s) incl. VACUUM ANALYZE %s",
		seeded.Sub(start).Round(time.Millisecond), benchTotalTickets, benchActiveTickets, code,
		time.Since(seeded).Round(time.Millisecond))

	// As the server builds itself in production, on this database: the same pools and limits.
	cfg, err := config.Load(func(k string) string {
		if k == "APP_VERSION" {
			return "bench"
		}
		return ""
	})
	if err != nil {
		b.Fatal(err)
	}
	mainOpts, sessOpts := store.OptionsFor(cfg)
	server, err := store.Open(ctx, appURL, mainOpts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { server.Close() })
	sessions, err := store.OpenSessions(ctx, appURL, sessOpts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sessions.Close() })
	errs := &errorLog{}
	h := handlers.New(cfg, server, slog.New(slog.NewTextHandler(errs, nil)), handlers.Options{SessionStorage: sessions})
	app := h.App()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	b.Cleanup(func() {
		if err := app.ShutdownWithTimeout(10 * time.Second); err != nil {
			b.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			b.Errorf("serve: %v", err)
		}
	})

	srv := &boardBench{base: "http://" + ln.Addr().String(), errs: errs, active: benchActiveTickets, notes: []string{loaded}}
	transport := &http.Transport{MaxIdleConns: 2 * benchClients, MaxIdleConnsPerHost: 2 * benchClients, IdleConnTimeout: time.Minute}
	b.Cleanup(transport.CloseIdleConnections)
	username := "clinico_" + strings.ToLower(code)
	for range benchClients {
		jar, err := cookiejar.New(nil)
		if err != nil {
			b.Fatal(err)
		}
		c := &http.Client{
			Transport: transport, Jar: jar, Timeout: time.Minute,
			// A redirect here means the session was lost: report it rather than follow it.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		if err := srv.signIn(ctx, c, username); err != nil {
			b.Fatal(err)
		}
		srv.clients = append(srv.clients, c)
	}
	return srv
}

// signIn does what a browser does: open the sign-in page for its CSRF token, post the form.
func (s *boardBench) signIn(ctx context.Context, c *http.Client, username string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/login", nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	d, err := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	tok, _ := d.Find(`input[name="_csrf"]`).First().Attr("value")
	if resp.StatusCode != http.StatusOK || tok == "" {
		return fmt.Errorf("GET /login = %d, CSRF token %q", resp.StatusCode, tok)
	}
	form := url.Values{"_csrf": {tok}, "username": {username}, "password": {demo.Password}}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = c.Do(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body) // only the status and the cookie matter
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("POST /login as %s = %d, want 303", username, resp.StatusCode)
	}
	return nil
}

// getBoard fetches path and checks it is the board: status 200 and the results region with rows.
func getBoard(ctx context.Context, c *http.Client, base, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s = %d (Location %q)", path, resp.StatusCode, resp.Header.Get("Location"))
	}
	if !bytes.Contains(body, []byte(`id="resultados"`)) || !bytes.Contains(body, []byte(`<tr data-ticket`)) {
		return nil, fmt.Errorf("GET %s: 200 without the board's rows", path)
	}
	return body, nil
}

// verify checks once, outside any timer, that the URL shows a full page of the board, and
// that the default board counts exactly the clinic's active tickets. It returns the title.
func (s *boardBench) verify(b *testing.B, k boardKind) string {
	b.Helper()
	body, err := getBoard(b.Context(), s.clientFor(k), s.base, k.path)
	if err != nil {
		b.Fatalf("%v\nserver errors:\n%s", err, s.errs)
	}
	d, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	title := strings.Join(strings.Fields(d.Find("#resultados-titulo").Text()), " ")
	total, err := strconv.Atoi(strings.Fields(title + " x")[0])
	if err != nil {
		b.Fatalf("GET %s: title %q", k.path, title)
	}
	if rows := d.Find("tr[data-ticket]").Length(); rows != min(total, 50) {
		b.Fatalf("GET %s: %d rows for %q, want %d", k.path, rows, title, min(total, 50))
	}
	if k.path == "/tablero" && k.search == "" && total != s.active {
		b.Fatalf("default board: %q, want %d pacientes", title, s.active)
	}
	return title
}

// serial sends n requests one after the other from one client and returns their sorted
// latencies.
func (s *boardBench) serial(b *testing.B, k boardKind, n int) []time.Duration {
	b.Helper()
	lat := make([]time.Duration, n)
	for i := range lat {
		t0 := time.Now()
		if _, err := getBoard(b.Context(), s.clientFor(k), s.base, k.path); err != nil {
			b.Fatalf("%v\nserver errors:\n%s", err, s.errs)
		}
		lat[i] = time.Since(t0)
	}
	slices.Sort(lat)
	return lat
}

// run sends b.N requests from all the clients at once, each client taking the next request
// as soon as its previous one is answered (each client asks for its own board), and reports
// throughput and latency percentiles, overall and per kind.
func (s *boardBench) run(b *testing.B) {
	for _, n := range s.notes {
		b.Log(n)
	}
	s.notes = nil
	ctx := b.Context()
	lat := make([]time.Duration, b.N)
	kindOf := make([]string, b.N)
	var next atomic.Int64
	var failed atomic.Bool
	var errMu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for ci, c := range s.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				_, err := getBoard(ctx, c, s.base, s.kinds[ci].path)
				lat[i], kindOf[i] = time.Since(t0), s.kinds[ci].name
				if err != nil {
					errMu.Lock()
					errs = append(errs, err)
					errMu.Unlock()
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if len(errs) > 0 {
		b.Fatalf("%d failed requests, first: %v\nserver errors:\n%s", len(errs), errs[0], s.errs)
	}

	byKind := map[string][]time.Duration{}
	for i, d := range lat {
		byKind[kindOf[i]] = append(byKind[kindOf[i]], d)
	}
	slices.Sort(lat)
	rps := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rps, "req/s")
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.95)), "p95-ms")
	b.Logf("%d requests by %d clients in %s: %.1f req/s, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms",
		b.N, len(s.clients), elapsed.Round(time.Millisecond), rps, ms(percentile(lat, 0.50)),
		ms(percentile(lat, 0.95)), ms(percentile(lat, 0.99)), ms(lat[len(lat)-1]))
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(byKind)) {
		l := byKind[name]
		slices.Sort(l)
		parts = append(parts, fmt.Sprintf("%s ×%d p50 %.1f ms p95 %.1f ms", name, len(l), ms(percentile(l, 0.50)), ms(percentile(l, 0.95))))
	}
	b.Log("by kind: " + strings.Join(parts, "; "))
}
