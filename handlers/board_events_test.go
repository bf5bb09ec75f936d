package handlers_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/config"
	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/handlers"
	"github.com/redsalud/ticket-home/internal/testapp"
	"github.com/redsalud/ticket-home/live"
	"github.com/redsalud/ticket-home/store"
)

// liveWait is how long a test waits for what should happen at once: generous, so that a
// loaded machine is slow, never wrong.
const liveWait = 30 * time.Second

// liveServer is an application instance with its own live-update listener, on the test
// binary's seeded database, served on a loopback port: a stream needs a real connection
// (app.Test waits for the whole response) and the server's real timeouts.
type liveServer struct {
	e      *env // its requests through app.Test, and the database
	app    *fiber.App
	broker *live.Broker
	base   string
}

type liveSettings struct {
	env           map[string]string // configuration keys
	serverTimeout time.Duration     // the server's read, write and idle timeouts, when not routes.go's
	heartbeat     time.Duration
}

func newLiveServer(t *testing.T, ls liveSettings) *liveServer {
	t.Helper()
	appURL, adminURL := testapp.DB(t)
	cfg, err := config.Load(func(k string) string {
		if v, ok := ls.env[k]; ok {
			return v
		}
		switch k {
		case "APP_VERSION":
			return "test"
		case "DATABASE_URL":
			return appURL
		case "DB_MAX_CONNS":
			return "6" // several instances at once: keep each one's share small
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mainOpts, sessOpts := store.OptionsFor(cfg)
	st, err := store.Open(ctx, appURL, mainOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sessions, err := store.OpenSessions(ctx, appURL, sessOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sessions.Close() })
	broker, err := live.Start(ctx, appURL, live.Options{MaxStreams: cfg.LiveMaxStreams,
		ApplicationName: "live " + t.Name(), MinReconnect: 20 * time.Millisecond, MaxReconnect: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { broker.Close() })
	h := handlers.New(cfg, st, slog.New(slog.DiscardHandler),
		handlers.Options{SessionStorage: sessions, Live: broker, LiveHeartbeat: ls.heartbeat})
	app := h.App()
	if d := ls.serverTimeout; d > 0 {
		srv := app.Server()
		srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout = d, d, d
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	t.Cleanup(func() {
		_ = app.ShutdownWithTimeout(5 * time.Second) // a test may have shut it down already
		<-served
	})
	return &liveServer{
		e:   &env{app: app, st: st, adminURL: adminURL, db: testapp.AdminDB(t)},
		app: app, broker: broker, base: "http://" + ln.Addr().String(),
	}
}

// sseMessage is one server-sent message: an event, an id alone, or a comment (heartbeat).
type sseMessage struct {
	event, data, id string
	comment         bool
}

// sseStream reads a stream's messages as they arrive.
type sseStream struct {
	resp   *http.Response
	msgs   chan sseMessage
	err    error // how the stream ended: nil for a clean end; set before msgs closes
	cancel context.CancelFunc
}

// request sends GET /tablero/eventos over the network with c's cookies, as a browser that
// accepts compressed responses (compression must leave streams alone).
func (s *liveServer) request(t *testing.T, c *client, header map[string]string) (*http.Response, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/tablero/eventos", nil)
	if err != nil {
		t.Fatal(err)
	}
	var cookies []string
	for k, v := range c.cookies {
		cookies = append(cookies, k+"="+v)
	}
	req.Header.Set("Cookie", strings.Join(cookies, "; "))
	req.Header.Set("Accept", "text/html, text/event-stream")
	req.Header.Set("Accept-Encoding", "gzip, br") // set here, so the client does not decompress
	req.Header.Set("HX-Request", "true")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	return resp, cancel
}

// open starts a stream for c and checks its headers; the stream closes when the test ends.
func (s *liveServer) open(t *testing.T, c *client, header map[string]string) *sseStream {
	t.Helper()
	resp, cancel := s.request(t, c, header)
	st := &sseStream{resp: resp, msgs: make(chan sseMessage, 1000), cancel: cancel}
	t.Cleanup(st.close)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream = %d, want 200", resp.StatusCode)
	}
	for k, want := range map[string]string{"Content-Type": "text/event-stream", "X-Accel-Buffering": "no", "Content-Encoding": ""} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("stream's %s = %q, want %q", k, got, want)
		}
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-cache") {
		t.Errorf("stream's Cache-Control = %q, want no-cache", cc)
	}
	go st.read()
	return st
}

func (st *sseStream) read() {
	defer close(st.msgs)
	r := bufio.NewReader(st.resp.Body)
	var m sseMessage
	started := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			if !errors.Is(err, io.EOF) {
				st.err = err
			}
			return
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if started {
				st.msgs <- m
			}
			m, started = sseMessage{}, false
			continue
		}
		started = true
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "":
			m.comment = true
		case "event":
			m.event = value
		case "data":
			m.data = value
		case "id":
			m.id = value
		}
	}
}

func (st *sseStream) close() {
	st.cancel()
	st.resp.Body.Close()
}

// next is the stream's next message; ok is false when the stream ended.
func (st *sseStream) next(t *testing.T) (m sseMessage, ok bool) {
	t.Helper()
	select {
	case m, ok = <-st.msgs:
		return m, ok
	case <-time.After(liveWait):
		t.Fatalf("no message within %s", liveWait)
	}
	return
}

// event waits for the stream's next "tablero" event, past ids and heartbeats.
func (st *sseStream) event(t *testing.T, what string) sseMessage {
	t.Helper()
	deadline := time.After(liveWait)
	for {
		select {
		case m, ok := <-st.msgs:
			if !ok {
				t.Fatalf("the stream ended (%v) before an event for %s", st.err, what)
			}
			if m.event != "" {
				if m.event != "tablero" || m.data == "" || m.id == "" {
					t.Fatalf("event %+v, want a tablero event with data and id", m)
				}
				return m
			}
		case <-deadline:
			t.Fatalf("no event for %s within %s", what, liveWait)
		}
	}
}

// ended waits for the stream to end and says how: nil for a clean end.
func (st *sseStream) ended(t *testing.T, within time.Duration) error {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case m, ok := <-st.msgs:
			if !ok {
				return st.err
			}
			if m.event != "" && m.event != "tablero" {
				t.Errorf("unexpected event %+v", m)
			}
		case <-deadline:
			t.Fatalf("the stream did not end within %s", within)
		}
	}
}

// signedIn is a client of s signed in as username.
func (s *liveServer) signedIn(t *testing.T, username string) *client {
	t.Helper()
	c := s.e.client(t)
	c.login(username)
	return c
}

func clinicOf(t *testing.T, e *env, username string) int64 {
	t.Helper()
	return int64(e.count(t, `SELECT clinic_id FROM users WHERE username = $1`, username))
}

// A nurse changes a ticket on one instance: the boards of that clinic open on another
// instance are told within moments, and those of other clinics are not.
func TestBoardEvents_AChangeOnOneInstanceReachesTheClinicsStreamsOnAnother(t *testing.T) {
	a, b := newLiveServer(t, liveSettings{}), newLiveServer(t, liveSettings{})
	mayo, iqui := clinicOf(t, a.e, "clinico_mayo"), clinicOf(t, a.e, "visor_iqui")
	created := time.Now()
	tk := ticketBy(t, a.e, "clinico_mayo")
	// That creation is a change too: B has heard of it before any stream opens.
	testapp.Eventually(t, liveWait, "instance B to hear of the new ticket", func() bool { return b.broker.ChangedSince(mayo, created) })

	nurse := a.signedIn(t, "clinico_mayo")
	viewer := a.signedIn(t, "visor_iqui") // any signed-in reader
	everyClinic := a.signedIn(t, demo.SuperuserName)
	chosen := a.signedIn(t, demo.SuperuserName)
	if resp := chosen.get(fmt.Sprintf("/tablero?clinica=%d", iqui)); resp.StatusCode != http.StatusOK {
		t.Fatalf("superuser choosing a clinic = %d", resp.StatusCode)
	}
	sNurse, sViewer, sAll, sChosen := b.open(t, nurse, nil), b.open(t, viewer, nil), b.open(t, everyClinic, nil), b.open(t, chosen, nil)
	for _, s := range []*sseStream{sNurse, sViewer, sAll, sChosen} {
		if m, ok := s.next(t); !ok || m.id == "" || m.event != "" {
			t.Fatalf("first message %+v, want an id alone", m)
		}
	}

	// The nurse moves the patient to another bed through instance A.
	f := actions["location"].form(t, a.e, tk)
	f.Set("_csrf", nurse.pageCSRF("/tablero"))
	f.Set("version", fmt.Sprint(tk.Version))
	f.Set("clave", key())
	if resp := nurse.post(fmt.Sprintf("/tickets/%d/ubicacion", tk.ID), f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("location change = %d, want 303", resp.StatusCode)
	}
	if m := sNurse.event(t, "a change of the clinic's ticket"); m.data != "1" {
		t.Errorf("first event's data = %q, want 1", m.data)
	}
	sAll.event(t, "a change of any clinic's ticket (superuser, every clinic)")

	// Then Iquique changes: its streams' first event is for that change (sent after it, and
	// the first), so they were told nothing of Mayor Temuco's.
	iquiChanged := time.Now()
	ticketBy(t, a.e, "clinico_iqui")
	for name, s := range map[string]*sseStream{"viewer": sViewer, "superuser in that clinic": sChosen} {
		m := s.event(t, "a change of the clinic's ticket")
		if sent, _ := strconv.ParseInt(m.id, 10, 64); m.data != "1" || sent < iquiChanged.UnixMilli() {
			t.Errorf("%s: the first event (#%s, sent %s before the clinic's change) was for another clinic's change",
				name, m.data, iquiChanged.Sub(time.UnixMilli(sent)))
		}
	}
	sAll.event(t, "the second clinic's change (superuser, every clinic)")
}

// Past LIVE_MAX_STREAMS the instance refuses streams (the board keeps its minute refresh); a
// stream the browser closed frees its place.
func TestBoardEvents_StreamsBeyondTheBoundAreRefusedWith503(t *testing.T) {
	s := newLiveServer(t, liveSettings{env: map[string]string{"LIVE_MAX_STREAMS": "2"}, heartbeat: 50 * time.Millisecond})
	c := s.signedIn(t, "visor_mayo")
	first := s.open(t, c, nil)
	s.open(t, c, nil)
	resp, cancel := s.request(t, c, nil)
	defer cancel()
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("third stream = %d, want 503", resp.StatusCode)
	}
	if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After = %q, want seconds", resp.Header.Get("Retry-After"))
	}
	// An event stream that ends at once: htmx's SSE extension retries it with a growing wait
	// instead of swapping an error page into the board.
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" || strings.Contains(string(body), "<") {
		t.Errorf("refusal is %q: %q, want an empty event stream", ct, body)
	}
	first.close()
	// The server notices at its next write (a heartbeat).
	testapp.Eventually(t, liveWait, "the closed stream's place to be freed", func() bool { return s.broker.Streams() == 1 })
	s.open(t, c, nil)
}

// A stream lives longer than REQUEST_TIMEOUT (the request's deadline) and the server's write
// timeout (and its read and idle timeouts), is not held back by the compression middleware,
// and ends cleanly at its max age.
func TestBoardEvents_StreamOutlivesTheRequestDeadlineAndWriteTimeoutAndEndsAtItsMaxAge(t *testing.T) {
	const requestTimeout, serverTimeout, maxAge = 2 * time.Second, 500 * time.Millisecond, 10 * time.Second
	s := newLiveServer(t, liveSettings{
		env: map[string]string{"REQUEST_TIMEOUT": requestTimeout.String(), "DB_STATEMENT_TIMEOUT": requestTimeout.String(),
			"LIVE_STREAM_MAX_AGE": maxAge.String()},
		serverTimeout: serverTimeout, heartbeat: 200 * time.Millisecond,
	})
	nurse := s.e.client(t)
	nurse.loginUnhurried("clinico_mayo")
	opened := time.Now()
	st := s.open(t, nurse, nil)
	// Heartbeats keep coming, each flushed as written, past both limits.
	for time.Since(opened) < requestTimeout+serverTimeout+500*time.Millisecond {
		m, ok := st.next(t)
		if !ok {
			t.Fatalf("the stream ended after %s (%v), before its max age %s", time.Since(opened).Round(time.Millisecond), st.err, maxAge)
		}
		if m.event != "" {
			t.Fatalf("unexpected event %+v", m)
		}
	}
	ticketBy(t, s.e, "clinico_mayo")
	st.event(t, "a change after both limits passed")
	if err := st.ended(t, maxAge+liveWait); err != nil {
		t.Fatalf("the stream was cut (%v), want a clean end", err)
	}
	if took := time.Since(opened); took < maxAge*9/10-time.Second {
		t.Errorf("the stream ended after %s, before its max age %s", took.Round(time.Millisecond), maxAge)
	}
}

// Stopping the server ends the open streams at once: the shutdown is not held for their max
// age, and the process stops within the platform's 10 s (main's stopDeadline).
func TestBoardEvents_ShutdownEndsOpenStreamsPromptly(t *testing.T) {
	s := newLiveServer(t, liveSettings{})
	var streams []*sseStream
	for _, u := range []string{"clinico_mayo", "visor_iqui", demo.SuperuserName} {
		st := s.open(t, s.signedIn(t, u), nil)
		if _, ok := st.next(t); !ok {
			t.Fatal("stream ended before the shutdown")
		}
		streams = append(streams, st)
	}
	if err := s.app.ShutdownWithTimeout(5 * time.Second); err != nil {
		t.Fatalf("shutdown with open streams: %v", err)
	}
	for _, st := range streams {
		if err := st.ended(t, liveWait); err != nil {
			t.Errorf("stream cut by the shutdown (%v), want a clean end", err)
		}
	}
	testapp.Eventually(t, liveWait, "the streams' places to be freed", func() bool { return s.broker.Streams() == 0 })
}

// A browser that reconnects says up to when it was told of every change (Last-Event-ID): it
// is told at once when its board may have changed since, and not otherwise. A first
// connection is not told of anything (its page was just read).
func TestBoardEvents_ReconnectIsToldOfChangesMissedMeanwhile(t *testing.T) {
	s := newLiveServer(t, liveSettings{heartbeat: 100 * time.Millisecond})
	mayo := clinicOf(t, s.e, "clinico_mayo")
	nurse := s.signedIn(t, "clinico_mayo")
	first := s.open(t, nurse, nil)
	m, _ := first.next(t)
	if m.id == "" {
		t.Fatalf("first message %+v, want an id", m)
	}
	if m, ok := first.next(t); !ok || !m.comment || m.event != "" {
		t.Fatalf("second message of a first connection %+v, want a heartbeat", m)
	}
	first.close()

	changed := time.Now()
	ticketBy(t, s.e, "clinico_mayo")
	testapp.Eventually(t, liveWait, "the broker to hear of the change", func() bool { return s.broker.ChangedSince(mayo, changed) })
	again := s.open(t, nurse, map[string]string{"Last-Event-ID": m.id})
	if m, _ := again.next(t); m.id == "" || m.event != "" {
		t.Fatalf("first message %+v, want an id", m)
	}
	if m, ok := again.next(t); !ok || m.event != "tablero" {
		t.Fatalf("second message of a reconnection after a change %+v, want a tablero event", m)
	}
	garbled := s.open(t, nurse, map[string]string{"Last-Event-ID": "no es un instante"})
	garbled.next(t)
	if m, ok := garbled.next(t); !ok || m.event != "tablero" {
		t.Fatalf("second message of a reconnection with a foreign id %+v, want a tablero event", m)
	}

	// Nothing changed in the clinic for longer than the clock margin (this instance listened
	// all along): a browser current as of now is not told.
	testapp.Eventually(t, liveWait, "a quiet spell longer than the clock margin", func() bool {
		return !s.broker.ChangedSince(mayo, time.Now().Add(-handlers.LiveClockMargin-time.Second))
	})
	current := s.open(t, nurse, map[string]string{"Last-Event-ID": strconv.FormatInt(time.Now().UnixMilli(), 10)})
	current.next(t)
	if m, ok := current.next(t); !ok || !m.comment || m.event != "" {
		t.Fatalf("second message of a reconnection with nothing missed %+v, want a heartbeat", m)
	}
}

// Without a broker (live updates off) the endpoint answers 503 and the board keeps its
// minute refresh; without a session it sends to the sign-in page, as every page does.
func TestBoardEvents_RefusedWhenLiveUpdatesAreOffAndForVisitors(t *testing.T) {
	e := newEnv(t)
	if resp := e.client(t).get("/tablero/eventos"); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("visitor = %d to %q, want 303 to the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
	}
	c := e.client(t)
	c.login("visor_prov")
	resp := c.get("/tablero/eventos")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("live updates off = %d (Retry-After %q, %q), want 503", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"))
	}
}
