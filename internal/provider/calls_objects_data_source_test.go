package provider

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// expectedList is the list a plural data source must show: exactly these
// objects, in this order, with exactly these attributes (so an extra
// attribute, a secret for instance, fails the check).
func expectedList(objects []emulatorObject) knownvalue.Check {
	return knownvalue.ListExact(listedObjects(objects))
}

// listedObjects is how a plural data source shows each object.
func listedObjects(objects []emulatorObject) []knownvalue.Check {
	elems := make([]knownvalue.Check, 0, len(objects))
	for _, o := range objects {
		elems = append(elems, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"uid":      knownvalue.StringExact(o.UID),
			"name":     knownvalue.StringExact(o.Name),
			"created":  knownvalue.StringExact(wireTime(o.Created)),
			"modified": knownvalue.StringExact(wireTime(o.Modified)),
		}))
	}
	return elems
}

// knownWhenChecked is a value check made when it runs, for values (a uid, a
// creation time) that only the apply being checked can make.
type knownWhenChecked func() (knownvalue.Check, error)

func (f knownWhenChecked) CheckValue(v any) error {
	c, err := f()
	if err != nil {
		return err
	}
	return c.CheckValue(v)
}

func (f knownWhenChecked) String() string {
	c, err := f()
	if err != nil {
		return err.Error()
	}
	return c.String()
}

// hclBlock is a block of configuration ("resource", "data") of type typ
// with the label, and the attributes given as pairs of a name and an HCL
// expression, in that order.
func hclBlock(block, typ, label string, attrs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s %q %q {\n", block, typ, label)
	for i := 0; i+1 < len(attrs); i += 2 {
		fmt.Fprintf(&b, "  %s = %s\n", attrs[i], attrs[i+1])
	}
	b.WriteString("}\n")
	return b.String()
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
	needsCLI(t)
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
			account := strconv.Quote(testAccountID)
			config := providerBlock(em) +
				hclBlock("data", k.pluralType, "all", "account_id", account) +
				hclBlock("data", k.pluralType, "alpha", "account_id", account, "name", `"alpha"`) +
				hclBlock("data", k.pluralType, "unnamed", "account_id", account, "name", `""`) +
				hclBlock("data", k.pluralType, "no_match", "account_id", account, "name", `"missing"`) +
				hclBlock("data", k.pluralType, "empty_account", "account_id", strconv.Quote(thirdTestAccountID))

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
	needsCLI(t)
	for _, k := range testKinds {
		t.Run(k.pluralType, func(t *testing.T) {
			em := testEmulator(t)
			account := strconv.Quote(testAccountID)
			config := providerBlock(em) +
				hclBlock("resource", k.resourceType, "one", "account_id", account, "name", `"one"`) +
				hclBlock("resource", k.resourceType, "two", "account_id", account, "name", `"two"`) +
				hclBlock("data", k.pluralType, "all", "account_id", account,
					"depends_on", fmt.Sprintf("[%[1]s.one, %[1]s.two]", k.resourceType))

			parallelUnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories(),
				Steps: []resource.TestStep{{
					Config: config,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data."+k.pluralType+".all", tfjsonpath.New(k.listAttr), knownvalue.ListSizeExact(2)),
						expectNoSecretInDataSources(em, testAccountID),
						// Both objects, in any order, with exactly the values the emulator holds.
						statecheck.ExpectKnownValue("data."+k.pluralType+".all", tfjsonpath.New(k.listAttr), knownWhenChecked(func() (knownvalue.Check, error) {
							objects := k.objects(em, testAccountID)
							if len(objects) != 2 {
								return nil, fmt.Errorf("emulator holds %d objects, want 2", len(objects))
							}
							return knownvalue.SetExact(listedObjects(objects)), nil
						})),
					},
				}},
			})
		})
	}
}

func TestCallsObjectsDataSource_invalidAccountIDFailsBeforeAnyRequest(t *testing.T) {
	needsCLI(t)
	for _, k := range testKinds {
		t.Run(k.pluralType, func(t *testing.T) {
			em := testEmulator(t)
			cliTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      providerBlock(em) + hclBlock("data", k.pluralType, "bad", "account_id", `"0123456789ABCDEF0123456789ABCDEF"`),
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
