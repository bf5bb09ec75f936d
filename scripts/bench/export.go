package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/store"
)

// exportTargets are how many tickets the measured workbooks hold (fewer when the clinic has
// fewer): the small one shows that memory does not grow with the size.
var exportTargets = []int{5_000, 50_000}

type exportFigures struct {
	tickets            int
	took               time.Duration
	bytes              int64
	rssBefore, rssPeak int64 // kB
	tempPeak           int64 // bytes of the server's temporary files open at once
	tempLeft           int   // temporary files left once the response is read
}

// measureExport downloads the measured clinic's board, every state, from the day that makes it
// hold about target tickets, while sampling the server's memory and temporary files.
func measureExport(ctx context.Context, srv *server, c *client, adminURL string, target int) (exportFigures, error) {
	var x exportFigures
	conn, err := sql.Open("postgres", adminURL)
	if err != nil {
		return x, err
	}
	defer conn.Close()
	// The first Santiago day of the most recent target tickets (all of them if fewer).
	var from time.Time
	err = conn.QueryRowContext(ctx, `
SELECT min(pavilion_end_at) FROM (
    SELECT t.pavilion_end_at FROM tickets t JOIN clinics c ON c.id = t.clinic_id
    WHERE c.code = $1 ORDER BY t.pavilion_end_at DESC LIMIT $2) last`, clinicCode, target).Scan(&from)
	if err != nil {
		return x, err
	}
	day := fpa.DateOf(from).AddDays(1)
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM tickets t JOIN clinics c ON c.id = t.clinic_id
		WHERE c.code = $1 AND t.pavilion_end_at >= $2`, clinicCode, day.At(0)).Scan(&x.tickets); err != nil {
		return x, err
	}
	q := url.Values{"estado": store.AllStates, "desde": {day.At(0).In(fpa.Santiago).Format("02/01/2006")}}

	x.rssBefore = srv.status("VmRSS")
	x.rssPeak = x.rssBefore
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			x.rssPeak = max(x.rssPeak, srv.status("VmRSS"))
			x.tempPeak = max(x.tempPeak, srv.openTempBytes())
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.base+"/tablero/exportar?"+q.Encode(), nil)
	if err != nil {
		return x, err
	}
	resp, err := c.http.Do(req)
	if err == nil {
		x.bytes, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && (resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), ".xlsx")) {
			err = fmt.Errorf("GET /tablero/exportar = %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
		}
	}
	x.took = time.Since(start)
	close(done)
	wg.Wait()
	if err != nil {
		return x, err
	}
	// The response's file is closed once sent: wait for that (a second at most), then count.
	for deadline := time.Now().Add(time.Second); ; {
		x.tempLeft = srv.tempFiles()
		if x.tempLeft == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return x, nil
}

// openTempBytes is the size of the files under the server's TMPDIR it holds open (removed
// from the directory or not).
func (s *server) openTempBytes() int64 {
	var n int64
	s.eachTempFD(func(path string, _ bool) {
		if fi, err := os.Stat(path); err == nil {
			n += fi.Size()
		}
	})
	return n
}

// tempFiles counts the server's temporary files: in its TMPDIR, or open though removed.
func (s *server) tempFiles() int {
	n := 0
	s.eachTempFD(func(_ string, removed bool) {
		if removed {
			n++ // the others are in the directory
		}
	})
	entries, _ := os.ReadDir(s.tmp)
	return n + len(entries)
}

// eachTempFD calls fn for every file descriptor of the server open on a file of its TMPDIR.
func (s *server) eachTempFD(fn func(fdPath string, removed bool)) {
	dir := fmt.Sprintf("/proc/%d/fd", s.cmd.Process.Pid)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if target, err := os.Readlink(p); err == nil && strings.HasPrefix(target, s.tmp+"/") {
			fn(p, strings.HasSuffix(target, " (deleted)"))
		}
	}
}
