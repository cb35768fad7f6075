package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// thirdTestAccountID has nothing in it.
const thirdTestAccountID = "00000000000000000000000000000000"

// wireTime is a timestamp as the API sends it.
func wireTime(t time.Time) string { return t.UTC().Format(emulator.TimeFormat) }

// expectNoSecretInDataSources fails if any attribute of any data source in
// state (nested values included) equals or contains a secret or key that the
// emulator holds in the given accounts. It also fails when there is nothing
// to compare, so it cannot pass vacuously.
func expectNoSecretInDataSources(em *emulator.Running, accounts ...string) statecheck.StateCheck {
	return stateCheckFunc(func(state *tfjson.State) error {
		secrets := allSecrets(em, accounts...)
		if len(secrets) == 0 {
			return fmt.Errorf("the emulator holds no secret to look for")
		}
		if state == nil || state.Values == nil || state.Values.RootModule == nil {
			return fmt.Errorf("no state")
		}
		checked := 0
		for _, r := range state.Values.RootModule.Resources {
			if r.Mode != tfjson.DataResourceMode {
				continue
			}
			checked++
			sensitive, err := hasSensitiveValue(r.SensitiveValues)
			if err != nil {
				return fmt.Errorf("%s: reading sensitive_values: %w", r.Address, err)
			}
			if sensitive {
				return fmt.Errorf("%s has sensitive values %s; no data source here has any", r.Address, r.SensitiveValues)
			}
			var leak error
			walkStrings(r.AttributeValues, func(where, s string) {
				for _, secret := range secrets {
					if leak == nil && strings.Contains(s, secret) {
						leak = fmt.Errorf("%s.%s exposes a secret the emulator holds", r.Address, where)
					}
				}
			})
			if leak != nil {
				return leak
			}
		}
		if checked == 0 {
			return fmt.Errorf("no data source in state")
		}
		return nil
	})
}

// hasSensitiveValue reports whether Terraform marked any value as sensitive
// (a true anywhere in the sensitive_values structure).
func hasSensitiveValue(raw json.RawMessage) (bool, error) {
	if len(raw) == 0 {
		return false, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return false, err
	}
	found := false
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case bool:
			found = found || x
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return found, nil
}

// walkStrings calls f with every string inside v, and where it was found.
func walkStrings(v any, f func(where, s string)) {
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch x := v.(type) {
		case string:
			f(where, x)
		case map[string]any:
			for k, e := range x {
				walk(strings.TrimPrefix(where+"."+k, "."), e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", where, i), e)
			}
		}
	}
	walk("", v)
}

func objectDataSourceConfig(em *emulator.Running, k testKind, name, accountID, id string) string {
	return providerBlock(em) + fmt.Sprintf(`
data %q %q {
  account_id = %q
  %s = %q
}
`, k.resourceType, name, accountID, k.idAttr, id)
}

// The data source reads an object made outside Terraform with exactly the
// values the emulator holds, and reads an object managed in the same
// configuration again after it is renamed.
func TestCallsObjectDataSource_valuesMatchTheEmulator(t *testing.T) {
	needsCLI(t)
	for _, k := range testKinds {
		t.Run(k.resourceType, func(t *testing.T) {
			em := testEmulator(t)
			existing := mustCreate(t, k, em, testAccountID, "made-elsewhere")
			mustCreate(t, k, em, otherTestAccountID, "elsewhere") // its secret must not show up either

			existingAddr := "data." + k.resourceType + ".existing"
			managedAddr := "data." + k.resourceType + ".managed"
			resourceAddr := k.resourceType + ".managed"
			config := func(managedName string) string {
				return objectDataSourceConfig(em, k, "existing", testAccountID, existing.UID) + fmt.Sprintf(`
resource %[1]q "managed" {
  account_id = %[2]q
  name       = %[3]q
}

data %[1]q "managed" {
  account_id = %[1]s.managed.account_id
  %[4]s = %[1]s.managed.uid
}
`, k.resourceType, testAccountID, managedName, k.idAttr)
			}
			// matchesEmulator checks the managed data source against what the emulator holds now.
			matchesEmulator := stateCheckFunc(func(state *tfjson.State) error {
				uid, _, err := stateString(state, resourceAddr, "uid")
				if err != nil {
					return err
				}
				for _, r := range state.Values.RootModule.Resources {
					if r.Address != managedAddr {
						continue
					}
					for _, o := range k.objects(em, testAccountID) {
						if o.UID != uid {
							continue
						}
						want := map[string]any{"account_id": testAccountID, k.idAttr: o.UID, "uid": o.UID, "name": o.Name,
							"created": wireTime(o.Created), "modified": wireTime(o.Modified)}
						for attr, v := range want {
							if r.AttributeValues[attr] != v {
								return fmt.Errorf("%s.%s = %v, the emulator has %v", managedAddr, attr, r.AttributeValues[attr], v)
							}
						}
						return nil
					}
					return fmt.Errorf("the emulator has no object %s", uid)
				}
				return fmt.Errorf("%s not in state", managedAddr)
			})

			parallelUnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories(),
				Steps: []resource.TestStep{
					{
						Config: config("managed"),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(existingAddr, tfjsonpath.New("account_id"), knownvalue.StringExact(testAccountID)),
							statecheck.ExpectKnownValue(existingAddr, tfjsonpath.New(k.idAttr), knownvalue.StringExact(existing.UID)),
							statecheck.ExpectKnownValue(existingAddr, tfjsonpath.New("uid"), knownvalue.StringExact(existing.UID)),
							statecheck.ExpectKnownValue(existingAddr, tfjsonpath.New("name"), knownvalue.StringExact("made-elsewhere")),
							statecheck.ExpectKnownValue(existingAddr, tfjsonpath.New("created"), knownvalue.StringExact(wireTime(existing.Created))),
							statecheck.ExpectKnownValue(existingAddr, tfjsonpath.New("modified"), knownvalue.StringExact(wireTime(existing.Modified))),
							statecheck.ExpectKnownValue(managedAddr, tfjsonpath.New("name"), knownvalue.StringExact("managed")),
							statecheck.CompareValuePairs(managedAddr, tfjsonpath.New("uid"), resourceAddr, tfjsonpath.New("uid"), compare.ValuesSame()),
							statecheck.CompareValuePairs(managedAddr, tfjsonpath.New("created"), resourceAddr, tfjsonpath.New("created"), compare.ValuesSame()),
							matchesEmulator,
							expectNoSecretInDataSources(em, testAccountID, otherTestAccountID),
						},
					},
					{
						Config: config("renamed"),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(managedAddr, tfjsonpath.New("name"), knownvalue.StringExact("renamed")),
							statecheck.CompareValuePairs(managedAddr, tfjsonpath.New("modified"), resourceAddr, tfjsonpath.New("modified"), compare.ValuesSame()),
							matchesEmulator,
							expectNoSecretInDataSources(em, testAccountID, otherTestAccountID),
						},
					},
				},
			})
		})
	}
}

// An id that does not exist in the account is an error that names the kind,
// the id and the account; an object of another account or of the other kind
// is not found either.
func TestCallsObjectDataSource_unknownIDIsNotFound(t *testing.T) {
	for i, k := range testKinds {
		t.Run(k.resourceType, func(t *testing.T) {
			em := testEmulator(t)
			inOtherAccount := mustCreate(t, k, em, otherTestAccountID, "elsewhere")
			otherKind := mustCreate(t, testKinds[1-i], em, testAccountID, "other-kind")
			for name, id := range map[string]string{
				"never existed":      "0123456789abcdef0123456789abcdef",
				"in another account": inOtherAccount.UID,
				"of the other kind":  otherKind.UID,
			} {
				t.Run(name, func(t *testing.T) {
					cliTest(t, resource.TestCase{
						ProtoV6ProviderFactories: testProviderFactories(),
						Steps: []resource.TestStep{{
							Config: objectDataSourceConfig(em, k, "missing", testAccountID, id),
							ExpectError: regexp.MustCompile(fmt.Sprintf(`(?s)%s.*No %s with id\s+%s\s+exists\s+in\s+account\s+%s`,
								regexp.QuoteMeta(k.notFound), regexp.QuoteMeta(strings.TrimSuffix(k.notFound, " not found")), id, testAccountID)),
						}},
					})
				})
			}
		})
	}
}

// Malformed ids are refused at plan time, before any request.
func TestCallsObjectDataSource_malformedIDsFailBeforeAnyRequest(t *testing.T) {
	for _, k := range testKinds {
		t.Run(k.resourceType, func(t *testing.T) {
			em := testEmulator(t)
			for name, c := range map[string]struct{ account, id, attr string }{
				"uppercase id":    {testAccountID, "0123456789ABCDEF0123456789ABCDEF", k.idAttr},
				"short id":        {testAccountID, "0123", k.idAttr},
				"short account":   {"0123", "0123456789abcdef0123456789abcdef", "account_id"},
				"account with /":  {testAccountID + "/x", "0123456789abcdef0123456789abcdef", "account_id"},
				"empty id":        {testAccountID, "", k.idAttr},
				"id with a slash": {testAccountID, "0123456789abcdef/0123456789abcde", k.idAttr},
			} {
				t.Run(name, func(t *testing.T) {
					cliTest(t, resource.TestCase{
						ProtoV6ProviderFactories: testProviderFactories(),
						Steps: []resource.TestStep{{
							Config:      objectDataSourceConfig(em, k, "bad", c.account, c.id),
							PlanOnly:    true,
							ExpectError: regexp.MustCompile(fmt.Sprintf(`(?s)%s.*32 lowercase\s+hexadecimal`, c.attr)),
						}},
					})
				})
			}
			if n := em.TotalRequests(); n != 0 {
				t.Errorf("malformed ids sent %d requests to the API, want 0", n)
			}
		})
	}
}
