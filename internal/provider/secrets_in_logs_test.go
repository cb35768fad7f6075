package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With TF_LOG=trace, the whole log of a create, a refresh, a rename and an
// import (the CLI's lines and the provider's) never contains an app secret, a
// TURN key, the API token or the API key.
func TestSecrets_neverInTraceLogs(t *testing.T) {
	const apiKey = "legacy-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	for _, auth := range []string{"token", "key"} {
		t.Run(auth, func(t *testing.T) {
			t.Parallel()
			em := testEmulatorWithKey(t, apiKey)
			logPath := filepath.Join(t.TempDir(), "trace.log")
			c := newCLI(t, em, "TF_LOG=trace", "TF_LOG_PATH="+logPath)

			credentials := fmt.Sprintf("api_token = %q", testToken)
			if auth == "key" {
				credentials = fmt.Sprintf("api_key = %q\n  email = \"ops@example.com\"", apiKey)
			}
			config := func(name string) string {
				return fmt.Sprintf(`
provider "cloudflare" {
  %s
}
resource "cloudflare_calls_app" "a" {
  account_id = %q
  name       = %q
}
resource "cloudflare_calls_turn_key" "k" {
  account_id = %q
  name       = %q
}
output "secret_length" {
  value = length(nonsensitive(cloudflare_calls_app.a.secret))
}
`, credentials, testAccountID, name, testAccountID, name)
			}
			c.write("main.tf", config("before"))
			c.mustRun(0, "apply", "-auto-approve", "-no-color")
			if out := c.mustRun(0, "output", "-raw", "secret_length"); out != "64" {
				t.Fatalf("the secret in state has length %q, want 64", out)
			}
			c.mustRun(0, "plan", "-detailed-exitcode", "-no-color")
			c.write("main.tf", config("after"))
			c.mustRun(0, "apply", "-auto-approve", "-no-color")
			apps, keys := em.Apps(testAccountID), em.TURNKeys(testAccountID)
			if len(apps) != 1 || len(keys) != 1 {
				t.Fatalf("%d apps and %d keys, want 1 and 1", len(apps), len(keys))
			}
			c.mustRun(0, "state", "rm", "cloudflare_calls_turn_key.k")
			c.mustRun(0, "import", "-no-color", "cloudflare_calls_turn_key.k", testAccountID+"/"+keys[0].UID)
			c.mustRun(0, "plan", "-detailed-exitcode", "-no-color")

			raw, err := os.ReadFile(logPath)
			if err != nil {
				t.Fatal(err)
			}
			log := string(raw)
			// The log must be a real trace of the provider's work, or the
			// search below proves nothing.
			for _, want := range []string{"Cloudflare API request", "POST", "/calls/apps", "PUT", "[TRACE]"} {
				if !strings.Contains(log, want) {
					t.Fatalf("the trace log has no %q; is TF_LOG honoured?", want)
				}
			}
			secrets := map[string]string{
				"the app secret": apps[0].Secret,
				"the TURN key":   keys[0].Key,
				"the API token":  testToken,
				"the API key":    apiKey,
			}
			for what, secret := range secrets {
				if i := strings.Index(log, secret); i >= 0 {
					start := max(0, i-200)
					t.Errorf("%s appears in the trace log:\n...%s...", what, log[start:min(len(log), i+len(secret)+50)])
				}
			}
		})
	}
}
