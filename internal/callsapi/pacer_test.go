package callsapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseRateLimitItems(t *testing.T) {
	cases := []struct {
		name  string
		lines []string
		want  []rateItem
	}{
		{"one item", []string{`"default";r=50;t=30`},
			[]rateItem{{"default", map[string]int64{"r": 50, "t": 30}}}},
		{"several, the tightest among them", []string{`"default";r=50;t=30, "burst";r=5;t=2`},
			[]rateItem{{"default", map[string]int64{"r": 50, "t": 30}}, {"burst", map[string]int64{"r": 5, "t": 2}}}},
		{"several header lines", []string{`"default";r=50;t=30`, `"burst";r=5;t=2`},
			[]rateItem{{"default", map[string]int64{"r": 50, "t": 30}}, {"burst", map[string]int64{"r": 5, "t": 2}}}},
		{"policy", []string{`"burst";q=100;w=60`},
			[]rateItem{{"burst", map[string]int64{"q": 100, "w": 60}}}},
		{"token name, spaces, upper-case keys", []string{` default ; R = 7 ;t=1 `},
			[]rateItem{{"default", map[string]int64{"r": 7, "t": 1}}}},
		{"quoted name with a comma and an escape", []string{`"a,\"b";r=1;t=2, "c";r=3;t=4`},
			[]rateItem{{`a,"b`, map[string]int64{"r": 1, "t": 2}}, {"c", map[string]int64{"r": 3, "t": 4}}}},
		{"malformed members are skipped, the good one kept", []string{`"x";r=abc;t=1, "y";r=-1;t=1, "z";r=1;;t=2, junk r=1, "ok";r=2;t=3, "w";r=1.5;t=1`},
			[]rateItem{{"ok", map[string]int64{"r": 2, "t": 3}}}},
		{"an unterminated quote spoils the rest of its line", []string{`"ok";r=2;t=3, "open;r=1;t=1, "lost";r=1;t=1`},
			[]rateItem{{"ok", map[string]int64{"r": 2, "t": 3}}}},
		{"missing", nil, nil},
		{"empty", []string{""}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := parseRateLimitItems(c.lines)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("parseRateLimitItems(%q) = %+v, want %+v", c.lines, got, c.want)
			}
		})
	}
}

// answer builds a response with the given Ratelimit and Ratelimit-Policy
// values ("" leaves the header out).
func answer(status int, ratelimit, policy string) *http.Response {
	h := http.Header{}
	if ratelimit != "" {
		h.Set("Ratelimit", ratelimit)
	}
	if policy != "" {
		h.Set("Ratelimit-Policy", policy)
	}
	return &http.Response{StatusCode: status, Header: h}
}

// waitAsync starts a Wait and reports its ticket on the channel.
func waitAsync(ctx context.Context, p *Pacer) <-chan *PaceTicket {
	ch := make(chan *PaceTicket, 1)
	go func() {
		t, err := p.Wait(ctx, nil)
		if err != nil {
			t = nil
		}
		ch <- t
	}()
	return ch
}

func mustWait(t *testing.T, p *Pacer) *PaceTicket {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	tk, err := p.Wait(ctx, nil)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return tk
}

func stillWaiting(t *testing.T, ch <-chan *PaceTicket, why string) {
	t.Helper()
	select {
	case <-ch:
		t.Fatalf("a request was let through %s", why)
	case <-time.After(100 * time.Millisecond):
	}
}

func letThrough(t *testing.T, ch <-chan *PaceTicket, why string) *PaceTicket {
	t.Helper()
	select {
	case tk := <-ch:
		if tk == nil {
			t.Fatalf("Wait failed %s", why)
		}
		return tk
	case <-time.After(time.Second):
		t.Fatalf("a request is still held %s", why)
		return nil
	}
}

// The first request of a pacer goes alone; once it is answered, without
// rate-limit headers, nothing is held: 100 requests go at once.
func TestPacer_noHeadersNoPacing(t *testing.T) {
	p := NewPacer()
	probe := mustWait(t, p)
	second := waitAsync(t.Context(), p)
	stillWaiting(t, second, "while the first request of the process was unanswered")
	probe.Done(answer(200, "", ""), nil)
	letThrough(t, second, "after the first answer").Done(answer(200, "", ""), nil)

	start := time.Now()
	var wg sync.WaitGroup
	var failed atomic.Int64
	tickets := make(chan *PaceTicket, 100)
	for range 100 {
		wg.Go(func() {
			tk, err := p.Wait(t.Context(), nil)
			if err != nil {
				failed.Add(1)
				return
			}
			tickets <- tk // none answered yet: 100 in flight at once
		})
	}
	wg.Wait()
	if failed.Load() > 0 || len(tickets) != 100 {
		t.Fatalf("%d of 100 requests got through (%d failed)", len(tickets), failed.Load())
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("100 requests without rate-limit headers took %s to be let through; want no pacing", d)
	}
}

// The gate keeps a margin for the requests in flight: of 10 remaining (one
// kept in reserve), 9 may be in flight, the 10th waits. It is let through as
// answers show that some in-flight requests were counted already.
func TestPacer_marginForRequestsInFlight(t *testing.T) {
	p := NewPacer()
	p.noSpread = true
	mustWait(t, p).Done(answer(200, `"default";r=10;t=60`, `"default";q=100;w=60`), nil)
	// q=100 keeps a reserve of 1: 9 may go.
	var inFlight []*PaceTicket
	for range 9 {
		inFlight = append(inFlight, mustWait(t, p))
	}
	tenth := waitAsync(t.Context(), p)
	stillWaiting(t, tenth, "with 10 remaining, 9 in flight and 1 in reserve")

	// The last sent is answered first: the API had counted the others and
	// 3 requests of another tool before it, so 2 remain.
	inFlight[8].Done(answer(200, `"default";r=2;t=59`, ""), nil)
	stillWaiting(t, tenth, "with 2 remaining and 8 in flight")
	// Out-of-order answers with higher counts do not raise the remaining.
	for _, tk := range inFlight[:7] {
		tk.Done(answer(200, `"default";r=8;t=59`, ""), nil)
	}
	stillWaiting(t, tenth, "with 2 remaining and 1 in flight")
	inFlight[7].Done(answer(200, `"default";r=7;t=59`, ""), nil)
	letThrough(t, tenth, "with 2 remaining, none in flight and 1 in reserve").Done(answer(200, `"default";r=1;t=59`, ""), nil)

	stillWaiting(t, waitAsync(t.Context(), p), "with 1 remaining, kept in reserve")
}

// A request held for the margin of requests still in flight goes when the
// window resets, even if none of them is ever answered.
func TestPacer_heldForRequestsInFlightGoesAtTheReset(t *testing.T) {
	t.Parallel()
	p := NewPacer()
	p.noSpread = true
	mustWait(t, p).Done(answer(200, `"default";r=3;t=1`, `"default";q=100;w=1`), nil)
	mustWait(t, p)
	mustWait(t, p) // two in flight, never answered: 3 remaining, 1 in reserve
	start := time.Now()
	third := waitAsync(t.Context(), p)
	select {
	case tk := <-third:
		if tk == nil {
			t.Fatal("Wait failed")
		}
		if d := time.Since(start); d < time.Second {
			t.Errorf("the third request went after %s, before the window's reset", d)
		}
	case <-time.After(4 * time.Second):
		t.Fatal("the third request is still held 4 s later, after the window's reset (1 s, and 1 s of grace)")
	}
}

// A wait that would outlast the call's time budget fails at once, saying how
// long and why.
func TestPacer_holdPastTheDeadlineFailsFast(t *testing.T) {
	t.Run("quota used up", func(t *testing.T) {
		p := NewPacer()
		mustWait(t, p).Done(answer(200, `"default";r=1;t=120`, `"default";q=40;w=300`), nil)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		start := time.Now()
		_, err := p.Wait(ctx, nil)
		var waitErr *RateLimitWaitError
		if !errors.As(err, &waitErr) || waitErr.Blocked || waitErr.Wait < 115*time.Second || waitErr.Quota != 40 || waitErr.Remaining != 1 {
			t.Fatalf("Wait = %v (%+v); want a RateLimitWaitError for the window's reset in about 2 minutes", err, waitErr)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("it took %s to fail", d)
		}
		t.Log(err)
	})
	t.Run("blocked", func(t *testing.T) {
		p := NewPacer()
		var announced []RateLimitHold
		resp := answer(429, `"default";r=0;t=300`, "")
		resp.Header.Set("Retry-After", "300")
		mustWait(t, p).Done(resp, func(h RateLimitHold) { announced = append(announced, h) })
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		_, err := p.Wait(ctx, func(h RateLimitHold) { announced = append(announced, h) })
		var waitErr *RateLimitWaitError
		if !errors.As(err, &waitErr) || !waitErr.Blocked || waitErr.Wait < 299*time.Second {
			t.Fatalf("Wait = %v; want a RateLimitWaitError for the 5-minute block", err)
		}
		if len(announced) != 1 || !announced[0].Blocked || announced[0].Wait != 300*time.Second {
			t.Errorf("announced %+v; want the block once, 5 minutes", announced)
		}
		t.Log(err)
	})
}

// A 429 with Retry-After holds every request until it has passed, and is
// announced once however many requests wait.
func TestPacer_retryAfterHoldsEveryRequest(t *testing.T) {
	p := NewPacer()
	var announcements atomic.Int64
	announce := func(RateLimitHold) { announcements.Add(1) }
	resp := answer(429, "", "")
	resp.Header.Set("Retry-After", "1")
	start := time.Now()
	mustWait(t, p).Done(resp, announce)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			tk, err := p.Wait(t.Context(), announce)
			if err != nil {
				t.Error(err)
				return
			}
			if d := time.Since(start); d < 950*time.Millisecond {
				t.Errorf("a request went %s after a 429 with Retry-After: 1", d)
			}
			tk.Done(answer(200, "", ""), nil)
		})
	}
	wg.Wait()
	if n := announcements.Load(); n != 1 {
		t.Errorf("the block was announced %d times, want once", n)
	}
}

// A 429 ends with its Retry-After, even in a window that had far longer to
// run: past a block the API opens a fresh window, and the next answer is
// taken as news.
func TestPacer_blockEndsWithItsRetryAfter(t *testing.T) {
	p := NewPacer()
	p.noSpread = true
	mustWait(t, p).Done(answer(200, `"default";r=50;t=100`, `"default";q=100;w=100`), nil)
	resp := answer(429, `"default";r=0;t=1`, "")
	resp.Header.Set("Retry-After", "1")
	start := time.Now()
	mustWait(t, p).Done(resp, nil)
	tk := mustWait(t, p)
	if d := time.Since(start); d < 900*time.Millisecond || d > 1500*time.Millisecond {
		t.Errorf("a request went %s after a 429 with Retry-After: 1; want about 1 s", d)
	}
	// The first answer after the block sets the count, though its window
	// ends before the one the pacer knew.
	tk.Done(answer(200, `"default";r=1;t=99`, ""), nil)
	stillWaiting(t, waitAsync(t.Context(), p), "with 1 remaining after the block, kept in reserve")
}

// Of what remains, half goes at once and the rest is spread to the reset,
// never faster than half the quota per window.
func TestPacer_spreadsTheSecondHalf(t *testing.T) {
	p := NewPacer()
	mustWait(t, p).Done(answer(200, `"default";r=99;t=10`, `"default";q=100;w=10`), nil)
	// 98 free (1 in reserve): a bucket of 49, refilled at 5 a second.
	var passed atomic.Int64
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	for range 70 {
		go func() {
			if _, err := p.Wait(ctx, nil); err == nil {
				passed.Add(1)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	if n := passed.Load(); n < 49 || n > 52 {
		t.Fatalf("%d requests went at once; want the bucket's 49 (and at most one refilled)", n)
	}
	time.Sleep(time.Second)
	if n := passed.Load(); n < 53 || n > 58 {
		t.Errorf("%d requests went within 1.3 s; want 49 plus about 5 a second", n)
	}
}

// fixedWindowAPI is the documented rule, for the pacer alone: quota requests
// per window, counted from the first request of a window; the request over
// it starts a block of one window. Answers carry r (left after the request)
// and t (seconds to the reset, rounded up) and the policy.
type fixedWindowAPI struct {
	quota  int
	window time.Duration

	mu           sync.Mutex
	start        time.Time
	count        int
	blockedUntil time.Time
	served       int
	refused      int
}

func (f *fixedWindowAPI) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.served + f.refused
}

func (f *fixedWindowAPI) serve(now time.Time) *http.Response {
	f.mu.Lock()
	defer f.mu.Unlock()
	secs := func(d time.Duration) string { return strconv.Itoa(int((d + time.Second - 1) / time.Second)) }
	policy := fmt.Sprintf(`"default";q=%d;w=%d`, f.quota, int(f.window/time.Second))
	if now.Before(f.blockedUntil) {
		f.refused++
		resp := answer(429, `"default";r=0;t=`+secs(f.blockedUntil.Sub(now)), policy)
		resp.Header.Set("Retry-After", secs(f.blockedUntil.Sub(now)))
		return resp
	}
	if f.start.IsZero() || !now.Before(f.start.Add(f.window)) {
		f.start, f.count = now, 0
	}
	f.count++
	if f.count > f.quota {
		f.refused++
		f.blockedUntil = now.Add(f.window)
		resp := answer(429, `"default";r=0;t=`+secs(f.window), policy)
		resp.Header.Set("Retry-After", secs(f.window))
		return resp
	}
	f.served++
	return answer(200, fmt.Sprintf(`"default";r=%d;t=%s`, f.quota-f.count, secs(f.start.Add(f.window).Sub(now))), policy)
}

// 100 goroutines send 100 requests through one pacer to an API that allows
// 40 a second, answers taking up to 15 ms and arriving out of order: none is
// refused.
func TestPacer_100GoroutinesNeverExceedTheQuota(t *testing.T) {
	t.Parallel()
	api := &fixedWindowAPI{quota: 40, window: time.Second}
	p := NewPacer()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			for next.Add(1) <= 100 {
				tk, err := p.Wait(t.Context(), nil)
				if err != nil {
					t.Error(err)
					return
				}
				resp := api.serve(time.Now())
				time.Sleep(time.Duration(rand.IntN(15)) * time.Millisecond) //nolint:gosec // test latency
				tk.Done(resp, nil)
			}
		})
	}
	wg.Wait()
	if api.refused != 0 || api.served != 100 {
		t.Fatalf("the API served %d requests and refused %d; want 100 and 0", api.served, api.refused)
	}
}

// fixedWindowServer serves api over HTTP: every answer a Cloudflare envelope
// (an empty list, or error 971 on a 429) with the API's rate-limit headers.
func fixedWindowServer(t *testing.T, api *fixedWindowAPI) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		resp := api.serve(time.Now())
		maps.Copy(w.Header(), resp.Header)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests {
			_, _ = io.WriteString(w, `{"success":false,"errors":[{"code":971,"message":"Please wait and consider throttling your request speed"}],"messages":[],"result":null}`)
			return
		}
		_, _ = io.WriteString(w, `{"success":true,"errors":[],"messages":[],"result":[]}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/client/v4"
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

// 60 calls from 60 goroutines, on two clients of the same credential, to an
// API allowing 20 requests a second: none is refused. The pacer's holds do
// not count against RequestTimeout (300 ms here, far shorter than a
// window), only against the call's budget.
func TestPacer_clientsStayUnderTheQuota(t *testing.T) {
	t.Parallel()
	api := &fixedWindowAPI{quota: 20, window: time.Second}
	base := fixedWindowServer(t, api)
	cfg := Config{BaseURL: base, APIToken: "tok", RequestTimeout: 300 * time.Millisecond, MaxRetries: NoRetries}
	clients := []*Client{newClient(t, cfg), newClient(t, cfg)}
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			if _, err := clients[i%2].List(t.Context(), Apps, account); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if api.refused != 0 || api.served != 60 {
		t.Fatalf("the API served %d requests and refused %d; want 60 and 0", api.served, api.refused)
	}
}

// A block (429, Retry-After) is waited out by every call, announced once,
// and a call whose budget ends before the block does is not sent at all: it
// fails at once, saying how long the block lasts and what the budget was.
func TestPacer_clientWaitsOutABlockOrFailsAtOnce(t *testing.T) {
	t.Parallel()
	api := &fixedWindowAPI{quota: 1000, window: 2 * time.Second, blockedUntil: time.Now().Add(2 * time.Second)}
	base := fixedWindowServer(t, api)
	var announced []RateLimitHold
	var mu sync.Mutex
	onRateLimit := func(_ context.Context, h RateLimitHold) {
		mu.Lock()
		defer mu.Unlock()
		announced = append(announced, h)
	}
	waiting := newClient(t, Config{BaseURL: base, APIToken: "tok", RetryWaitMin: time.Millisecond, OnRateLimit: onRateLimit})
	start := time.Now()
	var wg sync.WaitGroup
	defer wg.Wait() // before the test ends, even on Fatal
	for range 5 {
		wg.Go(func() {
			if _, err := waiting.List(t.Context(), Apps, account); err != nil {
				t.Error(err)
			}
		})
	}
	time.Sleep(200 * time.Millisecond) // the first answer, a 429, has come back
	hasty := newClient(t, Config{BaseURL: base, APIToken: "tok", MaxRetryDuration: time.Second})
	servedBefore := api.total()
	_, err := hasty.List(t.Context(), Apps, account)
	var held *RateLimitWaitError
	if !errors.As(err, &held) || !held.Blocked || held.Method != http.MethodGet || held.Budget != time.Second || held.Attempts != 1 {
		t.Fatalf("a call with a 1 s budget during a 2 s block: %v; want a RateLimitWaitError", err)
	}
	if wait, ok := RateLimitedFor(err); !ok || wait < time.Second {
		t.Errorf("RateLimitedFor = %s, %v", wait, ok)
	}
	if api.total() != servedBefore {
		t.Error("the call refused by the pacer was sent anyway")
	}
	t.Log(err)
	wg.Wait()
	if d := time.Since(start); d < 2*time.Second {
		t.Errorf("the calls succeeded after %s, before the block ended", d)
	}
	// The first call's 429 and the other four's: one block, one announcement.
	if api.refused > 5 {
		t.Errorf("%d requests refused; want at most the 5 sent before the first 429 came back", api.refused)
	}
	if len(announced) != 1 || !announced[0].Blocked {
		t.Errorf("announced %+v; want the block once", announced)
	}
}
