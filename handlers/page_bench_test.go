package handlers_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// BenchmarkPages measures the server's own work per page (the database included, in
// process): run with -cpuprofile to see where the Go time goes. make bench measures the real
// server under load.
func BenchmarkPages(b *testing.B) {
	s := newEnv(b)
	c := s.client(b)
	c.login("clinico_prov")
	ticket := s.count(b, `SELECT t.id FROM tickets t JOIN clinics c ON c.id = t.clinic_id
		WHERE c.code = 'PROV' AND t.status = 'vigente' ORDER BY t.id LIMIT 1`)
	for _, p := range []struct{ name, path string }{
		{"board", "/tablero"},
		{"ticket", "/tickets/" + strconv.Itoa(ticket)},
	} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, p.path, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				resp := c.do(req)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("%s = %d", p.path, resp.StatusCode)
				}
			}
		})
	}
}
