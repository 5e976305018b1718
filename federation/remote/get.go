package remote

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Validators are the cache validators of a fetched document, for a
// conditional re-fetch.
type Validators struct {
	ETag         string
	LastModified string
}

// GetActivity fetches an ActivityStreams object from rawURL (no fragment).
// Besides GetJSON's checks it requires an AS2 Content-Type and a JSON
// object whose "id" is exactly rawURL. A redirect is followed (and every
// hop checked) but its target's identity is never accepted for rawURL:
// the result is an *IDMismatchError whose Final/ID the caller may fetch.
func (c *Client) GetActivity(ctx context.Context, rawURL string, sign RequestSigner) ([]byte, error) {
	res, err := c.get(ctx, rawURL, AcceptActivity, sign, nil)
	if err != nil {
		return nil, err
	}
	if err := checkActivity(rawURL, res); err != nil {
		return nil, err
	}
	return res.body, nil
}

// GetActivityIfChanged is GetActivity with a conditional request: it returns
// ErrNotModified when the server answers 304 for the given validators, else
// the document and its new validators.
func (c *Client) GetActivityIfChanged(ctx context.Context, rawURL string, sign RequestSigner, v Validators) ([]byte, Validators, error) {
	res, err := c.get(ctx, rawURL, AcceptActivity, sign, &v)
	if err != nil {
		return nil, v, err
	}
	if err := checkActivity(rawURL, res); err != nil {
		return nil, v, err
	}
	return res.body, res.validators, nil
}

// GetJSON fetches rawURL with the given Accept header under the same
// address, redirect, size and time limits as GetActivity, without the
// ActivityStreams checks (for WebFinger JRD and NodeInfo).
func (c *Client) GetJSON(ctx context.Context, rawURL string, accept string, sign RequestSigner) ([]byte, error) {
	res, err := c.get(ctx, rawURL, accept, sign, nil)
	if err != nil {
		return nil, err
	}
	return res.body, nil
}

// fetched is a successful GET.
type fetched struct {
	body        []byte
	final       string // the URL after redirects
	contentType string
	validators  Validators
}

// get performs a bounded GET, following checked redirects, conditional
// when cond is non-nil.
func (c *Client) get(ctx context.Context, rawURL, accept string, sign RequestSigner, cond *Validators) (*fetched, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.TotalTimeout)
	defer cancel()

	cur := rawURL
	visited := map[string]bool{}
	for hop := 0; ; hop++ {
		u, err := c.checkURL(cur)
		if err != nil {
			return nil, err
		}
		visited[u.String()] = true
		resp, err := c.send(ctx, u, cur, accept, sign, cond)
		if err != nil {
			return nil, err
		}
		if !isRedirect(resp.StatusCode) {
			return c.read(resp, cur, cond)
		}
		next, err := c.redirectTarget(resp, u, hop, rawURL, visited)
		if err != nil {
			return nil, err
		}
		cur = next
	}
}

// send makes one GET of u, parsed from raw. A fresh request per hop: it is
// signed for its own host and path.
func (c *Client) send(ctx context.Context, u *url.URL, raw, accept string, sign RequestSigner, cond *Validators) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrURLNotAllowed, err)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept", accept)
	if cond != nil {
		if cond.ETag != "" {
			req.Header.Set("If-None-Match", cond.ETag)
		}
		if cond.LastModified != "" {
			req.Header.Set("If-Modified-Since", cond.LastModified)
		}
	}
	if sign != nil {
		if err := sign(req, nil); err != nil {
			return nil, fmt.Errorf("remote: signing GET %s: %w", raw, err)
		}
	}
	return c.hc.Do(req)
}

// isRedirect reports the statuses whose Location a GET follows.
func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// redirectTarget closes a redirect response from u and returns where it
// points, unless following it would exceed the hop limit, leave https for
// http or revisit a URL of the chain that started at rawURL.
func (c *Client) redirectTarget(resp *http.Response, u *url.URL, hop int, rawURL string, visited map[string]bool) (string, error) {
	loc := resp.Header.Get("Location")
	discard(resp)
	if loc == "" {
		return "", &StatusError{Status: resp.StatusCode}
	}
	if hop >= c.opts.MaxRedirects {
		return "", fmt.Errorf("%w: more than %d from %s", ErrTooManyRedirects, c.opts.MaxRedirects, rawURL)
	}
	next, err := u.Parse(loc)
	if err != nil {
		return "", fmt.Errorf("%w: redirect to %q: %v", ErrURLNotAllowed, loc, err)
	}
	next.Fragment, next.RawFragment = "", ""
	if u.Scheme == "https" && next.Scheme == "http" {
		return "", fmt.Errorf("%w: %s -> %s", ErrSchemeDowngrade, u, next)
	}
	if visited[next.String()] {
		return "", fmt.Errorf("%w: %s", ErrRedirectLoop, next)
	}
	return next.String(), nil
}

// read consumes the final response of a GET of final.
func (c *Client) read(resp *http.Response, final string, cond *Validators) (*fetched, error) {
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified && cond != nil {
		discard(resp)
		return nil, ErrNotModified
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		discard(resp)
		return nil, &StatusError{
			Status:     resp.StatusCode,
			RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
		}
	}
	body, err := readBounded(resp, c.opts.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	return &fetched{
		body:        body,
		final:       final,
		contentType: resp.Header.Get("Content-Type"),
		validators:  Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")},
	}, nil
}

// readBounded reads at most max bytes, checking the declared length first
// and the streamed length after (chunked or lying servers).
func readBounded(resp *http.Response, max int64) ([]byte, error) {
	if resp.ContentLength > max {
		return nil, fmt.Errorf("%w: Content-Length %d > %d", ErrTooLarge, resp.ContentLength, max)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return b, nil
}

// discard drains a little of an unwanted body so the connection can be
// reused, then closes it.
func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDiscardBytes))
	resp.Body.Close()
}
