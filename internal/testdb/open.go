package testdb

import (
	"database/sql"
	"testing"

	_ "github.com/lib/pq" // database/sql driver "postgres"
)

// Open returns a connection pool for url, closed when the test ends.
func Open(t testing.TB, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
