// Package live tells the boards open on this instance that a clinic's board changed, whichever
// instance changed it. The database announces every change on the board_changed channel
// (migration 20261203090000: each bump of a clinic's board or catalog version notifies its id,
// delivered at commit); one connection per instance LISTENs to it, and a Broker fans each
// notification out to the subscriptions of that clinic and to those of every clinic.
//
// Nothing here carries patient data: a subscriber learns only that its clinic's board changed
// and reads the board again through the store, with its own principal.
package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/lib/pq"
)

// Channel is the PostgreSQL notification channel the database announces board changes on; the
// payload is the clinic's id.
const Channel = "board_changed"

// AllClinics is the clinic id of a subscription to every clinic's changes (a superuser viewing
// all clinics), as app_enter's clinic 0 is every clinic.
const AllClinics int64 = 0

var (
	// ErrFull reports that the instance already holds its maximum of subscriptions.
	ErrFull = errors.New("live: too many streams open")
	// ErrClosed reports that the broker was closed (the instance is stopping).
	ErrClosed = errors.New("live: closed")
)

// Options bound a Broker; the zero value of each field is its default.
type Options struct {
	// MaxStreams is how many subscriptions may be open at once, each a browser's stream
	// (default 500).
	MaxStreams int
	// ConnectTimeout bounds opening the listening connection (default 5 s).
	ConnectTimeout time.Duration
	// MinReconnect and MaxReconnect bound the waits between attempts to connect again after
	// the connection was lost: the first wait, doubled after each failure (defaults 250 ms and
	// 30 s).
	MinReconnect, MaxReconnect time.Duration
	// PingInterval is how often the connection is checked, and PingTimeout how long a check
	// may wait for the server's answer before the connection is dropped and made again
	// (defaults 30 s and 10 s): a server that stopped answering sends no notifications either,
	// and TCP alone may take minutes to notice.
	PingInterval, PingTimeout time.Duration
	// ApplicationName names the listening connection in pg_stat_activity (default
	// "ticket-home live").
	ApplicationName string
	// Log receives the connection's losses and recoveries; nil discards them.
	Log *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.MaxStreams <= 0 {
		o.MaxStreams = 500
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 5 * time.Second
	}
	if o.MinReconnect <= 0 {
		o.MinReconnect = 250 * time.Millisecond
	}
	if o.MaxReconnect < o.MinReconnect {
		o.MaxReconnect = max(o.MinReconnect, 30*time.Second)
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 30 * time.Second
	}
	if o.PingTimeout <= 0 {
		o.PingTimeout = 10 * time.Second
	}
	if o.ApplicationName == "" {
		o.ApplicationName = "ticket-home live"
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// Broker holds the instance's one listening connection and its subscriptions.
type Broker struct {
	o      Options
	l      *pq.Listener
	dialer *socketDialer
	done   chan struct{} // closed by Close
	ended  sync.WaitGroup

	mu     sync.Mutex
	closed bool
	subs   map[int64]map[*Subscription]struct{}
	n      int
	// What the broker knows of the past, for ChangedSince: when it last heard of each clinic
	// and of any clinic, and since when it has been listening without a gap.
	listening  bool
	since      time.Time
	changed    map[int64]time.Time
	changedAny time.Time
}

// Start opens the listening connection on databaseURL (a postgres:// URL) and returns once the
// database acknowledged the LISTEN, or fails within ctx and the connect timeout. The connection
// is made again by itself whenever it is lost; every subscription is then told its board
// changed, since notifications may have been missed meanwhile.
func Start(ctx context.Context, databaseURL string, o Options) (*Broker, error) {
	o = o.withDefaults()
	dsn, err := listenerURL(databaseURL, o)
	if err != nil {
		return nil, err
	}
	b := &Broker{
		o:       o,
		dialer:  &socketDialer{d: net.Dialer{KeepAliveConfig: keepAlive}},
		done:    make(chan struct{}),
		subs:    map[int64]map[*Subscription]struct{}{},
		changed: map[int64]time.Time{},
	}
	b.l = pq.NewDialListener(b.dialer, dsn, o.MinReconnect, o.MaxReconnect, b.event)
	listened := make(chan error, 1)
	go func() { listened <- b.l.Listen(Channel) }()
	ctx, cancel := context.WithTimeout(ctx, 2*o.ConnectTimeout)
	defer cancel()
	select {
	case err = <-listened:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		b.mu.Lock()
		b.closed = true
		b.mu.Unlock()
		b.dialer.closeCurrent()
		go func() { _ = b.l.Close() }() // may wait for a connection attempt's connect timeout
		return nil, fmt.Errorf("live: listen: %w", err)
	}
	b.mu.Lock()
	b.listening, b.since = true, time.Now()
	b.mu.Unlock()
	b.ended.Add(2)
	go b.dispatch()
	go b.watch()
	return b, nil
}

// keepAlive lets the kernel notice a database host that vanished (a failover, a network
// partition) within about a minute instead of the system default of hours.
var keepAlive = net.KeepAliveConfig{Enable: true, Idle: 30 * time.Second, Interval: 10 * time.Second, Count: 3}

// listenerURL is databaseURL with the listening connection's own settings: a connect timeout
// (unless the URL has one) and its name in pg_stat_activity.
func listenerURL(databaseURL string, o Options) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// Not wrapped: url.Error quotes the whole URL, password included.
		return "", errors.New("live: the database URL must be a postgres:// URL")
	}
	q := u.Query()
	if q.Get("connect_timeout") == "" {
		q.Set("connect_timeout", strconv.Itoa(max(1, int(o.ConnectTimeout.Round(time.Second).Seconds()))))
	}
	q.Set("application_name", o.ApplicationName)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Subscription is one stream's interest in a clinic's board (or every clinic's).
type Subscription struct {
	b       *Broker
	clinic  int64
	changes chan struct{}
	once    sync.Once
}

// Changes receives a value when the subscribed board changed since the last value was taken.
// Changes that come faster than they are taken are merged into one: each value means "read
// the board again", never how many times it changed.
func (s *Subscription) Changes() <-chan struct{} { return s.changes }

// Done is closed when the broker closes: the stream ends.
func (s *Subscription) Done() <-chan struct{} { return s.b.done }

// Close ends the subscription and frees its place. Calling it again does nothing.
func (s *Subscription) Close() {
	s.once.Do(func() {
		b := s.b
		b.mu.Lock()
		defer b.mu.Unlock()
		if set := b.subs[s.clinic]; set != nil {
			delete(set, s)
			if len(set) == 0 {
				delete(b.subs, s.clinic)
			}
		}
		b.n--
	})
}

// Subscribe follows the board of clinic (AllClinics: every clinic). It fails with ErrFull when
// the instance holds MaxStreams subscriptions already, and with ErrClosed once the broker is
// closed. The caller closes the subscription.
func (b *Broker) Subscribe(clinic int64) (*Subscription, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.closed:
		return nil, ErrClosed
	case b.n >= b.o.MaxStreams:
		return nil, ErrFull
	}
	s := &Subscription{b: b, clinic: clinic, changes: make(chan struct{}, 1)}
	set := b.subs[clinic]
	if set == nil {
		set = map[*Subscription]struct{}{}
		b.subs[clinic] = set
	}
	set[s] = struct{}{}
	b.n++
	return s, nil
}

// Streams is how many subscriptions are open.
func (b *Broker) Streams() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

// ChangedSince reports whether, as far as this instance can tell, the board of clinic
// (AllClinics: of any clinic) may have changed after t: a notification came after t, or the
// broker was not listening the whole time since t. A browser that reconnects says when its
// board was last known to be current; when nothing may have changed since, it need not read
// the board again.
func (b *Broker) ChangedSince(clinic int64, t time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	last := b.changed[clinic]
	if clinic == AllClinics {
		last = b.changedAny
	}
	return !b.listening || b.since.After(t) || last.After(t)
}

// Close ends every subscription (their streams end) and the listening connection, without
// waiting on a database that does not answer.
func (b *Broker) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	close(b.done)
	b.mu.Unlock()
	// Closing the socket first frees the listener's lock even when a reconnection is waiting
	// on a frozen server; a connection attempt still dialling ends within the connect timeout.
	b.dialer.closeCurrent()
	ended := make(chan struct{})
	go func() {
		_ = b.l.Close()
		b.ended.Wait()
		close(ended)
	}()
	select {
	case <-ended:
	case <-time.After(time.Second):
		b.o.Log.Warn("live: the listener is still closing; not waiting")
	}
	return nil
}

// dispatch hands each notification to the subscriptions of its clinic and of every clinic; a
// nil one (sent after a reconnection) to all of them.
func (b *Broker) dispatch() {
	defer b.ended.Done()
	for n := range b.l.Notify {
		if n == nil {
			b.signalAll()
			continue
		}
		if n.Channel != Channel {
			continue
		}
		id, err := strconv.ParseInt(n.Extra, 10, 64)
		if err != nil || id <= 0 {
			b.o.Log.Warn("live: a notification without a clinic id", "channel", n.Channel)
			b.signalAll()
			continue
		}
		b.signal(id)
	}
}

func (b *Broker) signal(clinic int64) {
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.changed[clinic], b.changedAny = now, now
	for s := range b.subs[clinic] {
		s.notify()
	}
	for s := range b.subs[AllClinics] {
		s.notify()
	}
}

func (b *Broker) signalAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, set := range b.subs {
		for s := range set {
			s.notify()
		}
	}
}

// notify leaves a value in the subscription's channel unless one is waiting there already.
func (s *Subscription) notify() {
	select {
	case s.changes <- struct{}{}:
	default:
	}
}

// event follows the listening connection's state. lib/pq calls it from the goroutine that
// delivers notifications, so it only records and logs.
func (b *Broker) event(ev pq.ListenerEventType, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev {
	case pq.ListenerEventDisconnected:
		b.listening = false
		if !b.closed {
			b.o.Log.Warn("live: listening connection lost; connecting again", "error", err)
		}
	case pq.ListenerEventReconnected:
		// Listening again (lib/pq repeated the LISTEN before saying so); the nil notification
		// that follows tells every subscription to read its board again.
		b.listening, b.since = true, time.Now()
		b.o.Log.Info("live: listening again")
	case pq.ListenerEventConnectionAttemptFailed:
		if !b.closed {
			b.o.Log.Warn("live: connecting the listener failed; trying again", "error", err)
		}
	}
}

// watch pings the listening connection now and then; a ping the server does not answer in
// time drops the connection, which the listener then makes again.
func (b *Broker) watch() {
	defer b.ended.Done()
	tick := time.NewTicker(b.o.PingInterval)
	defer tick.Stop()
	for {
		select {
		case <-b.done:
			return
		case <-tick.C:
		}
		answered := make(chan error, 1)
		// An error means there is no connection right now: the listener is making it again.
		go func() { answered <- b.l.Ping() }()
		timeout := time.NewTimer(b.o.PingTimeout)
		select {
		case <-answered:
			timeout.Stop()
			continue
		case <-b.done:
			timeout.Stop()
			return
		case <-timeout.C:
		}
		b.o.Log.Warn("live: the database did not answer the listener's ping; connecting again")
		b.dialer.closeCurrent()
		select {
		case <-answered:
		case <-b.done:
			return
		}
	}
}

// socketDialer dials the listener's connections and keeps the latest socket, so that a
// connection whose server stopped answering can be closed from outside lib/pq (which holds
// its own lock while it waits on the server).
type socketDialer struct {
	d  net.Dialer
	mu sync.Mutex
	nc net.Conn
}

func (d *socketDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	nc, err := d.d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.nc = nc
	d.mu.Unlock()
	return nc, nil
}

func (d *socketDialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

func (d *socketDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d.DialContext(ctx, network, address)
}

// closeCurrent closes the latest socket: whatever waits on it fails at once.
func (d *socketDialer) closeCurrent() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.nc != nil {
		_ = d.nc.Close()
		d.nc = nil
	}
}
