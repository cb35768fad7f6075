package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

var (
	_ resource.ResourceWithConfigure   = (*CallsAppResource)(nil)
	_ resource.ResourceWithImportState = (*CallsAppResource)(nil)
	_ resource.ResourceWithIdentity    = (*CallsAppResource)(nil)
)

// CallsAppResource manages a Calls (SFU) app.
type CallsAppResource struct {
	data *providerData
}

// NewCallsAppResource returns the cloudflare_calls_app resource.
func NewCallsAppResource() resource.Resource { return &CallsAppResource{} }

type callsAppModel struct {
	ID        types.String `tfsdk:"id"`
	AccountID types.String `tfsdk:"account_id"`
	Name      types.String `tfsdk:"name"`
	UID       types.String `tfsdk:"uid"`
	Secret    types.String `tfsdk:"secret"`
	Created   types.String `tfsdk:"created"`
	Modified  types.String `tfsdk:"modified"`
}

// setFromAPI copies what the API returned. The secret is left alone unless
// the answer carries one: only the create answer does.
func (m *callsAppModel) setFromAPI(app *callsapi.App) {
	m.setFromObject(appObject(*app))
	if app.Secret != "" {
		m.Secret = types.StringValue(app.Secret)
	}
}

// setFromObject copies an object as read or listed; the secret is kept.
func (m *callsAppModel) setFromObject(o callsObject) {
	m.ID = types.StringValue(o.UID)
	m.UID = types.StringValue(o.UID)
	m.Name = types.StringValue(o.Name)
	m.Created = types.StringValue(o.Created)
	m.Modified = types.StringValue(o.Modified)
}

func (r *CallsAppResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_calls_app"
}

func (r *CallsAppResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	stable := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Cloudflare Calls (Realtime SFU) app. The app's `secret` is returned by the API only when the app is created; " +
			"the provider keeps it in state from then on. An imported app has no `secret` in state.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Same as `uid`, for tools that expect an `id`.",
				Computed:            true,
				PlanModifiers:       stable,
			},
			"account_id": schema.StringAttribute{
				MarkdownDescription: "The Cloudflare account id (32 lowercase hexadecimal characters). Changing it replaces the app.",
				Required:            true,
				Validators:          []validator.String{idValidator("account id")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "A short description of the app. Defaults to an empty string, like the API. Renaming happens in place.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
			},
			"uid": schema.StringAttribute{
				MarkdownDescription: "The app's id, assigned by Cloudflare (32 hexadecimal characters).",
				Computed:            true,
				PlanModifiers:       stable,
			},
			"secret": schema.StringAttribute{
				MarkdownDescription: "The app's bearer secret (64 hexadecimal characters). The API returns it only when the app is created, " +
					"so it is kept from state on every refresh and update. It is null for an imported app.",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: stable,
			},
			"created": schema.StringAttribute{
				MarkdownDescription: "When the app was created (RFC 3339, UTC).",
				Computed:            true,
				PlanModifiers:       stable,
			},
			"modified": schema.StringAttribute{
				MarkdownDescription: "When the app was last changed (RFC 3339, UTC). Changes on rename.",
				Computed:            true,
			},
		},
	}
}

func (r *CallsAppResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = appKind.identitySchema()
}

func (r *CallsAppResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (r *CallsAppResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan callsAppModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx)

	started := time.Now()
	app, err := r.data.client.CreateApp(ctx, plan.AccountID.ValueString(), plan.Name.ValueString())
	if err != nil {
		appKind.addCreateError(ctx, r.data, &resp.Diagnostics, plan.AccountID.ValueString(), plan.Name.ValueString(), started, err)
		return
	}
	ctx = r.data.withMasks(ctx, app.Secret)
	r.data.createdHere.Store(app.UID, struct{}{})
	plan.setFromAPI(app)
	r.data.snapshots.put(appKind, plan.AccountID.ValueString(), appObject(*app))
	tflog.Info(ctx, "created Calls app", map[string]any{"account_id": plan.AccountID.ValueString(), "uid": app.UID})
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(appKind.setIdentity(ctx, resp.Identity, plan.AccountID, plan.UID)...)
}

func (r *CallsAppResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state callsAppModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx, state.Secret.ValueString())
	// Set before asking the API: an instance removed below must still carry
	// an identity, and state written before identities existed has none.
	resp.Diagnostics.Append(appKind.setIdentity(ctx, resp.Identity, state.AccountID, state.UID)...)

	app, found, err := r.data.snapshots.read(ctx, appKind, state.AccountID.ValueString(), state.UID.ValueString())
	if err != nil {
		addReadError(&resp.Diagnostics, "Unable to read Calls app", err)
		return
	}
	if !found {
		tflog.Warn(ctx, "Calls app no longer exists; removing it from state", map[string]any{"uid": state.UID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	refreshed := state
	refreshed.setFromObject(app)
	// The response starts as the prior state: when nothing changed, writing
	// it again would only cost a reflection pass per object on every plan.
	if refreshed != state {
		resp.Diagnostics.Append(resp.State.Set(ctx, &refreshed)...)
	}
}

func (r *CallsAppResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state callsAppModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx, state.Secret.ValueString())

	app, err := r.data.client.UpdateApp(ctx, state.AccountID.ValueString(), state.UID.ValueString(), plan.Name.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Unable to rename Calls app", apiErrorDetail(err))
		return
	}
	// Only what a rename changes comes from the answer: uid, created and the
	// secret were planned from state and must stay exactly as they are.
	plan.Name = types.StringValue(app.Name)
	plan.Modified = types.StringValue(app.Modified)
	plan.Secret = state.Secret
	r.data.snapshots.put(appKind, state.AccountID.ValueString(), appObject(*app))
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(appKind.setIdentity(ctx, resp.Identity, state.AccountID, state.UID)...)
}

func (r *CallsAppResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state callsAppModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx, state.Secret.ValueString())

	err := r.data.client.DeleteApp(ctx, state.AccountID.ValueString(), state.UID.ValueString())
	if err != nil && !callsapi.IsNotFound(err) {
		resp.Diagnostics.AddError("Unable to delete Calls app", apiErrorDetail(err))
		return
	}
	r.data.snapshots.remove(appKind, state.AccountID.ValueString(), state.UID.ValueString())
}

func (r *CallsAppResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	appKind.importState(ctx, req, resp)
}
