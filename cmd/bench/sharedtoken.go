package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// The rate-limit mode's second scenario: pipelines that share one token (the
// workspaces of a monorepo, parallel CI jobs), each in a working folder of
// its own creating then destroying -pipeline-apps apps with -parallelism,
// all started at once against one emulator enforcing the rule, the API
// -pipeline-latency away. Each provider process sees only its own requests;
// the count in the answers is the only sign of the others. It reports the
// requests the limit refused (one is enough to lock the token out for a
// window), the errors, whether every run completed, and the time beside the
// rule's floor for the requests sent, (ceil(N/Q) − 1) · W.

// pipelineStep is one Terraform command of one pipeline.
type pipelineStep struct {
	Wall     time.Duration `json:"wall_ns"`
	ExitCode int           `json:"exit_code"`
	Errors   int           `json:"errors"`
	// Problem says what was wrong with the emulator's apps after the step.
	Problem string `json:"problem,omitempty"`
}

func (s pipelineStep) ok() bool { return s.ExitCode == 0 && s.Errors == 0 && s.Problem == "" }

type pipeline struct {
	Apply   pipelineStep `json:"apply"`
	Destroy pipelineStep `json:"destroy"`
}

// sharedTokenRun is the scenario, whole.
type sharedTokenRun struct {
	Limit       string        `json:"rate_limit"`
	Apps        int           `json:"apps_per_pipeline"`
	Parallelism int           `json:"parallelism"`
	Latency     time.Duration `json:"latency_ns"`
	// Wall is from the first start to the last exit.
	Wall      time.Duration `json:"wall_ns"`
	Requests  int64         `json:"requests"`
	Refused   int64         `json:"refused_by_the_rate_limit"`
	AppsLeft  int           `json:"apps_left"`
	Pipelines []pipeline    `json:"pipelines"`
}

func (r sharedTokenRun) errors() int {
	n := 0
	for _, p := range r.Pipelines {
		n += p.Apply.Errors + p.Destroy.Errors
	}
	return n
}

// completed is true when every apply and destroy succeeded and nothing was
// left behind.
func (r sharedTokenRun) completed() bool {
	for _, p := range r.Pipelines {
		if !p.Apply.ok() || !p.Destroy.ok() {
			return false
		}
	}
	return r.AppsLeft == 0 && len(r.Pipelines) > 0
}

// ruleFloor is the least time the rule allows for the run's requests: the
// last of ceil(N/Q) windows cannot open before the others have passed.
func ruleFloor(requests int64, rule emulator.RateLimit) time.Duration {
	if requests <= 0 {
		return 0
	}
	full := int64(math.Ceil(float64(requests)/float64(rule.Requests))) - 1
	return time.Duration(full) * rule.Window
}

// runSharedToken runs cfg.pipelines pipelines at once against one emulator
// with cfg.rateLimit. A Terraform command that fails is recorded, not
// returned: the report says what happened.
func runSharedToken(ctx context.Context, cfg config, v *variant, dir string) (sharedTokenRun, error) {
	token := randomHex(20)
	em, err := emulator.Start(emulator.Options{Tokens: []string{token}, Latency: cfg.pipelineLatency, RateLimit: cfg.rateLimit})
	if err != nil {
		return sharedTokenRun{}, fmt.Errorf("starting the emulator: %w", err)
	}
	defer em.Close()
	run := sharedTokenRun{Limit: em.RateLimit().String(), Apps: cfg.pipelineApps, Parallelism: cfg.parallelism, Latency: cfg.pipelineLatency,
		Pipelines: make([]pipeline, cfg.pipelines)}
	step(fmt.Sprintf("emulator at %s, %s per request, rate limit %s: %d pipelines on one token, each creating then destroying %d apps with -parallelism=%d",
		em.URL, cfg.pipelineLatency, run.Limit, cfg.pipelines, cfg.pipelineApps, cfg.parallelism))

	tf := &terraformRunner{cfg: cfg, baseEnv: terraformEnv(token, em.URL)}
	parallelism := fmt.Sprintf("-parallelism=%d", cfg.parallelism)
	accounts, dirs := make([]string, cfg.pipelines), make([]string, cfg.pipelines)
	for i := range cfg.pipelines {
		accounts[i], dirs[i] = accountID(cfg.pipelineApps, i, "shared-token"), filepath.Join(dir, fmt.Sprintf("pipeline-%02d", i+1))
		if err := writeConfig(dirs[i], cfg.pipelineApps, accounts[i]); err != nil {
			return run, err
		}
	}
	// runStep runs one command of pipeline i and checks how many of its
	// apps exist afterwards.
	runStep := func(i int, args []string, wantApps int) (pipelineStep, error) {
		out, err := tf.run(ctx, v, dirs[i], false, append(args, "-input=false", "-no-color", "-auto-approve", parallelism)...)
		if err != nil {
			return pipelineStep{}, err
		}
		s := pipelineStep{Wall: out.wall, ExitCode: out.exitCode, Errors: strings.Count(out.stdout+out.stderr, "Error: ")}
		if n := len(em.Apps(accounts[i])); n != wantApps {
			s.Problem = fmt.Sprintf("%d apps exist after %s, want %d", n, args[0], wantApps)
		}
		if !s.ok() {
			fmt.Fprintf(os.Stderr, "bench: pipeline %d: %s exited %d %s:\n%s\n", i+1, args[0], s.ExitCode, s.Problem, out.tail())
		}
		return s, nil
	}
	var wg sync.WaitGroup
	failures := make([]error, cfg.pipelines)
	start := time.Now()
	for i := range cfg.pipelines {
		wg.Go(func() {
			p := &run.Pipelines[i]
			// The destroy follows a failed apply too, as a pipeline's
			// cleanup step would: what was created is removed either way.
			if p.Apply, failures[i] = runStep(i, []string{"apply"}, cfg.pipelineApps); failures[i] != nil {
				return
			}
			p.Destroy, failures[i] = runStep(i, []string{"destroy"}, 0)
			step(fmt.Sprintf("pipeline %d done in %s: apply exit %d, destroy exit %d; %d requests so far, %d refused",
				i+1, time.Since(start).Round(time.Second), p.Apply.ExitCode, p.Destroy.ExitCode, em.TotalRequests(), em.RateLimited()))
		})
	}
	wg.Wait()
	run.Wall, run.Requests, run.Refused, run.AppsLeft = time.Since(start), em.TotalRequests(), em.RateLimited(), em.AppCount()
	for _, err := range failures {
		if err != nil {
			return run, err
		}
	}
	step(fmt.Sprintf("%d pipelines in %s: %d requests, %d refused, %d errors, %d apps left", cfg.pipelines,
		run.Wall.Round(time.Second), run.Requests, run.Refused, run.errors(), run.AppsLeft))
	return run, nil
}

// writeSharedTokenReport adds the scenario's section to the report and
// returns whether its targets were met.
func writeSharedTokenReport(b *strings.Builder, r sharedTokenRun) (met bool, err error) {
	rule, err := emulator.ParseRateLimit(r.Limit)
	if err != nil {
		return false, err
	}
	fmt.Fprintf(b, "\n### %d pipelines sharing one token\n\n", len(r.Pipelines))
	fmt.Fprintf(b, "%d pipelines on one token (the workspaces of a monorepo, parallel CI jobs), each in a working folder of its own, "+
		"created then destroyed %s apps with `-parallelism=%d`, all started at once against one emulator with the rule %s per credential, "+
		"%s of latency per request. Each provider process sees only its own requests; how fast the count in the answers falls is "+
		"its only sign of the others.\n\n", len(r.Pipelines), thousands(int64(r.Apps)), r.Parallelism, r.Limit, r.Latency)
	b.WriteString("| pipeline | apply | destroy | errors |\n|---|---:|---:|---:|\n")
	for i, p := range r.Pipelines {
		fmt.Fprintf(b, "| %d | %s | %s | %d |\n", i+1, describeStep(p.Apply), describeStep(p.Destroy), p.Apply.Errors+p.Destroy.Errors)
	}
	floor := ruleFloor(r.Requests, rule)
	fmt.Fprintf(b, "\nIn all: **%s** from the first start to the last exit, %s requests, %d refused by the rate limit, %d apps left. ",
		seconds(r.Wall), thousands(r.Requests), r.Refused, r.AppsLeft)
	if floor > 0 {
		fmt.Fprintf(b, "The rule's floor for N = %s requests, with Q = %s per W = %s, is (ceil(N/Q) − 1) · W = **%s**: the run took %.2f× it.\n\n",
			thousands(r.Requests), thousands(int64(rule.Requests)), rule.Window, seconds(floor), r.Wall.Seconds()/floor.Seconds())
	} else {
		fmt.Fprintf(b, "N = %s requests fit in one window of Q = %s: the rule sets no floor beyond the run's own time.\n\n",
			thousands(r.Requests), thousands(int64(rule.Requests)))
	}
	errs, completed := r.errors(), r.completed()
	fmt.Fprintf(b, "- No request refused by the rate limit: **%s** (%d).\n", verdict(r.Refused == 0), r.Refused)
	fmt.Fprintf(b, "- No error: **%s** (%d).\n", verdict(errs == 0), errs)
	fmt.Fprintf(b, "- Every run completed (each apply and destroy exited 0, every app created and destroyed): **%s**.\n", verdict(completed))
	return r.Refused == 0 && errs == 0 && completed, nil
}

func describeStep(s pipelineStep) string {
	d := seconds(s.Wall)
	if s.ExitCode != 0 {
		d += fmt.Sprintf(" (exit %d)", s.ExitCode)
	}
	if s.Problem != "" {
		d += " (" + s.Problem + ")"
	}
	return d
}
