package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// fullProvider is every interface the real provider implements, so that the
// floor keeps all of them.
type fullProvider interface {
	provider.Provider
	provider.ProviderWithListResources
}

// fullResource is every interface the real resources implement.
type fullResource interface {
	resource.ResourceWithConfigure
	resource.ResourceWithImportState
	resource.ResourceWithIdentity
	resource.ResourceWithMoveState
}

// newFloor wraps the real provider: the same schemas, Create, Update, Delete
// and import, and a Read that does nothing, the least any provider can do on
// a refresh. The framework starts Read's response as the prior state and
// identity, so leaving it alone keeps both.
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
		wrapped = append(wrapped, func() resource.Resource {
			return &floorResource{fullResource: newResource().(fullResource)}
		})
	}
	return wrapped
}

type floorResource struct {
	fullResource
}

// Read keeps the prior state and identity and sends no request.
func (r *floorResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}
