package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Strong validators of the bodies built in memory. Echo's gzip middleware
// (server.go) compresses a body of gzipMinLength bytes or more for a client
// that accepts gzip; the compressed bytes are another representation, and
// RFC 9110 §8.8.3 wants a different strong validator for each: the identity
// tag with "-gzip" inside the quotes, as Apache does. Either form in
// If-None-Match revalidates, since both are the same content.

// gzipMinLength is the smallest body the gzip middleware compresses.
const gzipMinLength = 1024

// gzipSkipped reports whether the gzip middleware leaves the answer alone:
// answers to POST are a status or a short problem, and preparing a gzip
// writer for each inbox delivery cost a twentieth of its CPU.
func gzipSkipped(c echo.Context) bool { return c.Request().Method == http.MethodPost }

// gzipSuffix marks the tag of a gzip-encoded representation.
const gzipSuffix = "-gzip"

// bodyETags returns the strong tag of body as sent without encoding, and the
// tag of the representation this request gets (the same, or the gzip one).
// It decides as the gzip middleware does, which sees the whole body in one
// write (c.Blob).
func bodyETags(c echo.Context, body []byte) (identity, sent string) {
	sum := sha256.Sum256(body)
	identity = `"` + hex.EncodeToString(sum[:16]) + `"`
	if len(body) >= gzipMinLength && !gzipSkipped(c) &&
		strings.Contains(c.Request().Header.Get(echo.HeaderAcceptEncoding), "gzip") {
		return identity, gzipETag(identity)
	}
	return identity, identity
}

// gzipETag is the tag of the gzip-encoded representation of the body tagged etag.
func gzipETag(etag string) string { return strings.TrimSuffix(etag, `"`) + gzipSuffix + `"` }

// etagMatches reports whether an If-None-Match header names etag, its gzip
// form, or *. The comparison is weak, as GET requires.
func etagMatches(header, etag string) bool {
	zipped := gzipETag(etag)
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
		if v == etag || v == zipped || v == "*" {
			return true
		}
	}
	return false
}
