package provider

// refresh_with_list on the real CLI: what a plan costs in requests, and what
// it finds, when objects are unchanged, changed or deleted out of band, or
// the list fails. The snapshot itself (read_snapshot.go) is tested below
// the CLI in read_snapshot_test.go.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// bulkEmulator is testEmulator without the rate limit: these tests send
// hundreds of requests per step.
func bulkEmulator(t *testing.T) *emulator.Running {
	t.Helper()
	em, err := emulator.Start(emulator.Options{Tokens: []string{testToken}, RateLimit: emulator.RateLimit{Disabled: true}})
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	t.Cleanup(em.Close)
	return em
}

// fleet is what a bulk configuration declares in one account: apps at
// cloudflare_calls_app.<name>[i] and TURN keys at
// cloudflare_calls_turn_key.<name>[i].
type fleet struct {
	name           string
	account        string
	apps, turnKeys int
}

func (f fleet) app(i int) string { return fmt.Sprintf("cloudflare_calls_app.%s[%d]", f.name, i) }

func (f fleet) turnKey(i int) string {
	return fmt.Sprintf("cloudflare_calls_turn_key.%s[%d]", f.name, i)
}

// legacy is an address as the TestCheckFunc state shim spells an instance
// of a counted resource: cloudflare_calls_app.bulk.4 for
// cloudflare_calls_app.bulk[4].
func legacy(address string) string {
	return strings.TrimSuffix(strings.Replace(address, "[", ".", 1), "]")
}

// fleetConfig declares the fleets against the API at baseURL. refreshWithList
// is the provider setting's HCL value, or "" to leave it out.
func fleetConfig(baseURL, refreshWithList string, fleets ...fleet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "provider \"cloudflare\" {\n  base_url  = %q\n  api_token = %q\n", baseURL, testToken)
	if refreshWithList != "" {
		fmt.Fprintf(&b, "  refresh_with_list = %s\n", refreshWithList)
	}
	b.WriteString("}\n")
	for _, f := range fleets {
		fmt.Fprintf(&b, `
resource "cloudflare_calls_app" %[1]q {
  count      = %[2]d
  account_id = %[3]q
  name       = "%[1]s-app-${count.index}"
}

resource "cloudflare_calls_turn_key" %[1]q {
  count      = %[4]d
  account_id = %[3]q
  name       = "%[1]s-key-${count.index}"
}
`, f.name, f.apps, f.account, f.turnKeys)
	}
	return b.String()
}

func checkFleetDestroyed(t *testing.T, em *emulator.Running) resource.TestCheckFunc {
	return resource.ComposeAggregateTestCheckFunc(checkAppsDestroyed(t, em), checkTURNKeysDestroyed(t, em))
}

// requestCount checks that the API received exactly the requests in want
// (method and route to count) since the counters were last reset, and
// nothing else. It is a plan check, for the plan Terraform makes before
// applying (refresh included); checkAPI(c.err) checks RefreshState steps.
type requestCount struct {
	em   *emulator.Running
	want map[string]int64
}

func expectRequests(em *emulator.Running, want map[string]int64) requestCount {
	return requestCount{em: em, want: want}
}

func (c requestCount) err() error {
	got := c.em.Counters()
	maps.DeleteFunc(got, func(_ string, n int64) bool { return n == 0 })
	if !maps.Equal(got, c.want) {
		return fmt.Errorf("requests sent to the API: got %v, want exactly %v", got, c.want)
	}
	return nil
}

func (c requestCount) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = c.err()
}

// expectOnlyActions checks that the plan changes exactly the given resources
// with the given actions ("create", "update") and leaves every other one
// alone, so that no object is falsely drifted or dropped.
type expectOnlyActions map[string]tfjson.Action

func (want expectOnlyActions) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var errs []error
	seen := map[string]bool{}
	for _, rc := range req.Plan.ResourceChanges {
		actions := rc.Change.Actions
		action, changes := want[rc.Address]
		seen[rc.Address] = true
		switch {
		case changes && !slices.Equal(actions, tfjson.Actions{action}):
			errs = append(errs, fmt.Errorf("%s: planned %v, want %s", rc.Address, actions, action))
		case !changes && !actions.NoOp():
			errs = append(errs, fmt.Errorf("%s: planned %v, want no change", rc.Address, actions))
		}
	}
	for address := range want {
		if !seen[address] {
			errs = append(errs, fmt.Errorf("%s is not in the plan", address))
		}
	}
	resp.Error = errors.Join(errs...)
}

// resetCounters is a PreConfig that starts counting afresh, after doing the
// given out-of-band changes (directly in the emulator, so uncounted).
func resetCounters(em *emulator.Running, outOfBand ...func()) func() {
	return func() {
		for _, f := range outOfBand {
			f()
		}
		em.ResetCounters()
	}
}

// listedFleet starts a bulk emulator for a fleet named bulk of apps and TURN
// keys in testAccountID, and returns it with the configuration that declares
// the fleet with refresh_with_list = true.
func listedFleet(t *testing.T, apps, turnKeys int) (*emulator.Running, fleet, string) {
	em := bulkEmulator(t)
	f := fleet{name: "bulk", account: testAccountID, apps: apps, turnKeys: turnKeys}
	return em, f, fleetConfig(em.URL, "true", f)
}

// fleetTest runs steps in parallel with other tests; the destroy that ends
// it must leave no app or TURN key behind.
func fleetTest(t *testing.T, em *emulator.Running, steps ...resource.TestStep) {
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkFleetDestroyed(t, em),
		Steps:                    steps,
	})
}

// refreshCosts is the steps of a test of what refreshing cfg's objects
// costs: cfg creates them, then `terraform refresh` and the refresh of a
// plan (which must be empty) each send exactly the requests in want.
func refreshCosts(em *emulator.Running, cfg string, want map[string]int64) []resource.TestStep {
	return []resource.TestStep{
		{Config: cfg},
		{
			PreConfig:    resetCounters(em),
			RefreshState: true,
			Check:        checkAPI(expectRequests(em, want).err),
		},
		{
			PreConfig: resetCounters(em),
			Config:    cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), expectRequests(em, want)},
			},
		},
	}
}

// outOfBandStep makes the changes outside Terraform, then plans cfg: the
// plan sends exactly the requests in want and changes exactly what actions
// names; once applied, nothing more is planned and the state passes checks.
func outOfBandStep(em *emulator.Running, cfg string, changes []func(), want map[string]int64, actions expectOnlyActions,
	checks ...statecheck.StateCheck,
) resource.TestStep {
	return resource.TestStep{
		PreConfig: resetCounters(em, changes...),
		Config:    cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{expectRequests(em, want), actions},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		ConfigStateChecks: checks,
	}
}

// Refreshing 300 unchanged apps and 20 TURN keys costs one list request per
// kind and not a single GET, both in `terraform refresh` and in the refresh
// of a plan, and keeps every secret in state. Terraform refreshes ten
// objects at a time, so this also proves that concurrent Reads wait for the
// one list in flight instead of sending their own.
func TestRefreshWithList_unchangedObjectsCostOneListPerKind(t *testing.T) {
	em, f, cfg := listedFleet(t, 300, 20)
	steps := refreshCosts(em, cfg, map[string]int64{listApps: 1, listTURNKeys: 1})
	steps[0].Check = checkAPI(func() error {
		if n, m := len(em.Apps(testAccountID)), len(em.TURNKeys(testAccountID)); n != 300 || m != 20 {
			return fmt.Errorf("the emulator holds %d apps and %d TURN keys, want 300 and 20", n, m)
		}
		return nil
	})
	steps[1].Check = resource.ComposeAggregateTestCheckFunc(
		steps[1].Check,
		checkSecretIsEmulators(em, legacy(f.app(0))),
		checkSecretIsEmulators(em, legacy(f.app(299))),
		checkKeyIsEmulators(em, legacy(f.turnKey(0))),
		checkKeyIsEmulators(em, legacy(f.turnKey(19))),
	)
	steps[2].ConfigStateChecks = []statecheck.StateCheck{
		expectEmulatorApp(em, f.app(150)),
		expectEmulatorTURNKey(em, f.turnKey(10)),
	}
	fleetTest(t, em, steps...)
}

// An app and a TURN key deleted outside Terraform are missing from the
// lists; each costs one GET to confirm it is gone, and is then planned for
// creation. Nothing else changes.
func TestRefreshWithList_deletedOutOfBandCostsOneGETAndIsRecreated(t *testing.T) {
	em, f, cfg := listedFleet(t, 40, 10)
	var appUID, keyUID string
	appChanges := statecheck.CompareValue(compare.ValuesDiffer())
	keyChanges := statecheck.CompareValue(compare.ValuesDiffer())

	fleetTest(t, em,
		resource.TestStep{
			Config: cfg,
			Check:  resource.ComposeAggregateTestCheckFunc(rememberUID(legacy(f.app(7)), &appUID), rememberUID(legacy(f.turnKey(3)), &keyUID)),
			ConfigStateChecks: []statecheck.StateCheck{
				appChanges.AddStateValue(f.app(7), tfjsonpath.New("uid")),
				keyChanges.AddStateValue(f.turnKey(3), tfjsonpath.New("uid")),
			},
		},
		outOfBandStep(em, cfg,
			[]func(){
				func() { must(t, em.DeleteApp(testAccountID, appUID)) },
				func() { must(t, em.DeleteTURNKey(testAccountID, keyUID)) },
			},
			map[string]int64{listApps: 1, getApp: 1, listTURNKeys: 1, getTURNKey: 1},
			expectOnlyActions{f.app(7): tfjson.ActionCreate, f.turnKey(3): tfjson.ActionCreate},
			appChanges.AddStateValue(f.app(7), tfjsonpath.New("uid")),
			keyChanges.AddStateValue(f.turnKey(3), tfjsonpath.New("uid")),
			expectEmulatorApp(em, f.app(7)),
			expectEmulatorTURNKey(em, f.turnKey(3)),
		),
	)
}

// A name changed outside Terraform is seen in the list itself: drift is
// planned as an in-place update with no per-object request.
func TestRefreshWithList_renamedOutOfBandIsDriftFromTheList(t *testing.T) {
	em, f, cfg := listedFleet(t, 40, 10)
	var appUID, keyUID string
	renamed := outOfBandStep(em, cfg,
		[]func(){
			func() { _, err := em.RenameApp(testAccountID, appUID, "renamed-by-hand"); must(t, err) },
			func() { _, err := em.RenameTURNKey(testAccountID, keyUID, "renamed-by-hand"); must(t, err) },
		},
		map[string]int64{listApps: 1, listTURNKeys: 1},
		expectOnlyActions{f.app(5): tfjson.ActionUpdate, f.turnKey(2): tfjson.ActionUpdate},
		statecheck.ExpectKnownValue(f.app(5), tfjsonpath.New("uid"), knownvalue.StringFunc(func(v string) error {
			if v != appUID {
				return fmt.Errorf("uid changed from %s to %s: the app was replaced, not renamed", appUID, v)
			}
			return nil
		})),
		expectEmulatorApp(em, f.app(5)),
		expectEmulatorTURNKey(em, f.turnKey(2)),
	)
	renamed.ConfigPlanChecks.PreApply = append(renamed.ConfigPlanChecks.PreApply,
		plancheck.ExpectKnownValue(f.app(5), tfjsonpath.New("name"), knownvalue.StringExact("bulk-app-5")))

	fleetTest(t, em,
		resource.TestStep{
			Config: cfg,
			Check:  resource.ComposeAggregateTestCheckFunc(rememberUID(legacy(f.app(5)), &appUID), rememberUID(legacy(f.turnKey(2)), &keyUID)),
		},
		renamed,
	)
}

// hideFromList wraps the emulator so that list answers leave out the app
// whose uid is stored in hidden, like a list that lags behind: the app
// exists, but the list does not show it (yet).
func hideFromList(srv http.Handler, hidden *atomic.Value) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		uid, _ := hidden.Load().(string)
		if uid == "" || r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/calls/apps") {
			srv.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		var env map[string]json.RawMessage
		var apps []map[string]any
		if json.Unmarshal(rec.Body.Bytes(), &env) != nil || json.Unmarshal(env["result"], &apps) != nil {
			http.Error(w, "hideFromList: the list answer is not an envelope of apps", http.StatusInternalServerError)
			return
		}
		apps = slices.DeleteFunc(apps, func(a map[string]any) bool { return a["uid"] == uid })
		env["result"], _ = json.Marshal(apps)
		body, _ := json.Marshal(env)
		maps.Copy(w.Header(), rec.Header())
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

// An app the list does not show is not dropped from state on the list's
// word: a GET confirms it exists, and its answer is what the plan uses, so
// a rename made outside Terraform is still drift.
func TestRefreshWithList_missingFromListIsConfirmedWithGET(t *testing.T) {
	em := bulkEmulator(t)
	var hidden atomic.Value
	ts := httptest.NewServer(hideFromList(em, &hidden))
	t.Cleanup(ts.Close)
	f := fleet{name: "bulk", account: testAccountID, apps: 20}
	cfg := fleetConfig(ts.URL+emulator.APIPrefix, "true", f)
	var uid string
	sameUID := statecheck.CompareValue(compare.ValuesSame())

	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkAppsDestroyed(t, em),
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				Check:             rememberUID(legacy(f.app(4)), &uid),
				ConfigStateChecks: []statecheck.StateCheck{sameUID.AddStateValue(f.app(4), tfjsonpath.New("uid"))},
			},
			{
				PreConfig: resetCounters(em, func() { hidden.Store(uid) }),
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						expectRequests(em, map[string]int64{listApps: 1, getApp: 1}),
						plancheck.ExpectEmptyPlan(),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameUID.AddStateValue(f.app(4), tfjsonpath.New("uid")),
					expectEmulatorApp(em, f.app(4)),
				},
			},
			outOfBandStep(em, cfg,
				[]func(){func() { _, err := em.RenameApp(testAccountID, uid, "renamed-by-hand"); must(t, err) }},
				map[string]int64{listApps: 1, getApp: 1},
				expectOnlyActions{f.app(4): tfjson.ActionUpdate},
				sameUID.AddStateValue(f.app(4), tfjsonpath.New("uid")),
				expectEmulatorApp(em, f.app(4)),
			),
		},
	})
}

// Each account is listed once: two accounts cost two lists per kind.
func TestRefreshWithList_twoAccountsCostTwoLists(t *testing.T) {
	em := bulkEmulator(t)
	a := fleet{name: "first", account: testAccountID, apps: 30, turnKeys: 5}
	b := fleet{name: "second", account: otherTestAccountID, apps: 30, turnKeys: 5}
	cfg := fleetConfig(em.URL, "true", a, b)
	fleetTest(t, em, refreshCosts(em, cfg, map[string]int64{listApps: 2, listTURNKeys: 2})...)
}

// With refresh_with_list = false every object is read with its own GET and
// nothing is listed.
func TestRefreshWithList_offReadsEachObjectWithItsOwnRequest(t *testing.T) {
	em := bulkEmulator(t)
	f := fleet{name: "bulk", account: testAccountID, apps: 50, turnKeys: 10}
	cfg := fleetConfig(em.URL, "false", f)
	steps := refreshCosts(em, cfg, map[string]int64{getApp: 50, getTURNKey: 10})
	steps[1].Check = resource.ComposeAggregateTestCheckFunc(
		steps[1].Check,
		checkSecretIsEmulators(em, legacy(f.app(49))),
		checkKeyIsEmulators(em, legacy(f.turnKey(9))),
	)
	fleetTest(t, em, steps...)
}

// CLOUDFLARE_CALLS_REFRESH_WITH_LIST=false turns listing off when the
// provider block leaves the setting out; the provider block wins over it.
// Not parallel: it sets the environment.
func TestRefreshWithList_environmentVariable(t *testing.T) {
	em := bulkEmulator(t)
	t.Setenv(EnvRefreshWithList, "false")
	f := fleet{name: "bulk", account: testAccountID, apps: 15, turnKeys: 3}

	steps := refreshCosts(em, fleetConfig(em.URL, "", f), map[string]int64{getApp: 15, getTURNKey: 3})
	// The provider block wins: the same objects, with the setting on, are listed.
	steps[2].Config = fleetConfig(em.URL, "true", f)
	steps[2].ConfigPlanChecks.PreApply = []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), expectRequests(em, map[string]int64{listApps: 1, listTURNKeys: 1})}
	cliTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkFleetDestroyed(t, em),
		Steps:                    steps,
	})
}

// A failed list falls back to one GET per object of that account and kind,
// and is not retried by every Read: one list request, then GETs. The plan is
// as correct as without lists: a rename is an update, a deletion a create.
// The other kind, whose list works, is still served from its list.
func TestRefreshWithList_failedListFallsBackToOneGETPerObject(t *testing.T) {
	em, f, cfg := listedFleet(t, 30, 5)
	var renamedUID, deletedUID string

	fleetTest(t, em,
		resource.TestStep{
			Config: cfg,
			Check:  resource.ComposeAggregateTestCheckFunc(rememberUID(legacy(f.app(2)), &renamedUID), rememberUID(legacy(f.app(9)), &deletedUID)),
		},
		outOfBandStep(em, cfg,
			[]func(){
				// A 200 with a broken body: the client does not retry it,
				// so exactly one list request is seen per run.
				func() {
					must(t, em.InjectFault(emulator.Fault{Kind: emulator.FaultMalformedJSON, Method: http.MethodGet, Route: listAppsRoute}))
				},
				func() { _, err := em.RenameApp(testAccountID, renamedUID, "renamed-by-hand"); must(t, err) },
				func() { must(t, em.DeleteApp(testAccountID, deletedUID)) },
			},
			map[string]int64{listApps: 1, getApp: 30, listTURNKeys: 1},
			expectOnlyActions{f.app(2): tfjson.ActionUpdate, f.app(9): tfjson.ActionCreate},
			expectEmulatorApp(em, f.app(2)),
			expectEmulatorApp(em, f.app(9)),
			expectEmulatorApp(em, f.app(29)),
		),
	)
}

// An invalid CLOUDFLARE_CALLS_REFRESH_WITH_LIST is refused at plan time,
// naming the variable, before any request. Not parallel: it sets the
// environment.
func TestRefreshWithList_invalidEnvironmentValueIsRefused(t *testing.T) {
	em := bulkEmulator(t)
	t.Setenv(EnvRefreshWithList, "sometimes")
	cliTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      fleetConfig(em.URL, "", fleet{name: "bulk", account: testAccountID, apps: 1}),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid CLOUDFLARE_CALLS_REFRESH_WITH_LIST.*must be true or false, got "sometimes"`),
		}},
	})
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("an invalid setting sent %d requests, want 0", n)
	}
}

// appsConfig declares n apps in testAccountID, for the CLI harness (the
// provider reads its base URL and token from the environment).
func appsConfig(n int) string {
	return fmt.Sprintf(`
resource "cloudflare_calls_app" "bulk" {
  count      = %d
  account_id = %q
  name       = "bulk-${count.index}"
}
`, n, testAccountID)
}

// A plan whose list is refused for the credential (a token that has been
// revoked, say) fails with one error, on one app, naming the list, and sends
// no GET: 30 apps cost one refused request, not 31.
func TestRefreshWithList_refusedListFailsOnceWithoutGETs(t *testing.T) {
	t.Parallel()
	em := bulkEmulator(t)
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", appsConfig(30))
	c.mustRun(0, "apply", "-auto-approve", "-parallelism=10", "-no-color")

	em.ResetCounters()
	c.env = append(c.env, "CLOUDFLARE_API_TOKEN=revoked-token-000000000000000000000000")
	out := c.mustRun(1, "plan", "-parallelism=10", "-no-color")
	if n := strings.Count(out, "Error: "); n != 1 {
		t.Errorf("the plan reported %d errors, want 1:\n%s", n, out)
	}
	for _, want := range []string{"Unable to read Calls app", "HTTP 403", "/calls/apps",
		"the one request that lists the Calls apps of account " + testAccountID} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) { // Terraform wraps lines
			t.Errorf("the plan's output does not say %q:\n%s", want, out)
		}
	}
	if err := expectRequests(em, map[string]int64{listApps: 1}).err(); err != nil {
		t.Error(err)
	}
}

// A list refused once for the rate limit (429 with Retry-After) is waited
// for and sent again, like any call: the plan succeeds with two list
// requests and no GET.
func TestRefreshWithList_rateLimitedListWaitsThenLists(t *testing.T) {
	em := bulkEmulator(t)
	f := fleet{name: "bulk", account: testAccountID, apps: 30}
	cfg := fleetConfig(em.URL, "", f)
	fleetTest(t, em,
		resource.TestStep{Config: cfg},
		resource.TestStep{
			PreConfig: resetCounters(em, func() {
				must(t, em.InjectFault(emulator.Fault{Kind: emulator.FaultRateLimit, Method: http.MethodGet, Route: listAppsRoute, Count: 1, RetryAfter: 2}))
			}),
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), expectRequests(em, map[string]int64{listApps: 2})},
			},
		},
	)
}
