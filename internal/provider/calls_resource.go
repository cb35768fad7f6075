package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

var (
	_ resource.ResourceWithConfigure   = (*callsResource)(nil)
	_ resource.ResourceWithImportState = (*callsResource)(nil)
	_ resource.ResourceWithIdentity    = (*callsResource)(nil)
	_ resource.ResourceWithMoveState   = (*callsResource)(nil)
)

// callsResource is the one implementation of cloudflare_calls_app and
// cloudflare_calls_turn_key: the kind says which, and what differs between
// them (names, the secret's attribute, the client calls).
type callsResource struct{ kindBound }

func (r *callsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.kind.typeName
}

func (r *callsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	k := r.kind
	stable := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: k.resourceDescription,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Same as `uid`, for tools that expect an `id`.",
				Computed:            true,
				PlanModifiers:       stable,
			},
			"account_id": schema.StringAttribute{
				MarkdownDescription: "The Cloudflare account id (32 lowercase hexadecimal characters). Changing it replaces the " + k.shortNoun + ".",
				Required:            true,
				Validators:          []validator.String{idValidator("account id")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "A short description of the " + k.shortNoun + ". Defaults to an empty string, like the API. Renaming happens in place.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
			},
			"uid": schema.StringAttribute{
				MarkdownDescription: "The " + k.shortNoun + "'s id, assigned by Cloudflare (32 hexadecimal characters).",
				Computed:            true,
				PlanModifiers:       stable,
			},
			k.secretAttr: schema.StringAttribute{
				MarkdownDescription: "The " + k.shortNoun + "'s bearer secret (64 hexadecimal characters). The API returns it only when the " +
					k.shortNoun + " is created, so it is kept from state on every refresh and update. It is null for an imported " + k.shortNoun + ".",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: stable,
			},
			"created": schema.StringAttribute{
				MarkdownDescription: "When the " + k.shortNoun + " was created (RFC 3339, UTC).",
				Computed:            true,
				PlanModifiers:       stable,
			},
			"modified": schema.StringAttribute{
				MarkdownDescription: "When the " + k.shortNoun + " was last changed (RFC 3339, UTC). Changes on rename.",
				Computed:            true,
			},
		},
	}
}

func (r *callsResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = r.kind.identitySchema()
}

func (r *callsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (r *callsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	k := r.kind
	plan, diags := k.getModel(ctx, req.Plan.Get)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx)
	accountID := plan.AccountID.ValueString()

	started := time.Now()
	created, secret, err := k.create(ctx, r.data.client, accountID, plan.Name.ValueString())
	if err != nil {
		k.addCreateError(ctx, r.data, &resp.Diagnostics, accountID, plan.Name.ValueString(), started, err)
		return
	}
	ctx = r.data.withMasks(ctx, secret)
	r.data.createdHere.Store(created.UID, struct{}{})
	plan.setFromObject(created)
	plan.Secret = types.StringValue(secret)
	tflog.Info(ctx, "created "+k.noun, map[string]any{"account_id": accountID, "uid": created.UID})
	r.store(ctx, plan, created, &resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *callsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	k := r.kind
	ctx, state, ok := r.priorState(ctx, req.State.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	// The response starts with the prior identity, which never changes; only
	// state written before identities existed has none to keep. Set before
	// asking the API: an instance removed below must still carry one.
	if resp.Identity != nil && resp.Identity.Raw.IsFullyNull() {
		resp.Diagnostics.Append(k.setIdentity(ctx, resp.Identity, state.AccountID, state.UID)...)
	}

	object, found, err := r.data.snapshots.read(ctx, k, state.AccountID.ValueString(), state.UID.ValueString())
	if err != nil {
		addReadError(&resp.Diagnostics, "Unable to read "+k.noun, err)
		return
	}
	if !found {
		tflog.Warn(ctx, k.noun+" no longer exists; removing it from state", map[string]any{"uid": state.UID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	refreshed := state
	refreshed.setFromObject(object)
	// The response starts as the prior state: when nothing changed, writing
	// it again would only cost a conversion per object on every plan.
	if refreshed != state {
		resp.Diagnostics.Append(resp.State.Set(ctx, k.toObject(refreshed))...)
	}
}

func (r *callsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	k := r.kind
	plan, diags := k.getModel(ctx, req.Plan.Get)
	resp.Diagnostics.Append(diags...)
	ctx, state, ok := r.priorState(ctx, req.State.Get, &resp.Diagnostics)
	if !ok {
		return
	}

	renamed, err := k.rename(ctx, r.data.client, state.AccountID.ValueString(), state.UID.ValueString(), plan.Name.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Unable to rename "+k.noun, apiErrorDetail(err))
		return
	}
	// Only what a rename changes comes from the answer: uid, created and the
	// secret were planned from state and must stay exactly as they are.
	plan.Name = types.StringValue(renamed.Name)
	plan.Modified = types.StringValue(renamed.Modified)
	plan.Secret = state.Secret
	r.store(ctx, plan, renamed, &resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *callsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	k := r.kind
	ctx, state, ok := r.priorState(ctx, req.State.Get, &resp.Diagnostics)
	if !ok {
		return
	}

	err := k.delete(ctx, r.data.client, state.AccountID.ValueString(), state.UID.ValueString())
	if err != nil && !callsapi.IsNotFound(err) {
		resp.Diagnostics.AddError("Unable to delete "+k.noun, apiErrorDetail(err))
		return
	}
	r.data.snapshots.remove(k, state.AccountID.ValueString(), state.UID.ValueString())
}

// store writes m, the object o as the API answered a create or a rename,
// as the resource's state and identity, and remembers o for the Reads that
// follow in this process.
func (r *callsResource) store(ctx context.Context, m callsModel, o callsObject, state *tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	r.data.snapshots.put(r.kind, m.AccountID.ValueString(), o)
	diags.Append(state.Set(ctx, r.kind.toObject(m))...)
	diags.Append(r.kind.setIdentity(ctx, identity, m.AccountID, m.UID)...)
}

// priorState reads the state Read, Update and Delete start from (pass its
// Get method) and returns ctx with the object's secret masked in logs; ok is
// false when diags, which may already hold the plan's errors, has an error.
func (r *callsResource) priorState(ctx context.Context, get func(context.Context, any) diag.Diagnostics, diags *diag.Diagnostics) (context.Context, callsModel, bool) {
	state, d := r.kind.getModel(ctx, get)
	diags.Append(d...)
	if diags.HasError() {
		return ctx, state, false
	}
	return r.data.withMasks(ctx, state.Secret.ValueString()), state, true
}

func (r *callsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	r.kind.importState(ctx, req, resp)
}
