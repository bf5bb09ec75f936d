package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/redsalud/ticket-home/internal/testapp"
	"github.com/redsalud/ticket-home/store"
)

// TestOpen_CallsEndAtTheirDeadlineOnAFrozenDatabase freezes the connection under the pool:
// lib/pq alone would wait on the socket for as long as the freeze lasts, whatever the
// context says.
func TestOpen_CallsEndAtTheirDeadlineOnAFrozenDatabase(t *testing.T) {
	appURL, _ := testapp.DB(t)
	proxied, p := testapp.Proxied(t, appURL)
	st, err := store.Open(context.Background(), proxied, store.Options{MaxConns: 2, StatementTimeout: time.Second, CallTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sessions, err := store.OpenSessions(context.Background(), proxied, store.Options{MaxConns: 2, StatementTimeout: time.Second, CallTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer sessions.Close()

	p.Pause()
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"Ping", func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			return st.Ping(ctx)
		}},
		{"SessionGet", func() error { _, err := sessions.Get("any"); return err }},
		{"SessionSet", func() error { return sessions.Set("any", []byte("x"), time.Minute) }},
	} {
		start := time.Now()
		err := tc.call()
		took := time.Since(start)
		if err == nil {
			t.Fatalf("%s answered on a frozen database", tc.name)
		}
		if !store.Unavailable(err) {
			t.Errorf("%s: %v is not reported as the database being unavailable", tc.name, err)
		}
		// Its own deadline, not the freeze: the freeze lasts until this test ends.
		if took > 10*time.Second {
			t.Fatalf("%s took %s", tc.name, took)
		}
		t.Logf("%s failed after %s", tc.name, took.Round(time.Millisecond))
	}
	p.Resume()
	deadline := time.Now().Add(30 * time.Second)
	for st.Ping(context.Background()) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the pool did not recover")
		}
	}
}

func TestStatementTimeout_IsSetOnEveryConnection(t *testing.T) {
	appURL, _ := testapp.DB(t)
	st, err := store.Open(context.Background(), appURL, store.Options{MaxConns: 1, StatementTimeout: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Setting(context.Background(), "statement_timeout")
	if err != nil {
		t.Fatal(err)
	}
	if got != "1500ms" {
		t.Fatalf("statement_timeout = %q, want 1500ms", got)
	}
}

func TestUnavailable_ClassifiesDatabaseOutagesOnly(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{context.DeadlineExceeded, true},
		{fmt.Errorf("store: board: %w", syscall.ECONNREFUSED), true},
		{io.ErrUnexpectedEOF, true},
		{&pq.Error{Code: "57014"}, true}, // statement timeout
		{&pq.Error{Code: "08006"}, true},
		{&pq.Error{Code: "57P01"}, true},
		{&pq.Error{Code: "23505"}, false},
		{&pq.Error{Code: "40P01"}, false},
		{errors.New("store: something else"), false},
		{store.ErrNotFound, false},
		{nil, false},
	} {
		if got := store.Unavailable(tc.err); got != tc.want {
			t.Errorf("Unavailable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestAccountDelay_FiveFreeThenDoublingThenLock(t *testing.T) {
	want := []time.Duration{0, 0, 0, 0, 0, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second, store.AccountLock, store.AccountLock}
	for n, w := range want {
		if got := store.AccountDelay(n); got != w {
			t.Errorf("AccountDelay(%d) = %s, want %s", n, got, w)
		}
	}
}
