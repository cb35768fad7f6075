package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every example in examples/ is valid configuration for this provider: each
// resource and data-source folder, with the provider example beside it, passes
// `terraform validate` against the built provider.
func TestExamples_validate(t *testing.T) {
	needsCLI(t)
	t.Parallel()
	root := filepath.Join("..", "..", "examples")
	providerTF, err := os.ReadFile(filepath.Join(root, "provider", "provider.tf"))
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := filepath.Glob(filepath.Join(root, "*", "cloudflare_*"))
	if err != nil || len(dirs) < 6 {
		t.Fatalf("found %d example folders (%v), want every resource and data source", len(dirs), err)
	}
	em := testEmulator(t)
	for _, dir := range dirs {
		t.Run(filepath.Base(filepath.Dir(dir))+"/"+filepath.Base(dir), func(t *testing.T) {
			c := newCLI(t, em)
			c.write("provider.tf", string(providerTF))
			files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
			if len(files) == 0 {
				t.Fatalf("%s has no .tf example", dir)
			}
			for _, f := range files {
				body, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				c.write(filepath.Base(f), string(body))
			}
			out := c.mustRun(0, "validate", "-no-color")
			if !strings.Contains(out, "The configuration is valid") {
				t.Fatalf("validate did not say the configuration is valid:\n%s", out)
			}
		})
	}
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("validating examples sent %d requests", n)
	}
}
