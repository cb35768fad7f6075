package callsapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// Every pacer test runs in a synctest bubble: time is the bubble's clock,
// which moves only when every goroutine of the test waits, so "still held"
// and "went through" are facts of that clock, not of sleeps.

// limits is an answer's rate-limit headers: Ratelimit r and t, and
// Ratelimit-Policy q and w, as Cloudflare sends them.
func limits(r, t, q, w int) http.Header {
	h := http.Header{}
	h.Set("Ratelimit", fmt.Sprintf(`"default";r=%d;t=%d`, r, t))
	h.Set("Ratelimit-Policy", fmt.Sprintf(`"default";q=%d;w=%d`, q, w))
	return h
}

// blocked is a 429's headers: the count at 0 and Retry-After.
func blocked(retryAfter, q, w int) http.Header {
	h := limits(0, retryAfter, q, w)
	h.Set("Retry-After", fmt.Sprint(retryAfter))
	return h
}

// waiter is a Wait running in a goroutine of its own.
type waiter struct {
	ticket *PaceTicket
	err    error
	done   chan struct{}
}

func startWait(ctx context.Context, p *Pacer, announce func(RateLimitHold)) *waiter {
	w := &waiter{done: make(chan struct{})}
	go func() {
		defer close(w.done)
		w.ticket, w.err = p.Wait(ctx, announce)
	}()
	return w
}

// startWaits starts n Waits.
func startWaits(ctx context.Context, p *Pacer, n int, announce func(RateLimitHold)) []*waiter {
	ws := make([]*waiter, n)
	for i := range ws {
		ws[i] = startWait(ctx, p, announce)
	}
	return ws
}

// returned tells, once every goroutine of the bubble waits, whether the
// Wait has returned.
func (w *waiter) returned() bool {
	synctest.Wait()
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

// countReturned is how many of ws have returned without error.
func countReturned(t *testing.T, ws []*waiter) int {
	t.Helper()
	n := 0
	for _, w := range ws {
		if w.returned() {
			if w.err != nil {
				t.Fatalf("Wait: %v", w.err)
			}
			n++
		}
	}
	return n
}

// pass is one Wait that must let the request through at once.
func pass(t *testing.T, p *Pacer) *PaceTicket {
	t.Helper()
	w := startWait(t.Context(), p, nil)
	if !w.returned() || w.err != nil {
		t.Fatalf("a request was held (or failed: %v) where it should go at once", w.err)
	}
	return w.ticket
}

// warmed is a pacer that has heard n answers to its own requests, alone on a
// credential allowed q requests per w seconds, and whose window has just
// ended: its slow start is over and the next window starts whole.
func warmed(t *testing.T, n, q, w int) *Pacer {
	t.Helper()
	p := NewPacer()
	for range n {
		wt := startWait(t.Context(), p, nil)
		<-wt.done
		if wt.err != nil {
			t.Fatal(wt.err)
		}
		wt.ticket.Done(http.StatusOK, limits(q-1, w, q, w), nil)
	}
	time.Sleep(time.Duration(w+2) * time.Second)
	return p
}

// The first request of a pacer goes alone; once it is answered, without
// rate-limit headers, nothing is held: 100 requests go at once.
func TestPacer_noHeadersNoPacing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPacer()
		probe := pass(t, p)
		second := startWait(t.Context(), p, nil)
		if second.returned() {
			t.Fatal("a second request went while the first request of the process was unanswered")
		}
		probe.Done(http.StatusOK, http.Header{}, nil)
		if !second.returned() {
			t.Fatal("the second request is held after the first answer")
		}
		second.ticket.Done(http.StatusOK, http.Header{}, nil)
		start := time.Now()
		for range 100 {
			pass(t, p) // none answered: 100 in flight at once
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("100 requests without rate-limit headers took %s; want no pacing", d)
		}
	})
}

// The gate keeps a margin for the requests in flight: of 10 remaining (one
// kept in reserve), 9 may be in flight, the 10th waits however long the
// spread would have let it go. Answers, out of order, keep the lowest count;
// the fall that this process's requests do not explain (another tool's)
// shrinks its share; the last request goes once answers free room, and
// nothing goes into the reserve.
func TestPacer_marginForRequestsInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := warmed(t, 10, 11, 60)
		pass(t, p).Done(http.StatusOK, limits(10, 60, 11, 60), nil)
		ws := startWaits(t.Context(), p, 10, nil)
		time.Sleep(40 * time.Second) // the spread has long let 10 through; the reset is 21 s away
		if n := countReturned(t, ws); n != 9 {
			t.Fatalf("%d requests in flight; want 9 (10 remaining, 1 in reserve)", n)
		}
		var inFlight []*PaceTicket
		var tenth *waiter
		for _, w := range ws {
			if w.returned() {
				inFlight = append(inFlight, w.ticket)
			} else {
				tenth = w
			}
		}
		// The last sent is answered first: the API had counted the others
		// and 3 requests of another tool before it, so 2 remain.
		inFlight[8].Done(http.StatusOK, limits(2, 20, 11, 60), nil)
		if tenth.returned() {
			t.Fatal("the 10th went with 2 remaining and 8 in flight")
		}
		// Out-of-order answers with higher counts do not raise the remaining.
		for _, tk := range inFlight[:7] {
			tk.Done(http.StatusOK, limits(8, 20, 11, 60), nil)
		}
		time.Sleep(5 * time.Second) // longer than the spread would hold it
		if tenth.returned() {
			t.Fatal("the 10th went with 2 remaining and 1 in flight")
		}
		inFlight[7].Done(http.StatusOK, limits(7, 20, 11, 60), nil)
		time.Sleep(5 * time.Second) // the spread's next place, long before the reset
		if !tenth.returned() {
			t.Fatal("the 10th is held with 2 remaining, none in flight and 1 in reserve")
		}
		tenth.ticket.Done(http.StatusOK, limits(1, 20, 11, 60), nil)
		if startWait(t.Context(), p, nil).returned() {
			t.Fatal("a request went with 1 remaining, the reserve")
		}
	})
}

// A request held for the reserve goes when the window resets (t, and a
// second of grace), not before.
func TestPacer_heldUntilTheReset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := warmed(t, 10, 2, 10)
		start := time.Now()
		pass(t, p).Done(http.StatusOK, limits(1, 10, 2, 10), nil)
		w := startWait(t.Context(), p, nil)
		time.Sleep(11*time.Second - time.Millisecond)
		if w.returned() {
			t.Fatal("a request went into the reserve before the reset")
		}
		<-w.done
		if d := time.Since(start); w.err != nil || d != 11*time.Second {
			t.Errorf("the request went after %s (%v); want 11 s, at the reset", d, w.err)
		}
	})
}

// A wait that would outlast the call's time budget fails at once, saying how
// long and why; a block is announced once.
func TestPacer_holdPastTheDeadlineFailsFast(t *testing.T) {
	t.Run("quota used up", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := NewPacer()
			pass(t, p).Done(http.StatusOK, limits(1, 120, 40, 300), nil)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			start := time.Now()
			_, err := p.Wait(ctx, nil)
			var held *RateLimitWaitError
			if !errors.As(err, &held) || held.Blocked || held.Wait != 121*time.Second || held.Quota != 40 || held.Remaining != 1 {
				t.Fatalf("Wait = %v (%+v); want a RateLimitWaitError for the window's reset in 121 s", err, held)
			}
			if d := time.Since(start); d != 0 {
				t.Errorf("it took %s to fail", d)
			}
		})
	})
	t.Run("blocked", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := NewPacer()
			var announced []RateLimitHold
			announce := func(h RateLimitHold) { announced = append(announced, h) }
			pass(t, p).Done(http.StatusTooManyRequests, blocked(300, 1200, 300), announce)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			_, err := p.Wait(ctx, announce)
			var held *RateLimitWaitError
			if !errors.As(err, &held) || !held.Blocked || held.Wait != 300*time.Second {
				t.Fatalf("Wait = %v; want a RateLimitWaitError for the 5-minute block", err)
			}
			if len(announced) != 1 || !announced[0].Blocked || announced[0].Wait != 300*time.Second {
				t.Errorf("announced %+v; want the block once, 5 minutes", announced)
			}
		})
	})
}

// A 429 with Retry-After holds every request until it has passed, and is
// announced once however many requests wait.
func TestPacer_retryAfterHoldsEveryRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPacer()
		var announcements atomic.Int64
		announce := func(RateLimitHold) { announcements.Add(1) }
		start := time.Now()
		pass(t, p).Done(http.StatusTooManyRequests, http.Header{"Retry-After": {"3"}}, announce)
		ws := startWaits(t.Context(), p, 10, announce)
		time.Sleep(3*time.Second - time.Millisecond)
		if n := countReturned(t, ws); n != 0 {
			t.Fatalf("%d requests went before the Retry-After of 3 s had passed", n)
		}
		time.Sleep(time.Millisecond)
		if n := countReturned(t, ws); n != 10 {
			t.Fatalf("%d of 10 requests went when the Retry-After had passed", n)
		}
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("now %s after the 429", d)
		}
		if n := announcements.Load(); n != 1 {
			t.Errorf("the block was announced %d times, want once", n)
		}
	})
}

// A 429 ends with its Retry-After, even in a window that had far longer to
// run: past a block the API opens a fresh window, and the next answer is
// taken as news.
func TestPacer_blockEndsWithItsRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPacer()
		pass(t, p).Done(http.StatusOK, limits(50, 100, 100, 100), nil)
		start := time.Now()
		pass(t, p).Done(http.StatusTooManyRequests, blocked(1, 100, 100), nil)
		w := startWait(t.Context(), p, nil)
		<-w.done
		if d := time.Since(start); w.err != nil || d != time.Second {
			t.Fatalf("a request went %s after a 429 with Retry-After: 1 (%v); want 1 s", d, w.err)
		}
		// The first answer after the block sets the count, though its window
		// ends before the one the pacer knew.
		w.ticket.Done(http.StatusOK, limits(1, 99, 100, 100), nil)
		if startWait(t.Context(), p, nil).returned() {
			t.Fatal("a request went with 1 remaining after the block, the reserve")
		}
	})
}

// A 429 is news of a block, not of others spending: its count (0 until the
// block ends) is not a fall, and a process alone on the credential sends
// after the block as before it.
func TestPacer_blockIsNotOthersSpending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := warmed(t, 10, 120, 30)
		pass(t, p).Done(http.StatusOK, limits(119, 30, 120, 30), nil)
		pass(t, p).Done(http.StatusTooManyRequests, blocked(30, 120, 30), nil)
		time.Sleep(30 * time.Second)
		ws := startWaits(t.Context(), p, 20, nil)
		if n := countReturned(t, ws); n != 20 {
			t.Fatalf("%d of 20 requests went at once after the block; want all, as before it", n)
		}
	})
}

// Alone on the credential, a process may send half of what remains at once
// and spreads the rest to the reset.
func TestPacer_spreadsTheSecondHalf(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := warmed(t, 50, 100, 10)
		pass(t, p).Done(http.StatusOK, limits(99, 10, 100, 10), nil)
		// The window started whole: 99 free (1 in reserve), a bucket of
		// 49, of which the first request took one. Its answer leaves 98
		// free over the 11 s to the reset, refilled at 98/11 a second.
		ws := startWaits(t.Context(), p, 98, nil)
		if n := countReturned(t, ws); n != 48 {
			t.Fatalf("%d requests went at once; want the bucket's 48 left", n)
		}
		time.Sleep(5 * time.Second)
		if n := countReturned(t, ws); n != 48+44 {
			t.Errorf("%d requests went within 5 s; want 48 and 5 s of 98/11 a second, 92", n)
		}
		time.Sleep(6 * time.Second)
		if n := countReturned(t, ws); n != 98 {
			t.Errorf("%d of 98 requests went by the reset", n)
		}
	})
}

// Clients built with the same base URL and credential share one pacer, so
// that every resource of a provider process counts against one quota;
// another credential or base URL has its own.
func TestPacer_sharedPerBaseURLAndCredential(t *testing.T) {
	build := func(cfg Config) *Client {
		c, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	const base = "https://api.example.test/client/v4"
	a := build(Config{BaseURL: base, APIToken: "token-a"})
	if b := build(Config{BaseURL: base + "/", APIToken: "token-a"}); b.pacer != a.pacer {
		t.Error("two clients of the same base URL and token have different pacers")
	}
	if b := build(Config{BaseURL: base, APIToken: "token-b"}); b.pacer == a.pacer {
		t.Error("two tokens share a pacer")
	}
	if b := build(Config{BaseURL: "https://other.example.test/client/v4", APIToken: "token-a"}); b.pacer == a.pacer {
		t.Error("two base URLs share a pacer")
	}
	k1 := build(Config{BaseURL: base, APIKey: "key", Email: "a@example.test"})
	if k2 := build(Config{BaseURL: base, APIKey: "key", Email: "a@example.test"}); k2.pacer != k1.pacer || k1.pacer == a.pacer {
		t.Error("legacy key and email: want one pacer per key and email")
	}
}

func TestRateItem(t *testing.T) {
	for _, c := range []struct {
		name   string
		values []string
		a, b   int
		ok     bool
	}{
		{"as Cloudflare sends it", []string{`"default";r=50;t=30`}, 50, 30, true},
		{"a token name", []string{`default;r=7;t=1`}, 7, 1, true},
		{"the first of several", []string{`"default";r=50;t=30, "burst";r=5;t=2`}, 50, 30, true},
		{"a parameter missing", []string{`"default";r=50`}, 0, 0, false},
		{"not an integer", []string{`"default";r=1.5;t=1`}, 0, 0, false},
		{"negative", []string{`"default";r=-1;t=1`}, 0, 0, false},
		{"malformed", []string{`"default;r=1;t=1`}, 0, 0, false},
		{"an inner list", []string{`("a" "b");r=1;t=1`}, 0, 0, false},
		{"missing", nil, 0, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{"Ratelimit": c.values}
			a, b, ok := rateItem(h, "Ratelimit", "r", "t")
			if a != c.a || b != c.b || ok != c.ok {
				t.Errorf("rateItem(%q) = %d, %d, %v; want %d, %d, %v", c.values, a, b, ok, c.a, c.b, c.ok)
			}
		})
	}
}

// process is one provider process on a shared token: its own client and
// pacer, and workers that call the API one after the other.
type process struct {
	client *Client
	sent   []time.Time // when each call returned
	mu     sync.Mutex
	failed atomic.Int64
	err    error // the first call's error
}

// run makes calls on workers goroutines until calls are made or stop passes.
func (pr *process) run(ctx context.Context, workers, calls int, stop time.Time) *sync.WaitGroup {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= int64(calls) && time.Now().Before(stop) {
				if _, err := pr.client.List(ctx, Apps, account); err != nil {
					if pr.failed.Add(1) == 1 {
						pr.err = err
					}
					return
				}
				pr.mu.Lock()
				pr.sent = append(pr.sent, time.Now())
				pr.mu.Unlock()
			}
		})
	}
	return &wg
}

// between counts the calls that returned in [from, to).
func (pr *process) between(from, to time.Time) int {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	n := 0
	for _, s := range pr.sent {
		if !s.Before(from) && s.Before(to) {
			n++
		}
	}
	return n
}

// sharedToken is an emulator with the rule q per w and 100 ms of latency,
// and n processes on one token, each with a pacer of its own.
func sharedToken(t *testing.T, n, q int, w time.Duration) (*emulator.Server, []*process) {
	t.Helper()
	em, err := emulator.New(emulator.Options{Tokens: []string{"tok"}, RateLimit: emulator.RateLimit{Requests: q, Window: w},
		Latency: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	procs := make([]*process, n)
	for i := range procs {
		procs[i] = &process{client: inMemoryClient(t, em, Config{MaxRetries: NoRetries})}
	}
	return em, procs
}

// Three processes on one token (three pipelines), each with 20 workers and
// work for three windows, all at once: nothing is refused, all finish, and
// each takes about a third of the quota. A pacer that paced as if it
// were the token's only user would let all three fill the last of a window
// with their requests in flight, past the quota.
func TestPacer_sharesTheQuotaWithOtherProcesses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const q, w = 120, 30 * time.Second
		em, procs := sharedToken(t, 3, q, w)
		start := time.Now()
		var runs []*sync.WaitGroup
		for _, pr := range procs {
			runs = append(runs, pr.run(t.Context(), 20, 110, start.Add(time.Hour)))
		}
		for _, r := range runs {
			r.Wait()
		}
		if refused := em.RateLimited(); refused != 0 {
			t.Errorf("the API refused %d requests", refused)
		}
		for i, pr := range procs {
			if pr.failed.Load() != 0 || len(pr.sent) != 110 {
				t.Errorf("process %d: %d calls made, %d failed; want 110 and 0; first error: %v", i, len(pr.sent), pr.failed.Load(), pr.err)
			}
		}
		// The first two windows, whose quota all three wanted whole.
		total, parts := 0, []int{}
		for _, pr := range procs {
			n := pr.between(start, start.Add(2*w))
			total += n
			parts = append(parts, n)
		}
		for i, n := range parts {
			if n*5 < total || n*2 > total {
				t.Errorf("process %d made %d of the %d calls of the first two windows (%v); want about a third", i, n, total, parts)
			}
		}
		t.Logf("done in %s", time.Since(start))
	})
}

// A process that joins while another has been spending the quota for a
// while starts with a small share, and grows to about half within a few
// windows: the share is measured on recent answers, and the spread keeps
// room open beyond it.
func TestPacer_lateJoinerGrowsToAnEvenShare(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const q, w = 120, 30 * time.Second
		em, procs := sharedToken(t, 2, q, w)
		start := time.Now()
		stop := start.Add(6 * w)
		early := procs[0].run(t.Context(), 20, 1<<30, stop)
		time.Sleep(w / 2)
		late := procs[1].run(t.Context(), 20, 1<<30, stop)
		early.Wait()
		late.Wait()
		if refused := em.RateLimited(); refused != 0 {
			t.Errorf("the API refused %d requests", refused)
		}
		from := start.Add(4 * w)
		a, b := procs[0].between(from, stop), procs[1].between(from, stop)
		if b*10 < (a+b)*4 {
			t.Errorf("in the last two windows the late process made %d calls and the early one %d; want about half each", b, a)
		}
		t.Logf("last two windows: early %d, late %d", a, b)
	})
}

// 100 goroutines of one client make 300 calls under a rule of 50 per 10 s:
// none is refused.
func TestPacer_100GoroutinesNeverExceedTheQuota(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		em, procs := sharedToken(t, 1, 50, 10*time.Second)
		procs[0].run(t.Context(), 100, 300, time.Now().Add(time.Hour)).Wait()
		if refused, sent := em.RateLimited(), len(procs[0].sent); refused != 0 || sent != 300 {
			t.Fatalf("the API refused %d requests; %d of 300 calls made", refused, sent)
		}
	})
}

// A block (429, Retry-After) is waited out by every call, announced once,
// and a call whose budget ends before the block does is not sent at all: it
// fails at once, saying how long the block lasts and what the budget was.
func TestPacer_clientWaitsOutABlockOrFailsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		em, err := emulator.New(emulator.Options{Tokens: []string{"tok"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := em.InjectFault(emulator.Fault{Kind: emulator.FaultRateLimit, RetryAfter: 2, Count: 1}); err != nil {
			t.Fatal(err)
		}
		var announced []RateLimitHold
		var mu sync.Mutex
		onRateLimit := func(_ context.Context, h RateLimitHold) {
			mu.Lock()
			defer mu.Unlock()
			announced = append(announced, h)
		}
		pacer := NewPacer()
		waiting := inMemoryClient(t, em, Config{Pacer: pacer, OnRateLimit: onRateLimit})
		start := time.Now()
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				if _, err := waiting.List(t.Context(), Apps, account); err != nil {
					t.Error(err)
				}
			})
		}
		synctest.Wait() // the first answer, a 429, has come back
		hasty := inMemoryClient(t, em, Config{Pacer: pacer, MaxRetryDuration: time.Second})
		before := em.TotalRequests()
		_, err = hasty.List(t.Context(), Apps, account)
		var held *RateLimitWaitError
		if !errors.As(err, &held) || !held.Blocked || held.Method != http.MethodGet || held.Budget != time.Second || held.Attempts != 1 {
			t.Fatalf("a call with a 1 s budget during a 2 s block: %v; want a RateLimitWaitError", err)
		}
		if wait, ok := RateLimitedFor(err); !ok || wait != 2*time.Second {
			t.Errorf("RateLimitedFor = %s, %v; want 2 s", wait, ok)
		}
		if em.TotalRequests() != before {
			t.Error("the call refused by the pacer was sent anyway")
		}
		wg.Wait()
		if d := time.Since(start); d < 2*time.Second {
			t.Errorf("the calls succeeded after %s, before the block ended", d)
		}
		if refused := em.Statuses()[http.StatusTooManyRequests]; refused != 1 {
			t.Errorf("%d requests refused; want the first alone (the others wait for its answer)", refused)
		}
		if len(announced) != 1 || !announced[0].Blocked {
			t.Errorf("announced %+v; want the block once", announced)
		}
	})
}

// A place in the spread is given back by a request refused because its
// budget ends first, so the next request takes it; and waiting for the
// spread, however long, is pacing, not a hold worth a warning.
func TestPacer_spreadPlaceGivenBackAndNeverAnnounced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := warmed(t, 50, 100, 100)
		pass(t, p).Done(http.StatusOK, limits(99, 100, 100, 100), nil)
		// Spend the bucket: after it, one request about every 1.03 s
		// (98 free over the 101 s to the reset).
		for {
			w := startWait(t.Context(), p, nil)
			if !w.returned() {
				break // the first one the spread holds, about 1.03 s
			}
		}
		ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		refused := startWait(ctx, p, nil)
		var held *RateLimitWaitError
		if !refused.returned() || !errors.As(refused.err, &held) {
			t.Fatalf("a request whose place in the spread is 2 s away, with 0.5 s of budget: %v; want a RateLimitWaitError at once", refused.err)
		}
		var announced atomic.Int32
		ws := startWaits(t.Context(), p, 8, func(RateLimitHold) { announced.Add(1) })
		time.Sleep(2200 * time.Millisecond)
		if n := countReturned(t, ws); n != 1 {
			t.Errorf("%d requests went within 2.2 s; want 1, in the place the refused request gave back", n)
		}
		time.Sleep(8 * time.Second)
		if n := countReturned(t, ws); n != 8 {
			t.Errorf("%d of 8 requests went within 10.2 s", n)
		}
		if n := announced.Load(); n != 0 {
			t.Errorf("waits for the spread (up to 9 s) were announced %d times; want none", n)
		}
	})
}
