package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// 200 apps applied with -parallelism=20 against an API with a rate limit (which
// the pacer keeps under) whose creates are refused with 429 ten times, as when
// another tool spends the quota: all 200 are created, exactly 200 exist, and
// nothing fails.
func TestLoad_200AppsThroughRateLimit(t *testing.T) {
	t.Parallel()
	em, err := emulator.Start(emulator.Options{
		Tokens:    []string{testToken},
		RateLimit: emulator.RateLimit{Requests: 100, Window: 5 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Close)
	if err := em.InjectFault(emulator.Fault{Kind: emulator.FaultRateLimit, Method: "POST", Count: 10, RetryAfter: 1}); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", fmt.Sprintf(`
resource "cloudflare_calls_app" "load" {
  count      = 200
  account_id = %q
  name       = "load-${count.index}"
}
`, testAccountID))

	out := c.mustRun(0, "apply", "-auto-approve", "-parallelism=20", "-no-color")
	if !strings.Contains(out, "200 added, 0 changed, 0 destroyed") {
		t.Fatalf("apply did not add 200 apps:\n%s", out)
	}
	if n := em.AppCount(); n != 200 {
		t.Fatalf("the emulator holds %d apps, want exactly 200", n)
	}
	if n := em.Statuses()[429]; n < 10 {
		t.Fatalf("%d answers 429, want the 10 faults at least: the test did not exercise them", n)
	}
	if n := em.RateLimited(); n != 0 {
		t.Errorf("the rate limit itself refused %d requests; the pacer should keep under it", n)
	}
	names := map[string]bool{}
	for _, a := range em.Apps(testAccountID) {
		names[a.Name] = true
	}
	if len(names) != 200 {
		t.Fatalf("%d distinct names among the apps, want 200 (a duplicate create?)", len(names))
	}
	t.Logf("the emulator answered 429 %d times", em.Statuses()[429])

	c.mustRun(0, "plan", "-detailed-exitcode", "-parallelism=20", "-no-color")
	c.mustRun(0, "destroy", "-auto-approve", "-parallelism=20", "-no-color")
	if n := em.AppCount(); n != 0 {
		t.Fatalf("%d apps left after destroy", n)
	}
}
