package faultproxy

import (
	"encoding/binary"
	"sync/atomic"
)

// Counts are what clients asked of a PostgreSQL server through the proxy, read off the
// frontend messages of its wire protocol (version 3).
type Counts struct {
	// Statements is the number of statements run: simple queries ('Q': BEGIN, COMMIT, …)
	// and executions of the extended protocol ('E'), whoever prepared them.
	Statements int64
	// RoundTrips is the number of times a client waited for the server: each simple query
	// and each Sync ('S') of the extended protocol.
	RoundTrips int64
}

// Sub is c − o: what happened between two readings.
func (c Counts) Sub(o Counts) Counts {
	return Counts{Statements: c.Statements - o.Statements, RoundTrips: c.RoundTrips - o.RoundTrips}
}

// Counts reads the totals so far over every connection.
func (p *Proxy) Counts() Counts {
	return Counts{Statements: p.statements.Load(), RoundTrips: p.roundTrips.Load()}
}

// Protocol codes of the untyped messages a client may open a connection with.
const (
	sslRequest    = 80877103
	gssEncRequest = 80877104
	cancelRequest = 80877102
)

// scanner follows the client's side of one connection across reads: its message
// boundaries, so each message's type byte is seen once.
type scanner struct {
	statements, roundTrips *atomic.Int64
	// started is false until the startup message went by (it has no type byte).
	started bool
	// head holds a message's header (type and length, or the untyped length and code)
	// split across reads.
	head []byte
	// skip is what remains of the current message's body.
	skip int
}

func newScanner(statements, roundTrips *atomic.Int64) *scanner {
	return &scanner{statements: statements, roundTrips: roundTrips, head: make([]byte, 0, 8)}
}

// feed reads b, the next bytes the client sent.
func (s *scanner) feed(b []byte) {
	for len(b) > 0 {
		if s.skip > 0 {
			n := min(s.skip, len(b))
			s.skip -= n
			b = b[n:]
			continue
		}
		want := 5
		if !s.started {
			want = 8
		}
		n := min(want-len(s.head), len(b))
		s.head = append(s.head, b[:n]...)
		b = b[n:]
		if len(s.head) < want {
			return
		}
		if !s.started {
			length := int(binary.BigEndian.Uint32(s.head[0:4]))
			code := binary.BigEndian.Uint32(s.head[4:8])
			// SSL and GSS encryption requests come before the startup message, which
			// follows them in plain text only when the server declines (this proxy's
			// counts are meant for unencrypted test connections).
			if code != sslRequest && code != gssEncRequest {
				s.started = code != cancelRequest
			}
			s.skip = max(0, length-8)
		} else {
			switch s.head[0] {
			case 'Q':
				s.statements.Add(1)
				s.roundTrips.Add(1)
			case 'E':
				s.statements.Add(1)
			case 'S':
				s.roundTrips.Add(1)
			}
			s.skip = max(0, int(binary.BigEndian.Uint32(s.head[1:5]))-4)
		}
		s.head = s.head[:0]
	}
}
