package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// fullProvider is every interface the real provider implements, so that the
// floor keeps all of them.
type fullProvider interface {
	provider.Provider
	provider.ProviderWithListResources
}

// fullResource is every interface the real Calls resources implement.
type fullResource interface {
	resource.ResourceWithConfigure
	resource.ResourceWithImportState
	resource.ResourceWithIdentity
	resource.ResourceWithMoveState
}

// newFloor wraps the real provider: the same schemas, Create, Update, Delete
// and import, and a Read that sends nothing, the least any provider can do on
// a refresh. The framework starts Read's response as the prior state and
// identity, so Read keeps both; only a CLI that stores no identity (before
// Terraform 1.12, such as the 1.5.7 the bench drives) needs it filled again.
func newFloor(real func() provider.Provider) func() provider.Provider {
	return func() provider.Provider {
		return &floorProvider{fullProvider: real().(fullProvider)}
	}
}

type floorProvider struct {
	fullProvider
}

func (p *floorProvider) Resources(ctx context.Context) []func() resource.Resource {
	var wrapped []func() resource.Resource
	for _, newResource := range p.fullProvider.Resources(ctx) {
		if _, calls := newResource().(fullResource); !calls {
			wrapped = append(wrapped, newResource) // RealtimeKit: in no plan the bench times
			continue
		}
		wrapped = append(wrapped, func() resource.Resource {
			return &floorResource{fullResource: newResource().(fullResource)}
		})
	}
	return wrapped
}

type floorResource struct {
	fullResource
}

// Read keeps the prior state and identity and sends no request. The
// framework requires an identity after every Read: when the CLI gave none,
// it is filled from state as the real Read does (the account, and the uid
// under the kind's id attribute).
func (r *floorResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if resp.Identity == nil || !resp.Identity.Raw.IsFullyNull() {
		return
	}
	var accountID, uid types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("account_id"), &accountID)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("uid"), &uid)...)
	for name := range resp.Identity.Schema.GetAttributes() {
		value := uid
		if name == "account_id" {
			value = accountID
		}
		resp.Diagnostics.Append(resp.Identity.SetAttribute(ctx, path.Root(name), value)...)
	}
}
