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

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

const turnKeyAddr = "cloudflare_calls_turn_key.test"

func turnKeyConfig(em *emulator.Running, accountID, name string) string {
	return providerBlock(em) + fmt.Sprintf(`
resource "cloudflare_calls_turn_key" "test" {
  account_id = %q
  name       = %q
}
`, accountID, name)
}

// checkTURNKeysDestroyed asks the emulator, through the API, whether every
// TURN key in state is gone.
func checkTURNKeysDestroyed(t *testing.T, em *emulator.Running) func(*terraform.State) error {
	return func(s *terraform.State) error {
		c := testClient(t, em)
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "cloudflare_calls_turn_key" {
				continue
			}
			_, err := c.GetTURNKey(context.Background(), rs.Primary.Attributes["account_id"], rs.Primary.Attributes["uid"])
			if err == nil {
				return fmt.Errorf("TURN key %s still exists", rs.Primary.Attributes["uid"])
			}
			if !callsapi.IsNotFound(err) {
				return fmt.Errorf("checking TURN key %s: %w", rs.Primary.Attributes["uid"], err)
			}
		}
		return nil
	}
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

func TestCallsTURNKey_createRenameImportDestroy(t *testing.T) {
	em := testEmulator(t)
	sameUID := statecheck.CompareValue(compare.ValuesSame())
	sameKey := statecheck.CompareValue(compare.ValuesSame())
	sameCreated := statecheck.CompareValue(compare.ValuesSame())
	modifiedChanges := statecheck.CompareValue(compare.ValuesDiffer())

	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkTURNKeysDestroyed(t, em),
		Steps: []resource.TestStep{
			{
				Config: turnKeyConfig(em, testAccountID, "first"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(turnKeyAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectUnknownValue(turnKeyAddr, tfjsonpath.New("key")),
						plancheck.ExpectSensitiveValue(turnKeyAddr, tfjsonpath.New("key")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(turnKeyAddr, tfjsonpath.New("account_id"), knownvalue.StringExact(testAccountID)),
					statecheck.ExpectKnownValue(turnKeyAddr, tfjsonpath.New("name"), knownvalue.StringExact("first")),
					statecheck.ExpectKnownValue(turnKeyAddr, tfjsonpath.New("uid"), knownvalue.StringRegexp(hex32)),
					statecheck.ExpectKnownValue(turnKeyAddr, tfjsonpath.New("key"), knownvalue.StringRegexp(hex64)),
					statecheck.ExpectSensitiveValue(turnKeyAddr, tfjsonpath.New("key")),
					statecheck.ExpectKnownValue(turnKeyAddr, tfjsonpath.New("created"), knownvalue.StringRegexp(rfc3339)),
					statecheck.ExpectKnownValue(turnKeyAddr, tfjsonpath.New("modified"), knownvalue.StringRegexp(rfc3339)),
					statecheck.CompareValuePairs(turnKeyAddr, tfjsonpath.New("id"), turnKeyAddr, tfjsonpath.New("uid"), compare.ValuesSame()),
					expectEmulatorTURNKey(em, turnKeyAddr),
					sameUID.AddStateValue(turnKeyAddr, tfjsonpath.New("uid")),
					sameKey.AddStateValue(turnKeyAddr, tfjsonpath.New("key")),
					sameCreated.AddStateValue(turnKeyAddr, tfjsonpath.New("created")),
					modifiedChanges.AddStateValue(turnKeyAddr, tfjsonpath.New("modified")),
				},
			},
			{
				// A refresh alone must not lose the key the API never returns again.
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestMatchResourceAttr(turnKeyAddr, "key", hex64),
					checkKeyIsEmulators(em, turnKeyAddr),
				),
			},
			{
				Config: turnKeyConfig(em, testAccountID, "renamed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(turnKeyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(turnKeyAddr, tfjsonpath.New("name"), knownvalue.StringExact("renamed")),
						plancheck.ExpectUnknownValue(turnKeyAddr, tfjsonpath.New("modified")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(turnKeyAddr, tfjsonpath.New("name"), knownvalue.StringExact("renamed")),
					sameUID.AddStateValue(turnKeyAddr, tfjsonpath.New("uid")),
					sameKey.AddStateValue(turnKeyAddr, tfjsonpath.New("key")),
					sameCreated.AddStateValue(turnKeyAddr, tfjsonpath.New("created")),
					modifiedChanges.AddStateValue(turnKeyAddr, tfjsonpath.New("modified")),
					expectEmulatorTURNKey(em, turnKeyAddr),
				},
			},
			{
				ResourceName:      turnKeyAddr,
				ImportState:       true,
				ImportStateIdFunc: importID(turnKeyAddr),
				ImportStateVerify: true,
				// The API returns the key only on create; an import cannot know it.
				ImportStateVerifyIgnore: []string{"key"},
			},
			{
				ResourceName:      turnKeyAddr,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: importID(turnKeyAddr),
			},
		},
	})
	if n := em.TURNKeyCount(); n != 0 {
		t.Errorf("after destroy the emulator still has %d TURN keys", n)
	}
	if n := em.AppCount(); n != 0 {
		t.Errorf("the TURN key resource created %d apps", n)
	}
}

func TestCallsTURNKey_defaultNameIsEmpty(t *testing.T) {
	em := testEmulator(t)
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkTURNKeysDestroyed(t, em),
		Steps: []resource.TestStep{{
			Config: providerBlock(em) + fmt.Sprintf(`
resource "cloudflare_calls_turn_key" "test" {
  account_id = %q
}
`, testAccountID),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(turnKeyAddr, tfjsonpath.New("name"), knownvalue.StringExact("")),
				expectEmulatorTURNKey(em, turnKeyAddr),
			},
		}},
	})
}

func TestCallsTURNKey_renamedOutsideTerraformIsDriftAndRepaired(t *testing.T) {
	em := testEmulator(t)
	client := testClient(t, em)
	sameKey := statecheck.CompareValue(compare.ValuesSame())
	var uid string

	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkTURNKeysDestroyed(t, em),
		Steps: []resource.TestStep{
			{
				Config:            turnKeyConfig(em, testAccountID, "declared"),
				Check:             rememberUID(turnKeyAddr, &uid),
				ConfigStateChecks: []statecheck.StateCheck{sameKey.AddStateValue(turnKeyAddr, tfjsonpath.New("key"))},
			},
			{
				PreConfig: func() {
					if _, err := client.UpdateTURNKey(context.Background(), testAccountID, uid, "changed-by-hand"); err != nil {
						t.Fatalf("renaming out of band: %v", err)
					}
				},
				Config: turnKeyConfig(em, testAccountID, "declared"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(turnKeyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(turnKeyAddr, tfjsonpath.New("name"), knownvalue.StringExact("declared")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(turnKeyAddr, tfjsonpath.New("uid"), knownvalue.StringFunc(func(v string) error {
						if v != uid {
							return fmt.Errorf("uid changed from %s to %s: the TURN key was replaced, not renamed", uid, v)
						}
						return nil
					})),
					sameKey.AddStateValue(turnKeyAddr, tfjsonpath.New("key")),
					expectEmulatorTURNKey(em, turnKeyAddr),
				},
			},
		},
	})
}

func TestCallsTURNKey_deletedOutsideTerraformIsRecreated(t *testing.T) {
	em := testEmulator(t)
	client := testClient(t, em)
	uidChanges := statecheck.CompareValue(compare.ValuesDiffer())
	keyChanges := statecheck.CompareValue(compare.ValuesDiffer())
	var uid string

	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkTURNKeysDestroyed(t, em),
		Steps: []resource.TestStep{
			{
				Config: turnKeyConfig(em, testAccountID, "doomed"),
				Check:  rememberUID(turnKeyAddr, &uid),
				ConfigStateChecks: []statecheck.StateCheck{
					uidChanges.AddStateValue(turnKeyAddr, tfjsonpath.New("uid")),
					keyChanges.AddStateValue(turnKeyAddr, tfjsonpath.New("key")),
				},
			},
			{
				PreConfig: func() {
					if err := client.DeleteTURNKey(context.Background(), testAccountID, uid); err != nil {
						t.Fatalf("deleting out of band: %v", err)
					}
				},
				Config: turnKeyConfig(em, testAccountID, "doomed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(turnKeyAddr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					uidChanges.AddStateValue(turnKeyAddr, tfjsonpath.New("uid")),
					keyChanges.AddStateValue(turnKeyAddr, tfjsonpath.New("key")),
					expectEmulatorTURNKey(em, turnKeyAddr),
				},
			},
		},
	})
}

// Deleting a TURN key that is already gone counts as success: destroy
// finishes and CheckDestroy (which asks the API) passes.
func TestCallsTURNKey_destroyWhenAlreadyGoneSucceeds(t *testing.T) {
	em := testEmulator(t)
	client := testClient(t, em)
	var uid string

	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		// Without a refresh before the destroy plan, Terraform still
		// believes the key exists, so Delete itself meets the 404.
		AdditionalCLIOptions: &resource.AdditionalCLIOptions{Plan: resource.PlanOptions{NoRefresh: true}},
		CheckDestroy: func(s *terraform.State) error {
			if n := em.Counters()["DELETE /accounts/{account_id}/calls/turn_keys/{key_id}"]; n != 2 {
				return fmt.Errorf("emulator saw %d TURN key deletions, want 2 (out of band, then by destroy)", n)
			}
			return checkTURNKeysDestroyed(t, em)(s)
		},
		Steps: []resource.TestStep{
			{
				Config: turnKeyConfig(em, testAccountID, "gone-before-destroy"),
				Check:  rememberUID(turnKeyAddr, &uid),
			},
			{
				PreConfig: func() {
					if err := client.DeleteTURNKey(context.Background(), testAccountID, uid); err != nil {
						t.Fatalf("deleting out of band: %v", err)
					}
				},
				Config:  turnKeyConfig(em, testAccountID, "gone-before-destroy"),
				Destroy: true,
			},
		},
	})
}

func TestCallsTURNKey_accountChangeReplacesKey(t *testing.T) {
	em := testEmulator(t)
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkTURNKeysDestroyed(t, em),
		Steps: []resource.TestStep{
			{Config: turnKeyConfig(em, testAccountID, "moving")},
			{
				Config: turnKeyConfig(em, otherTestAccountID, "moving"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(turnKeyAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{expectEmulatorTURNKey(em, turnKeyAddr)},
				Check: func(_ *terraform.State) error {
					if n := len(em.TURNKeys(testAccountID)); n != 0 {
						return fmt.Errorf("old account still has %d TURN keys", n)
					}
					return nil
				},
			},
		},
	})
}

func TestCallsTURNKey_importExistingKeyThenEmptyPlan(t *testing.T) {
	em := testEmulator(t)
	existing, err := testClient(t, em).CreateTURNKey(context.Background(), testAccountID, "made-elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	cfg := turnKeyConfig(em, testAccountID, "made-elsewhere")

	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkTURNKeysDestroyed(t, em),
		Steps: []resource.TestStep{
			{
				Config:             cfg,
				ResourceName:       turnKeyAddr,
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
					if s, ok := a["key"]; ok && s != "" {
						return fmt.Errorf("imported TURN key has a key %q; the API cannot return one", s)
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
					statecheck.ExpectKnownValue(turnKeyAddr, tfjsonpath.New("uid"), knownvalue.StringExact(existing.UID)),
					statecheck.ExpectKnownValue(turnKeyAddr, tfjsonpath.New("key"), knownvalue.Null()),
				},
			},
		},
	})
}

// An app's id is not a TURN key's: importing one as the other finds nothing.
func TestCallsTURNKey_importOfAnAppIDFindsNothing(t *testing.T) {
	em := testEmulator(t)
	app, err := testClient(t, em).CreateApp(context.Background(), testAccountID, "an-app")
	if err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		Steps: []resource.TestStep{{
			Config:        turnKeyConfig(em, testAccountID, "an-app"),
			ResourceName:  turnKeyAddr,
			ImportState:   true,
			ImportStateId: testAccountID + "/" + app.UID,
			ExpectError:   regexp.MustCompile(`(?i)cannot import non-existent remote object`),
		}},
	})
}

func TestCallsTURNKey_malformedImportIDIsRefused(t *testing.T) {
	em := testEmulator(t)
	for _, id := range []string{
		"not-an-id",
		testAccountID,
		testAccountID + "/",
		"/" + testAccountID,
		testAccountID + "/ABCDEF0123456789ABCDEF0123456789",
		testAccountID + "/0123456789abcdef0123456789abcdef/extra",
	} {
		t.Run(id, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories(),
				Steps: []resource.TestStep{{
					Config:        turnKeyConfig(em, testAccountID, "x"),
					ResourceName:  turnKeyAddr,
					ImportState:   true,
					ImportStateId: id,
					ExpectError:   regexp.MustCompile(`(?s)Invalid import id for Calls TURN key.*expected <account_id>/<key_id>`),
				}},
			})
		})
	}
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("a malformed import id sent %d requests to the API, want 0", n)
	}
}

func TestCallsTURNKey_invalidAccountIDFailsBeforeAnyRequest(t *testing.T) {
	em := testEmulator(t)
	for _, account := range []string{"", "0123", "0123456789ABCDEF0123456789ABCDEF", testAccountID + "00"} {
		t.Run(fmt.Sprintf("%q", account), func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      turnKeyConfig(em, account, "x"),
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
