// Package config reads Ticket Home's configuration from the environment into one typed,
// validated struct. Nothing else in the program reads environment variables.
package config

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Env names the deployment environment.
type Env string

// The environments. Local relaxes cookie security and allows demo passwords.
const (
	EnvLocal      Env = "local"
	EnvProduction Env = "production"
)

// Config is every setting of the server, read once at start.
type Config struct {
	Env Env
	// DatabaseURL is the application's PostgreSQL URL; empty in local means "start the private
	// cluster under DataDir".
	DatabaseURL string
	// ListenAddr is the HTTP listen address (":8080"); PORT, when the platform sets it, wins.
	ListenAddr string
	// DBMaxConns is this instance's whole share of database connections: the main pool and
	// the session store's pool together (see DBPools).
	DBMaxConns int
	// DBStatementTimeout is the server's limit on one SQL statement.
	DBStatementTimeout time.Duration
	// RequestTimeout bounds each request's work, database included: past it the request
	// fails with 503 instead of waiting on a database that does not answer.
	RequestTimeout time.Duration
	// DataDir holds the private local PostgreSQL cluster.
	DataDir string
	// LocalPGPort is the TCP port of the private local cluster (loopback only).
	LocalPGPort int
	// SessionSecret keys the encryption of the session cookie.
	SessionSecret string
	// SessionIdle ends a session after this long without a request.
	SessionIdle time.Duration
	// SessionMaxAge ends a session this long after sign-in, whatever the activity (a shift).
	SessionMaxAge time.Duration
	// PasswordLogin enables the username/password sign-in form.
	PasswordLogin bool
	// IAPAudience enables Google IAP sign-in when set ("/projects/NUM/global/backendServices/ID").
	IAPAudience string
	// IAPJWKSURL is where IAP's public keys are fetched.
	IAPJWKSURL string
	// IAPIssuer is the expected "iss" of IAP assertions.
	IAPIssuer string
	// IAPHostedDomain, when set, admits only accounts of that Google Workspace domain ("hd").
	IAPHostedDomain string
	// TrustedProxies are the load balancers whose X-Forwarded-For is believed for client IPs.
	TrustedProxies []string
	// SuperuserEmails are added to the superuser allow-list at start (never removed by it).
	SuperuserEmails []string
	// LiveMaxStreams bounds the board's live-update streams open on this instance at once;
	// past it /tablero/eventos answers 503 and the board keeps refreshing itself every minute.
	// 0 turns live updates off (no listening connection).
	LiveMaxStreams int
	// LiveStreamMaxAge ends each live-update stream after this long (the browser reconnects):
	// below the platform's request timeout (Cloud Run's default is 5 minutes), so the
	// platform never cuts a stream.
	LiveStreamMaxAge time.Duration
	// LogFormat is "json" or "text".
	LogFormat string
	// Version is shown in the footer and logs.
	Version string
}

// Local reports whether the server runs in the local (development/demo) environment.
func (c Config) Local() bool { return c.Env == EnvLocal }

// DBPools splits DBMaxConns between the main pool, the session store's own pool (a fifth, at
// least 2) and the one connection that listens for board changes (live updates; none when
// they are off). The defaults (25: 19 + 5 + 1) keep three instances at 75 connections, within
// the 100 of Cloud SQL's small tiers with room for migrations and maintenance sessions.
func (c Config) DBPools() (main, sessions, listener int) {
	sessions = max(2, c.DBMaxConns/5)
	if c.LiveMaxStreams > 0 {
		listener = 1
	}
	return c.DBMaxConns - sessions - listener, sessions, listener
}

// Keys lists every environment variable Load reads, with its default, for .env.example and docs.
var Keys = []struct{ Name, Default, Help string }{
	{"APP_ENV", "local", "local or production"},
	{"DATABASE_URL", "", "PostgreSQL URL of a non-superuser role; empty in local starts a private cluster under DATA_DIR"},
	{"LISTEN_ADDR", ":8080", "HTTP listen address"},
	{"PORT", "", "HTTP port; when set (Cloud Run sets it) the server listens on :PORT instead of LISTEN_ADDR"},
	{"DB_MAX_CONNS", "25", "database connections of this instance: main pool, session store and the live-update listener together (at least 4)"},
	{"DB_STATEMENT_TIMEOUT", "4s", "longest a single SQL statement may run"},
	{"REQUEST_TIMEOUT", "5s", "longest a request may wait on the database before it answers 503"},
	{"DATA_DIR", ".data", "directory of the private local PostgreSQL cluster"},
	{"LOCAL_PG_PORT", "54329", "loopback port of the private local cluster"},
	{"SESSION_SECRET", "", "at least 32 characters; required in production"},
	{"SESSION_IDLE_TIMEOUT", "2h", "session ends after this long without activity"},
	{"SESSION_MAX_AGE", "12h", "session ends this long after sign-in"},
	{"PASSWORD_LOGIN", "true", "allow username/password sign-in"},
	{"IAP_AUDIENCE", "", "enables Google IAP sign-in: the expected aud claim"},
	{"IAP_JWKS_URL", "https://www.gstatic.com/iap/verify/public_key-jwk", "IAP public keys (JWK set)"},
	{"IAP_ISSUER", "https://cloud.google.com/iap", "expected iss claim of IAP assertions"},
	{"IAP_HOSTED_DOMAIN", "", "admit only Google accounts of this Workspace domain (hd claim)"},
	{"LIVE_MAX_STREAMS", "500", "live-update streams of the board open at once on this instance (0 turns live updates off)"},
	{"LIVE_STREAM_MAX_AGE", "4m30s", "a live-update stream ends after this long and the browser reconnects (below the platform's request timeout)"},
	{"TRUSTED_PROXIES", "", "comma-separated IPs or CIDRs whose X-Forwarded-For is trusted"},
	{"SUPERUSER_EMAILS", "", "comma-separated e-mails added at start to the superuser allow-list (IAP sign-in); never removes one"},
	{"LOG_FORMAT", "text in local, json in production", "text or json"},
	{"APP_VERSION", "dev", "version shown in the footer"},
}

// localSessionSecret is used only in local when SESSION_SECRET is unset.
const localSessionSecret = "local-development-session-secret-not-for-production"

// Load builds a Config from getenv and validates it. Every problem is reported at once.
func Load(getenv func(string) string) (Config, error) {
	var errs []error
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	dur := func(k, def string) time.Duration {
		d, err := time.ParseDuration(get(k, def))
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s: want a positive duration such as %q", k, def))
		}
		return d
	}
	boolean := func(k string, def bool) bool {
		v := getenv(k)
		if strings.TrimSpace(v) == "" {
			return def
		}
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: want true or false", k))
		}
		return b
	}

	c := Config{
		Env:           Env(get("APP_ENV", string(EnvLocal))),
		DatabaseURL:   get("DATABASE_URL", ""),
		ListenAddr:    get("LISTEN_ADDR", ":8080"),
		DataDir:       get("DATA_DIR", ".data"),
		SessionSecret: get("SESSION_SECRET", ""),
		SessionIdle:   dur("SESSION_IDLE_TIMEOUT", "2h"),
		SessionMaxAge: dur("SESSION_MAX_AGE", "12h"),
		PasswordLogin: boolean("PASSWORD_LOGIN", true),
		IAPAudience:   get("IAP_AUDIENCE", ""),
		IAPJWKSURL:    get("IAP_JWKS_URL", "https://www.gstatic.com/iap/verify/public_key-jwk"),
		IAPIssuer:     get("IAP_ISSUER", "https://cloud.google.com/iap"),
		Version:       get("APP_VERSION", "dev"),

		IAPHostedDomain:    strings.ToLower(get("IAP_HOSTED_DOMAIN", "")),
		DBStatementTimeout: dur("DB_STATEMENT_TIMEOUT", "4s"),
		RequestTimeout:     dur("REQUEST_TIMEOUT", "5s"),
		LiveStreamMaxAge:   dur("LIVE_STREAM_MAX_AGE", "4m30s"),
	}
	if p := get("PORT", ""); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			errs = append(errs, errors.New("PORT: want a port between 1 and 65535"))
		} else {
			c.ListenAddr = ":" + p
		}
	}
	if n, err := strconv.Atoi(get("DB_MAX_CONNS", "25")); err != nil || n < 4 || n > 1000 {
		errs = append(errs, errors.New("DB_MAX_CONNS: want a number between 4 and 1000"))
	} else {
		c.DBMaxConns = n
	}
	if n, err := strconv.Atoi(get("LIVE_MAX_STREAMS", "500")); err != nil || n < 0 || n > 100000 {
		errs = append(errs, errors.New("LIVE_MAX_STREAMS: want a number between 0 and 100000"))
	} else {
		c.LiveMaxStreams = n
	}
	if c.DBStatementTimeout > 0 && c.RequestTimeout > 0 && c.DBStatementTimeout > c.RequestTimeout {
		errs = append(errs, errors.New("DB_STATEMENT_TIMEOUT must not be longer than REQUEST_TIMEOUT"))
	}
	port, err := strconv.Atoi(get("LOCAL_PG_PORT", "54329"))
	if err != nil || port < 1024 || port > 65535 {
		errs = append(errs, errors.New("LOCAL_PG_PORT: want a port between 1024 and 65535"))
	}
	c.LocalPGPort = port

	switch c.Env {
	case EnvLocal, EnvProduction:
	default:
		errs = append(errs, fmt.Errorf("APP_ENV: want local or production, got %q", c.Env))
	}
	defLog := "text"
	if c.Env == EnvProduction {
		defLog = "json"
	}
	c.LogFormat = get("LOG_FORMAT", defLog)
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, errors.New("LOG_FORMAT: want text or json"))
	}
	if c.SessionMaxAge < c.SessionIdle {
		errs = append(errs, errors.New("SESSION_MAX_AGE must not be shorter than SESSION_IDLE_TIMEOUT"))
	}
	for _, p := range strings.Split(get("TRUSTED_PROXIES", ""), ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				errs = append(errs, fmt.Errorf("TRUSTED_PROXIES: %q is neither an IP nor a CIDR", p))
				continue
			}
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	for _, e := range strings.Split(get("SUPERUSER_EMAILS", ""), ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		if at := strings.Index(e, "@"); at < 1 || at == len(e)-1 || strings.ContainsAny(e, " \t") {
			errs = append(errs, fmt.Errorf("SUPERUSER_EMAILS: %q is not an e-mail address", e))
			continue
		}
		c.SuperuserEmails = append(c.SuperuserEmails, e)
	}
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			errs = append(errs, errors.New("DATABASE_URL: want a postgres:// URL"))
		}
	}
	if c.IAPAudience != "" {
		if u, err := url.Parse(c.IAPJWKSURL); err != nil || (u.Scheme != "https" && !(c.Local() && u.Scheme == "http")) {
			errs = append(errs, errors.New("IAP_JWKS_URL: want an https URL"))
		}
	}
	if !c.PasswordLogin && c.IAPAudience == "" {
		errs = append(errs, errors.New("PASSWORD_LOGIN=false needs IAP_AUDIENCE: nobody could sign in"))
	}

	if c.Env == EnvProduction {
		if c.DatabaseURL == "" {
			errs = append(errs, errors.New("DATABASE_URL is required in production"))
		}
		if len(c.SessionSecret) < 32 {
			errs = append(errs, errors.New("SESSION_SECRET of at least 32 characters is required in production"))
		}
		if c.SessionSecret == localSessionSecret {
			errs = append(errs, errors.New("SESSION_SECRET must not be the local development value"))
		}
	} else if c.SessionSecret == "" {
		c.SessionSecret = localSessionSecret
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return c, nil
}
