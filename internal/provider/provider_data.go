package provider

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
	"github.com/calls-terraform/terraform-provider-cloudflare/internal/kitapi"
)

// The data every resource, data source and list resource works with, made
// by the provider's Configure. Objects depend on this file, never on
// provider.go, which only configures and registers.

// providerData is what Configure hands to resources and data sources.
type providerData struct {
	client *callsapi.Client
	// kit is the RealtimeKit client; it sends through client.
	kit *kitapi.Client
	// secrets are the credentials, masked in every log line written with a
	// context that went through withMasks.
	secrets []string
	// createdHere holds the uids this provider process created and knows the
	// answer of, so that a lost create never blames one of them.
	createdHere sync.Map
	// snapshots serve the resources' Reads from one list per account and
	// kind (read_snapshot.go). They live as long as this configuration of
	// the provider, which is one Terraform operation.
	snapshots *refreshSnapshots
	// holds are the rate limit's long holds, for the run's one warning.
	holds *rateLimitHolds
	// retryBudget is retry_timeout_seconds: the most time one call may take.
	retryBudget time.Duration
}

// withMasks prepares a request context for logging: credentials and any
// object secrets (an app secret, a TURN key) are masked.
func (d *providerData) withMasks(ctx context.Context, objectSecrets ...string) context.Context {
	return maskCredentials(ctx, append(append([]string{}, d.secrets...), objectSecrets...)...)
}

// configureData extracts the provider data handed to a resource or data source.
func configureData(raw any, diags *diag.Diagnostics) *providerData {
	if raw == nil {
		// Not configured yet (for example during validation).
		return nil
	}
	data, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *provider.providerData, got %T. This is a bug in the provider; please report it.", raw))
		return nil
	}
	return data
}

// warnOfHolds adds the warning of a long rate-limit hold, once per hold, to
// the diagnostics of an operation that is ending.
func (d *providerData) warnOfHolds(diags *diag.Diagnostics) {
	if d != nil {
		d.holds.warn(diags)
	}
}
