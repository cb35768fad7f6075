package emulator

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Cloudflare's API limit: 1,200 requests per 5 minutes for each token (or
// email/key pair).
const (
	DefaultRateLimitRequests = 1200
	DefaultRateLimitWindow   = 5 * time.Minute
)

// RateLimit bounds the requests of each credential: Requests in a window of
// Window (see Options.RateLimit). The zero value is Cloudflare's limit (a
// zero field takes its default); Disabled turns the limiter off, and with it
// the Ratelimit headers.
type RateLimit struct {
	Requests int
	Window   time.Duration
	Disabled bool
}

// String is the limit in ParseRateLimit's syntax.
func (l RateLimit) String() string {
	if l.Disabled {
		return "off"
	}
	l = l.withDefaults()
	return strconv.Itoa(l.Requests) + "/" + l.Window.String()
}

func (l RateLimit) withDefaults() RateLimit {
	if l.Requests == 0 {
		l.Requests = DefaultRateLimitRequests
	}
	if l.Window == 0 {
		l.Window = DefaultRateLimitWindow
	}
	return l
}

// ParseRateLimit reads a limit written as <requests>/<window>, the form of
// the calls-emulator -rate-limit flag: "100/10s", "1200/5m", "10/s" (a
// window without a number is one unit); "off" disables the limiter.
func ParseRateLimit(spec string) (RateLimit, error) {
	spec = strings.TrimSpace(spec)
	if spec == "off" {
		return RateLimit{Disabled: true}, nil
	}
	n, window, ok := strings.Cut(spec, "/")
	if !ok {
		return RateLimit{}, fmt.Errorf("rate limit %q: want <requests>/<window> such as 100/10s, or off", spec)
	}
	requests, err := strconv.Atoi(strings.TrimSpace(n))
	if err != nil || requests <= 0 {
		return RateLimit{}, fmt.Errorf("rate limit %q: the number of requests must be a positive integer", spec)
	}
	window = strings.TrimSpace(window)
	if window != "" && (window[0] < '0' || window[0] > '9') && window[0] != '.' {
		window = "1" + window
	}
	d, err := time.ParseDuration(window)
	if err != nil || d <= 0 {
		return RateLimit{}, fmt.Errorf("rate limit %q: the window must be a positive duration such as 10s or 5m", spec)
	}
	return RateLimit{Requests: requests, Window: d}, nil
}

// rateLimiter enforces Cloudflare's documented rule for each credential: at
// most limit requests in a fixed window that opens with the credential's
// first request and lasts window; the request that goes over the quota
// starts a block, also of window, in which every request of that credential
// is refused, whatever the window would otherwise allow. Refused requests
// count for nothing; the first request after a window or a block ends opens
// a new window.
type rateLimiter struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu    sync.Mutex
	creds map[string]*quota
}

// quota is one credential's state.
type quota struct {
	start        time.Time // the open window's start; zero when none is open
	used         int       // requests accepted in the open window
	blockedUntil time.Time // the end of a block; zero or past when not blocked
}

// verdict is the limiter's answer to one request.
type verdict struct {
	allowed bool
	// remaining is the quota left in the window; 0 while blocked.
	remaining int
	// reset is the time until the window resets, or the block ends.
	reset time.Duration
}

func newRateLimiter(l RateLimit, now func() time.Time) (*rateLimiter, error) {
	if l.Disabled {
		return nil, nil
	}
	if l.Requests < 0 || l.Window < 0 {
		return nil, errors.New("emulator: the rate limit's requests and window must not be negative")
	}
	l = l.withDefaults()
	return &rateLimiter{limit: l.Requests, window: l.Window, now: now, creds: make(map[string]*quota)}, nil
}

// take decides on one request of credential id and counts it when accepted.
func (l *rateLimiter) take(id string) verdict {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	q := l.creds[id]
	if q == nil {
		q = &quota{}
		l.creds[id] = q
	}
	if now.Before(q.blockedUntil) {
		return verdict{reset: q.blockedUntil.Sub(now)}
	}
	if q.start.IsZero() || !now.Before(q.start.Add(l.window)) {
		q.start, q.used = now, 0
	}
	if q.used < l.limit {
		q.used++
		return verdict{allowed: true, remaining: l.limit - q.used, reset: q.start.Add(l.window).Sub(now)}
	}
	q.start, q.used = time.Time{}, 0
	q.blockedUntil = now.Add(l.window)
	return verdict{reset: l.window}
}

// fresh is what a credential that has sent nothing would be told: the
// answer to a request that no credential's quota is charged for.
func (l *rateLimiter) fresh() verdict {
	return verdict{allowed: true, remaining: l.limit, reset: l.window}
}

// Headers of the IETF draft that Cloudflare sends on every API answer, with
// the one policy it names "default".
const (
	headerRateLimit       = "Ratelimit"
	headerRateLimitPolicy = "Ratelimit-Policy"
)

// setHeaders writes Ratelimit and Ratelimit-Policy for v.
func (l *rateLimiter) setHeaders(h http.Header, v verdict) {
	h.Set(headerRateLimit, fmt.Sprintf(`"default";r=%d;t=%d`, v.remaining, ceilSeconds(v.reset)))
	h.Set(headerRateLimitPolicy, fmt.Sprintf(`"default";q=%d;w=%d`, l.limit, ceilSeconds(l.window)))
}

// ceilSeconds is d in whole seconds, rounded up, at least 1.
func ceilSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// limitRate is the middleware that applies the rate limit: every answer
// carries the Ratelimit headers, and a refused request gets Cloudflare's 429
// with Retry-After until the block ends. A request without an accepted
// credential is charged to no quota (it is refused after this).
func (s *Server) limitRate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.limiter == nil {
			next.ServeHTTP(w, r)
			return
		}
		id, ok := credentialOf(r)
		v := s.limiter.fresh()
		if ok {
			v = s.limiter.take(id)
		}
		s.limiter.setHeaders(w.Header(), v)
		if !v.allowed {
			s.counters.refused()
			writeRateLimited(w, ceilSeconds(v.reset))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// addLatency is the middleware that delays every request by Options.Latency.
func (s *Server) addLatency(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.latency > 0 {
			pause(r, s.latency)
		}
		next.ServeHTTP(w, r)
	})
}

type credentialKey struct{}

// authResult is what identify found in a request's credential headers.
type authResult struct {
	// id names the accepted credential ("token 0", "key 1"): its position
	// in Options, never the secret. Empty when none was accepted.
	id string
	// malformed is set when no credential was accepted and the request
	// carried none that could be checked: no Authorization header and no
	// complete X-Auth-Email/X-Auth-Key pair, or an Authorization header
	// that is not "Bearer <token>".
	malformed bool
}

func authOf(r *http.Request) authResult {
	a, _ := r.Context().Value(credentialKey{}).(authResult)
	return a
}

// credentialOf names the credential that authenticated r, as set by
// identify; ok is false when none was accepted.
func credentialOf(r *http.Request) (id string, ok bool) {
	a := authOf(r)
	return a.id, a.id != ""
}

func withAuth(r *http.Request, a authResult) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), credentialKey{}, a))
}
