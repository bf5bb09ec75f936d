package iap_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/redsalud/ticket-home/iap"
	"github.com/redsalud/ticket-home/iap/iaptest"
)

const (
	testAudience = "/projects/123456/global/backendServices/987654"
	testIssuer   = "https://cloud.google.com/iap"
	testDomain   = "redsalud.cl"
)

// newVerifier gives each test its own verifier: keyfunc allows one refresh for an unknown key id
// at once and then one per five minutes, so a fresh verifier makes the rotation tests
// deterministic without touching the limiter.
func newVerifier(t testing.TB, ks *iaptest.KeyServer, edits ...func(*iap.Config)) *iap.Verifier {
	t.Helper()
	cfg := iap.Config{JWKSURL: ks.URL(), Audience: testAudience, Issuer: testIssuer}
	for _, edit := range edits {
		edit(&cfg)
	}
	v, err := iap.New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

func validClaims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"email": "ana.perez@redsalud.cl",
		"sub":   "accounts.google.com:1234567890",
		"aud":   testAudience,
		"iss":   testIssuer,
		"iat":   now.Add(-time.Minute).Unix(),
		"exp":   now.Add(9 * time.Minute).Unix(),
	}
}

func with(c jwt.MapClaims, k string, v any) jwt.MapClaims {
	c[k] = v
	return c
}

func without(c jwt.MapClaims, k string) jwt.MapClaims {
	delete(c, k)
	return c
}

func TestNew_MissingSettingRefused(t *testing.T) {
	full := iap.Config{JWKSURL: "https://www.gstatic.com/iap/verify/public_key-jwk", Audience: testAudience, Issuer: testIssuer}
	tests := []struct {
		name string
		edit func(*iap.Config)
	}{
		{"empty audience", func(c *iap.Config) { c.Audience = "" }},
		{"empty issuer", func(c *iap.Config) { c.Issuer = "" }},
		{"empty key URL", func(c *iap.Config) { c.JWKSURL = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := full
			tt.edit(&cfg)
			v, err := iap.New(t.Context(), cfg)
			if err == nil {
				t.Fatal("New accepted an incomplete config")
			}
			if v != nil {
				t.Error("New returned a verifier along with its error")
			}
		})
	}
}

func TestVerify_ValidAssertionReturnsLowerCasedEmail(t *testing.T) {
	s := iaptest.NewSigner(t, "key-1")
	v := newVerifier(t, iaptest.NewKeyServer(t, s))
	now := time.Now()
	tests := []struct {
		name   string
		claims jwt.MapClaims
		want   string
	}{
		{"plain", validClaims(now), "ana.perez@redsalud.cl"},
		{"mixed case", with(validClaims(now), "email", "Ana.Perez@RedSalud.CL"), "ana.perez@redsalud.cl"},
		{"surrounding spaces", with(validClaims(now), "email", "  ana.perez@redsalud.cl "), "ana.perez@redsalud.cl"},
		{"audience among several", with(validClaims(now), "aud", []string{"/projects/1/apps/other", testAudience}), "ana.perez@redsalud.cl"},
		// The 30 s leeway absorbs clock skew between IAP and this server.
		{"expired within leeway", with(validClaims(now), "exp", now.Add(-10*time.Second).Unix()), "ana.perez@redsalud.cl"},
		{"issued in the future within leeway", with(validClaims(now), "iat", now.Add(10*time.Second).Unix()), "ana.perez@redsalud.cl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(t.Context(), s.Sign(t, tt.claims))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got != tt.want {
				t.Errorf("Verify = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestVerify_InvalidAssertionRefused(t *testing.T) {
	s := iaptest.NewSigner(t, "key-1")
	v := newVerifier(t, iaptest.NewKeyServer(t, s))
	now := time.Now()

	// An attacker's key, presented under the published key id and under an id of its own.
	impostor := iaptest.NewSigner(t, "key-1")
	stranger := iaptest.NewSigner(t, "key-unknown")

	hs256 := jwt.NewWithClaims(jwt.SigningMethodHS256, validClaims(now))
	hs256.Header["kid"] = s.KID()
	point, err := s.PublicKey().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	// Classic algorithm confusion: the public key used as an HMAC secret.
	hs256Token, err := hs256.SignedString(point)
	if err != nil {
		t.Fatal(err)
	}
	none := jwt.NewWithClaims(jwt.SigningMethodNone, validClaims(now))
	none.Header["kid"] = s.KID()
	noneToken, err := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		assertion string
		wantErr   error  // sentinel the refusal must carry, when there is one
		wantMsg   string // text the refusal must carry, when there is no sentinel
	}{
		{
			name:      "wrong audience",
			assertion: s.Sign(t, with(validClaims(now), "aud", "/projects/123456/global/backendServices/111")),
			wantErr:   jwt.ErrTokenInvalidAudience,
		},
		{
			name:      "no audience",
			assertion: s.Sign(t, without(validClaims(now), "aud")),
			wantErr:   jwt.ErrTokenRequiredClaimMissing,
		},
		{
			name:      "wrong issuer",
			assertion: s.Sign(t, with(validClaims(now), "iss", "https://accounts.google.com")),
			wantErr:   jwt.ErrTokenInvalidIssuer,
		},
		{
			name:      "expired beyond leeway",
			assertion: s.Sign(t, with(with(validClaims(now), "iat", now.Add(-time.Hour).Unix()), "exp", now.Add(-time.Minute).Unix())),
			wantErr:   jwt.ErrTokenExpired,
		},
		{
			name:      "issued in the future beyond leeway",
			assertion: s.Sign(t, with(validClaims(now), "iat", now.Add(time.Minute).Unix())),
			wantErr:   jwt.ErrTokenUsedBeforeIssued,
		},
		{
			name:      "missing exp",
			assertion: s.Sign(t, without(validClaims(now), "exp")),
			wantErr:   jwt.ErrTokenRequiredClaimMissing,
		},
		{
			name:      "HS256 with the public key as secret",
			assertion: hs256Token,
			wantErr:   jwt.ErrTokenSignatureInvalid,
		},
		{
			name:      "alg none",
			assertion: noneToken,
			wantErr:   jwt.ErrTokenSignatureInvalid,
		},
		{
			name:      "unpublished key under a published kid",
			assertion: impostor.Sign(t, validClaims(now)),
			wantErr:   jwt.ErrTokenSignatureInvalid,
		},
		{
			name:      "unpublished key under its own kid",
			assertion: stranger.Sign(t, validClaims(now)),
			wantErr:   jwt.ErrTokenUnverifiable,
		},
		{
			name:      "tampered payload",
			assertion: tamper(t, s.Sign(t, validClaims(now)), "email", "director@redsalud.cl"),
			wantErr:   jwt.ErrTokenSignatureInvalid,
		},
		{
			name:      "not a JWT",
			assertion: "not-a-jwt",
			wantErr:   jwt.ErrTokenMalformed,
		},
		{
			name:      "no email claim",
			assertion: s.Sign(t, without(validClaims(now), "email")),
			wantMsg:   "no e-mail",
		},
		{
			name:      "blank email claim",
			assertion: s.Sign(t, with(validClaims(now), "email", "   ")),
			wantMsg:   "no e-mail",
		},
		{
			name:      "email claim without @",
			assertion: s.Sign(t, with(validClaims(now), "email", "ana.perez")),
			wantMsg:   "no e-mail",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(t.Context(), tt.assertion)
			if err == nil {
				t.Fatalf("Verify accepted it and returned %q", got)
			}
			if got != "" {
				t.Errorf("Verify returned %q along with its error", got)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Verify error = %v, want one wrapping %v", err, tt.wantErr)
			}
			if tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Verify error = %v, want it to mention %q", err, tt.wantMsg)
			}
		})
	}
}

func hostedDomain(hd string) func(*iap.Config) {
	return func(c *iap.Config) { c.HostedDomain = hd }
}

func TestVerify_HostedDomainAdmitsItsWorkspace(t *testing.T) {
	s := iaptest.NewSigner(t, "key-1")
	ks := iaptest.NewKeyServer(t, s)
	now := time.Now()
	tests := []struct {
		name       string
		configured string
		hd         any
	}{
		{"same domain", testDomain, testDomain},
		{"claim in another case", testDomain, "RedSalud.CL"},
		{"claim with surrounding spaces", testDomain, " redsalud.cl "},
		{"setting in another case and with spaces", "  REDSALUD.cl ", testDomain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t, ks, hostedDomain(tt.configured))
			got, err := v.Verify(t.Context(), s.Sign(t, with(validClaims(now), "hd", tt.hd)))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got != "ana.perez@redsalud.cl" {
				t.Errorf("Verify = %q, want ana.perez@redsalud.cl", got)
			}
		})
	}
}

func TestVerify_HostedDomainRestrictsWorkspace(t *testing.T) {
	s := iaptest.NewSigner(t, "key-1")
	v := newVerifier(t, iaptest.NewKeyServer(t, s), hostedDomain(testDomain))
	now := time.Now()
	tests := []struct {
		name   string
		claims jwt.MapClaims
	}{
		// Consumer (gmail.com) accounts carry no hd at all.
		{"hd missing", without(validClaims(now), "hd")},
		{"hd empty", with(validClaims(now), "hd", "")},
		{"hd null", with(validClaims(now), "hd", nil)},
		{"another domain", with(validClaims(now), "hd", "gmail.com")},
		{"domain with ours as suffix", with(validClaims(now), "hd", "evilredsalud.cl")},
		{"subdomain of ours", with(validClaims(now), "hd", "sub.redsalud.cl")},
		{"ours followed by another label", with(validClaims(now), "hd", "redsalud.cl.example.com")},
		{"Unicode look-alike folding to ours", with(validClaims(now), "hd", "redſalud.cl")},
		{"hd a number", with(validClaims(now), "hd", 42)},
		{"hd a boolean", with(validClaims(now), "hd", true)},
		{"hd an array holding ours", with(validClaims(now), "hd", []string{testDomain})},
		{"hd an object", with(validClaims(now), "hd", map[string]string{"domain": testDomain})},
		// The e-mail's domain proves nothing: only hd says the account belongs to the Workspace.
		{"email in our domain but no hd", with(without(validClaims(now), "hd"), "email", "ana.perez@redsalud.cl")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(t.Context(), s.Sign(t, tt.claims))
			if err == nil {
				t.Fatalf("Verify accepted it and returned %q", got)
			}
			if got != "" {
				t.Errorf("Verify returned %q along with its error", got)
			}
			if !errors.Is(err, iap.ErrHostedDomain) {
				t.Errorf("Verify error = %v, want one wrapping %v", err, iap.ErrHostedDomain)
			}
			if !strings.HasPrefix(err.Error(), "iap: ") {
				t.Errorf("Verify error = %q, want it prefixed with %q", err, "iap: ")
			}
		})
	}
}

func TestVerify_HdIgnoredWithoutHostedDomain(t *testing.T) {
	s := iaptest.NewSigner(t, "key-1")
	v := newVerifier(t, iaptest.NewKeyServer(t, s))
	now := time.Now()
	tests := []struct {
		name   string
		claims jwt.MapClaims
	}{
		{"hd missing", without(validClaims(now), "hd")},
		{"our domain", with(validClaims(now), "hd", testDomain)},
		{"another domain", with(validClaims(now), "hd", "gmail.com")},
		{"hd a number", with(validClaims(now), "hd", 42)},
		{"hd an array", with(validClaims(now), "hd", []string{"a.com", "b.com"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(t.Context(), s.Sign(t, tt.claims))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got != "ana.perez@redsalud.cl" {
				t.Errorf("Verify = %q, want ana.perez@redsalud.cl", got)
			}
		})
	}
}

// tamper rewrites one claim of a signed token and keeps the original signature.
func tamper(t *testing.T, token, claim string, value any) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("decode payload: %v", err)
	}
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatalf("unmarshal payload: %v", err)
	}
	c[claim] = value
	payload, err = json.Marshal(c)
	if err != nil {
		t.Fatalf("marshal payload: %v", err)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

func TestVerify_RotatedKeyAcceptedWithoutRestart(t *testing.T) {
	old, next := iaptest.NewSigner(t, "key-old"), iaptest.NewSigner(t, "key-new")
	ks := iaptest.NewKeyServer(t, old)
	v := newVerifier(t, ks)
	now := time.Now()

	if _, err := v.Verify(t.Context(), old.Sign(t, validClaims(now))); err != nil {
		t.Fatalf("Verify with the published key: %v", err)
	}
	before := ks.FetchCount()

	ks.Publish(t, old, next)
	got, err := v.Verify(t.Context(), next.Sign(t, validClaims(now)))
	if err != nil {
		t.Fatalf("Verify with the rotated-in key: %v", err)
	}
	if got != "ana.perez@redsalud.cl" {
		t.Errorf("Verify = %q, want ana.perez@redsalud.cl", got)
	}
	if ks.FetchCount() <= before {
		t.Error("the unknown key id did not make the verifier fetch the key set again")
	}
}

func TestVerify_KeyDroppedFromSetRefusedAfterRefresh(t *testing.T) {
	old, next := iaptest.NewSigner(t, "key-old"), iaptest.NewSigner(t, "key-new")
	ks := iaptest.NewKeyServer(t, old)
	v := newVerifier(t, ks)
	now := time.Now()
	oldToken := old.Sign(t, validClaims(now))

	if _, err := v.Verify(t.Context(), oldToken); err != nil {
		t.Fatalf("Verify with the published key: %v", err)
	}
	ks.Publish(t, next)
	if _, err := v.Verify(t.Context(), next.Sign(t, validClaims(now))); err != nil {
		t.Fatalf("Verify with the rotated-in key: %v", err)
	}
	// The refresh replaced the whole set, so a revoked key is forgotten, not kept in a cache.
	if got, err := v.Verify(t.Context(), oldToken); err == nil {
		t.Fatalf("Verify accepted a key no longer published and returned %q", got)
	}
}
