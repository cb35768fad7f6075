package provider

// cloudflare_realtime_kit_app and cloudflare_realtime_kit_apps on the real
// CLI, against the emulator with every RealtimeKit quirk on.

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

const kitAppsRoute = "/accounts/{account_id}/realtime/kit/apps"

// kitAppEmulator is testEmulator with every RealtimeKit quirk of the live API on, and no app.
func kitAppEmulator(t *testing.T) *emulator.Running {
	t.Helper()
	return startEmulator(t, emulator.Options{Tokens: []string{testToken}, KitQuirks: emulator.AllKitQuirks()})
}

func kitAppConfig(em *emulator.Running, accountID, name string) string {
	return providerBlock(em) + fmt.Sprintf(`
resource "cloudflare_realtime_kit_app" "media" {
  account_id = %q
  name       = %q
}
`, accountID, name)
}

// expectKitAppInEmulator checks that the app in state at address is one the
// emulator holds, with the same name and times.
func expectKitAppInEmulator(em *emulator.Running, address string) statecheck.StateCheck {
	return stateCheckFunc(func(state *tfjson.State) error {
		id, _, err := stateString(state, address, "id")
		if err != nil {
			return err
		}
		for _, a := range em.KitApps(testAccountID) {
			if a.ID != id {
				continue
			}
			for attr, want := range map[string]string{"name": a.Name, "created_at": wireTime(a.Created), "updated_at": wireTime(a.Updated)} {
				got, _, err := stateString(state, address, attr)
				if err != nil {
					return err
				}
				if got != want {
					return fmt.Errorf("%s.%s = %q, the emulator holds %q", address, attr, got, want)
				}
			}
			return nil
		}
		return fmt.Errorf("%s has id %s, which the emulator does not hold", address, id)
	})
}

// An app is created even when one of the same name exists (never adopted),
// read back, planned as nothing, imported identically, and left in the
// account by the destroy.
func TestRealtimeKitApp_createPlanEmptyImportAndDestroyLeavesIt(t *testing.T) {
	em := kitAppEmulator(t)
	existing, err := em.CreateKitApp(testAccountID, "media")
	must(t, err)
	addr := "cloudflare_realtime_kit_app.media"
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			if n := em.KitAppCount(); n != 2 {
				return fmt.Errorf("the emulator holds %d apps after the destroy, want both still there", n)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: kitAppConfig(em, testAccountID, "media"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidPattern)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("media")),
					expectKitAppInEmulator(em, addr),
					stateCheckFunc(func(state *tfjson.State) error {
						if id, _, _ := stateString(state, addr, "id"); id == existing.ID {
							return fmt.Errorf("the resource adopted the existing app %s instead of creating one", id)
						}
						if n := requestsTo(em, "POST", kitAppsRoute); n != 1 {
							return fmt.Errorf("%d creates, want 1", n)
						}
						return nil
					}),
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateIdFunc: kitImportID(addr),
				ImportStateVerify: true,
			},
		},
	})
}

func kitImportID(address string) func(*terraform.State) (string, error) {
	return func(s *terraform.State) (string, error) {
		rs, ok := s.RootModule().Resources[address]
		if !ok {
			return "", fmt.Errorf("%s not in state", address)
		}
		return rs.Primary.Attributes["account_id"] + "/" + rs.Primary.Attributes["id"], nil
	}
}

// A new name is refused by the plan, with why and what to do, and nothing
// is sent: not even a read, with -refresh=false.
func TestRealtimeKitApp_renameRefusedAtPlanSendsNothing(t *testing.T) {
	t.Parallel()
	em := kitAppEmulator(t)
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", kitAppConfig(em, testAccountID, "media"))
	c.mustRun(0, "apply", "-auto-approve", "-no-color")
	id := em.KitApps(testAccountID)[0].ID

	c.write("main.tf", kitAppConfig(em, testAccountID, "media-2"))
	em.ResetCounters()
	out := c.mustRun(1, "plan", "-refresh=false", "-no-color")
	expectNoFrameworkError(t, out)
	expectSays(t, out, "Error: Cannot change the name of a RealtimeKit app",
		`The RealtimeKit API cannot rename an app, so name = "media" cannot become "media-2".`,
		`Replacing the app instead would create a second app and abandon this one, "media" (id `+id+" in account "+testAccountID+
			"), which the API cannot delete either; nothing was sent.",
		`Either keep name = "media", or, to start a new app on purpose, run terraform state rm '<address>'`)
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("the refused plan sent %d requests, want none", n)
	}
	out = c.mustRun(1, "apply", "-auto-approve", "-no-color")
	expectSays(t, out, "Error: Cannot change the name of a RealtimeKit app")
	if n, apps := requestsTo(em, "POST", kitAppsRoute), em.KitAppCount(); n != 0 || apps != 1 {
		t.Errorf("after the refused apply: %d creates, %d apps; want none and 1", n, apps)
	}

	// Following the advice: state rm, then apply, makes a second app on
	// purpose; the first stays in the account.
	c.mustRun(0, "state", "rm", "-no-color", "cloudflare_realtime_kit_app.media")
	c.mustRun(0, "apply", "-auto-approve", "-no-color")
	if n := em.KitAppCount(); n != 2 {
		t.Errorf("the emulator holds %d apps, want the first and the new one", n)
	}
}

// A destroy sends nothing, leaves the app in the account, and says so on
// the CLI, naming the app.
func TestRealtimeKitApp_destroyWarnsAndLeavesTheApp(t *testing.T) {
	t.Parallel()
	em := kitAppEmulator(t)
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", kitAppConfig(em, testAccountID, "media"))
	c.mustRun(0, "apply", "-auto-approve", "-no-color")
	id := em.KitApps(testAccountID)[0].ID

	em.ResetCounters()
	out := c.mustRun(0, "destroy", "-auto-approve", "-refresh=false", "-no-color")
	left := `The RealtimeKit API cannot delete an app, so the RealtimeKit app "media" (id ` + id + ") stays in account " + testAccountID
	expectSays(t, out, "Warning: Destroying a RealtimeKit app does not delete it", "Warning: RealtimeKit app not deleted: it stays in the account",
		left, "import it by the id "+testAccountID+"/"+id)
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("the destroy sent %d requests, want none", n)
	}
	if apps := em.KitApps(testAccountID); len(apps) != 1 || apps[0].ID != id {
		t.Errorf("the emulator holds %v, want the app still there", apps)
	}
	if state := c.shownState(); len(state) != 0 {
		t.Errorf("state holds %d objects after the destroy", len(state))
	}
}

// An app missing from the account's list is removed from state, and the
// plan creates it again. The API (and the emulator) cannot delete an app,
// so the app goes missing the one way a test can make it: the provider is
// pointed at a second emulator, which has never held it.
func TestRealtimeKitApp_goneFromTheListIsRecreated(t *testing.T) {
	first, second := kitAppEmulator(t), kitAppEmulator(t)
	addr := "cloudflare_realtime_kit_app.media"
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		Steps: []resource.TestStep{
			{Config: kitAppConfig(first, testAccountID, "media")},
			{
				Config: kitAppConfig(second, testAccountID, "media"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{expectKitAppInEmulator(second, addr)},
			},
		},
	})
	if first.KitAppCount() != 1 || second.KitAppCount() != 1 {
		t.Errorf("apps: %d and %d, want one in each", first.KitAppCount(), second.KitAppCount())
	}
}

// A create whose answer is lost: never retried, the app found by name and
// named with its import command; followed as printed, the import adopts it
// and the account holds exactly one app.
func TestRealtimeKitApp_lostCreateNamesTheAppToImport(t *testing.T) {
	t.Parallel()
	em := kitAppEmulator(t)
	inject(t, em, emulator.Fault{Kind: emulator.FaultDropAfter, Method: "POST", Route: kitAppsRoute, Count: 1})
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", kitAppConfig(em, testAccountID, "media"))

	out := applyWithLostAnswer(t, c)
	apps := em.KitApps(testAccountID)
	if len(apps) != 1 {
		t.Fatalf("the emulator holds %d apps, want 1", len(apps))
	}
	expectSays(t, out, "Error: RealtimeKit app may have been created, but its answer was lost",
		"It was not retried, because a retry could create a second RealtimeKit app.",
		`The account holds 1 RealtimeKit app named "media" created since the request began; it is most likely the one this request created; import it:`,
		"id "+apps[0].ID, "terraform import '<address>' "+testAccountID+"/"+apps[0].ID, "the API cannot delete apps")

	cmd := regexp.MustCompile(`terraform import '<address>' [0-9a-f]{32}/[0-9a-f-]{36}`).FindString(out)
	out = c.mustRun(0, "import", "-no-color", "cloudflare_realtime_kit_app.media", cmd[len("terraform import '<address>' "):])
	c.mustRun(0, "apply", "-auto-approve", "-no-color")
	if n := requestsTo(em, "POST", kitAppsRoute); n != 1 || em.KitAppCount() != 1 {
		t.Fatalf("after following the message: %d creates, %d apps; want 1 and 1\n%s", n, em.KitAppCount(), out)
	}
	c.mustRun(0, "plan", "-detailed-exitcode", "-no-color")
}

// A lost create with nothing found: the error says so and prints the
// command to look later, never "try again".
func TestRealtimeKitApp_lostCreateWithNothingFoundSaysHowToLook(t *testing.T) {
	t.Parallel()
	em := kitAppEmulator(t)
	// The create is answered with a server error and not carried out.
	inject(t, em, emulator.Fault{Kind: emulator.FaultStatus, Method: "POST", Route: kitAppsRoute, Status: 502, Count: 1})
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", kitAppConfig(em, testAccountID, "media"))
	out := applyWithLostAnswer(t, c)
	expectSays(t, out, "Error: RealtimeKit app may have been created, but its answer was lost",
		`No RealtimeKit app named "media" created since the request began was found in the account`,
		`curl -sS -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" '`+em.URL+"/accounts/"+testAccountID+"/realtime/kit/apps?per_page=100&sort_order=DESC'",
		"terraform import '<address>' "+testAccountID+"/<id>")
	if n := requestsTo(em, "POST", kitAppsRoute); n != 1 || em.KitAppCount() != 0 {
		t.Errorf("%d creates, %d apps; want one create, not retried, and no app", n, em.KitAppCount())
	}
}

// The data source lists every page: 45 apps (three pages of 20 would be
// needed at the API's default size), then 120; a name is matched exactly,
// where the API's search matches parts.
func TestRealtimeKitApp_dataSourceListsEveryApp(t *testing.T) {
	em := kitAppEmulator(t)
	addApps := func(from, to int) {
		for i := from; i < to; i++ {
			_, err := em.CreateKitApp(testAccountID, fmt.Sprintf("app-%d", i))
			must(t, err)
		}
	}
	addApps(0, 45)
	config := providerBlock(em) + fmt.Sprintf(`
data "cloudflare_realtime_kit_apps" "all" {
  account_id = %[1]q
}

data "cloudflare_realtime_kit_apps" "one" {
  account_id = %[1]q
  name       = "app-1"
}
`, testAccountID)
	all, one := "data.cloudflare_realtime_kit_apps.all", "data.cloudflare_realtime_kit_apps.one"
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(all, tfjsonpath.New("apps"), knownvalue.ListSizeExact(45)),
					statecheck.ExpectKnownValue(all, tfjsonpath.New("apps").AtSliceIndex(44).AtMapKey("name"), knownvalue.StringExact("app-44")),
					statecheck.ExpectKnownValue(all, tfjsonpath.New("apps").AtSliceIndex(0).AtMapKey("id"), knownvalue.StringExact(em.KitApps(testAccountID)[0].ID)),
					statecheck.ExpectKnownValue(one, tfjsonpath.New("apps"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":         knownvalue.StringExact(em.KitApps(testAccountID)[1].ID),
							"name":       knownvalue.StringExact("app-1"),
							"created_at": knownvalue.StringExact(wireTime(em.KitApps(testAccountID)[1].Created)),
							"updated_at": knownvalue.StringExact(wireTime(em.KitApps(testAccountID)[1].Updated)),
						}),
					})),
				},
			},
			{
				PreConfig: func() { addApps(45, 120) },
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(all, tfjsonpath.New("apps"), knownvalue.ListSizeExact(120)),
					statecheck.ExpectKnownValue(all, tfjsonpath.New("apps").AtSliceIndex(119).AtMapKey("name"), knownvalue.StringExact("app-119")),
					statecheck.ExpectKnownValue(one, tfjsonpath.New("apps"), knownvalue.ListSizeExact(1)),
				},
			},
		},
	})
}

// An app this run created and knows the answer of is never a candidate of
// a lost create of the same name, nor is an app whose name only contains
// it (the API's search matches parts of names): only the lost one is named.
func TestRealtimeKitApp_lostCreateNeverNamesAnAppThisRunMade(t *testing.T) {
	t.Parallel()
	em := kitAppEmulator(t)
	multimedia, err := em.CreateKitApp(testAccountID, "multimedia")
	must(t, err)
	// The first create is answered (a little late); the second's answer is lost.
	inject(t, em, emulator.Fault{Kind: emulator.FaultDelay, Method: "POST", Route: kitAppsRoute, Count: 1, Delay: time.Millisecond})
	inject(t, em, emulator.Fault{Kind: emulator.FaultDropAfter, Method: "POST", Route: kitAppsRoute, Count: 1})
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", providerBlock(em)+fmt.Sprintf(`
resource "cloudflare_realtime_kit_app" "first" {
  account_id = %[1]q
  name       = "media"
}

resource "cloudflare_realtime_kit_app" "media" {
  account_id = %[1]q
  name       = "media"
  depends_on = [cloudflare_realtime_kit_app.first]
}
`, testAccountID))

	out := applyWithLostAnswer(t, c)
	apps := em.KitApps(testAccountID)
	state := c.shownState()
	if len(apps) != 3 || len(state) != 1 || state[0].Address != "cloudflare_realtime_kit_app.first" {
		t.Fatalf("the emulator holds %d apps and the state %v; want 3 apps, the first created in state", len(apps), state)
	}
	expectSays(t, out, `The account holds 1 RealtimeKit app named "media" created since the request began`,
		"terraform import '<address>' "+testAccountID+"/"+apps[2].ID)
	for _, notLost := range []string{apps[1].ID, multimedia.ID} {
		if errorPart := out[strings.Index(out, "Error:"):]; strings.Contains(errorPart, notLost) {
			t.Errorf("the error names %s, which is not the lost app:\n%s", notLost, out)
		}
	}
}

// A create whose read-back fails keeps the app it made: its state comes from
// the create's answer, with a warning, and the next plan reads it and finds
// nothing to do.
func TestRealtimeKitApp_createWhoseReadBackFailsKeepsTheApp(t *testing.T) {
	t.Parallel()
	em := kitAppEmulator(t)
	inject(t, em, emulator.Fault{Kind: emulator.FaultSuccessFalse, Method: "GET", Route: kitAppsRoute, Count: 1})
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", kitAppConfig(em, testAccountID, "media"))
	out := c.mustRun(0, "apply", "-auto-approve", "-no-color")
	apps := em.KitApps(testAccountID)
	if len(apps) != 1 {
		t.Fatalf("the emulator holds %d apps, want 1", len(apps))
	}
	expectSays(t, out, "Warning: RealtimeKit app created, but not read back",
		`The RealtimeKit app "media" was created with id `+apps[0].ID+" in account "+testAccountID+", but listing the account's apps failed")
	if state := c.shownState(); len(state) != 1 || state[0].Values["id"] != apps[0].ID {
		t.Fatalf("state %v, want the app %s", state, apps[0].ID)
	}
	c.mustRun(0, "plan", "-detailed-exitcode", "-no-color")
}
