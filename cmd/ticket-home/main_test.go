package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/db"
	"github.com/redsalud/ticket-home/internal/faultproxy"
	"github.com/redsalud/ticket-home/internal/testapp"
	"github.com/redsalud/ticket-home/internal/testdb"
)

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// TestServe_StopsCleanlyWithinTenSecondsWhateverTheDatabaseDoes runs the server as the
// container does, through a proxy to its database, and stops it (SIGTERM cancels run's
// context) while requests wait on a database that is frozen, refusing, or fine: run must
// return nil (exit code 0) within the 10 s a platform allows.
func TestServe_StopsCleanlyWithinTenSecondsWhateverTheDatabaseDoes(t *testing.T) {
	appURL, _ := testdb.New(t, db.MigrationsVersion(), db.Migrate)
	for _, tc := range []struct {
		name  string
		fault func(*faultproxy.Proxy)
	}{
		{"Frozen", (*faultproxy.Proxy).Pause},
		{"Refusing", (*faultproxy.Proxy).Refuse},
		{"Healthy", func(*faultproxy.Proxy) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proxied, proxy := testapp.Proxied(t, appURL)
			port := freePort(t)
			env := map[string]string{
				"APP_ENV": "production", "DATABASE_URL": proxied, "PORT": port,
				"SESSION_SECRET": strings.Repeat("s", 40), "DB_MAX_CONNS": "6",
			}
			logs := &testapp.LogBuffer{}
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			done := make(chan error, 1)
			go func() { done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, logs) }()

			base := "http://127.0.0.1:" + port
			client := &http.Client{Timeout: 30 * time.Second}
			ready := time.Now()
			for {
				resp, err := client.Get(base + "/readyz")
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						break
					}
				}
				select {
				case err := <-done:
					t.Fatalf("the server stopped while starting: %v\n%s", err, logs.String())
				default:
				}
				if time.Since(ready) > time.Minute {
					t.Fatalf("the server never became ready:\n%s", logs.String())
				}
			}
			if !strings.Contains(logs.String(), "database pools") {
				t.Fatalf("the pool sizes are not logged at start:\n%s", logs.String())
			}

			// A sign-in form opened before the fault, sent after it: a request that waits on
			// the database for its whole REQUEST_TIMEOUT when the database is frozen.
			jar, _ := cookiejar.New(nil)
			browser := &http.Client{Timeout: 30 * time.Second, Jar: jar}
			resp, err := browser.Get(base + "/login")
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(page)
			if m == nil {
				t.Fatal("no sign-in token")
			}
			tc.fault(proxy)
			// Requests in flight when the stop comes: they wait on the database.
			var wg sync.WaitGroup
			paths := []string{"/readyz", "/login", "/tablero"}
			sent := make(chan struct{}, len(paths)+1)
			for _, path := range paths {
				wg.Add(1)
				go func() {
					defer wg.Done()
					trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { sent <- struct{}{} }}
					req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodGet, base+path, nil)
					if resp, err := client.Do(req); err == nil {
						resp.Body.Close()
					}
				}()
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { sent <- struct{}{} }}
				form := url.Values{"_csrf": {string(m[1])}, "username": {"nadie"}, "password": {"x"}}
				req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if resp, err := browser.Do(req); err == nil {
					resp.Body.Close()
				}
			}()
			for range len(paths) + 1 {
				<-sent // each request is on the server's socket before the stop
			}
			stopped := time.Now()
			stop()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("run returned %v (exit code 1), want nil\n%s", err, logs.String())
				}
				t.Logf("stopped %s after the signal", time.Since(stopped).Round(time.Millisecond))
			case <-time.After(10 * time.Second):
				t.Fatalf("still running 10 s after the signal:\n%s", logs.String())
			}
			proxy.Resume()
			wg.Wait()
		})
	}
}
