package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// The rate-limit mode (-mode rate-limit) measures what the API's rate limit
// costs a large run: it creates, plans and destroys -apps apps with
// -parallelism against the emulator enforcing the documented rule (1,200
// requests per 5 minutes per credential, a 5-minute block past it), and
// reports the requests sent, the requests the limit refused, the errors, the
// total time, and the least time the rule allows for that many requests.
//
// The least time. The rule lets Q requests through in a window of W that
// opens with the first request, and no request of the next window before W
// has passed; so N requests need k = ceil(N/Q) windows, and the last of them
// opens no sooner than (k-1)·W after the first request. The requests of that
// last window, N - (k-1)·Q of them, still take the time they take with no
// limit at all: at least their share of the same run against the same
// emulator without a rate limit, which the bench measures first (T_free). So
//
//	least = (ceil(N/Q) - 1) · W  +  T_free · (N - (ceil(N/Q) - 1)·Q) / N_free
//
// and with N <= Q it is T_free itself. It is a floor no client can beat:
// sending the first window's Q requests at once and waiting out the window
// is the fastest the rule allows, and it leaves nothing to the user's other
// tools. Its second term is measured, so it moves with the machine's load;
// the first, (ceil(N/Q) - 1) · W, is the rule's alone. Targets: no request
// refused, no error, total time within 1.6× the least (maxRatio), judged against the
// smaller of the two floors (the stricter) when N > Q.

// maxRatio is the target: the run's total time at most this many times
// the least the rule allows.
const maxRatio = 1.6

// rateLimitPhase is one Terraform command of the run.
type rateLimitPhase struct {
	Name     string        `json:"name"`
	Wall     time.Duration `json:"wall_ns"`
	Requests int64         `json:"requests"`
	Refused  int64         `json:"refused_by_the_rate_limit"`
	Errors   int           `json:"errors"`
	ExitCode int           `json:"exit_code"`
}

// rateLimitRun is the three phases against one emulator.
type rateLimitRun struct {
	Limit  string           `json:"rate_limit"`
	Phases []rateLimitPhase `json:"phases"`
}

func (r rateLimitRun) total() (wall time.Duration, requests, refused int64, errors int) {
	for _, p := range r.Phases {
		wall += p.Wall
		requests += p.Requests
		refused += p.Refused
		errors += p.Errors
	}
	return wall, requests, refused, errors
}

// leastTime is the formula above.
func leastTime(requests int64, quota int, window time.Duration, freeWall time.Duration, freeRequests int64) time.Duration {
	if requests <= 0 || freeRequests <= 0 {
		return freeWall
	}
	full := int64(math.Ceil(float64(requests)/float64(quota))) - 1
	last := requests - full*int64(quota)
	return time.Duration(full)*window + time.Duration(float64(freeWall)*float64(last)/float64(freeRequests))
}

func runRateLimit(ctx context.Context, cfg config) error {
	started, loadBefore := time.Now(), loadAverage()
	work, cleanup, err := workDir(cfg, "calls-bench-ratelimit-")
	if err != nil {
		return err
	}
	defer cleanup()
	ours := &variant{key: "ours", label: "ours", pluginDir: filepath.Join(work, "plugin")}
	step("building the provider")
	if err := goBuild(ctx, cfg, ours.pluginDir, "."); err != nil {
		return err
	}
	ours.tfrc = filepath.Join(work, "dev.tfrc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"calls-terraform/cloudflare\" = %q\n  }\n  direct {}\n}\n", ours.pluginDir)
	if err := os.WriteFile(ours.tfrc, []byte(rc), 0o600); err != nil {
		return err
	}

	free, err := rateLimitRunOnce(ctx, cfg, ours, filepath.Join(work, "free"), emulator.RateLimit{Disabled: true})
	if err != nil {
		return err
	}
	limited, err := rateLimitRunOnce(ctx, cfg, ours, filepath.Join(work, "limited"), cfg.rateLimit)
	if err != nil {
		return err
	}
	var shared *sharedTokenRun
	if cfg.pipelines > 0 {
		run, err := runSharedToken(ctx, cfg, ours, filepath.Join(work, "shared-token"))
		if err != nil {
			return err
		}
		shared = &run
	}
	mc := describeMachine(ctx, cfg)
	mc.loadBefore = loadBefore
	return writeRateLimitReport(cfg, mc, free, limited, shared, time.Since(started))
}

// rateLimitRunOnce applies, plans and destroys cfg.apps apps against a fresh
// emulator with limit. A Terraform command that fails is recorded (its
// errors counted), not returned: the report says what happened.
func rateLimitRunOnce(ctx context.Context, cfg config, v *variant, dir string, limit emulator.RateLimit) (rateLimitRun, error) {
	token := randomHex(20)
	em, err := emulator.Start(emulator.Options{Tokens: []string{token}, Latency: cfg.latency, RateLimit: limit})
	if err != nil {
		return rateLimitRun{}, fmt.Errorf("starting the emulator: %w", err)
	}
	defer em.Close()
	run := rateLimitRun{Limit: em.RateLimit().String()}
	step(fmt.Sprintf("emulator at %s, %s per request, rate limit %s", em.URL, cfg.latency, run.Limit))

	account := accountID(cfg.apps, 0, "rate-limit")
	if err := writeConfig(dir, cfg.apps, account); err != nil {
		return run, err
	}
	tf := &terraformRunner{cfg: cfg, baseEnv: terraformEnv(token, em.URL)}
	parallelism := fmt.Sprintf("-parallelism=%d", cfg.parallelism)
	phases := []struct {
		name string
		args []string
		// check says what is wrong with the emulator's state after the phase.
		check func(exit int) string
	}{
		{"apply (create)", []string{"apply", "-input=false", "-no-color", "-auto-approve", parallelism}, func(int) string {
			if n := len(em.Apps(account)); n != cfg.apps {
				return fmt.Sprintf("%d apps exist, want %d", n, cfg.apps)
			}
			return ""
		}},
		{"plan (unchanged)", []string{"plan", "-input=false", "-no-color", "-detailed-exitcode", parallelism}, func(exit int) string {
			if exit != 0 {
				return fmt.Sprintf("exit %d, want 0 (no changes)", exit)
			}
			return ""
		}},
		{"destroy", []string{"destroy", "-input=false", "-no-color", "-auto-approve", parallelism}, func(int) string {
			if n := len(em.Apps(account)); n != 0 {
				return fmt.Sprintf("%d apps left", n)
			}
			return ""
		}},
	}
	for _, ph := range phases {
		before, refusedBefore := em.TotalRequests(), em.RateLimited()
		step(fmt.Sprintf("%s: %s of %d apps with %s", run.Limit, ph.name, cfg.apps, parallelism))
		out, err := tf.run(ctx, v, dir, false, ph.args...)
		if err != nil {
			return run, err
		}
		p := rateLimitPhase{Name: ph.name, Wall: out.wall, Requests: em.TotalRequests() - before, Refused: em.RateLimited() - refusedBefore,
			ExitCode: out.exitCode, Errors: strings.Count(out.stdout+out.stderr, "Error: ")}
		if ph.name != "plan (unchanged)" && out.exitCode != 0 && p.Errors == 0 {
			p.Errors = 1
		}
		if problem := ph.check(out.exitCode); problem != "" {
			p.Errors = max(p.Errors, 1)
			fmt.Fprintf(os.Stderr, "bench: %s: %s:\n%s\n", ph.name, problem, out.tail())
		}
		step(fmt.Sprintf("%s: %s in %s, %d requests, %d refused, %d errors", run.Limit, ph.name, out.wall.Round(time.Second), p.Requests, p.Refused, p.Errors))
		run.Phases = append(run.Phases, p)
	}
	return run, nil
}

// rerenderRateLimit writes the report again from a rate-limit.json, as
// after a change to the report's wording: nothing is measured.
func rerenderRateLimit(cfg config, path string) error {
	data, err := os.ReadFile(path) //nolint:gosec // a results file the user names
	if err != nil {
		return err
	}
	var saved struct {
		Apps        int           `json:"apps"`
		Parallelism int           `json:"parallelism"`
		Latency     time.Duration `json:"latency_ns"`
		Elapsed     time.Duration `json:"elapsed_ns"`
		Free        rateLimitRun  `json:"free"`
		Limited     rateLimitRun  `json:"limited"`
		// Absent from reports written before the scenario existed.
		SharedToken *sharedTokenRun `json:"shared_token"`
		Machine     struct {
			NProc      int       `json:"nproc"`
			CPUModel   string    `json:"cpu_model"`
			Kernel     string    `json:"kernel"`
			Go         string    `json:"go"`
			Terraform  string    `json:"terraform"`
			Date       time.Time `json:"date"`
			LoadBefore string    `json:"load_before"`
			LoadAfter  string    `json:"load_after"`
		} `json:"machine"`
	}
	if err := json.Unmarshal(data, &saved); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	cfg.apps, cfg.parallelism, cfg.latency = saved.Apps, saved.Parallelism, saved.Latency
	if cfg.rateLimit, err = emulator.ParseRateLimit(saved.Limited.Limit); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	m := saved.Machine
	mc := machine{nproc: m.NProc, cpuModel: m.CPUModel, kernel: m.Kernel, goVersion: m.Go, terraform: m.Terraform, date: m.Date,
		loadBefore: m.LoadBefore, loadAfter: m.LoadAfter}
	return writeRateLimitReport(cfg, mc, saved.Free, saved.Limited, saved.SharedToken, saved.Elapsed)
}

// writeRateLimitReport writes the single run's report and, when shared is
// not nil, the shared-token scenario's.
func writeRateLimitReport(cfg config, mc machine, free, limited rateLimitRun, shared *sharedTokenRun, elapsed time.Duration) error {
	freeWall, freeRequests, _, freeErrors := free.total()
	wall, requests, refused, errs := limited.total()
	rule := cfg.rateLimit
	if rule.Requests == 0 {
		rule = emulator.RateLimit{Requests: emulator.DefaultRateLimitRequests, Window: emulator.DefaultRateLimitWindow}
	}
	least := leastTime(requests, rule.Requests, rule.Window, freeWall, freeRequests)
	full := int64(math.Ceil(float64(requests)/float64(rule.Requests))) - 1
	ruleFloor := time.Duration(full) * rule.Window
	strict := least
	if full >= 1 {
		strict = min(least, ruleFloor)
	}
	ratio := wall.Seconds() / strict.Seconds()

	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s by `make bench-rate-limit` (`go run ./cmd/bench -mode rate-limit`, %s in all): %s apps created, "+
		"planned and destroyed with `-parallelism=%d` against the emulator with the rule %s per credential (a block of one window "+
		"past it), %s of latency per request.\n\n", mc.date.Format("2006-01-02 15:04 UTC"), elapsed.Round(time.Second),
		thousands(int64(cfg.apps)), cfg.parallelism, limited.Limit, cfg.latency)
	b.WriteString("| run | phase | time | requests | refused by the rate limit | errors |\n|---|---|---:|---:|---:|---:|\n")
	for _, r := range []struct {
		label string
		run   rateLimitRun
	}{{"no rate limit (T_free)", free}, {"rate limit " + limited.Limit, limited}} {
		for _, p := range r.run.Phases {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %d |\n", r.label, p.Name, seconds(p.Wall), thousands(p.Requests), p.Refused, p.Errors)
		}
		w, n, rf, e := r.run.total()
		fmt.Fprintf(&b, "| %s | **total** | **%s** | **%s** | **%d** | **%d** |\n", r.label, seconds(w), thousands(n), rf, e)
	}
	fmt.Fprintf(&b, "\nThe least time the rule allows for N = %s requests, with Q = %s per W = %s: "+
		"(ceil(N/Q) − 1) · W + T_free · (N − (ceil(N/Q) − 1) · Q) / N_free = %d · %s + %s · %s / %s = **%s**. "+
		"The last window cannot open before ceil(N/Q) − 1 full windows have passed since the first request, and its requests "+
		"take at least their share of the same run with no limit (T_free = %s for N_free = %s requests).\n\n",
		thousands(requests), thousands(int64(rule.Requests)), rule.Window, full, rule.Window, seconds(freeWall),
		thousands(requests-full*int64(rule.Requests)), thousands(freeRequests), seconds(least), seconds(freeWall), thousands(freeRequests))
	b.WriteString("### Targets\n\n")
	fmt.Fprintf(&b, "- No request refused by the rate limit: **%s** (%d).\n", verdict(refused == 0), refused)
	fmt.Fprintf(&b, "- No error: **%s** (%d; %d in the run without a limit).\n", verdict(errs == 0 && freeErrors == 0), errs, freeErrors)
	if full >= 1 {
		fmt.Fprintf(&b, "- Total time within %.1f× the least: **%s**: %s is %.2f× the rule's own floor, (ceil(N/Q) − 1) · W = %s, and %.2f× "+
			"the least with T_free (%s). The second depends on the machine's load in the run without a limit (see the load averages "+
			"below), so the target is judged against the first, the stricter.\n",
			maxRatio, verdict(ratio <= maxRatio), seconds(wall), wall.Seconds()/ruleFloor.Seconds(), seconds(ruleFloor), wall.Seconds()/least.Seconds(), seconds(least))
	} else {
		fmt.Fprintf(&b, "- Total time within %.1f× the least: **%s** (%s against %s, %.2f×).\n", maxRatio, verdict(ratio <= maxRatio), seconds(wall), seconds(least), ratio)
	}
	sharedMet := true
	if shared != nil {
		var err error
		if sharedMet, err = writeSharedTokenReport(&b, *shared); err != nil {
			return err
		}
	}
	fmt.Fprintf(&b, "\nMachine: %s, `nproc` %d, Linux %s, %s, %s; load average %s at the start and %s at the end.\n",
		mc.cpuModel, mc.nproc, mc.kernel, mc.goVersion, mc.terraform, mc.loadBefore, mc.loadAfter)

	fmt.Println(b.String())
	if err := os.MkdirAll(cfg.outDir, 0o750); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(cfg.outDir, "rate-limit.md"), []byte("# `make bench-rate-limit` results\n\n"+b.String()), 0o644); err != nil { //nolint:gosec // a document for the repository
		return err
	}
	raw, err := json.MarshalIndent(map[string]any{
		"apps": cfg.apps, "parallelism": cfg.parallelism, "latency_ns": cfg.latency,
		"free": free, "limited": limited, "least_ns": least, "rule_floor_ns": ruleFloor, "ratio_to_least": ratio, "elapsed_ns": elapsed,
		"rate_limit": cfg.rateLimit.String(), "shared_token": shared,
		"machine": map[string]any{"nproc": mc.nproc, "cpu_model": mc.cpuModel, "kernel": mc.kernel, "go": mc.goVersion, "terraform": mc.terraform,
			"date": mc.date, "load_before": mc.loadBefore, "load_after": mc.loadAfter},
	}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(cfg.outDir, "rate-limit.json"), append(raw, '\n'), 0o644); err != nil { //nolint:gosec // a document for the repository
		return err
	}
	step("wrote rate-limit.md and rate-limit.json to " + cfg.outDir)
	if refused != 0 || errs != 0 || freeErrors != 0 || ratio > maxRatio {
		return fmt.Errorf("targets missed: %d refused, %d errors, %.2f× the least time", refused, errs+freeErrors, ratio)
	}
	if !sharedMet {
		return fmt.Errorf("targets of the %d pipelines sharing one token missed: %d refused, %d errors, %d apps left",
			len(shared.Pipelines), shared.Refused, shared.errors(), shared.AppsLeft)
	}
	return nil
}
