// Package iaptest stands in for Google IAP's signing side in tests: real ECDSA P-256 keys that
// sign ES256 assertions, and a real HTTP server publishing their JWK set, which a test can
// rotate and whose fetches it can count. It is meant for tests only.
package iaptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// Signer is one of IAP's signing keys, as the tests hold it.
type Signer struct {
	kid string
	key *ecdsa.PrivateKey
}

// NewSigner generates a fresh P-256 key published under the key id kid.
func NewSigner(t testing.TB, kid string) *Signer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("iaptest: generate key: %v", err)
	}
	return &Signer{kid: kid, key: key}
}

// NewSignerFromKey publishes key under the key id kid. Fuzz workers are separate processes that
// each run the test's setup, so a fuzz test needs a key that every one of them derives alike.
func NewSignerFromKey(kid string, key *ecdsa.PrivateKey) *Signer {
	return &Signer{kid: kid, key: key}
}

// KID is the key id the signer writes into the header of what it signs.
func (s *Signer) KID() string { return s.kid }

// PublicKey is the public half of the signer's key.
func (s *Signer) PublicKey() *ecdsa.PublicKey { return &s.key.PublicKey }

// JWK is the public half written by hand as RFC 7517/7518 describe it, so the tests do not
// depend on the library under test to produce what it later parses.
func (s *Signer) JWK(t testing.TB) map[string]string {
	t.Helper()
	point, err := s.key.PublicKey.Bytes() // 0x04 || X (32 bytes) || Y (32 bytes)
	if err != nil {
		t.Fatalf("iaptest: encode public key: %v", err)
	}
	return map[string]string{
		"kty": "EC",
		"crv": "P-256",
		"x":   base64.RawURLEncoding.EncodeToString(point[1:33]),
		"y":   base64.RawURLEncoding.EncodeToString(point[33:65]),
		"kid": s.kid,
		"alg": "ES256",
		"use": "sig",
	}
}

// Sign returns the claims as an ES256 JWT with the signer's key id in its header, as IAP
// puts it in X-Goog-IAP-JWT-Assertion.
func (s *Signer) Sign(t testing.TB, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, c)
	tok.Header["kid"] = s.kid
	out, err := tok.SignedString(s.key)
	if err != nil {
		t.Fatalf("iaptest: sign: %v", err)
	}
	return out
}

// KeyServer publishes a JWK set over HTTP that a test can change, and counts the fetches.
type KeyServer struct {
	url string

	mu      sync.Mutex
	body    []byte
	fetches int
}

// NewKeyServer starts a server publishing the public keys of the given signers; it is closed
// when the test ends.
func NewKeyServer(t testing.TB, published ...*Signer) *KeyServer {
	t.Helper()
	ks := &KeyServer{}
	ks.Publish(t, published...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		ks.mu.Lock()
		body := ks.body
		ks.fetches++
		ks.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if _, err := w.Write(body); err != nil {
			t.Errorf("iaptest: serve keys: %v", err)
		}
	}))
	t.Cleanup(srv.Close)
	ks.url = srv.URL
	return ks
}

// URL is where the key set is served: the verifier's JWKS URL.
func (ks *KeyServer) URL() string { return ks.url }

// Publish replaces the served key set with the public keys of the given signers.
func (ks *KeyServer) Publish(t testing.TB, published ...*Signer) {
	t.Helper()
	keys := []map[string]string{}
	for _, s := range published {
		keys = append(keys, s.JWK(t))
	}
	body, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatalf("iaptest: marshal key set: %v", err)
	}
	ks.mu.Lock()
	ks.body = body
	ks.mu.Unlock()
}

// FetchCount is how many times the key set has been fetched so far.
func (ks *KeyServer) FetchCount() int {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return ks.fetches
}
