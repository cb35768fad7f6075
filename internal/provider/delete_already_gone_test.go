package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// Deleting an app that is already gone counts as success: the destroy
// finishes, its DELETE met the API's 404, and CheckDestroy (which asks the
// API) passes.
func TestCallsApp_destroyWhenAlreadyGoneSucceeds(t *testing.T) {
	em := testEmulator(t)
	var uid string
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		// Without a refresh before the destroy plan, Terraform still
		// believes the app exists, so Delete itself meets the 404.
		AdditionalCLIOptions: &resource.AdditionalCLIOptions{Plan: resource.PlanOptions{NoRefresh: true}},
		CheckDestroy: func(s *terraform.State) error {
			if n := requestsTo(em, "DELETE", appRoute); n != 1 {
				return fmt.Errorf("the emulator saw %d app deletions, want the 1 of the destroy", n)
			}
			if n := em.Statuses()[404]; n != 1 {
				return fmt.Errorf("the emulator answered %d requests with 404, want the destroy's 1", n)
			}
			return checkAppsDestroyed(t, em)(s)
		},
		Steps: []resource.TestStep{
			{
				Config: appConfig(em, testAccountID, "gone-before-destroy"),
				Check:  rememberUID(appAddr, &uid),
			},
			{
				PreConfig: func() { must(t, em.DeleteApp(testAccountID, uid)) },
				Config:    appConfig(em, testAccountID, "gone-before-destroy"),
				Destroy:   true,
			},
		},
	})
}
