package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The guide "Keeping the secret safe" (templates/guides/) shows the examples
// in examples/guides/keeping-the-secret-safe/; these tests run each one.

const guideExamples = "../../examples/guides/keeping-the-secret-safe"

func guideExample(t *testing.T, name string) string {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(guideExamples, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// devOverrides replaces the CLI's development overrides with these, by
// provider source address without a host: each CLI gives it its own
// default host.
func (c *cli) devOverrides(dirs map[string]string) {
	c.t.Helper()
	var rc strings.Builder
	rc.WriteString("provider_installation {\n  dev_overrides {\n")
	for source, dir := range dirs {
		fmt.Fprintf(&rc, "    %q = %q\n", source, dir)
	}
	rc.WriteString("  }\n}\n")
	if err := os.WriteFile(filepath.Join(c.dir, "dev.tfrc"), []byte(rc.String()), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

var builtStandIn builtOnce

// officialStandInDir builds testdata/officialstandin once per test run and
// returns the folder holding it.
func officialStandInDir(t *testing.T) string {
	t.Helper()
	return builtStandIn.path(t, "./internal/provider/testdata/officialstandin")
}

// Every example of the guide that Terraform runs passes validate: the
// sensitive output, the remote state backend, and the handing of the secret
// to a Worker beside the official provider (served by a stand-in that knows
// the one resource the example uses).
func TestSecretSafetyGuide_examplesValidate(t *testing.T) {
	t.Parallel()
	em := testEmulator(t)
	for _, example := range []string{"sensitive-output.tf", "remote-state.tf", "workers-secret.tf"} {
		t.Run(example, func(t *testing.T) {
			c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
			overrides := map[string]string{"calls-terraform/cloudflare": providerBinaryDir(t)}
			if example == "workers-secret.tf" {
				overrides["cloudflare/cloudflare"] = officialStandInDir(t)
			}
			c.devOverrides(overrides)
			name := "main.tf"
			if example == "remote-state.tf" {
				c.write("main.tf", guideExample(t, "sensitive-output.tf"))
				name = "backend.tf"
			}
			c.write(name, guideExample(t, example))
			out := c.mustRun(0, "validate", "-no-color")
			if !strings.Contains(out, "The configuration is valid") {
				t.Fatalf("validate did not say the configuration is valid:\n%s", out)
			}
		})
	}
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("validating the guide's examples sent %d requests", n)
	}
}

// The guide's sensitive output, applied: the apply never prints the secret,
// and `output -raw` hands over the one the API issued.
func TestSecretSafetyGuide_sensitiveOutputHandsTheSecretOver(t *testing.T) {
	t.Parallel()
	em := testEmulator(t)
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", guideExample(t, "sensitive-output.tf"))
	out := c.mustRun(0, "apply", "-auto-approve", "-no-color")
	apps := em.Apps(testAccountID)
	if len(apps) != 1 {
		t.Fatalf("%d apps after the apply, want 1", len(apps))
	}
	if strings.Contains(out, apps[0].Secret) || !strings.Contains(out, "calls_app_secret = <sensitive>") {
		t.Errorf("the apply does not show the output as sensitive, or prints the secret:\n%s", out)
	}
	if secret := c.mustRun(0, "output", "-raw", "calls_app_secret"); secret != apps[0].Secret {
		t.Error("terraform output -raw does not hand over the secret the API issued")
	}
}

// tofuForEncryption makes c run the OpenTofu of the state encryption test:
// the CLI under test when it is OpenTofu, otherwise TF_ACC_TOFU_PATH, which
// the GNUmakefile sets to the OpenTofu 1.12.6 it builds.
func tofuForEncryption(t *testing.T, c *cli) {
	t.Helper()
	if r := c.release(); r.name == "OpenTofu" {
		return
	}
	tofu := os.Getenv("TF_ACC_TOFU_PATH")
	if tofu == "" {
		t.Skip("state encryption is OpenTofu's: set TF_ACC_TOFU_PATH to an OpenTofu 1.8 or later (make test-unit does)")
	}
	if _, err := os.Stat(tofu); err != nil {
		t.Fatalf("TF_ACC_TOFU_PATH: %v", err)
	}
	c.bin = tofu
}

// The guide's OpenTofu state encryption, applied as written: create, rename
// and plan with encryption on. The state file never holds the secret (or
// anything else) in plain text, the next plan is empty, the secret still
// reads back as the one the API issued, and a wrong passphrase reads
// nothing.
func TestSecretSafetyGuide_openTofuStateEncryption(t *testing.T) {
	t.Parallel()
	em := testEmulator(t)
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken, "TF_VAR_state_passphrase=correct-horse-battery-staple")
	tofuForEncryption(t, c)
	c.devOverrides(map[string]string{"calls-terraform/cloudflare": providerBinaryDir(t)})
	config := guideExample(t, "sensitive-output.tf")
	c.write("encryption.tf", guideExample(t, "opentofu-encryption.tf"))
	c.write("main.tf", config)

	expectEncrypted := func(step, secret string) {
		t.Helper()
		raw := c.readFile("terraform.tfstate")
		var state map[string]any
		if err := json.Unmarshal(raw, &state); err != nil {
			t.Fatalf("%s: the state file is not JSON: %v", step, err)
		}
		if _, ok := state["encrypted_data"]; !ok {
			t.Errorf("%s: the state file has no encrypted_data:\n%s", step, raw)
		}
		for _, plain := range []string{secret, "cloudflare_calls_app", `"secret"`} {
			if strings.Contains(string(raw), plain) {
				t.Errorf("%s: the state file holds %q in plain text", step, plain)
			}
		}
	}

	c.mustRun(0, "apply", "-auto-approve", "-no-color")
	apps := em.Apps(testAccountID)
	if len(apps) != 1 {
		t.Fatalf("%d apps after the apply, want 1", len(apps))
	}
	expectEncrypted("after the create", apps[0].Secret)

	c.write("main.tf", strings.Replace(config, `name       = "media"`, `name       = "media-renamed"`, 1))
	c.mustRun(0, "apply", "-auto-approve", "-no-color")
	if renamed := em.Apps(testAccountID); len(renamed) != 1 || renamed[0].Name != "media-renamed" || renamed[0].UID != apps[0].UID {
		t.Fatalf("after the rename the emulator holds %+v", renamed)
	}
	expectEncrypted("after the rename", apps[0].Secret)

	c.mustRun(0, "plan", "-detailed-exitcode", "-no-color")
	if secret := c.mustRun(0, "output", "-raw", "calls_app_secret"); secret != apps[0].Secret {
		t.Error("the secret read back from the encrypted state is not the one the API issued")
	}

	wrong := *c
	wrong.env = append(append([]string{}, c.env...), "TF_VAR_state_passphrase=not-the-passphrase-at-all")
	out := wrong.mustRun(1, "plan", "-no-color")
	if strings.Contains(out, apps[0].Secret) {
		t.Error("a plan with the wrong passphrase printed the secret")
	}
}
