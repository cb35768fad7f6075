package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// The emulator's counters, keyed by method and route.
const (
	listAppsRoute     = "/accounts/{account_id}/calls/apps"
	listTURNKeysRoute = "/accounts/{account_id}/calls/turn_keys"
	listApps          = "GET " + listAppsRoute
	getApp            = "GET /accounts/{account_id}/calls/apps/{app_id}"
	listTURNKeys      = "GET " + listTURNKeysRoute
	getTURNKey        = "GET /accounts/{account_id}/calls/turn_keys/{key_id}"
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

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
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

// Within one configured provider, the provider's own create, rename and
// delete are written into a loaded snapshot, so the Reads that follow them
// in the same process see them without a request of their own (a create,
// a rename) or with the confirming GET (a delete, which must not be read
// back from the snapshot as still existing). Terraform's CLI starts a new
// provider for each operation, so this is driven over the protocol.
func TestRefreshWithList_ownChangesKeepTheSnapshotTrue(t *testing.T) {
	for _, k := range testKinds {
		t.Run(k.resourceType, func(t *testing.T) {
			t.Parallel()
			em := bulkEmulator(t)
			kept := mustCreate(t, k, em, testAccountID, "kept")
			renamed := mustCreate(t, k, em, testAccountID, "to-rename")
			deleted := mustCreate(t, k, em, testAccountID, "to-delete")

			p := newProtocolProvider(t, nil)
			ctx := context.Background()
			configured, err := p.server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
				TerraformVersion: "1.5.7",
				Config: p.encode(p.schemas.Provider.ValueType(), map[string]tftypes.Value{
					"base_url": tfString(em.URL), "api_token": tfString(testToken),
					"refresh_with_list": tftypes.NewValue(tftypes.Bool, true),
				}),
			})
			requireNoErrors(t, "ConfigureProvider", err, configureDiags(configured))
			typ := p.resourceType(k.resourceType)
			stateOf := func(o emulatorObject) *tfprotov6.DynamicValue {
				return p.encode(typ, map[string]tftypes.Value{
					"account_id": tfString(testAccountID), "id": tfString(o.UID), "uid": tfString(o.UID), "name": tfString(o.Name),
					k.secretAttr: tfString(o.Secret), "created": tfString(wireTime(o.Created)),
					"modified": tfString(wireTime(o.Modified)),
				})
			}
			read := func(what string, current *tfprotov6.DynamicValue) map[string]string {
				t.Helper()
				resp, err := p.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: k.resourceType, CurrentState: current})
				requireNoErrors(t, "ReadResource of "+what, err, resp.Diagnostics)
				return p.decode(typ, resp.NewState)
			}
			apply := func(what string, prior, planned *tfprotov6.DynamicValue, config map[string]tftypes.Value) *tfprotov6.DynamicValue {
				t.Helper()
				if prior == nil {
					null, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
					must(t, err)
					prior = &null
				}
				resp, err := p.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
					TypeName: k.resourceType, PriorState: prior, PlannedState: planned, Config: p.encode(typ, config),
				})
				requireNoErrors(t, "ApplyResourceChange ("+what+")", err, resp.Diagnostics)
				return resp.NewState
			}
			null, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
			must(t, err)

			em.ResetCounters()
			if got := read("an object in the list", stateOf(kept)); got["name"] != "kept" || got[k.secretAttr] != kept.Secret {
				t.Fatalf("read %v", got)
			}

			config := map[string]tftypes.Value{"account_id": tfString(testAccountID), "name": tfString("created-here")}
			created := p.decode(typ, apply("create", nil, p.encode(typ, map[string]tftypes.Value{
				"account_id": tfString(testAccountID), "name": tfString("created-here"),
				"id": tfUnknown, "uid": tfUnknown, k.secretAttr: tfUnknown, "created": tfUnknown, "modified": tfUnknown,
			}), config))
			createdState := map[string]tftypes.Value{}
			for name, v := range created {
				createdState[name] = tfString(v)
			}
			if got := read("the object just created", p.encode(typ, createdState)); got["uid"] != created["uid"] || got["name"] != "created-here" {
				t.Errorf("read of the created object gave %v, want %v", got, created)
			}

			renamedPlan := map[string]tftypes.Value{
				"account_id": tfString(testAccountID), "id": tfString(renamed.UID), "uid": tfString(renamed.UID), "name": tfString("renamed-here"),
				k.secretAttr: tfString(renamed.Secret), "created": tfString(wireTime(renamed.Created)), "modified": tfUnknown,
			}
			apply("rename", stateOf(renamed), p.encode(typ, renamedPlan), map[string]tftypes.Value{"account_id": tfString(testAccountID), "name": tfString("renamed-here")})
			if got := read("the object just renamed, from its old state", stateOf(renamed)); got["name"] != "renamed-here" || got[k.secretAttr] != renamed.Secret {
				t.Errorf("read of the renamed object gave %v; want the new name and the secret kept", got)
			}

			apply("delete", stateOf(deleted), &null, map[string]tftypes.Value{"account_id": tfString(testAccountID), "name": tfString("to-delete")})
			if got := read("the object just deleted", stateOf(deleted)); got != nil {
				t.Errorf("the deleted object was read back as %v; want it removed from state", got)
			}

			list, get := listApps, getApp
			if k.resourceType == "cloudflare_calls_turn_key" {
				list, get = listTURNKeys, getTURNKey
			}
			coll := strings.TrimPrefix(list, "GET ")
			item := strings.TrimPrefix(get, "GET ")
			want := map[string]int64{list: 1, get: 1, "POST " + coll: 1, "PUT " + item: 1, "DELETE " + item: 1}
			if err := expectRequests(em, want).err(); err != nil {
				t.Error(err)
			}
		})
	}
}

// fakeKind is a callsKind and an objectReader whose get and list are in the
// test's hands.
type fakeKind struct {
	callsKind
	lists, gets atomic.Int64
	listFn      func(ctx context.Context, accountID string) ([]callsObject, error)
	getFn       func(accountID, uid string) (callsObject, error)
}

func newFakeKind(list func(ctx context.Context, accountID string) ([]callsObject, error), get func(accountID, uid string) (callsObject, error)) *fakeKind {
	return &fakeKind{callsKind: appKind, listFn: list, getFn: get}
}

func (f *fakeKind) list(ctx context.Context, _ callsKind, accountID string) ([]callsObject, error) {
	f.lists.Add(1)
	return f.listFn(ctx, accountID)
}

func (f *fakeKind) get(_ context.Context, _ callsKind, accountID, uid string) (callsObject, error) {
	f.gets.Add(1)
	return f.getFn(accountID, uid)
}

var errNotFound = &callsapi.Error{Method: http.MethodGet, StatusCode: http.StatusNotFound}

func uidOf(i int) string { return fmt.Sprintf("%032x", i) }

func objectsNumbered(n int) []callsObject {
	out := make([]callsObject, n)
	for i := range out {
		out[i] = callsObject{UID: uidOf(i), Name: fmt.Sprintf("app-%d", i)}
	}
	return out
}

// Reads that arrive while the list is in flight wait for it: 50 concurrent
// Reads send one list and no GET.
func TestRefreshSnapshots_concurrentReadsShareOneList(t *testing.T) {
	release := make(chan struct{})
	k := newFakeKind(
		func(context.Context, string) ([]callsObject, error) { <-release; return objectsNumbered(50), nil },
		func(string, string) (callsObject, error) { return callsObject{}, errNotFound },
	)
	s := newRefreshSnapshots(k, true)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Go(func() {
			o, found, err := s.read(t.Context(), k.callsKind, testAccountID, uidOf(i))
			if err != nil || !found || o.Name != fmt.Sprintf("app-%d", i) {
				errs <- fmt.Errorf("read %d: %+v, found %v, err %w", i, o, found, err)
			}
		})
	}
	for k.lists.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the other Reads queue up behind the list
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if l, g := k.lists.Load(), k.gets.Load(); l != 1 || g != 0 {
		t.Errorf("50 concurrent Reads sent %d lists and %d GETs, want 1 and 0", l, g)
	}
}

// Changes this process makes while the list is in flight are applied on top
// of its answer, which may predate them.
func TestRefreshSnapshots_changesDuringTheListAreKept(t *testing.T) {
	release, listing := make(chan struct{}), make(chan struct{})
	k := newFakeKind(
		func(context.Context, string) ([]callsObject, error) {
			close(listing)
			<-release
			return objectsNumbered(3), nil
		},
		func(string, string) (callsObject, error) { return callsObject{}, errNotFound },
	)
	s := newRefreshSnapshots(k, true)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _, _ = s.read(t.Context(), k.callsKind, testAccountID, uidOf(0))
	}()
	<-listing
	s.put(k.callsKind, testAccountID, callsObject{UID: uidOf(7), Name: "created"})
	s.put(k.callsKind, testAccountID, callsObject{UID: uidOf(1), Name: "renamed"})
	s.remove(k.callsKind, testAccountID, uidOf(2))
	close(release)
	<-done

	for uid, want := range map[string]string{uidOf(7): "created", uidOf(1): "renamed", uidOf(0): "app-0"} {
		o, found, err := s.read(t.Context(), k.callsKind, testAccountID, uid)
		if err != nil || !found || o.Name != want {
			t.Errorf("read %s: %+v, found %v, err %v; want name %q", uid, o, found, err, want)
		}
	}
	if k.gets.Load() != 0 {
		t.Errorf("%d GETs for objects the snapshot knows", k.gets.Load())
	}
	if _, found, err := s.read(t.Context(), k.callsKind, testAccountID, uidOf(2)); found || err != nil {
		t.Errorf("the object deleted during the list was read back (found %v, err %v)", found, err)
	}
	if l, g := k.lists.Load(), k.gets.Load(); l != 1 || g != 1 {
		t.Errorf("%d lists and %d GETs, want 1 list and the one GET confirming the deletion", l, g)
	}
}

// A list whose answer failed (here a 502, after the client's retries) is
// remembered for its account and kind: the account's objects are read with
// one GET each, which a small answer may survive, the list is not tried
// again, and one warning is logged. Another account is listed as usual.
func TestRefreshSnapshots_failedListIsRememberedPerAccount(t *testing.T) {
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	k := newFakeKind(
		func(_ context.Context, accountID string) ([]callsObject, error) {
			if accountID == testAccountID {
				return nil, &callsapi.Error{Method: http.MethodGet, Path: "/accounts/" + accountID + "/calls/apps", StatusCode: http.StatusBadGateway}
			}
			return objectsNumbered(20), nil
		},
		func(_ string, uid string) (callsObject, error) { return callsObject{UID: uid, Name: "from-get"}, nil },
	)
	s := newRefreshSnapshots(k, true)
	for i := range 20 {
		for _, account := range []string{testAccountID, otherTestAccountID} {
			o, found, err := s.read(ctx, k.callsKind, account, uidOf(i))
			if err != nil || !found {
				t.Fatalf("read %d in %s: found %v, err %v", i, account, found, err)
			}
			if want := map[string]string{testAccountID: "from-get", otherTestAccountID: fmt.Sprintf("app-%d", i)}[account]; o.Name != want {
				t.Errorf("read %d in %s: name %q, want %q", i, account, o.Name, want)
			}
		}
	}
	if l, g := k.lists.Load(), k.gets.Load(); l != 2 || g != 20 {
		t.Errorf("%d lists and %d GETs, want 2 lists (one per account) and 20 GETs (the failed account's objects)", l, g)
	}

	entries, err := tflogtest.MultilineJSONDecode(&logs)
	must(t, err)
	var warnings []map[string]any
	for _, e := range entries {
		if e["@level"] == "warn" {
			warnings = append(warnings, e)
		}
	}
	if len(warnings) != 1 || warnings[0]["account_id"] != testAccountID || !strings.Contains(fmt.Sprint(warnings[0]["@message"]), "Unable to list Calls apps") {
		t.Errorf("want one warning about the failed list of %s, got %v", testAccountID, warnings)
	}
}

// A list refused for a reason every GET would share (the credential, the
// rate limit, a request the API cannot route, no API to connect to) fails
// the refresh once: the Read that listed gets the error, with what it was
// for; the other Reads of the account, at the same time or later, keep their
// state without an error of their own; no GET is sent. Another account is
// listed as usual.
func TestRefreshSnapshots_refusedListFailsOnceWithoutGETs(t *testing.T) {
	listPath := "/accounts/" + testAccountID + "/calls/apps"
	refusals := map[string]error{
		"403 wrong token": &callsapi.Error{Method: http.MethodGet, Path: listPath, StatusCode: http.StatusForbidden,
			Errors: []callsapi.Message{{Code: 10000, Message: "Authentication error"}}},
		"401":                     &callsapi.Error{Method: http.MethodGet, Path: listPath, StatusCode: http.StatusUnauthorized},
		"429 after the budget":    &callsapi.Error{Method: http.MethodGet, Path: listPath, StatusCode: http.StatusTooManyRequests},
		"400 no route (base_url)": &callsapi.Error{Method: http.MethodGet, Path: listPath, StatusCode: http.StatusBadRequest},
		"held by the pacer":       &callsapi.RateLimitWaitError{RateLimitHold: callsapi.RateLimitHold{Wait: 5 * time.Minute, Blocked: true}},
		"connection refused": &callsapi.TransportError{Method: http.MethodGet, Path: listPath,
			Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}},
	}
	for name, refusal := range refusals {
		t.Run(name, func(t *testing.T) {
			k := newFakeKind(
				func(_ context.Context, accountID string) ([]callsObject, error) {
					if accountID == testAccountID {
						time.Sleep(20 * time.Millisecond) // let the other Reads queue up behind the list
						return nil, refusal
					}
					return objectsNumbered(20), nil
				},
				func(_ string, uid string) (callsObject, error) { return callsObject{UID: uid, Name: "from-get"}, nil },
			)
			s := newRefreshSnapshots(k, true)
			var wg sync.WaitGroup
			var mu sync.Mutex
			var reported []error
			silent := 0
			for i := range 20 {
				wg.Go(func() {
					_, _, err := s.read(t.Context(), k.callsKind, testAccountID, uidOf(i))
					var diags diag.Diagnostics
					if err != nil {
						addReadError(&diags, "Unable to read Calls app", err)
					}
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						t.Errorf("read %d succeeded", i)
					case diags.HasError():
						reported = append(reported, err)
						if d := diags.Errors()[0].Detail(); !strings.Contains(d, refusal.Error()) || !strings.Contains(d, "lists the Calls apps of account "+testAccountID) {
							t.Errorf("the error says:\n%s\nwant the list's error and what the list was for", d)
						}
					default:
						silent++
					}
				})
			}
			wg.Wait()
			// A Read that comes later is silent too.
			if _, _, err := s.read(t.Context(), k.callsKind, testAccountID, uidOf(21)); !errors.Is(err, errRefreshFailedElsewhere) {
				t.Errorf("a later Read got %v, want errRefreshFailedElsewhere", err)
			}
			if len(reported) != 1 || silent != 19 {
				t.Errorf("%d Reads reported an error and %d kept their state silently; want 1 and 19", len(reported), silent)
			}
			if _, found, err := s.read(t.Context(), k.callsKind, otherTestAccountID, uidOf(3)); err != nil || !found {
				t.Errorf("a Read in another account: found %v, err %v", found, err)
			}
			if l, g := k.lists.Load(), k.gets.Load(); l != 2 || g != 0 {
				t.Errorf("%d lists and %d GETs, want 2 lists (one per account) and no GET", l, g)
			}
		})
	}
}

// A list cut short because its Read was cancelled is not remembered as a
// failure: the next Read lists again.
func TestRefreshSnapshots_cancelledListIsTriedAgain(t *testing.T) {
	k := newFakeKind(
		func(ctx context.Context, _ string) ([]callsObject, error) {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return objectsNumbered(1), nil
		},
		func(string, string) (callsObject, error) { return callsObject{}, errNotFound },
	)
	s := newRefreshSnapshots(k, true)
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, _ = s.read(cancelled, k.callsKind, testAccountID, uidOf(0))

	o, found, err := s.read(t.Context(), k.callsKind, testAccountID, uidOf(0))
	if err != nil || !found || o.Name != "app-0" {
		t.Errorf("read after a cancelled list: %+v, found %v, err %v", o, found, err)
	}
	if l := k.lists.Load(); l != 2 {
		t.Errorf("%d lists, want 2: the cancelled one and a fresh one", l)
	}
}

// With the setting off, Reads never list.
func TestRefreshSnapshots_disabledNeverLists(t *testing.T) {
	k := newFakeKind(
		func(context.Context, string) ([]callsObject, error) { return objectsNumbered(5), nil },
		func(_ string, uid string) (callsObject, error) { return callsObject{UID: uid}, nil },
	)
	s := newRefreshSnapshots(k, false)
	for i := range 5 {
		if _, found, err := s.read(t.Context(), k.callsKind, testAccountID, uidOf(i)); err != nil || !found {
			t.Fatalf("read %d: found %v, err %v", i, found, err)
		}
	}
	if l, g := k.lists.Load(), k.gets.Load(); l != 0 || g != 5 {
		t.Errorf("%d lists and %d GETs, want 0 and 5", l, g)
	}
}

// An object missing from the account's list (created after the list was
// answered) is confirmed with one GET, and what that GET found is
// remembered: reading it again in the same operation costs no request, and
// it reads back as the GET found it. Against the emulator, counting requests.
func TestRefreshSnapshots_objectFoundByGETIsRemembered(t *testing.T) {
	for _, k := range []struct {
		kind      callsKind
		list, get string
		create    func(em *emulator.Running, name string) (string, error)
	}{
		{appKind, listApps, getApp,
			func(em *emulator.Running, name string) (string, error) {
				a, err := em.CreateApp(testAccountID, name)
				return a.UID, err
			}},
		{turnKeyKind, listTURNKeys, getTURNKey,
			func(em *emulator.Running, name string) (string, error) {
				k, err := em.CreateTURNKey(testAccountID, name)
				return k.UID, err
			}},
	} {
		t.Run(k.kind.typeName, func(t *testing.T) {
			t.Parallel()
			em := testEmulator(t)
			early, err := k.create(em, "early")
			must(t, err)
			s := newRefreshSnapshots(clientReader{testClient(t, em)}, true)
			if _, found, err := s.read(t.Context(), k.kind, testAccountID, early); err != nil || !found {
				t.Fatalf("reading the listed object: found %v, err %v", found, err)
			}
			late, err := k.create(em, "late") // after the list: not in it
			must(t, err)
			for i := range 3 {
				o, found, err := s.read(t.Context(), k.kind, testAccountID, late)
				if err != nil || !found || o.UID != late || o.Name != "late" {
					t.Fatalf("read %d of the object missing from the list: %+v, found %v, err %v", i+1, o, found, err)
				}
			}
			if err := expectRequests(em, map[string]int64{k.list: 1, k.get: 1}).err(); err != nil {
				t.Errorf("three reads of an object missing from the list: %v", err)
			}
		})
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
