package provider

import (
	"strings"
	"testing"
)

// providerWarnings counts the warnings in a CLI run's output, but the one
// every run with a development override prints.
func providerWarnings(out string) int {
	return strings.Count(out, "Warning: ") - strings.Count(out, "Warning: Provider development overrides are in effect")
}

// replaceWarning is the summary of the warning about a replacement, per kind.
func replaceWarning(k testKind) string {
	return "Replacing this Calls " + k.noun + " gives it a new " + k.secretAttr
}

// A plan that replaces an app or a TURN key because its account_id changes
// warns, once, naming the address, that the new object gets a new secret and
// what still uses the old one must be updated. Creating, renaming and
// destroying get no warning, nor does -replace, which Terraform decides
// without telling the provider (the resource docs say so instead).
func TestReplaceWarning_accountChangeWarnsOfANewSecret(t *testing.T) {
	forEachKind(t, func(t *testing.T, k testKind) {
		t.Parallel()
		em := testEmulator(t)
		c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
		noWarning := func(what, out string) {
			t.Helper()
			if providerWarnings(out) != 0 {
				t.Errorf("%s: a warning, want none:\n%s", what, out)
			}
		}

		c.write("main.tf", k.resourceBlock(testAccountID, "first"))
		noWarning("create", c.mustRun(0, "apply", "-auto-approve", "-no-color"))
		c.write("main.tf", k.resourceBlock(testAccountID, "renamed"))
		noWarning("rename", c.mustRun(2, "plan", "-detailed-exitcode", "-no-color"))
		noWarning("-replace", c.mustRun(0, "plan", "-replace="+k.addr(), "-no-color"))
		noWarning("destroy", c.mustRun(0, "plan", "-destroy", "-no-color"))

		c.write("main.tf", k.resourceBlock(otherTestAccountID, "first"))
		out := c.mustRun(2, "plan", "-detailed-exitcode", "-no-color")
		if n := strings.Count(out, "Warning: "+replaceWarning(k)); n != 1 {
			t.Errorf("the plan warns %d times of the replacement, want once:\n%s", n, out)
		}
		expectSays(t, out, "Warning: "+replaceWarning(k), "with "+k.addr()+",",
			"a new uid and a new "+k.secretAttr, "still uses the old "+k.secretAttr+" stops working")

		out = c.mustRun(0, "apply", "-auto-approve", "-no-color")
		if n := strings.Count(out, "Warning: "+replaceWarning(k)); n != 1 {
			t.Errorf("the apply warns %d times of the replacement, want once:\n%s", n, out)
		}
		noWarning("after the replacement", c.mustRun(0, "plan", "-detailed-exitcode", "-no-color"))
	})
}
