package provider

import (
	"context"
	"fmt"
	"os"
	"strings"
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
)

// The live tests run the provider against the real Cloudflare API: only
// `make testacc-live` (scripts/testacc-live.sh) runs them, with
// CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID and a name prefix of its own in
// CALLS_LIVE_PREFIX. Everything they create is named with that prefix, and
// every test sweeps the prefix when it ends, passed or failed; the script
// sweeps once more after the run (TestLiveSweep), for a run that was killed.

type liveRun struct {
	account, prefix string
	client          *callsapi.Client
}

func liveSetup(t *testing.T) liveRun {
	t.Helper()
	prefix := os.Getenv("CALLS_LIVE_PREFIX")
	if prefix == "" {
		t.Skip("a live API test: run it with make testacc-live")
	}
	account, token := os.Getenv("CLOUDFLARE_ACCOUNT_ID"), os.Getenv("CLOUDFLARE_API_TOKEN")
	if account == "" || token == "" {
		t.Fatal("CALLS_LIVE_PREFIX is set but CLOUDFLARE_ACCOUNT_ID or CLOUDFLARE_API_TOKEN is not; run make testacc-live")
	}
	client, err := callsapi.New(callsapi.Config{BaseURL: os.Getenv("CLOUDFLARE_BASE_URL"), APIToken: token})
	if err != nil {
		t.Fatal(err)
	}
	run := liveRun{account: account, prefix: prefix, client: client}
	t.Cleanup(func() { run.sweep(t) })
	return run
}

// sweptKind is what the sweeper needs of one kind of object: how to list the
// account's objects, by uid and name, and how to delete one.
// sweptKinds are what the sweeper deletes, with the noun its messages use.
var sweptKinds = []struct {
	noun string
	api  callsapi.Kind
}{{"app", callsapi.Apps}, {"TURN key", callsapi.TURNKeys}}

// sweep deletes every app and TURN key of the account named with the run's
// prefix, and fails the test if one is left.
func (r liveRun) sweep(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, k := range sweptKinds {
		objects, err := r.client.List(ctx, k.api, r.account)
		if err != nil {
			t.Errorf("sweep: listing %ss: %v", k.noun, err)
		}
		for _, o := range objects {
			uid, name := o.UID, o.Name
			if strings.HasPrefix(name, r.prefix) {
				t.Logf("sweep: deleting %s %s (%s)", k.noun, uid, name)
				if err := r.client.Delete(ctx, k.api, r.account, uid); err != nil {
					t.Errorf("sweep: deleting %s %s (%s): %v", k.noun, uid, name, err)
				}
			}
		}
	}
}

// TestLiveSweep is the run's last sweep, called by the script after the
// tests however they ended.
func TestLiveSweep(t *testing.T) {
	if os.Getenv("CALLS_LIVE_SWEEP") == "" {
		t.Skip("the live API sweeper: make testacc-live runs it")
	}
	liveSetup(t)
}

func (r liveRun) config(body string) string {
	// No base_url: the provider's default, the real API.
	return "provider \"cloudflare\" {}\n" + body
}

func (r liveRun) checkGone(kind callsKind) resource.TestCheckFunc {
	return func(*terraform.State) error {
		objects, err := kind.list(context.Background(), r.client, r.account)
		if err != nil {
			return err
		}
		for _, o := range objects {
			if strings.HasPrefix(o.Name, r.prefix) {
				return fmt.Errorf("%s %s (%s) still exists after destroy", kind.noun, o.UID, o.Name)
			}
		}
		return nil
	}
}

func TestLive_appLifecycle(t *testing.T) {
	run := liveSetup(t)
	liveLifecycle(t, run, appKind, "cloudflare_calls_app", "secret")
}

func TestLive_turnKeyLifecycle(t *testing.T) {
	run := liveSetup(t)
	liveLifecycle(t, run, turnKeyKind, "cloudflare_calls_turn_key", "key")
}

// liveLifecycle creates an object, renames it in place, reads it with the
// data sources, imports it and destroys it, as the emulator tests do.
func liveLifecycle(t *testing.T, run liveRun, kind callsKind, typeName, secretAttr string) {
	addr := typeName + ".live"
	name := run.prefix + "-" + kind.typeName
	resourceBlock := func(name string) string {
		return fmt.Sprintf("resource %q \"live\" {\n  account_id = %q\n  name       = %q\n}\n", typeName, run.account, name)
	}
	dataSources := fmt.Sprintf(`
data %[1]q "one" {
  account_id = %[2]q
  %[3]s = %[4]s.uid
}

data "cloudflare_%[5]s" "named" {
  account_id = %[2]q
  name       = %[4]s.name
}
`, typeName, run.account, kind.idAttr, addr, kind.pluralTypeName)
	sameUID := statecheck.CompareValue(compare.ValuesSame())
	sameSecret := statecheck.CompareValue(compare.ValuesSame())

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             run.checkGone(kind),
		Steps: []resource.TestStep{
			{
				Config: run.config(resourceBlock(name)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("uid"), knownvalue.StringRegexp(hex32)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New(secretAttr), knownvalue.NotNull()),
					sameUID.AddStateValue(addr, tfjsonpath.New("uid")),
					sameSecret.AddStateValue(addr, tfjsonpath.New(secretAttr)),
				},
			},
			{
				Config: run.config(resourceBlock(name+"-renamed") + dataSources),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameUID.AddStateValue(addr, tfjsonpath.New("uid")),
					sameSecret.AddStateValue(addr, tfjsonpath.New(secretAttr)),
					statecheck.ExpectKnownValue("data."+typeName+".one", tfjsonpath.New("name"), knownvalue.StringExact(name+"-renamed")),
					statecheck.ExpectKnownValue("data.cloudflare_"+kind.pluralTypeName+".named", tfjsonpath.New(kind.listAttr), knownvalue.ListSizeExact(1)),
				},
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateIdFunc:       importID(addr),
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{secretAttr},
			},
		},
	})
}
