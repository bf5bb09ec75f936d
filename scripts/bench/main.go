// Command bench measures the three busiest pages (the board, a ticket's page and the live FPA
// preview) on the real server binary against production-sized data, and prints what the next
// person compares: requests per second and latency at 8 and 64 clients, statements sent to
// PostgreSQL per request, bytes of HTML per ticket, and the server's memory; last, the board's
// workbook of up to 50 000 tickets on a fresh server: its time, the server's memory growth and
// its temporary files.
//
//	go run ./scripts/bench [-sizes 10000,1000000] [-n 3000]
//
// Each data set (the demo seed topped up to the size, 300 active tickets in the measured
// clinic) is loaded once into a template database and reused by later runs of the same day
// and schema; every run works on a fresh copy, dropped at the end. The admin URL is
// TEST_DATABASE_URL's, as for the tests.
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redsalud/ticket-home/db"
	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/internal/benchdata"
	"github.com/redsalud/ticket-home/internal/faultproxy"
	"github.com/redsalud/ticket-home/internal/testdb"
	"github.com/redsalud/ticket-home/store"
)

const (
	activeTickets = 300
	// dataRevision changes whenever benchdata loads differently, so old templates are not reused.
	dataRevision = "1"
)

// The measured clinic: the demo's fifth, and its clinical user.
var (
	clinicCode = fpa.DefaultClinicCode(demo.ClinicNames[4])
	username   = "clinico_" + strings.ToLower(clinicCode)
)

func main() {
	sizes := flag.String("sizes", "10000,1000000", "total tickets of each data set, comma-separated")
	n := flag.Int("n", 3000, "requests per page at each concurrency")
	flag.Parse()
	if err := run(*sizes, *n); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(sizes string, n int) error {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "ticket-home-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "ticket-home")
	build := exec.Command("go", "build", "-o", bin, "./cmd/ticket-home")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	var list []int
	for _, s := range strings.Split(sizes, ",") {
		size, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || size < 1000 {
			return fmt.Errorf("size %q: want a number of tickets ≥ 1000", s)
		}
		list = append(list, size)
	}
	if err := dropOutdated(list); err != nil {
		return fmt.Errorf("outdated data sets: %w", err)
	}
	var results []*sizeResult
	for _, size := range list {
		r, err := measureSize(ctx, bin, size, n)
		if err != nil {
			return fmt.Errorf("%d tickets: %w", size, err)
		}
		results = append(results, r)
		r.print(os.Stdout)
	}
	if len(results) > 1 {
		first, last := results[0], results[len(results)-1]
		for _, c := range []int{8, 64} {
			a, b := first.rate("board", c), last.rate("board", c)
			fmt.Printf("board at %d clients: %.0f req/s with %d tickets, %.0f req/s with %d (%.2f×)\n",
				c, a, first.size, b, last.size, b/a)
		}
	}
	return nil
}

// sizeResult is one data set's figures.
type sizeResult struct {
	size    int
	load    time.Duration
	pages   []pageFigures
	runs    []runFigures
	rssMax  int64 // kB, the server's peak resident memory (VmHWM)
	exports []exportFigures
}

type pageFigures struct {
	name                   string
	statements, roundTrips int64
	bytes, gzipBytes       int
	perTicket              int // bytes of HTML per ticket shown (the board only)
}

type runFigures struct {
	page     string
	clients  int
	rps      float64
	p50, p95 time.Duration
	rssKB    int64
	// failed counts answers other than 200 (a 503 when the server could not keep up).
	failed int64
	// cpu is the server's CPU time per request; pgCPU PostgreSQL's (every postgres process of
	// this machine: 0 when the database runs elsewhere).
	cpu, pgCPU time.Duration
}

func (r *sizeResult) rate(page string, clients int) float64 {
	for _, f := range r.runs {
		if f.page == page && f.clients == clients {
			return f.rps
		}
	}
	return 0
}

func (r *sizeResult) print(w io.Writer) {
	fmt.Fprintf(w, "\n== %d tickets (%d active in %s; data set ready in %s)\n", r.size, activeTickets, clinicCode, r.load.Round(time.Millisecond))
	fmt.Fprintf(w, "%-12s %10s %11s %10s %10s %12s\n", "page", "statements", "round trips", "HTML B", "gzip B", "B/ticket")
	for _, p := range r.pages {
		per := "-"
		if p.perTicket > 0 {
			per = strconv.Itoa(p.perTicket)
		}
		fmt.Fprintf(w, "%-12s %10d %11d %10d %10d %12s\n", p.name, p.statements, p.roundTrips, p.bytes, p.gzipBytes, per)
	}
	fmt.Fprintf(w, "%-12s %8s %10s %9s %9s %10s %12s %12s %8s\n", "page", "clients", "req/s", "p50 ms", "p95 ms", "RSS MB", "server CPU", "Postgres CPU", "failed")
	for _, f := range r.runs {
		fmt.Fprintf(w, "%-12s %8d %10.0f %9.1f %9.1f %10.1f %9.0f µs %9.0f µs %8d\n", f.page, f.clients, f.rps, ms(f.p50), ms(f.p95),
			float64(f.rssKB)/1024, float64(f.cpu)/float64(time.Microsecond), float64(f.pgCPU)/float64(time.Microsecond), f.failed)
	}
	fmt.Fprintf(w, "server peak RSS: %.1f MB\n", float64(r.rssMax)/1024)
	for _, x := range r.exports {
		fmt.Fprintf(w, "board workbook: %d tickets in %s, %.1f MB; server RSS %.1f → peak %.1f MB (+%.1f MB); temporary files peak %.1f MB, left after the response: %d\n",
			x.tickets, x.took.Round(time.Millisecond), float64(x.bytes)/(1<<20), float64(x.rssBefore)/1024, float64(x.rssPeak)/1024,
			float64(x.rssPeak-x.rssBefore)/1024, float64(x.tempPeak)/(1<<20), x.tempLeft)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// templateComment marks the template databases of the data sets.
const templateComment = "ticket-home bench data set"

// datasetVersion names the data set of size tickets: it is loaded again for another schema,
// another day (the tickets are placed around now) or another revision of the loader.
func datasetVersion(size int) string {
	day := time.Now().In(fpa.Santiago).Format("2006-01-02")
	return strings.Join([]string{db.MigrationsVersion(), "bench", dataRevision, day, strconv.Itoa(size)}, "\x00")
}

// dropOutdated drops the data sets of other days and schemas; today's of the usual sizes and
// of sizes stay.
func dropOutdated(sizes []int) error {
	var keep []string
	for _, n := range append([]int{10_000, 1_000_000}, sizes...) {
		keep = append(keep, testdb.TemplateName(datasetVersion(n)))
	}
	return testdb.DropTemplates(templateComment, keep)
}

// dataset returns a fresh copy of the data set of size tickets, and its cleanup.
func dataset(size int) (appURL, adminURL string, cleanup func(), err error) {
	appURL, adminURL, cleanup, err = testdb.Shared(datasetVersion(size), func(ctx context.Context, url string) error {
		fmt.Fprintf(os.Stderr, "bench: loading %d tickets into a template (once per day and schema)…\n", size)
		conn, err := sql.Open("postgres", url)
		if err != nil {
			return err
		}
		_, err = conn.ExecContext(ctx, `DO $$ BEGIN EXECUTE format('COMMENT ON DATABASE %I IS %L', current_database(), '`+templateComment+`'); END $$`)
		conn.Close()
		if err != nil {
			return err
		}
		if err := db.Migrate(ctx, url); err != nil {
			return err
		}
		st, err := store.Open(ctx, url, store.Options{MaxConns: 2, StatementTimeout: time.Hour})
		if err != nil {
			return err
		}
		err = demo.Seed(ctx, st, true, time.Now())
		st.Close()
		if err != nil {
			return err
		}
		return benchdata.Load(ctx, url, clinicCode, activeTickets, size)
	})
	return appURL, adminURL, cleanup, err
}

func measureSize(ctx context.Context, bin string, size, n int) (*sizeResult, error) {
	start := time.Now()
	appURL, adminURL, cleanup, err := dataset(size)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	r := &sizeResult{size: size, load: time.Since(start)}

	u, err := url.Parse(appURL)
	if err != nil {
		return nil, err
	}
	proxy, err := faultproxy.New(u.Host)
	if err != nil {
		return nil, err
	}
	defer proxy.Close()
	proxied, err := proxy.RewriteURL(appURL)
	if err != nil {
		return nil, err
	}

	// First through the proxy that counts what the server sends to PostgreSQL: sign the
	// clients in, check every page once and count its statements.
	srv, err := startServer(ctx, bin, proxied)
	if err != nil {
		return nil, err
	}
	clients, err := signIn(ctx, srv.base, 64)
	if err != nil {
		srv.stop()
		return nil, err
	}
	pages, err := newPages(ctx, srv.base, clients, appURL)
	if err != nil {
		srv.stop()
		return nil, err
	}
	for _, p := range pages {
		f, err := p.figures(ctx, srv.base, clients[0], proxy)
		if err != nil {
			srv.stop()
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
		r.pages = append(r.pages, f)
	}
	if err := srv.stop(); err != nil {
		return nil, err
	}

	// Then straight to PostgreSQL, under load. The sessions are in the database: the clients
	// stay signed in.
	srv, err = startServer(ctx, bin, appURL)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	for _, p := range pages {
		for _, c := range []int{8, 64} {
			f, err := p.load(ctx, srv, clients[:c], n)
			if err != nil {
				return nil, fmt.Errorf("%s at %d clients: %w", p.name, c, err)
			}
			r.runs = append(r.runs, f)
		}
	}
	r.rssMax = srv.status("VmHWM")
	if err := srv.stop(); err != nil {
		return nil, err
	}

	// Last, the board's workbooks of about 5 000 and 50 000 tickets, each on a server just
	// started: how much its memory grows, how long it takes, what its temporary files weigh and
	// that none is left.
	for _, target := range exportTargets {
		srv, err = startServer(ctx, bin, appURL)
		if err != nil {
			return nil, err
		}
		x, err := measureExport(ctx, srv, clients[0], adminURL, target)
		if err != nil {
			srv.stop()
			return nil, fmt.Errorf("export: %w", err)
		}
		if err := srv.stop(); err != nil {
			return nil, err
		}
		r.exports = append(r.exports, x)
	}
	return r, nil
}

// server is the ticket-home binary running on a loopback port.
type server struct {
	cmd  *exec.Cmd
	base string
	out  *bytes.Buffer
	tmp  string // its TMPDIR
}

func startServer(ctx context.Context, bin, dbURL string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	// A temporary directory of its own, to see the files it leaves.
	tmp, err := os.MkdirTemp("", "ticket-home-bench-server-")
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "APP_ENV=local", "DATABASE_URL="+dbURL, "PORT="+strconv.Itoa(port),
		"APP_VERSION=bench", "LOG_FORMAT=json")
	out := &bytes.Buffer{}
	cmd.Stderr = out
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	s := &server{cmd: cmd, base: "http://127.0.0.1:" + strconv.Itoa(port), out: out, tmp: tmp}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("server not ready after 30 s: %s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) stop() error {
	if s.cmd.ProcessState != nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	err := s.cmd.Wait()
	os.RemoveAll(s.tmp)
	if err != nil {
		return fmt.Errorf("server: %w\n%s", err, s.out.String())
	}
	return nil
}

// status reads a memory figure (kB) of the server from /proc (0 where there is none).
func (s *server) status(key string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			v, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return v
		}
	}
	return 0
}

// cpu is the server's CPU time so far (user and system), from /proc.
func (s *server) cpu() time.Duration { return processCPU(s.cmd.Process.Pid) }

// postgresCPU is the CPU time so far of every PostgreSQL process of this machine.
func postgresCPU() time.Duration {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var total time.Duration
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err == nil && strings.TrimSpace(string(comm)) == "postgres" {
			total += processCPU(pid)
		}
	}
	return total
}

// processCPU is a process's CPU time so far (user and system), from /proc.
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (which may hold spaces) in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // clock ticks: 100 per second on Linux
}

// client is one signed-in browser: its cookies and its session's CSRF token.
type client struct {
	http *http.Client
	csrf string
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func signIn(ctx context.Context, base string, n int) ([]*client, error) {
	transport := &http.Transport{MaxIdleConns: 2 * n, MaxIdleConnsPerHost: 2 * n, IdleConnTimeout: time.Minute}
	var out []*client
	for range n {
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Transport: transport, Jar: jar, Timeout: time.Minute,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		body, _, err := send(ctx, hc, http.MethodGet, base+"/login", nil, nil)
		if err != nil {
			return nil, err
		}
		m := csrfField.FindSubmatch(body)
		if m == nil {
			return nil, errors.New("no CSRF token on the sign-in page")
		}
		form := url.Values{"_csrf": {string(m[1])}, "username": {username}, "password": {demo.Password}}
		if _, resp, err := send(ctx, hc, http.MethodPost, base+"/login", form, nil); err != nil {
			return nil, err
		} else if resp.StatusCode != http.StatusSeeOther {
			return nil, fmt.Errorf("sign-in as %s = %d", username, resp.StatusCode)
		}
		body, _, err = send(ctx, hc, http.MethodGet, base+"/tickets/nuevo", nil, nil)
		if err != nil {
			return nil, err
		}
		if m = csrfField.FindSubmatch(body); m == nil {
			return nil, errors.New("no CSRF token on the new-ticket page")
		}
		out = append(out, &client{http: hc, csrf: string(m[1])})
	}
	return out, nil
}

// send makes one request (a form when form is not nil) and returns the body as received.
func send(ctx context.Context, hc *http.Client, method, target string, form url.Values, header http.Header) ([]byte, *http.Response, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return b, resp, err
}

// page is one measured page: how client i asks for it (its kth request) and what a correct
// answer contains.
type page struct {
	name    string
	request func(c *client, k int) (method, path string, form url.Values, header http.Header)
	want    string
}

func newPages(ctx context.Context, base string, clients []*client, appURL string) ([]*page, error) {
	// The clinic's active tickets, read as the server's users would see them: from the board.
	ids, err := activeTicketIDs(ctx, base, clients[0])
	if err != nil {
		return nil, err
	}
	surgery, err := surgeryID(ctx, base, clients[0])
	if err != nil {
		return nil, err
	}
	now := time.Now().In(fpa.Santiago).Add(-3 * time.Hour)
	htmx := func(c *client) http.Header {
		return http.Header{"Hx-Request": {"true"}, "X-Csrf-Token": {c.csrf}}
	}
	return []*page{
		{name: "board", want: `id="resultados"`, request: func(c *client, k int) (string, string, url.Values, http.Header) {
			return http.MethodGet, "/tablero", nil, nil
		}},
		{name: "ticket", want: `Historial`, request: func(c *client, k int) (string, string, url.Values, http.Header) {
			return http.MethodGet, "/tickets/" + ids[k%len(ids)], nil, nil
		}},
		{name: "preview", want: `+ 24 h =`, request: func(c *client, k int) (string, string, url.Values, http.Header) {
			at := now.Add(-time.Duration(k%600) * time.Minute)
			form := url.Values{"cirugia": {surgery}, "fecha_pabellon": {at.Format("02/01/2006")}, "hora_pabellon": {at.Format("15:04")}}
			return http.MethodPost, "/tickets/nuevo/vista-previa", form, htmx(c)
		}},
	}, nil
}

var ticketLink = regexp.MustCompile(`href="/tickets/(\d+)"`)

// activeTicketIDs lists the tickets on the first pages of the board.
func activeTicketIDs(ctx context.Context, base string, c *client) ([]string, error) {
	seen := map[string]bool{}
	var ids []string
	for p := 1; p <= 6; p++ {
		body, _, err := send(ctx, c.http, http.MethodGet, base+"/tablero?pagina="+strconv.Itoa(p), nil, nil)
		if err != nil {
			return nil, err
		}
		for _, m := range ticketLink.FindAllSubmatch(body, -1) {
			if id := string(m[1]); !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) < 100 {
		return nil, fmt.Errorf("the board links %d tickets, want at least 100", len(ids))
	}
	return ids, nil
}

var surgeryOption = regexp.MustCompile(`<option value="(\d+)"[^>]*>Apendicectomía laparoscópica`)

func surgeryID(ctx context.Context, base string, c *client) (string, error) {
	body, _, err := send(ctx, c.http, http.MethodGet, base+"/tickets/nuevo", nil, nil)
	if err != nil {
		return "", err
	}
	m := surgeryOption.FindSubmatch(body)
	if m == nil {
		return "", errors.New("no appendectomy among the surgeries of the new-ticket form")
	}
	return string(m[1]), nil
}

// do sends client c's kth request for the page, compressed when gz, and checks the answer.
func (p *page) do(ctx context.Context, base string, c *client, k int, gz bool) ([]byte, error) {
	method, path, form, header := p.request(c, k)
	if header == nil {
		header = http.Header{}
	}
	if gz {
		header.Set("Accept-Encoding", "gzip")
	}
	body, resp, err := send(ctx, c.http, method, base+path, form, header)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &statusError{fmt.Sprintf("%s %s = %d", method, path, resp.StatusCode)}
	}
	return body, nil
}

// statusError is an answer other than 200.
type statusError struct{ msg string }

func (e *statusError) Error() string { return e.msg }

// figures checks the page and counts, over 10 requests after a first one, the statements
// the server sends per request.
func (p *page) figures(ctx context.Context, base string, c *client, proxy *faultproxy.Proxy) (pageFigures, error) {
	f := pageFigures{name: p.name}
	body, err := p.do(ctx, base, c, 0, false)
	if err != nil {
		return f, err
	}
	if !bytes.Contains(body, []byte(p.want)) {
		return f, fmt.Errorf("the answer lacks %q", p.want)
	}
	f.bytes = len(body)
	if gz, err := p.do(ctx, base, c, 0, true); err == nil {
		f.gzipBytes = len(gz)
	}
	const k = 10
	before := proxy.Counts()
	for i := 1; i <= k; i++ {
		if _, err := p.do(ctx, base, c, i, true); err != nil {
			return f, err
		}
	}
	d := proxy.Counts().Sub(before)
	f.statements, f.roundTrips = d.Statements/k, d.RoundTrips/k
	if p.name == "board" {
		per, err := bytesPerTicket(ctx, base, c)
		if err != nil {
			return f, err
		}
		f.perTicket = per
	}
	return f, nil
}

// bytesPerTicket compares a full board page with a board that shows no ticket (a search
// that matches nobody).
func bytesPerTicket(ctx context.Context, base string, c *client) (int, error) {
	full, _, err := send(ctx, c.http, http.MethodGet, base+"/tablero", nil, nil)
	if err != nil {
		return 0, err
	}
	form := url.Values{"_csrf": {c.csrf}, "q": {"zzzzzz"}}
	if _, _, err := send(ctx, c.http, http.MethodPost, base+"/tablero", form, nil); err != nil {
		return 0, err
	}
	empty, _, err := send(ctx, c.http, http.MethodGet, base+"/tablero", nil, nil)
	if err != nil {
		return 0, err
	}
	form.Set("q", "")
	form.Set("limpiar", "1")
	if _, _, err := send(ctx, c.http, http.MethodPost, base+"/tablero", form, nil); err != nil {
		return 0, err
	}
	// Rendered once per ticket (one markup for card and row) or more: count tickets, not marks.
	shown := uniqueTickets(full)
	if shown == 0 {
		return 0, errors.New("the board shows no ticket")
	}
	return (len(full) - len(empty)) / shown, nil
}

func uniqueTickets(body []byte) int {
	seen := map[string]bool{}
	for _, m := range ticketLink.FindAllSubmatch(body, -1) {
		seen[string(m[1])] = true
	}
	return len(seen)
}

// load sends n requests from the clients at once, each taking the next as soon as its
// previous one is answered, and samples the server's memory meanwhile.
func (p *page) load(ctx context.Context, srv *server, clients []*client, n int) (runFigures, error) {
	f := runFigures{page: p.name, clients: len(clients)}
	// Warm the connections and the server's caches.
	for i, c := range clients {
		if _, err := p.do(ctx, srv.base, c, i, true); err != nil {
			return f, err
		}
	}
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var failed atomic.Int64
	var failure atomic.Value
	var rss atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if v := srv.status("VmRSS"); v > rss.Load() {
					rss.Store(v)
				}
			}
		}
	}()
	var wg sync.WaitGroup
	cpu0, pg0 := srv.cpu(), postgresCPU()
	start := time.Now()
	for _, c := range clients {
		wg.Go(func() {
			for failure.Load() == nil {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				t0 := time.Now()
				_, err := p.do(ctx, srv.base, c, int(i), true)
				lat[i] = time.Since(t0)
				var se *statusError
				if errors.As(err, &se) {
					failed.Add(1)
				} else if err != nil {
					failure.CompareAndSwap(nil, err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	f.cpu = (srv.cpu() - cpu0) / time.Duration(n)
	f.pgCPU = (postgresCPU() - pg0) / time.Duration(n)
	close(stop)
	<-sampled
	if err, _ := failure.Load().(error); err != nil {
		return f, err
	}
	slices.Sort(lat)
	f.rps = float64(n) / elapsed.Seconds()
	f.p50, f.p95 = lat[n/2], lat[n*95/100]
	f.rssKB = rss.Load()
	f.failed = failed.Load()
	return f, nil
}
