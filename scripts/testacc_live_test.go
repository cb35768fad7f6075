// Package scripts holds the shell scripts behind make targets; these tests
// run them with stand-ins for the commands they call.
package scripts

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fakeGo puts a `go` on PATH that appends its arguments and the live-run
// variables to a log, and fails a `go test` of the live tests (not the sweep).
func fakeGo(t *testing.T) (binDir, logPath string) {
	t.Helper()
	binDir = t.TempDir()
	logPath = filepath.Join(binDir, "go.log")
	script := `#!/usr/bin/env bash
echo "args=$* prefix=${CALLS_LIVE_PREFIX:-} sweep=${CALLS_LIVE_SWEEP:-} tf_acc=${TF_ACC:-}" >>"` + logPath + `"
case "$*" in *TestLive_*) exit 1 ;; esac
`
	if err := os.WriteFile(filepath.Join(binDir, "go"), []byte(script), 0o755); err != nil { //nolint:gosec // an executable stand-in
		t.Fatal(err)
	}
	return binDir, logPath
}

// runLive runs testacc-live.sh with only the variables given (and PATH).
func runLive(t *testing.T, binDir string, vars ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("bash", "testacc-live.sh")
	cmd.Env = append([]string{"PATH=" + binDir + ":" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TF_ACC_TERRAFORM_PATH=/bin/true"}, vars...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		return out.String(), exitErr.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), 0
}

const liveAccount = "0123456789abcdef0123456789abcdef"

func TestTestaccLive_refusesWithoutItsVariables(t *testing.T) {
	for _, tc := range []struct {
		name    string
		vars    []string
		missing string
	}{
		{"neither", nil, "CLOUDFLARE_API_TOKEN CLOUDFLARE_ACCOUNT_ID"},
		{"no account", []string{"CLOUDFLARE_API_TOKEN=secret-token"}, "CLOUDFLARE_ACCOUNT_ID"},
		{"no token", []string{"CLOUDFLARE_ACCOUNT_ID=" + liveAccount}, "CLOUDFLARE_API_TOKEN"},
		{"empty token", []string{"CLOUDFLARE_API_TOKEN=", "CLOUDFLARE_ACCOUNT_ID=" + liveAccount}, "CLOUDFLARE_API_TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			binDir, logPath := fakeGo(t)
			out, code := runLive(t, binDir, tc.vars...)
			if code != 2 {
				t.Fatalf("exit %d, want 2:\n%s", code, out)
			}
			if want := "not set: " + tc.missing + ". Nothing was run."; !strings.Contains(out, want) {
				t.Fatalf("the refusal does not say %q:\n%s", want, out)
			}
			if _, err := os.Stat(logPath); err == nil {
				log, _ := os.ReadFile(logPath)
				t.Fatalf("a refused run ran go anyway:\n%s", log)
			}
		})
	}
}

func TestTestaccLive_refusesAMalformedAccount(t *testing.T) {
	binDir, logPath := fakeGo(t)
	out, code := runLive(t, binDir, "CLOUDFLARE_API_TOKEN=secret-token", "CLOUDFLARE_ACCOUNT_ID= "+liveAccount)
	if code != 2 || !strings.Contains(out, `got " `+liveAccount+`"`) {
		t.Fatalf("exit %d, want 2 and the quoted account:\n%s", code, out)
	}
	if _, err := os.Stat(logPath); err == nil {
		t.Fatal("a refused run ran go anyway")
	}
}

var livePrefix = regexp.MustCompile(`^tfacc-live-\d{14}-[0-9a-f]{6}$`)

// A run whose tests fail still sweeps its own prefix, and fails; each run
// has a prefix of its own.
func TestTestaccLive_sweepsAfterFailingTests(t *testing.T) {
	var prefixes []string
	for range 2 {
		binDir, logPath := fakeGo(t)
		out, code := runLive(t, binDir, "CLOUDFLARE_API_TOKEN=secret-token", "CLOUDFLARE_ACCOUNT_ID="+liveAccount,
			"CLOUDFLARE_API_KEY=legacy", "CLOUDFLARE_EMAIL=me@example.com")
		if code != 1 {
			t.Fatalf("exit %d, want 1 (the tests failed):\n%s", code, out)
		}
		data, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatal(err)
		}
		calls := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(calls) != 2 {
			t.Fatalf("want the tests then one sweep, got:\n%s", data)
		}
		test := regexp.MustCompile(`^args=test .*-run \^TestLive_ \./internal/provider/ prefix=(\S+) sweep= tf_acc=1$`).FindStringSubmatch(calls[0])
		sweep := regexp.MustCompile(`^args=test -count=1 -run \^TestLiveSweep\$ \./internal/provider/ prefix=(\S+) sweep=1 `).FindStringSubmatch(calls[1])
		if test == nil || sweep == nil {
			t.Fatalf("unexpected go calls:\n%s", data)
		}
		if test[1] != sweep[1] || !livePrefix.MatchString(test[1]) {
			t.Fatalf("the tests used prefix %q and the sweep %q", test[1], sweep[1])
		}
		prefixes = append(prefixes, test[1])
	}
	if prefixes[0] == prefixes[1] {
		t.Fatalf("two runs shared the prefix %s", prefixes[0])
	}
}
