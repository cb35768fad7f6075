package provider

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// These tests run the real CLI against the emulator's rate limit, which
// applies the documented rule (a fixed window per credential, and a block
// of one window for every request once the quota is exceeded), with the
// window scaled down from 5 minutes to seconds.

// rateLimitedEmulator is an emulator that allows requests per window.
func rateLimitedEmulator(t *testing.T, requests int, window time.Duration) *emulator.Running {
	t.Helper()
	em, err := emulator.Start(emulator.Options{Tokens: []string{testToken}, RateLimit: emulator.RateLimit{Requests: requests, Window: window}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Close)
	return em
}

// spendTheQuota plays another tool sharing the token: it sends requests,
// without any pacing, until the API refuses one, which starts a block of one
// window for every request of the token. It returns when the block started.
func spendTheQuota(t *testing.T, em *emulator.Running) time.Time {
	t.Helper()
	url := em.URL + "/accounts/" + testAccountID + "/calls/apps"
	for range em.RateLimit().Requests + 1 {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			return time.Now()
		}
	}
	t.Fatalf("%d requests were all accepted; the emulator's rate limit did not refuse one", em.RateLimit().Requests+1)
	return time.Time{}
}

// logPath points the CLI's provider log (TF_LOG_PROVIDER, at WARN) at a file
// of the test's and returns it.
func logPath(t *testing.T, c *cli) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "provider.log")
	c.env = append(c.env, "TF_LOG_PROVIDER=WARN", "TF_LOG_PATH="+path)
	return path
}

// warnings are the provider's log lines at WARN that contain text.
func warnings(t *testing.T, path, text string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, "[WARN]") && strings.Contains(line, text) {
			lines = append(lines, line)
		}
	}
	return lines
}

const blockWarning = "Cloudflare API rate limit exceeded: waiting out the block"

// 100 apps created, planned and destroyed with -parallelism=10 under 40
// requests per 10 seconds, the rule scaled 30 times down: more than 200
// requests, five windows and more, and the API never refuses one.
func TestRateLimit_100AppsUnderTheLimitWithoutA429(t *testing.T) {
	t.Parallel()
	em := rateLimitedEmulator(t, 40, 10*time.Second)
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", appsConfig(100))

	start := time.Now()
	out := c.mustRun(0, "apply", "-auto-approve", "-parallelism=10", "-no-color")
	if !strings.Contains(out, "100 added, 0 changed, 0 destroyed") || em.AppCount() != 100 {
		t.Fatalf("apply: the emulator holds %d apps:\n%s", em.AppCount(), out)
	}
	c.mustRun(0, "plan", "-detailed-exitcode", "-parallelism=10", "-no-color")
	out = c.mustRun(0, "destroy", "-auto-approve", "-parallelism=10", "-no-color")
	if !strings.Contains(out, "100 destroyed") || em.AppCount() != 0 {
		t.Fatalf("destroy: %d apps left:\n%s", em.AppCount(), out)
	}
	sent := em.TotalRequests()
	if refused, tooMany := em.RateLimited(), em.Statuses()[http.StatusTooManyRequests]; refused != 0 || tooMany != 0 {
		t.Errorf("the rate limit refused %d requests (%d answers 429); want none", refused, tooMany)
	}
	if sent < 202 {
		t.Errorf("%d requests sent; want at least 100 creates, 100 deletes and 2 lists", sent)
	}
	t.Logf("%d requests in %s, none refused", sent, time.Since(start).Round(time.Second))
}

// A plan started while another tool has spent the quota (every request of
// the token refused for the next 10 seconds) waits the block out and
// succeeds, with one warning in the log saying how long and why. The block
// costs one refused request: the first, whose 429 holds every other request
// of the process until the block ends, also when each of the 20 apps is read
// with a GET of its own (ten at a time).
func TestRateLimit_planDuringABlockWaitsItOut(t *testing.T) {
	needsCLI(t)
	for _, tc := range []struct {
		name, refreshWithList string
		want                  map[string]int64
	}{
		{"one list", "true", map[string]int64{listApps: 2}},
		{"a GET per app", "false", map[string]int64{getApp: 21}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			em, c := appsUnderRateLimit(t, 20, 10*time.Second, "CLOUDFLARE_CALLS_REFRESH_WITH_LIST="+tc.refreshWithList)

			// The apply's window is the one the other tool exceeds.
			blocked := spendTheQuota(t, em)
			em.ResetCounters()
			log := logPath(t, c)
			c.mustRun(0, "plan", "-detailed-exitcode", "-parallelism=10", "-no-color")
			if waited := time.Since(blocked); waited < 9*time.Second {
				t.Errorf("the plan ended %s after the block began, before the 10 s block could end", waited)
			}
			if err := expectRequests(em, tc.want).err(); err != nil {
				t.Error(err)
			}
			if n := em.RateLimited(); n != 1 {
				t.Errorf("the rate limit refused %d of the plan's requests, want 1 (the first)", n)
			}
			if w := warnings(t, log, blockWarning); len(w) != 1 || !regexp.MustCompile(`wait_seconds=(9|10)\b`).MatchString(w[0]) {
				t.Errorf("want one warning about the block, with wait_seconds=10, got %d:\n%s", len(w), strings.Join(w, "\n"))
			}
		})
	}
}

// appsUnderRateLimit applies n apps through the CLI against an emulator
// allowing 40 requests per window.
func appsUnderRateLimit(t *testing.T, n int, window time.Duration, env ...string) (*emulator.Running, *cli) {
	t.Helper()
	em := rateLimitedEmulator(t, 40, window)
	c := newCLI(t, em, append([]string{"CLOUDFLARE_API_TOKEN=" + testToken}, env...)...)
	c.write("main.tf", appsConfig(n))
	c.mustRun(0, "apply", "-auto-approve", "-parallelism=10", "-no-color")
	return em, c
}

// A block longer than retry_timeout_seconds fails the plan at once, with
// one error that says how long the block lasts and which setting to raise.
func TestRateLimit_blockLongerThanTheBudgetFailsAtOnce(t *testing.T) {
	t.Parallel()
	em, c := appsUnderRateLimit(t, 10, 60*time.Second)

	spendTheQuota(t, em)
	c.write("main.tf", "provider \"cloudflare\" {\n  retry_timeout_seconds = 5\n}\n"+appsConfig(10))
	start := time.Now()
	out := c.mustRun(1, "plan", "-parallelism=10", "-no-color")
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the plan took %s to fail", d)
	}
	flat := strings.Join(strings.Fields(out), " ") // Terraform wraps lines
	if n := strings.Count(out, "Error: "); n != 1 {
		t.Errorf("%d errors, want 1:\n%s", n, out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`HTTP 429`),
		regexp.MustCompile(`for (59s|1m0s) more \(Retry-After\)`),
		regexp.MustCompile(`holds this credential.s requests for another (59s|1m0s)`),
		regexp.MustCompile(`Raise retry_timeout_seconds`),
	} {
		if !want.MatchString(flat) {
			t.Errorf("the error does not say %q:\n%s", want, out)
		}
	}
}

// A create refused with 429 was not carried out, so it waits out the block
// and is sent again: exactly one app, with the secret the API issued. A
// destroy during a block waits likewise.
func TestRateLimit_createRefusedWith429CreatesExactlyOne(t *testing.T) {
	t.Parallel()
	em := rateLimitedEmulator(t, 40, 10*time.Second)
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", appsConfig(1)+"output \"secret0\" {\n  value     = cloudflare_calls_app.bulk[0].secret\n  sensitive = true\n}\n")

	spendTheQuota(t, em)
	em.ResetCounters()
	c.mustRun(0, "apply", "-auto-approve", "-no-color")
	apps := em.Apps(testAccountID)
	if len(apps) != 1 {
		t.Fatalf("%d apps after the apply, want exactly 1", len(apps))
	}
	if posts, refused := requestsTo(em, http.MethodPost, appsRoute), em.RateLimited(); posts != 2 || refused != 1 {
		t.Errorf("%d creates sent and %d refused; want 2 sent (the first refused with 429) and 1 refused", posts, refused)
	}
	state := c.mustRun(0, "state", "show", "-no-color", "cloudflare_calls_app.bulk[0]")
	if !strings.Contains(state, apps[0].UID) {
		t.Errorf("the state does not hold the app the API created:\n%s", state)
	}
	secret := c.mustRun(0, "output", "-raw", "secret0")
	if secret != apps[0].Secret {
		t.Errorf("the state's secret is not the one the API issued")
	}

	spendTheQuota(t, em)
	em.ResetCounters()
	c.mustRun(0, "destroy", "-auto-approve", "-no-color")
	if n := em.AppCount(); n != 0 {
		t.Errorf("%d apps left after a destroy during a block", n)
	}
	if n := em.RateLimited(); n != 1 {
		t.Errorf("%d requests of the destroy refused, want 1", n)
	}
}

// TestRateLimit_blockLongerThanTheBudgetFailsAtOnce over the protocol, in
// the fast tier: a list during a block longer than retry_timeout_seconds
// fails at once, saying how long the block lasts and which setting to raise.
func TestRateLimit_blockLongerThanTheBudgetOverProtocolFailsAtOnce(t *testing.T) {
	t.Parallel()
	em := rateLimitedEmulator(t, 10, 60*time.Second)
	spendTheQuota(t, em)
	p := newProtocolProvider(t, nil)
	p.mustConfigure(em.URL, map[string]tftypes.Value{"retry_timeout_seconds": tftypes.NewValue(tftypes.Number, 5)})
	start := time.Now()
	msg := p.readApps(testAccountID)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the list took %s to fail", d)
	}
	flat := strings.Join(strings.Fields(msg), " ")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`^Unable to list Calls apps`),
		regexp.MustCompile(`HTTP 429`),
		regexp.MustCompile(`for (59s|1m0s) more \(Retry-After\)`),
		regexp.MustCompile(`holds this credential.s requests for another (59s|1m0s)`),
		regexp.MustCompile(regexp.QuoteMeta(fmt.Sprintf("Raise retry_timeout_seconds (at most %d; the default, %d, waits out a full 5-minute block)",
			maxRetryTimeoutSeconds, defaultRetryTimeoutSeconds))),
	} {
		if !want.MatchString(flat) {
			t.Errorf("the error does not say %q:\n%s", want, msg)
		}
	}
}
