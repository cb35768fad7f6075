package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

const (
	appsRoute     = "/accounts/{account_id}/calls/apps"
	appRoute      = "/accounts/{account_id}/calls/apps/{app_id}"
	turnKeysRoute = "/accounts/{account_id}/calls/turn_keys"
)

func inject(t *testing.T, em *emulator.Running, f emulator.Fault) {
	t.Helper()
	if err := em.InjectFault(f); err != nil {
		t.Fatalf("injecting %v: %v", f, err)
	}
}

// requestsTo reads the emulator's counter for one method and route.
func requestsTo(em *emulator.Running, method, route string) int64 {
	return em.Counters()[method+" "+route]
}

func expectCounts(em *emulator.Running, apps int, posts int64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := em.AppCount(); n != apps {
			return fmt.Errorf("the emulator holds %d apps, want %d", n, apps)
		}
		if n := requestsTo(em, "POST", appsRoute); n != posts {
			return fmt.Errorf("the emulator saw %d creates, want %d", n, posts)
		}
		return nil
	}
}

// A create that meets a fault either succeeds with exactly one app and the
// secret the API issued in state, or fails with a message that says what
// happened, and never leaves a duplicate behind.
func TestResilience_createUnderFaults(t *testing.T) {
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

// The orphan named in the lost-answer error is exactly the object the
// emulator holds, with its import command; an older object of the same name is
// not named; and no duplicate is created.
func TestResilience_lostCreateAnswerNamesTheOrphanUID(t *testing.T) {
	for _, kind := range []struct{ typ, route, noun, secretAttr string }{
		{"cloudflare_calls_app", appsRoute, "Calls app", "secret"},
		{"cloudflare_calls_turn_key", turnKeysRoute, "Calls TURN key", "key"},
	} {
		t.Run(kind.typ, func(t *testing.T) {
			// The emulator's clock starts an hour behind, so that the object
			// made below is stamped well before the request; then it catches up.
			var offset atomic.Int64
			offset.Store(int64(-time.Hour))
			em, err := emulator.Start(emulator.Options{
				Tokens: []string{testToken},
				Now:    func() time.Time { return time.Now().Add(time.Duration(offset.Load())) },
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(em.Close)
			client := testClient(t, em)
			// An object of the same name made before the request is not its orphan.
			var oldUID string
			if kind.typ == "cloudflare_calls_app" {
				app, err := client.CreateApp(context.Background(), testAccountID, "lost")
				if err != nil {
					t.Fatal(err)
				}
				oldUID = app.UID
			} else {
				key, err := client.CreateTURNKey(context.Background(), testAccountID, "lost")
				if err != nil {
					t.Fatal(err)
				}
				oldUID = key.UID
			}
			offset.Store(0)

			p := newProtocolProvider(t, em)
			typ := p.resourceType(kind.typ)
			create := func() *tfprotov6.ApplyResourceChangeResponse {
				resp, err := p.server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
					TypeName:   kind.typ,
					PriorState: nullObject(t, typ),
					PlannedState: p.encode(typ, map[string]tftypes.Value{
						"account_id": tfString(testAccountID), "name": tfString("lost"),
						"id": tfUnknown, "uid": tfUnknown, kind.secretAttr: tfUnknown, "created": tfUnknown, "modified": tfUnknown,
					}),
					Config: p.encode(typ, map[string]tftypes.Value{
						"account_id": tfString(testAccountID), "name": tfString("lost"),
					}),
				})
				if err != nil {
					t.Fatal(err)
				}
				return resp
			}
			// A sibling of the same name that this provider created a moment
			// ago (count = N with one name) is not an orphan either.
			sibling := create()
			if msg := errorDiags(sibling.Diagnostics); msg != "" {
				t.Fatal(msg)
			}
			siblingUID := p.decode(typ, sibling.NewState)["uid"]

			inject(t, em, emulator.Fault{Kind: emulator.FaultDropAfter, Method: "POST", Route: kind.route, Count: 1})
			resp := create()
			msg := errorDiags(resp.Diagnostics)

			var uids []string
			if kind.typ == "cloudflare_calls_app" {
				for _, a := range em.Apps(testAccountID) {
					uids = append(uids, a.UID)
				}
			} else {
				for _, k := range em.TURNKeys(testAccountID) {
					uids = append(uids, k.UID)
				}
			}
			if len(uids) != 3 {
				t.Fatalf("the emulator holds %d objects named lost, want 3 (the old one, the sibling and the orphan; no duplicate); diagnostics: %s", len(uids), msg)
			}
			orphan := uids[2]
			for _, want := range []string{
				kind.noun + " may have been created, but its answer was lost",
				"uid " + orphan,
				"terraform import '<address>' " + testAccountID + "/" + orphan,
				"Its " + kind.secretAttr + " is lost",
			} {
				if !strings.Contains(msg, want) {
					t.Errorf("the error does not say %q:\n%s", want, msg)
				}
			}
			if strings.Contains(msg, oldUID) {
				t.Errorf("the error names %s, which existed before the request:\n%s", oldUID, msg)
			}
			if siblingUID == "" || strings.Contains(msg, siblingUID) {
				t.Errorf("the error names the sibling %q this provider created itself:\n%s", siblingUID, msg)
			}
			for _, secret := range append(allSecrets(em, testAccountID), testToken) {
				if strings.Contains(msg, secret) {
					t.Errorf("the error carries a secret or the token:\n%s", msg)
				}
			}
			if got := p.decode(typ, resp.NewState); got != nil {
				t.Errorf("a lost create wrote state %v", got)
			}
			if n := requestsTo(em, "POST", kind.route); n != 3 {
				t.Errorf("the emulator saw %d creates, want 3 (the setup's, the sibling's and the lost one, never retried)", n)
			}
		})
	}
}

func getRequests(em *emulator.Running) int64 {
	var n int64
	for key, v := range em.Counters() {
		if strings.HasPrefix(key, "GET ") {
			n += v
		}
	}
	return n
}

// Reads, renames and deletes ride out rate limits, edge errors and dropped
// connections, and the secret survives all of it.
func TestResilience_refreshRenameDestroyRetryThroughFaults(t *testing.T) {
	em := testEmulator(t)
	sameSecret := statecheck.CompareValue(compare.ValuesSame())
	var getsBefore int64
	injectAll := func(faults ...emulator.Fault) func() {
		return func() {
			getsBefore = getRequests(em)
			for _, f := range faults {
				inject(t, em, f)
			}
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
			{
				// The refresh of this plan meets a 503, a reset and a 429 in a row.
				PreConfig: injectAll(
					emulator.Fault{Kind: emulator.FaultStatus, Status: 503, Method: "GET", Count: 1},
					emulator.Fault{Kind: emulator.FaultReset, Method: "GET", Count: 1},
					emulator.Fault{Kind: emulator.FaultRateLimit, Method: "GET", Count: 1},
				),
				Config: appConfig(em, testAccountID, "steady"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameSecret.AddStateValue(appAddr, tfjsonpath.New("secret")),
					expectEmulatorApp(em, appAddr),
				},
				Check: func(*terraform.State) error {
					if len(em.Faults()) != 0 {
						return fmt.Errorf("faults left unused: %v", em.Faults())
					}
					if n := getRequests(em) - getsBefore; n < 4 {
						return fmt.Errorf("%d reads for three faults: the faulted reads were not retried", n)
					}
					return nil
				},
			},
			{
				PreConfig: injectAll(
					emulator.Fault{Kind: emulator.FaultStatus, Status: 500, Method: "GET", Count: 1},
					emulator.Fault{Kind: emulator.FaultStatus, Status: 502, Method: "GET", Count: 1},
					emulator.Fault{Kind: emulator.FaultStatus, Status: 504, Method: "GET", Count: 1},
					// A rename whose first answer is an edge error and whose second is lost.
					emulator.Fault{Kind: emulator.FaultStatus, Status: 502, Method: "PUT", Count: 1},
					emulator.Fault{Kind: emulator.FaultDropAfter, Method: "PUT", Count: 1},
				),
				Config: appConfig(em, testAccountID, "renamed-through-faults"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameSecret.AddStateValue(appAddr, tfjsonpath.New("secret")),
					expectEmulatorApp(em, appAddr),
				},
				Check: func(*terraform.State) error {
					if len(em.Faults()) != 0 {
						return fmt.Errorf("faults left unused: %v", em.Faults())
					}
					if n := requestsTo(em, "PUT", appRoute); n != 3 {
						return fmt.Errorf("%d renames, want 3 (two faulted, one answered)", n)
					}
					// The destroy that ends the test meets a reset, then loses its answer.
					inject(t, em, emulator.Fault{Kind: emulator.FaultReset, Method: "DELETE", Count: 1})
					inject(t, em, emulator.Fault{Kind: emulator.FaultDropAfter, Method: "DELETE", Count: 1})
					return nil
				},
			},
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
			app, err := testClient(t, em).CreateApp(context.Background(), testAccountID, "bounded")
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

// When another client made an app of the same name during the request, the
// lost-answer error names both and says it cannot tell which is ours.
func TestResilience_lostCreateAnswerWithTwoCandidatesSaysSo(t *testing.T) {
	em := testEmulator(t)
	other, err := testClient(t, em).CreateApp(context.Background(), testAccountID, "lost")
	if err != nil {
		t.Fatal(err)
	}
	inject(t, em, emulator.Fault{Kind: emulator.FaultDropAfter, Method: "POST", Route: appsRoute, Count: 1})
	p := newProtocolProvider(t, em)
	typ := p.resourceType("cloudflare_calls_app")
	resp, err := p.server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName:   "cloudflare_calls_app",
		PriorState: nullObject(t, typ),
		PlannedState: p.encode(typ, map[string]tftypes.Value{
			"account_id": tfString(testAccountID), "name": tfString("lost"),
			"id": tfUnknown, "uid": tfUnknown, "secret": tfUnknown, "created": tfUnknown, "modified": tfUnknown,
		}),
		Config: p.encode(typ, map[string]tftypes.Value{"account_id": tfString(testAccountID), "name": tfString("lost")}),
	})
	if err != nil {
		t.Fatal(err)
	}
	msg := errorDiags(resp.Diagnostics)
	apps := em.Apps(testAccountID)
	if len(apps) != 2 {
		t.Fatalf("%d apps, want 2", len(apps))
	}
	for _, want := range []string{"holds 2 Calls apps", "cannot tell which one this request created", "uid " + other.UID, "uid " + apps[1].UID} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q:\n%s", want, msg)
		}
	}
}
