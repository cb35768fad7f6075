package provider

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// emulatorObject is an app or a TURN key as the emulator holds it, secret included.
type emulatorObject struct {
	UID, Name, Secret string
	Created, Modified time.Time
}

func emulatorApp(a emulator.App) emulatorObject {
	return emulatorObject{a.UID, a.Name, a.Secret, a.Created, a.Modified}
}

func emulatorTURNKey(k emulator.TURNKey) emulatorObject {
	return emulatorObject{k.UID, k.Name, k.Key, k.Created, k.Modified}
}

// testKind lets one test cover apps and TURN keys alike. Its names are
// written out here rather than taken from the provider's callsKind, so that
// a wrong name there fails a test instead of moving the test along with it.
type testKind struct {
	resourceType, pluralType string
	noun                     string // "app", "TURN key": in failure messages
	idAttr, listAttr         string
	secretAttr, notFound     string
	itemRoute                string // the emulator's counter route for one object

	// Direct emulator access, as if someone changed things outside Terraform.
	create  func(em *emulator.Running, accountID, name string) (emulatorObject, error)
	objects func(em *emulator.Running, accountID string) []emulatorObject
	rename  func(em *emulator.Running, accountID, uid, name string) error
	delete  func(em *emulator.Running, accountID, uid string) error
	// get asks the API, through an outside client, for one object.
	get func(c *callsapi.Client, accountID, uid string) error
}

// withAccess fills k's accessors from one kind's emulator methods and client kind.
func withAccess[T any](k testKind, object func(T) emulatorObject,
	create func(*emulator.Server, string, string) (T, error), rename func(*emulator.Server, string, string, string) (T, error),
	remove func(*emulator.Server, string, string) error, list func(*emulator.Server, string) []T,
	api callsapi.Kind,
) testKind {
	k.create = func(em *emulator.Running, accountID, name string) (emulatorObject, error) {
		o, err := create(em.Server, accountID, name)
		return object(o), err
	}
	k.objects = func(em *emulator.Running, accountID string) []emulatorObject {
		var out []emulatorObject
		for _, o := range list(em.Server, accountID) {
			out = append(out, object(o))
		}
		return out
	}
	k.rename = func(em *emulator.Running, accountID, uid, name string) error {
		_, err := rename(em.Server, accountID, uid, name)
		return err
	}
	k.delete = func(em *emulator.Running, accountID, uid string) error { return remove(em.Server, accountID, uid) }
	k.get = func(c *callsapi.Client, accountID, uid string) error {
		_, err := c.Get(context.Background(), api, accountID, uid)
		return err
	}
	return k
}

var testKinds = []testKind{
	withAccess(testKind{resourceType: "cloudflare_calls_app", pluralType: "cloudflare_calls_apps", noun: "app", idAttr: "app_id",
		listAttr: "apps", secretAttr: "secret", notFound: "Calls app not found", itemRoute: "/accounts/{account_id}/calls/apps/{app_id}"},
		emulatorApp, (*emulator.Server).CreateApp, (*emulator.Server).RenameApp, (*emulator.Server).DeleteApp, (*emulator.Server).Apps,
		callsapi.Apps),
	withAccess(testKind{resourceType: "cloudflare_calls_turn_key", pluralType: "cloudflare_calls_turn_keys", noun: "TURN key", idAttr: "key_id",
		listAttr: "turn_keys", secretAttr: "key", notFound: "Calls TURN key not found", itemRoute: "/accounts/{account_id}/calls/turn_keys/{key_id}"},
		emulatorTURNKey, (*emulator.Server).CreateTURNKey, (*emulator.Server).RenameTURNKey, (*emulator.Server).DeleteTURNKey, (*emulator.Server).TURNKeys,
		callsapi.TURNKeys),
}

// other is the other kind: TURN keys for apps, apps for TURN keys.
func (k testKind) other() testKind {
	if k.resourceType == appTestKind.resourceType {
		return turnKeyTestKind
	}
	return appTestKind
}

// addr is the address of the resource that config declares.
func (k testKind) addr() string { return k.resourceType + ".test" }

// config declares the resource (addr) against em.
func (k testKind) config(em *emulator.Running, accountID, name string) string {
	return providerBlock(em) + k.resourceBlock(accountID, name)
}

// resourceBlock declares the resource addr names.
func (k testKind) resourceBlock(accountID, name string) string {
	return fmt.Sprintf(`
resource %q "test" {
  account_id = %q
  name       = %q
}
`, k.resourceType, accountID, name)
}

// checkDestroyed asks the emulator, through the API, whether every object of
// the kind in state is gone.
func (k testKind) checkDestroyed(t *testing.T, em *emulator.Running) func(*terraform.State) error {
	return func(s *terraform.State) error {
		c := testClient(t, em)
		for _, rs := range s.RootModule().Resources {
			if rs.Type != k.resourceType {
				continue
			}
			uid := rs.Primary.Attributes["uid"]
			err := k.get(c, rs.Primary.Attributes["account_id"], uid)
			if err == nil {
				return fmt.Errorf("%s %s still exists", k.noun, uid)
			}
			if !callsapi.IsNotFound(err) {
				return fmt.Errorf("checking %s %s: %w", k.noun, uid, err)
			}
		}
		return nil
	}
}

func mustCreate(t *testing.T, k testKind, em *emulator.Running, accountID, name string) emulatorObject {
	t.Helper()
	o, err := k.create(em, accountID, name)
	if err != nil {
		t.Fatalf("creating %s %q in the emulator: %v", k.resourceType, name, err)
	}
	return o
}

// unitTest runs steps in parallel with other tests and checks, through the
// API, that the destroy at the end leaves no object of the kind.
func (k testKind) unitTest(t *testing.T, em *emulator.Running, steps []resource.TestStep) {
	t.Helper()
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             k.checkDestroyed(t, em),
		Steps:                    steps,
	})
}

// forEachKind runs test as one subtest per kind, in parallel with other
// tests. Each subtest still calls t.Parallel itself (parallelUnitTest does),
// so the kinds run side by side.
func forEachKind(t *testing.T, test func(t *testing.T, k testKind)) {
	t.Parallel()
	for _, k := range testKinds {
		t.Run(k.resourceType, func(t *testing.T) { test(t, k) })
	}
}

// Shorthands for tests of one kind.
var appTestKind, turnKeyTestKind = testKinds[0], testKinds[1]

const appAddr = "cloudflare_calls_app.test"

func appConfig(em *emulator.Running, accountID, name string) string {
	return appTestKind.config(em, accountID, name)
}

func checkAppsDestroyed(t *testing.T, em *emulator.Running) func(*terraform.State) error {
	return appTestKind.checkDestroyed(t, em)
}

func checkTURNKeysDestroyed(t *testing.T, em *emulator.Running) func(*terraform.State) error {
	return turnKeyTestKind.checkDestroyed(t, em)
}

// expectEmulatorTURNKey checks a TURN key in state against the emulator (see expectEmulatorObject).
func expectEmulatorTURNKey(em *emulator.Running, address string) statecheck.StateCheck {
	return expectEmulatorObject(em, address, "key")
}

// checkKeyIsEmulators is the TestCheckFunc form of the key half of
// expectEmulatorTURNKey, for RefreshState steps.
func checkKeyIsEmulators(em *emulator.Running, address string) resource.TestCheckFunc {
	return checkEmulatorSecret(em, address, "key")
}

// rememberUID stores the uid in state into *uid, for steps that act on the
// object behind Terraform's back.
func rememberUID(address string, uid *string) resource.TestCheckFunc {
	return resource.TestCheckResourceAttrWith(address, "uid", func(v string) error {
		*uid = v
		return nil
	})
}

// Create, refresh, rename, import and destroy: the secret, uid and creation
// time never change after create, the name changes in place, and the
// emulator agrees with state at every step.
func TestCallsResource_lifecycleKeepsSecretAndIDs(t *testing.T) {
	needsCLI(t)
	forEachKind(t, func(t *testing.T, k testKind) {
		em := testEmulator(t)
		addr, secret := k.addr(), tfjsonpath.New(k.secretAttr)
		sameUID := statecheck.CompareValue(compare.ValuesSame())
		sameSecret := statecheck.CompareValue(compare.ValuesSame())
		sameCreated := statecheck.CompareValue(compare.ValuesSame())
		modifiedChanges := statecheck.CompareValue(compare.ValuesDiffer())

		k.unitTest(t, em, []resource.TestStep{
			{
				Config: k.config(em, testAccountID, "first"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						plancheck.ExpectUnknownValue(addr, secret),
						plancheck.ExpectSensitiveValue(addr, secret),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("account_id"), knownvalue.StringExact(testAccountID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("first")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("uid"), knownvalue.StringRegexp(hex32)),
					statecheck.ExpectKnownValue(addr, secret, knownvalue.StringRegexp(hex64)),
					statecheck.ExpectSensitiveValue(addr, secret),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created"), knownvalue.StringRegexp(rfc3339)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("modified"), knownvalue.StringRegexp(rfc3339)),
					statecheck.CompareValuePairs(addr, tfjsonpath.New("id"), addr, tfjsonpath.New("uid"), compare.ValuesSame()),
					expectEmulatorObject(em, addr, k.secretAttr),
					sameUID.AddStateValue(addr, tfjsonpath.New("uid")),
					sameSecret.AddStateValue(addr, secret),
					sameCreated.AddStateValue(addr, tfjsonpath.New("created")),
					modifiedChanges.AddStateValue(addr, tfjsonpath.New("modified")),
				},
			},
			{
				// A refresh alone must not lose the secret the API never returns again.
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestMatchResourceAttr(addr, k.secretAttr, hex64),
					checkEmulatorSecret(em, addr, k.secretAttr),
				),
			},
			{
				Config: k.config(em, testAccountID, "renamed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("renamed")),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("modified")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("renamed")),
					sameUID.AddStateValue(addr, tfjsonpath.New("uid")),
					sameSecret.AddStateValue(addr, secret),
					sameCreated.AddStateValue(addr, tfjsonpath.New("created")),
					modifiedChanges.AddStateValue(addr, tfjsonpath.New("modified")),
					expectEmulatorObject(em, addr, k.secretAttr),
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateIdFunc: importID(addr),
				ImportStateVerify: true,
				// The API returns the secret only on create; an import cannot know it.
				ImportStateVerifyIgnore: []string{k.secretAttr},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: importID(addr),
			},
		})
		// Nothing of this kind is left, and nothing of the other kind was made.
		if apps, keys := em.AppCount(), em.TURNKeyCount(); apps+keys != 0 {
			t.Errorf("after destroy the emulator still has %d apps and %d TURN keys", apps, keys)
		}
	})
}

// The plan of a rename shows the secret (or TURN key), the uid, the id and
// the creation time as they are in state, not "(known after apply)": a user
// reviewing the plan must see that the secret survives the rename, and
// anything that refers to the secret must not be planned for change.
func TestCallsResource_renamePlanKeepsSecretAndIDsKnown(t *testing.T) {
	needsCLI(t)
	forEachKind(t, func(t *testing.T, k testKind) {
		em := testEmulator(t)
		addr := k.addr()
		known := []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}
		for attr, format := range map[string]*regexp.Regexp{k.secretAttr: hex64, "uid": hex32, "id": hex32, "created": rfc3339} {
			known = append(known, plancheck.ExpectKnownValue(addr, tfjsonpath.New(attr), knownvalue.StringRegexp(format)))
		}
		known = append(known, plancheck.ExpectUnknownValue(addr, tfjsonpath.New("modified")))

		k.unitTest(t, em, []resource.TestStep{
			{Config: k.config(em, testAccountID, "before")},
			{
				Config:           k.config(em, testAccountID, "after"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: known},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("after")),
					expectEmulatorObject(em, addr, k.secretAttr),
				},
			},
		})
	})
}

func TestCallsResource_defaultNameIsEmpty(t *testing.T) {
	needsCLI(t)
	forEachKind(t, func(t *testing.T, k testKind) {
		em := testEmulator(t)
		k.unitTest(t, em, []resource.TestStep{{
			Config: providerBlock(em) + fmt.Sprintf(`
resource %q "test" {
  account_id = %q
}
`, k.resourceType, testAccountID),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(k.addr(), tfjsonpath.New("name"), knownvalue.StringExact("")),
				expectEmulatorObject(em, k.addr(), k.secretAttr),
			},
		}})
	})
}

// reapplyAfterOutsideChange declares an object as "declared", lets change
// act on it behind Terraform's back, and applies the same configuration
// again. The plan has the given action (and planChecks); the uid and the
// secret compare with the first apply's by same (kept) or differ (replaced);
// the emulator agrees with state.
func reapplyAfterOutsideChange(t *testing.T, k testKind, change func(em *emulator.Running, uid string) error,
	action plancheck.ResourceActionType, same compare.ValueComparer, planChecks ...plancheck.PlanCheck,
) {
	em := testEmulator(t)
	addr := k.addr()
	uid, secret := statecheck.CompareValue(same), statecheck.CompareValue(same)
	var uidValue string

	k.unitTest(t, em, []resource.TestStep{
		{
			Config: k.config(em, testAccountID, "declared"),
			Check:  rememberUID(addr, &uidValue),
			ConfigStateChecks: []statecheck.StateCheck{
				uid.AddStateValue(addr, tfjsonpath.New("uid")),
				secret.AddStateValue(addr, tfjsonpath.New(k.secretAttr)),
			},
		},
		{
			PreConfig: func() { must(t, change(em, uidValue)) },
			Config:    k.config(em, testAccountID, "declared"),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: append([]plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, action)}, planChecks...),
			},
			ConfigStateChecks: []statecheck.StateCheck{
				uid.AddStateValue(addr, tfjsonpath.New("uid")),
				secret.AddStateValue(addr, tfjsonpath.New(k.secretAttr)),
				expectEmulatorObject(em, addr, k.secretAttr),
			},
		},
	})
}

// A rename outside Terraform is drift: the plan renames the object back in
// place, keeping its uid and secret.
func TestCallsResource_renamedOutsideTerraformIsDriftAndRepaired(t *testing.T) {
	needsCLI(t)
	forEachKind(t, func(t *testing.T, k testKind) {
		rename := func(em *emulator.Running, uid string) error {
			return k.rename(em, testAccountID, uid, "changed-by-hand")
		}
		reapplyAfterOutsideChange(t, k, rename, plancheck.ResourceActionUpdate, compare.ValuesSame(),
			plancheck.ExpectKnownValue(k.addr(), tfjsonpath.New("name"), knownvalue.StringExact("declared")))
	})
}

// An object deleted outside Terraform is created again, with a new uid and secret.
func TestCallsResource_deletedOutsideTerraformIsRecreated(t *testing.T) {
	needsCLI(t)
	forEachKind(t, func(t *testing.T, k testKind) {
		remove := func(em *emulator.Running, uid string) error { return k.delete(em, testAccountID, uid) }
		reapplyAfterOutsideChange(t, k, remove, plancheck.ResourceActionCreate, compare.ValuesDiffer())
	})
}

// Deleting an object that is already gone counts as success: the destroy
// finishes, its DELETE met the API's 404, and CheckDestroy (which asks the
// API) passes.
func TestCallsResource_destroyWhenAlreadyGoneSucceeds(t *testing.T) {
	needsCLI(t)
	forEachKind(t, func(t *testing.T, k testKind) {
		em := testEmulator(t)
		var uid string
		parallelUnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testProviderFactories(),
			// Without a refresh before the destroy plan, Terraform still
			// believes the object exists, so Delete itself meets the 404.
			AdditionalCLIOptions: &resource.AdditionalCLIOptions{Plan: resource.PlanOptions{NoRefresh: true}},
			CheckDestroy: func(s *terraform.State) error {
				if n := requestsTo(em, "DELETE", k.itemRoute); n != 1 {
					return fmt.Errorf("the emulator saw %d %s deletions, want the 1 of the destroy", n, k.noun)
				}
				if n := em.Statuses()[404]; n != 1 {
					return fmt.Errorf("the emulator answered %d requests with 404, want the destroy's 1", n)
				}
				return k.checkDestroyed(t, em)(s)
			},
			Steps: []resource.TestStep{
				{
					Config: k.config(em, testAccountID, "gone-before-destroy"),
					Check:  rememberUID(k.addr(), &uid),
				},
				{
					PreConfig: func() { must(t, k.delete(em, testAccountID, uid)) },
					Config:    k.config(em, testAccountID, "gone-before-destroy"),
					Destroy:   true,
				},
			},
		})
	})
}

func TestCallsResource_accountChangeReplacesObject(t *testing.T) {
	needsCLI(t)
	forEachKind(t, func(t *testing.T, k testKind) {
		em := testEmulator(t)
		k.unitTest(t, em, []resource.TestStep{
			{Config: k.config(em, testAccountID, "moving")},
			{
				Config: k.config(em, otherTestAccountID, "moving"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(k.addr(), plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{expectEmulatorObject(em, k.addr(), k.secretAttr)},
				Check: checkAPI(func() error {
					if n := len(k.objects(em, testAccountID)); n != 0 {
						return fmt.Errorf("old account still has %d %ss", n, k.noun)
					}
					return nil
				}),
			},
		})
	})
}

func TestCallsResource_importExistingThenEmptyPlan(t *testing.T) {
	needsCLI(t)
	forEachKind(t, func(t *testing.T, k testKind) {
		em := testEmulator(t)
		existing := mustCreate(t, k, em, testAccountID, "made-elsewhere")
		cfg := k.config(em, testAccountID, "made-elsewhere")

		k.unitTest(t, em, []resource.TestStep{
			{
				Config:             cfg,
				ResourceName:       k.addr(),
				ImportState:        true,
				ImportStatePersist: true,
				ImportStateId:      testAccountID + "/" + existing.UID,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("imported %d instances, want 1", len(states))
					}
					a := states[0].Attributes
					want := map[string]string{"uid": existing.UID, "id": existing.UID, "account_id": testAccountID,
						"name": "made-elsewhere", "created": wireTime(existing.Created), "modified": wireTime(existing.Modified)}
					for attr, v := range want {
						if a[attr] != v {
							return fmt.Errorf("imported %s = %q, want %q", attr, a[attr], v)
						}
					}
					if s, ok := a[k.secretAttr]; ok && s != "" {
						return fmt.Errorf("imported %s has a %s %q; the API cannot return one", k.noun, k.secretAttr, s)
					}
					return nil
				},
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(k.addr(), tfjsonpath.New("uid"), knownvalue.StringExact(existing.UID)),
					statecheck.ExpectKnownValue(k.addr(), tfjsonpath.New(k.secretAttr), knownvalue.Null()),
				},
			},
		})
	})
}

// An app's id is not a TURN key's: importing one as the other finds nothing.
func TestCallsResource_turnKeyImportOfAnAppIDFindsNothing(t *testing.T) {
	t.Parallel()
	em := testEmulator(t)
	app := mustCreate(t, appTestKind, em, testAccountID, "an-app")
	cliTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		Steps: []resource.TestStep{{
			Config:        turnKeyTestKind.config(em, testAccountID, "an-app"),
			ResourceName:  turnKeyTestKind.addr(),
			ImportState:   true,
			ImportStateId: testAccountID + "/" + app.UID,
			ExpectError:   regexp.MustCompile(`(?i)cannot import non-existent remote object`),
		}},
	})
}

// expectRefusedBeforeAnyRequest runs the step made from each input as a test
// case of its own, which must fail as the step expects, and then checks that
// none of them sent a request to the API.
func expectRefusedBeforeAnyRequest(t *testing.T, em *emulator.Running, inputs []string, step func(input string) resource.TestStep) {
	t.Helper()
	for _, input := range inputs {
		t.Run(fmt.Sprintf("%q", input), func(t *testing.T) {
			cliTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories(),
				Steps:                    []resource.TestStep{step(input)},
			})
		})
	}
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("%d requests reached the API (%v), want 0", n, em.Counters())
	}
}

func TestCallsResource_malformedImportIDIsRefused(t *testing.T) {
	forEachKind(t, func(t *testing.T, k testKind) {
		t.Parallel()
		em := testEmulator(t)
		ids := []string{
			"not-an-id",
			testAccountID,
			testAccountID + "/",
			"/" + testAccountID,
			testAccountID + "/ABCDEF0123456789ABCDEF0123456789",
			testAccountID + "/0123456789abcdef0123456789abcdef/extra",
		}
		expectRefusedBeforeAnyRequest(t, em, ids, func(id string) resource.TestStep {
			return resource.TestStep{
				Config:        k.config(em, testAccountID, "x"),
				ResourceName:  k.addr(),
				ImportState:   true,
				ImportStateId: id,
				ExpectError:   regexp.MustCompile(`(?s)Invalid import id for Calls ` + k.noun + `.*expected <account_id>/<` + k.idAttr + `>`),
			}
		})
	})
}

func TestCallsResource_invalidAccountIDFailsBeforeAnyRequest(t *testing.T) {
	forEachKind(t, func(t *testing.T, k testKind) {
		t.Parallel()
		em := testEmulator(t)
		expectRefusedBeforeAnyRequest(t, em, badAccountIDs, func(account string) resource.TestStep {
			return resource.TestStep{
				Config:      k.config(em, account, "x"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)account_id.*32 lowercase\s+hexadecimal`),
			}
		})
	})
}

// The tests below speak protocol 6 to the provider in-process, as the CLI
// would, so they run in the fast tier (make test-fast) too.

// A rename plans an update that keeps the uid, id, created and the secret
// exactly as they are in state (known, not "known after apply"), and the
// update keeps them.
func TestCallsResource_renamePlannedOverProtocolKeepsSecretAndIDs(t *testing.T) {
	forEachKindOverProtocol(t, func(t *testing.T, k testKind, em *emulator.Running, p *protocolProvider) {
		typ := p.resourceType(k.resourceType)
		created := p.create(k, testAccountID, "before")
		requireNoErrors(t, "ApplyResourceChange (create)", nil, created.Diagnostics)
		prior := p.decode(typ, created.NewState)

		config := objectConfig(testAccountID, "after")
		planned := p.plan(k.resourceType, stringValues(prior), config)
		requireNoErrors(t, "PlanResourceChange", nil, planned.Diagnostics)
		if len(planned.RequiresReplace) != 0 {
			t.Errorf("a rename plans a replacement (%v), want an update", planned.RequiresReplace)
		}
		known, unknown := p.decodePlanned(typ, planned.PlannedState)
		for _, attr := range []string{"id", "uid", "created", k.secretAttr} {
			if unknown[attr] || known[attr] != prior[attr] || prior[attr] == "" {
				t.Errorf("the rename plans %s as %q (unknown: %v), want it kept as %q", attr, known[attr], unknown[attr], prior[attr])
			}
		}
		if known["name"] != "after" {
			t.Errorf("the rename plans name %q", known["name"])
		}

		updated := p.apply(k.resourceType, created.NewState, planned.PlannedState, config, created.NewIdentity)
		requireNoErrors(t, "ApplyResourceChange (update)", nil, updated.Diagnostics)
		after := p.decode(typ, updated.NewState)
		for _, attr := range []string{"id", "uid", "created", k.secretAttr} {
			if after[attr] != prior[attr] {
				t.Errorf("after the rename %s is %q, want %q", attr, after[attr], prior[attr])
			}
		}
		if o := k.objects(em, testAccountID); len(o) != 1 || o[0].UID != prior["uid"] || o[0].Name != "after" {
			t.Errorf("the emulator holds %+v after the rename", o)
		}
	})
}

// A refresh after a rename made outside Terraform takes the name and the
// modified time from the API, and keeps created and the secret, which the
// API never returns again.
func TestCallsResource_refreshOverProtocolTakesTheAPIsChanges(t *testing.T) {
	for _, k := range testKinds {
		t.Run(k.resourceType, func(t *testing.T) {
			t.Parallel()
			// The emulator's clock is the test's: the rename comes an hour
			// after the create.
			var now atomic.Int64
			now.Store(newYear2026.UnixNano())
			em := startEmulator(t, emulator.Options{Tokens: []string{testToken}, Now: func() time.Time { return time.Unix(0, now.Load()).UTC() }})
			p := newProtocolProvider(t, em)
			typ := p.resourceType(k.resourceType)
			created := p.create(k, testAccountID, "mine")
			requireNoErrors(t, "ApplyResourceChange (create)", nil, created.Diagnostics)
			prior := p.decode(typ, created.NewState)
			now.Add(int64(time.Hour))
			must(t, k.rename(em, testAccountID, prior["uid"], "renamed-outside"))
			o := k.objects(em, testAccountID)[0]

			read := p.read(k.resourceType, created.NewState)
			requireNoErrors(t, "ReadResource", nil, read.Diagnostics)
			got := p.decode(typ, read.NewState)
			want := maps.Clone(prior)
			want["name"], want["modified"] = "renamed-outside", wireTime(newYear2026.Add(time.Hour))
			if want["modified"] != wireTime(o.Modified) || want["created"] != wireTime(newYear2026) {
				t.Fatalf("the emulator stamped the object created %v, modified %v, not by the test's clock", o.Created, o.Modified)
			}
			if err := equalMaps(got, want); err != nil {
				t.Errorf("the refresh after an outside rename: %v", err)
			}
		})
	}
}

// Deleting an object that is already gone succeeds: the user wanted it gone.
func TestCallsResource_deleteOverProtocolOfAGoneObjectSucceeds(t *testing.T) {
	forEachKindOverProtocol(t, func(t *testing.T, k testKind, em *emulator.Running, p *protocolProvider) {
		created := p.create(k, testAccountID, "gone")
		requireNoErrors(t, "ApplyResourceChange (create)", nil, created.Diagnostics)
		uid := p.decode(p.resourceType(k.resourceType), created.NewState)["uid"]
		must(t, k.delete(em, testAccountID, uid))

		deleted := p.apply(k.resourceType, created.NewState, nil, objectConfig(testAccountID, "gone"), nil)
		if msg := errorDiags(deleted.Diagnostics); msg != "" {
			t.Errorf("deleting an object already gone: %s", msg)
		}
		if n := em.Statuses()[http.StatusNotFound]; n != 1 {
			t.Errorf("the emulator answered %d requests with 404, want the one delete", n)
		}
	})
}

// A malformed account_id is refused when the configuration is validated,
// saying what an id looks like, before any request.
func TestCallsResource_malformedAccountIDOverProtocolIsRefused(t *testing.T) {
	forEachKindOverProtocol(t, func(t *testing.T, k testKind, em *emulator.Running, p *protocolProvider) {
		for _, account := range []string{"", "0123", strings.ToUpper(testAccountID), testAccountID + "/x", " " + testAccountID} {
			msg := p.validateResource(k.resourceType, objectConfig(account, "x"))
			if !strings.Contains(msg, "account_id") || !strings.Contains(msg, "32 lowercase hexadecimal") {
				t.Errorf("account_id %q: validation said %q", account, msg)
			}
		}
		if msg := p.validateResource(k.resourceType, objectConfig(testAccountID, "x")); msg != "" {
			t.Errorf("a well-formed account_id: %s", msg)
		}
		if n := em.TotalRequests(); n != 0 {
			t.Errorf("validation sent %d requests", n)
		}
	})
}

// terraform import with an id that is not <account_id>/<object id> is
// refused with the expected format, before any request.
func TestCallsResource_malformedImportIDOverProtocolIsRefused(t *testing.T) {
	forEachKindOverProtocol(t, func(t *testing.T, k testKind, em *emulator.Running, p *protocolProvider) {
		for _, id := range []string{
			"not-an-id",
			testAccountID,
			testAccountID + "/",
			"/" + testAccountID,
			testAccountID + "/ABCDEF0123456789ABCDEF0123456789",
			"ABCDEF0123456789ABCDEF0123456789/" + testAccountID,
			testAccountID + "/0123456789abcdef0123456789abcdef/extra",
		} {
			resp := p.importID(k.resourceType, id)
			msg := errorDiags(resp.Diagnostics)
			if !strings.Contains(msg, "expected <account_id>/<"+k.idAttr+">") || !strings.Contains(msg, fmt.Sprintf("%q", id)) {
				t.Errorf("import id %q: %q, want the expected format and the id", id, msg)
			}
			if len(resp.ImportedResources) != 0 && p.decode(p.resourceType(k.resourceType), resp.ImportedResources[0].State) != nil {
				t.Errorf("import id %q imported %v", id, p.decode(p.resourceType(k.resourceType), resp.ImportedResources[0].State))
			}
		}
		if n := em.TotalRequests(); n != 0 {
			t.Errorf("malformed import ids sent %d requests", n)
		}
	})
}
