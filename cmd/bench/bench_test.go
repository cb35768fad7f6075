package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

func TestAccountIDsAreValidAndDistinct(t *testing.T) {
	valid := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := map[string]bool{}
	for _, n := range []int{100, 300, 1000} {
		for rep := range 5 {
			for _, key := range []string{"floor", "ours"} {
				id := accountID(n, rep, key)
				if !valid.MatchString(id) {
					t.Errorf("accountID(%d, %d, %q) = %q, not 32 lowercase hex characters", n, rep, key, id)
				}
				if seen[id] {
					t.Errorf("accountID(%d, %d, %q) = %q is used twice", n, rep, key, id)
				}
				seen[id] = true
			}
		}
	}
}

func TestDescribeRequestsNamesListsAndGETs(t *testing.T) {
	for _, tc := range []struct {
		counters map[string]int64
		want     string
	}{
		{nil, "0"},
		{map[string]int64{"GET /accounts/{account_id}/calls/apps": 1}, "1 list"},
		{map[string]int64{"GET /accounts/{account_id}/calls/apps/{app_id}": 1000}, "1,000 GET"},
		{map[string]int64{"GET /accounts/{account_id}/calls/apps": 1, "GET /accounts/{account_id}/calls/apps/{app_id}": 1}, "1 list + 1 GET"},
	} {
		if got := describeRequests(tc.counters); got != tc.want {
			t.Errorf("describeRequests(%v) = %q, want %q", tc.counters, got, tc.want)
		}
	}
}

func TestMedian(t *testing.T) {
	if got := median([]time.Duration{3, 1, 2}); got != 2 {
		t.Errorf("median of 3, 1, 2 = %v", got)
	}
	if got := median([]time.Duration{4, 1, 2, 3}); got != 2 {
		t.Errorf("median of 4, 1, 2, 3 = %v (integer halfway)", got)
	}
	if got := medianKB([]int64{10, 30, 20}); got != 20 {
		t.Errorf("medianKB = %v", got)
	}
}

func TestChartIsWellFormedSVG(t *testing.T) {
	res := &results{
		cfg:      config{counts: []int{100, 300}, latency: 50 * time.Millisecond},
		variants: []*variant{{key: "floor", label: "floor"}, {key: "ours", label: "ours <list>"}, {key: "get", label: "get & co"}},
		byCount:  map[int]map[string]*measurement{},
	}
	for _, n := range res.cfg.counts {
		res.byCount[n] = map[string]*measurement{
			"floor": {plans: []time.Duration{time.Second}, requests: []map[string]int64{{}}},
			"ours":  {plans: []time.Duration{time.Second}, requests: []map[string]int64{{"GET /accounts/{account_id}/calls/apps": 1}}},
			"get":   {plans: []time.Duration{2 * time.Second}, requests: []map[string]int64{{"GET /accounts/{account_id}/calls/apps/{app_id}": int64(n)}}},
		}
	}
	dec := xml.NewDecoder(bytes.NewReader(renderChart(res)))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v", err)
		}
	}
}

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
