package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var _ datasource.DataSourceWithConfigure = (*kitPresetsDataSource)(nil)

// kitPresetsDataSource is cloudflare_realtime_kit_presets: the presets of
// one app, as the API lists them (ids, names and times).
type kitPresetsDataSource struct{ data *providerData }

func newKitPresetsDataSource() datasource.DataSource { return &kitPresetsDataSource{} }

type kitPresetsModel struct {
	AccountID types.String          `tfsdk:"account_id"`
	AppID     types.String          `tfsdk:"app_id"`
	Name      types.String          `tfsdk:"name"`
	Presets   []kitPresetSummaryRow `tfsdk:"presets"`
}

type kitPresetSummaryRow struct {
	ID        types.String `tfsdk:"id"`
	Name      types.String `tfsdk:"name"`
	CreatedAt types.String `tfsdk:"created_at"`
	UpdatedAt types.String `tfsdk:"updated_at"`
}

func (d *kitPresetsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_realtime_kit_presets"
}

func (d *kitPresetsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the presets of a RealtimeKit app (every page of the API's list), optionally only those with one name. " +
			"The list gives ids, names and times; the `cloudflare_realtime_kit_preset` resource manages a preset's content.",
		Attributes: map[string]schema.Attribute{
			"account_id": dataSourceAccountID,
			"app_id":     dataSourceKitAppID,
			"name": schema.StringAttribute{
				MarkdownDescription: "Only the presets with exactly this name (names need not be unique). Leave it out for every preset.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"presets": schema.ListNestedAttribute{
				MarkdownDescription: "The presets, in the API's order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":         schema.StringAttribute{MarkdownDescription: "The preset's id (a UUID).", Computed: true},
					"name":       schema.StringAttribute{MarkdownDescription: "The preset's name.", Computed: true},
					"created_at": schema.StringAttribute{MarkdownDescription: "When the preset was created.", Computed: true},
					"updated_at": schema.StringAttribute{MarkdownDescription: "When the preset was last changed.", Computed: true},
				}},
			},
		},
	}
}

func (d *kitPresetsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (d *kitPresetsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer d.data.warnOfHolds(&resp.Diagnostics)
	var m kitPresetsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = d.data.withMasks(ctx)
	presets, err := d.data.kit.ListPresets(ctx, m.AccountID.ValueString(), m.AppID.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Unable to list "+kitPresetNoun+"s", apiErrorDetail(err))
		return
	}
	m.Presets = []kitPresetSummaryRow{}
	for _, p := range presets {
		if m.Name.IsNull() || p.Name == m.Name.ValueString() {
			m.Presets = append(m.Presets, kitPresetSummaryRow{ID: types.StringValue(p.ID), Name: types.StringValue(p.Name),
				CreatedAt: stringOrNull(p.CreatedAt), UpdatedAt: stringOrNull(p.UpdatedAt)})
		}
	}
	tflog.Debug(ctx, "listed "+kitPresetNoun+"s", map[string]any{"app_id": m.AppID.ValueString(), "listed": len(presets), "kept": len(m.Presets)})
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
