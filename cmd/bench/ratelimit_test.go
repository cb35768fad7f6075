package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

func TestLeastTimeUnderTheRule(t *testing.T) {
	for _, tc := range []struct {
		name         string
		requests     int64
		freeWall     time.Duration
		freeRequests int64
		want         time.Duration
		quota        int
		window       time.Duration
	}{
		// 2,002 requests: one full window, then the last 802 at the free run's pace.
		{"two windows", 2002, 20 * time.Second, 2002, 300*time.Second + 20*time.Second*802/2002, 1200, 5 * time.Minute},
		{"within one window", 1000, 10 * time.Second, 1000, 10 * time.Second, 1200, 5 * time.Minute},
		{"exactly one window", 1200, 12 * time.Second, 1200, 12 * time.Second, 1200, 5 * time.Minute},
		{"one more than a window", 1201, 12 * time.Second, 1201, 5*time.Minute + 12*time.Second/1201, 1200, 5 * time.Minute},
		{"scaled", 202, 10 * time.Second, 202, 50*time.Second + 10*time.Second*2/202, 40, 10 * time.Second},
	} {
		got := leastTime(tc.requests, tc.quota, tc.window, tc.freeWall, tc.freeRequests)
		if d := got - tc.want; d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("%s: leastTime = %s, want %s", tc.name, got, tc.want)
		}
	}
}

// The rate-limit report can be written again from its JSON, word for word.
func TestRateLimitReportRerendersFromItsJSON(t *testing.T) {
	phases := func(scale time.Duration) rateLimitRun {
		return rateLimitRun{Limit: "40/10s", Phases: []rateLimitPhase{
			{Name: "apply (create)", Wall: 30 * scale, Requests: 100},
			{Name: "plan (unchanged)", Wall: scale, Requests: 1},
			{Name: "destroy", Wall: 30 * scale, Requests: 101},
		}}
	}
	dir := t.TempDir()
	cfg := config{mode: modeRateLimit, apps: 100, parallelism: 10, latency: 20 * time.Millisecond,
		rateLimit: emulator.RateLimit{Requests: 40, Window: 10 * time.Second}, outDir: dir}
	mc := machine{nproc: 2, cpuModel: "test CPU", date: time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC), loadBefore: "1 1 1", loadAfter: "2 2 2"}
	if err := writeRateLimitReport(cfg, mc, phases(100*time.Millisecond), phases(time.Second), nil, 90*time.Second); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(filepath.Join(dir, "rate-limit.md"))
	if err != nil {
		t.Fatal(err)
	}
	if err := rerenderRateLimit(config{mode: modeRateLimit, outDir: dir}, filepath.Join(dir, "rate-limit.json")); err != nil {
		t.Fatal(err)
	}
	again, err := os.ReadFile(filepath.Join(dir, "rate-limit.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(first) != string(again) {
		t.Errorf("the report written again differs:\n%s\n---\n%s", first, again)
	}
	if !bytes.Contains(first, []byte("1.22× the rule's own floor")) {
		t.Errorf("the report does not judge 61 s against the rule's floor of 50 s:\n%s", first)
	}
}

func TestRuleFloorOfTheSharedToken(t *testing.T) {
	rule := emulator.RateLimit{Requests: 1200, Window: 5 * time.Minute}
	for _, tc := range []struct {
		requests int64
		want     time.Duration
	}{
		{0, 0}, {1200, 0}, {1201, 5 * time.Minute},
		// Ten pipelines of 120 apps: 1,200 creates, 1,200 deletes and ten lists.
		{2410, 10 * time.Minute},
	} {
		if got := ruleFloor(tc.requests, rule); got != tc.want {
			t.Errorf("ruleFloor(%d) = %s, want %s", tc.requests, got, tc.want)
		}
	}
}

// The shared-token scenario is reported beside the single run, written again
// from the JSON word for word, and a single refused request or an app left
// behind misses its targets.
func TestSharedTokenReport(t *testing.T) {
	single := rateLimitRun{Limit: "120/30s", Phases: []rateLimitPhase{{Name: "apply (create)", Wall: time.Second, Requests: 40}}}
	ok := pipelineStep{Wall: 40 * time.Second}
	shared := sharedTokenRun{Limit: "120/30s", Apps: 40, Parallelism: 20, Latency: 100 * time.Millisecond, Wall: 66 * time.Second,
		Requests: 243, Pipelines: []pipeline{{ok, ok}, {ok, ok}, {ok, ok}}}
	cfg := config{mode: modeRateLimit, apps: 40, parallelism: 20, rateLimit: emulator.RateLimit{Requests: 120, Window: 30 * time.Second}}
	mc := machine{nproc: 2, date: time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)}

	cfg.outDir = t.TempDir()
	if err := writeRateLimitReport(cfg, mc, single, single, &shared, time.Minute); err != nil {
		t.Fatalf("targets met, yet: %v", err)
	}
	first, err := os.ReadFile(filepath.Join(cfg.outDir, "rate-limit.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### 3 pipelines sharing one token", "(ceil(N/Q) − 1) · W = **60.00 s**: the run took 1.10× it",
		"No request refused by the rate limit: **met** (0)", "Every run completed (each apply and destroy exited 0, every app created and destroyed): **met**"} {
		if !strings.Contains(string(first), want) {
			t.Errorf("the report does not say %q:\n%s", want, first)
		}
	}
	if err := rerenderRateLimit(config{mode: modeRateLimit, outDir: cfg.outDir}, filepath.Join(cfg.outDir, "rate-limit.json")); err != nil {
		t.Fatal(err)
	}
	if again, err := os.ReadFile(filepath.Join(cfg.outDir, "rate-limit.md")); err != nil || string(again) != string(first) {
		t.Errorf("the report written again differs (%v):\n%s\n---\n%s", err, first, again)
	}

	refused, left, failed := shared, shared, shared
	refused.Refused = 1
	left.AppsLeft = 2
	failed.Pipelines = []pipeline{{ok, pipelineStep{ExitCode: 1}}}
	for name, r := range map[string]sharedTokenRun{"one refused": refused, "apps left": left, "a destroy failed": failed} {
		cfg.outDir = t.TempDir()
		if err := writeRateLimitReport(cfg, mc, single, single, &r, time.Minute); err == nil || !strings.Contains(err.Error(), "sharing one token missed") {
			t.Errorf("%s: the targets are met (%v)", name, err)
		}
	}
}
