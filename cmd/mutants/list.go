package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// mutant is one named one-line edit of the code that breaks a promise, and
// the tests that must notice it.
type mutant struct {
	Name    string
	Promise string
	File    string // relative to the repository root, slash-separated
	Find    string // must occur exactly once in File
	Replace string
	Package string // as go test takes it: ./internal/provider/
	Run     string // go test -run pattern
	Line    int    // where the entry starts in the list, for messages
}

// parseList reads a mutants list: entries separated by blank lines, each a
// set of "key: value" lines (name, promise, file, find, replace, test),
// with "#" comment lines. Spaces around a value are dropped; in find and
// replace, \n, \t and \\ stand for a line break, a tab and a backslash;
// test is the package and the -run pattern, separated by a space.
func parseList(r io.Reader) ([]mutant, error) {
	var (
		out  []mutant
		errs []error
		cur  map[string]string
		at   int
	)
	seen := map[string]int{}
	flush := func() {
		if cur == nil {
			return
		}
		m, err := toMutant(cur, at)
		switch {
		case err != nil:
			errs = append(errs, err)
		case seen[m.Name] != 0:
			errs = append(errs, fmt.Errorf("line %d: mutant %q is already defined at line %d", at, m.Name, seen[m.Name]))
		default:
			seen[m.Name] = at
			out = append(out, m)
		}
		cur = nil
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \t\r")
		switch {
		case strings.TrimSpace(line) == "":
			flush()
			continue
		case strings.HasPrefix(strings.TrimSpace(line), "#"):
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		key = strings.TrimSpace(key)
		if !ok || !knownKeys[key] {
			errs = append(errs, fmt.Errorf("line %d: want \"key: value\" with key one of name, promise, file, find, replace, test; got %q", n, line))
			continue
		}
		if cur == nil {
			cur, at = map[string]string{}, n
		}
		if _, dup := cur[key]; dup {
			errs = append(errs, fmt.Errorf("line %d: %s given twice in one entry", n, key))
		}
		cur[key] = strings.TrimLeft(value, " \t")
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	flush()
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

var knownKeys = map[string]bool{"name": true, "promise": true, "file": true, "find": true, "replace": true, "test": true}

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func toMutant(kv map[string]string, at int) (mutant, error) {
	for _, k := range []string{"name", "promise", "file", "find", "test"} {
		if strings.TrimSpace(kv[k]) == "" {
			return mutant{}, fmt.Errorf("line %d: entry %q has no %s", at, kv["name"], k)
		}
	}
	if _, ok := kv["replace"]; !ok {
		return mutant{}, fmt.Errorf("line %d: entry %q has no replace (write \"replace:\" with nothing after it to delete the snippet)", at, kv["name"])
	}
	m := mutant{
		Name:    strings.TrimSpace(kv["name"]),
		Promise: strings.TrimSpace(kv["promise"]),
		File:    strings.TrimSpace(kv["file"]),
		Find:    unescape(kv["find"]),
		Replace: unescape(kv["replace"]),
		Line:    at,
	}
	if !namePattern.MatchString(m.Name) {
		return mutant{}, fmt.Errorf("line %d: name %q: use lowercase letters, digits and dashes", at, m.Name)
	}
	if m.Find == m.Replace {
		return mutant{}, fmt.Errorf("line %d: mutant %q replaces its snippet with itself", at, m.Name)
	}
	if strings.HasPrefix(m.File, "/") || strings.Contains("/"+m.File+"/", "/../") {
		return mutant{}, fmt.Errorf("line %d: mutant %q: file %q must be a path inside the repository", at, m.Name, m.File)
	}
	pkg, run, ok := strings.Cut(strings.TrimSpace(kv["test"]), " ")
	run = strings.TrimSpace(run)
	if !ok || run == "" || !strings.HasPrefix(pkg, "./") {
		return mutant{}, fmt.Errorf("line %d: mutant %q: test must be \"./<package>/ <go test -run pattern>\", got %q", at, m.Name, kv["test"])
	}
	if _, err := regexp.Compile(run); err != nil {
		return mutant{}, fmt.Errorf("line %d: mutant %q: test pattern: %w", at, m.Name, err)
	}
	m.Package, m.Run = pkg, run
	return m, nil
}

// unescape turns \n, \t and \\ into a line break, a tab and a backslash.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case 't':
				b.WriteByte('\t')
				i++
				continue
			case '\\':
				b.WriteByte('\\')
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// apply returns src with the mutant's snippet replaced, or why it cannot be:
// a snippet that is not there (the code moved on: the mutant is stale) or
// is there more than once (it would not say which to change).
func (m mutant) apply(src string) (string, error) {
	switch n := strings.Count(src, m.Find); n {
	case 1:
		return strings.Replace(src, m.Find, m.Replace, 1), nil
	case 0:
		return "", fmt.Errorf("its snippet %q is no longer in %s", m.Find, m.File)
	default:
		return "", fmt.Errorf("its snippet %q occurs %d times in %s; make it unique", m.Find, n, m.File)
	}
}
