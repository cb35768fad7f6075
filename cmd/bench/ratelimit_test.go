package main

import (
	"bytes"
	"os"
	"path/filepath"
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
	if err := writeRateLimitReport(cfg, mc, phases(100*time.Millisecond), phases(time.Second), 90*time.Second); err != nil {
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
