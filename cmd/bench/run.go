package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// variant is one provider build and setting under measure.
type variant struct {
	key   string // short, for file names
	label string // for tables and the chart
	// pluginDir holds the terraform-provider-cloudflare binary that the
	// variant's dev_overrides point to.
	pluginDir string
	tfrc      string
	env       []string
}

// measurement is everything measured for one variant and number of apps.
type measurement struct {
	plans []time.Duration
	// requests are the API requests of each timed plan, by method and route.
	requests []map[string]int64
	applies  []time.Duration
	// peaksKB are, for each plan measured for memory, the highest VmHWM of
	// the variant's provider processes, in KiB.
	peaksKB []int64
}

type results struct {
	cfg      config
	variants []*variant
	// byCount[n][variant.key]
	byCount map[int]map[string]*measurement
	// confirmRequests[n] are the requests of a plan of ours after one app
	// was deleted out of band.
	confirmRequests map[int]map[string]int64
	machine         machine
	started         time.Time
	elapsed         time.Duration
}

// workDir makes the run's working directory, whose name starts with prefix.
// cleanup removes it, unless -keep asked to keep it (its path is printed).
func workDir(cfg config, prefix string) (dir string, cleanup func(), err error) {
	dir, err = os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, err
	}
	if cfg.keep {
		fmt.Fprintln(os.Stderr, "working directory:", dir)
		return dir, func() {}, nil
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

func run(ctx context.Context, cfg config) error {
	started, loadBefore := time.Now(), loadAverage()
	work, cleanup, err := workDir(cfg, "calls-bench-")
	if err != nil {
		return err
	}
	defer cleanup()

	floor := &variant{key: "floor", label: "floor (Read does nothing)", pluginDir: filepath.Join(work, "floor-plugin")}
	ours := &variant{key: "ours", label: "ours (one list per account)", pluginDir: filepath.Join(work, "ours-plugin"),
		env: []string{"CLOUDFLARE_CALLS_REFRESH_WITH_LIST=true"}}
	perObject := &variant{key: "get", label: "ours, refresh_with_list = false (one GET per app)", pluginDir: ours.pluginDir,
		env: []string{"CLOUDFLARE_CALLS_REFRESH_WITH_LIST=false"}}
	variants := []*variant{floor, ours, perObject}

	step("building the provider and the floor provider")
	if err := goBuild(ctx, cfg, ours.pluginDir, "."); err != nil {
		return err
	}
	if err := goBuild(ctx, cfg, floor.pluginDir, "./cmd/bench/floor"); err != nil {
		return err
	}
	for _, v := range variants {
		v.tfrc = filepath.Join(work, v.key+".tfrc")
		rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"calls-terraform/cloudflare\" = %q\n  }\n  direct {}\n}\n", v.pluginDir)
		if err := os.WriteFile(v.tfrc, []byte(rc), 0o600); err != nil {
			return err
		}
	}

	token := randomHex(20)
	em, err := emulator.Start(emulator.Options{
		Tokens:    []string{token},
		Latency:   cfg.latency,
		RateLimit: emulator.RateLimit{Disabled: true}, // the bench sends thousands of requests
	})
	if err != nil {
		return fmt.Errorf("starting the emulator: %w", err)
	}
	defer em.Close()
	step(fmt.Sprintf("emulator at %s, %s per request, no rate limit", em.URL, cfg.latency))

	tf := &terraformRunner{cfg: cfg, baseEnv: terraformEnv(token, em.URL)}
	res := &results{cfg: cfg, variants: variants, byCount: map[int]map[string]*measurement{},
		confirmRequests: map[int]map[string]int64{}, started: started}

	for _, n := range cfg.counts {
		m := map[string]*measurement{}
		for _, v := range variants {
			m[v.key] = &measurement{}
		}
		res.byCount[n] = m

		// Applies create n apps, each time in a fresh account and directory.
		// Reads play no part in a create, so the per-object variant (the
		// same binary as ours) is not applied separately.
		var planDir, planAccount string
		for rep := range cfg.applyReps {
			for _, v := range []*variant{floor, ours} {
				account := accountID(n, rep, v.key)
				dir := filepath.Join(work, fmt.Sprintf("apps-%d-%s-%d", n, v.key, rep))
				if err := writeConfig(dir, n, account); err != nil {
					return err
				}
				step(fmt.Sprintf("%d apps: apply %d/%d with %s", n, rep+1, cfg.applyReps, v.label))
				out, err := tf.run(ctx, v, dir, false, "apply", "-input=false", "-no-color", "-auto-approve")
				if err != nil {
					return err
				}
				if out.exitCode != 0 {
					return fmt.Errorf("apply of %d apps with %s failed:\n%s", n, v.label, out.tail())
				}
				if got := len(em.Apps(account)); got != n {
					return fmt.Errorf("apply of %d apps with %s left %d apps in the emulator", n, v.label, got)
				}
				m[v.key].applies = append(m[v.key].applies, out.wall)
				if v == ours && rep == 0 {
					planDir, planAccount = dir, account
				}
			}
		}

		// Plans of the same unchanged state: one untimed warm-up each, then
		// the variants in turn, so that drift in the machine's load falls
		// on all of them alike.
		plan := func(v *variant, poll bool) (result, map[string]int64, error) {
			em.ResetCounters()
			out, err := tf.run(ctx, v, planDir, poll, "plan", "-input=false", "-no-color", "-lock=false", "-detailed-exitcode")
			if err != nil {
				return out, nil, err
			}
			if out.exitCode != 0 {
				return out, nil, fmt.Errorf("plan of %d unchanged apps with %s exited %d (0 means no changes):\n%s", n, v.label, out.exitCode, out.tail())
			}
			return out, em.Counters(), nil
		}
		for _, v := range variants {
			step(fmt.Sprintf("%d apps: warm-up plan with %s", n, v.label))
			if _, _, err := plan(v, false); err != nil {
				return err
			}
		}
		for rep := range cfg.reps {
			for _, v := range variants {
				out, counters, err := plan(v, false)
				if err != nil {
					return err
				}
				step(fmt.Sprintf("%d apps: plan %d/%d with %s: %s, %d requests", n, rep+1, cfg.reps, v.label,
					out.wall.Round(time.Millisecond), total(counters)))
				m[v.key].plans = append(m[v.key].plans, out.wall)
				m[v.key].requests = append(m[v.key].requests, counters)
			}
		}
		// Memory is measured in plans of their own, so that polling /proc
		// cannot slow the timed ones; the garbage collector's timing makes
		// one reading noisy, so there are a few.
		for range min(cfg.reps, 3) {
			for _, v := range variants {
				out, _, err := plan(v, true)
				if err != nil {
					return err
				}
				if out.peakKB == 0 {
					return fmt.Errorf("no provider process was seen under terraform during the plan with %s", v.label)
				}
				m[v.key].peaksKB = append(m[v.key].peaksKB, out.peakKB)
				step(fmt.Sprintf("%d apps: provider peak RSS with %s: %.1f MiB", n, v.label, float64(out.peakKB)/1024))
			}
		}

		// One app deleted out of band: ours lists, misses it, and confirms
		// with one GET; the plan must then create it again.
		apps := em.Apps(planAccount)
		if err := em.DeleteApp(planAccount, apps[len(apps)/2].UID); err != nil {
			return err
		}
		em.ResetCounters()
		out, err := tf.run(ctx, ours, planDir, false, "plan", "-input=false", "-no-color", "-lock=false", "-detailed-exitcode")
		if err != nil {
			return err
		}
		if out.exitCode != 2 || !strings.Contains(out.stdout, "1 to add, 0 to change, 0 to destroy") {
			return fmt.Errorf("plan after deleting one of %d apps out of band: want one app to add, got exit %d:\n%s", n, out.exitCode, out.tail())
		}
		res.confirmRequests[n] = em.Counters()
	}

	res.elapsed = time.Since(started)
	res.machine = describeMachine(ctx, cfg)
	res.machine.loadBefore = loadBefore
	return writeReport(res)
}

func step(msg string) { fmt.Fprintf(os.Stderr, "==> %s\n", msg) }

func goBuild(ctx context.Context, cfg config, dir, pkg string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	//nolint:gosec // builds this repository's own packages
	cmd := exec.CommandContext(ctx, cfg.goCommand, "build", "-o", filepath.Join(dir, "terraform-provider-cloudflare"), pkg)
	cmd.Dir = cfg.repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return nil
}

// terraformEnv is the environment of every Terraform command: the parent's
// without any TF_ or CLOUDFLARE_ setting that could change what is measured,
// plus the emulator's address and token.
func terraformEnv(token, baseURL string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "TF_") || strings.HasPrefix(kv, "CLOUDFLARE_") || strings.HasPrefix(kv, "CHECKPOINT_")
	})
	return append(env, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"CLOUDFLARE_API_TOKEN="+token, "CLOUDFLARE_BASE_URL="+baseURL)
}

func writeConfig(dir string, apps int, account string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	config := fmt.Sprintf(`terraform {
  required_providers {
    cloudflare = {
      source = "calls-terraform/cloudflare"
    }
  }
}

provider "cloudflare" {}

resource "cloudflare_calls_app" "bench" {
  count      = %d
  account_id = %q
  name       = "bench-${count.index}"
}
`, apps, account)
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600)
}

// accountID gives every apply an account of its own, so that the counters
// and lists of one never include another's apps.
func accountID(apps, rep int, key string) string {
	k := 0
	for _, c := range key {
		k = k*31 + int(c)
	}
	return fmt.Sprintf("%012x%010x%010x", apps, rep, k&0xffffffffff)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func total(counters map[string]int64) int64 {
	var t int64
	for _, n := range counters {
		t += n
	}
	return t
}

// describeRequests names requests by what they are: "1 list", "300 GET".
func describeRequests(counters map[string]int64) string {
	if total(counters) == 0 {
		return "0"
	}
	var parts []string
	for _, key := range slices.Sorted(maps.Keys(counters)) {
		n := counters[key]
		if n == 0 {
			continue
		}
		what := key
		switch {
		case strings.HasPrefix(key, "GET ") && strings.Count(key, "/") == 4:
			what = "list"
		case strings.HasPrefix(key, "GET "):
			what = "GET"
		}
		parts = append(parts, fmt.Sprintf("%s %s", thousands(n), what))
	}
	return strings.Join(parts, " + ")
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
