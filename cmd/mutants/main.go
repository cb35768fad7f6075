// Command mutants replays the named one-line mutations of mutants.txt: each
// breaks one promise the docs make (the secret kept, never logged, no
// duplicate create, no false "deleted", rate-limit waits...), and the tests
// it names must notice. For each mutant it edits a copy of the repository,
// runs those tests, and restores the file; a mutant the tests survive is a
// promise no test guards.
//
//	go run ./cmd/mutants [-list mutants.txt] [-rev HEAD | -worktree] [-run regexp] [-timeout 20m] [-keep] [-v] [-check]
//
// It never touches the work tree: the copy is the commit -rev (HEAD by
// default) or, with -worktree, the work tree's files as they are now
// (tracked and untracked, not ignored), in a temporary folder removed at
// the end. It first runs every named test unmutated (a test that already
// fails would "kill" any mutant), then prints one line per mutant:
//
//	killed    the tests failed with the mutation (the failing tests are named)
//	SURVIVED  the tests passed with the mutation: add or fix a test
//	STALE     the snippet is no longer in the file, or not only once: update the entry
//	BROKEN    the mutation does not compile, so it proves nothing: change it
//
// and the figure, e.g. "31 mutants: 31 killed, 0 survived". It exits 1
// unless every mutant was killed. A stale entry (a snippet not in its file
// exactly once, or a test pattern naming no test) is found before any test
// runs, reported first and counted in the figure. With -check it does only
// that, in a minute.
package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

func main() {
	var o options
	flag.StringVar(&o.list, "list", "mutants.txt", "the mutants list: relative to the copy's root, or an absolute path")
	flag.StringVar(&o.rev, "rev", "HEAD", "the commit to mutate a copy of")
	flag.BoolVar(&o.worktree, "worktree", false, "mutate a copy of the work tree as it is now (uncommitted changes included) instead of -rev")
	flag.StringVar(&o.run, "run", "", "only the mutants whose name matches this regexp")
	flag.DurationVar(&o.timeout, "timeout", 20*time.Minute, "go test -timeout of each run")
	flag.BoolVar(&o.keep, "keep", false, "keep the copy (its path is printed)")
	flag.BoolVar(&o.verbose, "v", false, "print the test output of every run")
	flag.BoolVar(&o.check, "check", false, "only check the list: every snippet in its file once, every test pattern naming tests; run no test")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code, err := run(ctx, o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		if code == 0 {
			code = 2
		}
	}
	os.Exit(code)
}

type options struct {
	list, rev, run string
	worktree       bool
	timeout        time.Duration
	keep, verbose  bool
	check          bool
}

// run copies the repository, replays the mutants and reports. Its code is
// 0 when every mutant was killed, 1 when one was not, 2 when the run could
// not be made.
func run(ctx context.Context, o options, out io.Writer) (int, error) {
	root, err := gitOutput(ctx, ".", "rev-parse", "--show-toplevel")
	if err != nil {
		return 2, fmt.Errorf("not in a git repository: %w", err)
	}
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		return 2, errors.New("TF_ACC_TERRAFORM_PATH is not set: run make mutants, which sets it to the Terraform the tests drive")
	}
	absolutizeToolPaths()

	dir, err := os.MkdirTemp("", "mutants-")
	if err != nil {
		return 2, err
	}
	if o.keep {
		defer fmt.Fprintln(out, "the copy is kept in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	what := "the work tree"
	if o.worktree {
		err = copyWorkTree(ctx, root, dir)
	} else {
		var rev string
		if rev, err = gitOutput(ctx, root, "rev-parse", "--short", o.rev); err == nil {
			what = o.rev + " (" + rev + ")"
			err = copyRevision(ctx, root, o.rev, dir)
		}
	}
	if err != nil {
		return 2, fmt.Errorf("copying the repository: %w", err)
	}

	list := o.list
	if !filepath.IsAbs(list) {
		list = filepath.Join(dir, filepath.FromSlash(list))
	}
	f, err := os.Open(list) //nolint:gosec // the list named on the command line, in the copy unless absolute
	if err != nil {
		return 2, err
	}
	mutants, err := parseList(f)
	f.Close()
	if err != nil {
		return 2, fmt.Errorf("%s: %w", o.list, err)
	}
	if o.run != "" {
		re, err := regexp.Compile(o.run)
		if err != nil {
			return 2, fmt.Errorf("-run: %w", err)
		}
		var picked []mutant
		for _, m := range mutants {
			if re.MatchString(m.Name) {
				picked = append(picked, m)
			}
		}
		mutants = picked
	}
	if len(mutants) == 0 {
		return 2, errors.New("no mutant to run")
	}
	fmt.Fprintf(out, "%d mutants from %s, on a copy of %s in %s\n", len(mutants), o.list, what, dir)

	r := &runner{dir: dir, timeout: o.timeout, out: out, verbose: o.verbose}
	staleWhy, err := r.check(ctx, mutants)
	if err != nil {
		return 2, err
	}
	var tally results
	var live []mutant
	for _, m := range mutants {
		if why, ok := staleWhy[m.Name]; ok {
			res := result{verdict: stale, why: why}
			tally.add(res)
			fmt.Fprintln(out, res.line(m))
			continue
		}
		live = append(live, m)
	}
	if o.check {
		fmt.Fprintf(out, "%d mutants: %d stale\n", len(mutants), tally.stale)
		if tally.stale > 0 {
			return 1, nil
		}
		return 0, nil
	}
	if len(live) > 0 {
		if err := r.baseline(ctx, live); err != nil {
			return 2, err
		}
	}
	for _, m := range live {
		if ctx.Err() != nil {
			return 2, ctx.Err()
		}
		res := r.mutate(ctx, m)
		tally.add(res)
		fmt.Fprintln(out, res.line(m))
	}
	fmt.Fprintln(out, tally.figure())
	if !tally.allKilled() {
		return 1, nil
	}
	return 0, nil
}

// absolutizeToolPaths makes the paths the tests read from the environment
// absolute, since they run in the copy: make exports them absolute already.
func absolutizeToolPaths() {
	for _, k := range []string{"TF_ACC_TERRAFORM_PATH", "TF_ACC_TOFU_PATH", "TF_CLI_CONFIG_FILE"} {
		if v := os.Getenv(k); v != "" && !filepath.IsAbs(v) {
			if abs, err := filepath.Abs(v); err == nil {
				_ = os.Setenv(k, abs)
			}
		}
	}
}

func gitOutput(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...) //nolint:gosec // git, with arguments of this program
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(b)), nil
}

// copyRevision writes the files of commit rev into dir, from git archive.
func copyRevision(ctx context.Context, root, rev, dir string) error {
	cmd := exec.CommandContext(ctx, "git", "archive", "--format=tar", rev) //nolint:gosec // the revision named on the command line
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	archive, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	extractErr := extract(archive, dir)
	_, _ = io.Copy(io.Discard, archive)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git archive %s: %w: %s", rev, err, strings.TrimSpace(stderr.String()))
	}
	return extractErr
}

func extract(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		target, err := inside(dir, h.Name)
		if err != nil {
			return err
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o750); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := writeFile(target, tr, os.FileMode(h.Mode&0o777)); err != nil { //nolint:gosec // masked to the permission bits
				return err
			}
		case tar.TypeSymlink:
			if err := os.Symlink(h.Linkname, target); err != nil {
				return err
			}
		}
	}
}

// copyWorkTree copies the work tree's tracked and untracked (not ignored)
// files into dir, as they are now.
func copyWorkTree(ctx context.Context, root, dir string) error {
	list, err := gitOutput(ctx, root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if err != nil {
		return err
	}
	for _, name := range strings.Split(list, "\x00") {
		if name == "" {
			continue
		}
		src := filepath.Join(root, filepath.FromSlash(name))
		info, err := os.Lstat(src)
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted in the work tree
		}
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			continue
		}
		target, err := inside(dir, name)
		if err != nil {
			return err
		}
		f, err := os.Open(src) //nolint:gosec // a file git lists in the work tree
		if err != nil {
			return err
		}
		err = writeFile(target, f, info.Mode().Perm())
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// inside is dir/name, refusing a name that would leave dir.
func inside(dir, name string) (string, error) {
	target := filepath.Join(dir, filepath.FromSlash(name))
	if rel, err := filepath.Rel(dir, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%q is outside the copy", name)
	}
	return target, nil
}

func writeFile(path string, r io.Reader, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode) //nolint:gosec // a path inside the copy (see inside)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
