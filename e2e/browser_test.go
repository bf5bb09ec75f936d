// Package e2e drives the real server in headless Chromium: the flows a person does, with
// JavaScript on and off, keyboard only, and axe-core's accessibility checks.
package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/internal/testapp"
)

// browserPath finds Debian's Chromium (or CHROME_PATH).
func browserPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROME_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	t.Fatal("Chromium not found: run `make deps` (Debian: apt-get install chromium) or set CHROME_PATH")
	return ""
}

// server serves the application on a loopback port for the whole package.
var (
	srvOnce sync.Once
	srv     *testapp.Server
	srvBase string
	srvErr  error
)

func baseURL(t *testing.T) string {
	t.Helper()
	srvOnce.Do(func() {
		s, err := testapp.Start() // lives as long as the test binary
		if err != nil {
			srvErr = err
			return
		}
		srv = s
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			srvErr = err
			return
		}
		go func() { _ = s.App.Listener(ln) }() // ends with the test process
		srvBase = "http://" + ln.Addr().String()
	})
	if srvErr != nil {
		t.Fatal(srvErr)
	}
	return srvBase
}

// patience bounds each wait of a browser test: what a person waits for (a page, an answer) on
// a machine loaded by other work too. The tests wait on conditions; this only ends a wait
// that will never end.
const patience = 45 * time.Second

// browser is one headless Chromium tab that records console errors and CSP violations.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	problems []string
}

func newBrowser(t *testing.T, width, height int64, javascript bool) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browserPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "es-CL"),
		chromedp.WindowSize(int(width), int(height)),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelC(); cancelA() })
	b := &browser{ctx: ctx}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// A 4xx document is the application answering as designed (a refused sign-in is
			// 401, an invalid form 422); the browser logs it, but it is not a fault.
			if strings.HasPrefix(m.Text, "Failed to load resource: the server responded with a status of 4") {
				continue
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || strings.Contains(m.Text, "Content Security Policy") {
				b.record(fmt.Sprintf("%s: %s", m.Type, m.Text))
			}
		}
	}()
	b.do(t, chromedp.EmulateViewport(width, height))
	if !javascript {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func (b *browser) record(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, s)
}

// do runs actions in order and fails the test on error. Each call has its own time limit.
func (b *browser) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, patience)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%v (the page: %s)", err, b.where())
	}
}

// where says which page the browser shows (address and heading), for a failure's message.
func (b *browser) where() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + " · " + ((document.querySelector("h1") || {}).textContent || "")`))
	if err != nil {
		return "unknown: " + err.Error()
	}
	return s
}

// eval evaluates a JavaScript expression and returns its value.
func eval[T any](t *testing.T, b *browser, expr string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// assertClean fails on any console error or CSP violation seen so far, but those containing
// one of the expected texts.
func (b *browser) assertClean(t *testing.T, expected ...string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
next:
	for _, p := range b.problems {
		for _, e := range expected {
			if strings.Contains(p, e) {
				continue next
			}
		}
		t.Errorf("browser reported: %s", p)
	}
}

func (b *browser) text(t *testing.T, sel string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, patience)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(s)
}

func (b *browser) value(t *testing.T, sel string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, patience)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (b *browser) activeID(t *testing.T) string {
	t.Helper()
	return eval[string](t, b, `document.activeElement ? (document.activeElement.id || document.activeElement.tagName) : ""`)
}

// typeKeys sends real key events, as a keyboard user types.
func (b *browser) typeKeys(t *testing.T, s string) {
	t.Helper()
	b.do(t, chromedp.KeyEvent(s))
}

// waitVisible waits until the selector matches a visible element.
func waitVisible(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(sel))
}

// loginKeyboard signs in by keyboard alone: the sign-in page puts focus in the username
// field, so a keyboard user types, tabs to the password and presses Enter.
func (b *browser) loginKeyboard(t *testing.T, base, username, password string) {
	t.Helper()
	b.do(t, chromedp.Navigate(base+"/login"), waitVisible("#username"))
	if got := b.activeID(t); got != "username" {
		t.Fatalf("the sign-in page starts with focus on %q, want the username field", got)
	}
	b.typeKeys(t, username)
	b.typeKeys(t, kb.Tab)
	if got := b.activeID(t); got != "password" {
		t.Fatalf("Tab from username focused %q", got)
	}
	b.typeKeys(t, password)
	b.typeKeys(t, kb.Enter)
}

// screenshot saves a PNG of the whole page under $E2E_SCREENSHOTS (when set), for people to
// look at the pages the tests visit.
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	b.capture(t, name, chromedp.FullScreenshot(100))
}

// screenshotViewport saves what is on screen without scrolling (the "above the fold" view).
func (b *browser) screenshotViewport(t *testing.T, name string) {
	t.Helper()
	b.capture(t, name, chromedp.CaptureScreenshot())
}

func (b *browser) capture(t *testing.T, name string, shot chromedp.Action[[]byte]) {
	t.Helper()
	dir := os.Getenv("E2E_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, patience)
	defer cancel()
	png, err := chromedp.Run(ctx, shot)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile("../node_modules/axe-core/axe.min.js")
	if err != nil {
		return "", errors.New("axe-core not installed: run `make deps` (npm ci)")
	}
	return string(b), nil
})

// assertAxe runs axe-core with the WCAG 2.2 AA tags on the current page.
func (b *browser) assertAxe(t *testing.T, label string) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatal(err)
	}
	if !eval[bool](t, b, src+"; typeof axe !== 'undefined'") {
		t.Fatal("axe-core did not load")
	}
	out := eval[string](t, b, `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']}})
	  .then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
	    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\s+/g, ' '))}))))`,
		chromedp.EvalAwaitPromise)
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		t.Errorf("axe (%s) %s [%s]: %s\n  %s", label, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
	}
}

// waitJS waits until a JavaScript condition holds (polled by the browser, not a sleep).
func (b *browser) waitJS(t *testing.T, cond string) {
	t.Helper()
	if !b.waitJSFor(t, cond, patience) {
		t.Fatalf("waiting for %s: timed out", cond)
	}
}

// waitJSFor waits up to d for a JavaScript condition and reports whether it held.
func (b *browser) waitJSFor(t *testing.T, cond string, d time.Duration) bool {
	t.Helper()
	// Evaluated from here, not polled inside the page: a page without JavaScript runs no
	// timers, so a poll started on a page still loading would never look again. A navigation
	// (a form submitted without JavaScript) makes an evaluation fail: the next one reads the
	// new page.
	deadline := time.Now().Add(d)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+cond+")"))
		cancel()
		if err == nil && ok {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-b.ctx.Done():
			return false
		}
	}
}

// network emulates the tablet's connection: every request waits latency (ms) for its answer,
// or fails when offline (navigator.onLine says so too).
func (b *browser) network(t *testing.T, latency float64, offline bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, patience)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Latency: latency, DownloadThroughput: -1, UploadThroughput: -1, Offline: offline}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: offline, Latency: latency, DownloadThroughput: -1, UploadThroughput: -1,
	}); err != nil {
		t.Fatal(err)
	}
}

// openAction opens one of the ticket's actions (its disclosure), as a tap on its title does.
func (b *browser) openAction(t *testing.T, id string) {
	t.Helper()
	if !eval[bool](t, b, `document.getElementById('`+id+`').open`) {
		b.do(t, chromedp.Click(chromedp.CSS("#"+id+" > summary")))
	}
	b.waitJS(t, `document.getElementById('`+id+`').open`)
}

// typeDate types a date into the focused native date field, digits in the order the field
// shows them: the browser's language decides (dd/mm/aaaa in es-CL; this Chromium has only
// en-US, mm/dd/yyyy), as a person types what the field shows.
func (b *browser) typeDate(t *testing.T, d fpa.Date) {
	t.Helper()
	order := eval[string](t, b, `new Intl.DateTimeFormat(navigator.language).formatToParts(new Date(2001, 10, 22)).filter(p => p.type !== 'literal').map(p => p.type[0]).join('')`)
	parts := map[rune]string{'d': fmt.Sprintf("%02d", d.Day), 'm': fmt.Sprintf("%02d", int(d.Month)), 'y': fmt.Sprintf("%04d", d.Year)}
	for _, c := range order {
		b.typeKeys(t, parts[c])
	}
}

// typeTime types a time into the focused native time field as the field shows it: 24 hours
// in es-CL; hours, minutes and AM/PM in this Chromium's en-US.
func (b *browser) typeTime(t *testing.T, tm time.Time) {
	t.Helper()
	if !eval[bool](t, b, `new Intl.DateTimeFormat(navigator.language, {hour: 'numeric'}).resolvedOptions().hour12 === true`) {
		b.typeKeys(t, tm.Format("1504"))
		return
	}
	b.typeKeys(t, tm.Format("0304"))
	b.typeKeys(t, tm.Format("PM")[:1])
}

// clickLive clicks an element of a region that may be refreshed at any moment (the live
// board): a click on a node replaced meanwhile is tried again on the new one, as a person
// taps again.
func (b *browser) clickLive(t *testing.T, sel string) {
	t.Helper()
	var err error
	for range 5 {
		ctx, cancel := context.WithTimeout(b.ctx, patience)
		_, err = chromedp.Run(ctx, chromedp.Click(chromedp.CSS(sel)))
		cancel()
		if err == nil || !strings.Contains(err.Error(), "Could not find node") {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}
