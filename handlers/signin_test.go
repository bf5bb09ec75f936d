package handlers_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/iap"
	"github.com/redsalud/ticket-home/iap/iaptest"
	"github.com/redsalud/ticket-home/internal/testapp"
	"github.com/redsalud/ticket-home/store"
)

// proxiedEnvs are n servers (instances) on the one test database, behind a trusted proxy
// whose X-Forwarded-For names each request's client address, sharing one clock.
func proxiedEnvs(t *testing.T, n int, o testapp.Options) []*env {
	t.Helper()
	if o.Clock == nil {
		o.Clock = &testapp.Clock{}
	}
	// The waits are counted in seconds: only the test moves time, however slow the machine.
	o.Clock.Freeze()
	if o.Env == nil {
		o.Env = map[string]string{}
	}
	// In-process requests come from 0.0.0.0: that is the proxy.
	o.Env["TRUSTED_PROXIES"] = "0.0.0.0"
	var out []*env
	for range n {
		s := testapp.New(t, o)
		out = append(out, &env{app: s.App, st: s.Store, adminURL: s.AdminURL, db: testapp.AdminDB(t), clock: s.Clock})
	}
	return out
}

// testIP is a private address no other test (nor a repeated run of this one) uses: the
// throttle's counters outlive a test.
func testIP() string {
	return fmt.Sprintf("10.%d.%d.%d", rand.IntN(256), rand.IntN(256), 1+rand.IntN(254))
}

// signIn posts the sign-in form from ip to e, with a fresh token, and returns the response.
func signIn(t *testing.T, e *env, ip, username, password string) *http.Response {
	t.Helper()
	c := e.client(t)
	req := httpGet("/login")
	req.Header.Set("X-Forwarded-For", ip)
	tok, _ := doc(t, c.do(req)).Find(`input[name="_csrf"]`).Attr("value")
	req = httpPost("/login", url.Values{"_csrf": {tok}, "username": {username}, "password": {password}}.Encode())
	req.Header.Set("X-Forwarded-For", ip)
	req.Header.Set("User-Agent", "signin-test "+t.Name())
	return c.do(req)
}

func TestLoginThrottle_SharedByInstancesPerAccountAndAddress(t *testing.T) {
	envs := proxiedEnvs(t, 3, testapp.Options{})
	clock := envs[0].clock
	ip, other := testIP(), testIP()
	n := 0
	attempt := func(ip, username, password string) *http.Response {
		n++
		return signIn(t, envs[n%3], ip, username, password)
	}
	// Five failures are free, whatever instance checks them.
	for i := 1; i <= store.AccountFreeFailures; i++ {
		if resp := attempt(ip, "admin_maga", "equivocada"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d, want 401", i, resp.StatusCode)
		}
	}
	// Then each attempt waits longer: answered at once with the wait, even the right password.
	resp := attempt(ip, "admin_maga", demo.Password)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th attempt = %d, want 429", resp.StatusCode)
	}
	if ra := resp.Header.Get("Retry-After"); ra == "" {
		t.Fatal("429 without Retry-After")
	}
	if msg := doc(t, resp).Find("[data-error-summary]").Text(); !strings.Contains(msg, "Espere 10 segundos") {
		t.Fatalf("429 message = %q", msg)
	}
	// The account's owner elsewhere is not locked out.
	if resp := attempt(other, "admin_maga", demo.Password); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("right password from another address = %d, want 303", resp.StatusCode)
	}
	// Failures 6 to 10, each after its wait; the tenth locks for 15 minutes.
	for i := store.AccountFreeFailures + 1; i <= store.AccountLockFailures; i++ {
		clock.Advance(store.AccountDelay(i-1) + time.Second)
		if resp := attempt(ip, "admin_maga", "equivocada"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d after its wait = %d, want 401", i, resp.StatusCode)
		}
		if i < store.AccountLockFailures {
			if resp := attempt(ip, "admin_maga", "equivocada"); resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("attempt right after failure %d = %d, want 429", i, resp.StatusCode)
			}
		}
	}
	resp = attempt(ip, "admin_maga", demo.Password)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(doc(t, resp).Text(), "15 minutos") {
		t.Fatalf("after 10 failures = %d, want 429 for 15 minutos", resp.StatusCode)
	}
	clock.Advance(store.AccountLock + time.Second)
	if resp := attempt(ip, "admin_maga", demo.Password); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the lock = %d, want 303", resp.StatusCode)
	}
	// A success resets the count: the next failure is free again.
	if resp := attempt(ip, "admin_maga", "equivocada"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("failure after a success = %d, want 401", resp.StatusCode)
	}
	// An account that does not exist is throttled the same way, with the same message.
	for i := 1; i <= store.AccountFreeFailures; i++ {
		attempt(ip, "nadie_maga", "equivocada")
	}
	resp = attempt(ip, "nadie_maga", "equivocada")
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(doc(t, resp).Text(), "Espere 10 segundos") {
		t.Fatalf("unknown account after 5 failures = %d, want the same 429", resp.StatusCode)
	}
	// Every attempt is audited, the refused ones included.
	var audited int
	if err := envs[0].db.QueryRow(`SELECT count(*) FROM login_audit WHERE user_agent = $1`, "signin-test "+t.Name()).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if audited != n {
		t.Fatalf("%d attempts, %d audit rows", n, audited)
	}
}

func TestLoginThrottle_AddressLimitCountsFailuresOnlyAndSparesIAP(t *testing.T) {
	signer := iaptest.NewSigner(t, "iap-key-throttle")
	keys := iaptest.NewKeyServer(t, signer)
	v, err := iap.New(t.Context(), iap.Config{JWKSURL: keys.URL(), Audience: iapAudience, Issuer: iapIssuer})
	if err != nil {
		t.Fatal(err)
	}
	e := proxiedEnvs(t, 1, testapp.Options{IAP: v, Env: map[string]string{"IAP_AUDIENCE": iapAudience}})[0]
	ip := testIP()
	// A shift signing in through one NAT: successes never count.
	for range 40 {
		if resp := signIn(t, e, ip, "clinico_iqui", demo.Password); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("a correct sign-in = %d", resp.StatusCode)
		}
	}
	// Thirty failures a minute from one address, over many accounts (under five each).
	for i := range store.AddressFailures {
		if resp := signIn(t, e, ip, fmt.Sprintf("nadie_%d", i/4), "equivocada"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d, want 401", i+1, resp.StatusCode)
		}
	}
	if resp := signIn(t, e, ip, "clinico_elqu", demo.Password); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after 30 failures in a minute = %d, want 429", resp.StatusCode)
	}
	if resp := signIn(t, e, testIP(), "clinico_elqu", demo.Password); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("another address = %d, want 303", resp.StatusCode)
	}
	// IAP sign-ins are never throttled.
	e.userWithEmail(t, "visor_iqui", "visor.iqui.throttle@redsalud.test")
	c := e.client(t)
	req := httpGet("/tablero")
	req.Header.Set("X-Forwarded-For", ip)
	req.Header.Set(iapAssertionHeader, signer.Sign(t, iapClaims("visor.iqui.throttle@redsalud.test")))
	if resp := c.do(req); resp.StatusCode != http.StatusOK {
		t.Fatalf("IAP sign-in from a throttled address = %d, want 200", resp.StatusCode)
	}
	e.clock.Advance(store.AddressWindow + time.Second)
	if resp := signIn(t, e, ip, "clinico_elqu", demo.Password); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a minute later = %d, want 303", resp.StatusCode)
	}
}

func TestLogin_HeadersWithInvalidBytesAreStoredCleaned(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	tok := c.csrf("/login")
	req := httpPost("/login", url.Values{"_csrf": {tok}, "username": {"visor_vita"}, "password": {demo.Password}}.Encode())
	req.Header.Set("User-Agent", "UA-\xff\x00-"+t.Name())
	resp := c.do(req)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in with invalid bytes in User-Agent = %d, want 303", resp.StatusCode)
	}
	if n := e.count(t, `SELECT count(*) FROM login_audit WHERE success AND user_agent = $1`, "UA-\uFFFD\uFFFD-"+t.Name()); n != 1 {
		t.Fatalf("audit rows with the cleaned User-Agent = %d, want 1", n)
	}
}

// TestLogin_UnauditableSignInDoesNotSignIn makes the login audit refuse one test's rows: the
// sign-in fails as a whole, with no session (RULES §10), and a failure is not a free guess.
func TestLogin_UnauditableSignInDoesNotSignIn(t *testing.T) {
	e := newEnv(t)
	ua := "audit-refused-" + t.Name()
	e.sql(t, `CREATE FUNCTION refuse_test_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.user_agent = '`+ua+`' THEN RAISE EXCEPTION 'audit unavailable'; END IF; RETURN NEW; END $$`)
	e.sql(t, `CREATE TRIGGER refuse_test_audit BEFORE INSERT ON login_audit FOR EACH ROW EXECUTE FUNCTION refuse_test_audit()`)
	t.Cleanup(func() {
		e.sql(t, `DROP TRIGGER refuse_test_audit ON login_audit`)
		e.sql(t, `DROP FUNCTION refuse_test_audit()`)
	})
	sessions := e.count(t, `SELECT count(*) FROM sessions`)
	for _, password := range []string{demo.Password, "equivocada"} {
		c := e.client(t)
		tok := c.csrf("/login")
		req := httpPost("/login", url.Values{"_csrf": {tok}, "username": {"admin_iqui"}, "password": {password}}.Encode())
		req.Header.Set("User-Agent", ua)
		resp := c.do(req)
		if resp.StatusCode < 500 {
			t.Fatalf("unauditable sign-in = %d, want a server error", resp.StatusCode)
		}
		if _, ok := c.cookies["th_session"]; ok {
			t.Fatal("an unauditable sign-in set a session cookie")
		}
		if resp := c.get("/tablero"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("after an unauditable sign-in /tablero = %d, want 303 to sign in", resp.StatusCode)
		}
	}
	if got := e.count(t, `SELECT count(*) FROM sessions`); got != sessions {
		t.Fatalf("sessions %d → %d", sessions, got)
	}
}

func httpGet(path string) *http.Request {
	req, err := http.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		panic(err)
	}
	return req
}
