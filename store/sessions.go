package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/gofiber/storage/postgres/v3"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SessionStore is the session storage: gofiber/storage/postgres on the migrated "sessions"
// table (it creates nothing and collects expired rows), on a pool of its own, with every
// read and write of a request bounded by one deadline. The library calls the database
// without a context, so its Get, Set and Delete are done here with one, and the pool's
// sockets bound what remains (its garbage collection) by themselves: a frozen database fails
// the session lookup within CallTimeout instead of hanging the request.
type SessionStore struct {
	*postgres.Storage
	timeout time.Duration
}

// The library's statements on the sessions table (k, v, e: expiry in unix seconds, 0 never).
const (
	sessionGetSQL    = `SELECT v, e FROM sessions WHERE k = $1`
	sessionSetSQL    = `INSERT INTO sessions (k, v, e) VALUES ($1, $2, $3) ON CONFLICT (k) DO UPDATE SET v = $2, e = $3`
	sessionDeleteSQL = `DELETE FROM sessions WHERE k = $1`
)

// Get returns a session's data, or nil when there is none (or it expired).
func (s *SessionStore) Get(key string) ([]byte, error) {
	if key == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	var v []byte
	var exp int64
	err := s.Conn().QueryRow(ctx, sessionGetSQL, key).Scan(&v, &exp)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: session: %w", err)
	}
	if exp != 0 && exp <= time.Now().Unix() {
		return nil, nil
	}
	return v, nil
}

// Set stores a session's data for exp (0: without expiry).
func (s *SessionStore) Set(key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	var e int64
	if exp != 0 {
		e = time.Now().Add(exp).Unix()
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	if _, err := s.Conn().Exec(ctx, sessionSetSQL, key, val, e); err != nil {
		return fmt.Errorf("store: save session: %w", err)
	}
	return nil
}

// Delete removes a session.
func (s *SessionStore) Delete(key string) error {
	if key == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	if _, err := s.Conn().Exec(ctx, sessionDeleteSQL, key); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// OpenSessions opens the session storage on a pool of its own, sized and bounded by o.
func OpenSessions(ctx context.Context, databaseURL string, o Options) (st *SessionStore, err error) {
	o = o.withDefaults()
	dsn, err := withTimeouts(databaseURL, o.ConnectTimeout, o.StatementTimeout)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
	}
	cfg.MaxConns = int32(o.MaxConns)
	cfg.MinConns = 0
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.ConnConfig.ConnectTimeout = o.ConnectTimeout
	dialer := &net.Dialer{KeepAlive: 30 * time.Second}
	cfg.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &opDeadlineConn{Conn: nc, limit: o.CallTimeout}, nil
	}
	pctx, cancel := context.WithTimeout(ctx, o.ConnectTimeout+o.CallTimeout)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(pctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
	}
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: sessions: ping: %w", err)
	}
	defer func() {
		// The library panics on schema problems: make them an error.
		if r := recover(); r != nil {
			pool.Close()
			st, err = nil, fmt.Errorf("store: sessions: %v", r)
		}
	}()
	lib := postgres.New(postgres.Config{DB: pool, Table: "sessions", GCInterval: time.Minute})
	return &SessionStore{Storage: lib, timeout: o.CallTimeout}, nil
}

// opDeadlineConn bounds every read and write by limit, or sooner when the driver set an
// earlier deadline itself (pgx does so to cancel, and for its 1 ms liveness checks).
type opDeadlineConn struct {
	net.Conn
	limit time.Duration

	mu     sync.Mutex
	rd, wd time.Time // deadlines the driver set; zero = none
}

func (c *opDeadlineConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	c.rd, c.wd = t, t
	c.mu.Unlock()
	return c.Conn.SetDeadline(t)
}

func (c *opDeadlineConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.rd = t
	c.mu.Unlock()
	return c.Conn.SetReadDeadline(t)
}

func (c *opDeadlineConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	c.wd = t
	c.mu.Unlock()
	return c.Conn.SetWriteDeadline(t)
}

func (c *opDeadlineConn) bound(set time.Time) time.Time {
	dl := time.Now().Add(c.limit)
	if !set.IsZero() && set.Before(dl) {
		return set
	}
	return dl
}

func (c *opDeadlineConn) Read(b []byte) (int, error) {
	c.mu.Lock()
	dl := c.bound(c.rd)
	c.mu.Unlock()
	if err := c.Conn.SetReadDeadline(dl); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c *opDeadlineConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	dl := c.bound(c.wd)
	c.mu.Unlock()
	if err := c.Conn.SetWriteDeadline(dl); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}
