package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A small module in a git repository of its own, mutated for real: each
// verdict is given where it is due, the work tree is left as it was, and the
// figure is printed.
func TestRun_verdicts(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	repo := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.22\n",
		"m/m.go": "package m\n\n// Double doubles.\nfunc Double(x int) int { return x * 2 }\n\n// Name is unguarded.\nfunc Name() string { return \"m\" }\n",
		"m/m_test.go": "package m\n\nimport \"testing\"\n\nfunc TestDouble(t *testing.T) {\n\tif Double(3) != 6 {\n\t\tt.Fatal(Double(3))\n\t}\n}\n\n" +
			"func TestName(t *testing.T) { _ = Name() }\n",
		"mutants.txt": `name: double-adds
promise: doubling
file: m/m.go
find: return x * 2
replace: return x + 2
test: ./m/ ^TestDouble$

name: name-changed
promise: nothing guards it
file: m/m.go
find: return "m"
replace: return "n"
test: ./m/ ^TestName$

name: gone
promise: stale
file: m/m.go
find: return x * 3
replace: return x
test: ./m/ ^TestDouble$

name: test-renamed
promise: stale pattern
file: m/m.go
find: return x * 2
replace: return x * 4
test: ./m/ ^(TestDouble|TestTriple)$

name: does-not-compile
promise: broken
file: m/m.go
find: return x * 2
replace: return "x"
test: ./m/ ^TestDouble$
`,
	}
	for name, body := range files {
		if err := writeFile(filepath.Join(repo, filepath.FromSlash(name)), strings.NewReader(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "m")
	t.Chdir(repo)

	var out bytes.Buffer
	t.Setenv("TF_ACC_TERRAFORM_PATH", "unused")
	// The copies go into a folder of this test's own, so that another run
	// (of this test elsewhere, or of make mutants) cannot be taken for a
	// copy this one left behind.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	code, err := run(context.Background(), options{list: "mutants.txt", rev: "HEAD", timeout: 2 * time.Minute}, &out)
	if err != nil || code != 1 {
		t.Fatalf("code %d, error %v, want 1 (not every mutant killed):\n%s", code, err, out.String())
	}
	report := out.String()
	for _, want := range []string{
		"5 mutants from mutants.txt, on a copy of HEAD",
		"killed    double-adds",
		"caught by TestDouble",
		"SURVIVED  name-changed",
		"STALE     gone",
		`its snippet "return x * 3" is no longer in m/m.go`,
		"STALE     test-renamed",
		`its test pattern "^TestTriple$" names no test of the package`,
		"BROKEN    does-not-compile",
		"5 mutants: 1 killed, 1 survived, 2 stale, 1 broken",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report does not say %q:\n%s", want, report)
		}
	}
	if got, err := os.ReadFile(filepath.Join(repo, "m", "m.go")); err != nil || string(got) != files["m/m.go"] {
		t.Errorf("the work tree's m/m.go was changed: %q, %v", got, err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "mutants-*")); len(left) > 0 {
		t.Errorf("the copies %v were not removed", left)
	}
}
