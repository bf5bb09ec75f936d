package e2e

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/internal/testapp"
	"github.com/redsalud/ticket-home/store"
)

// serve serves another instance of the application on the seeded database, on a loopback
// port, until the test ends or stop is called (which ends its streams as a shutdown does).
func serve(t *testing.T, o testapp.Options) (base string, stop func()) {
	t.Helper()
	testapp.DB(t)
	s, err := testapp.StartWith(o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.App.Listener(ln) }()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			_ = s.App.ShutdownWithTimeout(5 * time.Second)
			<-served
			s.Close()
		}
	}
	t.Cleanup(stop)
	return "http://" + ln.Addr().String(), stop
}

// startLive serves an instance with live updates (its own listening connection).
func startLive(t *testing.T) (base string, stop func()) {
	t.Helper()
	return serve(t, testapp.Options{Live: true})
}

// TestLiveBoard_AnotherNursesChangeAppearsWithoutLosingWhatIsTyped: a change made elsewhere (here
// by another instance's nurse, through the store) reaches the board by itself, without a
// reload; an inline edit open meanwhile keeps what was typed, and the board catches up when it
// closes.
func TestLiveBoard_AnotherNursesChangeAppearsWithoutLosingWhatIsTyped(t *testing.T) {
	base := baseURL(t)
	x, y := newTicket(t), newTicket(t)
	b := newBrowser(t, 768, 1024, true)
	b.signInToBoard(t, base, "clinico_prov")
	eval[bool](t, b, `window.sameDocument = true, window.events = 0, document.addEventListener('tablero', () => window.events++), true`)
	b.waitJS(t, `!!document.querySelector('#tablero-vivo') && document.querySelector('[data-ticket="`+fmt.Sprint(y.ID)+`"]') !== null`)
	// The stream is open once the server has a subscriber: a change then is announced.
	change := func(id int64, bed string) {
		t.Helper()
		ctx := context.Background()
		u, err := srv.Store.UserByUsername(ctx, "clinico_prov")
		if err != nil {
			t.Fatal(err)
		}
		cur, err := srv.Store.Ticket(ctx, u.Principal(), id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Store.UpdateLocation(ctx, u.Principal(), store.Change{TicketID: id, Version: cur.Version},
			store.LocationInput{Bed: bed, Room: cur.Room, Location: cur.Location, EpisodeID: cur.EpisodeID}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	bedOf := func(id int64) string {
		return fmt.Sprintf(`(document.querySelector('[data-ticket="%d"] .bed') || {}).textContent`, id)
	}
	// Retried until the stream has connected and carried a change to the page (it may also
	// announce, on connecting, the tickets this test created just before).
	for i := 0; ; i++ {
		if i == 50 {
			t.Fatal("no change reached the board")
		}
		seen := eval[int](t, b, `window.events`)
		change(y.ID, fmt.Sprintf("V%d", i))
		if b.waitJSFor(t, fmt.Sprintf(`window.events > %d`, seen), 200*time.Millisecond) {
			break
		}
	}
	b.waitJS(t, bedOf(y.ID)+`.includes('V')`)

	// An open inline edit keeps what was typed while changes arrive.
	cell := fmt.Sprintf("#ubic-t-%d", x.ID)
	b.clickLive(t, cell+" a.edit")
	b.do(t, waitVisible(cell+" form"), chromedp.SetValue(chromedp.CSS(cell+` input[name="cama"]`), "9Z"))
	seen := eval[int](t, b, `window.events`)
	changed := time.Now()
	change(y.ID, "W1")
	b.waitJS(t, fmt.Sprintf(`window.events > %d`, seen))
	t.Logf("a change reached the page %d ms after its commit", time.Since(changed).Milliseconds())
	if got := b.value(t, cell+` input[name="cama"]`); got != "9Z" {
		t.Fatalf("the typed bed became %q", got)
	}
	if strings.Contains(eval[string](t, b, bedOf(y.ID)), "W1") {
		t.Fatal("the board was replaced under an open edit")
	}
	// Closed, the edit lets the board catch up.
	b.do(t, chromedp.Click(chromedp.CSS(cell+` a.btn-secondary`)))
	b.waitJS(t, bedOf(y.ID)+`.includes('W1')`)
	if !eval[bool](t, b, `window.sameDocument === true`) {
		t.Fatal("the page was reloaded")
	}
	b.assertClean(t)
}

// liveFixture is the element the board carries to receive live updates, added to the page
// the browser shows (hidden), with recorders of what reaches the page.
const liveFixture = `(() => {
	// The board's own stream would be counted too: this fixture stands in for it.
	const own = document.getElementById('tablero-vivo');
	if (own) own.remove();
	window.liveSeen = {events: [], connections: 0, errors: []};
	document.addEventListener('tablero', e => liveSeen.events.push(String(e.detail && e.detail.data)));
	const d = document.createElement('div');
	d.id = 'prueba-vivo';
	d.hidden = true;
	d.setAttribute('hx-sse:connect', '/tablero/eventos');
	d.addEventListener('htmx:sse:after:connection', () => liveSeen.connections++);
	d.addEventListener('htmx:sse:error', () => liveSeen.errors.push(performance.now()));
	document.body.appendChild(d);
	htmx.process(d);
	return true;
})()`

func (b *browser) signInToBoard(t *testing.T, base, username string) {
	t.Helper()
	b.loginKeyboard(t, base, username, demo.Password)
	b.do(t, waitVisible("#resultados"))
	if !eval[bool](t, b, `typeof htmx !== 'undefined'`) {
		t.Fatal("htmx is not loaded")
	}
}

// assertBacksOff waits for three failed attempts to reconnect and checks the waits between
// them grow as htmx's SSE extension promises (0.5 s, 1 s, 2 s… each ±30 %): lower bounds
// only, which a slow machine cannot break.
func (b *browser) assertBacksOff(t *testing.T) {
	t.Helper()
	b.waitJS(t, `liveSeen.errors.length >= 3`)
	gaps := eval[[]float64](t, b, `[liveSeen.errors[1] - liveSeen.errors[0], liveSeen.errors[2] - liveSeen.errors[1]]`)
	if gaps[0] < 700 || gaps[1] < 1400 {
		t.Errorf("waits between attempts %v ms, want at least 700 and 1400 (backing off)", gaps)
	}
	if html := eval[string](t, b, `document.getElementById('prueba-vivo').innerHTML`); html != "" {
		t.Errorf("a failed stream swapped %q into the page", html)
	}
}

// The extension delivers the stream's events as DOM events that bubble from the element, and
// swaps nothing into it; the strict CSP is not bothered.
func TestLiveBoard_ChangeReachesThePageAsAnEventAndSwapsNothing(t *testing.T) {
	base, _ := startLive(t)
	b := newBrowser(t, 1280, 900, true)
	b.signInToBoard(t, base, "clinico_mayo")
	eval[bool](t, b, liveFixture)
	b.waitJS(t, `liveSeen.connections >= 1`)
	if _, err := testapp.AdminDB(t).Exec(`UPDATE tickets SET room = room
		WHERE clinic_id = (SELECT clinic_id FROM users WHERE username = 'clinico_mayo')`); err != nil {
		t.Fatal(err)
	}
	b.waitJS(t, `liveSeen.events.length >= 1`)
	if got := eval[string](t, b, `liveSeen.events[0]`); got != "1" {
		t.Errorf("event data %q, want 1", got)
	}
	if html := eval[string](t, b, `document.getElementById('prueba-vivo').innerHTML`); html != "" {
		t.Errorf("the stream swapped %q into the page", html)
	}
	b.assertClean(t)
}

// A refused stream (503: live updates off here, as when an instance holds its maximum) is
// tried again later and later, never in a tight loop.
func TestLiveBoard_RefusedStreamIsRetriedWithGrowingWaits(t *testing.T) {
	base, _ := serve(t, testapp.Options{}) // no live updates: the stream is refused
	b := newBrowser(t, 1280, 900, true)
	b.signInToBoard(t, base, "visor_mayo")
	eval[bool](t, b, liveFixture)
	b.assertBacksOff(t)
	b.assertClean(t, "status of 503", "htmx:sse:error")
}

// A stream that ends because the server went away is tried again later and later while the
// server is unreachable.
func TestLiveBoard_UnreachableServerIsRetriedWithGrowingWaits(t *testing.T) {
	base, stop := startLive(t)
	b := newBrowser(t, 1280, 900, true)
	b.signInToBoard(t, base, "visor_mayo")
	eval[bool](t, b, liveFixture)
	b.waitJS(t, `liveSeen.connections >= 1`)
	stop()
	b.assertBacksOff(t)
	if n := eval[int](t, b, `liveSeen.connections`); n != 1 {
		t.Errorf("%d connections made, want 1 (the server is gone)", n)
	}
	b.assertClean(t, "ERR_CONNECTION_REFUSED", "htmx:sse:error", "Failed to fetch", "status of 503")
}
