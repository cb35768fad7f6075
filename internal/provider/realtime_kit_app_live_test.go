package provider

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/kitapi"
)

// liveKitAppName names the one RealtimeKit app the live tests use in an
// account. The API cannot delete apps, so the live tests never create one
// per run, which would pile up: they reuse this one, created by the first
// run in the account. It carries no run prefix, and the sweeper, which
// deletes only Calls apps and TURN keys, never touches it.
const liveKitAppName = "terraform-provider-cloudflare-acc"

// liveKitApp returns the account's app named liveKitAppName (the oldest,
// should a race have made two), creating it only when there is none.
func liveKitApp(t *testing.T, run liveRun) kitapi.App {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	kit := kitapi.New(run.client)
	apps, err := kit.ListApps(ctx, run.account, liveKitAppName)
	if err != nil {
		t.Fatalf("listing the RealtimeKit apps named %q: %v", liveKitAppName, err)
	}
	for _, a := range apps {
		if a.Name == liveKitAppName {
			return a
		}
	}
	created, err := kit.CreateApp(ctx, run.account, liveKitAppName)
	if err != nil {
		t.Fatalf("creating the RealtimeKit app %q, which the live tests reuse (check the account's apps before running again: "+
			"this create may have been carried out): %v", liveKitAppName, err)
	}
	t.Logf("created the RealtimeKit app %q (%s), which the live tests reuse from now on", liveKitAppName, created.ID)
	return *created
}

// TestLive_realtimeKitAppImportAndRead imports the account's reused app,
// plans nothing after, reads it with the data source, and destroys only the
// state: the app stays for the next run.
func TestLive_realtimeKitAppImportAndRead(t *testing.T) {
	run := liveSetup(t)
	app := liveKitApp(t, run)
	addr := "cloudflare_realtime_kit_app.live"
	config := run.config(fmt.Sprintf(`
resource "cloudflare_realtime_kit_app" "live" {
  account_id = %[1]q
  name       = %[2]q
}

data "cloudflare_realtime_kit_apps" "named" {
  account_id = %[1]q
  name       = %[2]q
}
`, run.account, liveKitAppName))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			apps, err := kitapi.New(run.client).ListApps(context.Background(), run.account, liveKitAppName)
			if err != nil {
				return err
			}
			if appWithID(apps, app.ID) == nil {
				return fmt.Errorf("the RealtimeKit app %s is gone after a destroy, which must leave it in the account", app.ID)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config:             config,
				ResourceName:       addr,
				ImportState:        true,
				ImportStateId:      run.account + "/" + app.ID,
				ImportStatePersist: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(app.ID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact(liveKitAppName)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.StringExact(app.CreatedAt)),
					statecheck.ExpectKnownValue("data.cloudflare_realtime_kit_apps.named", tfjsonpath.New("apps").AtSliceIndex(0).AtMapKey("id"),
						knownvalue.StringExact(app.ID)),
				},
			},
		},
	})
}
