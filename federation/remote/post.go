package remote

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter clamps absurd Retry-After values.
const maxRetryAfter = 30 * 24 * time.Hour

// PostResult is the outcome of a Post that got an HTTP response.
type PostResult struct {
	Status     int
	RetryAfter time.Duration // 0 when absent
}

// Post sends body to rawURL (an inbox) with the given Content-Type, signed
// if sign is non-nil. Redirects are not followed. Any HTTP response,
// including non-2xx, yields a PostResult and a nil error; errors mean no
// usable response (refused URL, network, timeout). At most 64 KiB of the
// response body is read.
func (c *Client) Post(ctx context.Context, rawURL string, body []byte, contentType string, sign RequestSigner) (*PostResult, error) {
	u, err := c.checkURL(rawURL)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.TotalTimeout)
	defer cancel()
	if body == nil {
		body = []byte{}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrURLNotAllowed, err)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Content-Type", contentType)
	if sign != nil {
		if err := sign(req, body); err != nil {
			return nil, fmt.Errorf("remote: signing POST %s: %w", rawURL, err)
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDiscardBytes))
	return &PostResult{Status: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}, nil
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP
// date. It returns 0 when absent, malformed or in the past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}
