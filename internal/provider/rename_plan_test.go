package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The plan of a rename shows the secret (or TURN key), the uid, the id and
// the creation time as they are in state, not "(known after apply)": a user
// reviewing the plan must see that the secret survives the rename, and
// anything that refers to the secret must not be planned for change.
func TestRename_planKeepsSecretAndIDsKnown(t *testing.T) {
	for _, k := range testKinds {
		t.Run(k.resourceType, func(t *testing.T) {
			em := testEmulator(t)
			addr := k.resourceType + ".test"
			config := func(name string) string {
				return providerBlock(em) + fmt.Sprintf(`
resource %q "test" {
  account_id = %q
  name       = %q
}
`, k.resourceType, testAccountID, name)
			}
			known := []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}
			for attr, format := range map[string]*regexp.Regexp{k.secretAttr: hex64, "uid": hex32, "id": hex32, "created": rfc3339} {
				known = append(known, plancheck.ExpectKnownValue(addr, tfjsonpath.New(attr), knownvalue.StringRegexp(format)))
			}
			known = append(known, plancheck.ExpectUnknownValue(addr, tfjsonpath.New("modified")))

			parallelUnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories(),
				CheckDestroy:             k.checkDestroyed(t, em),
				Steps: []resource.TestStep{
					{Config: config("before")},
					{
						Config:           config("after"),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: known},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("after")),
							expectEmulatorObject(em, addr, k.secretAttr),
						},
					},
				},
			})
		})
	}
}
