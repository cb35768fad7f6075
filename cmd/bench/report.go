package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// machine describes where the numbers came from.
type machine struct {
	nproc     int
	cpuModel  string
	free      string
	kernel    string
	goVersion string
	terraform string
	date      time.Time
	// loadBefore and loadAfter are /proc/loadavg when the bench began and
	// ended: other work on the machine makes the times noisier.
	loadBefore, loadAfter string
}

func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func describeMachine(ctx context.Context, cfg config) machine {
	m := machine{nproc: runtime.NumCPU(), goVersion: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH, date: time.Now().UTC(), loadAfter: loadAverage()}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				m.cpuModel = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = strings.TrimSpace(string(data))
	}
	if out, err := exec.CommandContext(ctx, "free", "-h").Output(); err == nil {
		m.free = strings.TrimRight(string(out), "\n")
	}
	//nolint:gosec // the Terraform CLI the bench was pointed at
	if out, err := exec.CommandContext(ctx, cfg.terraform, "version").Output(); err == nil {
		m.terraform, _, _ = strings.Cut(string(out), "\n")
	}
	return m
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func medianKB(kbs []int64) int64 {
	s := slices.Clone(kbs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// pairedRatio is the median over repetitions of a's time over b's. The
// variants' plans alternate, so each pair ran under the same load on the
// machine; this is steadier than the ratio of the medians.
func pairedRatio(a, b []time.Duration) float64 {
	var ratios []float64
	for i := range min(len(a), len(b)) {
		ratios = append(ratios, a[i].Seconds()/b[i].Seconds())
	}
	slices.Sort(ratios)
	if len(ratios)%2 == 1 {
		return ratios[len(ratios)/2]
	}
	return (ratios[len(ratios)/2-1] + ratios[len(ratios)/2]) / 2
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func mib(kb int64) string { return fmt.Sprintf("%.1f MiB", float64(kb)/1024) }

// requestsOf is the requests of a variant's timed plans, or a note when they
// were not the same in every plan.
func requestsOf(m *measurement) string {
	first := describeRequests(m.requests[0])
	for _, r := range m.requests[1:] {
		if describeRequests(r) != first {
			all := make([]string, len(m.requests))
			for i, r := range m.requests {
				all[i] = describeRequests(r)
			}
			return "varied: " + strings.Join(all, "; ")
		}
	}
	return first
}

func writeReport(res *results) error {
	var b strings.Builder
	cfg := res.cfg
	mc := res.machine
	fmt.Fprintf(&b, "Measured %s by `make bench` (%s in all), emulator latency %s per request, no rate limit;\n",
		mc.date.Format("2006-01-02 15:04 UTC"), res.elapsed.Round(time.Second), cfg.latency)
	fmt.Fprintf(&b, "%d timed plans per cell (variants interleaved, after one warm-up each) and %d timed applies.\n\n", cfg.reps, cfg.applyReps)

	b.WriteString("| apps | provider | plan of unchanged apps, median (min–max) | vs floor: medians / paired | API requests per plan | apply (create), median | provider peak RSS, median (min–max) |\n")
	b.WriteString("|---:|---|---:|---:|---|---:|---:|\n")
	for _, n := range cfg.counts {
		floor := res.byCount[n]["floor"]
		floorMedian := median(floor.plans)
		for _, v := range res.variants {
			m := res.byCount[n][v.key]
			med := median(m.plans)
			apply := "same binary as ours"
			if len(m.applies) > 0 {
				apply = seconds(median(m.applies))
			}
			fmt.Fprintf(&b, "| %s | %s | %s (%.2f–%.2f) | %.2f× / %.2f× | %s | %s | %s (%.1f–%.1f) |\n",
				thousands(int64(n)), v.label, seconds(med), slices.Min(m.plans).Seconds(), slices.Max(m.plans).Seconds(),
				med.Seconds()/floorMedian.Seconds(), pairedRatio(m.plans, floor.plans), requestsOf(m), apply,
				mib(medianKB(m.peaksKB)), float64(slices.Min(m.peaksKB))/1024, float64(slices.Max(m.peaksKB))/1024)
		}
	}

	b.WriteString("\n### Targets\n\n")
	oneRequest, confirm := true, true
	var perN []string
	for _, n := range cfg.counts {
		m := res.byCount[n]["ours"]
		for _, r := range m.requests {
			oneRequest = oneRequest && total(r) == 1
		}
		c := res.confirmRequests[n]
		confirm = confirm && total(c) == 2
		perN = append(perN, fmt.Sprintf("%s apps: %s; one deleted out of band: %s", thousands(int64(n)), requestsOf(m), describeRequests(c)))
	}
	fmt.Fprintf(&b, "- Refreshing N apps of one account costs 1 API request, 2 when one must be confirmed: **%s** (%s).\n",
		verdict(oneRequest && confirm), strings.Join(perN, "; "))
	if m, ok := res.byCount[300]; ok {
		ratio := median(m["ours"].plans).Seconds() / median(m["floor"].plans).Seconds()
		paired := pairedRatio(m["ours"].plans, m["floor"].plans)
		fmt.Fprintf(&b, "- A plan of 300 unchanged apps takes at most 1.15× the floor's time (at %s per request): **%s**, %.2f× as a ratio of medians "+
			"(%s against %s), %.2f× as the median of the paired ratios.\n",
			cfg.latency, verdict(ratio <= 1.15 && paired <= 1.15), ratio, seconds(median(m["ours"].plans)), seconds(median(m["floor"].plans)), paired)
	}
	if len(cfg.counts) >= 2 {
		lo, hi := slices.Min(cfg.counts), slices.Max(cfg.counts)
		peak := func(n int, key string) int64 { return medianKB(res.byCount[n][key].peaksKB) }
		perApp := func(key string) float64 { return float64(peak(hi, key)-peak(lo, key)) / float64(hi-lo) }
		fmt.Fprintf(&b, "- Provider peak memory at %s apps: ours %s, floor %s, one GET per app %s (medians); ours minus the floor: %+.1f KiB per app. "+
			"From %s to %s apps the peak grows by %.1f KiB per app for ours and %.1f for the floor.\n",
			thousands(int64(hi)), mib(peak(hi, "ours")), mib(peak(hi, "floor")), mib(peak(hi, "get")),
			float64(peak(hi, "ours")-peak(hi, "floor"))/float64(hi),
			thousands(int64(lo)), thousands(int64(hi)), perApp("ours"), perApp("floor"))
	}

	fmt.Fprintf(&b, "\nMachine: %s, `nproc` %d, Linux %s, %s, %s; load average %s at the start and %s at the end.\n\n```text\n$ free -h\n%s\n```\n",
		mc.cpuModel, mc.nproc, mc.kernel, mc.goVersion, mc.terraform, mc.loadBefore, mc.loadAfter, mc.free)

	fmt.Println(b.String())
	if err := os.MkdirAll(cfg.outDir, 0o750); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(cfg.outDir, "results.md"), []byte("# `make bench` results\n\n"+b.String()), 0o644); err != nil { //nolint:gosec // a document for the repository
		return err
	}
	raw, err := rawJSON(res)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(cfg.outDir, "results.json"), raw, 0o644); err != nil { //nolint:gosec // a document for the repository
		return err
	}
	chart := filepath.Join(cfg.outDir, "plan-time.svg")
	if err := os.WriteFile(chart, renderChart(res), 0o644); err != nil { //nolint:gosec // a document for the repository
		return err
	}
	step("wrote results.md, results.json and plan-time.svg to " + cfg.outDir)
	return nil
}

// rawJSON is every sample, for whoever wants to compute something else.
func rawJSON(res *results) ([]byte, error) {
	type cell struct {
		Apps            int                `json:"apps"`
		Variant         string             `json:"variant"`
		PlanSeconds     []float64          `json:"plan_seconds"`
		PlanRequests    []map[string]int64 `json:"plan_requests"`
		ApplySeconds    []float64          `json:"apply_seconds,omitempty"`
		ProviderPeakKiB []int64            `json:"provider_peak_kib"`
	}
	secs := func(ds []time.Duration) []float64 {
		out := make([]float64, len(ds))
		for i, d := range ds {
			out[i] = math.Round(d.Seconds()*1000) / 1000
		}
		return out
	}
	var cells []cell
	for _, n := range res.cfg.counts {
		for _, v := range res.variants {
			m := res.byCount[n][v.key]
			cells = append(cells, cell{n, v.label, secs(m.plans), m.requests, secs(m.applies), m.peaksKB})
		}
	}
	out, err := json.MarshalIndent(map[string]any{
		"date":                       res.machine.date,
		"latency":                    res.cfg.latency.String(),
		"nproc":                      res.machine.nproc,
		"go":                         res.machine.goVersion,
		"terraform":                  res.machine.terraform,
		"cells":                      cells,
		"requests_after_one_deleted": res.confirmRequests,
	}, "", "  ")
	return append(out, '\n'), err
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}

var seriesColors = map[string]string{"floor": "#9aa0a6", "ours": "#f38020", "get": "#3b6ea5"}

// renderChart draws two grouped bar charts side by side: the median plan
// time and the API requests per plan (log scale), by number of apps.
func renderChart(res *results) []byte {
	const width, height = 980, 430
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="16" font-weight="bold" text-anchor="middle">terraform plan of unchanged cloudflare_calls_app resources, API latency %s per request</text>`+"\n",
		width/2, res.cfg.latency)

	timeOf := func(n int, key string) float64 { return median(res.byCount[n][key].plans).Seconds() }
	requestsOf := func(n int, key string) float64 {
		var all []int64
		for _, r := range res.byCount[n][key].requests {
			all = append(all, total(r))
		}
		return float64(slices.Max(all))
	}
	panel(&b, res, 20, 50, 460, 300, "median wall time (s)", false, timeOf, func(v float64) string { return fmt.Sprintf("%.2f", v) })
	panel(&b, res, 510, 50, 460, 300, "API requests per plan (log scale)", true, requestsOf, func(v float64) string { return thousands(int64(v)) })

	// Legend.
	x := 40
	for _, v := range res.variants {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" fill="%s"/>`, x, height-36, seriesColors[v.key])
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", x+20, height-24, escape(v.label))
		x += 20 + 7*len(v.label) + 30
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#5f6368" text-anchor="end">%s, nproc %d, %s</text>`+"\n",
		width-20, height-8, escape(res.machine.date.Format("2006-01-02")), res.machine.nproc, escape(res.machine.terraform))
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// panel draws one grouped bar chart in the box at (x, y) of size w×h.
func panel(b *bytes.Buffer, res *results, x, y, w, h int, title string, logScale bool,
	value func(n int, key string) float64, label func(float64) string) {
	const left, bottom, top = 50, 30, 24
	plotX, plotY := x+left, y+top
	plotW, plotH := w-left-10, h-top-bottom
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>`+"\n", plotX, y+12, escape(title))

	maxV := 0.0
	for _, n := range res.cfg.counts {
		for _, v := range res.variants {
			maxV = math.Max(maxV, value(n, v.key))
		}
	}
	var ticks []float64
	var scale func(float64) float64 // value to height in pixels
	if logScale {
		top := math.Max(1, math.Pow(10, math.Ceil(math.Log10(math.Max(maxV, 1)))))
		scale = func(v float64) float64 {
			if v < 1 {
				return 0
			}
			return float64(plotH) * (math.Log10(v) + 0.3) / (math.Log10(top) + 0.3)
		}
		for t := 1.0; t <= top; t *= 10 {
			ticks = append(ticks, t)
		}
	} else {
		step := niceStep(maxV / 5)
		top := math.Ceil(maxV/step) * step
		scale = func(v float64) float64 { return float64(plotH) * v / top }
		for t := 0.0; t <= top+step/2; t += step {
			ticks = append(ticks, t)
		}
	}
	for _, t := range ticks {
		ty := float64(plotY+plotH) - scale(t)
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e0e0e0"/>`, plotX, ty, plotX+plotW, ty)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end" fill="#5f6368">%s</text>`+"\n", plotX-6, ty+4, label(t))
	}
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#5f6368"/>`+"\n", plotX, plotY+plotH, plotX+plotW, plotY+plotH)

	groupW := float64(plotW) / float64(len(res.cfg.counts))
	barW := groupW * 0.8 / float64(len(res.variants))
	for i, n := range res.cfg.counts {
		gx := float64(plotX) + groupW*float64(i) + groupW*0.1
		for j, v := range res.variants {
			val := value(n, v.key)
			bh := scale(val)
			bx := gx + barW*float64(j)
			by := float64(plotY+plotH) - bh
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, %s apps: %s</title></rect>`+"\n",
				bx, by, barW-2, bh, seriesColors[v.key], escape(v.label), thousands(int64(n)), label(val))
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%s</text>`+"\n", bx+(barW-2)/2, by-3, label(val))
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s apps</text>`+"\n", gx+groupW*0.4, plotY+plotH+18, thousands(int64(n)))
	}
}

// niceStep rounds a raw tick step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
