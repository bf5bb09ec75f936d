package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/lib/pq"

	"github.com/redsalud/ticket-home/config"
)

// lib/pq gives up on a query whose context ends only by asking the server to cancel it, and
// keeps reading the socket meanwhile: against a frozen or unreachable server that read never
// returns, and neither does the request. deadlineConnector puts the context's deadline on the
// socket itself before every call, so the read fails when the request's time is up whatever
// the server does.

// deadlineConnector makes lib/pq connections whose socket deadline follows each call's
// context (or fallback when the context has none).
type deadlineConnector struct {
	cfg      pq.Config
	fallback time.Duration
}

func newDeadlineConnector(dsn string, fallback time.Duration) (*deadlineConnector, error) {
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		return nil, err
	}
	// A statement with parameters in one round trip (parse, bind, execute) instead of two (a
	// describe first): a page's statements cost half the waits. Parameters of type []byte
	// then travel in binary, so text and JSON are passed as strings.
	cfg.BinaryParameters = true
	return &deadlineConnector{cfg: cfg, fallback: fallback}, nil
}

// Connect opens one connection, keeping hold of its socket.
func (c *deadlineConnector) Connect(ctx context.Context) (driver.Conn, error) {
	d := &capturingDialer{}
	pc, err := pq.NewConnectorConfig(c.cfg.Clone())
	if err != nil {
		return nil, err
	}
	pc.Dialer(d)
	conn, err := pc.Connect(ctx)
	if err != nil {
		return nil, err
	}
	nc := d.first()
	if nc == nil {
		_ = conn.Close()
		return nil, errors.New("store: connect: no socket")
	}
	return &deadlineConn{inner: conn, nc: nc, fallback: c.fallback}, nil
}

// Driver is lib/pq's driver.
func (c *deadlineConnector) Driver() driver.Driver { return &pq.Driver{} }

// capturingDialer dials TCP and remembers the first socket: the connection's own. Later
// sockets (lib/pq's cancel requests) get a deadline from lib/pq's connect_timeout.
type capturingDialer struct {
	mu sync.Mutex
	nc net.Conn
	d  net.Dialer
}

func (d *capturingDialer) keep(nc net.Conn, err error) (net.Conn, error) {
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.nc == nil {
		d.nc = nc
	}
	return nc, nil
}

func (d *capturingDialer) first() net.Conn {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.nc
}

func (d *capturingDialer) Dial(network, address string) (net.Conn, error) {
	return d.keep(d.d.Dial(network, address))
}

func (d *capturingDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	nd := d.d
	nd.Timeout = timeout
	return d.keep(nd.Dial(network, address))
}

func (d *capturingDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return d.keep(d.d.DialContext(ctx, network, address))
}

// deadlineConn is a lib/pq connection whose every call first sets the socket deadline. The
// deadline stays after the call, so reading the rows of a query is bounded by it too, and so
// is a COMMIT (database/sql gives it no context).
type deadlineConn struct {
	inner    driver.Conn
	nc       net.Conn
	fallback time.Duration
}

var (
	_ driver.Conn               = (*deadlineConn)(nil)
	_ driver.ConnBeginTx        = (*deadlineConn)(nil)
	_ driver.ConnPrepareContext = (*deadlineConn)(nil)
	_ driver.ExecerContext      = (*deadlineConn)(nil)
	_ driver.QueryerContext     = (*deadlineConn)(nil)
	_ driver.Pinger             = (*deadlineConn)(nil)
	_ driver.SessionResetter    = (*deadlineConn)(nil)
	_ driver.Validator          = (*deadlineConn)(nil)
	_ driver.NamedValueChecker  = (*deadlineConn)(nil)
)

func (c *deadlineConn) arm(ctx context.Context) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(c.fallback)
	}
	if err := c.nc.SetDeadline(deadline); err != nil {
		return driver.ErrBadConn
	}
	return nil
}

func (c *deadlineConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *deadlineConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.arm(ctx); err != nil {
		return nil, err
	}
	st, err := c.inner.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &deadlineStmt{Stmt: st, conn: c}, nil
}

func (c *deadlineConn) Close() error {
	// Closing sends a last message: never wait on a server that stopped reading.
	_ = c.nc.SetDeadline(time.Now().Add(time.Second))
	return c.inner.Close()
}

func (c *deadlineConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *deadlineConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.arm(ctx); err != nil {
		return nil, err
	}
	return c.inner.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *deadlineConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.arm(ctx); err != nil {
		return nil, err
	}
	return c.inner.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *deadlineConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.arm(ctx); err != nil {
		return nil, err
	}
	return c.inner.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (c *deadlineConn) Ping(ctx context.Context) error {
	if err := c.arm(ctx); err != nil {
		return err
	}
	return c.inner.(driver.Pinger).Ping(ctx)
}

func (c *deadlineConn) ResetSession(ctx context.Context) error {
	return c.inner.(driver.SessionResetter).ResetSession(ctx)
}

func (c *deadlineConn) IsValid() bool { return c.inner.(driver.Validator).IsValid() }

func (c *deadlineConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.inner.(driver.NamedValueChecker).CheckNamedValue(nv)
}

// deadlineStmt arms the socket for a prepared statement's executions too.
type deadlineStmt struct {
	driver.Stmt
	conn *deadlineConn
}

func (s *deadlineStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if err := s.conn.arm(ctx); err != nil {
		return nil, err
	}
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *deadlineStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := s.conn.arm(ctx); err != nil {
		return nil, err
	}
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

// withTimeouts adds the server-side limits to a database URL, unless the URL sets them
// itself: connect_timeout (whole seconds, at least 1), statement_timeout and
// idle_in_transaction_session_timeout (milliseconds).
func withTimeouts(dbURL string, connect, statement time.Duration) (string, error) {
	u, err := url.Parse(dbURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// Not wrapped: url.Error quotes the whole URL, password included.
		return "", errors.New("store: the database URL must be a postgres:// URL")
	}
	q := u.Query()
	set := func(k, v string) {
		if q.Get(k) == "" {
			q.Set(k, v)
		}
	}
	set("connect_timeout", strconv.Itoa(max(1, int(connect.Round(time.Second).Seconds()))))
	set("statement_timeout", strconv.FormatInt(statement.Milliseconds(), 10))
	// A transaction left open by a stuck client holds its locks: end it.
	set("idle_in_transaction_session_timeout", strconv.FormatInt(max(statement, 10*time.Second).Milliseconds()*3, 10))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Options size and bound an instance's connections to PostgreSQL.
type Options struct {
	// MaxConns is the pool's size.
	MaxConns int
	// StatementTimeout is the server's limit on one statement (statement_timeout).
	StatementTimeout time.Duration
	// ConnectTimeout bounds opening a connection.
	ConnectTimeout time.Duration
	// CallTimeout bounds a call whose context has no deadline (start-up work, the session
	// store, background jobs); request contexts carry their own.
	CallTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.MaxConns <= 0 {
		o.MaxConns = 10
	}
	if o.StatementTimeout <= 0 {
		o.StatementTimeout = 5 * time.Second
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 5 * time.Second
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = o.StatementTimeout + 2*time.Second
	}
	return o
}

func (o Options) String() string {
	return fmt.Sprintf("max %d connections, statements %s, connect %s", o.MaxConns, o.StatementTimeout, o.ConnectTimeout)
}

// OptionsFor gives the main pool's and the session store's options for cfg: DB_MAX_CONNS
// split between them (less the live-update listener's one connection), the statement timeout,
// and the request timeout for calls that carry no deadline of their own.
func OptionsFor(cfg config.Config) (main, sessions Options) {
	m, s, _ := cfg.DBPools()
	base := Options{StatementTimeout: cfg.DBStatementTimeout, ConnectTimeout: 5 * time.Second, CallTimeout: cfg.RequestTimeout}
	main, sessions = base, base
	main.MaxConns, sessions.MaxConns = m, s
	return main, sessions
}
