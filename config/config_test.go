package config_test

import (
	"errors"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/config"
)

// env is a getenv over a fixed map.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// production is the smallest environment a production server starts with, plus overrides.
func production(overrides map[string]string) map[string]string {
	vars := map[string]string{
		"APP_ENV":        "production",
		"DATABASE_URL":   "postgres://ticket_app@db.internal:5432/ticket?sslmode=verify-full",
		"SESSION_SECRET": "0123456789abcdef0123456789abcdef", // exactly 32 characters
	}
	maps.Copy(vars, overrides)
	return vars
}

// localSecret is the development secret Load fills in locally.
func localSecret(t *testing.T) string {
	t.Helper()
	cfg, err := config.Load(env(nil))
	if err != nil {
		t.Fatalf("Load local defaults: %v", err)
	}
	return cfg.SessionSecret
}

func TestLoad_LocalDefaults(t *testing.T) {
	cfg, err := config.Load(env(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Env != config.EnvLocal || !cfg.Local() {
		t.Errorf("Env = %q, want local", cfg.Env)
	}
	if cfg.ListenAddr != ":8080" {
		t.Errorf("ListenAddr = %q, want :8080", cfg.ListenAddr)
	}
	if cfg.SessionIdle != 2*time.Hour {
		t.Errorf("SessionIdle = %v, want 2h", cfg.SessionIdle)
	}
	if cfg.SessionMaxAge != 12*time.Hour {
		t.Errorf("SessionMaxAge = %v, want 12h", cfg.SessionMaxAge)
	}
	if cfg.LogFormat != "text" {
		t.Errorf("LogFormat = %q, want text", cfg.LogFormat)
	}
	if cfg.SessionSecret == "" {
		t.Error("SessionSecret is empty; local needs a development secret")
	}
	if !cfg.PasswordLogin {
		t.Error("PasswordLogin = false, want true")
	}
	if cfg.DatabaseURL != "" {
		t.Errorf("DatabaseURL = %q, want empty (private local cluster)", cfg.DatabaseURL)
	}
	if cfg.LocalPGPort != 54329 {
		t.Errorf("LocalPGPort = %d, want 54329", cfg.LocalPGPort)
	}
}

func TestLoad_ProductionDefaultsToJSONLogs(t *testing.T) {
	cfg, err := config.Load(env(production(nil)))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Local() {
		t.Error("Local() = true in production")
	}
	if cfg.LogFormat != "json" {
		t.Errorf("LogFormat = %q, want json", cfg.LogFormat)
	}
}

func TestLoad_ProductionRefusesUnsafeSettings(t *testing.T) {
	tests := []struct {
		name    string
		vars    map[string]string
		wantMsg string
	}{
		{"no DATABASE_URL", production(map[string]string{"DATABASE_URL": ""}), "DATABASE_URL"},
		{"no SESSION_SECRET", production(map[string]string{"SESSION_SECRET": ""}), "SESSION_SECRET"},
		{"blank SESSION_SECRET", production(map[string]string{"SESSION_SECRET": "   "}), "SESSION_SECRET"},
		{"SESSION_SECRET of 31 characters", production(map[string]string{"SESSION_SECRET": strings.Repeat("x", 31)}), "SESSION_SECRET"},
		{"local development secret", production(map[string]string{"SESSION_SECRET": localSecret(t)}), "local development"},
		{"plain-HTTP IAP keys", production(map[string]string{"IAP_AUDIENCE": "/projects/1/global/backendServices/2", "IAP_JWKS_URL": "http://keys.example/jwk"}), "IAP_JWKS_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(env(tt.vars))
			if err == nil {
				t.Fatal("Load accepted it")
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Load error = %v, want it to mention %q", err, tt.wantMsg)
			}
		})
	}
}

func TestLoad_InvalidSettingRefused(t *testing.T) {
	tests := []struct {
		name    string
		vars    map[string]string
		wantMsg string
	}{
		{"unknown APP_ENV", map[string]string{"APP_ENV": "staging"}, "APP_ENV"},
		{"APP_ENV in capitals", map[string]string{"APP_ENV": "Production"}, "APP_ENV"},
		{"unparsable idle timeout", map[string]string{"SESSION_IDLE_TIMEOUT": "two hours"}, "SESSION_IDLE_TIMEOUT"},
		{"zero idle timeout", map[string]string{"SESSION_IDLE_TIMEOUT": "0s"}, "SESSION_IDLE_TIMEOUT"},
		{"negative max age", map[string]string{"SESSION_MAX_AGE": "-12h"}, "SESSION_MAX_AGE"},
		{"max age shorter than idle timeout", map[string]string{"SESSION_IDLE_TIMEOUT": "2h", "SESSION_MAX_AGE": "1h"}, "SESSION_MAX_AGE"},
		{"bad trusted proxy", map[string]string{"TRUSTED_PROXIES": "10.0.0.1, gateway.internal"}, "gateway.internal"},
		{"bad trusted proxy CIDR", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33"}, "TRUSTED_PROXIES"},
		{"non-postgres DATABASE_URL", map[string]string{"DATABASE_URL": "mysql://ticket@db/ticket"}, "DATABASE_URL"},
		{"DATABASE_URL without scheme", map[string]string{"DATABASE_URL": "db.internal:5432/ticket"}, "DATABASE_URL"},
		{"password login off without IAP", map[string]string{"PASSWORD_LOGIN": "false"}, "IAP_AUDIENCE"},
		{"PASSWORD_LOGIN not a boolean", map[string]string{"PASSWORD_LOGIN": "maybe"}, "PASSWORD_LOGIN"},
		{"unknown LOG_FORMAT", map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT"},
		{"privileged LOCAL_PG_PORT", map[string]string{"LOCAL_PG_PORT": "80"}, "LOCAL_PG_PORT"},
		{"LOCAL_PG_PORT not a number", map[string]string{"LOCAL_PG_PORT": "pg"}, "LOCAL_PG_PORT"},
		{"IAP keys over ftp", map[string]string{"IAP_AUDIENCE": "/projects/1/apps/p", "IAP_JWKS_URL": "ftp://keys.example/jwk"}, "IAP_JWKS_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Load(env(tt.vars))
			if err == nil {
				t.Fatal("Load accepted it")
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Load error = %v, want it to mention %q", err, tt.wantMsg)
			}
			if !reflect.DeepEqual(cfg, config.Config{}) {
				t.Errorf("Load returned a half-built config along with its error: %+v", cfg)
			}
		})
	}
}

// The refusals above mean something only if the same settings, written correctly, are accepted.
func TestLoad_ValidOptionalSettingsAccepted(t *testing.T) {
	tests := []struct {
		name  string
		vars  map[string]string
		check func(t *testing.T, cfg config.Config)
	}{
		{
			name: "trusted proxies as IPs and CIDRs",
			vars: map[string]string{"TRUSTED_PROXIES": " 10.0.0.1 , 130.211.0.0/22,,35.191.0.0/16, 2001:db8::1 "},
			check: func(t *testing.T, cfg config.Config) {
				want := []string{"10.0.0.1", "130.211.0.0/22", "35.191.0.0/16", "2001:db8::1"}
				if !slices.Equal(cfg.TrustedProxies, want) {
					t.Errorf("TrustedProxies = %q, want %q", cfg.TrustedProxies, want)
				}
			},
		},
		{
			name: "postgresql scheme",
			vars: map[string]string{"DATABASE_URL": "postgresql://ticket_app@db/ticket"},
			check: func(t *testing.T, cfg config.Config) {
				if cfg.DatabaseURL != "postgresql://ticket_app@db/ticket" {
					t.Errorf("DatabaseURL = %q", cfg.DatabaseURL)
				}
			},
		},
		{
			name: "password login off with IAP",
			vars: map[string]string{"PASSWORD_LOGIN": "false", "IAP_AUDIENCE": "/projects/1/global/backendServices/2"},
			check: func(t *testing.T, cfg config.Config) {
				if cfg.PasswordLogin || cfg.IAPAudience != "/projects/1/global/backendServices/2" {
					t.Errorf("PasswordLogin = %v, IAPAudience = %q", cfg.PasswordLogin, cfg.IAPAudience)
				}
			},
		},
		{
			name: "plain-HTTP IAP keys in local",
			vars: map[string]string{"IAP_AUDIENCE": "/projects/1/apps/p", "IAP_JWKS_URL": "http://localhost:9999/jwk"},
			check: func(t *testing.T, cfg config.Config) {
				if cfg.IAPJWKSURL != "http://localhost:9999/jwk" {
					t.Errorf("IAPJWKSURL = %q", cfg.IAPJWKSURL)
				}
			},
		},
		{
			name: "max age equal to idle timeout",
			vars: map[string]string{"SESSION_IDLE_TIMEOUT": "30m", "SESSION_MAX_AGE": "30m"},
			check: func(t *testing.T, cfg config.Config) {
				if cfg.SessionIdle != 30*time.Minute || cfg.SessionMaxAge != 30*time.Minute {
					t.Errorf("SessionIdle = %v, SessionMaxAge = %v", cfg.SessionIdle, cfg.SessionMaxAge)
				}
			},
		},
		{
			name: "text logs in production",
			vars: production(map[string]string{"LOG_FORMAT": "text"}),
			check: func(t *testing.T, cfg config.Config) {
				if cfg.LogFormat != "text" {
					t.Errorf("LogFormat = %q", cfg.LogFormat)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Load(env(tt.vars))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			tt.check(t, cfg)
		})
	}
}

func TestLoad_AllProblemsReportedAtOnce(t *testing.T) {
	_, err := config.Load(env(map[string]string{
		"APP_ENV":              "staging",
		"SESSION_IDLE_TIMEOUT": "soon",
		"TRUSTED_PROXIES":      "gateway.internal",
		"DATABASE_URL":         "mysql://ticket@db/ticket",
	}))
	if err == nil {
		t.Fatal("Load accepted it")
	}
	for _, want := range []string{"APP_ENV", "SESSION_IDLE_TIMEOUT", "TRUSTED_PROXIES", "DATABASE_URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Load error does not mention %s: %v", want, err)
		}
	}
	joined, ok := errors.Unwrap(err).(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("Load error does not wrap a joined error: %#v", err)
	}
	if n := len(joined.Unwrap()); n != 4 {
		t.Errorf("Load joined %d errors, want 4: %v", n, err)
	}
}

// recordingEnv is a getenv that notes every name it is asked for.
func recordingEnv(vars map[string]string, read map[string]bool) func(string) string {
	return func(k string) string {
		read[k] = true
		return vars[k]
	}
}

func TestLoad_ReadsExactlyTheDocumentedKeys(t *testing.T) {
	documented := map[string]bool{}
	for _, k := range config.Keys {
		if documented[k.Name] {
			t.Errorf("Keys lists %s twice", k.Name)
		}
		documented[k.Name] = true
	}

	readAny := map[string]bool{}
	for name, vars := range map[string]map[string]string{
		"local":      nil,
		"production": production(nil),
		"iap only":   production(map[string]string{"PASSWORD_LOGIN": "false", "IAP_AUDIENCE": "/projects/1/apps/p"}),
	} {
		t.Run(name, func(t *testing.T) {
			read := map[string]bool{}
			if _, err := config.Load(recordingEnv(vars, read)); err != nil {
				t.Fatalf("Load: %v", err)
			}
			for k := range read {
				readAny[k] = true
				if !documented[k] {
					t.Errorf("Load reads %s, which config.Keys does not list", k)
				}
			}
		})
	}
	for k := range documented {
		if !readAny[k] {
			t.Errorf("config.Keys lists %s, which Load never reads", k)
		}
	}
}

// Setting a variable to the default that Keys documents must change nothing, or .env.example
// and the docs would describe a different program.
func TestKeys_DocumentedDefaultsAreLoadDefaults(t *testing.T) {
	for _, vars := range []map[string]string{nil, production(nil)} {
		base, err := config.Load(env(vars))
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		for _, k := range config.Keys {
			if k.Default == "" || k.Name == "LOG_FORMAT" || vars[k.Name] != "" {
				continue // no default, a default described in prose, or set by the environment
			}
			t.Run(string(base.Env)+"/"+k.Name, func(t *testing.T) {
				set := maps.Clone(vars)
				if set == nil {
					set = map[string]string{}
				}
				set[k.Name] = k.Default
				got, err := config.Load(env(set))
				if err != nil {
					t.Fatalf("Load with %s=%q: %v", k.Name, k.Default, err)
				}
				if !reflect.DeepEqual(got, base) {
					t.Errorf("%s=%q gives %+v, unset gives %+v", k.Name, k.Default, got, base)
				}
			})
		}
	}
}

func TestLoad_PortPoolsAndTimeoutsForCloudRun(t *testing.T) {
	cfg, err := config.Load(env(production(map[string]string{"PORT": "9090", "IAP_HOSTED_DOMAIN": "RedSalud.CL"})))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ListenAddr != ":9090" {
		t.Errorf("ListenAddr = %q, want :9090 (PORT wins over LISTEN_ADDR)", cfg.ListenAddr)
	}
	if cfg.IAPHostedDomain != "redsalud.cl" {
		t.Errorf("IAPHostedDomain = %q", cfg.IAPHostedDomain)
	}
	main, sessions, listener := cfg.DBPools()
	if main+sessions+listener != cfg.DBMaxConns || sessions < 2 || listener != 1 || main < 1 {
		t.Errorf("pools %d + %d + %d, want DB_MAX_CONNS = %d split with at least 2 for sessions and 1 listener",
			main, sessions, listener, cfg.DBMaxConns)
	}
	// Three instances with the defaults stay well within Cloud SQL's 100 connections.
	if 3*cfg.DBMaxConns > 90 {
		t.Errorf("3 instances × %d connections exceed the small tier's budget", cfg.DBMaxConns)
	}
	if cfg.RequestTimeout <= 0 || cfg.DBStatementTimeout <= 0 || cfg.DBStatementTimeout > cfg.RequestTimeout {
		t.Errorf("timeouts: request %s, statement %s", cfg.RequestTimeout, cfg.DBStatementTimeout)
	}
	for _, bad := range []map[string]string{
		{"PORT": "abc"}, {"PORT": "70000"}, {"DB_MAX_CONNS": "3"}, {"DB_MAX_CONNS": "many"},
		{"DB_STATEMENT_TIMEOUT": "10s", "REQUEST_TIMEOUT": "5s"}, {"REQUEST_TIMEOUT": "-1s"},
	} {
		if _, err := config.Load(env(production(bad))); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestLoad_LiveUpdatesBoundedAndBelowCloudRunsRequestTimeout(t *testing.T) {
	cfg, err := config.Load(env(production(nil)))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LiveMaxStreams != 500 {
		t.Errorf("LiveMaxStreams = %d, want 500", cfg.LiveMaxStreams)
	}
	// Cloud Run cuts a request after 5 minutes by default: a stream must end before.
	if cfg.LiveStreamMaxAge != 4*time.Minute+30*time.Second || cfg.LiveStreamMaxAge >= 5*time.Minute {
		t.Errorf("LiveStreamMaxAge = %s, want 4m30s", cfg.LiveStreamMaxAge)
	}
	off, err := config.Load(env(production(map[string]string{"LIVE_MAX_STREAMS": "0"})))
	if err != nil {
		t.Fatal(err)
	}
	if main, sessions, listener := off.DBPools(); listener != 0 || main+sessions != off.DBMaxConns {
		t.Errorf("live updates off: pools %d + %d + %d, want no listener", main, sessions, listener)
	}
	for _, bad := range []map[string]string{
		{"LIVE_MAX_STREAMS": "-1"}, {"LIVE_MAX_STREAMS": "many"}, {"LIVE_MAX_STREAMS": "100001"},
		{"LIVE_STREAM_MAX_AGE": "0s"}, {"LIVE_STREAM_MAX_AGE": "soon"},
	} {
		if _, err := config.Load(env(production(bad))); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestEnvExample_ListsEveryKey(t *testing.T) {
	b, err := os.ReadFile("../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range config.Keys {
		if !regexp.MustCompile(`(?m)^` + k.Name + `=`).Match(b) {
			t.Errorf(".env.example does not list %s", k.Name)
		}
	}
}
