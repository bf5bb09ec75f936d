package iap_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/redsalud/ticket-home/iap/iaptest"
)

// FuzzVerify feeds arbitrary assertions to a verifier whose key server publishes one key, and
// fails if Verify accepts anything that is not an ES256 assertion signed by that key with
// claims this package must require; the check below deliberately avoids the JWT library.
//
// The engine's minimisation is quadratic in input size, so offspring of the huge seeds can
// keep a worker busy for the whole -fuzzminimizetime (60s by default); a short run fuzzes
// more with e.g. -fuzzminimizetime=5s.
func FuzzVerify(f *testing.F) {
	key := fuzzKey(f, "iap fuzz: published key")
	s := iaptest.NewSignerFromKey("key-1", key)
	v := newVerifier(f, iaptest.NewKeyServer(f, s), hostedDomain(testDomain))
	pub := s.PublicKey()

	seeds, genuine, forged := fuzzSeeds(f, s, key)
	// Without these the target could degenerate into refusing everything and still pass.
	if _, err := v.Verify(f.Context(), genuine); err != nil {
		f.Fatalf("Verify refused a genuine seed: %v", err)
	}
	if why := notGenuine(genuine, pub, "ana.perez@redsalud.cl", time.Now(), time.Now()); why != "" {
		f.Fatalf("the independent check refused a genuine seed: %s", why)
	}
	if why := notGenuine(forged, pub, "ana.perez@redsalud.cl", time.Now(), time.Now()); why == "" {
		f.Fatal("the independent check accepted a seed signed by an unpublished key")
	}
	for _, seed := range seeds {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, assertion string) {
		before := time.Now()
		got, err := v.Verify(t.Context(), assertion)
		after := time.Now()
		if err != nil {
			if got != "" {
				t.Fatalf("Verify returned %q along with its error %v", got, err)
			}
			return
		}
		if why := notGenuine(assertion, pub, got, before, after); why != "" {
			t.Fatalf("Verify accepted %q and returned %q, but %s", assertion, got, why)
		}
	})
}

// fuzzKey derives the same P-256 key from label in every process: fuzz workers each run the
// setup of FuzzVerify, and a seed signed with one process's random key would be a forgery to
// the others.
func fuzzKey(tb testing.TB, label string) *ecdsa.PrivateKey {
	tb.Helper()
	scalar := sha256.Sum256([]byte(label))
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), scalar[:])
	if err != nil {
		tb.Fatalf("derive key %q: %v", label, err)
	}
	return key
}

// fuzzSeeds returns the seed corpus, a genuine assertion among it, and one signed by an
// unpublished key.
func fuzzSeeds(tb testing.TB, s *iaptest.Signer, key *ecdsa.PrivateKey) (seeds []string, genuine, forged string) {
	tb.Helper()
	now := time.Now()
	claims := func() jwt.MapClaims { return with(validClaims(now), "hd", testDomain) }
	payload, err := json.Marshal(claims())
	if err != nil {
		tb.Fatal(err)
	}
	header := `{"alg":"ES256","kid":"` + s.KID() + `","typ":"JWT"}`
	const huge = 4 << 10

	genuine = s.Sign(tb, claims())
	impostorKey := fuzzKey(tb, "iap fuzz: unpublished key")
	forged = iaptest.NewSignerFromKey(s.KID(), impostorKey).Sign(tb, claims())
	seeds = append(seeds,
		genuine,
		s.Sign(tb, with(with(claims(), "hd", "RedSalud.CL"), "email", " Ana.Perez@RedSalud.CL ")),
		s.Sign(tb, without(claims(), "hd")),
		s.Sign(tb, with(claims(), "hd", 42)),
		s.Sign(tb, with(claims(), "hd", []string{testDomain})),
		s.Sign(tb, with(claims(), "hd", "redſalud.cl")),
		s.Sign(tb, with(claims(), "aud", "/projects/1/global/backendServices/2")),
		s.Sign(tb, with(claims(), "exp", now.Add(-time.Hour).Unix())),
		s.Sign(tb, with(claims(), "exp", "never")),
		s.Sign(tb, without(claims(), "email")),
		// With no kid the whole published set is tried.
		signRaw(tb, key, `{"alg":"ES256"}`, string(payload)),
		signRaw(tb, key, `{"alg":"ES256","kid":7}`, string(payload)),
		signRaw(tb, key, `{"alg":"ES256","kid":"key-1","alg":"HS256"}`, string(payload)),
		signRaw(tb, key, header, `[]`),
		signRaw(tb, key, header, `null`),
		signRaw(tb, key, header, strings.TrimSuffix(string(payload), "}")+`,"aud":"/projects/1/apps/other"}`),
		signRaw(tb, key, header, strings.Replace(string(payload), `"ana.perez@`, "\"ana\xff.perez@", 1)),
		signRaw(tb, key, "\xff\xfe", string(payload)),

		forged,
		iaptest.NewSignerFromKey("key-unknown", impostorKey).Sign(tb, claims()),
		algNone(tb, s, claims()),
		hs256WithPublicKey(tb, s, claims()),

		genuine[:len(genuine)-1],
		genuine[:len(genuine)/2],
		genuine[:strings.LastIndex(genuine, ".")],
		genuine[:strings.LastIndex(genuine, ".")+1],
		genuine+".",
		"."+genuine,
		strings.Replace(genuine, ".", "..", 1),
		genuine+"."+genuine[strings.LastIndex(genuine, ".")+1:],
		genuine+"==",
		genuine[:len(genuine)-10]+"\n"+genuine[len(genuine)-10:],
		"", ".", "..", "...", "a.b.c", "a.b.c.d",

		randomString(1, 16),
		randomString(2, 300),
		// Each already exceeds the 4 KiB Fiber reads for all headers by default; larger seeds
		// only stall the fuzzer longer while it minimises their offspring.
		strings.Repeat("A", huge)+"."+segment(genuine, 1)+"."+segment(genuine, 2),
		segment(genuine, 0)+"."+strings.Repeat("eyJh", huge/4)+"."+segment(genuine, 2),
		segment(genuine, 0)+"."+segment(genuine, 1)+"."+strings.Repeat("_-", huge/2),

		"\xff\xfe\xfd",
		genuine+"\xff",
		"\xc3\x28."+segment(genuine, 1)+"."+segment(genuine, 2),
		segment(genuine, 0)+".\xed\xa0\x80."+segment(genuine, 2),
	)
	return seeds, genuine, forged
}

func segment(token string, i int) string {
	return strings.Split(token, ".")[i]
}

// signRaw signs header and payload exactly as given, which the JWT library cannot be made to do
// with invalid UTF-8, duplicate keys or a kid that is not a string.
func signRaw(tb testing.TB, key *ecdsa.PrivateKey, header, payload string) string {
	tb.Helper()
	signed := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
	digest := sha256.Sum256([]byte(signed))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		tb.Fatalf("sign: %v", err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func algNone(tb testing.TB, s *iaptest.Signer, c jwt.MapClaims) string {
	tb.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodNone, c)
	tok.Header["kid"] = s.KID()
	out, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func hs256WithPublicKey(tb testing.TB, s *iaptest.Signer, c jwt.MapClaims) string {
	tb.Helper()
	point, err := s.PublicKey().Bytes()
	if err != nil {
		tb.Fatal(err)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	tok.Header["kid"] = s.KID()
	out, err := tok.SignedString(point)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// randomString is seeded so that the corpus is the same in every fuzz worker.
func randomString(seed uint64, n int) string {
	r := mrand.New(mrand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return string(b)
}

// notGenuine says why token is not an assertion that Verify may accept and return email for,
// or "" if it is. It reads the compact serialisation by hand (RFC 7515) and checks the ES256
// signature with crypto/ecdsa, so a flaw in the path under test cannot hide itself here. Expiry
// is judged at before and issue time at after, the bounds of when Verify looked at the clock.
func notGenuine(token string, pub *ecdsa.PublicKey, email string, before, after time.Time) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return fmt.Sprintf("it has %d segments", len(parts))
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return "its header is unreadable: " + err.Error()
	}
	if header.Alg != "ES256" {
		return fmt.Sprintf("its alg is %q", header.Alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "its signature is not base64url: " + err.Error()
	}
	if len(sig) != 64 {
		return fmt.Sprintf("its signature has %d bytes, not r||s of 32 each", len(sig))
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(pub, digest[:], r, s) {
		return "it is not signed by the published key"
	}

	var c map[string]any
	if err := decodeSegment(parts[1], &c); err != nil {
		return "its payload is unreadable: " + err.Error()
	}
	if !hasAudience(c["aud"], testAudience) {
		return fmt.Sprintf("its aud is %v", c["aud"])
	}
	if c["iss"] != testIssuer {
		return fmt.Sprintf("its iss is %v", c["iss"])
	}
	const leeway = 30 // seconds, as configured in iap.go
	exp, ok := c["exp"].(float64)
	if !ok {
		return fmt.Sprintf("its exp is %v", c["exp"])
	}
	if exp+leeway <= unixSeconds(before) {
		return fmt.Sprintf("it expired at %v", exp)
	}
	for _, notBefore := range []string{"iat", "nbf"} {
		if raw, present := c[notBefore]; present {
			at, ok := raw.(float64)
			if !ok || at-leeway > unixSeconds(after) {
				return fmt.Sprintf("its %s is %v", notBefore, raw)
			}
		}
	}
	hd, ok := c["hd"].(string)
	if !ok || strings.ToLower(strings.TrimSpace(hd)) != testDomain {
		return fmt.Sprintf("its hd is %v", c["hd"])
	}
	claimed, ok := c["email"].(string)
	if !ok || !strings.Contains(claimed, "@") || strings.ToLower(strings.TrimSpace(claimed)) != email {
		return fmt.Sprintf("its email is %v", c["email"])
	}
	return ""
}

func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func hasAudience(aud any, want string) bool {
	switch aud := aud.(type) {
	case string:
		return aud == want
	case []any:
		for _, a := range aud {
			if a == want {
				return true
			}
		}
	}
	return false
}

func unixSeconds(t time.Time) float64 {
	return float64(t.UnixNano()) / 1e9
}
