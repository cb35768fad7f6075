package main

import (
	"strings"
	"testing"
)

func TestRunner_baselineRuns(t *testing.T) {
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

func TestRunner_unmatched(t *testing.T) {
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
