package callsapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
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

	"github.com/hashicorp/go-retryablehttp"
)

// retryPolicy is Config's retry settings with the defaults applied.
type retryPolicy struct {
	maxRetries  int // 0 when retries are off
	waitMin     time.Duration
	waitMax     time.Duration
	maxDuration time.Duration
}

func newRetryPolicy(cfg Config) (retryPolicy, error) {
	p := retryPolicy{
		maxRetries:  cfg.MaxRetries,
		waitMin:     cfg.RetryWaitMin,
		waitMax:     cfg.RetryWaitMax,
		maxDuration: cfg.MaxRetryDuration,
	}
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

// call is the state of one API call across its attempts. retryablehttp runs
// its hooks on the calling goroutine, one after the other; only the
// connection trace is read with an atomic, to stay clear of the transport.
type call struct {
	c        *Client
	policy   retryPolicy
	ctx      context.Context // the caller's
	method   string
	path     string
	deadline time.Time // end of the time budget

	attempt   int       // 1-based number of the current or last attempt
	start     time.Time // of the current attempt
	connected atomic.Bool
	wait      time.Duration // chosen by checkRetry for the coming retry
	last      outcome
	gaveUp    string // why no retry followed an outcome worth one; "" when none was needed
	// ticket is the pacer's for the current attempt, paceErr its refusal
	// (see pace), paced how long it held the attempt.
	ticket  *PaceTicket
	paceErr error
	paced   time.Duration
	// blockedFor is the Retry-After of a 429 that the budget could not wait out.
	blockedFor time.Duration
}

// outcome is what one attempt produced.
type outcome struct {
	status int
	header http.Header
	body   []byte
	// err is set when no answer came, or its body could not be read.
	err error
	// connected tells whether a connection to the API was established, that
	// is whether the request may have reached it.
	connected bool
}

func (c *Client) newCall(ctx context.Context, method, path string) *call {
	deadline := time.Now().Add(c.retry.maxDuration)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		// The caller's own deadline (a resource's timeouts) bounds the
		// budget; a create's attempts, detached from ctx, keep it too.
		deadline = d
	}
	return &call{c: c, policy: c.retry, ctx: ctx, method: method, path: path, deadline: deadline}
}

// attemptContext is the context of every attempt: the caller's, cut at the
// end of the time budget, with a trace that notes when a connection is made.
//
// A create is the exception: its answer holds the only copy of the secret,
// so once its request may have reached the API (a connection was made for
// it), the caller's cancellation (Terraform's graceful stop) no longer cuts
// it. The attempt then runs to its answer or to the end of the budget, and
// no retry follows it. Until a connection is made (dialling, or waiting to
// retry), cancelling stops the create at once, as nothing was sent.
func (cl *call) attemptContext() (context.Context, context.CancelFunc) {
	parent := cl.ctx
	if cl.method == http.MethodPost {
		parent = context.WithoutCancel(cl.ctx)
	}
	ctx, cancel := context.WithDeadline(parent, cl.deadline)
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { cl.connected.Store(true) },
	})
	if cl.method != http.MethodPost {
		return ctx, cancel
	}
	if cl.ctx.Err() != nil {
		// Cancelled already: AfterFunc would cancel from a goroutine of its
		// own, perhaps after the request has gone out.
		cancel()
		return ctx, cancel
	}
	stop := context.AfterFunc(cl.ctx, func() {
		// A connection made after this check still counts as "maybe sent"
		// in the outcome, so a race here errs on the side of the search.
		if !cl.connected.Load() {
			cancel()
		}
	})
	return ctx, func() { stop(); cancel() }
}

func (cl *call) budgetSpent() bool { return !time.Now().Before(cl.deadline) }

// retryClient is a retryablehttp client bound to this call: its hooks are
// closures over the call, because CheckRetry and Backoff are not told which
// request they are about when no response arrived.
func (cl *call) retryClient() *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   cl.pacedHTTPClient(),
		Logger:       nil, // its default logger prints URLs to stderr
		RetryWaitMin: cl.policy.waitMin,
		RetryWaitMax: cl.policy.waitMax,
		RetryMax:     cl.policy.maxRetries,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, _ int) {
			cl.attempt++
			cl.connected.Store(false)
			cl.pace(req.Context())
			cl.start = time.Now()
		},
		CheckRetry: cl.checkRetry,
		Backoff: func(time.Duration, time.Duration, int, *http.Response) time.Duration {
			return cl.wait
		},
		// Hand back whatever the last attempt left; result() reads cl.last.
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) { return resp, err },
	}
}

// checkRetry records the attempt (reading the whole body, so that a broken
// body counts as a failed attempt), reports it, and decides on a retry.
func (cl *call) checkRetry(_ context.Context, resp *http.Response, err error) (bool, error) {
	cl.answered(resp) // in case the transport was never reached
	o := outcome{err: err, connected: cl.connected.Load()}
	if resp != nil {
		o.status, o.header = resp.StatusCode, resp.Header
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		o.body = body
		if rerr != nil && o.err == nil {
			o.err = fmt.Errorf("reading response: %w", rerr)
		}
	}
	cl.last = o

	retry, wait := cl.shouldRetry(o), time.Duration(0)
	cl.gaveUp = ""
	if retry {
		var retryAfter string
		if o.status == http.StatusTooManyRequests || o.status == http.StatusServiceUnavailable {
			retryAfter = o.header.Get("Retry-After")
		}
		//nolint:gosec // jitter spreads retries; it needs no cryptographic randomness
		wait = backoff(cl.attempt, cl.policy.waitMin, cl.policy.waitMax, retryAfter, time.Now(), rand.Float64())
		// A retry must leave its attempt some time (RetryWaitMin's worth)
		// before the budget ends; otherwise the last answer is the better report.
		switch {
		case cl.attempt > cl.policy.maxRetries:
			retry, wait = false, 0
			if cl.policy.maxRetries > 0 {
				cl.gaveUp = "no retries left"
			}
		case time.Now().Add(wait+cl.policy.waitMin).After(cl.deadline) && o.status == http.StatusTooManyRequests && retryAfter != "":
			after, _ := parseRetryAfter(retryAfter, time.Now())
			retry, wait, cl.blockedFor = false, 0, after
			cl.gaveUp = fmt.Sprintf("the API's rate limit refuses every request of this credential for %s more (Retry-After), "+
				"and the call's time budget of %s would run out before another attempt", roundUp(after), cl.policy.maxDuration)
		case time.Now().Add(wait + cl.policy.waitMin).After(cl.deadline):
			retry, wait = false, 0
			cl.gaveUp = fmt.Sprintf("the call's time budget of %s would run out before another attempt", cl.policy.maxDuration)
		}
	}
	cl.wait = wait
	if retry {
		// The attempt is over: until the next one connects, a cancelled
		// create has sent nothing more and may stop at once.
		cl.connected.Store(false)
	}

	if cl.c.onRequest != nil {
		cl.c.onRequest(cl.ctx, RequestInfo{
			Method:     cl.method,
			Path:       cl.path,
			StatusCode: o.status,
			Duration:   time.Since(cl.start),
			ErrorCodes: errorCodes(o.body),
			Err:        o.err,
			Attempt:    cl.attempt,
			RetryIn:    wait,
			Paced:      cl.paced,
		})
	}
	return retry, nil
}

// shouldRetry tells whether the attempt's failure is worth another attempt,
// before counting attempts and time. GET, PUT and DELETE may be repeated;
// a POST (create) only when the API provably did not carry it out: it
// answered 429, or no connection was ever made.
func (cl *call) shouldRetry(o outcome) bool {
	if cl.ctx.Err() != nil {
		return false // the caller gave up
	}
	repeatable := cl.method != http.MethodPost
	if o.err != nil {
		var held *RateLimitWaitError
		if isPermanent(o.err) || errors.As(o.err, &held) {
			return false
		}
		return repeatable || !o.connected
	}
	switch o.status {
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

// backoff is the wait before retry number retry (1 for the first).
//
// Without a usable Retry-After it grows exponentially with full jitter over
// [minWait, min(maxWait, minWait·2^retry)]: jitter is in [0, 1) and picks the
// point in that range. With Retry-After (delta seconds, or an HTTP date read
// against now) it is that long, at least minWait, plus up to minWait of
// jitter so that parallel clients told the same time do not return
// together. Either way it never exceeds maxWait.
func backoff(retry int, minWait, maxWait time.Duration, retryAfter string, now time.Time, jitter float64) time.Duration {
	jitter = min(max(jitter, 0), 1)
	if after, ok := parseRetryAfter(retryAfter, now); ok {
		// The server said when to come back: waiting less only earns another
		// 429, so Retry-After is not capped by maxWait. The call's time
		// budget still applies: a wait past it ends the retries at once.
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
