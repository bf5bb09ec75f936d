package faultproxy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitTimeout bounds every positive wait so a broken proxy fails the test
// instead of hanging it.
const waitTimeout = 5 * time.Second

// silence is how long a negative check waits for bytes that must not arrive.
const silence = 200 * time.Millisecond

// echoServer echoes everything it reads and exposes its side of each
// connection so tests can push data or hang up from the server end.
type echoServer struct {
	ln       net.Listener
	accepted chan net.Conn
	nAccept  atomic.Int64
	open     atomic.Int64 // connections whose echo loop has not ended
	received atomic.Int64
	wg       sync.WaitGroup

	mu    sync.Mutex
	conns []net.Conn
}

func startEcho(t *testing.T) *echoServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &echoServer{ln: ln, accepted: make(chan net.Conn, 16)}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.nAccept.Add(1)
			s.open.Add(1)
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			select {
			case s.accepted <- c:
			default:
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer s.open.Add(-1)
				defer c.Close()
				buf := make([]byte, 4096)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						s.received.Add(int64(n))
						if _, werr := c.Write(buf[:n]); werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			_ = c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *echoServer) addr() string { return s.ln.Addr().String() }

// nextConn returns the server side of the next connection the server accepts.
func (s *echoServer) nextConn(t *testing.T) net.Conn {
	t.Helper()
	select {
	case c := <-s.accepted:
		return c
	case <-time.After(waitTimeout):
		t.Fatal("echo server accepted no connection")
		return nil
	}
}

func newProxy(t *testing.T, target string) *Proxy {
	t.Helper()
	p, err := New(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, waitTimeout)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func write(t *testing.T, c net.Conn, s string) {
	t.Helper()
	if err := c.SetWriteDeadline(time.Now().Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, s); err != nil {
		t.Fatalf("write %q: %v", s, err)
	}
}

func expectRead(t *testing.T, c net.Conn, want string) {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read %q: got %q, %v", want, got, err)
	}
	if string(got) != want {
		t.Fatalf("read %q, want %q", got, want)
	}
}

// expectSilence asserts that nothing arrives on c for a while, as a frozen
// server would behave.
func expectSilence(t *testing.T, c net.Conn) {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(silence)); err != nil {
		t.Fatal(err)
	}
	var b [64]byte
	n, err := c.Read(b[:])
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read while paused: got %q, %v; want a timeout", b[:n], err)
	}
}

// expectClosed asserts that the peer of c hung up (EOF or reset), not that
// the read merely timed out.
func expectClosed(t *testing.T, c net.Conn) {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	var b [64]byte
	for {
		n, err := c.Read(b[:])
		if err == nil {
			t.Fatalf("read on a closed connection returned %q", b[:n])
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatal("connection was not closed")
		}
		return
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

func TestForwardsBothWays(t *testing.T) {
	srv := startEcho(t)
	p := newProxy(t, srv.addr())

	c := dial(t, p.Addr())
	write(t, c, "hello")
	expectRead(t, c, "hello")

	sc := srv.nextConn(t)
	if _, err := io.WriteString(sc, "pushed"); err != nil {
		t.Fatal(err)
	}
	expectRead(t, c, "pushed")

	if got := p.Conns(); got != 1 {
		t.Fatalf("Conns() = %d, want 1", got)
	}
	if !strings.HasPrefix(p.Addr(), "127.0.0.1:") {
		t.Fatalf("Addr() = %q, want a 127.0.0.1 address", p.Addr())
	}
}

func TestClientCloseClosesServerSide(t *testing.T) {
	srv := startEcho(t)
	p := newProxy(t, srv.addr())

	c := dial(t, p.Addr())
	write(t, c, "x")
	expectRead(t, c, "x")

	_ = c.Close()
	waitFor(t, "no open pairs", func() bool { return p.Conns() == 0 })
	waitFor(t, "server side to see the hang-up", func() bool { return srv.open.Load() == 0 })
}

func TestServerCloseClosesClientSide(t *testing.T) {
	srv := startEcho(t)
	p := newProxy(t, srv.addr())

	c := dial(t, p.Addr())
	write(t, c, "x")
	expectRead(t, c, "x")

	_ = srv.nextConn(t).Close()
	expectClosed(t, c)
	waitFor(t, "no open pairs", func() bool { return p.Conns() == 0 })
}

func TestPauseHoldsBytesUntilResume(t *testing.T) {
	srv := startEcho(t)
	p := newProxy(t, srv.addr())

	c := dial(t, p.Addr())
	write(t, c, "warm")
	expectRead(t, c, "warm")
	sc := srv.nextConn(t)
	before := srv.received.Load()

	p.Pause()
	p.Pause()
	write(t, c, "abc")
	expectSilence(t, c)
	write(t, c, "def")
	if got := srv.received.Load(); got != before {
		t.Fatalf("server received %d bytes while paused", got-before)
	}
	if _, err := io.WriteString(sc, "srv"); err != nil {
		t.Fatal(err)
	}
	expectSilence(t, c)
	if got := p.Conns(); got != 1 {
		t.Fatalf("Conns() while paused = %d, want 1 (nothing is closed)", got)
	}

	p.Resume()
	p.Resume()
	expectRead(t, c, "srvabcdef")
}

func TestPauseHoldsNewConnections(t *testing.T) {
	srv := startEcho(t)
	p := newProxy(t, srv.addr())

	p.Pause()
	c := dial(t, p.Addr())
	write(t, c, "early")
	expectSilence(t, c)
	if got := srv.nAccept.Load(); got != 0 {
		t.Fatalf("target got %d connections while paused, want 0", got)
	}
	if got := p.Conns(); got != 0 {
		t.Fatalf("Conns() for a held connection = %d, want 0", got)
	}

	p.Resume()
	expectRead(t, c, "early")
	if got := p.Conns(); got != 1 {
		t.Fatalf("Conns() after Resume = %d, want 1", got)
	}
}

func TestRefuseClosesExistingAndNewConnections(t *testing.T) {
	srv := startEcho(t)
	p := newProxy(t, srv.addr())

	c := dial(t, p.Addr())
	write(t, c, "x")
	expectRead(t, c, "x")

	p.Pause()
	held := dial(t, p.Addr())

	p.Refuse()
	expectClosed(t, c)
	expectClosed(t, held)
	waitFor(t, "server side to see the hang-up", func() bool { return srv.open.Load() == 0 })
	waitFor(t, "no open pairs", func() bool { return p.Conns() == 0 })

	// The listener keeps accepting, so the dial succeeds; the connection is
	// then dropped, as a client of a vanished server would observe.
	refused := dial(t, p.Addr())
	expectClosed(t, refused)
	if got := srv.nAccept.Load(); got != 1 {
		t.Fatalf("target got %d connections, want only the first one", got)
	}

	p.Resume()
	again := dial(t, p.Addr())
	write(t, again, "back")
	expectRead(t, again, "back")
}

func TestUnreachableTargetClosesClient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := ln.Addr().String()
	_ = ln.Close()
	p := newProxy(t, target)

	c := dial(t, p.Addr())
	expectClosed(t, c)
	waitFor(t, "no open pairs", func() bool { return p.Conns() == 0 })
}

func TestCloseWhilePausedLeavesNoGoroutines(t *testing.T) {
	srv := startEcho(t)
	// Taken after the echo server starts so that only the proxy's
	// goroutines and the per-connection echo loops are measured.
	base := runtime.NumGoroutine()

	p, err := New(srv.addr())
	if err != nil {
		t.Fatal(err)
	}
	var clients []net.Conn
	for i := range 3 {
		c := dial(t, p.Addr())
		msg := fmt.Sprintf("c%d", i)
		write(t, c, msg)
		expectRead(t, c, msg)
		clients = append(clients, c)
	}
	p.Pause()
	for _, c := range clients {
		write(t, c, "held")
	}
	_ = dial(t, p.Addr())

	done := make(chan error, 1)
	go func() { done <- p.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Close hung while paused")
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	for _, c := range clients {
		expectClosed(t, c)
	}
	if got := p.Conns(); got != 0 {
		t.Fatalf("Conns() after Close = %d", got)
	}
	// Server-side echo goroutines exit once the proxy's upstream sockets are
	// closed, so the count returns to the baseline.
	waitFor(t, "goroutines to exit", func() bool { return runtime.NumGoroutine() <= base })
}

func TestPauseResumeUnderTrafficKeepsOrder(t *testing.T) {
	srv := startEcho(t)
	p := newProxy(t, srv.addr())
	c := dial(t, p.Addr())

	want := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	stop := make(chan struct{})
	toggled := make(chan struct{})
	go func() {
		defer close(toggled)
		for {
			select {
			case <-stop:
				p.Resume()
				return
			default:
			}
			p.Pause()
			p.Resume()
		}
	}()

	writeErr := make(chan error, 1)
	go func() {
		_, err := c.Write(want)
		writeErr <- err
	}()
	if err := c.SetReadDeadline(time.Now().Add(4 * waitTimeout)); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(want))
	_, err := io.ReadFull(c, got)
	close(stop)
	<-toggled
	if err != nil {
		t.Fatalf("read echo: %v", err)
	}
	if err := <-writeErr; err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("echoed bytes differ from what was sent")
	}
}

func TestPauseInterruptsBlockedWrite(t *testing.T) {
	p := newProxy(t, "127.0.0.1:1")
	// net.Pipe writes block until the peer reads, which makes a write that
	// is stuck on a slow reader at the moment of Pause reproducible.
	client, clientPeer := net.Pipe()
	server, serverPeer := net.Pipe()
	t.Cleanup(func() {
		_ = clientPeer.Close()
		_ = serverPeer.Close()
	})
	pr := &pair{client: client, server: server}
	p.mu.Lock()
	p.pairs[pr] = struct{}{}
	p.mu.Unlock()

	want := []byte("0123456789abcdefghij")
	forwarded := make(chan bool, 1)
	go func() { forwarded <- p.forward(pr, client, want) }()

	head := make([]byte, 5)
	if err := clientPeer.SetReadDeadline(time.Now().Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(clientPeer, head); err != nil {
		t.Fatal(err)
	}

	paused := make(chan struct{})
	go func() {
		p.Pause()
		close(paused)
	}()
	select {
	case <-paused:
	case <-time.After(waitTimeout):
		t.Fatal("Pause blocked behind a stalled write")
	}
	expectSilence(t, clientPeer)

	p.Resume()
	rest := make([]byte, len(want)-len(head))
	if err := clientPeer.SetReadDeadline(time.Now().Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(clientPeer, rest); err != nil {
		t.Fatalf("read after Resume: %v", err)
	}
	if got := string(head) + string(rest); got != string(want) {
		t.Fatalf("forwarded %q, want %q", got, want)
	}
	if !<-forwarded {
		t.Fatal("forward reported a dead pair")
	}
}

func TestRewriteURL(t *testing.T) {
	p := newProxy(t, "127.0.0.1:5432")
	addr := p.Addr()

	tests := []struct {
		in, want string
	}{
		{
			"postgres://u:p%40ss@db.example:5432/name?sslmode=disable&x=1",
			"postgres://u:p%40ss@" + addr + "/name?sslmode=disable&x=1",
		},
		{
			"postgresql://user@localhost/app",
			"postgresql://user@" + addr + "/app",
		},
	}
	for _, tt := range tests {
		got, err := p.RewriteURL(tt.in)
		if err != nil {
			t.Fatalf("RewriteURL(%q): %v", tt.in, err)
		}
		if got != tt.want {
			t.Fatalf("RewriteURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}

	for _, bad := range []string{
		"mysql://u@db:3306/x",
		"host=db port=5432 dbname=x",
		"postgres://u@db:5432/x?host=/tmp",
		"postgres://u@db:5432/x?port=5433",
	} {
		if got, err := p.RewriteURL(bad); err == nil {
			t.Fatalf("RewriteURL(%q) = %q, want an error", bad, got)
		}
	}
}

func TestNewRejectsInvalidTarget(t *testing.T) {
	if p, err := New("no-port"); err == nil {
		_ = p.Close()
		t.Fatal("New accepted a target without a port")
	}
}
