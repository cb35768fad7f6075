package callsapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// retryPolicy is Config's retry settings with the defaults applied.
type retryPolicy struct {
	maxRetries  int // 0 when retries are off
	waitMin     time.Duration
	waitMax     time.Duration
	maxDuration time.Duration
}

func newRetryPolicy(cfg Config) (retryPolicy, error) {
	p := retryPolicy{maxRetries: cfg.MaxRetries, waitMin: cfg.RetryWaitMin, waitMax: cfg.RetryWaitMax, maxDuration: cfg.MaxRetryDuration}
	switch {
	case p.maxRetries == 0:
		p.maxRetries = DefaultMaxRetries
	case p.maxRetries < 0:
		p.maxRetries = 0
	}
	if p.waitMin == 0 {
		p.waitMin = DefaultRetryWaitMin
	}
	if p.waitMax == 0 {
		p.waitMax = max(DefaultRetryWaitMax, p.waitMin)
	}
	if p.maxDuration == 0 {
		p.maxDuration = DefaultMaxRetryDuration
	}
	switch {
	case p.waitMin < 0 || p.waitMax < 0 || p.maxDuration < 0:
		return p, errors.New("RetryWaitMin, RetryWaitMax and MaxRetryDuration must not be negative")
	case p.waitMin > p.waitMax:
		return p, fmt.Errorf("RetryWaitMin (%s) is greater than RetryWaitMax (%s)", p.waitMin, p.waitMax)
	}
	return p, nil
}

// answer is what one attempt brought back.
type answer struct {
	status int // 0 when no answer came
	header http.Header
	body   []byte
	// err is set when no answer came, or its body could not be read.
	err error
	// connected tells whether a connection to the API was made for the
	// attempt, that is whether the request may have reached it.
	connected bool
}

// call is what one call of the client is about.
type call struct {
	method, path string
	deadline     time.Time     // the end of its time budget
	budget       time.Duration // the budget, for messages
}

// Request is one call of a Cloudflare API below the client's base URL:
// Calls (whose answers carry "result") or RealtimeKit ("data").
type Request struct {
	Method string
	Path   string // below the base URL, query included
	Body   any    // sent as JSON when not nil
	// Out, when not nil, receives the answer's result (or data).
	Out any
	// Paging, when not nil, receives the answer's paging (RealtimeKit lists).
	Paging *Paging
	// Incomplete, when set, is asked after decoding whether the result lacks
	// something the API must send (a created object's id or secret); a
	// create that answers so may have been carried out (MaybeProcessed).
	Incomplete func() string
}

// Do runs one call: wait for the pacer, send, read the whole answer, tell
// the pacer, then decide: done, retry after a wait, or give up with the
// reason. A POST is a create (see send and worthRetry).
//
// The call's time budget (MaxRetryDuration, or less when ctx's deadline is
// sooner) covers everything: pacing, attempts and the waits between them.
func (c *Client) Do(ctx context.Context, r Request) error {
	var payload []byte
	if r.Body != nil {
		var err error
		if payload, err = json.Marshal(r.Body); err != nil {
			return fmt.Errorf("encoding request body: %w", err)
		}
	}
	method, path := r.Method, r.Path
	cl := call{method: method, path: path, budget: c.retry.maxDuration}
	cl.deadline = time.Now().Add(cl.budget)
	if d, ok := ctx.Deadline(); ok && d.Before(cl.deadline) {
		cl.deadline, cl.budget = d, time.Until(d).Round(100*time.Millisecond)
	}
	announce := func(h RateLimitHold) { c.onRateLimit(ctx, h) }
	for attempt := 1; ; attempt++ {
		ticket, err := c.paced(ctx, cl.deadline, announce)
		if err != nil {
			var held *RateLimitWaitError
			if errors.As(err, &held) {
				held.Method, held.Path, held.Attempts, held.Budget = method, path, attempt, cl.budget
				return held
			}
			return &TransportError{Method: method, Path: path, Err: err, Attempts: attempt}
		}
		start := time.Now()
		a := c.send(ctx, cl, payload)
		ticket.Done(a.status, a.header, announce)
		wait, gaveUp, blockedFor := c.next(ctx, cl, a, attempt)
		if c.onRequest != nil {
			c.onRequest(ctx, RequestInfo{Method: method, Path: path, StatusCode: a.status, Duration: time.Since(start),
				ErrorCodes: errorCodes(a.body), Err: a.err, Attempt: attempt, RetryIn: wait, Paced: ticket.Waited})
		}
		if wait == 0 {
			return result(cl, a, attempt, gaveUp, blockedFor, r)
		}
		if err := sleep(ctx, nil, wait); err != nil {
			// The caller gave up while waiting to retry: the attempt was
			// worth a retry, so it carried nothing out the caller must know of.
			return &TransportError{Method: method, Path: path, Err: err, Attempts: attempt}
		}
	}
}

// paced waits for the pacer, within the call's deadline.
func (c *Client) paced(ctx context.Context, deadline time.Time, announce func(RateLimitHold)) (*PaceTicket, error) {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	return c.pacer.Wait(ctx, announce)
}

// send makes one attempt and reads its whole answer.
//
// A create is the one call whose answer cannot be asked for again (it holds
// the secret): once its request may have reached the API (a connection was
// made for it), the caller's cancellation (Terraform's graceful stop) no
// longer cuts it, and it runs to its answer or to the end of the budget.
// Until then (dialling), cancelling stops it at once, as nothing was sent.
func (c *Client) send(ctx context.Context, cl call, payload []byte) answer {
	var connected atomic.Bool
	create := cl.method == http.MethodPost
	parent := ctx
	if create {
		parent = context.WithoutCancel(ctx)
	}
	actx, cancel := context.WithDeadline(parent, cl.deadline)
	defer cancel()
	if create {
		// A connection made after this check still counts as "maybe sent"
		// below, so a race here errs on the side of the search.
		defer context.AfterFunc(ctx, func() {
			if !connected.Load() {
				cancel()
			}
		})()
	}
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { connected.Store(true) }})

	req, err := http.NewRequestWithContext(actx, cl.method, c.base.String()+cl.path, bytes.NewReader(payload))
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
	c.auth(req.Header)
	if create && ctx.Err() != nil {
		return answer{err: ctx.Err()} // cancelled already: nothing goes out
	}

	resp, err := c.http.Do(req)
	a := answer{err: err}
	if resp != nil {
		a.status, a.header = resp.StatusCode, resp.Header
		a.body, err = io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
		resp.Body.Close()
		if err != nil {
			a.err = fmt.Errorf("reading response: %w", err)
		}
	}
	a.connected = connected.Load()
	return a
}

// next decides what follows an attempt: the wait before another (0: none),
// and when an answer worth a retry gets none, why (gaveUp) and, for a
// rate-limit block longer than the budget, how long it lasts (blockedFor).
func (c *Client) next(ctx context.Context, cl call, a answer, attempt int) (wait time.Duration, gaveUp string, blockedFor time.Duration) {
	if !worthRetry(ctx, cl.method, a) {
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
	// A retry must leave its attempt some time (RetryWaitMin's worth) before
	// the budget ends; otherwise the last answer is the better report.
	if !time.Now().Add(wait + c.retry.waitMin).After(cl.deadline) {
		return wait, "", 0
	}
	if after, ok := parseRetryAfter(retryAfter, time.Now()); ok && a.status == http.StatusTooManyRequests {
		return 0, fmt.Sprintf("the API's rate limit refuses every request of this credential for %s more (Retry-After), "+
			"and the call's time budget of %s would run out before another attempt", roundUp(after), cl.budget), after
	}
	return 0, fmt.Sprintf("the call's time budget of %s would run out before another attempt", cl.budget), 0
}

// worthRetry tells whether the attempt's failure is worth another attempt,
// before counting attempts and time. GET, PUT and DELETE may be repeated;
// a POST (create) only when the API provably did not carry it out: it
// answered 429, or no connection was ever made.
func worthRetry(ctx context.Context, method string, a answer) bool {
	if ctx.Err() != nil {
		return false // the caller gave up
	}
	repeatable := method != http.MethodPost
	if a.err != nil {
		return !isPermanent(a.err) && (repeatable || !a.connected)
	}
	switch a.status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return repeatable
	}
	return false
}

// isPermanent reports a transport error that another attempt cannot cure.
func isPermanent(err error) bool {
	var certErr *tls.CertificateVerificationError
	var authErr x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	return errors.As(err, &certErr) || errors.As(err, &authErr) || errors.As(err, &hostErr)
}

// result turns the call's last answer into its outcome.
func result(cl call, a answer, attempts int, gaveUp string, blockedFor time.Duration, r Request) error {
	isCreate := cl.method == http.MethodPost
	if a.err != nil {
		err := a.err
		if !time.Now().Before(cl.deadline) {
			err = fmt.Errorf("%w (the call's time budget of %s ran out)", err, cl.budget)
		}
		return &TransportError{Method: cl.method, Path: cl.path, Err: err, Attempts: attempts,
			MaybeProcessed: isCreate && a.connected, gaveUp: gaveUp}
	}
	apiErr := &Error{Method: cl.method, Path: cl.path, StatusCode: a.status, Attempts: attempts, gaveUp: gaveUp, blockedFor: blockedFor}
	success := a.status >= 200 && a.status <= 299
	// A create answered 2xx that cannot be used, or answered 5xx, may still
	// have created the object.
	maybeCreated := isCreate && (success || a.status >= 500)
	var env envelope
	err := json.Unmarshal(a.body, &env)
	if err == nil && env.Success == nil && env.Message != "" && !success {
		// RealtimeKit's bare {"message": "Unauthorized"}.
		env.Success, env.Error = new(bool), &Message{Code: a.status, Message: env.Message}
	}
	if err != nil || env.Success == nil {
		apiErr.Problem, apiErr.NotAPIAnswer = describeBadBody(a.header.Get("Content-Type"), a.body, err)
		apiErr.MaybeProcessed = maybeCreated
		return apiErr
	}
	apiErr.Errors, apiErr.Messages = env.errors(), env.Messages
	switch {
	case !success:
		apiErr.MaybeProcessed = maybeCreated
		return apiErr
	case !*env.Success:
		apiErr.Problem = "the API answered success: false"
		return apiErr
	case r.Out == nil:
		return nil
	}
	apiErr.MaybeProcessed = maybeCreated
	payload := env.Result
	if len(payload) == 0 {
		payload = env.Data
	}
	if len(payload) == 0 || string(payload) == "null" {
		apiErr.Problem = "the API answered success without a result"
		return apiErr
	}
	if err := json.Unmarshal(payload, r.Out); err != nil {
		apiErr.Problem = fmt.Sprintf("the result could not be decoded: %v", err)
		return apiErr
	}
	if r.Paging != nil && env.Paging != nil {
		*r.Paging = *env.Paging
	}
	if r.Incomplete != nil {
		if apiErr.Problem = r.Incomplete(); apiErr.Problem != "" {
			return apiErr
		}
	}
	return nil
}

// backoff is the wait before retry number retry (1 for the first).
//
// Without a usable Retry-After it grows exponentially with full jitter over
// [minWait, min(maxWait, minWait·2^retry)]: jitter is in [0, 1) and picks the
// point in that range. With Retry-After (delta seconds, or an HTTP date read
// against now) it is that long, at least minWait, plus up to minWait of
// jitter so that parallel clients told the same time do not return
// together; the server said when to come back, so maxWait does not cap it
// (the call's time budget still does).
func backoff(retry int, minWait, maxWait time.Duration, retryAfter string, now time.Time, jitter float64) time.Duration {
	jitter = min(max(jitter, 0), 1)
	if after, ok := parseRetryAfter(retryAfter, now); ok {
		return addCapped(max(after, minWait), jitter*float64(minWait), time.Duration(math.MaxInt64))
	}
	ceiling := minWait
	for i := 0; i < retry && ceiling < maxWait; i++ {
		ceiling *= 2
		if ceiling <= 0 { // overflow
			ceiling = maxWait
		}
	}
	ceiling = min(ceiling, maxWait)
	return addCapped(minWait, jitter*float64(ceiling-minWait), ceiling)
}

// addCapped is min(d+extra, limit), safe from overflow.
func addCapped(d time.Duration, extra float64, limit time.Duration) time.Duration {
	if d >= limit || float64(d)+extra >= float64(limit) {
		return limit
	}
	return d + time.Duration(extra)
}

// parseRetryAfter reads a Retry-After value: delta seconds or an HTTP date.
// A date in the past means no wait.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	const maxSecs = uint64(1<<63-1) / uint64(time.Second)
	secs, err := strconv.ParseUint(v, 10, 64)
	switch {
	case err == nil:
		return time.Duration(min(secs, maxSecs)) * time.Second, true
	case errors.Is(err, strconv.ErrRange):
		return time.Duration(maxSecs) * time.Second, true
	}
	when, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(when.Sub(now), 0), true
}
