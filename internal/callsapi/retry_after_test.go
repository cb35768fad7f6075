package callsapi

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// script answers the requests it is sent, in order, with the answers it
// holds (the last one again once they run out), and notes when each arrived.
type script struct {
	answers []scriptedAnswer

	mu       sync.Mutex
	arrivals []time.Time
}

type scriptedAnswer struct {
	status  int
	headers map[string]string
	body    string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	s.mu.Lock()
	n := len(s.arrivals)
	s.arrivals = append(s.arrivals, time.Now())
	s.mu.Unlock()
	a := s.answers[min(n, len(s.answers)-1)]
	w.Header().Set("Content-Type", "application/json")
	for k, v := range a.headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

func (s *script) seen() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.arrivals...)
}

// edgePage is a 5xx as Cloudflare's edge sends it: an HTML page.
func edgePage(status int, headers map[string]string) scriptedAnswer {
	if headers == nil {
		headers = map[string]string{}
	}
	headers["Content-Type"] = "text/html"
	return scriptedAnswer{status: status, headers: headers, body: "<html><body>error</body></html>"}
}

const emptyList = `{"success":true,"errors":[],"messages":[],"result":[]}`

// A 503 that says when to come back (Retry-After) is waited for that long,
// although the client's own backoff would retry much sooner: coming back
// earlier only earns another 503 from an API that is shedding load.
func TestRetry_retryAfterOn503IsHonoured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { testRetryAfterOn503IsHonoured(t) })
}

func testRetryAfterOn503IsHonoured(t *testing.T) {
	s := &script{answers: []scriptedAnswer{
		edgePage(http.StatusServiceUnavailable, map[string]string{"Retry-After": "2"}),
		{status: http.StatusOK, body: emptyList},
	}}
	c, rec := inMemoryClientWithRecorder(t, s, Config{RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 20 * time.Millisecond})
	if _, err := c.List(context.Background(), Apps, account); err != nil {
		t.Fatalf("the list did not survive one 503: %v", err)
	}
	arrivals := s.seen()
	if len(arrivals) != 2 {
		t.Fatalf("the server saw %d requests, want 2 (the 503 and its retry)", len(arrivals))
	}
	if gap := arrivals[1].Sub(arrivals[0]); gap < 2*time.Second {
		t.Errorf("the retry came %v after the 503 that said Retry-After: 2", gap)
	}
	infos := rec.all()
	wantAttempts(t, infos, 2)
	if wait := infos[0].RetryIn; wait < 2*time.Second || wait > 2*time.Second+10*time.Millisecond {
		t.Errorf("the wait reported after the 503 is %v, want 2s plus at most RetryWaitMin of jitter", wait)
	}
}

// A Retry-After on a 503 is honoured as an HTTP date too.
func TestRetry_retryAfterDateOn503IsHonoured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { testRetryAfterDateOn503IsHonoured(t) })
}

func testRetryAfterDateOn503IsHonoured(t *testing.T) {
	when := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	s := &script{answers: []scriptedAnswer{
		edgePage(http.StatusServiceUnavailable, map[string]string{"Retry-After": when}),
		{status: http.StatusOK, body: emptyList},
	}}
	c := inMemoryClient(t, s, Config{RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 20 * time.Millisecond})
	if _, err := c.List(context.Background(), Apps, account); err != nil {
		t.Fatal(err)
	}
	arrivals := s.seen()
	// The date has a resolution of one second: at least 2 s of the 3 remain.
	if len(arrivals) != 2 || arrivals[1].Sub(arrivals[0]) < 2*time.Second {
		t.Fatalf("arrivals %v: want the retry after the date in Retry-After (%s)", arrivals, when)
	}
}
