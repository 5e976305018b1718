package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// inbox receives activities at the actor's inbox and the shared inbox.
// Cheap refusals come first (content type, size, rate), then federation
// authenticates before anything is parsed into the database.
func (s *Server) inbox(c echo.Context) error {
	req := c.Request()
	if !inboxContentType(req.Header.Get(echo.HeaderContentType)) {
		return problem(http.StatusUnsupportedMediaType,
			`Send activities as application/activity+json or application/ld+json; profile="https://www.w3.org/ns/activitystreams".`)
	}
	// Limited per remote address: a keyId is not verified yet, so keying on
	// it would let anyone exhaust another server's allowance.
	if ip := c.RealIP(); !s.inboxLimiter.allow(ip) {
		c.Response().Header().Set("Retry-After", "10")
		return problem(http.StatusTooManyRequests, "Too many requests from "+ip+"; slow down.")
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return problem(he.Code, "The activity is too large.")
		}
		return problem(http.StatusBadRequest, "Could not read the request body.")
	}
	if err := s.node.Receive(req.Context(), req, body); err != nil {
		return err
	}
	return c.NoContent(http.StatusAccepted)
}

// inboxContentType accepts the media types fediverse servers post with:
// activity+json, ld+json with the ActivityStreams profile (GoToSocial) and plain JSON.
func inboxContentType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "application/activity+json", "application/json":
		return true
	case "application/ld+json":
		p := params["profile"]
		return p == "" || strings.Contains(p, "https://www.w3.org/ns/activitystreams")
	}
	return false
}

// hostLimiter is a token bucket per remote address, forgotten when idle.
type hostLimiter struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newHostLimiter(perSecond float64, burst int) *hostLimiter {
	return &hostLimiter{rate: rate.Limit(perSecond), burst: burst, buckets: map[string]*bucket{}}
}

func (l *hostLimiter) allow(host string) bool {
	if l == nil || l.rate <= 0 {
		return true
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for h, b := range l.buckets {
			if now.Sub(b.seen) > 5*time.Minute {
				delete(l.buckets, h)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[host]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[host] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}
