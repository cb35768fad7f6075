// Command terraform-provider-cloudflare serves the Cloudflare Calls provider
// over Terraform plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// providerAddress is the full registry address Terraform knows the provider by.
const providerAddress = "registry.terraform.io/calls-terraform/cloudflare"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider for a debugger (prints TF_REATTACH_PROVIDERS)")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: providerAddress,
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
