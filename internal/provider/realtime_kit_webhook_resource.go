package provider

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
	"github.com/calls-terraform/terraform-provider-cloudflare/internal/kitapi"
)

var (
	_ resource.ResourceWithConfigure   = (*kitWebhookResource)(nil)
	_ resource.ResourceWithImportState = (*kitWebhookResource)(nil)
)

const kitWebhookNoun = "RealtimeKit webhook"

// kitWebhookResource is cloudflare_realtime_kit_webhook: one webhook of a
// RealtimeKit app. Every write is read back with a GET, since the API's
// answers to writes are not the webhook's state.
type kitWebhookResource struct{ data *providerData }

func newKitWebhookResource() resource.Resource { return &kitWebhookResource{} }

// kitWebhookModel is the resource's state.
type kitWebhookModel struct {
	AccountID types.String `tfsdk:"account_id"`
	AppID     types.String `tfsdk:"app_id"`
	kitWebhookFields
}

// kitWebhookFields are a webhook's own attributes, in the resource and in
// each item of the cloudflare_realtime_kit_webhooks data source.
type kitWebhookFields struct {
	ID        types.String `tfsdk:"id"`
	Name      types.String `tfsdk:"name"`
	URL       types.String `tfsdk:"url"`
	Events    types.Set    `tfsdk:"events"`
	Enabled   types.Bool   `tfsdk:"enabled"`
	CreatedAt types.String `tfsdk:"created_at"`
	UpdatedAt types.String `tfsdk:"updated_at"`
}

// setFromWebhook takes every field the API holds from w.
func (m *kitWebhookFields) setFromWebhook(ctx context.Context, w *kitapi.Webhook, diags *diag.Diagnostics) {
	events, d := types.SetValueFrom(ctx, types.StringType, w.Events)
	diags.Append(d...)
	*m = kitWebhookFields{ID: types.StringValue(w.ID), Name: types.StringValue(w.Name), URL: types.StringValue(w.URL), Events: events,
		Enabled: types.BoolValue(w.Enabled), CreatedAt: types.StringValue(w.CreatedAt), UpdatedAt: types.StringValue(w.UpdatedAt)}
}

// settings are what the configuration sets, as the API takes them.
func (m kitWebhookModel) settings(ctx context.Context, diags *diag.Diagnostics) kitapi.WebhookSettings {
	var events []string
	diags.Append(m.Events.ElementsAs(ctx, &events, false)...)
	return kitapi.WebhookSettings{Name: m.Name.ValueString(), URL: m.URL.ValueString(), Events: events, Enabled: m.Enabled.ValueBool()}
}

func (r *kitWebhookResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_realtime_kit_webhook"
}

// webhookEventsValidators check the events at plan time: at least one, each
// one the API knows.
func webhookEventsValidators() []validator.Set {
	return []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(kitapi.WebhookEvents...))}
}

func (r *kitWebhookResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	stable := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A webhook of a Cloudflare RealtimeKit app: the API posts the app's events (a meeting started, a recording's " +
			"status changed...) to `url`. Every change but `account_id` and `app_id` is made in place.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The webhook's id, assigned by Cloudflare (a UUID).",
				Computed:            true,
				PlanModifiers:       stable,
			},
			"account_id": schema.StringAttribute{
				MarkdownDescription: "The Cloudflare account id (32 lowercase hexadecimal characters). Changing it replaces the webhook.",
				Required:            true,
				Validators:          []validator.String{idValidator("account id")},
				PlanModifiers:       replace,
			},
			"app_id": schema.StringAttribute{
				MarkdownDescription: "The id of the RealtimeKit app the webhook belongs to (a UUID). Changing it replaces the webhook.",
				Required:            true,
				Validators:          []validator.String{kitAppIDValidator()},
				PlanModifiers:       replace,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The webhook's name. Names need not be unique within an app.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"url": schema.StringAttribute{
				MarkdownDescription: "Where the API posts the events: an absolute `http` or `https` URL.",
				Required:            true,
				Validators:          []validator.String{absoluteHTTPURL},
			},
			"events": schema.SetAttribute{
				MarkdownDescription: "The events posted to `url`, at least one of: " + markdownList(kitapi.WebhookEvents) + ".",
				ElementType:         types.StringType,
				Required:            true,
				Validators:          webhookEventsValidators(),
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the API posts events to the webhook. Defaults to `true`, like the API.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the webhook was created, as the API writes it.",
				Computed:            true,
				PlanModifiers:       stable,
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the webhook was last changed, as the API writes it.",
				Computed:            true,
			},
		},
	}
}

func (r *kitWebhookResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (r *kitWebhookResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.data.warnOfHolds(&resp.Diagnostics)
	var plan kitWebhookModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	settings := plan.settings(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx)
	accountID, appID := plan.AccountID.ValueString(), plan.AppID.ValueString()

	started := time.Now()
	created, err := r.data.kit.CreateWebhook(ctx, accountID, appID, settings)
	if err != nil {
		r.lostCreate(accountID, appID, settings.Name, started).report(ctx, r.data, &resp.Diagnostics, err)
		return
	}
	r.data.createdHere.Store(created.ID, struct{}{})
	tflog.Info(ctx, "created "+kitWebhookNoun, map[string]any{"account_id": accountID, "app_id": appID, "id": created.ID})

	w, err := r.data.kit.GetWebhook(ctx, accountID, appID, created.ID)
	if err != nil {
		// The webhook exists and is as planned: keep it in state, from what
		// was sent and the create's answer, with a warning (as the app and
		// the preset do), rather than an error that would taint it and have
		// the next apply replace it.
		plan.ID = types.StringValue(created.ID)
		plan.CreatedAt = types.StringValue(created.CreatedAt)
		plan.UpdatedAt = types.StringValue(created.UpdatedAt)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.AddWarning(kitWebhookNoun+" created, but not read back", fmt.Sprintf(
			"The webhook %s was created in app %s, but reading it back failed, so its state holds what was sent until the "+
				"next plan or refresh reads it.\n\n%s", created.ID, appID, apiErrorDetail(err)))
		return
	}
	plan.setFromWebhook(ctx, w, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *kitWebhookResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	defer r.data.warnOfHolds(&resp.Diagnostics)
	var state kitWebhookModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx)
	w, err := r.data.kit.GetWebhook(ctx, state.AccountID.ValueString(), state.AppID.ValueString(), state.ID.ValueString())
	if callsapi.IsNotFound(err) {
		tflog.Warn(ctx, kitWebhookNoun+" no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read "+kitWebhookNoun, apiErrorDetail(err))
		return
	}
	state.setFromWebhook(ctx, w, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *kitWebhookResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer r.data.warnOfHolds(&resp.Diagnostics)
	var plan, state kitWebhookModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	settings := plan.settings(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx)
	accountID, appID, id := state.AccountID.ValueString(), state.AppID.ValueString(), state.ID.ValueString()
	if err := r.data.kit.UpdateWebhook(ctx, accountID, appID, id, settings); err != nil {
		resp.Diagnostics.AddError("Unable to update "+kitWebhookNoun, apiErrorDetail(err))
		return
	}
	w, err := r.data.kit.GetWebhook(ctx, accountID, appID, id)
	if err != nil {
		resp.Diagnostics.AddError("Unable to read back the updated "+kitWebhookNoun, fmt.Sprintf(
			"The update of webhook %s was sent, but reading it back failed, so whether it was carried out is not known here. "+
				"Run terraform apply again: the plan shows what is left to change.\n\n%s", id, apiErrorDetail(err)))
		return
	}
	plan.setFromWebhook(ctx, w, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *kitWebhookResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	defer r.data.warnOfHolds(&resp.Diagnostics)
	var state kitWebhookModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.kit.DeleteWebhook(r.data.withMasks(ctx), state.AccountID.ValueString(), state.AppID.ValueString(), state.ID.ValueString())
	if err != nil && !callsapi.IsNotFound(err) {
		resp.Diagnostics.AddError("Unable to delete "+kitWebhookNoun, apiErrorDetail(err))
	}
}

func (r *kitWebhookResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	parts, err := parseKitImportID(req.ID, "app_id", "webhook_id")
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id for "+kitWebhookNoun, err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("account_id"), parts[0])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("app_id"), parts[1])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), parts[2])...)
}

// absoluteHTTPURL refuses, at plan time, a value that is not an absolute
// http or https URL with a host.
var absoluteHTTPURL = stringRule{
	title:       "Invalid webhook URL",
	description: "must be an absolute http or https URL, such as https://example.com/hooks/realtime",
	format:      "%s %s, got %q.",
	ok: func(s string) bool {
		u, err := url.Parse(s)
		return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
	},
}

// markdownList writes values as `a`, `b` and `c`.
func markdownList(values []string) string {
	var s string
	for i, v := range values {
		switch {
		case i == 0:
		case i == len(values)-1:
			s += " and "
		default:
			s += ", "
		}
		s += "`" + v + "`"
	}
	return s
}

// lostCreate is what the search for a webhook a lost create may have made
// needs (see lostCreate.report).
func (r *kitWebhookResource) lostCreate(accountID, appID, name string, started time.Time) lostCreate {
	return lostCreate{
		noun: kitWebhookNoun, one: "webhook", many: "webhooks", idName: "id", accountID: accountID, appID: appID, name: name, started: started,
		timeout: operationTimeout{op: "create"},
		list: func(ctx context.Context) ([]createdObject, error) {
			webhooks, err := r.data.kit.ListWebhooks(ctx, accountID, appID)
			return createdObjects(webhooks, func(w kitapi.Webhook) createdObject { return createdObject{w.ID, w.Name, w.CreatedAt} }), err
		},
		listCommand:       r.data.kit.WebhooksCommand(accountID, appID),
		othersAdvice:      "import one and delete the others",
		importExplanation: importAddressHelp("realtime_kit_webhook"),
	}
}
