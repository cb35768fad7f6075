package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSourceWithConfigure = (*kitWebhooksDataSource)(nil)

// kitWebhooksDataSource is cloudflare_realtime_kit_webhooks: every webhook
// of a RealtimeKit app, from one list request.
type kitWebhooksDataSource struct{ data *providerData }

func newKitWebhooksDataSource() datasource.DataSource { return &kitWebhooksDataSource{} }

type kitWebhooksModel struct {
	AccountID types.String       `tfsdk:"account_id"`
	AppID     types.String       `tfsdk:"app_id"`
	Webhooks  []kitWebhookFields `tfsdk:"webhooks"`
}

func (d *kitWebhooksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_realtime_kit_webhooks"
}

func (d *kitWebhooksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: description, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the webhooks of a Cloudflare RealtimeKit app, with one request. An app without webhooks gives an empty list " +
			"(the API answers 404 for it); an app that does not exist is an error.",
		Attributes: map[string]schema.Attribute{
			"account_id": dataSourceAccountID,
			"app_id":     dataSourceKitAppID,
			"webhooks": schema.ListNestedAttribute{
				MarkdownDescription: "The app's webhooks, in the order the API returns them.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":   computed("The webhook's id (a UUID)."),
					"name": computed("The webhook's name."),
					"url":  computed("Where the API posts the events."),
					"events": schema.SetAttribute{
						MarkdownDescription: "The events posted to `url`.",
						ElementType:         types.StringType,
						Computed:            true,
					},
					"enabled": schema.BoolAttribute{
						MarkdownDescription: "Whether the API posts events to the webhook.",
						Computed:            true,
					},
					"created_at": computed("When the webhook was created, as the API writes it."),
					"updated_at": computed("When the webhook was last changed, as the API writes it."),
				}},
			},
		},
	}
}

func (d *kitWebhooksDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (d *kitWebhooksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer d.data.warnOfHolds(&resp.Diagnostics)
	var cfg kitWebhooksModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	list, err := d.data.kit.ListWebhooks(d.data.withMasks(ctx), cfg.AccountID.ValueString(), cfg.AppID.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Unable to list RealtimeKit webhooks", apiErrorDetail(err))
		return
	}
	cfg.Webhooks = make([]kitWebhookFields, len(list))
	for i := range list {
		cfg.Webhooks[i].setFromWebhook(ctx, &list[i], &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
