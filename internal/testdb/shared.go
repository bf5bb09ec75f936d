package testdb

import (
	"context"
	"fmt"
	"testing"
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
