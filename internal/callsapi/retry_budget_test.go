package callsapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// A retry is started only when its wait leaves it RetryWaitMin of the call's
// time budget: one that would start with less is not sent, and the error
// says why the retries stopped. Waits are exactly 1 s here (RetryWaitMin =
// RetryWaitMax) in a budget of 2.5 s: the first retry starts at 1 s with
// 1.5 s left; a second would start at 2 s with 0.5 s left, less than the 1 s
// an attempt is given, so it is not made.
func TestRetry_noRetryStartsWithoutTimeForIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { testNoRetryStartsWithoutTimeForIt(t) })
}

func testNoRetryStartsWithoutTimeForIt(t *testing.T) {
	s := &script{answers: []scriptedAnswer{edgePage(http.StatusBadGateway, nil)}}
	c, rec := inMemoryClientWithRecorder(t, s, Config{MaxRetries: 10, RetryWaitMin: time.Second, RetryWaitMax: time.Second,
		MaxRetryDuration: 2500 * time.Millisecond})
	start := time.Now()
	_, err := c.List(context.Background(), Apps, account)
	elapsed := time.Since(start)

	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadGateway {
		t.Fatalf("error %v, want the last 502", err)
	}
	if n := len(s.seen()); n != 2 || apiErr.Attempts != 2 {
		t.Errorf("the server saw %d requests and the error counts %d attempts; want 2 (a third would start with 0.5 s of a 2.5 s budget left)", n, apiErr.Attempts)
	}
	wantAttempts(t, rec.all(), 2)
	if want := "gave up after 2 attempts: the call's time budget of 2.5s would run out before another attempt"; !strings.Contains(err.Error(), want) {
		t.Errorf("the error %q does not say %q", err, want)
	}
	if elapsed > 2*time.Second {
		t.Errorf("the call took %v; it should end with the second answer, at about 1 s", elapsed)
	}
}
