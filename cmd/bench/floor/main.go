// Command floor serves the benchmark's floor provider: the Cloudflare Calls
// provider with the same schemas, whose resources' Read returns the prior
// state without a request. cmd/bench builds it as terraform-provider-cloudflare
// in a directory of its own and measures our provider's plans against it. It
// is not a provider to use: it cannot see drift.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/provider"
)

func main() {
	err := providerserver.Serve(context.Background(), newFloor(provider.New("floor")), providerserver.ServeOpts{
		Address: "registry.terraform.io/calls-terraform/cloudflare",
	})
	if err != nil {
		log.Fatal(err)
	}
}
