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
	const apiKey = "legacy-key-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	for _, auth := range []string{"token", "key"} {
		t.Run(auth, func(t *testing.T) {
			t.Parallel()
			em := testEmulatorWithKey(t, apiKey)
			var echo atomic.Bool
			front := httptest.NewServer(echoCredential(em, &echo))
			t.Cleanup(front.Close)

			logPath := filepath.Join(t.TempDir(), "trace.log")
			c := newCLI(t, em, "TF_LOG=trace", "TF_LOG_PATH="+logPath)
			credential, secret, masked := fmt.Sprintf("api_token = %q", testToken), testToken, "Authorization: Bearer ***"
			if auth == "key" {
				credential, secret, masked = fmt.Sprintf("api_key = %q\n  email   = \"ops@example.com\"", apiKey), apiKey, "X-Auth-Key: ***"
			}
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
`, front.URL+emulator.APIPrefix, credential, testAccountID))
			c.mustRun(0, "apply", "-auto-approve", "-no-color")
			echo.Store(true)
			c.mustRun(0, "plan", "-detailed-exitcode", "-no-color")

			raw, err := os.ReadFile(logPath)
			if err != nil {
				t.Fatal(err)
			}
			log := string(raw)
			// The echoed message must be in the log, masked, or the search
			// below proves nothing.
			for _, want := range []string{"Unable to list Calls apps", "upstream refused the request", masked} {
				if !strings.Contains(log, want) {
					t.Fatalf("the trace log has no %q: the echoed credential was not logged", want)
				}
			}
			if i := strings.Index(log, secret); i >= 0 {
				t.Errorf("the %s appears in the trace log:\n...%s...", auth, log[max(0, i-300):min(len(log), i+len(secret)+50)])
			}
		})
	}
}
