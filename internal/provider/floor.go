package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// NewFloor returns a provider with exactly New's schemas whose resources'
// Read keeps the prior state and sends no request: the least any provider
// can do on a refresh. It exists only for the benchmark (cmd/bench/floor),
// which measures what our refresh costs above Terraform's own work. Create,
// Update, Delete and import are New's. Never ship it: it cannot see drift.
func NewFloor(version string) func() provider.Provider {
	return func() provider.Provider {
		return &floorProvider{CloudflareProvider: &CloudflareProvider{version: version}}
	}
}

type floorProvider struct {
	*CloudflareProvider
}

func (p *floorProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		func() resource.Resource { return &floorResource{callsResource: &CallsAppResource{}, kind: appKind} },
		func() resource.Resource {
			return &floorResource{callsResource: &CallsTURNKeyResource{}, kind: turnKeyKind}
		},
	}
}

// callsResource is every interface our resources implement, so that the
// floor's wrapper keeps all of them.
type callsResource interface {
	resource.ResourceWithConfigure
	resource.ResourceWithImportState
	resource.ResourceWithIdentity
	resource.ResourceWithMoveState
}

var (
	_ callsResource = (*CallsAppResource)(nil)
	_ callsResource = (*CallsTURNKeyResource)(nil)
	_ callsResource = (*floorResource)(nil)
)

type floorResource struct {
	callsResource
	kind callsKind
}

// Read leaves the response's state as the framework filled it, the prior
// state, and only sets the identity, which the framework requires after
// every Read (our Read sets it from state in the same way).
func (r *floorResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var accountID, uid types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("account_id"), &accountID)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("uid"), &uid)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.kind.setIdentity(ctx, resp.Identity, accountID, uid)...)
}
