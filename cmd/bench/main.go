// Command bench measures what refreshing Calls apps costs with this provider,
// against a floor: the same provider whose Read returns the prior state
// without a request (cmd/bench/floor), which is the least any provider can
// do, so the floor's time is Terraform's own.
//
//	go run ./cmd/bench [-n 100,300,1000] [-reps 5] [-apply-reps 3] [-latency 50ms]
//	                   [-terraform .tools/bin/terraform] [-out bench] [-keep]
//
// It builds both providers, starts the Calls API emulator in-process with
// the given latency per request and no rate limit, and drives the real
// Terraform CLI through a dev_overrides CLI configuration (no registry, no
// init). For each number of apps it measures, side by side:
//
//   - the wall time of `terraform plan` over unchanged apps, repeated -reps
//     times with the variants interleaved, reported as the median (min–max);
//   - the API requests each plan sent, from the emulator's counters;
//   - the wall time of the `terraform apply` that creates the apps;
//   - the provider's peak resident memory during a plan (see memory.go).
//
// Three variants are measured: the floor, ours (refresh_with_list, the
// default) and ours reading one object per request (refresh_with_list =
// false, as before lists were used). It prints a Markdown table, writes it
// with the machine's description to <out>/results.md, every sample to
// <out>/results.json, and a chart to <out>/plan-time.svg.
//
// With -mode rate-limit it measures a large run under the API's rate limit
// instead (see ratelimit.go):
//
//	go run ./cmd/bench -mode rate-limit [-apps 1000] [-parallelism 20] [-rate-limit 1200/5m] [-latency 50ms]
//	                   [-pipelines 10] [-pipeline-apps 120] [-pipeline-latency 100ms]
//
// and then -pipelines pipelines sharing one token, each creating and
// destroying -pipeline-apps apps, all at once (see sharedtoken.go;
// -pipelines 0 leaves them out). It writes <out>/rate-limit.md and
// <out>/rate-limit.json.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	run := run
	switch {
	case cfg.mode == modeRateLimit && cfg.rerender != "":
		run = func(context.Context, config) error { return rerenderRateLimit(cfg, cfg.rerender) }
	case cfg.mode == modeRateLimit:
		run = runRateLimit
	}
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// The bench's modes.
const (
	modePlans     = "plans"
	modeRateLimit = "rate-limit"
)

type config struct {
	mode       string
	counts     []int
	reps       int
	applyReps  int
	latency    time.Duration
	terraform  string
	outDir     string
	keep       bool
	repoRoot   string
	goCommand  string
	planTimout time.Duration

	// The rate-limit mode's.
	apps        int
	parallelism int
	rateLimit   emulator.RateLimit
	rerender    string
	// The shared-token scenario's.
	pipelines       int
	pipelineApps    int
	pipelineLatency time.Duration
}

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	mode := fs.String("mode", modePlans, "`mode`: "+modePlans+" (plans of unchanged apps against a floor) or "+modeRateLimit+
		" (create, plan and destroy -apps apps under the API's rate limit)")
	apps := fs.Int("apps", 1000, "rate-limit mode: the number of apps")
	parallelism := fs.Int("parallelism", 20, "rate-limit mode: Terraform's -parallelism")
	rateLimit := fs.String("rate-limit", "1200/5m", "rate-limit mode: the emulator's rule, `requests/window`")
	pipelines := fs.Int("pipelines", 10, "rate-limit mode: the `number` of pipelines sharing one token, run at once after the single run (0: none)")
	pipelineApps := fs.Int("pipeline-apps", 120, "rate-limit mode: the apps each pipeline creates and destroys")
	pipelineLatency := fs.Duration("pipeline-latency", 100*time.Millisecond, "rate-limit mode: emulator latency per request for the pipelines")
	rerender := fs.String("rerender", "", "rate-limit mode: write the report again from this `rate-limit.json`, measuring nothing")
	counts := fs.String("n", "100,300,1000", "comma-separated `numbers` of apps to measure")
	reps := fs.Int("reps", 5, "timed plans per variant and number of apps")
	applyReps := fs.Int("apply-reps", 3, "timed applies (creates) per variant and number of apps")
	latency := fs.Duration("latency", 50*time.Millisecond, "emulator latency added to every API request")
	terraform := fs.String("terraform", ".tools/bin/terraform", "the Terraform CLI to drive (make bench installs it)")
	outDir := fs.String("out", "bench", "`directory` to write results.md, results.json and plan-time.svg to")
	keep := fs.Bool("keep", false, "keep the working directory (printed) instead of removing it")
	planTimeout := fs.Duration("timeout", 30*time.Minute, "give up on one Terraform command after this long")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	cfg := config{mode: *mode, reps: *reps, applyReps: *applyReps, latency: *latency, outDir: *outDir, keep: *keep, goCommand: "go", planTimout: *planTimeout,
		apps: *apps, parallelism: *parallelism, rerender: *rerender, pipelines: *pipelines, pipelineApps: *pipelineApps, pipelineLatency: *pipelineLatency}
	switch cfg.mode {
	case modePlans:
	case modeRateLimit:
		var err error
		if cfg.rateLimit, err = emulator.ParseRateLimit(*rateLimit); err != nil {
			return config{}, fmt.Errorf("-rate-limit: %w", err)
		}
		if cfg.rateLimit.Disabled {
			return config{}, errors.New("-rate-limit: the rate-limit mode needs a limit, such as 1200/5m")
		}
		if cfg.apps < 1 || cfg.parallelism < 1 || cfg.pipelineApps < 1 {
			return config{}, errors.New("-apps, -parallelism and -pipeline-apps must be at least 1")
		}
		if cfg.pipelines < 0 || cfg.pipelineLatency < 0 {
			return config{}, errors.New("-pipelines and -pipeline-latency must not be negative")
		}
	default:
		return config{}, fmt.Errorf("-mode: %q is neither %s nor %s", cfg.mode, modePlans, modeRateLimit)
	}
	for _, s := range strings.Split(*counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return config{}, fmt.Errorf("-n: %q is not a positive number of apps", s)
		}
		cfg.counts = append(cfg.counts, n)
	}
	if cfg.reps < 1 || cfg.applyReps < 1 {
		return config{}, errors.New("-reps and -apply-reps must be at least 1")
	}
	if cfg.latency < 0 {
		return config{}, errors.New("-latency must not be negative")
	}
	root, err := os.Getwd()
	if err != nil {
		return config{}, err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return config{}, errors.New("run bench from the repository root (make bench does)")
	}
	cfg.repoRoot = root
	if cfg.terraform, err = filepath.Abs(*terraform); err != nil {
		return config{}, err
	}
	if _, err := os.Stat(cfg.terraform); err != nil {
		return config{}, fmt.Errorf("no Terraform CLI at %s: run make bench, which installs it, or pass -terraform", cfg.terraform)
	}
	return cfg, nil
}
