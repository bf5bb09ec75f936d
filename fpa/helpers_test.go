package fpa

import (
	"errors"
	"testing"
	"time"
)

// Fixed offsets written out by hand, so the expected instants do not depend
// on the resolver under test. Chile is at -03 in summer (Sep–Apr) and -04 in
// winter.
var (
	summer = time.FixedZone("-03", -3*3600)
	winter = time.FixedZone("-04", -4*3600)
)

func at(y int, m time.Month, d, hh, mm int, z *time.Location) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, z)
}

// blk builds a block from "HH" hours.
func blk(startHour, endHour int, active bool) Block {
	return Block{Start: startHour * 60, End: endHour * 60, Active: active}
}

// blocksActive returns the default blocks with only those starting at the
// given hours active.
func blocksActive(hours ...int) []Block {
	blocks := DefaultBlocks()
	for i := range blocks {
		blocks[i].Active = false
		for _, h := range hours {
			if blocks[i].Start == h*60 {
				blocks[i].Active = true
			}
		}
	}
	return blocks
}

// wantInputError fails unless err is an *InputError on field, and with
// message msg when msg is not empty.
func wantInputError(t *testing.T, err error, field, msg string) {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error = %v (%T), want *InputError on %q", err, err, field)
	}
	if ie.Field != field {
		t.Errorf("error field = %q, want %q (msg %q)", ie.Field, field, ie.Msg)
	}
	if msg != "" && ie.Msg != msg {
		t.Errorf("error message = %q, want %q", ie.Msg, msg)
	}
	if ie.Error() != ie.Msg {
		t.Errorf("Error() = %q, want the message %q", ie.Error(), ie.Msg)
	}
}

func sameInstant(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", what, got.In(Santiago), want.In(Santiago))
	}
}
