package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

// An app made outside Terraform is adopted with an import block and
// `plan -generate-config-out`: the generated configuration names the app and
// its account, the apply imports it without creating anything, and the next
// plan is empty.
func TestImport_blockWithGeneratedConfig(t *testing.T) {
	t.Parallel()
	em := testEmulator(t)
	app, err := testClient(t, em).Create(context.Background(), callsapi.Apps, testAccountID, "made-in-the-dashboard")
	if err != nil {
		t.Fatal(err)
	}
	c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
	c.write("main.tf", fmt.Sprintf(`
import {
  to = cloudflare_calls_app.adopted
  id = "%s/%s"
}
`, testAccountID, app.UID))

	out := c.mustRun(0, "plan", "-generate-config-out=generated.tf", "-no-color")
	if !regexp.MustCompile(`1 to import, 0 to add, 0 to change, 0 to destroy`).MatchString(out) {
		t.Fatalf("the plan does not import exactly one app:\n%s", out)
	}
	generated, err := os.ReadFile(filepath.Join(c.dir, "generated.tf"))
	if err != nil {
		t.Fatalf("no generated configuration: %v\n%s", err, out)
	}
	for _, want := range []string{
		`resource "cloudflare_calls_app" "adopted"`,
		fmt.Sprintf(`account_id = %q`, testAccountID),
		`name       = "made-in-the-dashboard"`,
	} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).Match(generated) {
			t.Errorf("the generated configuration lacks %s:\n%s", want, generated)
		}
	}
	if regexp.MustCompile(`secret|uid|created|modified`).Match(generated) {
		t.Errorf("the generated configuration sets computed attributes:\n%s", generated)
	}

	out = c.mustRun(0, "apply", "-auto-approve", "-no-color")
	if !regexp.MustCompile(`1 imported, 0 added, 0 changed, 0 destroyed`).MatchString(out) {
		t.Fatalf("the apply did not just import:\n%s", out)
	}
	c.mustRun(0, "plan", "-detailed-exitcode", "-no-color")
	if n := em.AppCount(); n != 1 {
		t.Fatalf("%d apps exist, want the one imported", n)
	}
	state := c.mustRun(0, "state", "show", "-no-color", "cloudflare_calls_app.adopted")
	if !regexp.MustCompile(`uid\s+= "` + app.UID + `"`).MatchString(state) {
		t.Fatalf("the imported state is not the app:\n%s", state)
	}
}
