package testdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/lib/pq"
)

// TB is the part of testing.TB this package uses, so that a database can also be made for a
// whole test binary from TestMain (see Shared), where there is no *testing.T.
type TB interface {
	Helper()
	Context() context.Context
	Cleanup(func())
	Log(args ...any)
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

var _ TB = (testing.TB)(nil)

// mainTB adapts TestMain: a fatal error becomes Shared's error, cleanups run at the end.
type mainTB struct {
	ctx      context.Context
	cleanups []func()
	errs     []string
}

type fatalPanic struct{ msg string }

func (m *mainTB) Helper()                      {}
func (m *mainTB) Context() context.Context     { return m.ctx }
func (m *mainTB) Cleanup(f func())             { m.cleanups = append(m.cleanups, f) }
func (m *mainTB) Log(args ...any)              {}
func (m *mainTB) Logf(string, ...any)          {}
func (m *mainTB) Errorf(f string, args ...any) { m.errs = append(m.errs, fmt.Sprintf(f, args...)) }
func (m *mainTB) Fatal(args ...any)            { panic(fatalPanic{fmt.Sprint(args...)}) }
func (m *mainTB) Fatalf(f string, args ...any) { panic(fatalPanic{fmt.Sprintf(f, args...)}) }

// Shared creates one fresh database for a whole test binary (call it from TestMain), for
// packages whose tests share read-mostly data such as the demo seed. cleanup drops it.
func Shared(version string, migrate func(ctx context.Context, url string) error) (appURL, adminURL string, cleanup func(), err error) {
	m := &mainTB{ctx: context.Background()}
	cleanup = func() {
		for i := len(m.cleanups) - 1; i >= 0; i-- {
			m.cleanups[i]()
		}
	}
	defer func() {
		if r := recover(); r != nil {
			fp, ok := r.(fatalPanic)
			if !ok {
				panic(r)
			}
			cleanup()
			appURL, adminURL, err = "", "", fmt.Errorf("%s", fp.msg)
		}
	}()
	appURL, adminURL = New(m, version, migrate)
	return appURL, adminURL, cleanup, nil
}

// TemplateName is the name of the template database New builds for version.
func TemplateName(version string) string {
	sum := sha256.Sum256([]byte(version))
	return "th_template_" + hex.EncodeToString(sum[:])[:16]
}

// DropTemplates drops every template database whose comment is comment, except those named
// in keep: the data sets of `make bench` are templates of their own, one per day and schema,
// and the outdated ones would otherwise pile up on the server.
func DropTemplates(comment string, keep []string) (err error) {
	m := &mainTB{ctx: context.Background()}
	defer func() {
		if r := recover(); r != nil {
			fp, ok := r.(fatalPanic)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("%s", fp.msg)
		}
	}()
	admin := Admin(m)
	pool, err := sql.Open("postgres", admin)
	if err != nil {
		return err
	}
	defer pool.Close()
	rows, err := pool.QueryContext(m.ctx, `
SELECT d.datname FROM pg_catalog.pg_database d
JOIN pg_catalog.pg_shdescription s ON s.objoid = d.oid AND s.classoid = 'pg_catalog.pg_database'::regclass
WHERE s.description = $1 AND NOT d.datname = ANY($2)`, comment, pq.StringArray(keep))
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, n := range names {
		if _, err := pool.ExecContext(m.ctx, "ALTER DATABASE "+pq.QuoteIdentifier(n)+" WITH IS_TEMPLATE false"); err != nil {
			return err
		}
		if err := dropDatabase(m.ctx, admin, n); err != nil {
			return err
		}
	}
	return nil
}
