package provider

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// The emulator's webhook routes, as its counters name them.
const (
	kitWebhooksRoute = "/accounts/{account_id}/realtime/kit/{app_id}/webhooks"
	kitWebhookRoute  = kitWebhooksRoute + "/{webhook_id}"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// kitEmulator starts an emulator with every RealtimeKit quirk on (the list
// of an app without webhooks answers 404, a PUT answers a partial echo...)
// and one app, whose id it returns.
func kitEmulator(t *testing.T) (*emulator.Running, string) {
	t.Helper()
	em := startEmulator(t, emulator.Options{Tokens: []string{testToken}, KitQuirks: emulator.AllKitQuirks()})
	app, err := em.CreateKitApp(testAccountID, "webhook-tests")
	if err != nil {
		t.Fatal(err)
	}
	return em, app.ID
}

// webhookTest runs steps on the CLI; when they end, the emulator must hold
// no webhook.
func webhookTest(t *testing.T, em *emulator.Running, steps ...resource.TestStep) {
	t.Helper()
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			if n := em.KitWebhookCount(); n != 0 {
				return fmt.Errorf("after destroy the emulator still has %d webhooks", n)
			}
			return nil
		},
		Steps: steps,
	})
}

// stateWebhookID reads the webhook's id from state into *id.
func stateWebhookID(id *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[webhookAddr]
		if !ok {
			return fmt.Errorf("%s not in state", webhookAddr)
		}
		*id = rs.Primary.ID
		return nil
	}
}

// checkEmulatorWebhook checks that the webhook in state is in the emulator,
// in the state's app, with the state's every field.
func checkEmulatorWebhook(em *emulator.Running) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[webhookAddr]
		if !ok {
			return fmt.Errorf("%s not in state", webhookAddr)
		}
		a := rs.Primary.Attributes
		w, found := em.KitWebhook(a["account_id"], a["app_id"], a["id"])
		if !found {
			return fmt.Errorf("the emulator has no webhook %s in app %s", a["id"], a["app_id"])
		}
		var events []string
		for k, v := range a {
			if strings.HasPrefix(k, "events.") && k != "events.#" {
				events = append(events, v)
			}
		}
		sort.Strings(events)
		emEvents := slices.Sorted(slices.Values(w.Events))
		got := fmt.Sprintf("%s %s %v %s %s %s", w.Name, w.URL, w.Enabled, emEvents,
			w.Created.UTC().Format(emulator.TimeFormat), w.Updated.UTC().Format(emulator.TimeFormat))
		want := fmt.Sprintf("%s %s %s %s %s %s", a["name"], a["url"], a["enabled"], events, a["created_at"], a["updated_at"])
		if got != want {
			return fmt.Errorf("the emulator holds %q, state %q", got, want)
		}
		return nil
	}
}

func webhookImportID(s *terraform.State) (string, error) {
	rs, ok := s.RootModule().Resources[webhookAddr]
	if !ok {
		return "", fmt.Errorf("%s not in state", webhookAddr)
	}
	a := rs.Primary.Attributes
	return a["account_id"] + "/" + a["app_id"] + "/" + a["id"], nil
}

// stateValues collects a value from the state of each step it checks
// (statecheck.CompareValue).
type stateValues interface {
	AddStateValue(address string, path tfjsonpath.Path) statecheck.StateCheck
}

// An update in place that keeps the id and created_at: the plan is an
// update, and the plan after it is empty.
func updateStep(em *emulator.Running, config string, sameID, sameCreated stateValues, checks ...plancheck.PlanCheck) resource.TestStep {
	return resource.TestStep{
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply:             append([]plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionUpdate)}, checks...),
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		ConfigStateChecks: []statecheck.StateCheck{
			sameID.AddStateValue(webhookAddr, tfjsonpath.New("id")),
			sameCreated.AddStateValue(webhookAddr, tfjsonpath.New("created_at")),
		},
		Check: checkEmulatorWebhook(em),
	}
}

// A webhook is created, read back, changed in place field by field (name,
// url, events, enabled), imported and destroyed, with every quirk of the
// API on; each plan after an apply is empty, and the emulator holds what
// the state says.
func TestRealtimeKitWebhook_lifecycleUpdatesInPlace(t *testing.T) {
	em, appID := kitEmulator(t)
	p := providerBlock(em)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameCreated := statecheck.CompareValue(compare.ValuesSame())
	two := `["meeting.started", "meeting.ended"]`
	three := `["meeting.started", "recording.statusUpdate", "meeting.summary"]`
	webhookTest(t, em,
		resource.TestStep{
			Config: webhookConfig(p, appID, "first", "https://example.com/a", two),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidPattern)),
				statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("app_id"), knownvalue.StringExact(appID)),
				statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("name"), knownvalue.StringExact("first")),
				statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("events"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("meeting.started"), knownvalue.StringExact("meeting.ended")})),
				statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339)),
				statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("updated_at"), knownvalue.StringRegexp(rfc3339)),
				sameID.AddStateValue(webhookAddr, tfjsonpath.New("id")),
				sameCreated.AddStateValue(webhookAddr, tfjsonpath.New("created_at")),
			},
			Check: checkEmulatorWebhook(em),
		},
		updateStep(em, webhookConfig(p, appID, "renamed", "https://example.com/a", two), sameID, sameCreated,
			plancheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("name"), knownvalue.StringExact("renamed"))),
		updateStep(em, webhookConfig(p, appID, "renamed", "http://hooks.example.net:8080/b?x=1", two), sameID, sameCreated),
		updateStep(em, webhookConfig(p, appID, "renamed", "http://hooks.example.net:8080/b?x=1", three), sameID, sameCreated),
		updateStep(em, webhookConfig(p, appID, "renamed", "http://hooks.example.net:8080/b?x=1", three, "  enabled = false"), sameID, sameCreated,
			plancheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("enabled"), knownvalue.Bool(false))),
		// Back to the default: enabled left out is true again.
		updateStep(em, webhookConfig(p, appID, "renamed", "http://hooks.example.net:8080/b?x=1", three), sameID, sameCreated,
			plancheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true))),
		resource.TestStep{
			ResourceName:      webhookAddr,
			ImportState:       true,
			ImportStateIdFunc: webhookImportID,
			ImportStateVerify: true,
		},
		resource.TestStep{
			ResourceName:      webhookAddr,
			ImportState:       true,
			ImportStateKind:   resource.ImportBlockWithID,
			ImportStateIdFunc: webhookImportID,
		},
	)
}

// A change of app_id replaces the webhook: it cannot move between apps.
func TestRealtimeKitWebhook_appChangeReplaces(t *testing.T) {
	em, appID := kitEmulator(t)
	other, err := em.CreateKitApp(testAccountID, "other")
	must(t, err)
	p := providerBlock(em)
	events := `["meeting.started"]`
	webhookTest(t, em,
		resource.TestStep{Config: webhookConfig(p, appID, "w", "https://example.com/a", events)},
		resource.TestStep{
			Config: webhookConfig(p, other.ID, "w", "https://example.com/a", events),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionDestroyBeforeCreate)},
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkEmulatorWebhook(em), checkAPI(func() error {
				if n, m := len(em.KitWebhooks(testAccountID, appID)), len(em.KitWebhooks(testAccountID, other.ID)); n != 0 || m != 1 {
					return fmt.Errorf("the first app has %d webhooks, the other %d; want 0 and 1", n, m)
				}
				return nil
			})),
		},
	)
}

// A change made outside Terraform to every field is drift: the plan shows
// an update in place back to the configuration, and the apply makes it.
func TestRealtimeKitWebhook_changedOutsideTerraformIsDriftAndRepaired(t *testing.T) {
	em, appID := kitEmulator(t)
	config := webhookConfig(providerBlock(em), appID, "declared", "https://example.com/a", `["meeting.started"]`)
	var id string
	webhookTest(t, em,
		resource.TestStep{Config: config, Check: stateWebhookID(&id)},
		resource.TestStep{
			PreConfig: func() {
				_, err := em.UpdateKitWebhook(testAccountID, appID, id, map[string]any{
					"name": "changed-by-hand", "url": "https://elsewhere.example.com/", "events": []string{"meeting.ended"}, "enabled": false})
				must(t, err)
			},
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("name"), knownvalue.StringExact("declared")),
					plancheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkEmulatorWebhook(em), checkAPI(func() error {
				w, _ := em.KitWebhook(testAccountID, appID, id)
				if w.Name != "declared" || w.URL != "https://example.com/a" || !w.Enabled || strings.Join(w.Events, ",") != "meeting.started" {
					return fmt.Errorf("the emulator holds %+v after the repair", w)
				}
				return nil
			})),
		},
	)
}

// A webhook deleted outside Terraform leaves the state at the next
// refresh (its GET answers 404), and the apply creates it again.
func TestRealtimeKitWebhook_deletedOutsideTerraformIsCreatedAgain(t *testing.T) {
	em, appID := kitEmulator(t)
	config := webhookConfig(providerBlock(em), appID, "declared", "https://example.com/a", `["meeting.started"]`)
	var id string
	webhookTest(t, em,
		resource.TestStep{Config: config, Check: stateWebhookID(&id)},
		resource.TestStep{
			PreConfig: func() { must(t, em.DeleteKitWebhook(testAccountID, appID, id)) },
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionCreate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkEmulatorWebhook(em), func(s *terraform.State) error {
				if s.RootModule().Resources[webhookAddr].Primary.ID == id {
					return fmt.Errorf("the webhook kept its old id %s", id)
				}
				return nil
			}),
		},
	)
}

// A destroy whose DELETE meets a webhook already gone succeeds: the CLI
// runs with -refresh=false, so the provider's Delete gets the 404.
func TestRealtimeKitWebhook_destroyOfAWebhookAlreadyGoneSucceeds(t *testing.T) {
	em, appID := kitEmulator(t)
	c := newCLI(t, em)
	c.write("main.tf", webhookConfig(providerBlock(em), appID, "w", "https://example.com/a", `["meeting.started"]`))
	c.mustRun(0, "apply", "-auto-approve", "-no-color")
	hooks := em.KitWebhooks(testAccountID, appID)
	if len(hooks) != 1 {
		t.Fatalf("the emulator has %d webhooks after apply, want 1", len(hooks))
	}
	must(t, em.DeleteKitWebhook(testAccountID, appID, hooks[0].ID))
	em.ResetCounters()
	c.mustRun(0, "destroy", "-auto-approve", "-refresh=false", "-no-color")
	if n := requestsTo(em, "DELETE", kitWebhookRoute); n != 1 {
		t.Errorf("the destroy sent %d DELETEs, want 1 (counters %v)", n, em.Counters())
	}
	if len(c.shownState()) != 0 {
		t.Errorf("the state still holds the webhook after destroy")
	}
}

// A webhook whose create answer is lost is neither retried nor taken into
// state: the error names the webhook the search found, with the import
// command that takes it into state.
func TestRealtimeKitWebhook_lostCreateAnswerNamesTheWebhookToImport(t *testing.T) {
	em, appID := kitEmulator(t)
	inject(t, em, emulator.Fault{Kind: emulator.FaultDropAfter, Method: "POST", Route: kitWebhooksRoute, Count: 1})
	c := newCLI(t, em)
	c.write("main.tf", webhookConfig(providerBlock(em), appID, "lost", "https://example.com/a", `["meeting.started"]`))
	out := c.mustRun(1, "apply", "-auto-approve", "-no-color")
	hooks := em.KitWebhooks(testAccountID, appID)
	if len(hooks) != 1 {
		t.Fatalf("the emulator has %d webhooks, want the one the lost create made", len(hooks))
	}
	if n := requestsTo(em, "POST", kitWebhooksRoute); n != 1 {
		t.Errorf("%d creates were sent, want 1: a create whose answer was lost must not be retried", n)
	}
	expectSays(t, out, "RealtimeKit webhook may have been created, but its answer was lost",
		"The app holds 1 webhook named \"lost\" created since the request began",
		"terraform import '<address>' "+testAccountID+"/"+appID+"/"+hooks[0].ID)
	expectNoFrameworkError(t, out)
	if len(c.shownState()) != 0 {
		t.Errorf("the lost webhook was taken into state")
	}
}

// A create answered with a server error may or may not have been carried
// out: when the search finds nothing (twice), the error says so and gives
// the command to look again later, and nothing is retried or stored.
func TestRealtimeKitWebhook_lostCreateWithNothingFoundSaysHowToLookLater(t *testing.T) {
	em, appID := kitEmulator(t)
	inject(t, em, emulator.Fault{Kind: emulator.FaultStatus, Method: "POST", Route: kitWebhooksRoute, Count: 1, Status: 502})
	c := newCLI(t, em)
	c.write("main.tf", webhookConfig(providerBlock(em), appID, "lost", "https://example.com/a", `["meeting.started"]`))
	out := c.mustRun(1, "apply", "-auto-approve", "-no-color")
	if n := requestsTo(em, "POST", kitWebhooksRoute); n != 1 {
		t.Errorf("%d creates were sent, want 1", n)
	}
	if n := requestsTo(em, "GET", kitWebhooksRoute); n != 2 {
		t.Errorf("the app's webhooks were listed %d times, want 2 (a second look after a pause)", n)
	}
	expectSays(t, out, "RealtimeKit webhook may have been created, but its answer was lost",
		"No webhook named \"lost\" created since the request began was found in the app (looked twice, 5s apart)",
		"curl -sS -H \"Authorization: Bearer $CLOUDFLARE_API_TOKEN\" '"+em.URL+"/accounts/"+testAccountID+"/realtime/kit/"+appID+"/webhooks'",
		"terraform import '<address>' "+testAccountID+"/"+appID+"/<id>")
	if len(c.shownState()) != 0 || em.KitWebhookCount() != 0 {
		t.Errorf("state holds %d objects and the emulator %d webhooks, want none", len(c.shownState()), em.KitWebhookCount())
	}
}

// partialCreateAnswers serves em, except that the answer to a webhook's
// create holds only its id and a name and enabled that are not what was
// stored: the provider must take the webhook's state from a read, never
// from a write's answer.
func partialCreateAnswers(t *testing.T, em *emulator.Running) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		em.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/webhooks") && rec.Code == http.StatusCreated {
			var answer struct{ Data struct{ ID string } }
			if err := json.Unmarshal(body, &answer); err != nil {
				t.Errorf("decoding the create's answer: %v", err)
			}
			body = []byte(`{"success":true,"data":{"id":"` + answer.Data.ID + `","name":"from the answer","enabled":false}}`)
		}
		maps.Copy(w.Header(), rec.Header())
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/client/v4"
}

// The state after a create is the webhook as a GET reads it back, not as
// the create's answer says: the plan after it is empty and the state
// matches the emulator.
func TestRealtimeKitWebhook_createAnswerIsNotTakenAsState(t *testing.T) {
	em, appID := kitEmulator(t)
	webhookTest(t, em, resource.TestStep{
		Config: webhookConfig(providerConfig(partialCreateAnswers(t, em), testToken), appID, "declared", "https://example.com/a", `["meeting.started"]`),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("name"), knownvalue.StringExact("declared")),
			statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339)),
		},
		Check: checkEmulatorWebhook(em),
	})
}

// A create whose read-back fails keeps the webhook, which exists as
// planned, with a warning: no error, so it is not tainted, and the next
// plan is empty rather than a replacement.
func TestRealtimeKitWebhook_createWhoseReadBackFailsKeepsTheWebhook(t *testing.T) {
	em, appID := kitEmulator(t)
	inject(t, em, emulator.Fault{Kind: emulator.FaultStatus, Status: 502, Method: "GET", Route: kitWebhookRoute, Count: 1})
	webhookTest(t, em, resource.TestStep{
		Config:           webhookConfig(providerConfig(em.URL, testToken, "max_retries = 0"), appID, "kept", "https://example.com/a", `["meeting.started"]`),
		ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidPattern)),
			statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("name"), knownvalue.StringExact("kept")),
		},
		Check: checkAPI(func() error {
			if n, w := em.Statuses()[502], em.KitWebhookCount(); n != 1 || w != 1 {
				return fmt.Errorf("%d answers were 502 and the app holds %d webhooks; want the one read-back and one webhook", n, w)
			}
			return nil
		}),
	})
}
