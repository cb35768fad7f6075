package callsapi

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Cloudflare counts the requests of each user (token, or email and key) over
// a fixed window, 1,200 per 5 minutes, across every tool that uses the
// credential; the request that exceeds it earns every request of that user a
// 429 for the next 5 minutes. Every answer says where the count stands:
//
//	Ratelimit:        "default";r=<remaining>;t=<seconds until the window resets>
//	Ratelimit-Policy: "default";q=<quota>;w=<window in seconds>
//
// A Pacer reads both from every answer and holds requests back so that this
// process never makes the request that exceeds the quota:
//
//   - The gate: a request waits while the remaining quota, less the
//     requests in flight (sent, not yet answered, so not yet in any
//     answer's count) and a small reserve, is used up. It goes once answers
//     free the in-flight margin, or once the window resets.
//   - The spread: of what remains, half may be sent at once and the rest is
//     spread to the reset, never faster than half the quota per window. A
//     run of fewer requests than half the quota never waits; a larger one
//     leaves quota to the user's other tools throughout the window.
//   - A 429 with Retry-After holds every request until then.
//
// With no Ratelimit header (a proxy that strips it) it does nothing until a
// 429 arrives, except that the very first request of a Pacer goes alone:
// until an answer says where the count stands, twenty requests sent at once
// could be the twenty that exceed it.
//
// The spread is golang.org/x/time/rate's token bucket, retuned from the
// headers (SetLimitAt) and built afresh at each window (a new bucket starts
// full). What the bucket cannot express is written out here: a quota that
// comes back whole at a reset time the server announces, the count the
// server reports (which includes other tools), the requests in flight that
// no answer has counted yet, and a block with an end.
type Pacer struct {
	now func() time.Time

	mu       sync.Mutex
	limits   map[string]*paceLimit // by the Ratelimit item's name
	policies map[string]pacePolicy // by the Ratelimit-Policy item's name
	// blockedUntil is when the last 429's Retry-After ends.
	blockedUntil time.Time
	inflight     int
	// heard is set once any answer arrived; until then one request at a
	// time goes (probing).
	heard, probing bool
	// limiter spreads the requests; nil when no limit is known.
	limiter *rate.Limiter
	// changed is closed and replaced whenever an answer changes the state.
	changed chan struct{}
	// announced is the end of the last hold reported, so that each hold is
	// reported once however many requests wait in it.
	announced time.Time
	// noSpread turns the spread off, for tests of the gate alone.
	noSpread bool
}

// paceLimit is what the answers say of one limit in its current window.
type paceLimit struct {
	remaining int
	// resetAt is when the window ends, read late: arrival + t + resetGrace.
	resetAt time.Time
	// predicted is set when the window was assumed to have reset and no
	// answer of the new window has come yet.
	predicted bool
	// peak is the highest remaining seen, the quota's lower bound when no
	// policy names it.
	peak int
	// longest is the longest t seen, the window's lower bound likewise.
	longest time.Duration
}

type pacePolicy struct {
	quota  int
	window time.Duration
}

// RateLimitHold describes a wait imposed by the API's rate limit, for the
// one warning a caller logs per hold.
type RateLimitHold struct {
	// Wait is how long requests are held from now.
	Wait time.Duration
	// Until is when the hold ends.
	Until time.Time
	// Blocked is true when the API refused a request with 429 (another tool,
	// or a run without pacing, spent the quota); false when the quota is
	// nearly used up and requests wait for the window to reset.
	Blocked bool
	// Remaining and Quota are the count the last answers reported (0 when
	// unknown).
	Remaining, Quota int
}

// Reason says in words why requests are held.
func (h RateLimitHold) Reason() string {
	if h.Blocked {
		return "the API refused a request with 429 Too Many Requests: this credential's rate limit was exceeded " +
			"(by this or another tool using the same credential), and every request is refused until Retry-After has passed"
	}
	if h.Quota > 0 {
		return fmt.Sprintf("%d of this credential's %d requests are left in the rate limit's window, which other tools using the "+
			"credential share; requests wait for the window to reset rather than exceed it", h.Remaining, h.Quota)
	}
	return fmt.Sprintf("%d of this credential's requests are left in the rate limit's window; requests wait for the window to "+
		"reset rather than exceed it", h.Remaining)
}

// RateLimitWaitError is a call whose request the pacer did not send because
// the rate limit would hold it past the end of the call's time budget.
type RateLimitWaitError struct {
	RateLimitHold
	// Left is what remained of the call's time budget.
	Left time.Duration
	// Method, Path, Attempts (the refused one included) and Budget (the
	// call's whole time budget) are filled in by the client.
	Method, Path string
	Attempts     int
	Budget       time.Duration
}

func (e *RateLimitWaitError) Error() string {
	var b strings.Builder
	if e.Method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	}
	what := "the rate limit's window resets"
	if e.Blocked {
		what = "the rate limit's block ends (Retry-After)"
	}
	fmt.Fprintf(&b, "not sent: %s in %s, later than the call's time budget allows (%s left", what, roundUp(e.Wait), roundUp(max(e.Left, 0)))
	if e.Budget > 0 {
		fmt.Fprintf(&b, " of %s", e.Budget)
	}
	fmt.Fprintf(&b, "); %s", e.Reason())
	return b.String()
}

// RateLimitedFor reports whether err is a call that the API's rate limit
// stopped before its time budget could wait it out, and how long the limit
// still holds requests: a request the pacer did not send, or a 429 whose
// Retry-After outlasted the budget. A larger time budget would have waited.
func RateLimitedFor(err error) (time.Duration, bool) {
	var held *RateLimitWaitError
	if errors.As(err, &held) {
		return held.Wait, true
	}
	var apiErr *Error
	if errors.As(err, &apiErr) && apiErr.blockedFor > 0 {
		return apiErr.blockedFor, true
	}
	return 0, false
}

// resetGrace is added to the reset time an answer announces: t is in whole
// seconds, so the window may end up to a second after arrival + t, and a
// request sent in that second would count in the old window.
const resetGrace = time.Second

// announceAfter is the shortest gate hold worth a warning; shorter holds
// are ordinary pacing.
const announceAfter = 5 * time.Second

// NewPacer returns a Pacer that knows nothing yet. Clients share one through
// Config.Pacer; New gives every client of the same base URL and credential in
// a process the same Pacer (see sharedPacer).
func NewPacer() *Pacer {
	return &Pacer{now: time.Now, limits: map[string]*paceLimit{}, policies: map[string]pacePolicy{}, changed: make(chan struct{})}
}

var sharedPacers = struct {
	sync.Mutex
	m map[[sha256.Size]byte]*Pacer
}{m: map[[sha256.Size]byte]*Pacer{}}

// sharedPacer is the process's one Pacer for a base URL and credential: the
// quota is the user's, so every client (Terraform configures the provider
// more than once per process, and each resource type reads and writes
// through it) must count against the same one. The key is hashed so that no
// credential is kept as a map key.
func sharedPacer(baseURL string, credential ...string) *Pacer {
	h := sha256.New()
	h.Write([]byte(baseURL))
	for _, c := range credential {
		h.Write([]byte{0})
		h.Write([]byte(c))
	}
	var key [sha256.Size]byte
	copy(key[:], h.Sum(nil))
	sharedPacers.Lock()
	defer sharedPacers.Unlock()
	p, ok := sharedPacers.m[key]
	if !ok {
		p = NewPacer()
		sharedPacers.m[key] = p
	}
	return p
}

// PaceTicket is one request let through by Wait. Its Done must be called
// once, with the answer (nil when none came).
type PaceTicket struct {
	p *Pacer
	// Waited is how long Wait held the request.
	Waited time.Duration
	done   bool
}

// Wait blocks until one request may be sent, or fails with a
// *RateLimitWaitError when the wait would outlast ctx's deadline (the
// call's time budget), or with ctx's error. announce, when set, is called
// before a hold that deserves a warning, once per hold across all callers.
func (p *Pacer) Wait(ctx context.Context, announce func(RateLimitHold)) (*PaceTicket, error) {
	start := p.now()
	deadline, hasDeadline := ctx.Deadline()
	for {
		p.mu.Lock()
		now := p.now()
		p.rollLocked(now)
		hold, until, sure, mustWait := p.holdLocked(now)
		if !mustWait {
			t, err := p.sendLocked(ctx, now, deadline, hasDeadline)
			if t != nil {
				t.Waited = p.now().Sub(start)
			}
			return t, err
		}
		if sure && hasDeadline && until.After(deadline) {
			p.mu.Unlock()
			return nil, &RateLimitWaitError{RateLimitHold: hold, Left: deadline.Sub(now)}
		}
		if sure && announce != nil && (hold.Blocked || hold.Wait >= announceAfter) && until.After(p.announced.Add(time.Second)) {
			p.announced = until
			announce(hold)
		}
		changed := p.changed
		p.mu.Unlock()

		if err := sleepUntil(ctx, changed, until.Sub(now)); err != nil {
			if hasDeadline && !p.now().Before(deadline) {
				return nil, &RateLimitWaitError{RateLimitHold: hold}
			}
			return nil, err
		}
	}
}

// sleepUntil waits for wake to close or d to pass (d <= 0: wake only), or
// returns ctx's error.
func sleepUntil(ctx context.Context, wake <-chan struct{}, d time.Duration) error {
	var timeout <-chan time.Time
	if d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		timeout = timer.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-wake:
	case <-timeout:
	}
	return nil
}

// holdLocked tells whether a request must wait now, and until when at the
// latest (zero: until an answer arrives). sure is false when an answer to a
// request in flight may end the hold sooner, so that the deadline is no
// reason to give up yet.
func (p *Pacer) holdLocked(now time.Time) (hold RateLimitHold, until time.Time, sure, mustWait bool) {
	if now.Before(p.blockedUntil) {
		return RateLimitHold{Wait: p.blockedUntil.Sub(now), Until: p.blockedUntil, Blocked: true}, p.blockedUntil, true, true
	}
	if !p.heard && p.probing {
		return RateLimitHold{}, time.Time{}, false, true
	}
	for name, l := range p.limits {
		quota := p.quotaOf(name, l)
		free := l.remaining - reserveOf(quota)
		if free-p.inflight > 0 {
			continue
		}
		h := RateLimitHold{Wait: l.resetAt.Sub(now), Until: l.resetAt, Remaining: l.remaining, Quota: quota}
		// With free > 0, answers to the requests in flight may free the
		// margin kept for them (some were counted already).
		return h, l.resetAt, free <= 0, true
	}
	return RateLimitHold{}, time.Time{}, false, false
}

// sendLocked lets one request go, through the spread. It unlocks p.mu.
func (p *Pacer) sendLocked(ctx context.Context, now, deadline time.Time, hasDeadline bool) (*PaceTicket, error) {
	p.inflight++
	if !p.heard {
		p.probing = true
	}
	var delay time.Duration
	var res *rate.Reservation
	if p.limiter != nil && !p.noSpread {
		res = p.limiter.ReserveN(now, 1)
		delay = res.DelayFrom(now)
		if reset := p.nextResetLocked(); !reset.IsZero() && now.Add(delay).After(reset) {
			// The spread would hold the request past the reset, when the
			// quota comes back whole: wait for the reset instead.
			delay = reset.Sub(now)
		}
	}
	if delay > 0 && hasDeadline && now.Add(delay).After(deadline) {
		res.CancelAt(now)
		p.releaseLocked()
		l, quota := p.tightestLocked()
		p.mu.Unlock()
		return nil, &RateLimitWaitError{RateLimitHold: RateLimitHold{Wait: delay, Until: now.Add(delay), Remaining: l, Quota: quota}, Left: deadline.Sub(now)}
	}
	p.mu.Unlock()
	t := &PaceTicket{p: p}
	if delay <= 0 {
		return t, nil
	}
	if err := sleepUntil(ctx, nil, delay); err != nil {
		p.mu.Lock()
		res.CancelAt(p.now())
		p.releaseLocked()
		p.mu.Unlock()
		return nil, err
	}
	return t, nil
}

func (p *Pacer) releaseLocked() {
	p.inflight--
	if !p.heard {
		p.probing = false
	}
	p.broadcastLocked()
}

func (p *Pacer) broadcastLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// Done records the answer to the ticket's request (nil when none came): the
// request is no longer in flight, and the answer's Ratelimit,
// Ratelimit-Policy and (on a 429) Retry-After headers update the pacer.
// announce, when set, is called when this answer starts a block not yet
// reported.
func (t *PaceTicket) Done(resp *http.Response, announce func(RateLimitHold)) {
	if t == nil || t.done {
		return
	}
	t.done = true
	p := t.p
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
	p.probing = false
	defer p.broadcastLocked()
	if resp == nil {
		return
	}
	p.heard = true
	now := p.now()
	p.observeLocked(now, resp.Header)
	if resp.StatusCode != http.StatusTooManyRequests {
		return
	}
	after, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now)
	if !ok || after <= 0 {
		return
	}
	until := now.Add(after)
	if until.After(p.blockedUntil) {
		p.blockedUntil = until
	}
	// Past a block the API opens a fresh window; which limit refused is not
	// said, so every limit ends with the block: it then rolls over
	// (rollLocked), and the next answer is news whatever window it speaks of.
	for _, l := range p.limits {
		l.remaining, l.resetAt = 0, until
	}
	if announce != nil && until.After(p.announced.Add(time.Second)) {
		p.announced = until
		announce(RateLimitHold{Wait: after, Until: until, Blocked: true})
	}
}

// observeLocked reads one answer's headers.
func (p *Pacer) observeLocked(now time.Time, h http.Header) {
	for _, it := range parseRateLimitItems(h.Values("Ratelimit-Policy")) {
		q, okQ := it.params["q"]
		w, okW := it.params["w"]
		if okQ && okW && q > 0 && w > 0 {
			p.policies[it.name] = pacePolicy{quota: int(q), window: time.Duration(w) * time.Second}
		}
	}
	freshWindow := false
	for _, it := range parseRateLimitItems(h.Values("Ratelimit")) {
		r, okR := it.params["r"]
		t, okT := it.params["t"]
		if !okR || !okT {
			continue
		}
		remaining, span := int(min(r, math.MaxInt32)), time.Duration(min(t, math.MaxInt32))*time.Second
		resetAt := now.Add(span + resetGrace)
		l, known := p.limits[it.name]
		if !known {
			p.limits[it.name] = &paceLimit{remaining: remaining, resetAt: resetAt, peak: remaining, longest: span}
			freshWindow = true
			continue
		}
		l.peak, l.longest = max(l.peak, remaining), max(l.longest, span)
		tol := 2 * time.Second
		if _, w := p.policyOf(it.name); w > 0 {
			tol = min(tol, w/4)
		}
		switch {
		case l.predicted:
			// The first answer since the assumed reset, of the new window
			// or (late) of the old one: either way it is news.
			l.remaining, l.resetAt, l.predicted = remaining, resetAt, false
		case resetAt.After(l.resetAt.Add(tol)):
			l.remaining, l.resetAt = remaining, resetAt
			freshWindow = true
		case !resetAt.Before(l.resetAt.Add(-tol)):
			// The same window: answers arrive out of order, so the lowest
			// count is the latest.
			l.remaining = min(l.remaining, remaining)
			if resetAt.After(l.resetAt) {
				l.resetAt = resetAt
			}
		}
	}
	p.tuneLocked(now, freshWindow)
}

// rollLocked starts a new window for every limit whose reset has passed.
func (p *Pacer) rollLocked(now time.Time) {
	rolled := false
	for name, l := range p.limits {
		if now.Before(l.resetAt) {
			continue
		}
		quota, window := p.policyOf(name)
		if quota == 0 {
			quota = l.peak
		}
		if window == 0 {
			window = l.longest
		}
		l.remaining, l.predicted = quota, true
		for !l.resetAt.After(now) {
			if window <= 0 {
				l.resetAt = now.Add(time.Second)
				break
			}
			l.resetAt = l.resetAt.Add(window)
		}
		rolled = true
	}
	if rolled {
		p.tuneLocked(now, true)
	}
}

// tuneLocked sets the spread from the tightest limit: a bucket holding half
// of what is left, refilled at the pace that leaves the rest spent by the
// reset, and never faster than half the quota per window. fresh builds a
// new (full) bucket for a new window.
func (p *Pacer) tuneLocked(now time.Time, fresh bool) {
	tightest := rate.Inf
	burst := math.MaxInt
	for name, l := range p.limits {
		quota, window := p.policyOf(name)
		free := l.remaining - reserveOf(p.quotaOf(name, l)) - p.inflight
		span := l.resetAt.Sub(now).Seconds()
		if free <= 0 || span <= 0 {
			continue // the gate holds requests until the reset
		}
		r := rate.Limit(float64(free) / span)
		b := free / 2
		if quota > 0 && window > 0 {
			r = min(r, rate.Limit(float64(quota)/2/window.Seconds()))
			b = min(b, quota/2)
		}
		tightest, burst = min(tightest, r), min(burst, b)
	}
	switch {
	case tightest == rate.Inf:
		if len(p.limits) == 0 {
			p.limiter = nil
		}
	case fresh || p.limiter == nil:
		p.limiter = rate.NewLimiter(tightest, max(1, burst))
	default:
		p.limiter.SetLimitAt(now, tightest)
	}
}

// nextResetLocked is the earliest reset of a known limit.
func (p *Pacer) nextResetLocked() time.Time {
	var next time.Time
	for _, l := range p.limits {
		if next.IsZero() || l.resetAt.Before(next) {
			next = l.resetAt
		}
	}
	return next
}

// tightestLocked is the lowest remaining count and its quota.
func (p *Pacer) tightestLocked() (remaining, quota int) {
	remaining = -1
	for name, l := range p.limits {
		if remaining < 0 || l.remaining < remaining {
			remaining, quota = l.remaining, p.quotaOf(name, l)
		}
	}
	return max(remaining, 0), quota
}

// policyOf finds the policy of a limit: the one of the same name, or the
// only one when the server sends one of each under different names.
func (p *Pacer) policyOf(name string) (quota int, window time.Duration) {
	pol, ok := p.policies[name]
	if !ok && len(p.policies) == 1 && len(p.limits) == 1 {
		for _, only := range p.policies {
			pol, ok = only, true
		}
	}
	if !ok {
		return 0, 0
	}
	return pol.quota, pol.window
}

func (p *Pacer) quotaOf(name string, l *paceLimit) int {
	if q, _ := p.policyOf(name); q > 0 {
		return q
	}
	return l.peak
}

// reserveOf is the part of a quota never spent: 1%, at least one request,
// for rounding and for the user's other tools.
func reserveOf(quota int) int { return max(1, quota/100) }

// rateItem is one member of a Ratelimit or Ratelimit-Policy header: a name
// and its integer parameters.
type rateItem struct {
	name   string
	params map[string]int64
}

// parseRateLimitItems reads the structured-field lists of the IETF
// RateLimit header draft, as Cloudflare sends them:
//
//	"default";r=50;t=30, "burst";r=5;t=2
//
// Every header line is a list; members are comma-separated; a name is a
// quoted string or a token; parameters are ;key=value with a non-negative
// integer value. A member that does not parse is skipped, so one malformed
// member costs only itself.
func parseRateLimitItems(lines []string) []rateItem {
	var items []rateItem
	for _, line := range lines {
		for _, member := range splitMembers(line) {
			if it, ok := parseMember(member); ok {
				items = append(items, it)
			}
		}
	}
	return items
}

// splitMembers splits a list at the commas outside quoted strings.
func splitMembers(s string) []string {
	var out []string
	quoted, escaped, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case escaped:
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func parseMember(s string) (rateItem, bool) {
	s = strings.TrimSpace(s)
	var name string
	switch {
	case s == "":
		return rateItem{}, false
	case s[0] == '"':
		var b strings.Builder
		i := 1
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			b.WriteByte(s[i])
		}
		if i >= len(s) {
			return rateItem{}, false // unterminated
		}
		name, s = b.String(), s[i+1:]
	default:
		end := strings.IndexByte(s, ';')
		if end < 0 {
			end = len(s)
		}
		name, s = strings.TrimSpace(s[:end]), s[end:]
		if !isToken(name) {
			return rateItem{}, false
		}
	}
	it := rateItem{name: name, params: map[string]int64{}}
	s = strings.TrimSpace(s)
	if s == "" {
		return it, true
	}
	if s[0] != ';' {
		return rateItem{}, false
	}
	for _, param := range strings.Split(s[1:], ";") {
		k, v, ok := strings.Cut(param, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || !isToken(k) {
			return rateItem{}, false
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 {
			return rateItem{}, false
		}
		it.params[k] = n
	}
	return it, true
}

// isToken tells whether s is a structured-field token: a letter or "*",
// then letters, digits and the token punctuation.
func isToken(s string) bool {
	if s == "" || s[0] != '*' && !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && (c < '0' || c > '9') && strings.IndexByte("!#$%&'*+-.^_`|~:/", c) < 0 {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// roundUp is d in whole seconds, rounded up, for messages.
func roundUp(d time.Duration) time.Duration {
	return (d + time.Second - 1).Truncate(time.Second)
}

// The pacer waits outside http.Client.Do, in retryablehttp's
// RequestLogHook (called on the call's goroutine just before each attempt),
// so that a long hold counts against the call's time budget and not against
// the attempt's own timeout (RequestTimeout) that Do starts. A hold the
// budget cannot cover leaves paceErr for the transport to return without
// sending anything.

// pace waits for the pacer before an attempt.
func (cl *call) pace(ctx context.Context) {
	cl.ticket, cl.paceErr, cl.paced = nil, nil, 0
	ticket, err := cl.c.pacer.Wait(ctx, cl.announce)
	if err != nil {
		cl.paceErr = err
		return
	}
	cl.ticket, cl.paced = ticket, ticket.Waited
}

func (cl *call) announce(h RateLimitHold) { cl.c.onRateLimit(cl.ctx, h) }

// answered reports the attempt's answer (nil when none came) to the pacer, if
// the transport has not.
func (cl *call) answered(resp *http.Response) {
	cl.ticket.Done(resp, cl.announce)
}

// pacedHTTPClient is the client's HTTP client with a transport that sends
// nothing when the pacer refused the attempt, and reports every answer to
// the pacer as soon as its headers arrive.
func (cl *call) pacedHTTPClient() *http.Client {
	hc := *cl.c.http
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = &pacedTransport{cl: cl, base: base}
	return &hc
}

type pacedTransport struct {
	cl   *call
	base http.RoundTripper
}

// RoundTrip runs on the call's goroutine (http.Client.Do calls it
// synchronously), so it may read and write the call's fields.
func (t *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.cl.paceErr; err != nil {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper closes the body, even on error
		}
		return nil, err
	}
	resp, err := t.base.RoundTrip(req)
	t.cl.answered(resp)
	return resp, err
}
