package provider

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

const holdWarning = "Warning: Cloudflare API rate limit held this run for"

// A plan started during a block (another tool spent the quota: every
// request refused for 10 s) waits it out and ends with one warning, not one
// per app: how long it waited, why, and what helps.
func TestRateLimitWarning_planDuringABlockSaysSoOnce(t *testing.T) {
	t.Parallel()
	em, c := appsUnderRateLimit(t, 20, 10*time.Second)

	spendTheQuota(t, em)
	out := c.mustRun(0, "plan", "-detailed-exitcode", "-parallelism=10", "-no-color")
	// The CLI folds warnings with one summary into the first: "(and 19
	// more similar warnings elsewhere)".
	if n := strings.Count(out, holdWarning); n != 1 || strings.Contains(out, "similar warning") {
		t.Fatalf("%d warnings of the hold (folded ones aside), want 1 for the run:\n%s", n, out)
	}
	if !regexp.MustCompile(holdWarning + ` (9|10)s`).MatchString(out) {
		t.Errorf("the warning does not say the run waited about 10 s:\n%s", out)
	}
	expectSays(t, out, "the API refused a request with 429 Too Many Requests", "this credential's rate limit was exceeded",
		"1,200 requests per 5 minutes", "other Terraform runs and pipelines", "fewer pipelines running at once with one token, or a token for each pipeline")
}

// A plan that no hold kept waiting says nothing of the rate limit, nor does
// one whose only wait was a second's Retry-After: that is ordinary.
func TestRateLimitWarning_noLongHoldNoWarning(t *testing.T) {
	t.Parallel()
	em := testEmulator(t)
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", appsConfig(3))
	c.mustRun(0, "apply", "-auto-approve", "-no-color")

	if out := c.mustRun(0, "plan", "-detailed-exitcode", "-no-color"); providerWarnings(out) != 0 {
		t.Errorf("a plan without a hold warns:\n%s", out)
	}
	inject(t, em, emulator.Fault{Kind: emulator.FaultRateLimit, Method: "GET", Count: 1, RetryAfter: 1})
	em.ResetCounters()
	if out := c.mustRun(0, "plan", "-detailed-exitcode", "-no-color"); providerWarnings(out) != 0 {
		t.Errorf("a plan held for a second warns:\n%s", out)
	}
	if n := em.RateLimited() + em.Statuses()[429]; n == 0 {
		t.Error("the plan was never refused: the test did not hold it")
	}
}
