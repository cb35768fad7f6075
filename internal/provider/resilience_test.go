package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// Resilience: what the provider does when the API, or the way to it, fails.
// A create that meets a fault is never repeated once it may have arrived
// (what it may have left behind is lost_answer_test.go's); reads, renames
// and deletes retry within their bounds; an answer that does not say an
// object is gone never drops it from state.

func expectCounts(em *emulator.Running, apps int, posts int64) resource.TestCheckFunc {
	return checkAPI(func() error {
		if n := em.AppCount(); n != apps {
			return fmt.Errorf("the emulator holds %d apps, want %d", n, apps)
		}
		if n := requestsTo(em, "POST", appsRoute); n != posts {
			return fmt.Errorf("the emulator saw %d creates, want %d", n, posts)
		}
		return nil
	})
}

// A create that meets a fault either succeeds with exactly one app and the
// secret the API issued in state, or fails with a message that says what
// happened, and never leaves a duplicate behind.
func TestResilience_createUnderFaults(t *testing.T) {
	needsCLI(t)
	cases := []struct {
		name      string
		fault     emulator.Fault
		wantError string // empty: the create must succeed
		apps      int
		posts     int64
	}{
		{name: "429 twice is retried after Retry-After", fault: emulator.Fault{Kind: emulator.FaultRateLimit, Count: 2, RetryAfter: 1}, apps: 1, posts: 3},
		{name: "a slow answer is waited for", fault: emulator.Fault{Kind: emulator.FaultDelay, Count: 1, Delay: 300 * time.Millisecond}, apps: 1, posts: 1},
		{name: "500 is not retried", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: 500, Count: 1},
			wantError: `(?s)Calls app may have been created, but its answer was lost.*HTTP 500.*HTML page.*whether\s+it\s+exists\s+is\s+unknown`, posts: 1},
		{name: "502 is not retried", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: 502, Count: 1},
			wantError: `(?s)Calls app may have been created, but its answer was lost.*HTTP 502.*whether\s+it\s+exists\s+is\s+unknown`, posts: 1},
		{name: "503 is not retried", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: 503, Count: 1},
			wantError: `(?s)Calls app may have been created, but its answer was lost.*HTTP 503`, posts: 1},
		{name: "504 is not retried", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: 504, Count: 1},
			wantError: `(?s)Calls app may have been created, but its answer was lost.*HTTP 504`, posts: 1},
		{name: "a reset is not retried", fault: emulator.Fault{Kind: emulator.FaultReset, Count: 1},
			wantError: `(?s)Calls app may have been created, but its answer was lost.*no answer from\s+the\s+API.*whether\s+it\s+exists\s+is\s+unknown`, posts: 1},
		{name: "malformed JSON", fault: emulator.Fault{Kind: emulator.FaultMalformedJSON, Count: 1},
			wantError: `(?s)Calls app may have been created, but its answer was lost.*not valid JSON`, posts: 1},
		{name: "success false on a 200", fault: emulator.Fault{Kind: emulator.FaultSuccessFalse, Code: 10001, Count: 1},
			wantError: `(?s)Unable to create Calls app.*success: false.*10001`, posts: 1},
		{name: "an answer lost after the app was created names the orphan", fault: emulator.Fault{Kind: emulator.FaultDropAfter, Count: 1},
			wantError: `(?s)Calls app may have been created, but its answer was lost.*terraform import\s+'<address>'\s+` + testAccountID + `/[0-9a-f]{32}.*secret\s+is\s+lost`,
			apps:      1, posts: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			em := testEmulator(t)
			tc.fault.Method, tc.fault.Route = "POST", appsRoute
			inject(t, em, tc.fault)
			step := resource.TestStep{Config: appConfig(em, testAccountID, "faulty")}
			if tc.wantError == "" {
				step.ConfigStateChecks = []statecheck.StateCheck{expectEmulatorApp(em, appAddr)}
				step.Check = expectCounts(em, tc.apps, tc.posts)
			} else {
				step.ExpectError = regexp.MustCompile(tc.wantError)
			}
			parallelUnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories(),
				Steps:                    []resource.TestStep{step},
			})
			if tc.wantError != "" {
				if err := expectCounts(em, tc.apps, tc.posts)(nil); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// Reads, renames and deletes through faults, and the bounds of retrying.

// Reads, renames and deletes ride out rate limits, edge errors and dropped
// connections, and the secret survives all of it.
func TestResilience_refreshRenameDestroyRetryThroughFaults(t *testing.T) {
	em := testEmulator(t)
	sameSecret := statecheck.CompareValue(compare.ValuesSame())
	var getsBefore int64
	// throughFaults is a step that meets the faults, plans plan for the
	// app named name, keeps its secret, spends every fault and passes check.
	throughFaults := func(name string, plan plancheck.PlanCheck, faults []emulator.Fault, check func() error) resource.TestStep {
		return resource.TestStep{
			PreConfig: func() {
				getsBefore = getRequests(em)
				for _, f := range faults {
					inject(t, em, f)
				}
			},
			Config:           appConfig(em, testAccountID, name),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plan}},
			ConfigStateChecks: []statecheck.StateCheck{
				sameSecret.AddStateValue(appAddr, tfjsonpath.New("secret")),
				expectEmulatorApp(em, appAddr),
			},
			Check: checkAPI(func() error {
				if len(em.Faults()) != 0 {
					return fmt.Errorf("faults left unused: %v", em.Faults())
				}
				return check()
			}),
		}
	}
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkAppsDestroyed(t, em),
		Steps: []resource.TestStep{
			{
				Config:            appConfig(em, testAccountID, "steady"),
				ConfigStateChecks: []statecheck.StateCheck{sameSecret.AddStateValue(appAddr, tfjsonpath.New("secret"))},
			},
			// The refresh of this plan meets a 503, a reset and a 429 in a row.
			throughFaults("steady", plancheck.ExpectEmptyPlan(), []emulator.Fault{
				{Kind: emulator.FaultStatus, Status: 503, Method: "GET", Count: 1},
				{Kind: emulator.FaultReset, Method: "GET", Count: 1},
				{Kind: emulator.FaultRateLimit, Method: "GET", Count: 1},
			}, func() error {
				if n := getRequests(em) - getsBefore; n < 4 {
					return fmt.Errorf("%d reads for three faults: the faulted reads were not retried", n)
				}
				return nil
			}),
			throughFaults("renamed-through-faults", plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate), []emulator.Fault{
				{Kind: emulator.FaultStatus, Status: 500, Method: "GET", Count: 1},
				{Kind: emulator.FaultStatus, Status: 502, Method: "GET", Count: 1},
				{Kind: emulator.FaultStatus, Status: 504, Method: "GET", Count: 1},
				// A rename whose first answer is an edge error and whose second is lost.
				{Kind: emulator.FaultStatus, Status: 502, Method: "PUT", Count: 1},
				{Kind: emulator.FaultDropAfter, Method: "PUT", Count: 1},
			}, func() error {
				if n := requestsTo(em, "PUT", appRoute); n != 3 {
					return fmt.Errorf("%d renames, want 3 (two faulted, one answered)", n)
				}
				// The destroy that ends the test meets a reset, then loses its answer.
				inject(t, em, emulator.Fault{Kind: emulator.FaultReset, Method: "DELETE", Count: 1})
				inject(t, em, emulator.Fault{Kind: emulator.FaultDropAfter, Method: "DELETE", Count: 1})
				return nil
			}),
		},
	})
	if n := requestsTo(em, "DELETE", appRoute); n != 3 {
		t.Errorf("%d deletes, want 3 (a reset, a lost answer, then a 404 that counts as deleted)", n)
	}
	if n := em.AppCount(); n != 0 {
		t.Errorf("%d apps left", n)
	}
}

// Retries are bounded by max_retries and by retry_timeout_seconds, and the
// error says so.
func TestResilience_retriesAreBounded(t *testing.T) {
	needsCLI(t)
	cases := []struct {
		name     string
		settings string
		fault    emulator.Fault
		want     string
		// maxGets allows for two calls: a list-backed read that fails falls
		// back to a GET of the app, each with its own retries.
		maxGets int64
	}{
		{
			name:     "max_retries",
			settings: "max_retries = 2",
			fault:    emulator.Fault{Kind: emulator.FaultStatus, Status: 503, Method: "GET"},
			want:     `(?s)Unable to read Calls app.*HTTP 503.*gave up after 3\s+attempts`,
			maxGets:  6,
		},
		{
			name:     "no retries",
			settings: "max_retries = 0",
			fault:    emulator.Fault{Kind: emulator.FaultStatus, Status: 502, Method: "GET"},
			want:     `(?s)Unable to read Calls app.*HTTP 502`,
			maxGets:  2,
		},
		{
			name:     "retry_timeout_seconds",
			settings: "max_retries = 20\n  retry_timeout_seconds = 3",
			fault:    emulator.Fault{Kind: emulator.FaultRateLimit, RetryAfter: 1, Method: "GET"},
			want:     `(?s)Unable to read Calls app.*HTTP 429.*time\s+budget\s+of\s+3s\s+would\s+run\s+out`,
			maxGets:  8,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			em := testEmulator(t)
			app, err := testClient(t, em).Create(context.Background(), callsapi.Apps, testAccountID, "bounded")
			if err != nil {
				t.Fatal(err)
			}
			inject(t, em, tc.fault)
			config := providerConfig(em.URL, testToken, tc.settings) + appTestKind.resourceBlock(testAccountID, "bounded")
			parallelUnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories(),
				Steps: []resource.TestStep{{
					Config:             config,
					ResourceName:       appAddr,
					ImportState:        true,
					ImportStateId:      testAccountID + "/" + app.UID,
					ImportStatePersist: true,
					ExpectError:        regexp.MustCompile(tc.want),
				}},
			})
			if n := getRequests(em); n < 1 || n > tc.maxGets {
				t.Errorf("%d reads, want between 1 and %d", n, tc.maxGets)
			}
		})
	}
}

// A refresh whose list meets a 503 with Retry-After (the emulator's status
// fault) comes back when the API said, not after the client's own shorter
// backoff, and then succeeds: the object and its secret stay, the emulator
// saw the 503 and one retry, Retry-After seconds later.
func TestResilience_refresh503WithRetryAfterIsWaitedOut(t *testing.T) {
	t.Parallel()
	em := testEmulator(t)
	var mu sync.Mutex
	var lists []time.Time
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/calls/apps") {
			mu.Lock()
			lists = append(lists, time.Now())
			mu.Unlock()
		}
		em.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	app, err := em.CreateApp(testAccountID, "waited")
	must(t, err)
	p := newProtocolProvider(t, &emulator.Running{Server: em.Server, URL: front.URL + emulator.APIPrefix})
	// The client's own first backoff is 1 to 2 s; the API asks for 3.
	inject(t, em, emulator.Fault{Kind: emulator.FaultStatus, Status: http.StatusServiceUnavailable, RetryAfter: 3, Method: "GET", Route: appsRoute, Count: 1})

	typ := p.resourceType(appTestKind.resourceType)
	read := p.read(appTestKind.resourceType, p.encode(typ, objectState(appTestKind, testAccountID, emulatorApp(app))))
	if msg := errorDiags(read.Diagnostics); msg != "" {
		t.Fatalf("the refresh failed: %s", msg)
	}
	if got := p.decode(typ, read.NewState); got["uid"] != app.UID || got["secret"] != app.Secret {
		t.Errorf("the refresh left %v", got)
	}
	if n := em.Statuses()[http.StatusServiceUnavailable]; n != 1 {
		t.Errorf("the emulator answered %d requests with 503, want 1", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lists) != 2 {
		t.Fatalf("the API saw %d lists, want 2 (the 503 and its retry)", len(lists))
	}
	if gap := lists[1].Sub(lists[0]); gap < 3*time.Second {
		t.Errorf("the retry came %v after the 503 that said Retry-After: 3", gap)
	}
}

// Not found is only the API's own word.

// appKeptThrough is a test case in which the app that cfg declares keeps its
// place in state, its uid and its secret through the failing steps between:
// cfg creates the app (its uid is stored in uid, when uid is not nil), the
// steps run, and then, after restore (when not nil), cfg plans nothing and
// the app is the one the emulator holds.
func appKeptThrough(t *testing.T, em *emulator.Running, cfg string, uid *string, restore func(), between ...resource.TestStep) resource.TestCase {
	if uid == nil {
		uid = new(string)
	}
	sameSecret := statecheck.CompareValue(compare.ValuesSame())
	sameUID := statecheck.CompareValue(compare.ValuesSame())
	kept := func() []statecheck.StateCheck {
		return []statecheck.StateCheck{
			sameSecret.AddStateValue(appAddr, tfjsonpath.New("secret")),
			sameUID.AddStateValue(appAddr, tfjsonpath.New("uid")),
		}
	}
	steps := []resource.TestStep{{Config: cfg, Check: rememberUID(appAddr, uid), ConfigStateChecks: kept()}}
	steps = append(steps, between...)
	steps = append(steps, resource.TestStep{
		PreConfig:         restore,
		Config:            cfg,
		ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		ConfigStateChecks: append(kept(), expectEmulatorApp(em, appAddr)),
	})
	return resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkAppsDestroyed(t, em),
		Steps:                    steps,
	}
}

// A 404 means "deleted" only when it is the API saying that the object does
// not exist. A 404 with code 7003 (the real API's "Could not route to ...,
// perhaps your object identifier is invalid?") and a 404 page that is not an
// API answer at all (a proxy, a web server behind a wrong base_url) say
// nothing about the object: the refresh fails, the app stays in state with
// its secret, and once the API answers again the plan is empty. Both with
// the list-backed refresh (the app missing from the list, its GET answered
// so) and with one GET per object.
func TestResilience_refresh404ThatIsNotTheAPIsNotFoundKeepsState(t *testing.T) {
	needsCLI(t)
	answers := map[string]struct {
		status      int
		contentType string
		body        string
		want        string
	}{
		"code 7003": {404, "application/json",
			`{"success":false,"errors":[{"code":7003,"message":"Could not route to /client/v4/accounts/x/calls/apps/y, perhaps your object identifier is invalid?"}],"messages":[],"result":null}`,
			`(?s)Unable to read Calls app.*HTTP 404.*7003`},
		"a page that is not an API answer": {404, "text/plain; charset=utf-8", "404 page not found\n",
			`(?s)Unable to read Calls app.*HTTP 404`},
	}
	for name, a := range answers {
		for _, withList := range []string{"true", "false"} {
			t.Run(fmt.Sprintf("%s, refresh_with_list %s", name, withList), func(t *testing.T) {
				em := testEmulator(t)
				var hidden atomic.Value
				list := hideFromList(em, &hidden)
				ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					uid, _ := hidden.Load().(string)
					if uid != "" && r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/calls/apps/"+uid) {
						w.Header().Set("Content-Type", a.contentType)
						w.WriteHeader(a.status)
						_, _ = w.Write([]byte(a.body))
						return
					}
					list.ServeHTTP(w, r)
				}))
				t.Cleanup(ts.Close)
				cfg := fmt.Sprintf(`
provider "cloudflare" {
  base_url          = %q
  api_token         = %q
  refresh_with_list = %s
  max_retries       = 0
}
`, ts.URL+emulator.APIPrefix, testToken, withList) + appOnly
				var uid string
				parallelUnitTest(t, appKeptThrough(t, em, cfg, &uid, func() { hidden.Store("") }, resource.TestStep{
					PreConfig:   func() { hidden.Store(uid) },
					Config:      cfg,
					ExpectError: regexp.MustCompile(a.want),
				}))
				if n := em.AppCount(); n != 0 {
					t.Errorf("%d apps left after destroy", n)
				}
			})
		}
	}
}

// A uid in state that is not a Cloudflare id (state edited by hand, say)
// gets the API's own 404 with code 7003 from the emulator: the refresh
// fails with that answer and keeps the object in state, with and without
// the list-backed refresh, for apps and TURN keys alike.
func TestResilience_malformedUIDInStateIsNotDeleted(t *testing.T) {
	for _, k := range testKinds {
		for _, withList := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s, refresh_with_list %v", k.resourceType, withList), func(t *testing.T) {
				t.Parallel()
				em := testEmulator(t)
				p := newProtocolProvider(t, nil)
				p.mustConfigure(em.URL, map[string]tftypes.Value{
					"refresh_with_list": tftypes.NewValue(tftypes.Bool, withList), "max_retries": tftypes.NewValue(tftypes.Number, 0),
				})
				typ := p.resourceType(k.resourceType)
				const malformed = "0123456789ABCDEF0123456789ABCDEF"
				read := p.read(k.resourceType, p.encode(typ, objectState(k, testAccountID, emulatorObject{
					UID: malformed, Name: "kept", Secret: strings.Repeat("ab", 32), Created: newYear2026, Modified: newYear2026,
				})))
				msg := errorDiags(read.Diagnostics)
				if !strings.Contains(msg, "HTTP 404") || !strings.Contains(msg, "7003") || !strings.Contains(msg, "perhaps your object identifier is invalid") {
					t.Errorf("the refresh said %q, want the API's 404 with code 7003", msg)
				}
				if got := p.decode(typ, read.NewState); got["uid"] != malformed || got[k.secretAttr] != strings.Repeat("ab", 32) {
					t.Errorf("the refresh left state %v; want the object kept with its %s", got, k.secretAttr)
				}
				if n := em.Statuses()[404]; n != 1 {
					t.Errorf("the emulator answered %d requests with 404, want the one GET of the malformed uid", n)
				}
			})
		}
	}
}

// The 404 of TestResilience_refresh404ThatIsNotTheAPIsNotFoundKeepsState
// over the protocol, in the fast tier: a 404 page that is not an API answer
// (a proxy, a web server behind a wrong base_url) fails the refresh and
// keeps the app in state with its secret, with and without the list-backed
// refresh (the app missing from the list, its GET answered so).
func TestResilience_404PageOverProtocolKeepsState(t *testing.T) {
	for _, withList := range []bool{true, false} {
		t.Run(fmt.Sprintf("refresh_with_list %v", withList), func(t *testing.T) {
			t.Parallel()
			em := testEmulator(t)
			app, err := em.CreateApp(testAccountID, "kept")
			must(t, err)
			var hidden atomic.Value
			hidden.Store(app.UID)
			list := hideFromList(em, &hidden)
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/calls/apps/"+app.UID) {
					http.Error(w, "404 page not found", http.StatusNotFound)
					return
				}
				list.ServeHTTP(w, r)
			}))
			t.Cleanup(front.Close)
			p := newProtocolProvider(t, nil)
			p.mustConfigure(front.URL+emulator.APIPrefix, map[string]tftypes.Value{
				"refresh_with_list": tftypes.NewValue(tftypes.Bool, withList), "max_retries": tftypes.NewValue(tftypes.Number, 0),
			})
			typ := p.resourceType(appTestKind.resourceType)
			read := p.read(appTestKind.resourceType, p.encode(typ, objectState(appTestKind, testAccountID, emulatorApp(app))))
			if msg := errorDiags(read.Diagnostics); !strings.Contains(msg, "Unable to read Calls app") || !strings.Contains(msg, "HTTP 404") {
				t.Errorf("the refresh said %q, want it to fail with the 404", msg)
			}
			if got := p.decode(typ, read.NewState); got["uid"] != app.UID || got["secret"] != app.Secret {
				t.Errorf("the refresh left state %v; want the app kept with its secret", got)
			}
		})
	}
}
