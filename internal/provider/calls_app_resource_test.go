package provider

import (
	"context"
	"fmt"
	"regexp"
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

const appAddr = "cloudflare_calls_app.test"

func appConfig(em *emulator.Running, accountID, name string) string {
	return providerBlock(em) + fmt.Sprintf(`
resource "cloudflare_calls_app" "test" {
  account_id = %q
  name       = %q
}
`, accountID, name)
}

func TestCallsApp_createRenameImportDestroy(t *testing.T) {
	em := testEmulator(t)
	sameUID := statecheck.CompareValue(compare.ValuesSame())
	sameSecret := statecheck.CompareValue(compare.ValuesSame())
	sameCreated := statecheck.CompareValue(compare.ValuesSame())
	modifiedChanges := statecheck.CompareValue(compare.ValuesDiffer())

	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkAppsDestroyed(t, em),
		Steps: []resource.TestStep{
			{
				Config: appConfig(em, testAccountID, "first"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("secret")),
						plancheck.ExpectSensitiveValue(appAddr, tfjsonpath.New("secret")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("account_id"), knownvalue.StringExact(testAccountID)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("name"), knownvalue.StringExact("first")),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("uid"), knownvalue.StringRegexp(hex32)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("secret"), knownvalue.StringRegexp(hex64)),
					statecheck.ExpectSensitiveValue(appAddr, tfjsonpath.New("secret")),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("created"), knownvalue.StringRegexp(rfc3339)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("modified"), knownvalue.StringRegexp(rfc3339)),
					statecheck.CompareValuePairs(appAddr, tfjsonpath.New("id"), appAddr, tfjsonpath.New("uid"), compare.ValuesSame()),
					expectEmulatorApp(em, appAddr),
					sameUID.AddStateValue(appAddr, tfjsonpath.New("uid")),
					sameSecret.AddStateValue(appAddr, tfjsonpath.New("secret")),
					sameCreated.AddStateValue(appAddr, tfjsonpath.New("created")),
					modifiedChanges.AddStateValue(appAddr, tfjsonpath.New("modified")),
				},
			},
			{
				// A refresh alone must not lose the secret the API never returns again.
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestMatchResourceAttr(appAddr, "secret", hex64),
					checkSecretIsEmulators(em, appAddr),
				),
			},
			{
				Config: appConfig(em, testAccountID, "renamed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("name"), knownvalue.StringExact("renamed")),
						plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("modified")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("name"), knownvalue.StringExact("renamed")),
					sameUID.AddStateValue(appAddr, tfjsonpath.New("uid")),
					sameSecret.AddStateValue(appAddr, tfjsonpath.New("secret")),
					sameCreated.AddStateValue(appAddr, tfjsonpath.New("created")),
					modifiedChanges.AddStateValue(appAddr, tfjsonpath.New("modified")),
					expectEmulatorApp(em, appAddr),
				},
			},
			{
				ResourceName:      appAddr,
				ImportState:       true,
				ImportStateIdFunc: importID(appAddr),
				ImportStateVerify: true,
				// The API returns the secret only on create; an import cannot know it.
				ImportStateVerifyIgnore: []string{"secret"},
			},
			{
				ResourceName:      appAddr,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: importID(appAddr),
			},
		},
	})
	if n := em.AppCount(); n != 0 {
		t.Errorf("after destroy the emulator still has %d apps", n)
	}
}

func TestCallsApp_defaultNameIsEmpty(t *testing.T) {
	em := testEmulator(t)
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkAppsDestroyed(t, em),
		Steps: []resource.TestStep{{
			Config: providerBlock(em) + fmt.Sprintf(`
resource "cloudflare_calls_app" "test" {
  account_id = %q
}
`, testAccountID),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("name"), knownvalue.StringExact("")),
				expectEmulatorApp(em, appAddr),
			},
		}},
	})
}

func TestCallsApp_renamedOutsideTerraformIsDriftAndRepaired(t *testing.T) {
	em := testEmulator(t)
	client := testClient(t, em)
	sameSecret := statecheck.CompareValue(compare.ValuesSame())
	var uid string

	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkAppsDestroyed(t, em),
		Steps: []resource.TestStep{
			{
				Config: appConfig(em, testAccountID, "declared"),
				Check: resource.TestCheckResourceAttrWith(appAddr, "uid", func(v string) error {
					uid = v
					return nil
				}),
				ConfigStateChecks: []statecheck.StateCheck{sameSecret.AddStateValue(appAddr, tfjsonpath.New("secret"))},
			},
			{
				PreConfig: func() {
					if _, err := client.UpdateApp(context.Background(), testAccountID, uid, "changed-by-hand"); err != nil {
						t.Fatalf("renaming out of band: %v", err)
					}
				},
				Config: appConfig(em, testAccountID, "declared"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("name"), knownvalue.StringExact("declared")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("uid"), knownvalue.StringFunc(func(v string) error {
						if v != uid {
							return fmt.Errorf("uid changed from %s to %s: the app was replaced, not renamed", uid, v)
						}
						return nil
					})),
					sameSecret.AddStateValue(appAddr, tfjsonpath.New("secret")),
					expectEmulatorApp(em, appAddr),
				},
			},
		},
	})
}

func TestCallsApp_deletedOutsideTerraformIsRecreated(t *testing.T) {
	em := testEmulator(t)
	client := testClient(t, em)
	uidChanges := statecheck.CompareValue(compare.ValuesDiffer())
	secretChanges := statecheck.CompareValue(compare.ValuesDiffer())
	var uid string

	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkAppsDestroyed(t, em),
		Steps: []resource.TestStep{
			{
				Config: appConfig(em, testAccountID, "doomed"),
				Check: resource.TestCheckResourceAttrWith(appAddr, "uid", func(v string) error {
					uid = v
					return nil
				}),
				ConfigStateChecks: []statecheck.StateCheck{
					uidChanges.AddStateValue(appAddr, tfjsonpath.New("uid")),
					secretChanges.AddStateValue(appAddr, tfjsonpath.New("secret")),
				},
			},
			{
				PreConfig: func() {
					if err := client.DeleteApp(context.Background(), testAccountID, uid); err != nil {
						t.Fatalf("deleting out of band: %v", err)
					}
				},
				Config: appConfig(em, testAccountID, "doomed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					uidChanges.AddStateValue(appAddr, tfjsonpath.New("uid")),
					secretChanges.AddStateValue(appAddr, tfjsonpath.New("secret")),
					expectEmulatorApp(em, appAddr),
				},
			},
		},
	})
}

func TestCallsApp_accountChangeReplacesApp(t *testing.T) {
	em := testEmulator(t)
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkAppsDestroyed(t, em),
		Steps: []resource.TestStep{
			{Config: appConfig(em, testAccountID, "moving")},
			{
				Config: appConfig(em, otherTestAccountID, "moving"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{expectEmulatorApp(em, appAddr)},
				Check: func(_ *terraform.State) error {
					if n := len(em.Apps(testAccountID)); n != 0 {
						return fmt.Errorf("old account still has %d apps", n)
					}
					return nil
				},
			},
		},
	})
}

func TestCallsApp_importExistingAppThenEmptyPlan(t *testing.T) {
	em := testEmulator(t)
	existing, err := testClient(t, em).CreateApp(context.Background(), testAccountID, "made-elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	cfg := appConfig(em, testAccountID, "made-elsewhere")

	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkAppsDestroyed(t, em),
		Steps: []resource.TestStep{
			{
				Config:             cfg,
				ResourceName:       appAddr,
				ImportState:        true,
				ImportStatePersist: true,
				ImportStateId:      testAccountID + "/" + existing.UID,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("imported %d instances, want 1", len(states))
					}
					a := states[0].Attributes
					want := map[string]string{"uid": existing.UID, "id": existing.UID, "account_id": testAccountID,
						"name": "made-elsewhere", "created": existing.Created, "modified": existing.Modified}
					for k, v := range want {
						if a[k] != v {
							return fmt.Errorf("imported %s = %q, want %q", k, a[k], v)
						}
					}
					if s, ok := a["secret"]; ok && s != "" {
						return fmt.Errorf("imported app has a secret %q; the API cannot return one", s)
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
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("uid"), knownvalue.StringExact(existing.UID)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("secret"), knownvalue.Null()),
				},
			},
		},
	})
}

func TestCallsApp_malformedImportIDIsRefused(t *testing.T) {
	em := testEmulator(t)
	for _, id := range []string{
		"not-an-id",
		testAccountID,
		testAccountID + "/",
		testAccountID + "/ABCDEF0123456789ABCDEF0123456789",
		testAccountID + "/0123456789abcdef0123456789abcdef/extra",
	} {
		t.Run(id, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories(),
				Steps: []resource.TestStep{{
					Config:        appConfig(em, testAccountID, "x"),
					ResourceName:  appAddr,
					ImportState:   true,
					ImportStateId: id,
					ExpectError:   regexp.MustCompile(`expected <account_id>/<app_id>`),
				}},
			})
		})
	}
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("a malformed import id sent %d requests to the API, want 0", n)
	}
}

func TestCallsApp_invalidAccountIDFailsBeforeAnyRequest(t *testing.T) {
	em := testEmulator(t)
	for _, account := range []string{"", "0123", "0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdeg", testAccountID + "00"} {
		t.Run(fmt.Sprintf("%q", account), func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      appConfig(em, account, "x"),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)account_id.*32 lowercase\s+hexadecimal`),
				}},
			})
		})
	}
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("an invalid account_id sent %d requests to the API, want 0", n)
	}
}
