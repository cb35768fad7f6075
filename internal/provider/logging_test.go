package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// What the provider logs: with TF_LOG=trace, no secret of an object and no
// credential of the provider ever reaches the log.

// logCredential is one way to authenticate, as a provider block writes it.
type logCredential struct {
	auth   string // "token" or "key"
	hcl    string // the provider block's credential lines
	secret string // the credential itself, which must never be logged
	masked string // how a credential header echoed back is logged
}

// forEachCredential runs test in one parallel subtest per way to
// authenticate (an API token; an API key with its email), each with its own
// emulator accepting both and a CLI that writes a trace log to logPath.
func forEachCredential(t *testing.T, apiKey string, test func(t *testing.T, em *emulator.Running, c *cli, cred logCredential, logPath string)) {
	credentials := []logCredential{
		{auth: "token", hcl: fmt.Sprintf("api_token = %q", testToken), secret: testToken, masked: "Authorization: Bearer ***"},
		{auth: "key", hcl: fmt.Sprintf("api_key = %q\n  email   = \"ops@example.com\"", apiKey), secret: apiKey, masked: "X-Auth-Key: ***"},
	}
	for _, cred := range credentials {
		t.Run(cred.auth, func(t *testing.T) {
			t.Parallel()
			em := testEmulatorWithKey(t, apiKey)
			logPath := filepath.Join(t.TempDir(), "trace.log")
			c := newCLI(t, em, "TF_LOG=trace", "TF_LOG_PATH="+logPath)
			test(t, em, c, cred, logPath)
		})
	}
}

// checkTraceLog fails the test unless the log at logPath holds every string
// of proof (without which its search proves nothing) and none of the
// secrets, keyed by what they are.
func checkTraceLog(t *testing.T, logPath string, proof []string, secrets map[string]string) {
	t.Helper()
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(raw)
	for _, want := range proof {
		if !strings.Contains(log, want) {
			t.Fatalf("the trace log has no %q, so searching it for secrets proves nothing", want)
		}
	}
	for what, secret := range secrets {
		if i := strings.Index(log, secret); i >= 0 {
			t.Errorf("%s appears in the trace log:\n...%s...", what, log[max(0, i-200):min(len(log), i+len(secret)+50)])
		}
	}
}

// With TF_LOG=trace, the whole log of a create, a refresh, a rename and an
// import (the CLI's lines and the provider's) never contains an app secret, a
// TURN key, the API token or the API key.
func TestLogs_secretsNeverInTraceLogs(t *testing.T) {
	needsCLI(t)
	const apiKey = "legacy-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	forEachCredential(t, apiKey, func(t *testing.T, em *emulator.Running, c *cli, cred logCredential, logPath string) {
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
`, cred.hcl, testAccountID, name, testAccountID, name)
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

		// A real trace of the provider's work: is TF_LOG honoured?
		checkTraceLog(t, logPath, []string{"Cloudflare API request", "POST", "/calls/apps", "PUT", "[TRACE]"}, map[string]string{
			"the app secret": apps[0].Secret,
			"the TURN key":   keys[0].Key,
			"the API token":  testToken,
			"the API key":    apiKey,
		})
	})
}

// echoCredential wraps the emulator so that, while echo is set, the list of
// apps fails with a 502 whose message repeats the request's credential
// headers, as a misconfigured gateway may: the provider logs that message
// (the list falls back to one GET per app), so the credential reaches the
// log unless it is masked.
func echoCredential(em http.Handler, echo *atomic.Bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !echo.Load() || r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/calls/apps") {
			em.ServeHTTP(w, r)
			return
		}
		msg := fmt.Sprintf("upstream refused the request: Authorization: %s; X-Auth-Email: %s; X-Auth-Key: %s",
			r.Header.Get("Authorization"), r.Header.Get("X-Auth-Email"), r.Header.Get("X-Auth-Key"))
		body, _ := json.Marshal(map[string]any{
			"success": false, "errors": []map[string]any{{"code": 10000, "message": msg}}, "messages": []any{}, "result": nil,
		})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write(body)
	})
}

// The credential is masked in every line the provider logs, even when the
// API (or something in front of it) sends it back in an error message that
// the provider logs: with TF_LOG=trace, the log holds the masked message
// and never the token or the API key.
func TestLogs_credentialEchoedByTheAPIIsMasked(t *testing.T) {
	needsCLI(t)
	const apiKey = "legacy-key-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	forEachCredential(t, apiKey, func(t *testing.T, em *emulator.Running, c *cli, cred logCredential, logPath string) {
		var echo atomic.Bool
		front := httptest.NewServer(echoCredential(em, &echo))
		t.Cleanup(front.Close)
		c.write("main.tf", fmt.Sprintf(`
provider "cloudflare" {
  base_url    = %q
  max_retries = 0
  %s
}
resource "cloudflare_calls_app" "a" {
  account_id = %q
  name       = "logged"
}
`, front.URL+emulator.APIPrefix, cred.hcl, testAccountID))
		c.mustRun(0, "apply", "-auto-approve", "-no-color")
		echo.Store(true)
		c.mustRun(0, "plan", "-detailed-exitcode", "-no-color")

		// The echoed message must be in the log, masked.
		checkTraceLog(t, logPath, []string{"Unable to list Calls apps", "upstream refused the request", cred.masked},
			map[string]string{"the " + cred.auth: cred.secret})
	})
}
