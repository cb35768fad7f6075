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
	_ resource.ResourceWithConfigure   = (*CallsTURNKeyResource)(nil)
	_ resource.ResourceWithImportState = (*CallsTURNKeyResource)(nil)
	_ resource.ResourceWithIdentity    = (*CallsTURNKeyResource)(nil)
)

// CallsTURNKeyResource manages a Calls TURN key.
type CallsTURNKeyResource struct {
	data *providerData
}

// NewCallsTURNKeyResource returns the cloudflare_calls_turn_key resource.
func NewCallsTURNKeyResource() resource.Resource { return &CallsTURNKeyResource{} }

type callsTURNKeyModel struct {
	ID        types.String `tfsdk:"id"`
	AccountID types.String `tfsdk:"account_id"`
	Name      types.String `tfsdk:"name"`
	UID       types.String `tfsdk:"uid"`
	Key       types.String `tfsdk:"key"`
	Created   types.String `tfsdk:"created"`
	Modified  types.String `tfsdk:"modified"`
}

// setFromAPI copies what the API returned. The key is left alone unless the
// answer carries one: only the create answer does.
func (m *callsTURNKeyModel) setFromAPI(key *callsapi.TURNKey) {
	m.setFromObject(turnKeyObject(*key))
	if key.Key != "" {
		m.Key = types.StringValue(key.Key)
	}
}

// setFromObject copies an object as read or listed; the key is kept.
func (m *callsTURNKeyModel) setFromObject(o callsObject) {
	m.ID = types.StringValue(o.UID)
	m.UID = types.StringValue(o.UID)
	m.Name = types.StringValue(o.Name)
	m.Created = types.StringValue(o.Created)
	m.Modified = types.StringValue(o.Modified)
}

func (r *CallsTURNKeyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_calls_turn_key"
}

func (r *CallsTURNKeyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	stable := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Cloudflare Calls TURN key, the credential a TURN client uses to obtain short-lived TURN credentials. " +
			"The `key` is returned by the API only when the TURN key is created; the provider keeps it in state from then on. " +
			"An imported TURN key has no `key` in state.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Same as `uid`, for tools that expect an `id`.",
				Computed:            true,
				PlanModifiers:       stable,
			},
			"account_id": schema.StringAttribute{
				MarkdownDescription: "The Cloudflare account id (32 lowercase hexadecimal characters). Changing it replaces the TURN key.",
				Required:            true,
				Validators:          []validator.String{idValidator("account id")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "A short description of the TURN key. Defaults to an empty string, like the API. Renaming happens in place.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
			},
			"uid": schema.StringAttribute{
				MarkdownDescription: "The TURN key's id, assigned by Cloudflare (32 hexadecimal characters).",
				Computed:            true,
				PlanModifiers:       stable,
			},
			"key": schema.StringAttribute{
				MarkdownDescription: "The TURN key's bearer secret (64 hexadecimal characters). The API returns it only when the TURN key is created, " +
					"so it is kept from state on every refresh and update. It is null for an imported TURN key.",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: stable,
			},
			"created": schema.StringAttribute{
				MarkdownDescription: "When the TURN key was created (RFC 3339, UTC).",
				Computed:            true,
				PlanModifiers:       stable,
			},
			"modified": schema.StringAttribute{
				MarkdownDescription: "When the TURN key was last changed (RFC 3339, UTC). Changes on rename.",
				Computed:            true,
			},
		},
	}
}

func (r *CallsTURNKeyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = turnKeyKind.identitySchema()
}

func (r *CallsTURNKeyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (r *CallsTURNKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan callsTURNKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx)

	started := time.Now()
	key, err := r.data.client.CreateTURNKey(ctx, plan.AccountID.ValueString(), plan.Name.ValueString())
	if err != nil {
		turnKeyKind.addCreateError(ctx, r.data, &resp.Diagnostics, plan.AccountID.ValueString(), plan.Name.ValueString(), started, err)
		return
	}
	ctx = r.data.withMasks(ctx, key.Key)
	r.data.createdHere.Store(key.UID, struct{}{})
	plan.setFromAPI(key)
	r.data.snapshots.put(turnKeyKind, plan.AccountID.ValueString(), turnKeyObject(*key))
	tflog.Info(ctx, "created Calls TURN key", map[string]any{"account_id": plan.AccountID.ValueString(), "uid": key.UID})
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(turnKeyKind.setIdentity(ctx, resp.Identity, plan.AccountID, plan.UID)...)
}

func (r *CallsTURNKeyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state callsTURNKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx, state.Key.ValueString())
	// Set before asking the API: an instance removed below must still carry
	// an identity (see CallsAppResource.Read).
	resp.Diagnostics.Append(turnKeyKind.setIdentity(ctx, resp.Identity, state.AccountID, state.UID)...)

	key, found, err := r.data.snapshots.read(ctx, turnKeyKind, state.AccountID.ValueString(), state.UID.ValueString())
	if err != nil {
		addReadError(&resp.Diagnostics, "Unable to read Calls TURN key", err)
		return
	}
	if !found {
		tflog.Warn(ctx, "Calls TURN key no longer exists; removing it from state", map[string]any{"uid": state.UID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	refreshed := state
	refreshed.setFromObject(key)
	// The response starts as the prior state: when nothing changed, writing
	// it again would only cost a reflection pass per object on every plan.
	if refreshed != state {
		resp.Diagnostics.Append(resp.State.Set(ctx, &refreshed)...)
	}
}

func (r *CallsTURNKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state callsTURNKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx, state.Key.ValueString())

	key, err := r.data.client.UpdateTURNKey(ctx, state.AccountID.ValueString(), state.UID.ValueString(), plan.Name.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Unable to rename Calls TURN key", apiErrorDetail(err))
		return
	}
	// Only what a rename changes comes from the answer: uid, created and the
	// key were planned from state and must stay exactly as they are.
	plan.Name = types.StringValue(key.Name)
	plan.Modified = types.StringValue(key.Modified)
	plan.Key = state.Key
	r.data.snapshots.put(turnKeyKind, state.AccountID.ValueString(), turnKeyObject(*key))
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(turnKeyKind.setIdentity(ctx, resp.Identity, state.AccountID, state.UID)...)
}

func (r *CallsTURNKeyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state callsTURNKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx, state.Key.ValueString())

	err := r.data.client.DeleteTURNKey(ctx, state.AccountID.ValueString(), state.UID.ValueString())
	if err != nil && !callsapi.IsNotFound(err) {
		resp.Diagnostics.AddError("Unable to delete Calls TURN key", apiErrorDetail(err))
		return
	}
	r.data.snapshots.remove(turnKeyKind, state.AccountID.ValueString(), state.UID.ValueString())
}

func (r *CallsTURNKeyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	turnKeyKind.importState(ctx, req, resp)
}
