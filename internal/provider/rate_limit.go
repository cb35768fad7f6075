package provider

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

// Cloudflare allows each user (token, or email and key) 1,200 requests per
// 5 minutes, across every tool using the credential; past it every request
// is refused for 5 minutes. The client's pacer (callsapi.Pacer) keeps this
// provider under the limit; what is left to this layer is to say so.

// logRateLimit is the one warning per hold: how long requests wait, and why.
func logRateLimit(ctx context.Context, hold callsapi.RateLimitHold) {
	fields := map[string]any{
		"wait_seconds": int64((hold.Wait + time.Second - 1) / time.Second),
		"until":        hold.Until.UTC().Format(time.RFC3339),
		"reason":       hold.Reason(),
	}
	if hold.Quota > 0 {
		fields["remaining"], fields["quota"] = hold.Remaining, hold.Quota
	}
	msg := "Cloudflare API rate limit: holding requests until the window resets"
	if hold.Blocked {
		msg = "Cloudflare API rate limit exceeded: waiting out the block (Retry-After) before sending more requests"
	}
	tflog.Warn(ctx, msg, fields)
}

// longHold is the shortest hold worth a warning in the run's output: a
// shorter one is ordinary pacing, or a blip the log has.
const longHold = 5 * time.Second

// rateLimitHolds are the long holds of the rate limit this provider process
// has seen and not yet told the user of. A hold stops every request of the
// process, so one warning says it for every resource that waited.
type rateLimitHolds struct {
	mu      sync.Mutex
	pending []callsapi.RateLimitHold
}

// record is the client's OnRateLimit, beside logRateLimit.
func (h *rateLimitHolds) record(hold callsapi.RateLimitHold) {
	if hold.Wait < longHold {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pending = append(h.pending, hold)
}

// warn adds the one warning for the holds not yet told of, once they are
// over: an operation that ends while requests are still held did not wait
// the hold out (it failed, with an error that says why, or sent nothing),
// and the operations that do wait it out end after it.
func (h *rateLimitHolds) warn(diags *diag.Diagnostics) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.pending) == 0 || time.Now().Before(h.pending[len(h.pending)-1].Until) {
		return
	}
	var total time.Duration
	for _, hold := range h.pending {
		total += hold.Wait
	}
	last := h.pending[len(h.pending)-1]
	waited := roundedUp(total)
	times := ""
	if len(h.pending) > 1 {
		times = fmt.Sprintf(", in %d holds", len(h.pending))
	}
	h.pending = nil
	diags.AddWarning(fmt.Sprintf("Cloudflare API rate limit held this run for %s", waited), fmt.Sprintf(
		"Requests to the Cloudflare API waited %s%s (the last until %s) before they could be sent: %s.\n\n"+
			"The limit, 1,200 requests per 5 minutes, counts every request made with this credential: this run's, those of other "+
			"Terraform runs and pipelines using it, and those of other tools (the dashboard, scripts). What helps: fewer pipelines "+
			"running at once with one token, or a token for each pipeline.",
		waited, times, last.Until.UTC().Format(time.RFC3339), last.Reason()))
}

// roundedUp is d in whole seconds, rounded up.
func roundedUp(d time.Duration) time.Duration {
	return (d + time.Second - 1).Truncate(time.Second)
}

// rateLimitDetail is the diagnostic detail of a call that the rate limit
// stopped before its time budget could wait it out: what happened, how long
// the limit holds requests, and the setting to raise. ok is false for any
// other error.
func rateLimitDetail(err error) (detail string, ok bool) {
	return rateLimitDetailWithin(err, "what is left of the call's time budget, retry_timeout_seconds",
		fmt.Sprintf("Raise retry_timeout_seconds (at most %d; the default, %d, waits out a full 5-minute block)",
			maxRetryTimeoutSeconds, defaultRetryTimeoutSeconds))
}

// rateLimitDetailWithin is rateLimitDetail for a call whose budget was
// budget ("what is left of ..."), which raise says how to lengthen.
func rateLimitDetailWithin(err error, budget, raise string) (detail string, ok bool) {
	wait, ok := callsapi.RateLimitedFor(err)
	if !ok {
		return "", false
	}
	lead := "The Cloudflare API refused the request: "
	var held *callsapi.RateLimitWaitError
	if errors.As(err, &held) {
		lead = "The request was not sent: "
	}
	return lead + err.Error() + fmt.Sprintf("\n\nThe API's rate limit holds this credential's requests for another %s, longer than %s. "+
		"%s for the provider to wait, or run Terraform again after %s. The limit, 1,200 requests per 5 minutes, is "+
		"shared by every tool using this credential (the dashboard, scripts, other pipelines).",
		(wait+time.Second-1).Truncate(time.Second), budget, raise, time.Now().Add(wait).UTC().Format(time.RFC3339)), true
}
