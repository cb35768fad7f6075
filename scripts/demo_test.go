package scripts

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// make demo, run as CI runs it (stdout not a terminal), must read as a
// walkthrough: each step as the command a user types, the override warning
// once, no escape codes, the rename as a diff of the .tf, and a plain summary
// of the requests the emulator saw.
func TestDemo_readsAsAWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo builds the provider and runs the real CLI")
	}
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set; run the tests with make test")
	}
	cmd := exec.Command("bash", "demo.sh")
	cmd.Env = append(os.Environ(), "DEMO_DIR="+t.TempDir())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("make demo failed: %v\n%s", err, out.String())
	}
	text := out.String()
	if n := strings.Count(text, "Provider development overrides are in effect"); n != 1 {
		t.Errorf("the override warning is shown %d times, want once:\n%s", n, text)
	}
	if strings.ContainsRune(text, '\x1b') {
		t.Errorf("escape codes in output that is not a terminal:\n%q", text)
	}
	for _, step := range []string{
		"$ terraform apply -auto-approve\n",
		"$ terraform plan -detailed-exitcode\n",
		"$ diff -u resource.tf.before resource.tf\n",
		"-  name       = \"my-realtime-app\"\n",
		"+  name       = \"renamed-by-demo\"\n",
		"$ terraform state rm cloudflare_calls_app.example\n",
		"$ terraform import cloudflare_calls_app.example 0123456789abcdef0123456789abcdef/",
		"$ terraform destroy -auto-approve\n",
		"API requests, by endpoint:\n",
	} {
		if !strings.Contains(text, step) {
			t.Errorf("the demo does not show %q:\n%s", step, text)
		}
	}
	for _, line := range []string{
		`(?m)^  POST +/accounts/\{account_id\}/calls/apps +1$`,
		`(?m)^  PUT +/accounts/\{account_id\}/calls/apps/\{app_id\} +1$`,
		`(?m)^  DELETE +/accounts/\{account_id\}/calls/apps/\{app_id\} +1$`,
		`(?m)^  total +\d+$`,
	} {
		if !regexp.MustCompile(line).MatchString(text) {
			t.Errorf("the request summary has no line %s:\n%s", line, text)
		}
	}
	if strings.Contains(text, `{"`) {
		t.Errorf("raw JSON in the demo's output:\n%s", text)
	}
}
