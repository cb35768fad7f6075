package main

import (
	"strings"
	"testing"
)

func TestList_parse(t *testing.T) {
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

func TestList_parseRefusesIncompleteEntries(t *testing.T) {
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

func TestList_apply(t *testing.T) {
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
