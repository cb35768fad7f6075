package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

// sensitiveFieldKeys are log field names whose values are always masked.
var sensitiveFieldKeys = []string{"secret", "key", "api_token", "api_key", "token", "authorization"}

// maskCredentials returns ctx with every given non-empty string masked in log
// messages and fields, and with the sensitive field keys masked. The client
// never hands bodies or headers to the logger; this is the second line.
func maskCredentials(ctx context.Context, values ...string) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, sensitiveFieldKeys...)
	var nonEmpty []string
	for _, v := range values {
		if v != "" {
			nonEmpty = append(nonEmpty, v)
		}
	}
	if len(nonEmpty) > 0 {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, nonEmpty...)
		ctx = tflog.MaskMessageStrings(ctx, nonEmpty...)
	}
	return ctx
}

// logRequest writes one structured line per API exchange. It sees no bodies
// or headers.
func logRequest(ctx context.Context, info callsapi.RequestInfo) {
	fields := map[string]any{
		"method":      info.Method,
		"path":        info.Path,
		"status":      info.StatusCode,
		"duration_ms": info.Duration.Milliseconds(),
		"attempt":     info.Attempt,
	}
	if info.RetryIn > 0 {
		fields["retry_in_ms"] = info.RetryIn.Milliseconds()
	}
	if info.Paced > 0 {
		fields["paced_ms"] = info.Paced.Milliseconds() // held back by the rate-limit pacer before it was sent
	}
	if len(info.ErrorCodes) > 0 {
		fields["cloudflare_error_codes"] = info.ErrorCodes
	}
	if info.Err != nil {
		fields["error"] = info.Err.Error()
	}
	tflog.Debug(ctx, "Cloudflare API request", fields)
}
