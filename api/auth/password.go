// Package auth holds the secrets of staff sign-in, apart from HTTP: password
// hashing (argon2id from golang.org/x/crypto), random tokens and their
// stored hashes, time-based one-time passwords and recovery codes
// (github.com/pquerna/otp), and sign-in with an OpenID Connect provider
// (github.com/coreos/go-oidc/v3, golang.org/x/oauth2). Those libraries are
// used here and nowhere else.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// MinPasswordLength is the shortest password accepted, in characters.
const MinPasswordLength = 12

// maxPasswordLength bounds the work an attacker can make argon2 do.
const maxPasswordLength = 1024

// argon2id parameters: OWASP's second recommended set (19 MiB, 2 passes,
// one lane), light enough for a small server and a test under -race.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// ErrWeakPassword is returned for a password that is too short or too long.
var ErrWeakPassword = fmt.Errorf("a password needs at least %d characters", MinPasswordLength)

// CheckPasswordRules returns ErrWeakPassword (or a clearer error) when p is not acceptable.
func CheckPasswordRules(p string) error {
	n := utf8.RuneCountInString(p)
	switch {
	case n < MinPasswordLength:
		return ErrWeakPassword
	case len(p) > maxPasswordLength:
		return fmt.Errorf("a password may have at most %d bytes", maxPasswordLength)
	case strings.TrimSpace(p) == "":
		return ErrWeakPassword
	}
	return nil
}

// HashPassword returns the PHC string of p: $argon2id$v=19$m=...,t=...,p=...$salt$hash.
func HashPassword(p string) (string, error) {
	if err := CheckPasswordRules(p); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(p), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// errBadHash means a stored hash cannot be read.
var errBadHash = errors.New("auth: unreadable password hash")

// CheckPassword reports whether p matches the PHC string hash. An empty
// hash (an invitation not yet accepted) matches nothing.
func CheckPassword(hash, p string) bool {
	ok, err := checkPassword(hash, p)
	return err == nil && ok
}

func checkPassword(hash, p string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || len(p) > maxPasswordLength {
		return false, errBadHash
	}
	var version int
	var m uint32
	var t uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &threads); err != nil || m > 1<<20 || t > 16 || threads == 0 {
		return false, errBadHash
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(p), salt, t, m, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when the account does not exist, so that a
// wrong name takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not a real password, only for timing")
	return h
})

// BurnTime does the work of one password check, for unknown accounts.
func BurnTime(p string) { _, _ = checkPassword(dummyHash(), p) }

// NewToken returns a random URL-safe token of 32 bytes (session ids,
// CSRF tokens, invitation links).
func NewToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TokenHash is the SHA-256 of a token, the form in which it is stored.
func TokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
