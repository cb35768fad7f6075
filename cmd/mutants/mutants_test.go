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

func TestParseList(t *testing.T) {
	list := `# a comment
name:    one
promise: a promise
file:    a/b.go
find:    \treturn x\n
replace:
test:    ./a/ ^TestA$

name: two
promise: another
file: a/b.go
find: x := 1
replace: x := 2 // a \\n stays
test: ./a/ TestB|TestC
`
	ms, err := parseList(strings.NewReader(list))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 {
		t.Fatalf("%d mutants, want 2", len(ms))
	}
	one, two := ms[0], ms[1]
	if one.Name != "one" || one.Find != "\treturn x\n" || one.Replace != "" || one.Package != "./a/" || one.Run != "^TestA$" || one.Line != 2 {
		t.Errorf("first entry %+v", one)
	}
	if two.Replace != `x := 2 // a \n stays` || two.Run != "TestB|TestC" {
		t.Errorf("second entry %+v", two)
	}
}

func TestParseList_refusesIncompleteEntries(t *testing.T) {
	entry := func(skip string, extra ...string) string {
		var b strings.Builder
		for _, kv := range [][2]string{{"name", "m"}, {"promise", "p"}, {"file", "f.go"}, {"find", "a"}, {"replace", "b"}, {"test", "./x/ T"}} {
			if kv[0] != skip {
				b.WriteString(kv[0] + ": " + kv[1] + "\n")
			}
		}
		for _, e := range extra {
			b.WriteString(e + "\n")
		}
		return b.String()
	}
	for name, tc := range map[string]struct{ list, want string }{
		"no name":           {entry("name"), "has no name"},
		"no find":           {entry("find"), "has no find"},
		"no replace":        {entry("replace"), "has no replace"},
		"no test":           {entry("test"), "has no test"},
		"test without -run": {strings.Replace(entry(""), "./x/ T", "./x/", 1), "test must be"},
		"unknown key":       {entry("", "colour: red"), "want \"key: value\""},
		"key twice":         {entry("", "find: c"), "find given twice"},
		"same name twice":   {entry("") + "\n" + entry(""), "already defined at line 1"},
		"a no-op":           {strings.Replace(entry(""), "replace: b", "replace: a", 1), "replaces its snippet with itself"},
		"outside the tree":  {strings.Replace(entry(""), "file: f.go", "file: ../f.go", 1), "inside the repository"},
		"bad name":          {strings.Replace(entry(""), "name: m", "name: My Mutant", 1), "lowercase letters"},
		"bad pattern":       {strings.Replace(entry(""), "./x/ T", "./x/ (T", 1), "test pattern"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseList(strings.NewReader(tc.list))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestApply(t *testing.T) {
	m := mutant{File: "f.go", Find: "a := 1", Replace: "a := 2"}
	if got, err := m.apply("x\na := 1\ny\n"); err != nil || got != "x\na := 2\ny\n" {
		t.Errorf("apply = %q, %v", got, err)
	}
	if _, err := m.apply("a := 0\n"); err == nil || !strings.Contains(err.Error(), "no longer in f.go") {
		t.Errorf("a missing snippet: %v", err)
	}
	if _, err := m.apply("a := 1\na := 1\n"); err == nil || !strings.Contains(err.Error(), "occurs 2 times") {
		t.Errorf("a snippet twice: %v", err)
	}
}

func TestBaselineRuns(t *testing.T) {
	runs := baselineRuns([]mutant{
		{Package: "./a/", Run: "TestA"},
		{Package: "./b/", Run: "TestB"},
		{Package: "./a/", Run: "TestC|TestD"},
		{Package: "./a/", Run: "TestA"},
		{Package: "./a/", Run: "TestE/sub"},
	})
	want := []testRun{{"./a/", "TestE/sub"}, {"./a/", "(?:TestA)|(?:TestC|TestD)"}, {"./b/", "(?:TestB)"}}
	if len(runs) != len(want) {
		t.Fatalf("runs %v, want %v", runs, want)
	}
	for i := range want {
		if runs[i] != want[i] {
			t.Errorf("run %d: %v, want %v", i, runs[i], want[i])
		}
	}
}

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

func TestUnmatched(t *testing.T) {
	names := []string{"TestA", "TestB_x", "TestC"}
	for run, want := range map[string]string{
		"^TestA$":              "",
		"TestB":                "",
		"^(TestA|TestC)$":      "",
		"TestA|TestB_x":        "",
		"^TestA$/sub":          "",
		"^TestD$":              `"^TestD$" names no test`,
		"^(TestA|TestGone)$":   `"^TestGone$" names no test`,
		"TestA|TestGone":       `"TestGone" names no test`,
		"^(TestA|Test(B|D))$":  "", // nested: checked as a whole
		"^(TestGone|Test(D))$": "names no test",
	} {
		got := unmatched(run, names)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("unmatched(%q) = %q, want %q", run, got, want)
		}
	}
}
