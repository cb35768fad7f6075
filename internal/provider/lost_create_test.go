package provider

// A create whose answer never comes, on the real CLI: the user reads the
// error, follows the commands it prints, and is left with one object in
// state and none made twice. The search itself (lost_answer.go) is tested
// over the protocol in lost_answer_test.go.

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// countConfig is an app under count, the address a lost-answer error must
// tell the user how to write.
func countConfig(retryTimeout int) string {
	return fmt.Sprintf(`
provider "cloudflare" {
  retry_timeout_seconds = %d
}

resource "cloudflare_calls_app" "media" {
  count      = 1
  account_id = %q
  name       = "media"
}
`, retryTimeout, testAccountID)
}

// withAddress is the address Terraform names with a diagnostic.
var withAddress = regexp.MustCompile(`with (cloudflare_calls_app\.[^\s,]+),`)

// importLine is the import command of a lost-answer error, as printed.
var importLine = regexp.MustCompile(`terraform import '<address>' [0-9a-f]{32}/(?:[0-9a-f]{32}|<uid>)`)

// followImport runs the import command the error printed, as a user would
// after putting in the address Terraform shows (and the uid, when the error
// could only say <uid>), through a shell so that the quoting is tested too.
func followImport(t *testing.T, c *cli, out, uid string) string {
	t.Helper()
	addr := withAddress.FindStringSubmatch(out)
	line := importLine.FindString(out)
	if addr == nil || line == "" {
		t.Fatalf("the error names no address or import command:\n%s", out)
	}
	command := strings.Replace(strings.Replace(line, "<address>", addr[1], 1), "<uid>", uid, 1)
	command = strings.Replace(command, "terraform", c.bin, 1) + " -no-color"
	cmd := exec.Command("bash", "-c", command)
	cmd.Dir, cmd.Env = c.dir, c.env
	imported, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the printed import command failed (%s): %v\n%s", command, err, imported)
	}
	return addr[1]
}

// A create slower than its time budget: the provider gives up waiting, never
// says a retry is safe, finds the app once the API has made it, and the
// import command it prints, followed as written for a count address, adopts
// it, so that the next apply creates no second app.
func TestLostCreate_slowerThanItsBudget(t *testing.T) {
	t.Parallel()
	em := testEmulator(t)
	// The app appears 2.5 s after the request, after the provider's 1 s
	// budget ran out and its first look found nothing.
	inject(t, em, emulator.Fault{Kind: emulator.FaultDelay, Method: "POST", Route: appsRoute, Count: 1, Delay: 2500 * time.Millisecond})
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", countConfig(1))

	out := applyWithLostAnswer(t, c)
	apps := em.Apps(testAccountID)
	if len(apps) != 1 {
		t.Fatalf("the emulator holds %d apps, want 1", len(apps))
	}
	expectSays(t, out, "may have been created, but its answer was lost", "uid "+apps[0].UID,
		"terraform import '<address>' "+testAccountID+"/"+apps[0].UID, "cloudflare_calls_app.NAME[0] for count", "secret is lost")

	addr := followImport(t, c, out, apps[0].UID)
	if addr != "cloudflare_calls_app.media[0]" {
		t.Errorf("Terraform named %q with the error", addr)
	}
	c.mustRun(0, "apply", "-auto-approve", "-no-color")
	if n := requestsTo(em, "POST", appsRoute); n != 1 || em.AppCount() != 1 {
		t.Fatalf("after following the message: %d creates, %d apps; want 1 and 1", n, em.AppCount())
	}
	c.mustRun(0, "plan", "-detailed-exitcode", "-no-color")
}

// A create whose answer is lost and whose search fails too: the error names
// the account, the name and the command to look for the app later; no
// framework error; nothing is said to be safe.
func TestLostCreate_searchFailsToo(t *testing.T) {
	t.Parallel()
	em := testEmulator(t)
	inject(t, em, emulator.Fault{Kind: emulator.FaultDropAfter, Method: "POST", Route: appsRoute, Count: 1})
	inject(t, em, emulator.Fault{Kind: emulator.FaultSuccessFalse, Method: "GET", Route: appsRoute, Code: 10001})
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", countConfig(5))

	out := applyWithLostAnswer(t, c)
	listCmd := `curl -sS -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" '` + em.URL + "/accounts/" + testAccountID + "/calls/apps'"
	expectSays(t, out, "may have been created, but its answer was lost", "account "+testAccountID, `"media"`,
		"Looking for it in the account failed too", "success: false", listCmd, "terraform import '<address>' "+testAccountID+"/<uid>")
	if n := requestsTo(em, "GET", appsRoute); n < 2 {
		t.Errorf("the provider looked %d times, want a second look after a pause", n)
	}

	// Following the message: the app is found with the printed command's
	// URL, imported with the printed import command, and not made twice.
	em.ClearFaults()
	apps := em.Apps(testAccountID)
	if len(apps) != 1 {
		t.Fatalf("the emulator holds %d apps, want 1", len(apps))
	}
	followImport(t, c, out, apps[0].UID)
	c.mustRun(0, "apply", "-auto-approve", "-no-color")
	if n := requestsTo(em, "POST", appsRoute); n != 1 || em.AppCount() != 1 {
		t.Fatalf("after following the message: %d creates, %d apps; want 1 and 1", n, em.AppCount())
	}
}

// applyWithLostAnswer runs an apply that must fail for a create whose
// outcome is unknown, and checks what every such failure must never say.
func applyWithLostAnswer(t *testing.T, c *cli) string {
	t.Helper()
	out, code := c.run("apply", "-auto-approve", "-no-color")
	if code == 0 {
		t.Fatalf("apply succeeded without the create's answer:\n%s", out)
	}
	expectNoFrameworkError(t, out)
	for _, never := range []string{"safe to", "try again"} {
		if strings.Contains(flatten(out), never) {
			t.Errorf("the error says %q although the create may have been carried out:\n%s", never, out)
		}
	}
	return out
}

// The API process dies with 10 creates in flight: each was carried out and
// none answered, and the search for them cannot reach the API either. Each
// create ends in an error of ours naming its app, the account and how to
// look for it; none is written to state, and nothing is called safe. (One
// more create, answered before, primes the pacer and is in state.)
func TestLostCreate_apiDiesWithCreatesInFlight(t *testing.T) {
	t.Parallel()
	const n = 10
	em := testEmulator(t)
	inject(t, em, primeFault)
	inject(t, em, emulator.Fault{Kind: emulator.FaultHangAfter, Method: "POST", Route: appsRoute})
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	// A budget per call long enough for every create to be in flight at
	// once on a loaded machine, and short enough that the searches for the
	// lost creates give up on the vanished API soon.
	c.write("main.tf", fmt.Sprintf(`
provider "cloudflare" {
  retry_timeout_seconds = 20
}

resource "cloudflare_calls_app" "media" {
  count      = %d
  account_id = %q
  name       = "media-${count.index}"
}
`, n+1, testAccountID))

	run := c.start("apply", "-auto-approve", "-no-color", "-parallelism=20")
	waitForHeldAnswers(t, em, n, run)
	em.Close()
	out, code := run.wait(t, 2*time.Minute)
	if code == 0 {
		t.Fatalf("apply succeeded with the API gone:\n%s", out)
	}
	expectNoFrameworkError(t, out)
	if got := strings.Count(out, "Error: Calls app may have been created, but its answer was lost"); got != n {
		t.Errorf("%d lost-answer errors, want one per create (%d):\n%s", got, n, out)
	}
	// Which create primed the pacer is up to Terraform's walk; it is the
	// one the state holds, and every other is named by an error.
	state := c.shownState()
	if len(state) != 1 {
		t.Fatalf("state holds %d objects, want only the one answered before the API died", len(state))
	}
	wants := []string{"Looking for it in the account failed too", "account " + testAccountID}
	for i := range n + 1 {
		if addr := fmt.Sprintf("cloudflare_calls_app.media[%d]", i); addr != state[0].Address {
			wants = append(wants, fmt.Sprintf(`named "media-%d" created since`, i), "with "+addr+",")
		}
	}
	expectSays(t, out, wants...)
	for _, never := range []string{"safe to", "try again"} {
		if strings.Contains(flatten(out), never) {
			t.Errorf("the output says %q although the creates may have been carried out:\n%s", never, out)
		}
	}
	if em.AppCount() != n+1 {
		t.Errorf("the API carried out %d creates, want %d", em.AppCount(), n+1)
	}
}
