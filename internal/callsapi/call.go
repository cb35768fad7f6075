package callsapi

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

type retryPolicy struct {
	maxRetries                    int // 0 when retries are off
	waitMin, waitMax, maxDuration time.Duration
}

func newRetryPolicy(cfg Config) (retryPolicy, error) {
	p := retryPolicy{max(cfg.MaxRetries, 0), cmp.Or(cfg.RetryWaitMin, DefaultRetryWaitMin), cfg.RetryWaitMax,
		cmp.Or(cfg.MaxRetryDuration, DefaultMaxRetryDuration)}
	if cfg.MaxRetries == 0 {
		p.maxRetries = DefaultMaxRetries
	}
	p.waitMax = cmp.Or(p.waitMax, max(DefaultRetryWaitMax, p.waitMin))
	switch {
	case p.waitMin < 0 || p.waitMax < 0 || p.maxDuration < 0 || cfg.RequestTimeout < 0:
		return p, errors.New("RetryWaitMin, RetryWaitMax, MaxRetryDuration and RequestTimeout must not be negative")
	case p.waitMin > p.waitMax:
		return p, fmt.Errorf("RetryWaitMin (%s) is greater than RetryWaitMax (%s)", p.waitMin, p.waitMax)
	}
	return p, nil
}

// Request is one call below the base URL: Calls answers carry "result", RealtimeKit ones "data".
type Request struct {
	Method string
	Path   string // query included
	Body   any    // sent as JSON when not nil
	Out    any    // when not nil, receives the answer's result or data
	Paging *Paging
	// Incomplete says what the decoded result lacks (a created object's id or secret), or "".
	Incomplete func() string
}

type call struct {
	Request
	deadline time.Time
	budget   time.Duration // for messages
}

// answer is what one attempt brought back.
type answer struct {
	status    int // 0 when no answer came
	header    http.Header
	body      []byte
	env       envelope
	envErr    error // why body is no JSON, if it is not
	err       error // no answer came, or its body broke off
	connected bool  // a connection was made: the request may have reached the API
}

// Do runs one call: wait for the pacer, send, read the whole answer, tell
// the pacer, then finish, retry after a wait, or give up with the reason.
// Its time budget (MaxRetryDuration, or ctx's deadline when sooner) covers
// it all. A POST is a create (see send and worthRetry).
func (c *Client) Do(ctx context.Context, r Request) error {
	var payload []byte
	if r.Body != nil {
		var err error
		if payload, err = json.Marshal(r.Body); err != nil {
			return fmt.Errorf("encoding request body: %w", err)
		}
	}
	cl := call{Request: r, budget: c.retry.maxDuration, deadline: time.Now().Add(c.retry.maxDuration)}
	if d, ok := ctx.Deadline(); ok && d.Before(cl.deadline) {
		cl.deadline, cl.budget = d, time.Until(d).Round(100*time.Millisecond)
	}
	paced, cancel := context.WithDeadline(ctx, cl.deadline) // the pacer holds no call past its budget
	defer cancel()
	announce := func(h RateLimitHold) { c.onRateLimit(ctx, h) }
	for attempt := 1; ; attempt++ {
		ticket, err := c.pacer.Wait(paced, announce)
		if err != nil {
			var held *RateLimitWaitError
			if errors.As(err, &held) {
				held.Method, held.Path, held.Attempts, held.Budget = r.Method, r.Path, attempt, cl.budget
				return held
			}
			return &Error{Method: r.Method, Path: r.Path, Err: err, Attempts: attempt}
		}
		start := time.Now()
		a := c.send(ctx, cl, payload)
		ticket.Done(a.status, a.header, announce)
		wait, gaveUp, blockedFor := c.next(ctx, cl, a, attempt)
		if c.onRequest != nil {
			c.onRequest(ctx, RequestInfo{Method: r.Method, Path: r.Path, StatusCode: a.status, Duration: time.Since(start),
				ErrorCodes: messageCodes(a.env.Errors), Err: a.err, Attempt: attempt, RetryIn: wait, Paced: ticket.Waited})
		}
		if wait == 0 {
			return result(cl, a, attempt, gaveUp, blockedFor)
		}
		if err := sleep(ctx, nil, wait); err != nil {
			// Cancelled while waiting to retry: the last attempt was worth
			// a retry, so it carried out nothing the caller must know of.
			return &Error{Method: r.Method, Path: r.Path, Err: err, Attempts: attempt}
		}
	}
}

// send makes one attempt and reads its whole answer. A create's answer
// holds the secret and cannot be asked for again: once a connection is made
// for it (it may have reached the API), the caller's cancellation
// (Terraform's graceful stop) no longer cuts it short of its answer or the
// budget's end; before that, cancelling stops it at once, as nothing was sent.
func (c *Client) send(ctx context.Context, cl call, payload []byte) answer {
	var connected atomic.Bool
	create := cl.Method == http.MethodPost
	parent := ctx
	if create {
		parent = context.WithoutCancel(ctx)
	}
	actx, cancel := context.WithDeadline(parent, cl.deadline)
	defer cancel()
	if create {
		// A connection made after this check still counts as "maybe sent",
		// so a race here errs on the side of the search.
		defer context.AfterFunc(ctx, func() {
			if !connected.Load() {
				cancel()
			}
		})()
	}
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { connected.Store(true) }})
	req, err := http.NewRequestWithContext(actx, cl.Method, c.base.String()+cl.Path, bytes.NewReader(payload))
	if err != nil {
		return answer{err: fmt.Errorf("building request: %w", err)}
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	maps.Copy(req.Header, c.auth)
	if create && ctx.Err() != nil {
		return answer{err: ctx.Err()} // cancelled already: nothing goes out
	}
	resp, err := c.http.Do(req)
	a := answer{err: err}
	if resp != nil {
		a.status, a.header = resp.StatusCode, resp.Header
		a.body, err = io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		resp.Body.Close()
		if err != nil {
			a.err = fmt.Errorf("reading response: %w", err)
		}
		a.envErr = json.Unmarshal(a.body, &a.env)
		if e := &a.env; e.Error != nil { // RealtimeKit's one error object
			e.Errors = append(e.Errors, *e.Error)
		} else if a.envErr == nil && e.Success == nil && e.Message != "" && a.status/100 != 2 { // its bare 401
			e.Success, e.Errors = new(bool), []Message{{Code: a.status, Message: e.Message}}
		}
	}
	a.connected = connected.Load()
	return a
}

// next decides what follows an attempt: the wait before another (0: none), and when an answer
// worth a retry gets none, why (gaveUp) and how long a block outlasting the budget holds (blockedFor).
func (c *Client) next(ctx context.Context, cl call, a answer, attempt int) (wait time.Duration, gaveUp string, blockedFor time.Duration) {
	if !worthRetry(ctx, cl.Method, a) {
		return 0, "", 0
	}
	if attempt > c.retry.maxRetries {
		if c.retry.maxRetries > 0 {
			gaveUp = "no retries left"
		}
		return 0, gaveUp, 0
	}
	var retryAfter string
	if a.status == http.StatusTooManyRequests || a.status == http.StatusServiceUnavailable {
		retryAfter = a.header.Get("Retry-After")
	}
	//nolint:gosec // jitter spreads retries; it needs no cryptographic randomness
	wait = backoff(attempt, c.retry.waitMin, c.retry.waitMax, retryAfter, time.Now(), rand.Float64())
	// A retry must leave its attempt RetryWaitMin before the budget ends;
	// otherwise the last answer is the better report.
	if !time.Now().Add(wait + c.retry.waitMin).After(cl.deadline) {
		return wait, "", 0
	}
	gaveUp = fmt.Sprintf("the call's time budget of %s would run out before another attempt", cl.budget)
	if after, ok := parseRetryAfter(retryAfter, time.Now()); ok && a.status == http.StatusTooManyRequests {
		return 0, fmt.Sprintf("the API's rate limit refuses every request of this credential for %s more (Retry-After), and %s",
			roundUp(after), gaveUp), after
	}
	return 0, gaveUp, 0
}

// worthRetry tells whether a failed attempt is worth another, before counting
// attempts and time. GET, PUT, PATCH and DELETE may be repeated; a POST
// (create) only if the API provably did not carry it out: a 429, or no connection.
func worthRetry(ctx context.Context, method string, a answer) bool {
	if ctx.Err() != nil {
		return false // the caller gave up
	}
	repeatable := method != http.MethodPost
	if a.err != nil {
		var certErr *tls.CertificateVerificationError // an unknown authority, a wrong host name: no retry helps
		return !errors.As(a.err, &certErr) && (repeatable || !a.connected)
	}
	switch a.status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return repeatable
	}
	return false
}

func result(cl call, a answer, attempts int, gaveUp string, blockedFor time.Duration) error {
	create := cl.Method == http.MethodPost
	apiErr := &Error{Method: cl.Method, Path: cl.Path, Err: a.err, Attempts: attempts, gaveUp: gaveUp, blockedFor: blockedFor}
	if a.err != nil {
		if !time.Now().Before(cl.deadline) {
			apiErr.Err = fmt.Errorf("%w (the call's time budget of %s ran out)", a.err, cl.budget)
		}
		apiErr.MaybeProcessed = create && a.connected
		return apiErr
	}
	apiErr.StatusCode = a.status
	success := a.status >= 200 && a.status <= 299
	apiErr.MaybeProcessed = create && (success || a.status >= 500)
	if a.envErr != nil || a.env.Success == nil {
		apiErr.Problem, apiErr.NotAPIAnswer = describeBadBody(a.header.Get("Content-Type"), a.body, a.envErr)
		return apiErr
	}
	apiErr.Errors, apiErr.Messages = a.env.Errors, a.env.Messages
	payload := a.env.Result
	if len(payload) == 0 {
		payload = a.env.Data
	}
	switch {
	case !success:
		return apiErr
	case !*a.env.Success:
		apiErr.Problem, apiErr.MaybeProcessed = "the API answered success: false", false
	case cl.Out == nil:
		return nil
	case len(payload) == 0 || string(payload) == "null":
		apiErr.Problem = "the API answered success without a result"
	default:
		if err := json.Unmarshal(payload, cl.Out); err != nil {
			apiErr.Problem = fmt.Sprintf("the result could not be decoded: %v", err)
		} else if cl.Incomplete != nil {
			apiErr.Problem = cl.Incomplete()
		}
	}
	if apiErr.Problem != "" {
		return apiErr
	}
	if cl.Paging != nil && a.env.Paging != nil {
		*cl.Paging = *a.env.Paging
	}
	return nil
}

// backoff is the wait before retry number retry (from 1): Retry-After (read
// against now) uncapped by maxWait, as the server said when, but at least
// minWait, plus up to minWait of jitter so that clients told the same time
// do not come back together; without one, exponential with full jitter over
// [minWait, min(maxWait, minWait·2^retry)].
func backoff(retry int, minWait, maxWait time.Duration, retryAfter string, now time.Time, jitter float64) time.Duration {
	jitter = min(max(jitter, 0), 1)
	if after, ok := parseRetryAfter(retryAfter, now); ok {
		return max(after, minWait) + time.Duration(jitter*float64(minWait))
	}
	ceiling := maxWait
	if retry < 63 && minWait <= maxWait>>retry {
		ceiling = minWait << retry
	}
	return ceiling - time.Duration((1-jitter)*float64(ceiling-minWait))
}

// parseRetryAfter reads a Retry-After value: seconds (at most a billion) or
// an HTTP date, a past one meaning no wait.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if secs, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return time.Duration(min(secs, 1e9)) * time.Second, true
	}
	when, err := http.ParseTime(v)
	return max(when.Sub(now), 0), err == nil
}

func accountPath(accountID, collection string) string {
	return "/accounts/" + url.PathEscape(accountID) + "/calls/" + collection
}

func objectPath(accountID, collection, id string) string {
	return accountPath(accountID, collection) + "/" + url.PathEscape(id)
}
