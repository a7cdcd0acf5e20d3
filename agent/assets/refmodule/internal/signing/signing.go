// Package signing signs and verifies payloads: HMAC for machine keys, Ed25519 for releases.
package signing

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ErrBadSignature is returned when a signature does not match.
var ErrBadSignature = errors.New("signature does not match")

// NewKey returns a random key of n bytes, base64url encoded.
func NewKey(n int) (string, error) {
	buf := make([]byte, n)
	if _, err := io.ReadFull(rand.Reader, buf); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

// HashKey is what a server stores instead of the key itself.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// KeyMatches compares a presented key with a stored hash in constant time.
func KeyMatches(key, storedHash string) bool {
	presented := HashKey(key)
	return subtle.ConstantTimeCompare([]byte(presented), []byte(storedHash)) == 1
}

// Token is a signed, expiring value: "payload.expiry.mac".
type Token struct {
	Payload string
	Expires time.Time
}

// Sign encodes a token with an HMAC-SHA256 over payload and expiry.
func Sign(secret []byte, t Token) string {
	body := base64.RawURLEncoding.EncodeToString([]byte(t.Payload)) + "." +
		fmt.Sprint(t.Expires.Unix())
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(body))
	return body + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Verify checks the MAC and the expiry of an encoded token.
func Verify(secret []byte, encoded string, now time.Time) (Token, error) {
	parts := strings.Split(encoded, ".")
	if len(parts) != 3 {
		return Token{}, fmt.Errorf("token has %d parts, want 3", len(parts))
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(parts[2])) {
		return Token{}, ErrBadSignature
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return Token{}, fmt.Errorf("token payload: %w", err)
	}
	var unix int64
	if _, err := fmt.Sscan(parts[1], &unix); err != nil {
		return Token{}, fmt.Errorf("token expiry: %w", err)
	}
	t := Token{Payload: string(payload), Expires: time.Unix(unix, 0)}
	if now.After(t.Expires) {
		return t, fmt.Errorf("token expired at %s", t.Expires.UTC().Format(time.RFC3339))
	}
	return t, nil
}

// Release signs release artifacts with Ed25519.
type Release struct {
	private ed25519.PrivateKey
	Public  ed25519.PublicKey
}

// NewRelease derives a signer from a seed; the same seed always gives the same key.
func NewRelease(seed string) *Release {
	sum := sha512.Sum512([]byte(seed))
	private := ed25519.NewKeyFromSeed(sum[:ed25519.SeedSize])
	return &Release{private: private, Public: private.Public().(ed25519.PublicKey)}
}

// Sign returns a hex signature over the artifact's SHA-256.
func (r *Release) Sign(artifact []byte) string {
	digest := sha256.Sum256(artifact)
	return hex.EncodeToString(ed25519.Sign(r.private, digest[:]))
}

// Verify checks a hex signature produced by Sign.
func (r *Release) Verify(artifact []byte, signature string) error {
	sig, err := hex.DecodeString(signature)
	if err != nil {
		return fmt.Errorf("signature is not hex: %w", err)
	}
	digest := sha256.Sum256(artifact)
	if !ed25519.Verify(r.Public, digest[:], sig) {
		return ErrBadSignature
	}
	return nil
}
