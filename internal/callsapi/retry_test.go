package callsapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator/emulatortest"
)

const (
	appsRoute = "/accounts/{account_id}/calls/apps"
	appRoute  = "/accounts/{account_id}/calls/apps/{app_id}"
	keysRoute = "/accounts/{account_id}/calls/turn_keys"
)

func startEmulator(t *testing.T) *emulator.Running {
	t.Helper()
	em, err := emulator.Start(emulator.Options{Tokens: []string{"tok"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Close)
	return em
}

// recorder collects what OnRequest reports.
type recorder struct {
	mu    sync.Mutex
	infos []RequestInfo
}

func (r *recorder) onRequest(_ context.Context, info RequestInfo) {
	r.mu.Lock()
	r.infos = append(r.infos, info)
	r.mu.Unlock()
}

func (r *recorder) all() []RequestInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]RequestInfo(nil), r.infos...)
}

// emulatorClient is a fresh client (with its own connections) for em.
func emulatorClient(t *testing.T, em *emulator.Running, cfg Config) (*Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	cfg.BaseURL = em.URL
	cfg.OnRequest = rec.onRequest
	return newClient(t, cfg), rec
}

func injectFault(t *testing.T, em *emulator.Running, f emulator.Fault) {
	t.Helper()
	if err := em.InjectFault(f); err != nil {
		t.Fatal(err)
	}
}

// wantAttempts checks that OnRequest saw attempts 1..n, each but the last
// followed by a retry.
func wantAttempts(t *testing.T, infos []RequestInfo, n int) {
	t.Helper()
	if len(infos) != n {
		t.Fatalf("OnRequest called %d times, want %d: %+v", len(infos), n, infos)
	}
	for i, info := range infos {
		if info.Attempt != i+1 {
			t.Errorf("report %d has Attempt %d", i, info.Attempt)
		}
		if last := i == n-1; last != (info.RetryIn == 0) {
			t.Errorf("attempt %d: RetryIn %v", info.Attempt, info.RetryIn)
		}
	}
}

// faultCases are the faults a read, rename or delete survives.
var faultCases = []struct {
	name  string
	fault emulator.Fault
}{
	{"rate limit", emulator.Fault{Kind: emulator.FaultRateLimit}},
	{"500", emulator.Fault{Kind: emulator.FaultStatus, Status: 500}},
	{"502", emulator.Fault{Kind: emulator.FaultStatus, Status: 502}},
	{"503", emulator.Fault{Kind: emulator.FaultStatus, Status: 503}},
	{"504", emulator.Fault{Kind: emulator.FaultStatus, Status: 504}},
	{"reset", emulator.Fault{Kind: emulator.FaultReset}},
	{"timeout", emulator.Fault{Kind: emulator.FaultDelay, Delay: 400 * time.Millisecond}},
	{"answer dropped", emulator.Fault{Kind: emulator.FaultDropAfter}},
}

func TestRetry_idempotentCallsSurviveFaults(t *testing.T) {
	ops := []struct {
		method, route string
		call          func(c *Client, em *emulator.Running, uid string) error
	}{
		{"GET", appRoute, func(c *Client, _ *emulator.Running, uid string) error {
			app, err := c.Get(context.Background(), Apps, account, uid)
			if err == nil && app.UID != uid {
				err = fmt.Errorf("got app %+v", app)
			}
			return err
		}},
		{"GET", appsRoute, func(c *Client, _ *emulator.Running, _ string) error {
			apps, err := c.List(context.Background(), Apps, account)
			if err == nil && len(apps) != 1 {
				err = fmt.Errorf("got %d apps", len(apps))
			}
			return err
		}},
		{"PUT", appRoute, func(c *Client, em *emulator.Running, uid string) error {
			if _, err := c.Rename(context.Background(), Apps, account, uid, "renamed"); err != nil {
				return err
			}
			if name := em.Apps(account)[0].Name; name != "renamed" {
				return fmt.Errorf("name %q after the rename", name)
			}
			return nil
		}},
		{"DELETE", appRoute, func(c *Client, em *emulator.Running, uid string) error {
			if err := c.Delete(context.Background(), Apps, account, uid); err != nil {
				return err
			}
			if em.AppCount() != 0 {
				return errors.New("the app is still there")
			}
			return nil
		}},
	}
	const faults = 2
	for _, op := range ops {
		for _, fc := range faultCases {
			if op.method == "DELETE" && fc.fault.Kind == emulator.FaultDropAfter {
				continue // see TestRetry_deleteWhoseAnswerWasLost
			}
			t.Run(op.method+" "+op.route+"/"+fc.name, func(t *testing.T) {
				t.Parallel()
				em := startEmulator(t)
				app, err := em.CreateApp(account, "app")
				if err != nil {
					t.Fatal(err)
				}
				f := fc.fault
				f.Method, f.Route, f.Count = op.method, op.route, faults
				injectFault(t, em, f)
				c, rec := emulatorClient(t, em, Config{RequestTimeout: 150 * time.Millisecond})
				if err := op.call(c, em, app.UID); err != nil {
					t.Fatalf("after %d faults: %v", faults, err)
				}
				if n := em.Counters()[op.method+" "+op.route]; n != faults+1 {
					t.Fatalf("the emulator saw %d attempts, want %d", n, faults+1)
				}
				wantAttempts(t, rec.all(), faults+1)
			})
		}
	}
}

func TestRetry_deleteWhoseAnswerWasLost(t *testing.T) {
	em := startEmulator(t)
	app, err := em.CreateApp(account, "app")
	if err != nil {
		t.Fatal(err)
	}
	injectFault(t, em, emulator.Fault{Kind: emulator.FaultDropAfter, Method: "DELETE", Count: 1})
	c, _ := emulatorClient(t, em, Config{})
	err = c.Delete(context.Background(), Apps, account, app.UID)
	// The first attempt deleted the app; the retry finds it gone.
	if !IsNotFound(err) || em.AppCount() != 0 {
		t.Fatalf("want 404 from the retry, got %v", err)
	}
	var apiErr *Error
	if errors.As(err, &apiErr); apiErr.Attempts != 2 || MaybeProcessed(err) || !strings.HasSuffix(err.Error(), "App not found (after 2 attempts)") {
		t.Fatalf("error %v", err)
	}
}

func TestRetry_createRetriedOnRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { testCreateRetriedOnRateLimit(t) })
}

func testCreateRetriedOnRateLimit(t *testing.T) {
	em := memoryEmulator(t, emulator.Fault{Kind: emulator.FaultRateLimit, Method: "POST", Route: appsRoute, Count: 2})
	c, rec := inMemoryClientWithRecorder(t, em, Config{})
	app, err := c.Create(context.Background(), Apps, account, "a")
	if err != nil {
		t.Fatal(err)
	}
	if em.AppCount() != 1 || em.Apps(account)[0].UID != app.UID || app.Secret == "" {
		t.Fatalf("apps %+v, created %+v", em.Apps(account), app)
	}
	if n := em.Counters()["POST "+appsRoute]; n != 3 {
		t.Fatalf("%d POSTs, want 3", n)
	}
	infos := rec.all()
	wantAttempts(t, infos, 3)
	for _, info := range infos[:2] {
		if info.StatusCode != 429 || fmt.Sprint(info.ErrorCodes) != "[971]" {
			t.Errorf("rate-limited attempt reported as %+v", info)
		}
	}
}

// failingDialer refuses the first n dials, as a port nobody listens on does.
type failingDialer struct {
	n     int32
	dials atomic.Int32
}

func (d *failingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if d.dials.Add(1) <= d.n {
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, addr)
}

func TestRetry_createRetriedWhenNoConnectionWasMade(t *testing.T) {
	em := startEmulator(t)
	dialer := &failingDialer{n: 2}
	c, rec := emulatorClient(t, em, Config{HTTPClient: &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}})
	key, err := c.Create(context.Background(), TURNKeys, account, "k")
	if err != nil {
		t.Fatal(err)
	}
	if key.Secret == "" || em.TURNKeyCount() != 1 {
		t.Fatalf("key %+v, %d keys", key, em.TURNKeyCount())
	}
	if n := em.Counters()["POST "+keysRoute]; n != 1 {
		t.Fatalf("%d POSTs reached the emulator, want 1", n)
	}
	if n := dialer.dials.Load(); n != 3 {
		t.Fatalf("%d dials, want 3", n)
	}
	infos := rec.all()
	wantAttempts(t, infos, 3)
	if infos[0].Err == nil || infos[0].StatusCode != 0 {
		t.Fatalf("failed dial reported as %+v", infos[0])
	}

	// Nobody ever listens: the create gives up, provably not carried out.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c = newClient(t, Config{BaseURL: "http://" + addr + "/client/v4", MaxRetries: 2})
	_, err = c.Create(context.Background(), Apps, account, "a")
	var te *Error
	if !noAnswer(err, &te) || te.Attempts != 3 || MaybeProcessed(err) || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Fatalf("want no answer (an Error with Err) after 3 attempts, not maybe processed; got %v", err)
	}
}

// TestRetry_createNeverRepeatedOnceItMayHaveArrived: a create that may have
// reached the API is not retried, and its error says so.
func TestRetry_createNeverRepeatedOnceItMayHaveArrived(t *testing.T) {
	cases := []struct {
		name        string
		fault       emulator.Fault
		wantStatus  int // 0: no answer (Err set)
		carriedOut  bool
		maybeDoneOK bool // MaybeProcessed(err)
	}{
		{"500", emulator.Fault{Kind: emulator.FaultStatus, Status: 500}, 500, false, true},
		{"502", emulator.Fault{Kind: emulator.FaultStatus, Status: 502}, 502, false, true},
		{"503", emulator.Fault{Kind: emulator.FaultStatus, Status: 503}, 503, false, true},
		{"504", emulator.Fault{Kind: emulator.FaultStatus, Status: 504}, 504, false, true},
		{"reset", emulator.Fault{Kind: emulator.FaultReset}, 0, false, true},
		{"answer dropped after the create", emulator.Fault{Kind: emulator.FaultDropAfter}, 0, true, true},
		{"timeout", emulator.Fault{Kind: emulator.FaultDelay, Delay: 400 * time.Millisecond}, 0, true, true},
		{"malformed JSON", emulator.Fault{Kind: emulator.FaultMalformedJSON}, 200, false, true},
		{"success false", emulator.Fault{Kind: emulator.FaultSuccessFalse}, 200, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			em := startEmulator(t)
			f := tc.fault
			f.Method, f.Route, f.Count = "POST", appsRoute, 1 // a retry would succeed
			injectFault(t, em, f)
			c, rec := emulatorClient(t, em, Config{RequestTimeout: 150 * time.Millisecond})
			app, err := c.Create(context.Background(), Apps, account, "a")
			if err == nil {
				t.Fatalf("created %+v", app)
			}
			if n := em.Counters()["POST "+appsRoute]; n != 1 {
				t.Fatalf("%d POSTs reached the emulator, want exactly 1", n)
			}
			wantAttempts(t, rec.all(), 1)
			if MaybeProcessed(err) != tc.maybeDoneOK {
				t.Fatalf("MaybeProcessed = %v for %v", MaybeProcessed(err), err)
			}
			if tc.maybeDoneOK && !strings.Contains(err.Error(), "may have carried out") {
				t.Errorf("error does not say the create may have happened: %v", err)
			}
			var apiErr *Error
			var te *Error
			switch {
			case tc.wantStatus == 0 && noAnswer(err, &te):
				if te.Attempts != 1 {
					t.Errorf("Attempts %d", te.Attempts)
				}
			case tc.wantStatus != 0 && errors.As(err, &apiErr):
				if apiErr.StatusCode != tc.wantStatus || apiErr.Attempts != 1 {
					t.Errorf("error %+v", apiErr)
				}
			default:
				t.Fatalf("unexpected error %T %v", err, err)
			}
			if tc.carriedOut {
				emulatortest.WaitFor(t, func() bool { return em.AppCount() == 1 })
			} else if em.AppCount() != 0 {
				t.Fatal("the emulator created an app")
			}
		})
	}
}

func TestRetry_exhausted(t *testing.T) {
	t.Run("503 on a read", func(t *testing.T) {
		em := startEmulator(t)
		injectFault(t, em, emulator.Fault{Kind: emulator.FaultStatus, Status: 503})
		c, rec := emulatorClient(t, em, Config{MaxRetries: 3})
		_, err := c.List(context.Background(), Apps, account)
		var apiErr *Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || apiErr.Attempts != 4 || !strings.Contains(apiErr.Problem, "HTML") || apiErr.MaybeProcessed {
			t.Fatalf("error %#v", err)
		}
		if !strings.Contains(err.Error(), "HTTP 503 Service Unavailable") || !strings.Contains(err.Error(), "gave up after 4 attempts") {
			t.Fatalf("message %q", err)
		}
		if n := em.Counters()["GET "+appsRoute]; n != 4 {
			t.Fatalf("%d attempts reached the emulator", n)
		}
		wantAttempts(t, rec.all(), 4)
	})
	t.Run("429 on a create", func(t *testing.T) { synctest.Test(t, test429OnACreateExhausted) })
	t.Run("resets on a rename", func(t *testing.T) {
		em := startEmulator(t)
		app, _ := em.CreateApp(account, "a")
		injectFault(t, em, emulator.Fault{Kind: emulator.FaultReset})
		c, _ := emulatorClient(t, em, Config{MaxRetries: 2})
		_, err := c.Rename(context.Background(), Apps, account, app.UID, "b")
		var te *Error
		if !noAnswer(err, &te) || te.Attempts != 3 || MaybeProcessed(err) {
			t.Fatalf("error %#v", err)
		}
		if n := em.Counters()["PUT "+appRoute]; n != 3 {
			t.Fatalf("%d PUTs", n)
		}
	})
	t.Run("no retries", func(t *testing.T) {
		em := startEmulator(t)
		injectFault(t, em, emulator.Fault{Kind: emulator.FaultStatus, Status: 503, Count: 1})
		c, rec := emulatorClient(t, em, Config{MaxRetries: NoRetries})
		_, err := c.List(context.Background(), Apps, account)
		var apiErr *Error
		if !errors.As(err, &apiErr) || apiErr.Attempts != 1 || strings.Contains(err.Error(), "gave up") {
			t.Fatalf("error %v", err)
		}
		wantAttempts(t, rec.all(), 1)
	})
}

// A create refused with 429 on every attempt is retried until no retry is
// left, and reported as not carried out.
func test429OnACreateExhausted(t *testing.T) {
	em := memoryEmulator(t, emulator.Fault{Kind: emulator.FaultRateLimit})
	c := inMemoryClient(t, em, Config{MaxRetries: 2})
	_, err := c.Create(context.Background(), Apps, account, "a")
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || fmt.Sprint(messageCodes(apiErr.Errors)) != "[971]" || apiErr.Attempts != 3 || MaybeProcessed(err) {
		t.Fatalf("error %#v", err)
	}
	if n := em.Counters()["POST "+appsRoute]; n != 3 || em.AppCount() != 0 {
		t.Fatalf("%d POSTs, %d apps", n, em.AppCount())
	}
}

func TestRetry_maxRetryDuration(t *testing.T) {
	t.Run("stops retrying when the budget is spent", func(t *testing.T) {
		em := startEmulator(t)
		injectFault(t, em, emulator.Fault{Kind: emulator.FaultStatus, Status: 502})
		c, rec := emulatorClient(t, em, Config{MaxRetries: 1000, RetryWaitMin: 40 * time.Millisecond, RetryWaitMax: 40 * time.Millisecond,
			MaxRetryDuration: 300 * time.Millisecond})
		start := time.Now()
		_, err := c.List(context.Background(), Apps, account)
		elapsed := time.Since(start)
		var apiErr *Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 502 {
			t.Fatalf("error %v", err)
		}
		// 40ms waits in a 300ms budget leave room for at most 8 attempts.
		if apiErr.Attempts < 2 || apiErr.Attempts > 8 {
			t.Fatalf("%d attempts", apiErr.Attempts)
		}
		if n := em.Counters()["GET "+appsRoute]; n != int64(apiErr.Attempts) {
			t.Fatalf("emulator saw %d attempts, the error says %d", n, apiErr.Attempts)
		}
		wantAttempts(t, rec.all(), apiErr.Attempts)
		if elapsed > 5*time.Second {
			t.Fatalf("gave up after %v", elapsed)
		}
	})
	t.Run("does not wait for a Retry-After beyond the budget", func(t *testing.T) {
		em := startEmulator(t)
		injectFault(t, em, emulator.Fault{Kind: emulator.FaultRateLimit, RetryAfter: 30})
		c, rec := emulatorClient(t, em, Config{RetryWaitMin: time.Millisecond, RetryWaitMax: time.Minute, MaxRetryDuration: 500 * time.Millisecond})
		start := time.Now()
		_, err := c.List(context.Background(), Apps, account)
		var apiErr *Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Attempts != 1 ||
			!strings.Contains(err.Error(), "gave up after 1 attempt: the API's rate limit refuses every request of this credential for 30s more (Retry-After), and the call's time budget of 500ms would run out") {
			t.Fatalf("error %v", err)
		}
		if wait, ok := RateLimitedFor(err); !ok || wait != 30*time.Second {
			t.Errorf("RateLimitedFor = %s, %v; want 30s, true", wait, ok)
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("waited for the Retry-After")
		}
		wantAttempts(t, rec.all(), 1)
	})
	t.Run("cuts an attempt still running at its end", func(t *testing.T) {
		em := startEmulator(t)
		injectFault(t, em, emulator.Fault{Kind: emulator.FaultDelay, Delay: 5 * time.Second})
		c, _ := emulatorClient(t, em, Config{RequestTimeout: 10 * time.Second, MaxRetryDuration: 200 * time.Millisecond})
		start := time.Now()
		_, err := c.Get(context.Background(), Apps, account, strings.Repeat("a", 32))
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "time budget of 200ms") {
			t.Fatalf("error %v", err)
		}
		if time.Since(start) > 4*time.Second {
			t.Fatal("the attempt was not cut")
		}
	})
}

func TestRetry_callerCancels(t *testing.T) {
	t.Run("while waiting to retry", func(t *testing.T) {
		em := startEmulator(t)
		injectFault(t, em, emulator.Fault{Kind: emulator.FaultRateLimit, RetryAfter: 30})
		// A budget long enough that the 30 s Retry-After (plus up to 20 s of
		// jitter) is waited for, so that the caller's cancel interrupts it.
		c, _ := emulatorClient(t, em, Config{RetryWaitMin: 20 * time.Second, RetryWaitMax: 30 * time.Second, MaxRetryDuration: 5 * time.Minute})
		// Cancelled, not a deadline: a deadline is the call's budget, and
		// one shorter than the Retry-After ends the call at once.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.Create(ctx, Apps, account, "a")
		var te *Error
		if !noAnswer(err, &te) || !errors.Is(err, context.Canceled) || te.Attempts != 1 || MaybeProcessed(err) {
			t.Fatalf("error %#v", err)
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("the wait was not interrupted")
		}
	})
	// A create in flight when the caller cancels is seen through: see
	// TestCreate_cancelledCaller in create_outcome_test.go.
}

// truncating answers with a body shorter than its Content-Length on the
// first n requests, then normally.
type truncating struct {
	n, seen atomic.Int32
	status  int
	body    string
}

func (h *truncating) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.seen.Add(1) <= h.n.Load() {
		w.Header().Set("Content-Length", strconv.Itoa(len(h.body)+100))
		w.WriteHeader(h.status)
		w.Write([]byte(h.body[:10]))
		return
	}
	w.WriteHeader(h.status)
	w.Write([]byte(h.body))
}

func TestRetry_answerBrokenOff(t *testing.T) {
	list := `{"success":true,"errors":[],"messages":[],"result":[]}`
	h := &truncating{status: 200, body: list}
	h.n.Store(2)
	c, rec := newTestClientWithRecorder(t, h, Config{})
	if _, err := c.List(context.Background(), Apps, account); err != nil {
		t.Fatal(err)
	}
	if n := h.seen.Load(); n != 3 {
		t.Fatalf("%d attempts", n)
	}
	infos := rec.all()
	wantAttempts(t, infos, 3)
	if infos[0].StatusCode != 200 || infos[0].Err == nil {
		t.Fatalf("broken answer reported as %+v", infos[0])
	}

	// A create whose answer breaks off was carried out: never repeated.
	created := `{"success":true,"errors":[],"messages":[],"result":{"uid":"` + strings.Repeat("c", 32) + `","secret":"` + strings.Repeat("d", 64) + `"}}`
	h = &truncating{status: 201, body: created}
	h.n.Store(1)
	c, _ = newTestClientWithRecorder(t, h, Config{})
	_, err := c.Create(context.Background(), Apps, account, "a")
	var te *Error
	if !noAnswer(err, &te) || !te.MaybeProcessed || te.Attempts != 1 || h.seen.Load() != 1 {
		t.Fatalf("error %#v after %d requests", err, h.seen.Load())
	}
}

func newTestClientWithRecorder(t *testing.T, h http.Handler, cfg Config) (*Client, *recorder) {
	rec := &recorder{}
	cfg.OnRequest = rec.onRequest
	return newTestClient(t, h, cfg), rec
}

func TestRetry_createAnsweredWithoutSecret(t *testing.T) {
	h := &canned{status: 201, body: `{"success":true,"errors":[],"messages":[],"result":{"uid":"` + strings.Repeat("c", 32) + `","name":"n"}}`}
	c := newTestClient(t, h, Config{})
	_, err := c.Create(context.Background(), Apps, account, "n")
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 201 || apiErr.Attempts != 1 || !MaybeProcessed(err) {
		t.Fatalf("error %#v", err)
	}
}

func TestRetry_certificateErrorIsNotRetried(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	rec := &recorder{}
	c := newClient(t, Config{BaseURL: srv.URL + "/client/v4", OnRequest: rec.onRequest})
	_, err := c.List(context.Background(), Apps, account)
	var te *Error
	if !noAnswer(err, &te) || te.Attempts != 1 {
		t.Fatalf("error %v", err)
	}
	wantAttempts(t, rec.all(), 1)
}

func TestRetry_onRequestReportsRetryWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { testOnRequestReportsRetryWaits(t) })
}

func testOnRequestReportsRetryWaits(t *testing.T) {
	em := memoryEmulator(t, emulator.Fault{Kind: emulator.FaultRateLimit, Count: 1, RetryAfter: 1},
		emulator.Fault{Kind: emulator.FaultStatus, Status: 503, Count: 1})
	c, rec := inMemoryClientWithRecorder(t, em, Config{RetryWaitMin: time.Millisecond, RetryWaitMax: 50 * time.Millisecond})
	if _, err := c.List(context.Background(), Apps, account); err != nil {
		t.Fatal(err)
	}
	infos := rec.all()
	wantAttempts(t, infos, 3)
	// Retry-After: 1 is more than RetryWaitMax, and honoured all the same
	// (plus up to RetryWaitMin of jitter).
	if i := infos[0]; i.StatusCode != 429 || fmt.Sprint(i.ErrorCodes) != "[971]" || i.RetryIn < time.Second || i.RetryIn > time.Second+time.Millisecond {
		t.Errorf("first attempt %+v", i)
	}
	if i := infos[1]; i.StatusCode != 503 || i.ErrorCodes != nil || i.RetryIn < time.Millisecond || i.RetryIn > 4*time.Millisecond {
		t.Errorf("second attempt %+v", i)
	}
	if i := infos[2]; i.StatusCode != 200 || i.Err != nil {
		t.Errorf("third attempt %+v", i)
	}
}

func TestNewRetryPolicy(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want retryPolicy
	}{
		{Config{}, retryPolicy{5, time.Second, 30 * time.Second, 6 * time.Minute}},
		{Config{MaxRetries: NoRetries}, retryPolicy{0, time.Second, 30 * time.Second, 6 * time.Minute}},
		{Config{MaxRetries: -7}, retryPolicy{0, time.Second, 30 * time.Second, 6 * time.Minute}},
		{Config{MaxRetries: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Second, MaxRetryDuration: time.Hour},
			retryPolicy{2, time.Millisecond, time.Second, time.Hour}},
		{Config{RetryWaitMin: time.Minute}, retryPolicy{5, time.Minute, time.Minute, 6 * time.Minute}},
	} {
		got, err := newRetryPolicy(tc.cfg)
		if err != nil || got != tc.want {
			t.Errorf("newRetryPolicy(%+v) = %+v, %v; want %+v", tc.cfg, got, err, tc.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	const minWait, maxWait = time.Second, 30 * time.Second
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

	t.Run("Retry-After in seconds", func(t *testing.T) {
		if got := backoff(1, minWait, maxWait, "7", now, 0); got != 7*time.Second {
			t.Errorf("got %v", got)
		}
		if got := backoff(4, minWait, maxWait, " 7 ", now, 0.5); got != 7500*time.Millisecond {
			t.Errorf("with jitter: got %v", got)
		}
		if got := backoff(1, minWait, maxWait, "0", now, 0); got != minWait {
			t.Errorf("Retry-After 0: got %v, want the minimum", got)
		}
	})
	t.Run("Retry-After as an HTTP date", func(t *testing.T) {
		date := now.Add(12 * time.Second).Format(http.TimeFormat)
		if got := backoff(1, minWait, maxWait, date, now, 0); got != 12*time.Second {
			t.Errorf("%s: got %v", date, got)
		}
		past := now.Add(-time.Hour).Format(http.TimeFormat)
		if got := backoff(1, minWait, maxWait, past, now, 0); got != minWait {
			t.Errorf("a past date: got %v", got)
		}
	})
	t.Run("Retry-After is honoured beyond the maximum wait", func(t *testing.T) {
		// Waiting less than the server asked only earns another 429; the
		// call's time budget, not maxWait, decides whether to wait at all.
		for v, want := range map[string]time.Duration{
			"31":  31*time.Second + 900*time.Millisecond,
			"300": 300*time.Second + 900*time.Millisecond,
			now.Add(time.Hour).Format(http.TimeFormat): time.Hour + 900*time.Millisecond,
		} {
			if got := backoff(1, minWait, maxWait, v, now, 0.9); got != want {
				t.Errorf("Retry-After %s: got %v, want %v", v, got, want)
			}
		}
		if got := backoff(1, minWait, maxWait, "99999999999999999999", now, 0.9); got < 1000*time.Hour {
			t.Errorf("a huge Retry-After: got %v", got)
		}
	})
	t.Run("exponential without Retry-After", func(t *testing.T) {
		for _, retryAfter := range []string{"", "soon", "-5", "1.5"} {
			for retry := 1; retry <= 10; retry++ {
				ceiling := min(minWait<<retry, maxWait)
				if got := backoff(retry, minWait, maxWait, retryAfter, now, 0); got != minWait {
					t.Errorf("retry %d, jitter 0: %v", retry, got)
				}
				if got := backoff(retry, minWait, maxWait, retryAfter, now, 1); got != ceiling {
					t.Errorf("retry %d, jitter 1: %v, want %v", retry, got, ceiling)
				}
				if got := backoff(retry, minWait, maxWait, retryAfter, now, 0.5); got != minWait+(ceiling-minWait)/2 {
					t.Errorf("retry %d, jitter 0.5: %v", retry, got)
				}
			}
		}
	})
	t.Run("jitter varies within bounds", func(t *testing.T) {
		seen := map[time.Duration]bool{}
		for i := 0; i < 100; i++ {
			got := backoff(3, minWait, maxWait, "", now, float64(i)/100)
			if got < minWait || got > 8*time.Second {
				t.Fatalf("retry 3: %v outside [1s, 8s]", got)
			}
			seen[got] = true
		}
		if len(seen) < 50 {
			t.Fatalf("only %d distinct waits", len(seen))
		}
	})
	t.Run("capped at the maximum and no overflow", func(t *testing.T) {
		for _, retry := range []int{5, 6, 63, 64, 1000} {
			if got := backoff(retry, minWait, maxWait, "", now, 1); got != maxWait {
				t.Errorf("retry %d: %v", retry, got)
			}
		}
		if got := backoff(70, time.Duration(1<<62), time.Duration(1<<63-1), "", now, 1); got <= 0 {
			t.Errorf("overflow: %v", got)
		}
		if got := backoff(2, minWait, maxWait, "", now, 7); got != 4*time.Second {
			t.Errorf("jitter above 1 is clamped: %v", got)
		}
	})
}

// noAnswer reports whether err is a call that got no answer (or one that
// broke off), and sets *e to it.
func noAnswer(err error, e **Error) bool { return errors.As(err, e) && (*e).Err != nil }
