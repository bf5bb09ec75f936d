// Command dumpschema prints the schema that the embedded migrations produce, for
// db/schema.sql: it migrates a scratch database (on the test server, see internal/testdb)
// and runs pg_dump --schema-only on it.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"

	"github.com/redsalud/ticket-home/db"
	"github.com/redsalud/ticket-home/internal/testdb"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dumpschema:", err)
		os.Exit(1)
	}
}

func run() error {
	_, adminURL, cleanup, err := testdb.Shared(db.MigrationsVersion(), db.Migrate)
	if err != nil {
		return err
	}
	defer cleanup()
	bin, err := db.FindServerBinaries()
	if err != nil {
		return err
	}
	out, err := exec.Command(filepath.Join(bin, "pg_dump"), "--schema-only", "--no-owner", "--no-privileges", "--no-comments", adminURL).Output()
	if err != nil {
		return fmt.Errorf("pg_dump: %w", err)
	}
	// Drop the server-version lines and psql meta-commands so the file changes only when the
	// schema does.
	out = regexp.MustCompile(`(?m)^(-- Dumped (from|by) .*|\\(un)?restrict .*)\n`).ReplaceAll(out, nil)
	_, err = os.Stdout.Write(out)
	return err
}
