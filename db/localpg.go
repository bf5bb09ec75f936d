package db

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	// The driver registers itself as "postgres" for database/sql.
	_ "github.com/lib/pq"
)

// ErrServerBinariesNotFound reports that no directory with initdb, pg_ctl and
// postgres was found; its message tells the developer how to get them.
var ErrServerBinariesNotFound = errors.New("PostgreSQL server binaries not found: install them (Debian: apt-get install postgresql) or set DATABASE_URL to an existing database")

// serverBinaries are the programs a private cluster needs; a directory that
// lacks one of them (e.g. a client-only install) is no use.
var serverBinaries = []string{"initdb", "pg_ctl", "postgres"}

const (
	// localConfFile is rewritten on every start so the port and socket
	// directory always follow the caller, even for a cluster initdb'd earlier.
	localConfFile = "ticket-home.conf"
	// logFile lives in the data directory so one RemoveAll cleans everything.
	logFile = "server.log"
	// maxSocketPath is sizeof(sockaddr_un.sun_path) minus the NUL on Linux.
	maxSocketPath = 107
)

// LocalCluster is a private PostgreSQL cluster under a directory (e.g.
// ".data/pg") that listens on 127.0.0.1 only, with trust authentication.
type LocalCluster struct {
	// Dir is the absolute path of the data directory.
	Dir string
	// Port is the TCP port the server listens on at 127.0.0.1.
	Port int
	// BinDir is the directory whose initdb, pg_ctl and postgres run the cluster.
	BinDir string
	// Superuser is the bootstrap superuser: the OS user the server runs as.
	Superuser string

	// cred is non-nil when we are root: PostgreSQL refuses to run as root, so
	// every server program runs as this unprivileged user instead.
	cred *syscall.Credential
	log  *slog.Logger
}

// FindServerBinaries returns the directory holding initdb, pg_ctl and postgres:
// PG_BIN if set, else `pg_config --bindir`, else the highest version under
// /usr/lib/postgresql/*/bin (Debian's layout), else the directory of initdb
// on PATH. When none has them it returns ErrServerBinariesNotFound.
func FindServerBinaries() (binDir string, err error) {
	return findServerBinaries("")
}

// findServerBinaries is FindServerBinaries, preferring Debian's binaries of
// major version preferMajor: an existing cluster can only be started by the
// major version that created it, even when a newer one is installed too.
func findServerBinaries(preferMajor string) (string, error) {
	if dir := os.Getenv("PG_BIN"); dir != "" {
		// An explicit choice that does not work is an error, not a hint to
		// silently pick some other version.
		if hasServerBinaries(dir) {
			return dir, nil
		}
		return "", fmt.Errorf("db: PG_BIN=%s does not contain %s", dir, strings.Join(serverBinaries, ", "))
	}
	if preferMajor != "" {
		if dir := filepath.Join("/usr/lib/postgresql", preferMajor, "bin"); hasServerBinaries(dir) {
			return dir, nil
		}
	}
	// pg_config may come from a client-only package (libpq-dev), so its answer
	// is checked like any other candidate.
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); hasServerBinaries(dir) {
			return dir, nil
		}
	}
	if dirs, err := filepath.Glob("/usr/lib/postgresql/*/bin"); err == nil {
		slices.SortFunc(dirs, func(a, b string) int {
			return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
		})
		for _, dir := range dirs {
			if hasServerBinaries(dir) {
				return dir, nil
			}
		}
	}
	if path, err := exec.LookPath("initdb"); err == nil {
		if dir := filepath.Dir(path); hasServerBinaries(dir) {
			return dir, nil
		}
	}
	return "", ErrServerBinariesNotFound
}

func hasServerBinaries(dir string) bool {
	for _, name := range serverBinaries {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// compareVersions orders dotted numeric versions ("9.6" < "15" < "17.1")
// numerically, which a string sort gets wrong.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		if x, y := versionPart(as, i), versionPart(bs, i); x != y {
			return x - y
		}
	}
	return 0
}

// versionPart returns the i-th numeric component, 0 when missing or not a
// number, so odd directory names sort below every release.
func versionPart(parts []string, i int) int {
	if i >= len(parts) {
		return 0
	}
	if n, err := strconv.Atoi(parts[i]); err == nil {
		return n
	}
	return 0
}

// StartLocal starts (or reuses) a private cluster in dir listening on
// 127.0.0.1:port. It runs initdb when dir holds no cluster yet, and reuses a
// server already running there, so a second `make run` (also after a crash:
// pg_ctl clears a stale postmaster.pid) works. Calls for the same dir must be
// serialised by the caller; a nil log discards messages.
//
// As root the cluster is handed to the system user postgres (else nobody),
// because PostgreSQL refuses to run as root; that user must be able to reach
// dir, and directories StartLocal creates are made searchable for it.
func StartLocal(ctx context.Context, dir string, port int, log *slog.Logger) (*LocalCluster, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("db: local cluster directory: %w", err)
	}
	superuser, cred, err := clusterUser()
	if err != nil {
		return nil, err
	}
	major, err := clusterMajor(abs)
	if err != nil {
		return nil, err
	}
	binDir, err := findServerBinaries(major)
	if err != nil {
		return nil, err
	}
	c := &LocalCluster{Dir: abs, Port: port, BinDir: binDir, Superuser: superuser, cred: cred, log: log}

	initialized, err := c.prepareDir()
	if err != nil {
		return nil, err
	}
	if initialized {
		if err := c.checkVersion(ctx, major); err != nil {
			return nil, err
		}
	} else {
		if err := c.initdb(ctx); err != nil {
			return nil, err
		}
	}
	if err := c.writeConfig(); err != nil {
		return nil, err
	}
	if c.cred != nil {
		// Files written by root above (and anything a previous root run
		// left) must belong to the server's user or it cannot read them.
		if err := chownTree(c.Dir, c.cred.Uid, c.cred.Gid); err != nil {
			return nil, fmt.Errorf("db: hand %s to user %s: %w", c.Dir, c.Superuser, err)
		}
	}

	running, err := c.running(ctx)
	if err != nil {
		return nil, err
	}
	if running {
		if p, err := c.pidFilePort(); err != nil {
			return nil, err
		} else if p != c.Port {
			return nil, fmt.Errorf("db: the cluster in %s is already running on port %d, not %d: stop it with %s stop -D %s", c.Dir, p, c.Port, filepath.Join(c.BinDir, "pg_ctl"), c.Dir)
		}
		if err := c.waitReady(ctx); err != nil {
			// pg_ctl believes the pid in postmaster.pid; after a crash that
			// pid may belong to an unrelated process of the same user.
			return nil, fmt.Errorf("%w (if no PostgreSQL runs on %s, remove %s)", err, c.Dir, filepath.Join(c.Dir, "postmaster.pid"))
		}
		log.Info("reusing local PostgreSQL", "dir", c.Dir, "port", c.Port)
		return c, nil
	}

	log.Info("starting local PostgreSQL", "dir", c.Dir, "port", c.Port, "bin", c.BinDir)
	out, err := c.command(ctx, "pg_ctl", "start", "-D", c.Dir, "-l", filepath.Join(c.Dir, logFile), "-w", "-t", "60").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("db: start local cluster in %s: %w: %s\nlast lines of %s:\n%s",
			c.Dir, err, strings.TrimSpace(string(out)), filepath.Join(c.Dir, logFile), tail(filepath.Join(c.Dir, logFile), 10))
	}
	if err := c.waitReady(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// SuperuserURL returns a URL for the cluster's superuser on database dbname.
// No password: the cluster trusts connections from 127.0.0.1.
func (c *LocalCluster) SuperuserURL(dbname string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(c.Superuser),
		Host:     "127.0.0.1:" + strconv.Itoa(c.Port),
		Path:     "/" + dbname,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Stop shuts the server down (fast mode: open sessions are ended, no data is
// lost) and waits until it is gone. Stopping a stopped cluster is not an error.
func (c *LocalCluster) Stop(ctx context.Context) error {
	running, err := c.running(ctx)
	if err != nil || !running {
		return err
	}
	out, err := c.command(ctx, "pg_ctl", "stop", "-D", c.Dir, "-m", "fast", "-w").CombinedOutput()
	if err != nil {
		return fmt.Errorf("db: stop local cluster in %s: %w: %s", c.Dir, err, strings.TrimSpace(string(out)))
	}
	if c.log != nil {
		c.log.Info("stopped local PostgreSQL", "dir", c.Dir)
	}
	return nil
}

// clusterUser returns the OS user the server runs as, and the credential to
// switch to it when we are root.
func clusterUser() (name string, cred *syscall.Credential, err error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil || u.Username == "" {
			// initdb -U names the superuser, so a process without a passwd
			// entry (some containers) still gets a working cluster.
			return "postgres", nil, nil
		}
		return u.Username, nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err := strconv.ParseUint(u.Uid, 10, 32)
		if err != nil {
			return "", nil, fmt.Errorf("db: uid of %s: %w", name, err)
		}
		gid, err := strconv.ParseUint(u.Gid, 10, 32)
		if err != nil {
			return "", nil, fmt.Errorf("db: gid of %s: %w", name, err)
		}
		// Groups is left empty so the child drops root's supplementary groups.
		return name, &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return "", nil, errors.New("db: PostgreSQL refuses to run as root and neither user postgres nor nobody exists: create a postgres user or set DATABASE_URL to an existing database")
}

// clusterMajor returns the major version recorded in dir/PG_VERSION, or ""
// when dir holds no cluster.
func clusterMajor(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "PG_VERSION"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("db: local cluster: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// prepareDir creates dir when missing and, as root, makes sure the server's
// user can reach it. It reports whether dir already holds a cluster.
func (c *LocalCluster) prepareDir() (initialized bool, err error) {
	created, err := mkdirAllTracked(filepath.Dir(c.Dir), 0o755)
	if err != nil {
		return false, fmt.Errorf("db: local cluster directory: %w", err)
	}
	st, err := os.Stat(c.Dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// 0700: the server refuses a data directory others can read.
		if err := os.Mkdir(c.Dir, 0o700); err != nil {
			return false, fmt.Errorf("db: local cluster directory: %w", err)
		}
	case err != nil:
		return false, fmt.Errorf("db: local cluster directory: %w", err)
	case !st.IsDir():
		return false, fmt.Errorf("db: local cluster directory %s is not a directory", c.Dir)
	default:
		if _, err := os.Stat(filepath.Join(c.Dir, "PG_VERSION")); err == nil {
			initialized = true
		} else if entries, err := os.ReadDir(c.Dir); err != nil {
			return false, fmt.Errorf("db: local cluster directory: %w", err)
		} else if len(entries) > 0 {
			// Refuse before chowning anything: a mistyped path must never
			// hand someone's files to the postgres user.
			return false, fmt.Errorf("db: %s is not empty and holds no PostgreSQL cluster: choose an empty or new directory", c.Dir)
		}
	}
	if c.cred == nil {
		return initialized, nil
	}
	// Only directories created just now are ours to open up; anything older
	// belongs to someone who chose its mode.
	for _, d := range created {
		if err := os.Chmod(d, 0o755); err != nil {
			return false, fmt.Errorf("db: local cluster directory: %w", err)
		}
	}
	for d := filepath.Dir(c.Dir); ; d = filepath.Dir(d) {
		ok, mode, err := searchable(d, c.cred.Uid, c.cred.Gid)
		if err != nil {
			return false, fmt.Errorf("db: local cluster directory: %w", err)
		}
		if !ok {
			return false, fmt.Errorf("db: PostgreSQL runs as user %s, which cannot reach %s because %s (%s) is not searchable by it: run `chmod o+x %s`, choose a directory it can reach, or set DATABASE_URL to an existing database", c.Superuser, c.Dir, d, mode, d)
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	if err := chownTree(c.Dir, c.cred.Uid, c.cred.Gid); err != nil {
		return false, fmt.Errorf("db: hand %s to user %s: %w", c.Dir, c.Superuser, err)
	}
	return initialized, nil
}

// mkdirAllTracked is os.MkdirAll that also returns the directories it
// created, outermost first.
func mkdirAllTracked(dir string, perm os.FileMode) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append(missing, d)
		if d == filepath.Dir(d) {
			break
		}
	}
	if err := os.MkdirAll(dir, perm); err != nil {
		return nil, err
	}
	slices.Reverse(missing)
	return missing, nil
}

// searchable reports whether uid/gid (without supplementary groups, which the
// server's process does not get) may traverse dir. ACLs are not consulted.
func searchable(dir string, uid, gid uint32) (bool, fs.FileMode, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return false, 0, err
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return true, st.Mode(), nil
	}
	perm := st.Mode().Perm()
	switch {
	case sys.Uid == uid:
		return perm&0o100 != 0, st.Mode(), nil
	case sys.Gid == gid:
		return perm&0o010 != 0, st.Mode(), nil
	default:
		return perm&0o001 != 0, st.Mode(), nil
	}
}

func chownTree(root string, uid, gid uint32) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if sys, ok := info.Sys().(*syscall.Stat_t); ok && sys.Uid == uid && sys.Gid == gid {
			return nil
		}
		// Lchown: a symlink (e.g. pg_wal elsewhere) is not followed out of the tree.
		return os.Lchown(path, int(uid), int(gid))
	})
}

// versionRE finds the major version in `pg_ctl --version` output, e.g.
// "pg_ctl (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)".
var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// checkVersion refuses, with advice, a cluster another major version created;
// otherwise pg_ctl fails with a less helpful message buried in the log.
func (c *LocalCluster) checkVersion(ctx context.Context, major string) error {
	out, err := c.command(ctx, "pg_ctl", "--version").Output()
	if err != nil {
		return fmt.Errorf("db: %s --version: %w", filepath.Join(c.BinDir, "pg_ctl"), err)
	}
	m := versionRE.FindSubmatch(out)
	if m == nil || string(m[1]) == major || strings.HasPrefix(major, "9.") {
		return nil
	}
	return fmt.Errorf("db: the cluster in %s was created by PostgreSQL %s but the binaries in %s are version %s: install version %s, point PG_BIN at it, or remove %s to start afresh", c.Dir, major, c.BinDir, m[1], major, c.Dir)
}

func (c *LocalCluster) initdb(ctx context.Context) error {
	c.log.Info("creating local PostgreSQL cluster", "dir", c.Dir, "bin", c.BinDir)
	// C.UTF-8 matches the Debian server and sorts by code point; unlike plain
	// C it lets upper()/lower()/ILIKE handle accented letters (Núñez).
	out, err := c.command(ctx, "initdb",
		"-D", c.Dir, "-U", c.Superuser, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8",
	).CombinedOutput()
	if err != nil {
		return fmt.Errorf("db: initdb %s: %w: %s", c.Dir, err, strings.TrimSpace(string(out)))
	}
	c.log.Debug("initdb", "output", string(out))
	return nil
}

// writeConfig writes the settings that depend on this call (port, socket
// directory) into their own file, included from postgresql.conf. A config
// file rather than pg_ctl -o, because -o goes through /bin/sh unquoted and
// the directory may contain spaces.
func (c *LocalCluster) writeConfig() error {
	sockets := `"` + c.Dir + `"`
	if strings.ContainsAny(c.Dir, "\"\n") || len(c.Dir)+len("/.s.PGSQL.")+len(strconv.Itoa(c.Port)) > maxSocketPath {
		// No socket at all rather than one in a shared place: we connect by
		// TCP, and the system server's socket must not be disturbed.
		c.log.Warn("local PostgreSQL: no Unix socket, the directory path is too long or unusual", "dir", c.Dir)
		sockets = ""
	}
	conf := fmt.Sprintf("# Written by ticket-home (db.StartLocal) on every start: edits are lost.\n"+
		"listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = %s\n",
		c.Port, confString(sockets))
	if err := os.WriteFile(filepath.Join(c.Dir, localConfFile), []byte(conf), 0o600); err != nil {
		return fmt.Errorf("db: local cluster config: %w", err)
	}

	confPath := filepath.Join(c.Dir, "postgresql.conf")
	b, err := os.ReadFile(confPath)
	if err != nil {
		return fmt.Errorf("db: local cluster config: %w", err)
	}
	include := "include_if_exists = '" + localConfFile + "'"
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == include {
			return nil
		}
	}
	// Appended last so it wins over anything set earlier in postgresql.conf.
	f, err := os.OpenFile(confPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("db: local cluster config: %w", err)
	}
	if _, err := fmt.Fprintf(f, "\n%s\n", include); err != nil {
		return errors.Join(fmt.Errorf("db: local cluster config: %w", err), f.Close())
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("db: local cluster config: %w", err)
	}
	return nil
}

// confString quotes s as a postgresql.conf string literal.
func confString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// running asks pg_ctl whether a server runs on c.Dir. pg_ctl treats a
// postmaster.pid whose process is gone as not running.
func (c *LocalCluster) running(ctx context.Context) (bool, error) {
	if _, err := os.Stat(filepath.Join(c.Dir, "postmaster.pid")); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	out, err := c.command(ctx, "pg_ctl", "status", "-D", c.Dir).CombinedOutput()
	if err == nil {
		return true, nil
	}
	if ee, ok := errors.AsType[*exec.ExitError](err); ok && ee.ExitCode() == 3 {
		return false, nil
	}
	return false, fmt.Errorf("db: pg_ctl status -D %s: %w: %s", c.Dir, err, strings.TrimSpace(string(out)))
}

// pidFilePort reads the port from line 4 of postmaster.pid, the server's own
// record of what it listens on.
func (c *LocalCluster) pidFilePort() (int, error) {
	b, err := os.ReadFile(filepath.Join(c.Dir, "postmaster.pid"))
	if err != nil {
		return 0, fmt.Errorf("db: local cluster: %w", err)
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return 0, fmt.Errorf("db: local cluster: %s/postmaster.pid is incomplete", c.Dir)
	}
	p, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	if err != nil {
		return 0, fmt.Errorf("db: local cluster: port in %s/postmaster.pid: %w", c.Dir, err)
	}
	return p, nil
}

// waitReady polls until the server accepts a superuser connection: a reused
// server may still be starting or recovering after a crash.
func (c *LocalCluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	pool, err := sql.Open("postgres", c.SuperuserURL("postgres")+"&connect_timeout=5")
	if err != nil {
		return fmt.Errorf("db: local cluster: %w", err)
	}
	defer pool.Close()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		err := pool.PingContext(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("db: local cluster on 127.0.0.1:%d does not answer: %w", c.Port, err)
		case <-tick.C:
		}
	}
}

// command runs a server program from c.BinDir as the cluster's user.
func (c *LocalCluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.BinDir, name), args...)
	// The cwd is inherited otherwise, and the server's user may not be able
	// to enter the caller's directory.
	cmd.Dir = c.Dir
	cmd.Env = serverEnv()
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd
}

// serverEnv is the environment without PG* variables, so a developer's
// PGDATA, PGPORT or PGHOST cannot redirect initdb or pg_ctl.
func serverEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "PG")
	})
}

// tail returns the last n lines of a file, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
