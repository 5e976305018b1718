package remote

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// HTTPClient returns a plain *http.Client with this Client's guards, for
// libraries that make their own requests (OpenID Connect discovery, signing
// keys and the code exchange): every URL, redirect hops included, passes
// CheckURL; every connection the dial-time address check; https never
// redirects to http; bodies beyond MaxBodyBytes fail with ErrTooLarge; a
// whole call is bounded by TotalTimeout. Requests are not signed.
func (c *Client) HTTPClient() *http.Client {
	return &http.Client{
		Transport: guardedTransport{c},
		Timeout:   c.opts.TotalTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > c.opts.MaxRedirects {
				return ErrTooManyRedirects
			}
			if prev := via[len(via)-1]; prev.URL.Scheme == "https" && req.URL.Scheme != "https" {
				return ErrSchemeDowngrade
			}
			return nil // the transport checks the URL
		},
	}
}

// guardedTransport checks each request's URL and bounds each response body.
type guardedTransport struct{ c *Client }

// RoundTrip implements http.RoundTripper.
func (g guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if _, err := g.c.checkURL(req.URL.String()); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	if req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", g.c.opts.UserAgent)
	}
	resp, err := g.c.transport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &boundedBody{rc: resp.Body, left: g.c.opts.MaxBodyBytes}
	return resp, nil
}

// boundedBody fails with ErrTooLarge once more than its limit has been read,
// instead of cutting the body silently.
type boundedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return 0, fmt.Errorf("%w", ErrTooLarge)
	}
	if errors.Is(err, io.EOF) {
		return n, io.EOF
	}
	return n, err
}

func (b *boundedBody) Close() error { return b.rc.Close() }
