package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Sign-in throttling (RULES §10), shared by every instance through the login_throttle table.
// A wait is always answered at once (429 with the wait), never slept on while holding a
// connection.
const (
	// AccountFreeFailures failed passwords for one account from one address are free.
	AccountFreeFailures = 5
	// AccountLockFailures failures lock the account for that address for AccountLock.
	AccountLockFailures = 10
	// AccountLock is the lock after AccountLockFailures.
	AccountLock = 15 * time.Minute
	// AccountForget is how long after its last failure an account's count starts again.
	AccountForget = 15 * time.Minute
	// AddressFailures is how many failures one address may have in AddressWindow.
	AddressFailures = 30
	// AddressWindow is the per-address window.
	AddressWindow = time.Minute
	// throttleKeep is how long rows are kept after their last failure.
	throttleKeep = 24 * time.Hour
)

// AccountDelay is how long after its n-th consecutive failure an account must wait before
// the next attempt from the same address: nothing up to 5, then 10 s doubling each time, and
// the lock from 10 on.
func AccountDelay(n int) time.Duration {
	switch {
	case n < AccountFreeFailures:
		return 0
	case n >= AccountLockFailures:
		return AccountLock
	}
	return 10 * time.Second << (n - AccountFreeFailures)
}

func accountKey(account, ip string) string {
	k := "a:" + ip + " " + strings.ToLower(strings.TrimSpace(account))
	return truncateRunes(k, 400)
}

func addressKey(ip string) string { return "i:" + ip }

const throttleStateSQL = `
SELECT key, failures, window_start, blocked_until FROM login_throttle WHERE key = ANY($1)`

// LoginWait says how long a password sign-in for account from ip must wait before it may be
// checked (0: now). It does not tell whether the account exists: its counters are kept for
// whatever name is typed.
func (s *Store) LoginWait(ctx context.Context, account, ip string, now time.Time) (time.Duration, error) {
	var rows []struct {
		Key          string       `db:"key"`
		Failures     int          `db:"failures"`
		WindowStart  time.Time    `db:"window_start"`
		BlockedUntil sql.NullTime `db:"blocked_until"`
	}
	ak, ik := accountKey(account, ip), addressKey(ip)
	err := s.withSystem(ctx, func(tx *Tx) error {
		return tx.tx.SelectContext(ctx, &rows, throttleStateSQL, stringArray([]string{ak, ik}))
	})
	if err != nil {
		return 0, fmt.Errorf("store: login wait: %w", err)
	}
	var wait time.Duration
	for _, r := range rows {
		var until time.Time
		switch r.Key {
		case ak:
			if r.BlockedUntil.Valid {
				until = r.BlockedUntil.Time
			}
		case ik:
			if r.Failures >= AddressFailures {
				until = r.WindowStart.Add(AddressWindow)
			}
		}
		wait = max(wait, until.Sub(now))
	}
	return wait, nil
}

const (
	countAccountFailureSQL = `
INSERT INTO login_throttle AS t (key, failures, window_start, last_failure) VALUES ($1, 1, $2, $2)
ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN t.last_failure <= $2::timestamptz - $3::interval THEN 1 ELSE t.failures + 1 END,
    window_start = CASE WHEN t.last_failure <= $2::timestamptz - $3::interval THEN $2 ELSE t.window_start END,
    last_failure = $2
RETURNING failures`
	blockAccountSQL        = `UPDATE login_throttle SET blocked_until = $2 WHERE key = $1`
	countAddressFailureSQL = `
INSERT INTO login_throttle AS t (key, failures, window_start, last_failure) VALUES ($1, 1, $2, $2)
ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN t.window_start <= $2::timestamptz - $3::interval THEN 1 ELSE t.failures + 1 END,
    window_start = CASE WHEN t.window_start <= $2::timestamptz - $3::interval THEN $2 ELSE t.window_start END,
    last_failure = $2`
	forgetAccountSQL = `DELETE FROM login_throttle WHERE key = $1`
	// A few stale rows go with each failure, so the table stays small without a job.
	pruneThrottleSQL = `
DELETE FROM login_throttle WHERE key IN (
    SELECT key FROM login_throttle WHERE last_failure < $1 ORDER BY last_failure LIMIT 20)`
)

func interval(d time.Duration) string { return fmt.Sprintf("%d milliseconds", d.Milliseconds()) }

// countFailure adds a failed password to the account's and the address's counters.
func (t *Tx) countFailure(ctx context.Context, account, ip string, now time.Time) error {
	ak := accountKey(account, ip)
	var n int
	if err := t.tx.GetContext(ctx, &n, countAccountFailureSQL, ak, now, interval(AccountForget)); err != nil {
		return fmt.Errorf("count account failure: %w", err)
	}
	if d := AccountDelay(n); d > 0 {
		if _, err := t.tx.ExecContext(ctx, blockAccountSQL, ak, now.Add(d)); err != nil {
			return fmt.Errorf("block account: %w", err)
		}
	}
	if _, err := t.tx.ExecContext(ctx, countAddressFailureSQL, addressKey(ip), now, interval(AddressWindow)); err != nil {
		return fmt.Errorf("count address failure: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, pruneThrottleSQL, now.Add(-throttleKeep)); err != nil {
		return fmt.Errorf("prune throttle: %w", err)
	}
	return nil
}

// forgetFailures clears the account's counter for the address after a successful sign-in.
func (t *Tx) forgetFailures(ctx context.Context, account, ip string) error {
	if _, err := t.tx.ExecContext(ctx, forgetAccountSQL, accountKey(account, ip)); err != nil {
		return fmt.Errorf("forget failures: %w", err)
	}
	return nil
}

// truncateRunes cuts s to at most n bytes without splitting a character (a cut inside one
// would leave invalid UTF-8, which PostgreSQL refuses).
func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
