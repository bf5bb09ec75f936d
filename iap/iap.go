// Package iap verifies the signed header that Google Identity-Aware Proxy adds to every request
// it lets through (X-Goog-IAP-JWT-Assertion): ES256 signature against IAP's published keys
// (fetched and refreshed, so key rotation needs no restart), audience, issuer and lifetime.
// The unsigned X-Goog-Authenticated-User-Email header is never trusted.
package iap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

// Config says which assertions to accept.
type Config struct {
	JWKSURL  string // IAP's JWK set
	Audience string // "/projects/NUMBER/global/backendServices/ID" (or …/apps/PROJECT for App Engine)
	Issuer   string // "https://cloud.google.com/iap"
	// RefreshInterval is how often keys are re-fetched; unknown key ids also trigger a fetch.
	RefreshInterval time.Duration
	// HostedDomain, when set, admits only users of that Google Workspace domain (the "hd"
	// claim). A project's IAP policy can grant access to consumer accounts or other
	// organisations too, so the audience alone does not pin the organisation.
	HostedDomain string
}

// ErrHostedDomain is wrapped by the refusal of an assertion from outside Config.HostedDomain.
var ErrHostedDomain = errors.New("iap: assertion is not from the required Google Workspace domain")

// Verifier checks IAP assertions.
type Verifier struct {
	cfg  Config
	keys keyfunc.Keyfunc
}

// New starts fetching IAP's keys in the background of ctx.
func New(ctx context.Context, cfg Config) (*Verifier, error) {
	if cfg.Audience == "" || cfg.Issuer == "" || cfg.JWKSURL == "" {
		return nil, errors.New("iap: audience, issuer and key URL are required")
	}
	cfg.HostedDomain = strings.TrimSpace(cfg.HostedDomain)
	if cfg.RefreshInterval <= 0 {
		cfg.RefreshInterval = time.Hour
	}
	k, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{cfg.JWKSURL}, keyfunc.Override{
		RefreshInterval: cfg.RefreshInterval,
		HTTPTimeout:     5 * time.Second,
		RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
			return func(ctx context.Context, err error) {
				slog.ErrorContext(ctx, "iap: refreshing keys failed", "url", u, "error", err)
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("iap: keys: %w", err)
	}
	return &Verifier{cfg: cfg, keys: k}, nil
}

type claims struct {
	Email string `json:"email"`
	// HostedDomain is untyped so that an unexpected type is refused by checkHostedDomain
	// instead of failing the decoding of every assertion, including when no domain is required.
	HostedDomain any `json:"hd"`
	jwt.RegisteredClaims
}

// Verify returns the e-mail of a valid assertion.
func (v *Verifier) Verify(ctx context.Context, assertion string) (string, error) {
	var c claims
	_, err := jwt.ParseWithClaims(assertion, &c, v.keys.KeyfuncCtx(ctx),
		jwt.WithValidMethods([]string{"ES256"}),
		jwt.WithAudience(v.cfg.Audience),
		jwt.WithIssuer(v.cfg.Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(30*time.Second),
	)
	if err != nil {
		return "", fmt.Errorf("iap: %w", err)
	}
	if err := v.checkHostedDomain(c.HostedDomain); err != nil {
		return "", err
	}
	email := strings.TrimSpace(c.Email)
	if email == "" || !strings.Contains(email, "@") {
		return "", errors.New("iap: assertion has no e-mail")
	}
	return strings.ToLower(email), nil
}

func (v *Verifier) checkHostedDomain(hd any) error {
	if v.cfg.HostedDomain == "" {
		return nil
	}
	s, ok := hd.(string)
	if !ok {
		// Consumer accounts carry no hd at all; any other type is not Google's.
		return fmt.Errorf("%w: hd claim missing or not a string", ErrHostedDomain)
	}
	if !equalFoldASCII(strings.TrimSpace(s), v.cfg.HostedDomain) {
		return fmt.Errorf("%w: hd is %q", ErrHostedDomain, s)
	}
	return nil
}

// equalFoldASCII folds only ASCII letters: Unicode folding (strings.EqualFold) would let a
// look-alike such as the long s U+017F or the Kelvin sign U+212A stand for "s" or "k".
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
