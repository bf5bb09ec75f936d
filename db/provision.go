package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

// ownerAttributes keep the app's role an ordinary one: row-level security
// only protects tenants from a role without SUPERUSER or BYPASSRLS, and the
// server refuses to start as anything more (docs/ARCHITECTURE.md, Data).
const ownerAttributes = "NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOREPLICATION"

// EnsureAppDatabase connects with a superuser URL, creates (if missing) a
// non-superuser role owner with LOGIN and password, and a database dbname
// owned by it, and returns the URL for that role on the same host and port.
// It is idempotent: an existing role gets its password and attributes reset,
// so the returned URL always works; an existing database owned by another
// role is an error rather than silently taken over. Two callers at the same
// moment may see "tuple concurrently updated" from ALTER ROLE; a retry works.
func EnsureAppDatabase(ctx context.Context, superURL, dbname, owner, password string) (appURL string, err error) {
	if dbname == "" || owner == "" || password == "" {
		return "", errors.New("db: ensure app database: database, owner and password are required")
	}
	appURL, err = urlFor(superURL, url.UserPassword(owner, password), dbname)
	if err != nil {
		return "", fmt.Errorf("db: ensure app database: %w", err)
	}
	pool, err := sql.Open("postgres", superURL)
	if err != nil {
		return "", fmt.Errorf("db: ensure app database: %w", err)
	}
	defer func() {
		if cerr := pool.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("db: ensure app database: %w", cerr)
		}
	}()
	if err := ensureOwnerRole(ctx, pool, owner, password); err != nil {
		return "", fmt.Errorf("db: ensure app database: %w", err)
	}
	if err := ensureDatabase(ctx, pool, dbname, owner); err != nil {
		return "", fmt.Errorf("db: ensure app database: %w", err)
	}
	return appURL, nil
}

func ensureOwnerRole(ctx context.Context, pool *sql.DB, owner, password string) error {
	var me string
	if err := pool.QueryRowContext(ctx, `SELECT current_user`).Scan(&me); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	if me == owner {
		// ALTER ROLE … NOSUPERUSER below would demote the very superuser
		// we are connected as.
		return fmt.Errorf("owner role %q must not be the superuser the URL connects as", owner)
	}
	var exists bool
	if err := pool.QueryRowContext(ctx,
		`SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)`, owner,
	).Scan(&exists); err != nil {
		return fmt.Errorf("look up role %s: %w", owner, err)
	}
	// CREATE/ALTER ROLE take no bind parameters, hence the quoting.
	opts := " WITH LOGIN PASSWORD " + pq.QuoteLiteral(password) + " " + ownerAttributes
	if !exists {
		_, err := pool.ExecContext(ctx, "CREATE ROLE "+pq.QuoteIdentifier(owner)+opts)
		if err == nil {
			return nil
		}
		// A concurrent caller may have created it since we looked; pg_authid's
		// unique index reports that as 23505 rather than 42710.
		if pq.As(err, pqerror.DuplicateObject, pqerror.UniqueViolation) == nil {
			return fmt.Errorf("create role %s: %w", owner, err)
		}
	}
	if _, err := pool.ExecContext(ctx, "ALTER ROLE "+pq.QuoteIdentifier(owner)+opts); err != nil {
		return fmt.Errorf("alter role %s: %w", owner, err)
	}
	return nil
}

func ensureDatabase(ctx context.Context, pool *sql.DB, dbname, owner string) error {
	current, found, err := databaseOwner(ctx, pool, dbname)
	if err != nil {
		return err
	}
	if !found {
		_, err := pool.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(dbname)+" OWNER "+pq.QuoteIdentifier(owner))
		if err == nil {
			return nil
		}
		if pq.As(err, pqerror.DuplicateDatabase, pqerror.UniqueViolation) == nil {
			return fmt.Errorf("create database %s: %w", dbname, err)
		}
		// Lost a race with a concurrent caller: judge what it created.
		if current, _, err = databaseOwner(ctx, pool, dbname); err != nil {
			return err
		}
	}
	if current != owner {
		return fmt.Errorf("database %s exists but is owned by %s, not %s", dbname, current, owner)
	}
	return nil
}

func databaseOwner(ctx context.Context, pool *sql.DB, dbname string) (owner string, found bool, err error) {
	err = pool.QueryRowContext(ctx,
		`SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database WHERE datname = $1`, dbname,
	).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("look up database %s: %w", dbname, err)
	}
	return owner, true, nil
}

// urlFor returns base with its credentials and database replaced, keeping
// scheme, host, port and parameters such as sslmode.
func urlFor(base string, user *url.Userinfo, dbname string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		// Not wrapped: url.Error quotes the whole URL, password included.
		return "", errors.New("database URL does not parse")
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", errors.New("database URL must start with postgres:// (key=value strings are not supported here)")
	}
	u.User = user
	u.Path = "/" + dbname
	u.RawPath = ""
	return u.String(), nil
}
