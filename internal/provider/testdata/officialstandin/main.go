// Command officialstandin stands in for the official Cloudflare provider
// (cloudflare/cloudflare 5.x) when the tests validate the guide's examples,
// which use both providers: it serves the one resource of the official
// provider they use, cloudflare_workers_script, with the attributes they
// set, so that `validate` checks our half of each example for real without
// a download. It validates; it never applies.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	providerschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return standIn{} },
		providerserver.ServeOpts{Address: "example.invalid/cloudflare/cloudflare"})
	if err != nil {
		log.Fatal(err)
	}
}

type standIn struct{}

func (standIn) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "cloudflare"
}

func (standIn) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerschema.Schema{Attributes: map[string]providerschema.Attribute{
		"api_token": providerschema.StringAttribute{Optional: true, Sensitive: true},
	}}
}

func (standIn) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {}

func (standIn) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return workersScript{} }}
}

func (standIn) DataSources(context.Context) []func() datasource.DataSource { return nil }

type workersScript struct{}

func (workersScript) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workers_script"
}

func (workersScript) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":          schema.StringAttribute{Computed: true},
		"account_id":  schema.StringAttribute{Required: true},
		"script_name": schema.StringAttribute{Required: true},
		"content":     schema.StringAttribute{Optional: true},
		"main_module": schema.StringAttribute{Optional: true},
		"bindings": schema.ListNestedAttribute{
			Optional: true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"name": schema.StringAttribute{Required: true},
				"type": schema.StringAttribute{Required: true},
				"text": schema.StringAttribute{Optional: true, Sensitive: true},
			}},
		},
	}}
}

func (workersScript) Create(_ context.Context, _ resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.AddError("Stand-in", "The official provider's stand-in only validates.")
}

func (workersScript) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (workersScript) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.AddError("Stand-in", "The official provider's stand-in only validates.")
}

func (workersScript) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
