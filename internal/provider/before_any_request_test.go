package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// zeroRequests is a PreConfig that checks that nothing reached the API since
// the counters were last reset (by the step before), then resets them.
func zeroRequests(t *testing.T, em *emulator.Running, what string) func() {
	return func() {
		if n := em.TotalRequests(); n != 0 {
			t.Errorf("%s sent %d requests to the API (%v), want 0", what, n, em.Counters())
		}
		em.ResetCounters()
	}
}

// badAccountIDs are account ids refused at plan time.
var badAccountIDs = []string{"", "0123", "0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdeg", testAccountID + "00", testAccountID + "/x"}

// An invalid account_id is refused before any request, even for an object
// already in state, whose refresh (a list of the account) and replacement
// (a create in the "new" account) would otherwise be sent: the emulator
// counts nothing from the failed apply. The object is untouched, and the
// valid configuration plans no change.
func TestBeforeAnyRequest_invalidAccountIDOnAnObjectInState(t *testing.T) {
	needsCLI(t)
	forEachKind(t, func(t *testing.T, k testKind) {
		t.Parallel()
		em := testEmulator(t)
		config := func(account string) string {
			return providerBlock(em) + fmt.Sprintf(`
resource %q "test" {
  account_id = %q
  name       = "kept"
}
`, k.resourceType, account)
		}
		steps := []resource.TestStep{{Config: config(testAccountID)}}
		for i, account := range badAccountIDs {
			steps = append(steps, resource.TestStep{
				PreConfig:   resetCountersAfter(t, em, i > 0, fmt.Sprintf("account_id %q", badAccountIDs[max(i-1, 0)])),
				Config:      config(account),
				ExpectError: regexp.MustCompile(`(?s)account_id.*32 lowercase\s+hexadecimal`),
			})
		}
		steps = append(steps, resource.TestStep{
			PreConfig: zeroRequests(t, em, fmt.Sprintf("account_id %q", badAccountIDs[len(badAccountIDs)-1])),
			Config:    config(testAccountID),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		})
		cliTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testProviderFactories(),
			CheckDestroy:             k.checkDestroyed(t, em),
			Steps:                    steps,
		})
		if n := len(k.objects(em, testAccountID)); n != 0 {
			t.Errorf("%d objects left after destroy", n)
		}
	})
}

// resetCountersAfter is zeroRequests once a bad step has run (check), or a
// plain reset after the setup step.
func resetCountersAfter(t *testing.T, em *emulator.Running, check bool, what string) func() {
	if check {
		return zeroRequests(t, em, what)
	}
	return em.ResetCounters
}

// An import block with a malformed id is refused before any request: a
// lax parser would read the object with a GET, which the emulator would
// count.
func TestBeforeAnyRequest_importBlockWithMalformedID(t *testing.T) {
	forEachKind(t, func(t *testing.T, k testKind) {
		t.Parallel()
		em := testEmulator(t)
		existing := mustCreate(t, k, em, testAccountID, "existing")
		upper := testAccountID + "/" + strings.ToUpper(existing.UID)
		for _, id := range []string{
			existing.UID,
			upper,
			testAccountID + "/" + existing.UID + "/extra",
			"/" + existing.UID,
			strings.ToUpper(testAccountID) + "/" + existing.UID,
			testAccountID + "//" + existing.UID,
		} {
			t.Run(id, func(t *testing.T) {
				cliTest(t, resource.TestCase{
					ProtoV6ProviderFactories: testProviderFactories(),
					Steps: []resource.TestStep{{
						Config: providerBlock(em) + fmt.Sprintf(`
import {
  to = %[1]s.imported
  id = %[2]q
}

resource %[1]q "imported" {
  account_id = %[3]q
  name       = "existing"
}
`, k.resourceType, id, testAccountID),
						PlanOnly:    true,
						ExpectError: regexp.MustCompile(`(?s)Invalid import id for Calls (app|TURN key).*expected <account_id>/<` + k.idAttr + `>`),
					}},
				})
			})
		}
		if n := em.TotalRequests(); n != 0 {
			t.Errorf("malformed import ids sent %d requests to the API (%v), want 0", n, em.Counters())
		}
	})
}
