package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// These tests move the official provider's state (the fixture written by its
// v5.22) into this provider with `moved` blocks, on the CLI the suite runs
// (make test runs it on Terraform 1.5.7 and OpenTofu 1.10 and 1.12). A CLI
// that can move across providers must move both objects with their secrets;
// an older one must refuse the move and leave the state as it was, as the
// migration guide says.

// cliRelease is the name and version of the CLI under test.
type cliRelease struct {
	name    string // "Terraform" or "OpenTofu"
	version [3]int
}

func (r cliRelease) atLeast(major, minor, patch int) bool {
	want := [3]int{major, minor, patch}
	for i := range want {
		if r.version[i] != want[i] {
			return r.version[i] > want[i]
		}
	}
	return true
}

// movesAcrossProviders reports whether the CLI moves a resource into one of
// another provider and type: Terraform from 1.8, OpenTofu from 1.10.
func (r cliRelease) movesAcrossProviders() bool {
	if r.name == "OpenTofu" {
		return r.atLeast(1, 10, 0)
	}
	return r.atLeast(1, 8, 0)
}

var cliVersionLine = regexp.MustCompile(`^(Terraform|OpenTofu) v(\d+)\.(\d+)\.(\d+)`)

func (c *cli) release() cliRelease {
	c.t.Helper()
	out := c.mustRun(0, "version")
	m := cliVersionLine.FindStringSubmatch(out)
	if m == nil {
		c.t.Fatalf("cannot tell the CLI's version from %q", out)
	}
	r := cliRelease{name: m[1]}
	for i := range r.version {
		r.version[i], _ = strconv.Atoi(m[i+2])
	}
	return r
}

// standInForOfficialProvider adds a development override for the official
// provider: the CLI wants a binary for every provider the state names, and
// our own serves. It is never asked to do anything with the moved objects.
func (c *cli) standInForOfficialProvider() {
	c.t.Helper()
	host := os.Getenv("TF_ACC_PROVIDER_HOST")
	if host == "" {
		host = "registry.terraform.io"
	}
	bin := providerBinaryDir(c.t)
	overrides := map[string]string{
		host + "/calls-terraform/cloudflare": bin,
		host + "/cloudflare/cloudflare":      bin,
		// The fixture was written by Terraform: its state names this host.
		officialProviderAddress: bin,
	}
	var rc strings.Builder
	rc.WriteString("provider_installation {\n  dev_overrides {\n")
	for addr, dir := range overrides {
		fmt.Fprintf(&rc, "    %q = %q\n", addr, dir)
	}
	rc.WriteString("  }\n}\n")
	if err := os.WriteFile(filepath.Join(c.dir, "dev.tfrc"), []byte(rc.String()), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

func (c *cli) readFile(name string) []byte {
	c.t.Helper()
	data, err := os.ReadFile(filepath.Join(c.dir, name))
	if err != nil {
		c.t.Fatal(err)
	}
	return data
}

// stateObjects returns each resource of the state file by "<type>.<name>",
// with its provider and the attributes of its one instance.
func stateObjects(t *testing.T, data []byte) map[string]struct {
	Provider   string
	Attributes map[string]any
} {
	t.Helper()
	var state struct {
		Resources []struct {
			Type, Name, Provider string
			Instances            []struct {
				Attributes map[string]any `json:"attributes"`
			}
		}
	}
	if err := json.Unmarshal(data, &state); err != nil {
		t.Fatal(err)
	}
	out := map[string]struct {
		Provider   string
		Attributes map[string]any
	}{}
	for _, r := range state.Resources {
		if len(r.Instances) != 1 {
			t.Fatalf("%s.%s has %d instances", r.Type, r.Name, len(r.Instances))
		}
		out[r.Type+"."+r.Name] = struct {
			Provider   string
			Attributes map[string]any
		}{r.Provider, r.Instances[0].Attributes}
	}
	return out
}

const moveConfig = `
terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare/cloudflare"
    }
    calls = {
      source = "calls-terraform/cloudflare"
    }
  }
}

provider "calls" {}

resource "%[1]s" "a" {
  provider   = calls
  account_id = "0123456789abcdef0123456789abcdef"
  name       = "production-realtime-app"
}

moved {
  from = cloudflare_calls_sfu_app.a
  to   = %[1]s.a
}

resource "cloudflare_calls_turn_key" "k" {
  provider   = calls
  account_id = "0123456789abcdef0123456789abcdef"
  name       = "production-turn-key"
}

moved {
  from = cloudflare_calls_turn_app.k
  to   = cloudflare_calls_turn_key.k
}
`

// The fixture's state names the official provider at the host Terraform
// uses; OpenTofu users may have either host in state (theirs when OpenTofu
// wrote it), so on OpenTofu both are moved.
func TestMovedBlock_fromOfficialProviderKeepsSecrets(t *testing.T) {
	needsCLI(t)
	hosts := []string{"registry.terraform.io"}
	if host := os.Getenv("TF_ACC_PROVIDER_HOST"); host != "" && host != hosts[0] {
		hosts = append(hosts, host)
	}
	for _, host := range hosts {
		t.Run("state from "+host, func(t *testing.T) { testCLIMoveFromOfficial(t, host) })
	}
}

func testCLIMoveFromOfficial(t *testing.T, stateHost string) {
	fixture := loadOfficialFixture(t)
	fixtureState, err := os.ReadFile(filepath.Join("testdata", "official-provider-v5.22.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	fixtureState = bytes.ReplaceAll(fixtureState, []byte(`provider[\"registry.terraform.io/`), []byte(`provider[\"`+stateHost+`/`))
	if !bytes.Contains(fixtureState, []byte(`provider[\"`+stateHost+`/cloudflare/cloudflare\"]`)) {
		t.Fatalf("the state does not name the official provider at %s", stateHost)
	}
	em := seedEmulatorWithFixture(t, fixture)
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.standInForOfficialProvider()
	c.write("terraform.tfstate", string(fixtureState))
	c.write("main.tf", fmt.Sprintf(moveConfig, "cloudflare_calls_app"))
	release := c.release()
	em.ResetCounters()

	if !release.movesAcrossProviders() {
		// The guide sends these users to state rm + import; check that the
		// CLI indeed refuses, and that nothing changed.
		out := c.mustRun(1, "plan", "-no-color")
		if !strings.Contains(out, "Resource type mismatch") {
			t.Fatalf("%s %v: want the CLI to refuse the move as a type mismatch, got:\n%s", release.name, release.version, out)
		}
		if got := c.readFile("terraform.tfstate"); string(got) != string(fixtureState) {
			t.Fatalf("a refused move changed the state:\n%s", got)
		}
		return
	}

	out := c.mustRun(0, "plan", "-no-color", "-out=move.tfplan")
	for _, moved := range []string{
		"cloudflare_calls_sfu_app.a has moved to cloudflare_calls_app.a",
		"cloudflare_calls_turn_app.k has moved to cloudflare_calls_turn_key.k",
	} {
		if !strings.Contains(out, moved) {
			t.Errorf("the plan does not say %q:\n%s", moved, out)
		}
	}
	for _, action := range []string{"will be created", "must be replaced", "will be destroyed", "will be updated"} {
		if strings.Contains(out, action) {
			t.Errorf("the plan has an object that %s:\n%s", action, out)
		}
	}
	var plan struct {
		ResourceChanges []struct {
			Address         string `json:"address"`
			PreviousAddress string `json:"previous_address"`
			Change          struct {
				Actions []string `json:"actions"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(c.mustRun(0, "show", "-json", "move.tfplan")), &plan); err != nil {
		t.Fatal(err)
	}
	moves := map[string]string{}
	for _, rc := range plan.ResourceChanges {
		if strings.Join(rc.Change.Actions, ",") != "no-op" {
			t.Errorf("%s: actions %v, want only the move", rc.Address, rc.Change.Actions)
		}
		moves[rc.PreviousAddress] = rc.Address
	}
	if err := equalMaps(moves, map[string]string{
		"cloudflare_calls_sfu_app.a":  "cloudflare_calls_app.a",
		"cloudflare_calls_turn_app.k": "cloudflare_calls_turn_key.k",
	}); err != nil {
		t.Fatalf("planned moves: %v", err)
	}

	c.mustRun(0, "apply", "-no-color", "move.tfplan")
	after := stateObjects(t, c.readFile("terraform.tfstate"))
	app, key := fixture[appKind.officialTypeName].attrs(t), fixture[turnKeyKind.officialTypeName].attrs(t)
	for addr, want := range map[string]map[string]any{
		"cloudflare_calls_app.a":      {"uid": app["uid"], "secret": app["secret"], "name": app["name"]},
		"cloudflare_calls_turn_key.k": {"uid": key["uid"], "key": key["key"], "name": key["name"]},
	} {
		got, ok := after[addr]
		if !ok {
			t.Fatalf("%s is not in state after the apply: %v", addr, after)
		}
		if !strings.HasSuffix(got.Provider, `/calls-terraform/cloudflare"]`) {
			t.Errorf("%s belongs to %s after the move", addr, got.Provider)
		}
		for attr, v := range want {
			if got.Attributes[attr] != v {
				t.Errorf("%s.%s = %v after the move, want the fixture's %v", addr, attr, got.Attributes[attr], v)
			}
		}
	}
	if len(after) != 2 {
		t.Errorf("the state holds %d resources after the move, want 2: %v", len(after), after)
	}
	c.mustRun(0, "plan", "-no-color", "-detailed-exitcode")
	for route, n := range em.Counters() {
		if !strings.HasPrefix(route, "GET ") && n > 0 {
			t.Errorf("the move sent %d %s; it should only read", n, route)
		}
	}
	if apps, keys := len(em.Apps(testAccountID)), len(em.TURNKeys(testAccountID)); apps != 1 || keys != 1 {
		t.Errorf("the account holds %d apps and %d TURN keys after the move, want 1 and 1", apps, keys)
	}
}

// A moved block into the wrong kind is refused with our message, which names
// the right target, on every CLI that moves.
func TestMovedBlock_wrongKindNamesTheRightTarget(t *testing.T) {
	fixture := loadOfficialFixture(t)
	fixtureState, err := os.ReadFile(filepath.Join("testdata", "official-provider-v5.22.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	em := seedEmulatorWithFixture(t, fixture)
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	if !c.release().movesAcrossProviders() {
		t.Skip("this CLI cannot move across providers; TestMovedBlock_fromOfficialProviderKeepsSecrets checks it refuses")
	}
	c.standInForOfficialProvider()
	c.write("terraform.tfstate", string(fixtureState))
	// The app's block moved into a TURN key.
	c.write("main.tf", strings.Replace(fmt.Sprintf(moveConfig, "cloudflare_calls_turn_key"),
		`resource "cloudflare_calls_turn_key" "k"`, `resource "cloudflare_calls_app" "k"`, 1))
	c.write("main.tf", strings.Replace(string(c.readFile("main.tf")), "to   = cloudflare_calls_turn_key.k", "to   = cloudflare_calls_app.k", 1))
	out := c.mustRun(1, "plan", "-no-color")
	for _, want := range []string{
		"Unable to move cloudflare_calls_sfu_app into cloudflare_calls_turn_key",
		"Move it into cloudflare_calls_app instead",
		"Unable to move cloudflare_calls_turn_app into cloudflare_calls_app",
		"Move it into cloudflare_calls_turn_key instead",
	} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "does not include support") {
		t.Errorf("the framework's generic error reached the user:\n%s", out)
	}
	if got := c.readFile("terraform.tfstate"); string(got) != string(fixtureState) {
		t.Fatalf("a refused move changed the state:\n%s", got)
	}
}
