package faultproxy

import (
	"encoding/binary"
	"sync/atomic"
	"testing"
)

// msg is one frontend message: a type byte, its length, its body.
func msg(typ byte, body string) []byte {
	b := []byte{typ, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(4+len(body)))
	return append(b, body...)
}

// untyped is a message without a type byte (startup, SSL request).
func untyped(code uint32, body string) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint32(b[0:], uint32(8+len(body)))
	binary.BigEndian.PutUint32(b[4:], code)
	return append(b, body...)
}

// TestScannerCountsStatementsAndRoundTrips feeds a session as lib/pq and pgx write it (an
// SSL request declined, the startup, a simple BEGIN, an unnamed prepare and execution, a
// cached statement's execution, a COMMIT, Terminate), cut at every possible place, and
// counts 4 statements and 5 round trips each time. Bodies contain the type bytes counted,
// so a scanner that lost the message boundaries would miscount.
func TestScannerCountsStatementsAndRoundTrips(t *testing.T) {
	var stream []byte
	for _, m := range [][]byte{
		untyped(sslRequest, ""),
		untyped(196608, "user\x00app\x00database\x00QESQES\x00\x00"),
		msg('Q', "BEGIN\x00"),
		msg('P', "\x00SELECT 'E' WHERE $1 = 'Q'\x00\x00\x00"),
		msg('D', "S\x00"),
		msg('S', ""),
		msg('B', "\x00\x00\x00\x00\x00\x01\x00\x00\x00\x01Q\x00\x00"),
		msg('E', "\x00\x00\x00\x00\x00"),
		msg('S', ""),
		msg('B', "\x00stmt_1\x00\x00\x00\x00\x00\x00\x00"),
		msg('D', "P\x00"),
		msg('E', "\x00\x00\x00\x00\x00"),
		msg('S', ""),
		msg('Q', "COMMIT\x00"),
		msg('X', ""),
	} {
		stream = append(stream, m...)
	}
	for cut := 0; cut <= len(stream); cut++ {
		for _, step := range []int{1, 3, len(stream)} {
			var st, rt atomic.Int64
			sc := newScanner(&st, &rt)
			sc.feed(stream[:cut])
			rest := stream[cut:]
			for len(rest) > 0 {
				n := min(step, len(rest))
				sc.feed(rest[:n])
				rest = rest[n:]
			}
			if st.Load() != 4 || rt.Load() != 5 {
				t.Fatalf("cut at %d, then %d bytes at a time: %d statements, %d round trips; want 4 and 5", cut, step, st.Load(), rt.Load())
			}
		}
	}
}

// TestScannerIgnoresCancelRequests: a cancel request opens and ends its own connection; what
// follows it is not a session.
func TestScannerIgnoresCancelRequests(t *testing.T) {
	var st, rt atomic.Int64
	sc := newScanner(&st, &rt)
	sc.feed(untyped(cancelRequest, "\x00\x00\x00\x01\x00\x00\x00\x02"))
	if st.Load() != 0 || rt.Load() != 0 {
		t.Fatalf("cancel request counted: %d statements, %d round trips", st.Load(), rt.Load())
	}
}
