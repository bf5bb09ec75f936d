package handlers

import (
	"bufio"
	"math/rand/v2"
	"net"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/live"
)

// liveHeartbeat is how often an idle stream writes a comment, so that proxies and load
// balancers that close quiet connections (often after 30 to 60 s) keep it open, and a browser
// that went away is noticed.
const liveHeartbeat = 25 * time.Second

// liveClockMargin is how far before the instant a reconnecting browser names (Last-Event-ID)
// changes still count as possibly missed: notifications reach each instance a few
// milliseconds after their commit, and instances' clocks differ a little.
const liveClockMargin = 5 * time.Second

// liveRetryAfter is what a refused stream asks the browser to wait, in seconds: the board
// refreshes itself every minute meanwhile.
const liveRetryAfter = "60"

// boardEvents is the board's live-update stream (server-sent events): an event "tablero" each
// time the board of the principal's clinic changed (a superuser's: the clinic chosen, or any),
// whichever instance changed it. Its data is a counter: the page reads its board again the
// usual way. The stream ends after LIVE_STREAM_MAX_AGE, below the platform's request timeout,
// and when the server stops; the browser reconnects. Every message carries an id, the instant
// up to which the browser was told of every change: a reconnecting browser sends it back
// (Last-Event-ID) and is told at once if its board may have changed in between.
//
// The stream is written after the handler returned, by fasthttp, so the request's deadline
// (REQUEST_TIMEOUT) does not apply, and each write gets the server's write timeout afresh
// instead of one for the whole response. It is never compressed: a compressor holds back what
// it has not yet got enough of, and events are a few bytes.
func (h *Handler) boardEvents(c *fiber.Ctx) error {
	p := state(c).principal
	clinic := p.ClinicID
	if p.AllClinics {
		clinic = live.AllClinics
	}
	if h.live == nil {
		return streamRefused(c)
	}
	if c.Method() == fiber.MethodHead {
		setStreamHeaders(c)
		return nil
	}
	select {
	case <-c.Context().Done():
		// The server is stopping: a stream now would only be cut.
		return streamRefused(c)
	default:
	}
	sub, err := h.live.Subscribe(clinic)
	if err != nil {
		// ErrFull, or ErrClosed while the server stops.
		return streamRefused(c)
	}
	// A browser that reconnects names the instant its board was current: if the board may
	// have changed since (or the value is not ours), it reads the board again at once.
	// The board's page names the instant it was read (?desde=) for the first connection.
	missed := false
	v := c.Get("Last-Event-ID")
	if v == "" {
		v = c.Query("desde")
	}
	if v != "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		missed = err != nil || h.live.ChangedSince(clinic, time.UnixMilli(min(ms, time.Now().UnixMilli())).Add(-liveClockMargin))
	}
	c.Request().Header.Del(fiber.HeaderAcceptEncoding)
	setStreamHeaders(c)
	c.Status(fiber.StatusOK)

	// What the stream needs from the request, taken now: the fiber.Ctx is reused once the
	// handler returns.
	out := &eventWriter{conn: c.Context().Conn(), writeTimeout: c.App().Server().WriteTimeout}
	stopping := c.Context().Done() // closed when the server shuts down
	heartbeat := h.heartbeat
	// Up to a tenth earlier, so that browsers that connected together do not all come back
	// at the same instant.
	maxAge := h.cfg.LiveStreamMaxAge
	maxAge -= rand.N(maxAge/10 + 1)

	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer sub.Close()
		out.w = w
		end := time.NewTimer(maxAge)
		defer end.Stop()
		beat := time.NewTicker(heartbeat)
		defer beat.Stop()
		n := 0
		event := func() error {
			n++
			return out.send("event: tablero\ndata: " + strconv.Itoa(n) + "\n" + currentID())
		}
		// The first message reaches the browser with the headers.
		first := out.send(currentID())
		if first == nil && missed {
			first = event()
		}
		if first != nil {
			return
		}
		for {
			var err error
			select {
			case <-sub.Changes():
				err = event()
			case <-beat.C:
				err = out.send(":\n" + currentID())
			case <-end.C:
				_ = out.send(currentID())
				return
			case <-stopping:
				_ = out.send(currentID())
				return
			case <-sub.Done():
				return
			}
			if err != nil {
				return // the browser went away
			}
		}
	})
	return nil
}

// currentID is a message's id line and end: now, in Unix milliseconds. Sent after the changes
// before it, it is the instant up to which the browser knows of every change.
func currentID() string {
	return "id: " + strconv.FormatInt(time.Now().UnixMilli(), 10) + "\n\n"
}

func setStreamHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-cache, no-store")
	// nginx and some other proxies buffer responses unless told not to.
	c.Set("X-Accel-Buffering", "no")
}

// streamRefused answers 503 when the instance holds as many streams as it may (or live
// updates are off, or the server is stopping). The answer is itself an (empty) event stream:
// htmx's SSE extension then treats it as a stream that ended and tries again later, backing
// off up to a minute between attempts, rather than swapping an error page into the page; the
// board refreshes itself every minute meanwhile.
func streamRefused(c *fiber.Ctx) error {
	setStreamHeaders(c)
	c.Set(fiber.HeaderRetryAfter, liveRetryAfter)
	return c.Status(fiber.StatusServiceUnavailable).SendString(": no disponible\n\n")
}

// eventWriter writes a stream's messages, each one flushed to the browser at once.
type eventWriter struct {
	w            *bufio.Writer
	conn         net.Conn
	writeTimeout time.Duration
}

// send writes one message. fasthttp bounds the whole response by its write timeout from the
// moment it starts writing; a stream outlives that, so each message gets the bound afresh: a
// browser that stops reading still frees the stream within the write timeout.
func (e *eventWriter) send(msg string) error {
	if e.conn != nil && e.writeTimeout > 0 {
		if err := e.conn.SetWriteDeadline(time.Now().Add(e.writeTimeout)); err != nil {
			return err
		}
	}
	if _, err := e.w.WriteString(msg); err != nil {
		return err
	}
	return e.w.Flush()
}
