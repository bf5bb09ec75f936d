package handlers

import (
	"testing"
	"time"
)

func TestWaitText_RoundsUpWholeSecondsIgnoringMicroseconds(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{time.Millisecond, "1 segundo"},
		{10 * time.Second, "10 segundos"},
		{10*time.Second + time.Microsecond, "10 segundos"}, // the database's rounding of an instant
		{10*time.Second + 2*time.Millisecond, "11 segundos"},
		{59 * time.Second, "59 segundos"},
		{time.Minute, "1 minuto"},
		{61 * time.Second, "2 minutos"},
		{15*time.Minute + time.Microsecond, "15 minutos"},
	} {
		if got := waitText(tc.d); got != tc.want {
			t.Errorf("waitText(%s) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
