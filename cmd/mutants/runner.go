package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// runner runs go test in the copy of the repository at dir.
type runner struct {
	dir     string
	timeout time.Duration
	out     io.Writer
	verbose bool
}

type verdict string

const (
	killed   verdict = "killed"
	survived verdict = "SURVIVED"
	stale    verdict = "STALE"
	broken   verdict = "BROKEN"
)

type result struct {
	verdict verdict
	took    time.Duration
	// failed names the tests that failed (killed), or says why the mutant
	// could not be judged (stale, broken).
	failed []string
	why    string
}

// maxNamed is how many of the failed tests a report line names.
const maxNamed = 4

func (r result) line(m mutant) string {
	s := fmt.Sprintf("%-9s %-40s %-7s %s", r.verdict, m.Name, r.took.Round(time.Second), m.Promise)
	switch {
	case r.why != "":
		s += "\n          " + r.why
	case len(r.failed) > maxNamed:
		s += fmt.Sprintf("\n          caught by %s and %d more", strings.Join(r.failed[:maxNamed], ", "), len(r.failed)-maxNamed)
	case len(r.failed) > 0:
		s += "\n          caught by " + strings.Join(r.failed, ", ")
	}
	return s
}

type results struct{ n, killed, survived, stale, broken int }

func (t *results) add(r result) {
	t.n++
	switch r.verdict {
	case killed:
		t.killed++
	case survived:
		t.survived++
	case stale:
		t.stale++
	case broken:
		t.broken++
	}
}

func (t results) allKilled() bool { return t.n > 0 && t.killed == t.n }

func (t results) figure() string {
	s := fmt.Sprintf("%d mutants: %d killed, %d survived", t.n, t.killed, t.survived)
	if t.stale > 0 {
		s += fmt.Sprintf(", %d stale", t.stale)
	}
	if t.broken > 0 {
		s += fmt.Sprintf(", %d broken", t.broken)
	}
	return s
}

// baseline runs, unmutated, every test the mutants name: one that fails
// already would seem to kill any mutant.
func (r *runner) baseline(ctx context.Context, mutants []mutant) error {
	for _, b := range baselineRuns(mutants) {
		start := time.Now()
		out, err := r.goTest(ctx, b.pkg, b.run)
		fmt.Fprintf(r.out, "baseline  %s -run '%s': ", b.pkg, b.run)
		if err != nil {
			fmt.Fprintf(r.out, "FAILED (%s)\n%s\n", time.Since(start).Round(time.Second), tail(out, 60))
			return fmt.Errorf("the tests fail without any mutation (%s -run '%s'); fix them first", b.pkg, b.run)
		}
		if strings.Contains(out, "[no tests to run]") {
			fmt.Fprintln(r.out, "no test matches")
			return fmt.Errorf("a pattern of %s matches no test: %s", b.pkg, b.run)
		}
		fmt.Fprintf(r.out, "ok (%s)\n", time.Since(start).Round(time.Second))
	}
	return nil
}

type testRun struct{ pkg, run string }

// baselineRuns groups the mutants' patterns by package into as few go test
// runs as -run allows: patterns without a "/" (which -run splits on, for
// subtests) are joined with "|".
func baselineRuns(mutants []mutant) []testRun {
	byPkg := map[string][]string{}
	var pkgs []string
	for _, m := range mutants {
		if _, ok := byPkg[m.Package]; !ok {
			pkgs = append(pkgs, m.Package)
		}
		if !slices.Contains(byPkg[m.Package], m.Run) {
			byPkg[m.Package] = append(byPkg[m.Package], m.Run)
		}
	}
	var runs []testRun
	for _, pkg := range pkgs {
		var joined []string
		for _, p := range byPkg[pkg] {
			if strings.Contains(p, "/") {
				runs = append(runs, testRun{pkg, p})
			} else {
				joined = append(joined, "(?:"+p+")")
			}
		}
		if len(joined) > 0 {
			runs = append(runs, testRun{pkg, strings.Join(joined, "|")})
		}
	}
	return runs
}

// check finds the stale mutants, running no test: a snippet that is not
// in its file once, or a test pattern (or one of its alternatives) that
// names no test of its package. It returns why each is stale, by name.
func (r *runner) check(ctx context.Context, mutants []mutant) (map[string]string, error) {
	tests := map[string][]string{}
	stale := map[string]string{}
	for _, m := range mutants {
		if _, err := r.read(m); err != nil {
			stale[m.Name] = err.Error()
			continue
		}
		names, ok := tests[m.Package]
		if !ok {
			var err error
			if names, err = r.listTests(ctx, m.Package); err != nil {
				return nil, err
			}
			tests[m.Package] = names
		}
		if why := unmatched(m.Run, names); why != "" {
			stale[m.Name] = why
		}
	}
	return stale, nil
}

// listTests names the top-level tests of a package.
func (r *runner) listTests(ctx context.Context, pkg string) ([]string, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-list", ".", pkg) //nolint:gosec // go test, with a package of the list
	cmd.Dir = r.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("listing the tests of %s: %w\n%s", pkg, err, tail(string(out), 15))
	}
	var names []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "Test") {
			names = append(names, strings.TrimSpace(l))
		}
	}
	return names, nil
}

// unmatched says which part of the -run pattern run names no test of
// names, or "". A pattern that is a plain alternation (A|B, ^(A|B)$) must
// match a test with each alternative; only the top level (before any "/")
// is checked.
func unmatched(run string, names []string) string {
	top, _, _ := strings.Cut(run, "/")
	parts := []string{top}
	inner := strings.TrimSuffix(strings.TrimPrefix(top, "^"), "$")
	anchoredStart, anchoredEnd := strings.HasPrefix(top, "^"), strings.HasSuffix(top, "$")
	if strings.HasPrefix(inner, "(") && strings.HasSuffix(inner, ")") {
		inner = inner[1 : len(inner)-1]
	}
	if !strings.ContainsAny(inner, "()") && strings.Contains(inner, "|") {
		parts = nil
		for _, alt := range strings.Split(inner, "|") {
			if anchoredStart {
				alt = "^" + alt
			}
			if anchoredEnd {
				alt += "$"
			}
			parts = append(parts, alt)
		}
	}
	for _, p := range parts {
		re, err := regexp.Compile(p)
		if err != nil {
			return fmt.Sprintf("its test pattern %q does not compile: %v", p, err)
		}
		if !slices.ContainsFunc(names, re.MatchString) {
			return fmt.Sprintf("its test pattern %q names no test of the package", p)
		}
	}
	return ""
}

// read returns the mutant's file in the copy and the mutated text.
func (r *runner) read(m mutant) (mutatedFile, error) {
	path, err := inside(r.dir, m.File)
	if err != nil {
		return mutatedFile{}, err
	}
	original, err := os.ReadFile(path) //nolint:gosec // a path inside the copy (see inside)
	if err != nil {
		return mutatedFile{}, fmt.Errorf("%s cannot be read: %w", m.File, err)
	}
	mutated, err := m.apply(string(original))
	if err != nil {
		return mutatedFile{}, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return mutatedFile{}, err
	}
	return mutatedFile{path: path, original: original, mutated: []byte(mutated), mode: info.Mode().Perm()}, nil
}

type mutatedFile struct {
	path              string
	original, mutated []byte
	mode              os.FileMode
}

// mutate applies m to the copy, runs its tests and restores the file.
func (r *runner) mutate(ctx context.Context, m mutant) result {
	f, err := r.read(m)
	if err != nil {
		return result{verdict: stale, why: err.Error()}
	}
	if err := os.WriteFile(f.path, f.mutated, f.mode); err != nil { //nolint:gosec // a path inside the copy
		return result{verdict: broken, why: err.Error()}
	}
	defer func() {
		if err := os.WriteFile(f.path, f.original, f.mode); err != nil { //nolint:gosec // a path inside the copy
			panic(fmt.Sprintf("restoring %s in the copy: %v", f.path, err))
		}
	}()

	start := time.Now()
	out, err := r.goTest(ctx, m.Package, m.Run)
	res := result{took: time.Since(start)}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		res.verdict = survived
		if strings.Contains(out, "[no tests to run]") {
			res.verdict, res.why = broken, "the pattern matches no test: "+m.Run
		}
	case !errors.As(err, &exitErr):
		res.verdict, res.why = broken, "go test did not run: "+err.Error()
	case buildFailed.MatchString(out):
		res.verdict, res.why = broken, "the mutation does not compile:\n"+indent(tail(out, 15))
	default:
		res.verdict, res.failed = killed, failedTests(out)
		if strings.Contains(out, "panic: test timed out") {
			res.failed = append(res.failed, "(the run timed out)")
		}
	}
	return res
}

var buildFailed = regexp.MustCompile(`\[(build|setup) failed\]`)

var failLine = regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+)`)

// failedTests names the failing tests, leaving out a parent whose subtest
// is named.
func failedTests(out string) []string {
	var names []string
	for _, m := range failLine.FindAllStringSubmatch(out, -1) {
		names = append(names, m[1])
	}
	var leaves []string
	for _, n := range names {
		parent := false
		for _, other := range names {
			if strings.HasPrefix(other, n+"/") {
				parent = true
				break
			}
		}
		if !parent && !slices.Contains(leaves, n) {
			leaves = append(leaves, n)
		}
	}
	return leaves
}

func (r *runner) goTest(ctx context.Context, pkg, run string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-timeout", r.timeout.String(), "-run", run, pkg) //nolint:gosec // go test, with the package and pattern of the list
	cmd.Dir = r.dir
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	if r.verbose {
		fmt.Fprintf(r.out, "--- go test -run '%s' %s in %s\n%s\n", run, pkg, filepath.Base(r.dir), buf.String())
	}
	return buf.String(), err
}

func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

func indent(s string) string {
	return "          " + strings.ReplaceAll(s, "\n", "\n          ")
}
