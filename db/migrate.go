// Package db holds the SQL migrations, the code that applies them, and the private local
// PostgreSQL cluster used when no DATABASE_URL is given.
package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"sort"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"
	_ "github.com/amacneil/dbmate/v2/pkg/driver/postgres" // dbmate's postgres driver
	_ "github.com/lib/pq"                                 // database/sql driver "postgres"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrateLockKey is the advisory lock that serialises migrations across app instances.
const migrateLockKey = 7_262_026_001

// Migrate applies every pending migration to the database at databaseURL. Concurrent callers
// (several instances starting at once) are serialised by a session-level advisory lock.
func Migrate(ctx context.Context, databaseURL string) error {
	return withMigrateLock(ctx, databaseURL, func(u *url.URL) error {
		if err := newDBMate(u).Migrate(); err != nil {
			return fmt.Errorf("db: migrate: %w", err)
		}
		return nil
	})
}

// Rollback reverts the most recent migration. Used by tests of the down migrations.
func Rollback(ctx context.Context, databaseURL string) error {
	return withMigrateLock(ctx, databaseURL, func(u *url.URL) error {
		if err := newDBMate(u).Rollback(); err != nil {
			return fmt.Errorf("db: rollback: %w", err)
		}
		return nil
	})
}

// MigrationsVersion is a digest of the embedded migrations: a changed migration gives a new
// value, which tests use to name their migrated template database.
func MigrationsVersion() string {
	h := sha256.New()
	names, _ := fs.Glob(migrations, "migrations/*.sql") // the pattern is constant and valid
	sort.Strings(names)
	for _, n := range names {
		b, err := migrations.ReadFile(n)
		if err != nil {
			panic(err) // embedded files are always readable
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func newDBMate(u *url.URL) *dbmate.DB {
	m := dbmate.New(u)
	m.FS = migrations
	m.MigrationsDir = []string{"migrations"}
	m.AutoDumpSchema = false
	m.Log = io.Discard
	m.Strict = true
	return m
}

func withMigrateLock(ctx context.Context, databaseURL string, fn func(*url.URL) error) error {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return fmt.Errorf("db: parse database url: %w", err)
	}
	conn, err := sql.Open("postgres", databaseURL)
	if err != nil {
		return fmt.Errorf("db: open: %w", err)
	}
	defer conn.Close()
	c, err := conn.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: connect: %w", err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
		return fmt.Errorf("db: take migration lock: %w", err)
	}
	runErr := fn(u)
	if _, err := c.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockKey); err != nil && runErr == nil {
		return fmt.Errorf("db: release migration lock: %w", err)
	}
	return runErr
}
