package provider

import (
	"context"
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
