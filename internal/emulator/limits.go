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

// RateLimit bounds the requests of each credential. The zero value is
// Cloudflare's limit (a zero field takes its default); Disabled turns the
// limiter off.
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

// rateLimiter is a sliding-window limiter (a sliding log): a request is
// accepted when fewer than limit requests of the same credential were
// accepted during the window before it. Refused requests do not count, so a
// client that keeps asking recovers as soon as the window has moved on.
type rateLimiter struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu       sync.Mutex
	accepted map[string][]time.Time // per credential, oldest first, at most limit
}

func newRateLimiter(l RateLimit, now func() time.Time) (*rateLimiter, error) {
	if l.Disabled {
		return nil, nil
	}
	if l.Requests < 0 || l.Window < 0 {
		return nil, errors.New("emulator: the rate limit's requests and window must not be negative")
	}
	l = l.withDefaults()
	return &rateLimiter{limit: l.Requests, window: l.Window, now: now, accepted: make(map[string][]time.Time)}, nil
}

// allow accepts a request of credential id, or says how long until one
// would be accepted.
func (l *rateLimiter) allow(id string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	log := l.accepted[id]
	expired := 0
	for expired < len(log) && !log[expired].After(now.Add(-l.window)) {
		expired++
	}
	if expired > 0 {
		log = append(log[:0], log[expired:]...)
	}
	if len(log) < l.limit {
		l.accepted[id] = append(log, now)
		return true, 0
	}
	l.accepted[id] = log
	return false, log[0].Add(l.window).Sub(now)
}

// limitRate is the middleware that answers 429 over the limit, as Cloudflare
// does, with the seconds until a request would be accepted (at least 1).
func (s *Server) limitRate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.limiter != nil {
			if ok, wait := s.limiter.allow(credentialOf(r)); !ok {
				writeRateLimited(w, max(1, int(math.Ceil(wait.Seconds()))))
				return
			}
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

// credentialOf names the credential that authenticated r (never the secret
// itself), as set by requireAuth.
func credentialOf(r *http.Request) string {
	id, _ := r.Context().Value(credentialKey{}).(string)
	return id
}

func withCredential(r *http.Request, id string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), credentialKey{}, id))
}
