package provider

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// Three pipelines share one token (three workspaces of a monorepo, say):
// each, in a working folder of its own, applies then destroys 40 apps with
// -parallelism=20, all three started at once against one API 100 ms away
// whose rule is scaled down to 120 requests per 30 s (a block of 30 s past
// it). About 250 requests need three windows, and the three processes
// together could ask for the first window's quota three times over within a
// second: each must pace itself to its share of the token, which it learns
// only from how the count in the answers falls. Every run succeeds, the API
// refuses nothing, and every app created is destroyed.
//
// It runs three CLIs for a minute or two, so go test -short skips it.
func TestSharedToken_threePipelinesStayUnderTheQuota(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three Terraform CLIs at once for a minute or more")
	}
	t.Parallel()
	const pipelines, apps = 3, 40
	em, err := emulator.Start(emulator.Options{
		Tokens:    []string{testToken},
		RateLimit: emulator.RateLimit{Requests: 120, Window: 30 * time.Second},
		Latency:   100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Close)

	clis := make([]*cli, pipelines)
	for i := range clis {
		clis[i] = newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
		clis[i].write("main.tf", appsConfig(apps))
	}
	// Each pipeline's destroy starts as soon as its own apply ends, as a
	// pipeline's next step would; a destroy follows a failed apply too, as
	// a cleanup step does, so that the test leaves nothing behind to count.
	type phase struct {
		pipeline int
		destroy  bool
		run      *started
	}
	ended := make(chan phase, 2*pipelines) // never blocks a watcher once the test has ended
	begin := func(p phase, args ...string) {
		p.run = clis[p.pipeline].start(append(args, "-auto-approve", "-parallelism=20", "-no-color")...)
		go func() { <-p.run.done; ended <- p }()
	}
	start := time.Now()
	for i := range clis {
		begin(phase{pipeline: i}, "apply")
	}
	timeout := time.After(5 * time.Minute)
	for range 2 * pipelines {
		var p phase
		select {
		case p = <-ended:
		case <-timeout:
			t.Fatalf("the pipelines did not end within 5 minutes; %d requests, %d refused", em.TotalRequests(), em.RateLimited())
		}
		out, code := p.run.out.String(), p.run.code
		what, want := "apply", fmt.Sprintf("%d added, 0 changed, 0 destroyed", apps)
		if p.destroy {
			what, want = "destroy", fmt.Sprintf("%d destroyed", apps)
		}
		if code != 0 || strings.Contains(out, "Error: ") || !strings.Contains(out, want) {
			t.Errorf("pipeline %d: %s exited %d, want 0 and %q without an error:\n%s", p.pipeline, what, code, want, out)
		}
		if !p.destroy {
			begin(phase{pipeline: p.pipeline, destroy: true}, "destroy")
		}
	}
	elapsed := time.Since(start)

	sent := em.TotalRequests()
	if refused, tooMany := em.RateLimited(), em.Statuses()[http.StatusTooManyRequests]; refused != 0 || tooMany != 0 {
		t.Errorf("the rate limit refused %d of %d requests (%d answers 429); want none: the pipelines together exceeded the token's quota",
			refused, sent, tooMany)
	}
	if n := em.AppCount(); n != 0 {
		t.Errorf("%d apps left after the destroys, want 0", n)
	}
	// More requests than two windows allow, or the test proves less than it says.
	if quota := int64(em.RateLimit().Requests); sent <= 2*quota {
		t.Errorf("%d requests sent, want more than two windows' quota (%d)", sent, 2*quota)
	}
	t.Logf("%d pipelines, %d requests in %s, %d refused", pipelines, sent, elapsed.Round(time.Second), em.RateLimited())
}
