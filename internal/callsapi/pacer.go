package callsapi

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dunglas/httpsfv"
	"golang.org/x/time/rate"
)

// Cloudflare counts the requests of each user (token, or email and key) in a
// fixed window, 1,200 per 5 minutes, across every tool that uses the
// credential; the request past the quota earns every request of that user a
// 429 for the next 5 minutes. Every answer says where the count stands:
//
//	Ratelimit:        "default";r=<remaining>;t=<seconds until the window resets>
//	Ratelimit-Policy: "default";q=<quota>;w=<window in seconds>
//
// A Pacer reads both from every answer and holds this process's requests back
// so that the credential's users together never send the request past the
// quota. Several Terraform runs often share a token (the workspaces of a
// monorepo, parallel pipelines), each pacing itself alone:
//
//   - The share. The count falls by what every user of the credential spent.
//     Of that fall, the part this process's own answers explain is its share
//     (recent answers weigh most); the rest, others spent.
//   - The gate. A request waits while this process's requests in flight
//     fill its part of the remaining count, less a small reserve: its share
//     s, scaled by 1/(2-s) because the others may spend their part twice
//     before an answer tells it (see gateLocked). The rest is the margin
//     for requests in flight elsewhere, which no answer has counted yet. It
//     goes once an answer frees room, or at the reset.
//   - The spread (golang.org/x/time/rate). Of what remains, the process may
//     send half its share at once and spreads the rest to the reset. A
//     tenth more than its share is always open to it, so that a process
//     that joined late (whose share was measured while it sent little)
//     grows to an even split instead of keeping the little it had.
//   - The block. A 429's Retry-After holds every request until it ends.
//
// With no Ratelimit headers (a proxy that strips them) only the block
// applies, and the very first request of a Pacer goes alone: until an answer
// says where the count stands, twenty requests sent at once could be the
// twenty past the quota.
type Pacer struct {
	mu sync.Mutex
	// changed is closed and replaced when an answer arrives, so that a
	// request held for the answers in flight looks again.
	changed chan struct{}

	quota     int           // Ratelimit-Policy's q; 0 until an answer says
	window    time.Duration // its w
	remaining int           // the lowest r of the current window
	resetAt   time.Time     // the window's end: arrival + t + resetGrace
	// predicted is set when the window was assumed to have reset and no
	// answer of the new one has come yet.
	predicted    bool
	blockedUntil time.Time // the end of the last 429's Retry-After

	inflight int
	heard    bool // an answer came; until then one request at a time

	// own and fall measure the share: this process's answered requests and
	// how far the count fell over them, each decayed by e^(-age/(window/10)).
	own, fall float64
	lastR     int       // the lowest count this process has seen in the window
	measured  time.Time // when own and fall were last decayed

	limiter   *rate.Limiter // the spread; nil until the headers are known
	announced time.Time     // the end of the last hold reported
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
	return fmt.Sprintf("%d of this credential's %d requests are left in the rate limit's window, which other tools using the "+
		"credential share; requests wait for the window to reset rather than exceed it", h.Remaining, h.Quota)
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
	what := "the rate limit's window resets"
	if e.Blocked {
		what = "the rate limit's block ends (Retry-After)"
	}
	return fmt.Sprintf("%s %s: not sent: %s in %s, later than the call's time budget allows (%s left of %s); %s",
		e.Method, e.Path, what, roundUp(e.Wait), roundUp(max(e.Left, 0)), e.Budget, e.Reason())
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

const (
	// resetGrace is added to the reset an answer announces: t is in whole
	// seconds, so the window may end up to a second after arrival + t, and a
	// request sent in that second would count in the old window.
	resetGrace = time.Second
	// announceAfter is the shortest hold worth a warning; shorter holds are
	// ordinary pacing.
	announceAfter = 5 * time.Second
	// openShare is what the spread allows a process beyond its share.
	openShare = 0.1
	// minShare is the least share a process is held to, so that one
	// measured while it sent almost nothing is never shut out.
	minShare = 0.05
)

// NewPacer returns a Pacer that knows nothing yet. Clients share one through
// Config.Pacer; New gives every client of the same base URL and credential in
// a process the same Pacer (see sharedPacer).
func NewPacer() *Pacer { return &Pacer{changed: make(chan struct{})} }

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
	key := sha256.Sum256([]byte(strings.Join(append([]string{baseURL}, credential...), "\x00")))
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
// once, with the answer.
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
	start := time.Now()
	deadline, hasDeadline := ctx.Deadline()
	spread := false // the request has waited for its place in the spread
	for {
		p.mu.Lock()
		now := time.Now()
		p.rollLocked(now)
		hold, held, sure := p.gateLocked(now)
		if !held && !spread {
			// Wait for the spread, then pass the gate again: what the
			// answers said meanwhile may hold the request after all.
			res, delay := p.spreadLocked(now)
			if delay > 0 && hasDeadline && now.Add(delay).After(deadline) {
				res.CancelAt(now) // delay > 0: res is not nil
				p.mu.Unlock()
				return nil, &RateLimitWaitError{RateLimitHold: RateLimitHold{Wait: delay, Until: now.Add(delay),
					Remaining: p.remaining, Quota: p.quota}, Left: deadline.Sub(now)}
			}
			spread = true
			if delay > 0 {
				p.mu.Unlock()
				if err := sleep(ctx, nil, delay); err != nil {
					res.Cancel()
					return nil, err
				}
				continue
			}
		}
		if !held {
			p.inflight++
			p.mu.Unlock()
			if err := ctx.Err(); err != nil {
				p.release()
				return nil, err
			}
			return &PaceTicket{p: p, Waited: time.Since(start)}, nil
		}
		if sure && hasDeadline && hold.Until.After(deadline) {
			p.mu.Unlock()
			return nil, &RateLimitWaitError{RateLimitHold: hold, Left: deadline.Sub(now)}
		}
		tell := sure && (hold.Blocked || hold.Wait >= announceAfter) && hold.Until.After(p.announced.Add(time.Second))
		if tell {
			p.announced = hold.Until
		}
		changed := p.changed
		p.mu.Unlock()
		if tell && announce != nil {
			announce(hold)
		}
		var d time.Duration
		if !hold.Until.IsZero() {
			d = hold.Until.Sub(now)
		}
		if err := sleep(ctx, changed, d); err != nil {
			if hasDeadline && !time.Now().Before(deadline) {
				return nil, &RateLimitWaitError{RateLimitHold: hold}
			}
			return nil, err
		}
	}
}

// gateLocked tells whether a request must wait now and what for. sure is
// false when an answer to a request in flight may end the hold sooner than
// hold.Until (zero: only an answer ends it), so that a deadline before
// hold.Until is no reason to give up yet.
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
	// Of what is free, this process takes its share s. But before an
	// answer tells it, the others may spend their part 1-s twice (what
	// they have in flight, and as much again once their own answers free
	// room), so each share is scaled by 1/(2-s): s + 2(1-s) of the scaled
	// parts fit in what is free. Alone (s = 1), the process takes it all.
	share := p.share()
	if float64(p.inflight+1) > share/(2-share)*free {
		return hold, true, false
	}
	return hold, false, false
}

// spreadLocked reserves the request's place in the spread and says how long
// it waits for it: never past the reset, when the quota comes back whole.
func (p *Pacer) spreadLocked(now time.Time) (*rate.Reservation, time.Duration) {
	if p.limiter == nil {
		return nil, 0
	}
	res := p.limiter.ReserveN(now, 1)
	return res, min(res.DelayFrom(now), p.resetAt.Sub(now))
}

func (p *Pacer) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
	p.broadcastLocked()
}

func (p *Pacer) broadcastLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// Done records the answer to the ticket's request (status 0 when none
// came): the request is no longer in flight, and the answer's Ratelimit,
// Ratelimit-Policy and (on a 429) Retry-After headers update the pacer.
// announce, when set, is called when this answer starts a block not yet
// reported.
func (t *PaceTicket) Done(status int, h http.Header, announce func(RateLimitHold)) {
	if t == nil || t.done {
		return
	}
	t.done = true
	p := t.p
	p.mu.Lock()
	p.inflight--
	p.broadcastLocked()
	if status == 0 {
		p.mu.Unlock()
		return
	}
	now := time.Now()
	p.heard = true
	if status != http.StatusTooManyRequests {
		p.observeLocked(now, h)
		p.mu.Unlock()
		return
	}
	// A refused request counts for nothing, and the count it shows is the
	// block's, not a fall: only the block is news.
	after, ok := parseRetryAfter(h.Get("Retry-After"), now)
	until := now.Add(after)
	if !ok || !until.After(p.blockedUntil) {
		p.mu.Unlock()
		return
	}
	// Past a block the API opens a fresh window: the current one ends with
	// the block, and the next answer is news whatever window it speaks of.
	p.blockedUntil = until
	if p.quota > 0 {
		p.remaining, p.resetAt = 0, until
	}
	tell := until.After(p.announced.Add(time.Second))
	if tell {
		p.announced = until
	}
	p.mu.Unlock()
	if tell && announce != nil {
		announce(RateLimitHold{Wait: after, Until: until, Blocked: true})
	}
}

// observeLocked reads one answer's headers.
func (p *Pacer) observeLocked(now time.Time, h http.Header) {
	quota, window, okPolicy := rateItem(h, "Ratelimit-Policy", "q", "w")
	r, t, ok := rateItem(h, "Ratelimit", "r", "t")
	if !ok || !okPolicy || quota <= 0 || window <= 0 {
		return
	}
	p.quota, p.window = quota, time.Duration(window)*time.Second
	resetAt := now.Add(time.Duration(t)*time.Second + resetGrace)
	// Two answers of one window announce resets a second or so apart (t is
	// rounded, answers travel); a window is at least four times that.
	tol := min(2*time.Second, p.window/4)
	switch {
	case p.resetAt.IsZero():
		// The first answer: what was spent before it cannot be told apart.
		p.remaining, p.resetAt, p.lastR = r, resetAt, r
	case p.predicted || resetAt.After(p.resetAt.Add(tol)):
		if !p.predicted {
			p.startWindowLocked()
		}
		p.remaining, p.resetAt, p.predicted = r, resetAt, false
		p.countLocked(now, r)
	case !resetAt.Before(p.resetAt.Add(-tol)):
		// The same window. Answers arrive out of order: the lowest count
		// is the latest.
		p.remaining = min(p.remaining, r)
		p.countLocked(now, r)
	}
	p.tuneLocked(now)
}

// rateItem reads the first member of a Ratelimit or Ratelimit-Policy
// header, the one Cloudflare sends ("default"), and its two integer
// parameters a and b.
func rateItem(h http.Header, name, a, b string) (int, int, bool) {
	list, err := httpsfv.UnmarshalList(h.Values(name))
	if err != nil || len(list) == 0 {
		return 0, 0, false
	}
	item, ok := list[0].(httpsfv.Item)
	if !ok {
		return 0, 0, false
	}
	va, okA := item.Params.Get(a)
	vb, okB := item.Params.Get(b)
	ia, okA2 := va.(int64)
	ib, okB2 := vb.(int64)
	if !okA || !okB || !okA2 || !okB2 || ia < 0 || ib < 0 {
		return 0, 0, false
	}
	return int(min(ia, math.MaxInt32)), int(min(ib, math.MaxInt32)), true
}

// countLocked adds one answer of this process, whose count is r, to the
// share's measure.
func (p *Pacer) countLocked(now time.Time, r int) {
	decay := math.Exp(-now.Sub(p.measured).Seconds() / p.tau().Seconds())
	p.own = p.own*decay + 1
	p.fall = p.fall*decay + float64(max(0, p.lastR-r))
	p.lastR = min(p.lastR, r)
	p.measured = now
}

// tau is the share's memory: a tenth of the window, at least a second.
func (p *Pacer) tau() time.Duration { return max(p.window/10, time.Second) }

// share is the part of the credential's recent use that this process's own
// requests explain: 1 when it is the only user.
func (p *Pacer) share() float64 {
	if p.fall < 1 {
		return 1
	}
	return min(1, max(minShare, p.own/p.fall))
}

// reserve is the part of the quota never spent: 1%, at least one request,
// for rounding and for the user's tools that do not pace themselves.
func (p *Pacer) reserve() int { return max(1, p.quota/100) }

// startWindowLocked begins a window: the whole quota, from which the
// count's fall is measured again, and a new bucket (a new one starts full).
// The share carries over: it is measured on recent answers, not by window.
func (p *Pacer) startWindowLocked() {
	p.remaining, p.lastR, p.limiter = p.quota, p.quota, nil
}

// rollLocked starts the next window when the current one has ended and no
// answer has said so yet.
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

// tuneLocked sets the spread: a bucket of half this process's share of what
// remains, refilled at the pace that spends the share by the reset.
func (p *Pacer) tuneLocked(now time.Time) {
	free := p.remaining - p.reserve()
	left := p.resetAt.Sub(now).Seconds()
	if free-p.inflight <= 0 || left <= 0 {
		return // the gate holds requests until the reset
	}
	s := min(1, p.share()+openShare)
	limit := rate.Limit(s * float64(free-p.inflight) / left)
	burst := max(1, int(s*float64(free)/2))
	if p.limiter == nil {
		p.limiter = rate.NewLimiter(limit, burst)
		return
	}
	p.limiter.SetLimitAt(now, limit)
	p.limiter.SetBurstAt(now, burst)
}

// sleep waits for wake to close or d to pass (d <= 0 and no wake: at once),
// or returns ctx's error.
func sleep(ctx context.Context, wake <-chan struct{}, d time.Duration) error {
	if d <= 0 && wake == nil {
		return ctx.Err()
	}
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

// roundUp is d in whole seconds, rounded up, for messages.
func roundUp(d time.Duration) time.Duration {
	return (d + time.Second - 1).Truncate(time.Second)
}
