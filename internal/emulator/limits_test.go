package emulator

// The API's rate limit and latency as the emulator plays them (limits.go).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock a test moves by hand, safe to read from the server.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// wantQuota asserts the Ratelimit headers of an answer.
func wantQuota(t *testing.T, r response, remaining, reset, quota, window int) {
	t.Helper()
	if got, want := r.header.Get("Ratelimit"), fmt.Sprintf(`"default";r=%d;t=%d`, remaining, reset); got != want {
		t.Fatalf("Ratelimit %q, want %q (status %d)", got, want, r.status)
	}
	if got, want := r.header.Get("Ratelimit-Policy"), fmt.Sprintf(`"default";q=%d;w=%d`, quota, window); got != want {
		t.Fatalf("Ratelimit-Policy %q, want %q", got, want)
	}
}

// wantBlocked asserts Cloudflare's 429 with the seconds left in the block.
func wantBlocked(t *testing.T, r response, seconds int) {
	t.Helper()
	wantError(t, r, 429, 971, "Please wait and consider throttling your request speed")
	if got := r.header.Get("Retry-After"); got != strconv.Itoa(seconds) {
		t.Fatalf("Retry-After %q, want %d", got, seconds)
	}
	var errs []struct {
		DocumentationURL string `json:"documentation_url"`
	}
	if err := json.Unmarshal(r.top["errors"], &errs); err != nil || errs[0].DocumentationURL != docsRateLimits {
		t.Fatalf("errors %s: want the rate limits page as documentation_url", r.top["errors"])
	}
}

// The rule as Cloudflare documents it: a fixed window opened by the
// credential's first request; the request over the quota starts a block of
// one window in which every request of that credential is refused, even
// after the window it went over would have reset.
func TestLimits_rateLimitFixedWindowThenBlock(t *testing.T) {
	clock := newFakeClock()
	opts := defaultOptions()
	opts.Now = clock.Now
	opts.RateLimit = RateLimit{Requests: 3, Window: time.Hour}
	e := startEmulator(t, opts)
	coll := kindCases[0].coll(e.URL, acctA)
	key := map[string]string{"X-Auth-Email": testEmail, "X-Auth-Key": testKey}

	for i := 0; i < 3; i++ {
		r := do(t, "GET", coll, "", bearer)
		if r.status != 200 {
			t.Fatalf("request %d: %d", i, r.status)
		}
		wantQuota(t, r, 2-i, 3600-600*i, 3, 3600)
		clock.Add(10 * time.Minute)
	}
	// 30 minutes into the window, the fourth request goes over: a block of
	// a full hour from now, not the 30 minutes left of the window.
	r := do(t, "GET", coll, "", bearer)
	wantBlocked(t, r, 3600)
	wantQuota(t, r, 0, 3600, 3, 3600)
	if got := e.RateLimited(); got != 1 {
		t.Fatalf("RateLimited() = %d, want 1", got)
	}

	// 59 minutes on, the window has long reset but the block has not.
	clock.Add(59*time.Minute + 30*time.Second)
	r = do(t, "GET", coll, "", bearer)
	wantBlocked(t, r, 30)
	wantQuota(t, r, 0, 30, 3, 3600)
	// Every request of the credential: a create (not carried out), a bad
	// path, a malformed id.
	wantBlocked(t, do(t, "POST", coll, `{}`, bearer), 30)
	wantBlocked(t, do(t, "GET", e.URL+"/nowhere", "", bearer), 30)
	wantBlocked(t, do(t, "GET", kindCases[0].coll(e.URL, "bad"), "", bearer), 30)
	if e.AppCount() != 0 {
		t.Fatal("a rate-limited create was carried out")
	}
	// Other credentials have their own quota; a request with none is
	// charged to nobody and told of a fresh window.
	r = do(t, "GET", coll, "", key)
	if r.status != 200 {
		t.Fatalf("email/key credential: %d", r.status)
	}
	wantQuota(t, r, 2, 3600, 3, 3600)
	r = do(t, "GET", coll, "", nil)
	wantError(t, r, 400, 6003, "")
	wantQuota(t, r, 3, 3600, 3, 3600)
	r = do(t, "GET", coll, "", map[string]string{"Authorization": "Bearer wrong"})
	wantError(t, r, 403, 10000, "")
	wantQuota(t, r, 3, 3600, 3, 3600)

	// The block ends an hour after it began; the next request opens a new
	// window.
	clock.Add(30 * time.Second)
	for i := 0; i < 3; i++ {
		r := do(t, "GET", coll, "", bearer)
		if r.status != 200 {
			t.Fatalf("after the block, request %d: %d", i, r.status)
		}
		wantQuota(t, r, 2-i, 3600, 3, 3600)
	}
	wantBlocked(t, do(t, "GET", coll, "", bearer), 3600)

	if got := e.RateLimited(); got != 6 || e.Statuses()[429] != 6 {
		t.Fatalf("RateLimited() = %d, 429s %d; want 6 and 6", got, e.Statuses()[429])
	}
	// A fault's 429 is not the limiter's.
	clock.Add(2 * time.Hour)
	inject(t, e, Fault{Kind: FaultRateLimit, Count: 1, RetryAfter: 9})
	r = do(t, "GET", coll, "", bearer)
	wantBlocked(t, r, 9)
	wantQuota(t, r, 0, 9, 3, 3600)
	if got := e.RateLimited(); got != 6 {
		t.Fatalf("a fault counted as refused by the limiter: %d", got)
	}
	var doc struct {
		RateLimited int64 `json:"rate_limited"`
	}
	raw := do(t, "GET", strings.TrimSuffix(e.URL, APIPrefix)+AdminPrefix+"counters", "", nil).raw
	if err := json.Unmarshal(raw, &doc); err != nil || doc.RateLimited != 6 {
		t.Fatalf("admin counters %s: %v", raw, err)
	}
	e.ResetCounters()
	if e.RateLimited() != 0 {
		t.Fatal("ResetCounters kept the refused count")
	}
}

// A window that ends without going over is simply followed by a new one,
// opened by the next request, with its full quota.
func TestLimits_rateLimitWindowOpensAtFirstRequest(t *testing.T) {
	clock := newFakeClock()
	opts := defaultOptions()
	opts.Now = clock.Now
	opts.RateLimit = RateLimit{Requests: 2, Window: 10 * time.Second}
	e := startEmulator(t, opts)
	coll := kindCases[0].coll(e.URL, acctA)
	wantQuota(t, do(t, "GET", coll, "", bearer), 1, 10, 2, 10)
	clock.Add(9500 * time.Millisecond)
	wantQuota(t, do(t, "GET", coll, "", bearer), 0, 1, 2, 10)
	clock.Add(500 * time.Millisecond) // the window's end
	wantQuota(t, do(t, "GET", coll, "", bearer), 1, 10, 2, 10)
	clock.Add(25 * time.Second)
	wantQuota(t, do(t, "GET", coll, "", bearer), 1, 10, 2, 10)
	if e.RateLimited() != 0 {
		t.Fatalf("refused %d", e.RateLimited())
	}
}

// Many requests at once: exactly the quota gets through.
func TestLimits_rateLimitConcurrentRequestsNeverExceedQuota(t *testing.T) {
	opts := defaultOptions()
	opts.RateLimit = RateLimit{Requests: 20, Window: time.Hour}
	e := startEmulator(t, opts)
	coll := kindCases[0].coll(e.URL, acctA)
	var wg sync.WaitGroup
	statuses := make(chan int, 60)
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", coll, strings.NewReader(`{}`))
			req.Header.Set("Authorization", "Bearer "+testToken)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses <- res.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[201] != 20 || count[429] != 40 || e.AppCount() != 20 || e.RateLimited() != 40 {
		t.Fatalf("statuses %v, %d apps, %d refused; want 20 created and 40 refused", count, e.AppCount(), e.RateLimited())
	}
}

// On the real clock, with a short window: blocked, then through again.
func TestLimits_rateLimitRecoversAfterShortBlock(t *testing.T) {
	opts := defaultOptions()
	opts.RateLimit = RateLimit{Requests: 2, Window: 300 * time.Millisecond}
	e := startEmulator(t, opts)
	coll := kindCases[0].coll(e.URL, acctA)
	do(t, "GET", coll, "", bearer)
	do(t, "GET", coll, "", bearer)
	r := do(t, "GET", coll, "", bearer)
	wantBlocked(t, r, 1) // whole seconds, rounded up
	wantQuota(t, r, 0, 1, 2, 1)
	time.Sleep(350 * time.Millisecond)
	if r := do(t, "GET", coll, "", bearer); r.status != 200 {
		t.Fatalf("after the block: %d", r.status)
	}
}

func TestLimits_rateLimitDefaultsAndOff(t *testing.T) {
	l, err := newRateLimiter(RateLimit{}, time.Now)
	if err != nil || l.limit != 1200 || l.window != 5*time.Minute {
		t.Fatalf("default limiter %+v %v", l, err)
	}
	if got := startEmulator(t, defaultOptions()).RateLimit(); got != (RateLimit{Requests: 1200, Window: 5 * time.Minute}) {
		t.Fatalf("RateLimit() = %+v", got)
	}
	if l, err := newRateLimiter(RateLimit{Requests: 7}, time.Now); err != nil || l.limit != 7 || l.window != 5*time.Minute {
		t.Fatalf("requests only: %+v %v", l, err)
	}
	if l, err := newRateLimiter(RateLimit{Disabled: true, Requests: 1}, time.Now); err != nil || l != nil {
		t.Fatalf("disabled: %+v %v", l, err)
	}
	for _, bad := range []RateLimit{{Requests: -1}, {Window: -time.Second}} {
		if _, err := New(Options{Tokens: []string{"t"}, RateLimit: bad}); err == nil {
			t.Errorf("New accepted rate limit %+v", bad)
		}
	}
	opts := defaultOptions()
	opts.RateLimit = RateLimit{Disabled: true}
	e := startEmulator(t, opts)
	if e.limiter != nil || !e.RateLimit().Disabled {
		t.Fatal("Disabled left a limiter")
	}
	for i := 0; i < 50; i++ {
		r := do(t, "GET", kindCases[0].coll(e.URL, acctA), "", bearer)
		if r.status != 200 {
			t.Fatalf("request %d: %d", i, r.status)
		}
		if h := r.header.Get("Ratelimit") + r.header.Get("Ratelimit-Policy"); h != "" {
			t.Fatalf("no limit, but Ratelimit headers %q", h)
		}
	}
}

func TestLimits_parseRateLimit(t *testing.T) {
	for spec, want := range map[string]RateLimit{
		"100/10s":  {Requests: 100, Window: 10 * time.Second},
		"1200/5m":  {Requests: 1200, Window: 5 * time.Minute},
		"10/s":     {Requests: 10, Window: time.Second},
		" 3 / 1h ": {Requests: 3, Window: time.Hour},
		"5/.5s":    {Requests: 5, Window: 500 * time.Millisecond},
		"off":      {Disabled: true},
	} {
		if got, err := ParseRateLimit(spec); err != nil || got != want {
			t.Errorf("ParseRateLimit(%q) = %+v, %v; want %+v", spec, got, err, want)
		}
	}
	for _, spec := range []string{"", "100", "0/1s", "-1/1s", "x/1s", "10/0s", "10/abc", "10/", "on"} {
		if l, err := ParseRateLimit(spec); err == nil {
			t.Errorf("ParseRateLimit(%q) accepted: %+v", spec, l)
		}
	}
	if got := (RateLimit{}).String(); got != "1200/5m0s" {
		t.Errorf("default limit prints %q", got)
	}
	if got := (RateLimit{Disabled: true}).String(); got != "off" {
		t.Errorf("disabled limit prints %q", got)
	}
}

func TestLimits_latency(t *testing.T) {
	opts := defaultOptions()
	opts.Latency = 100 * time.Millisecond
	e := startEmulator(t, opts)
	start := time.Now()
	wantError(t, do(t, "GET", kindCases[0].coll(e.URL, acctA), "", nil), 400, 6003, "")
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("answered after %v, before the latency", d)
	}
	if _, err := New(Options{Tokens: []string{"t"}, Latency: -time.Second}); err == nil {
		t.Fatal("negative latency accepted")
	}
}
