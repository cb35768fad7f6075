package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

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

// rateLimitDetail is the diagnostic detail of a call that the rate limit
// stopped before its time budget could wait it out: what happened, how long
// the limit holds requests, and the setting to raise. ok is false for any
// other error.
func rateLimitDetail(err error) (detail string, ok bool) {
	wait, ok := callsapi.RateLimitedFor(err)
	if !ok {
		return "", false
	}
	lead := "The Cloudflare API refused the request: "
	var held *callsapi.RateLimitWaitError
	if errors.As(err, &held) {
		lead = "The request was not sent: "
	}
	return lead + err.Error() + fmt.Sprintf("\n\nThe API's rate limit holds this credential's requests for another %s, longer than what is "+
		"left of the call's time budget, retry_timeout_seconds. Raise retry_timeout_seconds (at most %d; the default, %d, waits out a "+
		"full 5-minute block) for the provider to wait, or run Terraform again after %s. The limit, 1,200 requests per 5 minutes, is "+
		"shared by every tool using this credential (the dashboard, scripts, other pipelines).",
		(wait+time.Second-1).Truncate(time.Second), maxRetryTimeoutSeconds, defaultRetryTimeoutSeconds,
		time.Now().Add(wait).UTC().Format(time.RFC3339)), true
}
