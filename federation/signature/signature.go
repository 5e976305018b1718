// Package signature signs and verifies HTTP requests as the fediverse does:
// draft-cavage-http-signatures-12 and RFC 9421 HTTP Message Signatures
// (rfc9421.go, sign9421.go, sfv.go: hand-written, httpsig knows only
// cavage), RSA keys, Mastodon-compatible. go-fed/httpsig
// computes and checks the signature string and is imported here and nowhere
// else; everything it leaves to the caller (which headers are covered, the
// Date window, the body Digest, the key size) is checked here. It also owns
// the RSA key formats (PEM) that actors publish. See
// /work/shared/notes/federation-security.md §2 and libraries.md §2.
//
// Files: sign.go (outgoing), verify.go (incoming), params.go (the Signature
// header), keys.go (RSA keys and PEM).
package signature

import (
	"context"
	"crypto/rsa"
	"fmt"
	"time"

	"github.com/go-fed/httpsig"
)

const (
	// MaxClockSkew is how far a signed request's Date may lie before or
	// after our clock. Mastodon accepts Date-only signatures from about
	// now-65m to now+60m (federation-security.md §2.3).
	MaxClockSkew = time.Hour

	// MaxHeaderBytes caps the Signature header: httpsig splits it
	// naively and we never want to parse kilobytes of attacker input.
	MaxHeaderBytes = 8 << 10

	// MinRSAKeyBits and MaxRSAKeyBits bound accepted RSA moduli (D27): too
	// small is forgeable, too large makes every verification a CPU sink.
	MinRSAKeyBits = 2048
	// MaxRSAKeyBits is the largest accepted RSA modulus.
	MaxRSAKeyBits = 8192

	// RequestTarget is the pseudo-header covering the method and path,
	// "(request-target)".
	RequestTarget = httpsig.RequestTarget
)

// Error is a verification failure caused by the peer's request (or by an
// unobtainable key); the HTTP layer answers 401 with Reason.
type Error struct {
	// Reason is safe to send back to the peer.
	Reason string
	// Err is the underlying cause, if any (e.g. the key resolver's error).
	// It is not part of Error() so internal details do not leak into
	// responses; log it via errors.Unwrap.
	Err error
}

// Error returns the reason.
func (e *Error) Error() string { return e.Reason }

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// sigErr builds an *Error whose reason is formatted like fmt.Sprintf.
func sigErr(format string, args ...any) error {
	return &Error{Reason: fmt.Sprintf(format, args...)}
}

// KeyResolver returns the public key for keyID. refresh=true means the cached
// key failed to verify and should be re-fetched; the resolver itself is
// responsible for rate-limiting such refreshes.
type KeyResolver func(ctx context.Context, keyID string, refresh bool) (*rsa.PublicKey, error)
