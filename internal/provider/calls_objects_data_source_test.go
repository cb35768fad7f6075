package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// expectedList is the list a plural data source must show: exactly these
// objects, in this order, with exactly these attributes (so an extra
// attribute, a secret for instance, fails the check).
func expectedList(objects []emulatorObject) knownvalue.Check {
	elems := make([]knownvalue.Check, 0, len(objects))
	for _, o := range objects {
		elems = append(elems, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"uid":      knownvalue.StringExact(o.UID),
			"name":     knownvalue.StringExact(o.Name),
			"created":  knownvalue.StringExact(wireTime(o.Created)),
			"modified": knownvalue.StringExact(wireTime(o.Modified)),
		}))
	}
	return knownvalue.ListExact(elems)
}

func named(objects []emulatorObject, name string) []emulatorObject {
	var out []emulatorObject
	for _, o := range objects {
		if o.Name == name {
			out = append(out, o)
		}
	}
	return out
}

// The plural data sources list exactly the account's objects as the emulator
// holds them, none from another account or of the other kind; the name filter
// keeps exact matches only; an account or a filter with no match gives an
// empty list.
func TestCallsObjectsDataSource_listsExactlyTheAccountsObjects(t *testing.T) {
	for i, k := range testKinds {
		t.Run(k.pluralType, func(t *testing.T) {
			em := testEmulator(t)
			for _, name := range []string{"alpha", "beta", "alpha", "", "alpha-2", "Alpha"} {
				mustCreate(t, k, em, testAccountID, name)
			}
			mustCreate(t, k, em, otherTestAccountID, "alpha")
			mustCreate(t, testKinds[1-i], em, testAccountID, "alpha")
			// Read after creating, so the expectations are what the emulator holds.
			objects := k.objects(em, testAccountID)
			if len(named(objects, "alpha")) != 2 {
				t.Fatalf("setup: want two objects named alpha, have %d", len(named(objects, "alpha")))
			}

			addr := func(label string) string { return "data." + k.pluralType + "." + label }
			config := providerBlock(em) + fmt.Sprintf(`
data %[1]q "all" {
  account_id = %[2]q
}

data %[1]q "alpha" {
  account_id = %[2]q
  name       = "alpha"
}

data %[1]q "unnamed" {
  account_id = %[2]q
  name       = ""
}

data %[1]q "no_match" {
  account_id = %[2]q
  name       = "missing"
}

data %[1]q "empty_account" {
  account_id = %[3]q
}
`, k.pluralType, testAccountID, thirdTestAccountID)

			parallelUnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories(),
				Steps: []resource.TestStep{{
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(addr("all"), tfjsonpath.New(k.listAttr), expectedList(objects)),
						statecheck.ExpectKnownValue(addr("all"), tfjsonpath.New("name"), knownvalue.Null()),
						statecheck.ExpectKnownValue(addr("alpha"), tfjsonpath.New(k.listAttr), expectedList(named(objects, "alpha"))),
						statecheck.ExpectKnownValue(addr("unnamed"), tfjsonpath.New(k.listAttr), expectedList(named(objects, ""))),
						statecheck.ExpectKnownValue(addr("no_match"), tfjsonpath.New(k.listAttr), knownvalue.ListExact([]knownvalue.Check{})),
						statecheck.ExpectKnownValue(addr("empty_account"), tfjsonpath.New(k.listAttr), knownvalue.ListExact([]knownvalue.Check{})),
						expectNoSecretInDataSources(em, testAccountID, otherTestAccountID),
					},
				}},
			})
		})
	}
}

// Objects created by resources in the same configuration are listed, with
// their names, and their secrets stay out of the data source.
func TestCallsObjectsDataSource_listsObjectsManagedAlongside(t *testing.T) {
	for _, k := range testKinds {
		t.Run(k.pluralType, func(t *testing.T) {
			em := testEmulator(t)
			config := providerBlock(em) + fmt.Sprintf(`
resource %[1]q "one" {
  account_id = %[3]q
  name       = "one"
}

resource %[1]q "two" {
  account_id = %[3]q
  name       = "two"
}

data %[2]q "all" {
  account_id = %[3]q
  depends_on = [%[1]s.one, %[1]s.two]
}
`, k.resourceType, k.pluralType, testAccountID)

			parallelUnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories(),
				Steps: []resource.TestStep{{
					Config: config,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data."+k.pluralType+".all", tfjsonpath.New(k.listAttr), knownvalue.ListSizeExact(2)),
						expectNoSecretInDataSources(em, testAccountID),
					},
					Check: func(s *terraform.State) error {
						objects := k.objects(em, testAccountID)
						if len(objects) != 2 {
							return fmt.Errorf("emulator holds %d objects, want 2", len(objects))
						}
						return resource.ComposeAggregateTestCheckFunc(
							resource.TestCheckTypeSetElemNestedAttrs("data."+k.pluralType+".all", k.listAttr+".*",
								map[string]string{"uid": objects[0].UID, "name": objects[0].Name}),
							resource.TestCheckTypeSetElemNestedAttrs("data."+k.pluralType+".all", k.listAttr+".*",
								map[string]string{"uid": objects[1].UID, "name": objects[1].Name}),
						)(s)
					},
				}},
			})
		})
	}
}

func TestCallsObjectsDataSource_invalidAccountIDFailsBeforeAnyRequest(t *testing.T) {
	for _, k := range testKinds {
		t.Run(k.pluralType, func(t *testing.T) {
			em := testEmulator(t)
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories(),
				Steps: []resource.TestStep{{
					Config: providerBlock(em) + fmt.Sprintf(`
data %q "bad" {
  account_id = "0123456789ABCDEF0123456789ABCDEF"
}
`, k.pluralType),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)account_id.*32 lowercase\s+hexadecimal`),
				}},
			})
			if n := em.TotalRequests(); n != 0 {
				t.Errorf("an invalid account_id sent %d requests to the API, want 0", n)
			}
		})
	}
}
