package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

var _ datasource.DataSourceWithConfigure = (*callsObjectDataSource)(nil)

// callsObjectDataSource reads one existing app (cloudflare_calls_app) or TURN
// key (cloudflare_calls_turn_key) by id. The two differ only in their
// callsKind, so they share this implementation.
type callsObjectDataSource struct {
	kind callsKind
	data *providerData
}

// NewCallsAppDataSource returns the cloudflare_calls_app data source.
func NewCallsAppDataSource() datasource.DataSource { return &callsObjectDataSource{kind: appKind} }

// NewCallsTURNKeyDataSource returns the cloudflare_calls_turn_key data source.
func NewCallsTURNKeyDataSource() datasource.DataSource {
	return &callsObjectDataSource{kind: turnKeyKind}
}

func (d *callsObjectDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.kind.typeName
}

func (d *callsObjectDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	k := d.kind
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("Reads an existing %s by its id. The `%s` is never exposed: the API returns it only to the "+
			"configuration that creates the %s (see the `cloudflare_%s` resource).", k.noun, k.secretAttr, k.noun, k.typeName),
		Attributes: map[string]schema.Attribute{
			"account_id": schema.StringAttribute{
				MarkdownDescription: "The Cloudflare account id (32 lowercase hexadecimal characters).",
				Required:            true,
				Validators:          []validator.String{idValidator("account id")},
			},
			k.idAttr: schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The %s's uid (32 lowercase hexadecimal characters). An id that does not exist in the account is an error.", k.noun),
				Required:            true,
				Validators:          []validator.String{idValidator(k.noun + " id")},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The %s's name.", k.noun),
				Computed:            true,
			},
			"uid": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The %s's uid, the same as `%s`.", k.noun, k.idAttr),
				Computed:            true,
			},
			"created": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("When the %s was created (RFC 3339, UTC).", k.noun),
				Computed:            true,
			},
			"modified": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("When the %s was last changed (RFC 3339, UTC).", k.noun),
				Computed:            true,
			},
		},
	}
}

func (d *callsObjectDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (d *callsObjectDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	k := d.kind
	var accountID, objectID types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("account_id"), &accountID)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(k.idAttr), &objectID)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = d.data.withMasks(ctx)

	object, err := k.get(ctx, d.data.client, accountID.ValueString(), objectID.ValueString())
	if callsapi.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root(k.idAttr), k.noun+" not found", fmt.Sprintf(
			"No %s with id %s exists in account %s. Check %s and account_id.\n\n%s",
			k.noun, objectID.ValueString(), accountID.ValueString(), k.idAttr, apiErrorDetail(err)))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read "+k.noun, apiErrorDetail(err))
		return
	}
	tflog.Debug(ctx, "read Calls object", map[string]any{"kind": k.typeName, "account_id": accountID.ValueString(), "uid": object.UID})
	for attr, value := range map[string]string{
		"name":     object.Name,
		"uid":      object.UID,
		"created":  object.Created,
		"modified": object.Modified,
	} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(attr), types.StringValue(value))...)
	}
}
