package live_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/internal/testapp"
	"github.com/redsalud/ticket-home/live"
)

func TestMain(m *testing.M) { os.Exit(testapp.Main(m)) }

// wait is how long a test waits for something that should happen at once: generous, so that
// a loaded machine is slow, never wrong.
const wait = 30 * time.Second

// start opens a broker on the seeded database (or url) that reconnects quickly; its
// connection is named after the test, so a test can find it in pg_stat_activity.
func start(t *testing.T, url string, o live.Options) *live.Broker {
	t.Helper()
	if url == "" {
		url, _ = testapp.DB(t)
	}
	if o.ApplicationName == "" {
		o.ApplicationName = appName(t)
	}
	if o.MinReconnect == 0 {
		o.MinReconnect, o.MaxReconnect = 20*time.Millisecond, 200*time.Millisecond
	}
	b, err := live.Start(context.Background(), url, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func appName(t *testing.T) string {
	name := "live " + t.Name()
	return name[:min(len(name), 60)] // application_name keeps 63 bytes
}

func subscribe(t *testing.T, b *live.Broker, clinic int64) *live.Subscription {
	t.Helper()
	s, err := b.Subscribe(clinic)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// told waits until s is told of a change.
func told(t *testing.T, s *live.Subscription, what string) {
	t.Helper()
	select {
	case <-s.Changes():
	case <-time.After(wait):
		t.Fatalf("not told of %s within %s", what, wait)
	}
}

// notTold fails if a change is waiting in s. Call it after another subscription was told of
// the same notification: the broker tells every subscription of a notification at once.
func notTold(t *testing.T, s *live.Subscription, what string) {
	t.Helper()
	select {
	case <-s.Changes():
		t.Errorf("told of %s", what)
	default:
	}
}

// exec runs a statement as the database superuser (row-level security does not apply; the
// triggers do).
func exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := testapp.AdminDB(t).Exec(query, args...); err != nil {
		t.Fatal(err)
	}
}

// clinicsWithTickets are two demo clinics that have tickets.
func clinicsWithTickets(t *testing.T) (int64, int64) {
	t.Helper()
	rows, err := testapp.AdminDB(t).Query(`SELECT DISTINCT clinic_id FROM tickets ORDER BY 1 LIMIT 2`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ids) < 2 {
		t.Fatal("the demo data has fewer than two clinics with tickets")
	}
	return ids[0], ids[1]
}

// touchTickets writes a clinic's tickets without changing them: the board's statement
// trigger bumps the clinic's board version all the same.
func touchTickets(t *testing.T, clinic int64) {
	t.Helper()
	exec(t, `UPDATE tickets SET room = room WHERE clinic_id = $1`, clinic)
}

func TestBroker_TellsOnlyTheChangedClinicsSubscriptionsAndEveryClinics(t *testing.T) {
	b := start(t, "", live.Options{})
	one, two := clinicsWithTickets(t)
	sOne, sTwo, sAll := subscribe(t, b, one), subscribe(t, b, two), subscribe(t, b, live.AllClinics)

	touchTickets(t, one)
	told(t, sOne, "its clinic's tickets written")
	notTold(t, sTwo, "another clinic's tickets written")
	told(t, sAll, "a clinic's tickets written (every clinic)")

	// A patient's data corrected, and the clinic's thresholds (they decide the states).
	exec(t, `UPDATE patients SET first_names = first_names WHERE id = (SELECT min(patient_id) FROM tickets WHERE clinic_id = $1)`, two)
	told(t, sTwo, "a patient of its clinic corrected")
	notTold(t, sOne, "a patient of another clinic corrected")
	told(t, sAll, "a patient corrected (every clinic)")
	exec(t, `UPDATE clinics SET warning_hours = warning_hours + 1 WHERE id = $1`, one)
	told(t, sOne, "its clinic's thresholds changed")
	notTold(t, sTwo, "another clinic's thresholds changed")
	told(t, sAll, "a clinic's thresholds changed (every clinic)")
	exec(t, `UPDATE clinics SET warning_hours = warning_hours - 1 WHERE id = $1`, one)
	told(t, sOne, "its clinic's thresholds changed back")
}

func TestBroker_RolledBackChangeAnnouncesNothing(t *testing.T) {
	b := start(t, "", live.Options{})
	one, two := clinicsWithTickets(t)
	sOne, sTwo := subscribe(t, b, one), subscribe(t, b, two)

	tx, err := testapp.AdminDB(t).Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE tickets SET room = room WHERE clinic_id = $1`, one); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	// Notifications arrive in commit order: once the later commit's has arrived, the rolled
	// back one would have too.
	touchTickets(t, two)
	told(t, sTwo, "a committed change")
	notTold(t, sOne, "a change rolled back")
}

func TestBroker_BoundsItsSubscriptions(t *testing.T) {
	b := start(t, "", live.Options{MaxStreams: 2})
	first := subscribe(t, b, 1)
	subscribe(t, b, 2)
	if _, err := b.Subscribe(3); !errors.Is(err, live.ErrFull) {
		t.Fatalf("third subscription: %v, want ErrFull", err)
	}
	first.Close()
	first.Close() // twice frees one place only
	if b.Streams() != 1 {
		t.Fatalf("Streams = %d after a close, want 1", b.Streams())
	}
	subscribe(t, b, 3)
	if _, err := b.Subscribe(4); !errors.Is(err, live.ErrFull) {
		t.Fatalf("subscription past the bound again: %v, want ErrFull", err)
	}
}

func TestBroker_CloseEndsSubscriptionsAndRefusesNewOnes(t *testing.T) {
	b := start(t, "", live.Options{})
	s := subscribe(t, b, 1)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Done():
	case <-time.After(wait):
		t.Fatal("subscription not ended by Close")
	}
	if _, err := b.Subscribe(1); !errors.Is(err, live.ErrClosed) {
		t.Fatalf("Subscribe after Close: %v, want ErrClosed", err)
	}
	testapp.Eventually(t, wait, "the listening connection to end", func() bool { return countListeners(t, appName(t)) == 0 })
}

func TestBroker_ReconnectsAfterItsBackendIsTerminated(t *testing.T) {
	b := start(t, "", live.Options{})
	one, _ := clinicsWithTickets(t)
	s, all := subscribe(t, b, one), subscribe(t, b, live.AllClinics)
	before := time.Now()
	if b.ChangedSince(one, before) {
		t.Fatal("ChangedSince: a change reported while nothing changed")
	}

	var killed int
	if err := testapp.AdminDB(t).QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1`, appName(t)).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("terminated %d listening connections, want 1", killed)
	}
	// Reconnected: what was said meanwhile is lost, so every subscription reads its board again.
	told(t, s, "the reconnection")
	told(t, all, "the reconnection (every clinic)")
	if !b.ChangedSince(one, before) {
		t.Error("ChangedSince: nothing reported across a gap in listening")
	}
	testapp.Eventually(t, wait, "the listener to connect again", func() bool { return countListeners(t, appName(t)) == 1 })

	touchTickets(t, one)
	told(t, s, "a change after the reconnection")
	if !b.ChangedSince(one, time.Now().Add(-time.Second)) {
		t.Error("ChangedSince: the change just told not reported")
	}
}

func TestBroker_DropsAConnectionWhoseServerStopsAnsweringAndConnectsAgain(t *testing.T) {
	appURL, _ := testapp.DB(t)
	proxied, proxy := testapp.Proxied(t, appURL)
	b := start(t, proxied, live.Options{PingInterval: 50 * time.Millisecond, PingTimeout: 300 * time.Millisecond, ConnectTimeout: time.Second})
	one, _ := clinicsWithTickets(t)
	s := subscribe(t, b, one)

	proxy.Pause()
	// The ping goes unanswered: the broker drops the connection and reconnects once the
	// server answers again.
	testapp.Eventually(t, wait, "the frozen connection to be dropped", func() bool { return b.ChangedSince(one, time.Now()) })
	proxy.Resume()
	told(t, s, "the reconnection")
	touchTickets(t, one)
	told(t, s, "a change after the reconnection")
}

func TestStart_FailsWithinItsTimeoutWhenTheDatabaseDoesNotAnswer(t *testing.T) {
	appURL, _ := testapp.DB(t)
	proxied, proxy := testapp.Proxied(t, appURL)
	proxy.Pause()
	defer proxy.Resume()
	begun := time.Now()
	_, err := live.Start(context.Background(), proxied, live.Options{ConnectTimeout: time.Second})
	if err == nil {
		t.Fatal("Start succeeded on a frozen database")
	}
	if strings.Contains(err.Error(), "@") {
		t.Errorf("error %q may carry the URL's credentials", err)
	}
	if took := time.Since(begun); took > wait {
		t.Errorf("Start took %s to give up", took)
	}
	if _, err := live.Start(context.Background(), "mysql://x", live.Options{}); err == nil {
		t.Error("Start accepted a URL that is not postgres://")
	}
}

func countListeners(t *testing.T, name string) int {
	t.Helper()
	var n int
	if err := testapp.AdminDB(t).QueryRow(`SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1`, name).Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	return n
}
