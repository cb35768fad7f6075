package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// Some behaviour can only be seen by running the CLI the way a user does,
// with flags terraform-plugin-testing does not pass (-parallelism, TF_LOG):
// these helpers build the provider binary once and run the real CLI with a
// development override, as `make demo` does.

// builtOnce is a provider binary that the test run builds once, into a
// folder shared by every test of the run and removed by TestMain (so not
// t.TempDir).
type builtOnce struct {
	once sync.Once
	dir  string
	err  error
}

// path builds, on its first call, the package pkg (relative to the
// repository's root) as terraform-provider-cloudflare, and returns the
// folder holding it.
func (b *builtOnce) path(t *testing.T, pkg string, ldflags ...string) string {
	t.Helper()
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "tfprovider-bin-") //nolint:usetesting // see builtOnce
		if err != nil {
			b.err = err
			return
		}
		b.dir = dir
		args := append([]string{"build", "-o", filepath.Join(dir, "terraform-provider-cloudflare")}, ldflags...)
		cmd := exec.Command("go", append(args, pkg)...)
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.dir
}

var builtProvider builtOnce

// providerBinaryDir builds the provider once per test run and returns the
// folder holding terraform-provider-cloudflare.
func providerBinaryDir(t *testing.T) string {
	t.Helper()
	return builtProvider.path(t, ".", "-ldflags", "-X main.version=test")
}

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		// A CLI test that forgot needsCLI fails rather than runs (or, with
		// no path at all, downloads a CLI).
		_ = os.Setenv("TF_ACC_TERRAFORM_PATH", "/nonexistent/-short-runs-no-CLI")
	}
	code := m.Run()
	for _, dir := range []string{builtProvider.dir, builtStandIn.dir} {
		if dir != "" {
			_ = os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}

// cli runs the Terraform (or OpenTofu) binary of the acceptance tests in a
// working folder of its own.
type cli struct {
	t   *testing.T
	dir string
	bin string
	env []string
}

func newCLI(t *testing.T, em *emulator.Running, extraEnv ...string) *cli {
	t.Helper()
	needsCLI(t)
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set; run the tests with make test")
	}
	host := os.Getenv("TF_ACC_PROVIDER_HOST")
	if host == "" {
		host = "registry.terraform.io"
	}
	dir := t.TempDir()
	rc := filepath.Join(dir, "dev.tfrc")
	override := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n}\n",
		host+"/calls-terraform/cloudflare", providerBinaryDir(t))
	if err := os.WriteFile(rc, []byte(override), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0",
		"CLOUDFLARE_BASE_URL=" + em.URL, "CLOUDFLARE_API_TOKEN=", "CLOUDFLARE_API_KEY=", "CLOUDFLARE_EMAIL="}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_") || strings.HasPrefix(kv, "CLOUDFLARE_") {
			continue
		}
		env = append(env, kv)
	}
	return &cli{t: t, dir: dir, bin: bin, env: append(env, extraEnv...)}
}

// write puts a configuration file in the working folder, with the
// required_providers block a user would write.
func (c *cli) write(name, body string) {
	c.t.Helper()
	if !strings.Contains(body, "required_providers") && name == "main.tf" {
		body = "terraform {\n  required_providers {\n    cloudflare = {\n      source = \"calls-terraform/cloudflare\"\n    }\n  }\n}\n" + body
	}
	if err := os.WriteFile(filepath.Join(c.dir, name), []byte(body), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// run runs the CLI and returns its combined output and exit code.
func (c *cli) run(args ...string) (string, int) {
	c.t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Dir = c.dir
	cmd.Env = c.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else if err != nil {
		c.t.Fatalf("running %s %v: %v", c.bin, args, err)
	}
	return out.String(), code
}

// mustRun runs the CLI and fails the test unless it exits with want.
func (c *cli) mustRun(want int, args ...string) string {
	c.t.Helper()
	out, code := c.run(args...)
	if code != want {
		c.t.Fatalf("%s %s exited %d, want %d:\n%s", filepath.Base(c.bin), strings.Join(args, " "), code, want, out)
	}
	return out
}

// started is a CLI run in progress, in a process group of its own so that an
// interrupt reaches it (and the provider it started) as a Ctrl-C would.
type started struct {
	cmd  *exec.Cmd
	out  *bytes.Buffer
	done chan struct{}
	code int
}

func (c *cli) start(args ...string) *started {
	c.t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Dir = c.dir
	cmd.Env = c.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s := &started{cmd: cmd, out: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("starting %s %v: %v", c.bin, args, err)
	}
	go func() {
		err := cmd.Wait()
		var exitErr *exec.ExitError
		switch {
		case errors.As(err, &exitErr):
			s.code = exitErr.ExitCode()
		case err != nil:
			s.code = -1
		}
		close(s.done)
	}()
	c.t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-s.done
		}
	})
	return s
}

// interrupt sends SIGINT to the run's whole process group, as Ctrl-C in a
// terminal does.
func (s *started) interrupt() error { return syscall.Kill(-s.cmd.Process.Pid, syscall.SIGINT) }

// wait waits for the run to end, at most d, and returns its output and exit code.
func (s *started) wait(t *testing.T, d time.Duration) (string, int) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(d):
		t.Fatalf("the CLI did not exit within %v; output so far:\n%s", d, s.out.String())
	}
	return s.out.String(), s.code
}

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
