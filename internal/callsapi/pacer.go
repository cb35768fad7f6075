package callsapi

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/dunglas/httpsfv"
	"golang.org/x/time/rate"
)

// A Pacer keeps a process's requests within the rate limit: 1,200 requests
// per 5-minute window for each user (token, or email and key) across all
// their tools, and for the request past it a 429 on every request for 5
// minutes. Each answer says where the count stands, in Ratelimit
// ("default";r=<remaining>;t=<seconds to reset>) and Ratelimit-Policy
// ("default";q=<quota>;w=<window seconds>). Runs often share a token:
//
//   - The share: the part of the count's fall that this process's recent
//     answers explain; others spent the rest.
//   - The gate: a request waits while this process's requests in flight
//     fill its share of the remaining count less a reserve (gateLocked).
//   - The spread (x/time/rate): half the share may go at once, the rest
//     until the reset, a tenth more open so that a late joiner grows to
//     an even split.
//   - The block: a 429's Retry-After holds every request.
//
// Until an answer says where the count stands the first request goes
// alone: twenty sent at once could be the twenty past the quota.
type Pacer struct {
	mu      sync.Mutex
	changed chan struct{} // closed and replaced when an answer arrives

	quota        int           // q; 0 until an answer says
	window       time.Duration // w
	remaining    int           // the lowest r of the window
	resetAt      time.Time     // arrival + t + resetGrace
	predicted    bool          // the window was assumed to reset; no answer of the new one yet
	blockedUntil time.Time     // the end of the last 429's Retry-After
	inflight     int
	heard        bool // an answer came

	own, fall float64 // the share: own answers, the count's fall over them; decayed
	lastR     int     // the lowest count seen in the window
	measured  time.Time

	limiter   *rate.Limiter // the spread; nil until the headers are known
	announced time.Time     // the end of the last hold reported
}

// RateLimitHold is a wait imposed by the rate limit, for the one warning
// a caller logs per hold.
type RateLimitHold struct {
	Wait             time.Duration // from now
	Until            time.Time
	Blocked          bool // by a 429; otherwise requests wait for the window to reset
	Remaining, Quota int  // as the last answers said; 0 when unknown
}

// Reason says in words why requests are held.
func (h RateLimitHold) Reason() string {
	if h.Blocked {
		return "the API refused a request with 429 Too Many Requests: this credential's rate limit was exceeded " +
			"(by this or another tool using the same credential), and every request is refused until Retry-After has passed"
	}
	return fmt.Sprintf("%d of this credential's %d requests are left in the rate limit's window, which other tools using the "+
		"credential share; requests wait for the window to reset rather than exceed it", h.Remaining, h.Quota)
}

// RateLimitWaitError is a call not sent: the rate limit would hold it past its budget.
type RateLimitWaitError struct {
	RateLimitHold
	Left         time.Duration // what remained of the budget
	Method, Path string
	Attempts     int // the refused one included
	Budget       time.Duration
}

func (e *RateLimitWaitError) Error() string {
	what := "the rate limit's window resets"
	if e.Blocked {
		what = "the rate limit's block ends (Retry-After)"
	}
	return fmt.Sprintf("%s %s: not sent: %s in %s, later than the call's time budget allows (%s left of %s); %s",
		e.Method, e.Path, what, roundUp(e.Wait), roundUp(max(e.Left, 0)), e.Budget, e.Reason())
}

// RateLimitedFor reports whether err is a call the rate limit stopped before
// its budget could wait it out (a request not sent, or a 429 whose
// Retry-After outlasted the budget), and how long the limit still holds.
func RateLimitedFor(err error) (time.Duration, bool) {
	var held *RateLimitWaitError
	var apiErr *Error
	switch {
	case errors.As(err, &held):
		return held.Wait, true
	case errors.As(err, &apiErr) && apiErr.blockedFor > 0:
		return apiErr.blockedFor, true
	}
	return 0, false
}

const (
	resetGrace    = time.Second     // t is in whole seconds: the window may end a second after arrival + t
	announceAfter = 5 * time.Second // the shortest hold worth a warning
	openShare     = 0.1             // what the spread allows beyond the share
	minShare      = 0.05            // so that a process measured while idle is never shut out
)

func NewPacer() *Pacer { return &Pacer{changed: make(chan struct{})} }

var sharedPacers sync.Map // of *Pacer by the hash of base URL and credential

// sharedPacer is the process's one Pacer for a base URL and credential (a
// hashed key: none is kept): Terraform configures the provider more than
// once per process, and every client must count against the same quota.
func sharedPacer(baseURL string, auth http.Header) *Pacer {
	key := sha256.Sum256(fmt.Appendf(nil, "%s\x00%v", baseURL, auth)) // fmt prints a map in key order
	p, _ := sharedPacers.LoadOrStore(key, NewPacer())
	return p.(*Pacer)
}

// PaceTicket is a request let through by Wait; call Done once with its answer.
type PaceTicket struct {
	p      *Pacer
	Waited time.Duration // how long Wait held the request
	done   bool
}

// Wait blocks until one request may be sent, or fails with ctx's error or a
// *RateLimitWaitError when the wait would outlast ctx's deadline. announce
// is called before a hold worth a warning, once per hold across all callers.
func (p *Pacer) Wait(ctx context.Context, announce func(RateLimitHold)) (*PaceTicket, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	start := time.Now()
	deadline, hasDeadline := ctx.Deadline()
	spread := false // the request has had its place in the spread
	for {
		p.mu.Lock()
		now := time.Now()
		p.rollLocked(now)
		hold, held, sure := p.gateLocked(now)
		wake, undo := p.changed, func() {}
		if !held && !spread && p.limiter != nil {
			// Wait for the place reserved in the spread (never past the
			// reset, when the quota is whole again), then pass the gate
			// again: what answers said meanwhile may hold the request.
			res := p.limiter.ReserveN(now, 1)
			spread, undo = true, res.Cancel
			hold.Wait = min(res.DelayFrom(now), p.resetAt.Sub(now))
			hold.Until, held, sure, wake = now.Add(hold.Wait), hold.Wait > 0, true, nil
		}
		if !held {
			p.inflight++
			p.mu.Unlock()
			return &PaceTicket{p: p, Waited: time.Since(start)}, nil
		}
		if sure && hasDeadline && hold.Until.After(deadline) {
			undo()
			p.mu.Unlock()
			return nil, &RateLimitWaitError{RateLimitHold: hold, Left: deadline.Sub(now)}
		}
		// A hold of the gate (not the spread's wait) may be news to warn of.
		tell := wake != nil && sure && (hold.Blocked || hold.Wait >= announceAfter) && p.newHoldLocked(hold.Until)
		p.mu.Unlock()
		if tell && announce != nil {
			announce(hold)
		}
		if err := sleep(ctx, wake, time.Until(hold.Until)); err != nil {
			undo()
			if hasDeadline && !time.Now().Before(deadline) {
				return nil, &RateLimitWaitError{RateLimitHold: hold}
			}
			return nil, err
		}
	}
}

// newHoldLocked tells whether a hold until then is news, and marks it told.
func (p *Pacer) newHoldLocked(until time.Time) bool {
	if !until.After(p.announced.Add(time.Second)) {
		return false
	}
	p.announced = until
	return true
}

// gateLocked tells whether a request must wait now and what for. sure is
// false when an answer in flight may end the hold before hold.Until (zero:
// only an answer ends it): a deadline before hold.Until is no reason to quit.
func (p *Pacer) gateLocked(now time.Time) (hold RateLimitHold, held, sure bool) {
	switch {
	case now.Before(p.blockedUntil):
		return RateLimitHold{Wait: p.blockedUntil.Sub(now), Until: p.blockedUntil, Blocked: true}, true, true
	case p.inflight > 0 && !p.heard:
		return RateLimitHold{}, true, false
	case p.quota == 0:
		return RateLimitHold{}, false, false
	}
	hold = RateLimitHold{Wait: p.resetAt.Sub(now), Until: p.resetAt, Remaining: p.remaining, Quota: p.quota}
	free := float64(p.remaining - p.reserve())
	if free <= 0 {
		return hold, true, true
	}
	// Of what is free the process takes its share s; but before an answer
	// tells it, the others may spend their part 1-s twice (what they have
	// in flight, and as much again once their answers free room), so each
	// part is scaled by 1/(2-s): s + 2(1-s) scaled parts fit. Alone, s = 1.
	share := p.share()
	return hold, float64(p.inflight+1) > share/(2-share)*free, false
}

// Done records the answer to the ticket's request (status 0: none came) and
// what its Ratelimit, Ratelimit-Policy and, on a 429, Retry-After say;
// announce is called when the answer starts a block not yet reported.
func (t *PaceTicket) Done(status int, h http.Header, announce func(RateLimitHold)) {
	if t == nil || t.done {
		return
	}
	t.done = true
	p := t.p
	p.mu.Lock()
	p.inflight--
	close(p.changed)
	p.changed = make(chan struct{})
	now := time.Now()
	p.heard = p.heard || status != 0
	var until time.Time
	switch {
	case status == 0:
	case status != http.StatusTooManyRequests:
		p.observeLocked(now, h)
	default:
		// A refused request counts for nothing, and the count it shows is
		// the block's, not a fall: only the block is news.
		if after, ok := parseRetryAfter(h.Get("Retry-After"), now); ok && now.Add(after).After(p.blockedUntil) {
			until = now.Add(after)
			// Past a block the API opens a fresh window: the current one
			// ends with the block.
			p.blockedUntil = until
			if p.quota > 0 {
				p.remaining, p.resetAt = 0, until
			}
		}
	}
	tell := !until.IsZero() && p.newHoldLocked(until)
	p.mu.Unlock()
	if tell && announce != nil {
		announce(RateLimitHold{Wait: until.Sub(now), Until: until, Blocked: true})
	}
}

func (p *Pacer) observeLocked(now time.Time, h http.Header) {
	quota, window, okPolicy := rateItem(h, "Ratelimit-Policy", "q", "w")
	r, t, ok := rateItem(h, "Ratelimit", "r", "t")
	if !ok || !okPolicy || quota <= 0 || window <= 0 {
		return
	}
	p.quota, p.window = quota, time.Duration(window)*time.Second
	resetAt := now.Add(time.Duration(t)*time.Second + resetGrace)
	// Answers of one window announce resets a second or so apart (t is
	// rounded, answers travel); a window is at least four times that.
	tol := min(2*time.Second, p.window/4)
	switch {
	case p.resetAt.IsZero(): // the first answer: what was spent before it is nobody's
		p.remaining, p.resetAt, p.lastR = r, resetAt, r
	case p.predicted || resetAt.After(p.resetAt.Add(tol)): // a new window
		if !p.predicted {
			p.startWindowLocked()
		}
		p.remaining, p.resetAt, p.predicted = r, resetAt, false
		p.countLocked(now, r)
	case !resetAt.Before(p.resetAt.Add(-tol)): // the same window; the lowest count is the latest
		p.remaining = min(p.remaining, r)
		p.countLocked(now, r)
	}
	p.tuneLocked(now)
}

// rateItem reads the first member of a Ratelimit or Ratelimit-Policy
// header (Cloudflare sends one, "default") and its integer parameters a and b.
func rateItem(h http.Header, name, a, b string) (int, int, bool) {
	list, err := httpsfv.UnmarshalList(h.Values(name))
	if err != nil || len(list) == 0 {
		return 0, 0, false
	}
	item, ok := list[0].(httpsfv.Item)
	if !ok {
		return 0, 0, false
	}
	va, _ := item.Params.Get(a)
	vb, _ := item.Params.Get(b)
	ia, okA := va.(int64)
	ib, okB := vb.(int64)
	if !okA || !okB || ia < 0 || ib < 0 {
		return 0, 0, false
	}
	return int(min(ia, math.MaxInt32)), int(min(ib, math.MaxInt32)), true
}

// countLocked adds an answer of this process, whose count is r, to the share.
func (p *Pacer) countLocked(now time.Time, r int) {
	tau := max(p.window/10, time.Second)
	decay := math.Exp(-now.Sub(p.measured).Seconds() / tau.Seconds())
	p.own = p.own*decay + 1
	p.fall = p.fall*decay + float64(max(0, p.lastR-r))
	p.lastR = min(p.lastR, r)
	p.measured = now
}

// share is the part of the credential's recent use that this process's
// requests explain: 1 when it is the only user.
func (p *Pacer) share() float64 {
	if p.fall < 1 {
		return 1
	}
	return min(1, max(minShare, p.own/p.fall))
}

// reserve is the part of the quota never spent: 1%, at least one request,
// for rounding and for tools that do not pace themselves.
func (p *Pacer) reserve() int { return max(1, p.quota/100) }

// startWindowLocked begins a window and a full bucket; the share carries over.
func (p *Pacer) startWindowLocked() {
	p.remaining, p.lastR, p.limiter = p.quota, p.quota, nil
}

// rollLocked starts the next window when the current one ended unannounced.
func (p *Pacer) rollLocked(now time.Time) {
	if p.quota == 0 || now.Before(p.resetAt) {
		return
	}
	p.startWindowLocked()
	for !p.resetAt.After(now) {
		p.resetAt = p.resetAt.Add(p.window)
	}
	p.predicted = true
	p.tuneLocked(now)
}

// tuneLocked sets the spread: a bucket of half the share of what remains,
// refilled at the pace that spends the share by the reset.
func (p *Pacer) tuneLocked(now time.Time) {
	free, left := p.remaining-p.reserve(), p.resetAt.Sub(now).Seconds()
	if free-p.inflight <= 0 || left <= 0 {
		return // the gate holds requests until the reset
	}
	s := min(1, p.share()+openShare)
	limit, burst := rate.Limit(s*float64(free-p.inflight)/left), max(1, int(s*float64(free)/2))
	if p.limiter == nil {
		p.limiter = rate.NewLimiter(limit, burst)
	}
	p.limiter.SetLimitAt(now, limit)
	p.limiter.SetBurstAt(now, burst)
}

// sleep waits for wake to close or d to pass (neither: returns at once), or returns ctx's error.
func sleep(ctx context.Context, wake <-chan struct{}, d time.Duration) error {
	var timeout <-chan time.Time
	if d > 0 {
		timeout = time.After(d) // collected once unreachable (Go 1.23)
	} else if wake == nil {
		return ctx.Err()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-wake:
	case <-timeout:
	}
	return nil
}

func roundUp(d time.Duration) time.Duration { return (d + time.Second - 1).Truncate(time.Second) }
