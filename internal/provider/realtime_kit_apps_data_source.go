package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var _ datasource.DataSourceWithConfigure = (*kitAppsDataSource)(nil)

// kitAppsDataSource is cloudflare_realtime_kit_apps: the apps of an account,
// every page of the list, optionally only those with a given name.
type kitAppsDataSource struct{ data *providerData }

func newKitAppsDataSource() datasource.DataSource { return &kitAppsDataSource{} }

// kitAppListModel is one element of the apps list.
type kitAppListModel struct {
	ID        types.String `tfsdk:"id"`
	Name      types.String `tfsdk:"name"`
	CreatedAt types.String `tfsdk:"created_at"`
	UpdatedAt types.String `tfsdk:"updated_at"`
}

func (d *kitAppsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_realtime_kit_apps"
}

func (d *kitAppsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the RealtimeKit apps of an account (every page of the API's list), optionally only those with a given name.",
		Attributes: map[string]schema.Attribute{
			"account_id": dataSourceAccountID,
			"name": schema.StringAttribute{
				MarkdownDescription: "When set, only the apps whose name is exactly this, case included (names are not unique). When left out, all of them.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"apps": schema.ListNestedAttribute{
				MarkdownDescription: "The apps, oldest first.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":         schema.StringAttribute{MarkdownDescription: "The app's id (a UUID).", Computed: true},
						"name":       schema.StringAttribute{MarkdownDescription: "The app's name.", Computed: true},
						"created_at": schema.StringAttribute{MarkdownDescription: "When it was created, as the API writes it.", Computed: true},
						"updated_at": schema.StringAttribute{MarkdownDescription: "When it was last changed, as the API writes it.", Computed: true},
					},
				},
			},
		},
	}
}

func (d *kitAppsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (d *kitAppsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer d.data.warnOfHolds(&resp.Diagnostics)
	var accountID, name types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("account_id"), &accountID)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("name"), &name)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = d.data.withMasks(ctx)

	// The API's search matches parts of names; only an exact name is kept.
	apps, err := d.data.kit.ListApps(ctx, accountID.ValueString(), name.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Unable to list RealtimeKit apps", apiErrorDetail(err))
		return
	}
	// Never nil, so that no match is an empty list rather than null.
	items := make([]kitAppListModel, 0, len(apps))
	for _, a := range apps {
		if !name.IsNull() && a.Name != name.ValueString() {
			continue
		}
		items = append(items, kitAppListModel{
			ID: types.StringValue(a.ID), Name: types.StringValue(a.Name),
			CreatedAt: types.StringValue(a.CreatedAt), UpdatedAt: types.StringValue(a.UpdatedAt),
		})
	}
	tflog.Debug(ctx, "listed RealtimeKit apps", map[string]any{"account_id": accountID.ValueString(), "listed": len(apps), "kept": len(items)})
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("apps"), items)...)
}
