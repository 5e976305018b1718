package remote

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Errors returned by Client; test them with errors.Is.
var (
	// ErrURLNotAllowed: the URL is malformed, not http(s), carries
	// userinfo, or (without AllowPrivateNetworks) names a local target.
	ErrURLNotAllowed = errors.New("remote: URL not allowed")
	// ErrBlockedAddress: the target resolved (or is) a non-public address.
	ErrBlockedAddress = errors.New("remote: address not allowed")
	// ErrTooManyRedirects: more than MaxRedirects hops.
	ErrTooManyRedirects = errors.New("remote: too many redirects")
	// ErrRedirectLoop: a redirect chain revisited a URL.
	ErrRedirectLoop = errors.New("remote: redirect loop")
	// ErrSchemeDowngrade: an https URL redirected to http.
	ErrSchemeDowngrade = errors.New("remote: redirect from https to http")
	// ErrTooLarge: the response body exceeded MaxBodyBytes.
	ErrTooLarge = errors.New("remote: response body too large")
	// ErrContentType: a fetched object was not served as ActivityStreams.
	ErrContentType = errors.New("remote: not an ActivityStreams content type")
	// ErrInvalidDocument: the body is not a JSON object with a string id.
	ErrInvalidDocument = errors.New("remote: invalid ActivityStreams document")
)

// StatusError is a non-2xx answer to a GET.
type StatusError struct {
	Status     int
	RetryAfter time.Duration // 0 when absent
}

// Error describes the status.
func (e *StatusError) Error() string {
	return fmt.Sprintf("remote: server answered %d %s", e.Status, http.StatusText(e.Status))
}

// Gone reports a 410, which callers treat as a permanent deletion.
func (e *StatusError) Gone() bool { return e.Status == http.StatusGone }

// IDMismatchError means a fetched document's id is not the URL it was
// requested from (CVE-2024-23832). Final is the URL after redirects; a
// caller may re-fetch from ID once and accept only a matching document.
type IDMismatchError struct {
	Requested, Final, ID string
}

// Error describes the mismatch.
func (e *IDMismatchError) Error() string {
	if e.Final != e.Requested {
		return fmt.Sprintf("remote: %s redirected to %s (id %q): identity not accepted", e.Requested, e.Final, e.ID)
	}
	return fmt.Sprintf("remote: document at %s claims id %q", e.Final, e.ID)
}

// ErrNotModified means a conditional fetch found the document unchanged (304).
var ErrNotModified = errors.New("remote: not modified")
