package callsapi

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// What a create that returned err did, as a caller tells it: created (no
// error), unknown (MaybeProcessed: the object may exist), or not created
// (the API provably did not carry it out). Only "not created" lets a caller
// create again.
type createOutcome string

const (
	Created       createOutcome = "created"
	NotCreated    createOutcome = "not created"
	CreateUnknown createOutcome = "unknown"
)

func classifyCreate(err error) createOutcome {
	switch {
	case err == nil:
		return Created
	case MaybeProcessed(err):
		return CreateUnknown
	}
	return NotCreated
}

// Every outcome a create can meet, as the client sees it, and whether the
// create was carried out.
func TestClassifyCreate_everyOutcome(t *testing.T) {
	type scenario struct {
		name string
		// one of: a canned answer, an emulator fault, or a bespoke run
		status int
		body   string
		fault  *emulator.Fault
		run    func(t *testing.T) error
		want   createOutcome
	}
	envelope := func(result string) string {
		return `{"success":true,"errors":[],"messages":[],"result":` + result + `}`
	}
	refusal := func(code int) string {
		return `{"success":false,"errors":[{"code":` + strconv.Itoa(code) + `,"message":"no"}],"messages":[],"result":null}`
	}
	cases := []scenario{
		{name: "201 with the app", status: 201, body: envelope(`{"uid":"` + account + `","name":"a","secret":"` + account + account + `"}`), want: Created},
		{name: "201 without the secret", status: 201, body: envelope(`{"uid":"` + account + `","name":"a"}`), want: CreateUnknown},
		{name: "201 with a null result", status: 201, body: envelope(`null`), want: CreateUnknown},
		{name: "200 that is not JSON", status: 200, body: `{"success":true,"result":{"uid":"`, want: CreateUnknown},
		{name: "200 success false", status: 200, body: refusal(10001), want: NotCreated},
		{name: "400 invalid name", status: 400, body: refusal(10002), want: NotCreated},
		{name: "401", status: 401, body: refusal(10000), want: NotCreated},
		{name: "403", status: 403, body: refusal(10000), want: NotCreated},
		{name: "404", status: 404, body: refusal(7003), want: NotCreated},
		{name: "429 every time", status: 429, body: refusal(971), want: NotCreated},
		{name: "500 envelope", status: 500, body: refusal(10001), want: CreateUnknown},
		{name: "502 HTML page", fault: &emulator.Fault{Kind: emulator.FaultStatus, Status: 502}, want: CreateUnknown},
		{name: "503 HTML page", fault: &emulator.Fault{Kind: emulator.FaultStatus, Status: 503}, want: CreateUnknown},
		{name: "504 HTML page", fault: &emulator.Fault{Kind: emulator.FaultStatus, Status: 504}, want: CreateUnknown},
		{name: "connection reset after connecting", fault: &emulator.Fault{Kind: emulator.FaultReset}, want: CreateUnknown},
		{name: "carried out, answer dropped", fault: &emulator.Fault{Kind: emulator.FaultDropAfter}, want: CreateUnknown},
		{name: "answer slower than the attempt timeout", fault: &emulator.Fault{Kind: emulator.FaultDelay, Delay: 2 * time.Second}, want: CreateUnknown},
		{name: "no server listening", run: func(t *testing.T) error {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			ln.Close()
			c := newClient(t, Config{BaseURL: "http://" + addr + "/client/v4", MaxRetries: NoRetries})
			_, err = c.Create(context.Background(), Apps, account, "a")
			return err
		}, want: NotCreated},
		{name: "cancelled before sending", run: func(t *testing.T) error {
			em := startEmulator(t)
			c, _ := emulatorClient(t, em, Config{})
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := c.Create(ctx, Apps, account, "a")
			if n := em.Counters()["POST "+appsRoute]; n != 0 {
				t.Errorf("%d POSTs reached the emulator after the caller had cancelled", n)
			}
			return err
		}, want: NotCreated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var err error
			switch {
			case tc.run != nil:
				err = tc.run(t)
			case tc.fault != nil:
				em := startEmulator(t)
				f := *tc.fault
				f.Method, f.Route = "POST", appsRoute
				injectFault(t, em, f)
				c, _ := emulatorClient(t, em, Config{RequestTimeout: 300 * time.Millisecond, MaxRetries: NoRetries})
				_, err = c.Create(context.Background(), Apps, account, "a")
			default:
				c := newTestClient(t, &canned{status: tc.status, body: tc.body}, Config{MaxRetries: NoRetries})
				_, err = c.Create(context.Background(), Apps, account, "a")
			}
			if got := classifyCreate(err); got != tc.want {
				t.Fatalf("outcome = %v, want %v; error: %v", got, tc.want, err)
			}
		})
	}
}

// A create whose request has reached the API is seen through when the caller
// cancels (Terraform's graceful stop): the answer, secret included, comes
// back; a create not yet sent stops at once.
func TestCreate_cancelledCaller(t *testing.T) {
	t.Run("in flight: the answer is waited for", func(t *testing.T) {
		t.Parallel()
		em := startEmulator(t)
		injectFault(t, em, emulator.Fault{Kind: emulator.FaultDelay, Method: "POST", Route: appsRoute, Delay: 600 * time.Millisecond})
		c, _ := emulatorClient(t, em, Config{})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		app, err := c.Create(ctx, Apps, account, "a")
		if err != nil {
			t.Fatalf("the create was abandoned: %v", err)
		}
		apps := em.Apps(account)
		if len(apps) != 1 || apps[0].UID != app.UID || apps[0].Secret != app.Secret || app.Secret == "" {
			t.Fatalf("got %+v, the emulator holds %+v", app, apps)
		}
	})
	t.Run("in flight past its budget: unknown, not retried", func(t *testing.T) {
		t.Parallel()
		em := startEmulator(t)
		injectFault(t, em, emulator.Fault{Kind: emulator.FaultDelay, Method: "POST", Route: appsRoute, Delay: 2 * time.Second})
		c, _ := emulatorClient(t, em, Config{MaxRetryDuration: 400 * time.Millisecond})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		_, err := c.Create(ctx, Apps, account, "a")
		if got := classifyCreate(err); got != CreateUnknown {
			t.Fatalf("outcome = %v, want unknown; error: %v", got, err)
		}
		if n := em.Counters()["POST "+appsRoute]; n != 1 {
			t.Fatalf("%d POSTs, want 1", n)
		}
	})
	t.Run("waiting to retry a 429: stops at once", func(t *testing.T) {
		t.Parallel()
		em := startEmulator(t)
		injectFault(t, em, emulator.Fault{Kind: emulator.FaultRateLimit, Method: "POST", Route: appsRoute, RetryAfter: 30})
		c, _ := emulatorClient(t, em, Config{MaxRetryDuration: 5 * time.Minute})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.Create(ctx, Apps, account, "a")
		if got := classifyCreate(err); got != NotCreated {
			t.Fatalf("outcome = %v, want not created; error: %v", got, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("the cancelled wait lasted %v", d)
		}
		if n := em.Counters()["POST "+appsRoute]; n != 1 {
			t.Fatalf("%d POSTs, want 1", n)
		}
	})
}
