package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// These tests run the real CLI as a user does and interrupt it, and then look
// at what the user is left with: the state, the objects the API holds, and
// every line the CLI printed.

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
