package provider

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// These tests run the real CLI as a user does and interrupt it, or starve a
// create of its answer, and then look at what the user is left with: the
// state, the objects the API holds, and every line the CLI printed.

// frameworkErrors are texts the plugin framework prints when a provider
// breaks its contract; a user must never see them from a create.
var frameworkErrors = []string{"Missing Resource State After Create", "This is always an issue in the Terraform Provider",
	"Provider produced inconsistent result", "does not include support"}

func expectNoFrameworkError(t *testing.T, out string) {
	t.Helper()
	for _, text := range frameworkErrors {
		if strings.Contains(out, text) {
			t.Errorf("the output carries the framework's %q:\n%s", text, out)
		}
	}
}

// stateObject is one resource instance of `terraform show -json`.
type stateObject struct {
	Address string         `json:"address"`
	Type    string         `json:"type"`
	Values  map[string]any `json:"values"`
}

// shownState reads the state as `terraform show -json` prints it.
func (c *cli) shownState() []stateObject {
	c.t.Helper()
	out := c.mustRun(0, "show", "-json")
	var shown struct {
		Values struct {
			RootModule struct {
				Resources []stateObject `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		c.t.Fatalf("terraform show -json: %v\n%s", err, out)
	}
	return shown.Values.RootModule.Resources
}

// primeFault answers the first create at once (before the faults injected
// after it), so that the provider's pacer has heard the API's rate-limit
// count and lets the other creates go together.
var primeFault = emulator.Fault{Kind: emulator.FaultDelayAnswer, Method: "POST", Count: 1, Delay: time.Millisecond}

// waitForHeldAnswers waits until n creates are in flight behind the one
// primeFault answers: the emulator has seen n+1 creates and holds n answers
// back. Counting the held answers alone is not enough: the prime's own
// answer is held for a moment too, and an interrupt then would land before
// the others were sent.
func waitForHeldAnswers(t *testing.T, em *emulator.Running, n int, run *started) {
	t.Helper()
	inFlight := func() bool {
		return requestsTo(em, "POST", appsRoute)+requestsTo(em, "POST", turnKeysRoute) >= int64(n+1) && em.HeldAnswers() >= n
	}
	for deadline := time.Now().Add(60 * time.Second); !inFlight(); time.Sleep(20 * time.Millisecond) {
		select {
		case <-run.done:
			t.Fatalf("the CLI exited before %d requests were in flight (%d held, %d creates of apps and %d of TURN keys seen):\n%s",
				n, em.HeldAnswers(), requestsTo(em, "POST", appsRoute), requestsTo(em, "POST", turnKeysRoute), run.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d requests in flight after a minute (%d creates of apps and %d of TURN keys seen)",
				em.HeldAnswers(), n, requestsTo(em, "POST", appsRoute), requestsTo(em, "POST", turnKeysRoute))
		}
	}
}

// Ctrl-C while creates are in flight: Terraform asks the provider to stop
// and waits; every create already sent is seen through and lands in state
// with its secret, exactly one object each, and the next plan is empty.
func TestInterruptedApply_keepsEveryCreateInFlight(t *testing.T) {
	needsCLI(t)
	for _, tc := range []struct {
		name       string
		apps, keys int
	}{
		{"one app and one TURN key", 1, 1},
		{"20 creates", 10, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			em := testEmulator(t)
			// The API carries each create out at once but holds its answer,
			// so that the interrupt lands while they are in flight. The
			// first is answered at once: until an answer tells it the
			// rate limit's count, the pacer sends one request at a time.
			inject(t, em, primeFault)
			// Long enough for 20 creates to get in flight on a machine
			// loaded by the rest of the suite.
			inject(t, em, emulator.Fault{Kind: emulator.FaultDelayAnswer, Method: "POST", Route: appsRoute, Delay: 20 * time.Second})
			inject(t, em, emulator.Fault{Kind: emulator.FaultDelayAnswer, Method: "POST", Route: turnKeysRoute, Delay: 20 * time.Second})
			c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
			c.write("main.tf", fmt.Sprintf(`
resource "cloudflare_calls_app" "media" {
  count      = %d
  account_id = %q
  name       = "media-${count.index}"
}

resource "cloudflare_calls_turn_key" "relay" {
  count      = %d
  account_id = %q
  name       = "relay-${count.index}"
}
`, tc.apps, testAccountID, tc.keys, testAccountID))

			run := c.start("apply", "-auto-approve", "-no-color", "-parallelism=20")
			waitForHeldAnswers(t, em, tc.apps+tc.keys-1, run)
			if err := run.interrupt(); err != nil {
				t.Fatal(err)
			}
			out, _ := run.wait(t, 60*time.Second)
			expectNoFrameworkError(t, out)
			if !strings.Contains(out, "Interrupt received") {
				t.Errorf("the CLI did not see the interrupt:\n%s", out)
			}

			secrets := map[string]string{} // uid -> the secret or key the API holds
			for _, a := range em.Apps(testAccountID) {
				secrets[a.UID] = a.Secret
			}
			for _, k := range em.TURNKeys(testAccountID) {
				secrets[k.UID] = k.Key
			}
			if em.AppCount() != tc.apps || em.TURNKeyCount() != tc.keys {
				t.Fatalf("the emulator holds %d apps and %d TURN keys, want exactly %d and %d", em.AppCount(), em.TURNKeyCount(), tc.apps, tc.keys)
			}
			state := c.shownState()
			if len(state) != tc.apps+tc.keys {
				t.Fatalf("state holds %d objects, want %d (every create in flight); output:\n%s", len(state), tc.apps+tc.keys, out)
			}
			for _, o := range state {
				uid, _ := o.Values["uid"].(string)
				attr := "secret"
				if o.Type == "cloudflare_calls_turn_key" {
					attr = "key"
				}
				got, _ := o.Values[attr].(string)
				if want, ok := secrets[uid]; !ok || got == "" || got != want {
					t.Errorf("%s: uid %q with %s %q in state; the API holds %q", o.Address, uid, attr, got, want)
				}
			}
			// The same configuration, applied again, has nothing to do.
			em.ClearFaults()
			c.mustRun(0, "plan", "-detailed-exitcode", "-no-color")
		})
	}
}

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

// expectSays checks that the CLI's output says each of wants, however the
// CLI wrapped it.
func expectSays(t *testing.T, out string, wants ...string) {
	t.Helper()
	flat := flatten(out)
	for _, want := range wants {
		if !strings.Contains(flat, want) {
			t.Errorf("the output does not say %q:\n%s", want, out)
		}
	}
}

// flatten undoes the CLI's wrapping of diagnostics: the box-drawing margin
// and line breaks become single spaces.
func flatten(out string) string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "│"))
	}
	return strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
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
