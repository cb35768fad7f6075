package provider

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// timeoutsConfig is one app with a timeouts block holding entries
// ("create = \"1s\""), under the provider's default retry_timeout_seconds.
func timeoutsConfig(entries ...string) string {
	return fmt.Sprintf(`
resource "cloudflare_calls_app" "media" {
  account_id = %q
  name       = "media"

  timeouts {
    %s
  }
}
`, testAccountID, strings.Join(entries, "\n    "))
}

// A create slower than timeouts.create (the API carries it out after 3 s,
// the timeout is 1 s) ends as a lost answer, never as a retry: one request,
// the error names the timeout, and the search finds the app the API made
// and prints its import command, which adopts it.
func TestTimeouts_createSlowerThanItsTimeoutIsALostAnswer(t *testing.T) {
	t.Parallel()
	em := testEmulator(t)
	inject(t, em, emulator.Fault{Kind: emulator.FaultDelay, Method: "POST", Route: appsRoute, Count: 1, Delay: 3 * time.Second})
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", timeoutsConfig(`create = "1s"`))

	out := applyWithLostAnswer(t, c)
	apps := em.Apps(testAccountID)
	if len(apps) != 1 {
		t.Fatalf("the emulator holds %d apps, want 1", len(apps))
	}
	expectSays(t, out, "may have been created, but its answer was lost", `The create's timeout, timeouts.create = "1s", ran out`,
		"uid "+apps[0].UID, "terraform import '<address>' "+testAccountID+"/"+apps[0].UID)
	if n := requestsTo(em, http.MethodPost, appsRoute); n != 1 {
		t.Errorf("%d creates sent, want 1: a create that may have been carried out is never retried", n)
	}

	followImport(t, c, out, apps[0].UID)
	c.mustRun(0, "apply", "-auto-approve", "-no-color")
	if n := requestsTo(em, http.MethodPost, appsRoute); n != 1 || em.AppCount() != 1 {
		t.Fatalf("after following the message: %d creates, %d apps; want 1 and 1", n, em.AppCount())
	}
	c.mustRun(0, "plan", "-detailed-exitcode", "-no-color")
}

// A rate-limit block (60 s) longer than timeouts.create (5 s), under the
// default retry_timeout_seconds that would wait it out: the create fails
// within the timeout, creates nothing, and the error names the timeout as
// the setting to raise, not retry_timeout_seconds.
func TestTimeouts_rateLimitBlockLongerThanTheCreateTimeoutFailsWithinIt(t *testing.T) {
	t.Parallel()
	em := rateLimitedEmulator(t, 40, 60*time.Second)
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", timeoutsConfig(`create = "5s"`))

	spendTheQuota(t, em)
	start := time.Now()
	out := c.mustRun(1, "apply", "-auto-approve", "-no-color")
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the apply took %s to fail; the create's timeout is 5 s", d)
	}
	if n := em.AppCount(); n != 0 {
		t.Errorf("%d apps created during the block", n)
	}
	expectSays(t, out, "Unable to create Calls app", `longer than what is left of the create's timeout, timeouts.create = "5s"`,
		"Raise timeouts.create")
	if strings.Contains(flatten(out), "Raise retry_timeout_seconds") {
		t.Errorf("the error points at retry_timeout_seconds, which is not what stopped the create:\n%s", out)
	}
}

// A delete slower than timeouts.delete fails within it, saying which
// timeout ran out and that the delete may have been carried out; the next
// destroy finds the app gone and succeeds.
func TestTimeouts_deleteSlowerThanItsTimeout(t *testing.T) {
	t.Parallel()
	em := testEmulator(t)
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", timeoutsConfig(`delete = "1s"`))
	c.mustRun(0, "apply", "-auto-approve", "-no-color")
	// The timeouts block is kept in state as configured: nothing to change.
	c.mustRun(0, "plan", "-detailed-exitcode", "-no-color")

	inject(t, em, emulator.Fault{Kind: emulator.FaultDelay, Method: "DELETE", Route: appRoute, Count: 1, Delay: 3 * time.Second})
	// Without the timeout, the delete would succeed after 3 s.
	out := c.mustRun(1, "destroy", "-auto-approve", "-no-color")
	expectSays(t, out, "Unable to delete Calls app", `The delete did not finish within its timeout, timeouts.delete = "1s"`,
		"The delete may still have been carried out")
	if strings.Contains(flatten(out), "Check base_url and the network") {
		t.Errorf("a delete cut by its timeout is blamed on the network:\n%s", out)
	}
	if n := requestsTo(em, http.MethodDelete, appRoute); n != 1 {
		t.Errorf("%d deletes sent, want 1", n)
	}

	// The API carries the delete out once its delay is over.
	for deadline := time.Now().Add(10 * time.Second); em.AppCount() != 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the delayed delete was never carried out")
		}
	}
	c.mustRun(0, "destroy", "-auto-approve", "-no-color")
	if n := em.AppCount(); n != 0 {
		t.Errorf("%d apps left", n)
	}
}

// A timeout of zero or less is refused at plan time, before any request: it
// would end the operation before it began.
func TestTimeouts_zeroOrLessRefusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	em := testEmulator(t)
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	for _, entry := range []string{`create = "0s"`, `delete = "-1m"`} {
		c.write("main.tf", timeoutsConfig(entry))
		out := c.mustRun(1, "plan", "-no-color")
		expectSays(t, out, "Invalid timeout", "must be a duration longer than zero")
	}
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}
