// Package emulator is a self-contained emulator of the Cloudflare Calls
// (Realtime) API, SFU apps and TURN keys, and of the RealtimeKit API, apps
// with their presets and webhooks, both under /client/v4.
//
// For Calls it speaks the Cloudflare v4 wire format (the
// success/errors/messages/result envelope, the same status codes and error
// codes); for RealtimeKit, that API's own envelope (success and data, with
// paging on paged lists, or success and error). It checks credentials,
// validates identifiers and bodies, keeps objects per account, and can
// persist its state to a file. It is used in-process by the provider's tests
// (see Start) and as a stand-alone program (cmd/calls-emulator).
//
// Both APIs go through one chain of middleware: the same credentials, one
// rate limit per credential for both, the same counters, latency and faults.
// RealtimeKit's objects are JSON trees checked against a schema
// (kit_schema.go); the ways the live RealtimeKit API has been seen to stray
// from its reference can be played on purpose (KitQuirks).
//
// Like the real API it limits each credential to 1,200 requests per 5
// minutes, then refuses every request of that credential for 5 minutes, and
// reports the quota on every answer in Ratelimit and Ratelimit-Policy
// headers (Options.RateLimit). To test how a client survives the real thing,
// it can also misbehave on purpose (Fault, Server.InjectFault) and add
// latency to every request (Options.Latency).
//
// Only the standard library is used.
package emulator

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// APIPrefix is the path prefix of the emulated Cloudflare API.
const APIPrefix = "/client/v4"

// AdminPrefix is the path prefix of the emulator's own, unauthenticated
// endpoints (counters, health). Requests there are not counted.
const AdminPrefix = "/__emulator/"

// TimeFormat is the layout of every timestamp on the wire (applied to UTC
// times): RFC 3339 with microsecond precision, e.g. 2026-11-22T20:20:19.123456Z.
const TimeFormat = "2006-01-02T15:04:05.000000Z07:00"

// Credential is a legacy email + global API key pair.
type Credential struct{ Email, Key string }

// Options configure a Server.
type Options struct {
	// Tokens are the accepted API tokens (Authorization: Bearer <token>).
	Tokens []string
	// Keys are the accepted legacy X-Auth-Email / X-Auth-Key pairs.
	// At least one token or key is required.
	Keys []Credential
	// StatePath, when set, is loaded by New (a missing or empty file means an
	// empty state) and rewritten atomically after every mutation.
	StatePath string
	// Now is the clock; default time.Now. The rate limiter reads it too.
	Now func() time.Time
	// RateLimit bounds the requests of each credential (token, or email/key
	// pair) as Cloudflare documents it: Requests per fixed Window, opened by
	// the credential's first request; the request over the quota starts a
	// block of Window in which all of that credential's requests get 429.
	// The zero value is Cloudflare's 1,200 requests per 5 minutes. Now is
	// its clock, so a test can step through windows and blocks.
	RateLimit RateLimit
	// Latency delays every /client/v4 request before it is handled.
	Latency time.Duration
	// KitQuirks make the RealtimeKit API answer as the live one has been
	// seen to (see KitQuirks); Server.SetKitQuirks changes them later.
	KitQuirks KitQuirks
}

// Object is what an app and a TURN key have in common.
type Object struct {
	UID      string    `json:"uid"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

// App is an SFU application. Secret is only ever sent on the wire in the
// response to its creation.
type App struct {
	Object
	Secret string `json:"secret"`
}

// TURNKey is a TURN key. Key is only ever sent on the wire in the response to
// its creation.
type TURNKey struct {
	Object
	Key string `json:"key"`
}

// Errors returned by the direct mutation methods of Server.
var (
	ErrNotFound  = errors.New("emulator: object not found")
	ErrInvalidID = errors.New("emulator: identifier is not 32 lowercase hex characters")
)

// Server is the emulator. It is an http.Handler and safe for concurrent use.
type Server struct {
	store    *store
	tokens   []string
	keys     []Credential
	counters counters

	limiter *rateLimiter // nil when disabled
	latency time.Duration
	faults  faultSet
	held    atomic.Int64 // answers held by delay_answer and hang_after

	kitQuirks atomic.Pointer[KitQuirks]

	// chain is applied, outermost first, to every /client/v4 request after
	// routing (the route is in the request context).
	chain     []middleware
	api       *http.ServeMux
	unmatched http.Handler
	admin     *http.ServeMux
	// routes are the route labels, as counters and faults name them.
	routes []string
}

// New builds a Server, loading Options.StatePath when it is set.
func New(opts Options) (*Server, error) {
	if len(opts.Tokens) == 0 && len(opts.Keys) == 0 {
		return nil, errors.New("emulator: at least one API token or email/key pair is required")
	}
	for _, t := range opts.Tokens {
		if strings.TrimSpace(t) == "" {
			return nil, errors.New("emulator: empty API token")
		}
	}
	for _, c := range opts.Keys {
		if strings.TrimSpace(c.Email) == "" || strings.TrimSpace(c.Key) == "" {
			return nil, errors.New("emulator: an email/key pair needs both an email and a key")
		}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	st := &store{
		accounts:  make(map[string]*account),
		statePath: opts.StatePath,
		now:       now,
	}
	if opts.Latency < 0 {
		return nil, errors.New("emulator: negative latency")
	}
	limiter, err := newRateLimiter(opts.RateLimit, now)
	if err != nil {
		return nil, err
	}
	if err := st.load(); err != nil {
		return nil, err
	}
	s := &Server{
		store:   st,
		tokens:  append([]string(nil), opts.Tokens...),
		keys:    append([]Credential(nil), opts.Keys...),
		limiter: limiter,
		latency: opts.Latency,
	}
	s.counters.reset()
	s.SetKitQuirks(opts.KitQuirks)
	s.chain = []middleware{
		s.countRequests,
		s.addLatency,
		s.identify,
		s.limitRate,
		s.rejectUnauthenticated,
		s.injectFaults,
		s.validateIDs,
	}
	s.registerRoutes()
	return s, nil
}

// ServeHTTP dispatches /__emulator/ to the admin endpoints and everything
// else to the emulated API, which, like Cloudflare's, answers a path outside
// /client/v4 (a base URL without it) with 400 "No route for that URI".
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, AdminPrefix):
		s.admin.ServeHTTP(w, r)
	case p != APIPrefix && !strings.HasPrefix(p, APIPrefix+"/"):
		s.unmatched.ServeHTTP(w, r)
	default:
		// http.ServeMux would answer a non-canonical path with a redirect
		// of its own, bypassing authentication, counting and the envelope.
		if ep := r.URL.EscapedPath(); r.Method == http.MethodConnect || cleanPath(ep) != ep {
			s.unmatched.ServeHTTP(w, r)
			return
		}
		s.api.ServeHTTP(w, r)
	}
}

// Counters returns a copy of the request counters, keyed
// "<METHOD> <route pattern>" (or "<METHOD> unmatched").
func (s *Server) Counters() map[string]int64 {
	routes, _ := s.counters.snapshot()
	return routes
}

// TotalRequests is the number of requests to /client/v4 since start or the
// last reset.
func (s *Server) TotalRequests() int64 {
	_, total := s.counters.snapshot()
	return total
}

// Statuses returns a copy of the count of answers by HTTP status, over the
// same requests as Counters. A connection dropped without an answer (a reset
// or drop_after fault) adds no status.
func (s *Server) Statuses() map[int]int64 {
	s.counters.mu.Lock()
	defer s.counters.mu.Unlock()
	return maps.Clone(s.counters.statuses)
}

// RateLimited is the number of requests the rate limiter refused (answered
// 429 because the credential's quota was spent or it was blocked) since
// start or the last reset. 429s from FaultRateLimit are not included; they
// are in Statuses with the others.
func (s *Server) RateLimited() int64 {
	s.counters.mu.Lock()
	defer s.counters.mu.Unlock()
	return s.counters.rateLimited
}

// RateLimit is the rate limit in force, with its defaults filled in.
func (s *Server) RateLimit() RateLimit {
	if s.limiter == nil {
		return RateLimit{Disabled: true}
	}
	return RateLimit{Requests: s.limiter.limit, Window: s.limiter.window}
}

// ResetCounters sets every counter back to zero. The rate limiter's windows
// and blocks are not counters: they go on.
func (s *Server) ResetCounters() { s.counters.reset() }

// Apps returns copies of the account's apps, in creation order.
func (s *Server) Apps(accountID string) []App { return s.apps().list(accountID) }

// TURNKeys returns copies of the account's TURN keys, in creation order.
func (s *Server) TURNKeys(accountID string) []TURNKey { return s.turnKeys().list(accountID) }

// AppCount is the number of apps across all accounts.
func (s *Server) AppCount() int { return s.store.count(kindApp) }

// TURNKeyCount is the number of TURN keys across all accounts.
func (s *Server) TURNKeyCount() int { return s.store.count(kindTURNKey) }

// CreateApp creates an app directly, as if through the API (persisted when a
// StatePath is set). It is meant for tests that simulate changes made outside
// Terraform.
func (s *Server) CreateApp(accountID, name string) (App, error) {
	return s.apps().create(accountID, name)
}

// RenameApp sets an app's name and bumps its modification time, as a PUT does.
func (s *Server) RenameApp(accountID, uid, name string) (App, error) {
	return s.apps().rename(accountID, uid, name)
}

// DeleteApp deletes an app directly.
func (s *Server) DeleteApp(accountID, uid string) error { return s.apps().remove(accountID, uid) }

// CreateTURNKey creates a TURN key directly (see CreateApp).
func (s *Server) CreateTURNKey(accountID, name string) (TURNKey, error) {
	return s.turnKeys().create(accountID, name)
}

// RenameTURNKey sets a TURN key's name and bumps its modification time.
func (s *Server) RenameTURNKey(accountID, uid, name string) (TURNKey, error) {
	return s.turnKeys().rename(accountID, uid, name)
}

// DeleteTURNKey deletes a TURN key directly.
func (s *Server) DeleteTURNKey(accountID, uid string) error {
	return s.turnKeys().remove(accountID, uid)
}

func (s *Server) apps() direct[App] { return direct[App]{s.store, kindApp, record.app} }

func (s *Server) turnKeys() direct[TURNKey] {
	return direct[TURNKey]{s.store, kindTURNKey, record.turnKey}
}

// direct is the Go API of one kind, T being its exported type: the methods
// above are the same for apps and TURN keys but for the type they return.
type direct[T any] struct {
	store  *store
	kind   kind
	export func(record) T
}

func (d direct[T]) list(acct string) []T {
	recs := d.store.list(d.kind, acct)
	out := make([]T, len(recs))
	for i, r := range recs {
		out[i] = d.export(r)
	}
	return out
}

func (d direct[T]) create(acct, name string) (T, error) {
	if !isHexID(acct) {
		return d.export(record{}), ErrInvalidID
	}
	rec, err := d.store.create(d.kind, acct, name)
	return d.export(rec), err
}

func (d direct[T]) rename(acct, uid, name string) (T, error) {
	if !isHexID(acct) || !isHexID(uid) {
		return d.export(record{}), ErrInvalidID
	}
	rec, err := d.store.update(d.kind, acct, uid, name)
	return d.export(rec), err
}

func (d direct[T]) remove(acct, uid string) error {
	if !isHexID(acct) || !isHexID(uid) {
		return ErrInvalidID
	}
	_, err := d.store.remove(d.kind, acct, uid)
	return err
}

// counters holds the per-route request counts, per-status answer counts and
// the count of requests the rate limiter refused.
type counters struct {
	mu          sync.Mutex
	routes      map[string]int64
	statuses    map[int]int64
	total       int64
	rateLimited int64
}

func (c *counters) refused() {
	c.mu.Lock()
	c.rateLimited++
	c.mu.Unlock()
}

func (c *counters) inc(key string) {
	c.mu.Lock()
	c.routes[key]++
	c.total++
	c.mu.Unlock()
}

func (c *counters) status(code int) {
	c.mu.Lock()
	c.statuses[code]++
	c.mu.Unlock()
}

func (c *counters) snapshot() (map[string]int64, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.routes), c.total
}

func (c *counters) reset() {
	c.mu.Lock()
	c.routes = make(map[string]int64)
	c.statuses = make(map[int]int64)
	c.total = 0
	c.rateLimited = 0
	c.mu.Unlock()
}

// isHexID reports whether s is a Cloudflare identifier: 32 lowercase hex chars.
func isHexID(s string) bool { return isLowerHex(s, 32) }

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func formatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

func errorf(format string, args ...any) error { return fmt.Errorf("emulator: "+format, args...) }
