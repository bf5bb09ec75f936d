// Package faultproxy provides a TCP proxy that tests place between a client
// and a database server to simulate a server that freezes or disappears,
// without needing control over the server process itself (so the same tests
// work against a local or a remote PostgreSQL).
package faultproxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// bufSize bounds how much a single direction may hold while paused; anything
// beyond it stays in kernel buffers and back-pressures the sender, which is
// exactly what a frozen server does.
const bufSize = 32 << 10

// Proxy is a TCP proxy whose forwarding can be paused, resumed or refused.
type Proxy struct {
	ln     net.Listener
	target string
	dialer net.Dialer
	// ctx is cancelled by Close so an in-progress dial cannot delay shutdown.
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	wg     sync.WaitGroup

	mu       sync.Mutex
	cond     *sync.Cond
	paused   bool
	refused  bool
	closed   bool
	inflight int // writes that passed the pause check and have not returned
	pairs    map[*pair]struct{}

	statements, roundTrips atomic.Int64
}

// pair is one accepted client connection and, once dialed, its upstream.
// Fields are guarded by Proxy.mu.
type pair struct {
	client net.Conn
	server net.Conn
	closed bool
}

// New starts a proxy on 127.0.0.1:0 forwarding every accepted connection to target ("host:port").
func New(target string) (*Proxy, error) {
	if _, _, err := net.SplitHostPort(target); err != nil {
		return nil, fmt.Errorf("faultproxy: invalid target %q: %w", target, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Proxy{
		ln:     ln,
		target: target,
		ctx:    ctx,
		cancel: cancel,
		done:   make(chan struct{}),
		pairs:  make(map[*pair]struct{}),
	}
	p.cond = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

// Addr returns the address the proxy listens on, as "127.0.0.1:port".
func (p *Proxy) Addr() string {
	return p.ln.Addr().String()
}

// Pause stops forwarding in both directions without closing anything, so
// clients block on reads as they would against a frozen server; data already
// read is held until Resume, and new connections are accepted but not
// connected onward until Resume.
func (p *Proxy) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paused = true
	// A write that passed its pause check just before this call could
	// otherwise block on a slow peer and deliver bytes after Pause returns;
	// an expired deadline interrupts it and the copier keeps the unwritten
	// remainder for Resume.
	past := time.Unix(1, 0)
	for pr := range p.pairs {
		if pr.server == nil {
			continue
		}
		_ = pr.client.SetWriteDeadline(past)
		_ = pr.server.SetWriteDeadline(past)
	}
	for p.inflight > 0 && !p.closed {
		p.cond.Wait()
	}
}

// Resume delivers what was held, in order, and continues forwarding; it also
// lets connections held by Pause connect to the target and undoes Refuse for
// new connections.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paused = false
	p.refused = false
	p.cond.Broadcast()
}

// Refuse simulates a server that went away: it resets every open connection
// (both sides) and, until Resume, closes new connections right after accept.
func (p *Proxy) Refuse() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refused = true
	for pr := range p.pairs {
		p.closePairLocked(pr, true)
	}
}

// Conns returns the number of currently open proxied connection pairs, not
// counting connections that Pause holds before they reach the target.
func (p *Proxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for pr := range p.pairs {
		if pr.server != nil {
			n++
		}
	}
	return n
}

// Close stops listening, closes every connection, even while paused, and
// waits for all of the proxy's goroutines to end.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.wg.Wait()
		return nil
	}
	p.closed = true
	close(p.done)
	p.cancel()
	err := p.ln.Close()
	for pr := range p.pairs {
		p.closePairLocked(pr, false)
	}
	p.cond.Broadcast()
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

// RewriteURL returns a postgres:// URL equal to dbURL but with host:port replaced by the proxy's address (keep user, password, path, query params).
func (p *Proxy) RewriteURL(dbURL string) (string, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", fmt.Errorf("faultproxy: parse database URL: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", fmt.Errorf("faultproxy: database URL scheme %q is not postgres", u.Scheme)
	}
	// These parameters override the URL host in libpq-compatible drivers and
	// would silently route around the proxy.
	q := u.Query()
	for _, k := range []string{"host", "hostaddr", "port"} {
		if q.Has(k) {
			return "", fmt.Errorf("faultproxy: database URL query parameter %q would bypass the proxy", k)
		}
	}
	u.Host = p.Addr()
	return u.String(), nil
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	backoff := 5 * time.Millisecond
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Transient failures such as running out of file descriptors
			// must not spin the CPU nor stop the proxy for good.
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-p.done:
				t.Stop()
				return
			}
			backoff = min(2*backoff, time.Second)
			continue
		}
		backoff = 5 * time.Millisecond

		p.mu.Lock()
		switch {
		case p.closed:
			p.mu.Unlock()
			_ = c.Close()
			return
		case p.refused:
			p.mu.Unlock()
			// An orderly close keeps the outcome predictable for clients:
			// the dial succeeds and the first read fails. A reset here could
			// race the handshake and surface as a dial error instead.
			_ = c.Close()
			continue
		}
		pr := &pair{client: c}
		p.pairs[pr] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.serve(pr)
	}
}

func (p *Proxy) serve(pr *pair) {
	defer p.wg.Done()

	p.mu.Lock()
	for p.paused && !pr.closed {
		p.cond.Wait()
	}
	if pr.closed {
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()

	s, err := p.dialer.DialContext(p.ctx, "tcp", p.target)

	p.mu.Lock()
	if err != nil || pr.closed {
		if s != nil {
			_ = s.Close()
		}
		p.closePairLocked(pr, false)
		p.mu.Unlock()
		return
	}
	pr.server = s
	p.wg.Add(1)
	p.mu.Unlock()

	go func() {
		defer p.wg.Done()
		p.pipe(pr, s, pr.client, nil)
	}()
	p.pipe(pr, pr.client, s, newScanner(&p.statements, &p.roundTrips))
}

// pipe copies src to dst until either side fails, then closes the whole pair
// so that a peer hanging up is seen by the other peer too.
// sc, when not nil, reads the client's messages on their way.
func (p *Proxy) pipe(pr *pair, src, dst net.Conn, sc *scanner) {
	buf := make([]byte, bufSize)
	for {
		n, err := src.Read(buf)
		if n > 0 && sc != nil {
			sc.feed(buf[:n])
		}
		if n > 0 && !p.forward(pr, dst, buf[:n]) {
			break
		}
		if err != nil {
			break
		}
	}
	p.mu.Lock()
	p.closePairLocked(pr, false)
	p.mu.Unlock()
}

// forward writes b to dst, holding it for as long as the proxy is paused. It
// reports false once the pair can no longer carry data.
func (p *Proxy) forward(pr *pair, dst net.Conn, b []byte) bool {
	for len(b) > 0 {
		p.mu.Lock()
		for p.paused && !pr.closed {
			p.cond.Wait()
		}
		if pr.closed {
			p.mu.Unlock()
			return false
		}
		// Cleared under the lock so it cannot overwrite a deadline set by a
		// Pause that happens after this check.
		_ = dst.SetWriteDeadline(time.Time{})
		p.inflight++
		p.mu.Unlock()

		n, err := dst.Write(b)
		b = b[n:]

		p.mu.Lock()
		p.inflight--
		if p.inflight == 0 {
			p.cond.Broadcast()
		}
		p.mu.Unlock()

		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return false
		}
	}
	return true
}

// closePairLocked closes both connections of pr once; hard makes the close a
// reset, as seen when a server host disappears. p.mu must be held.
func (p *Proxy) closePairLocked(pr *pair, hard bool) {
	if pr.closed {
		return
	}
	pr.closed = true
	delete(p.pairs, pr)
	for _, c := range []net.Conn{pr.client, pr.server} {
		if c == nil {
			continue
		}
		if hard {
			abort(c)
		} else {
			_ = c.Close()
		}
	}
	// Wakes goroutines of this pair waiting out a pause.
	p.cond.Broadcast()
}

// abort closes c with a TCP reset instead of an orderly shutdown.
func abort(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}
