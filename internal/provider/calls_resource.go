package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
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
	_ resource.ResourceWithModifyPlan  = (*callsResource)(nil)
)

// callsResource is the one implementation of cloudflare_calls_app and
// cloudflare_calls_turn_key: the kind says which, and what differs between
// them (names, the secret's attribute, the client calls).
type callsResource struct{ kindBound }

func (r *callsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.kind.typeName
}

func (r *callsResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
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
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock(ctx, k)},
	}
}

func (r *callsResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = r.kind.identitySchema()
}

func (r *callsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (r *callsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.data.warnOfHolds(&resp.Diagnostics)
	k := r.kind
	plan, diags := k.getModel(ctx, req.Plan.Get)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout := timeoutOf(ctx, plan.Timeouts, "create", &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := timeout.bound(r.data.withMasks(ctx))
	defer cancel()
	accountID := plan.AccountID.ValueString()

	started := time.Now()
	created, secret, err := k.create(ctx, r.data.client, accountID, plan.Name.ValueString())
	if err != nil {
		k.addCreateError(ctx, r.data, &resp.Diagnostics, accountID, plan.Name.ValueString(), started, timeout, err)
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
	defer r.data.warnOfHolds(&resp.Diagnostics)
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

	timeout := timeoutOf(ctx, state.Timeouts, "read", &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := timeout.bound(ctx)
	defer cancel()
	object, found, err := r.data.snapshots.read(ctx, k, state.AccountID.ValueString(), state.UID.ValueString())
	if err != nil {
		addReadErrorDetail(&resp.Diagnostics, "Unable to read "+k.noun, err, func(err error) string {
			return timeout.errorDetail(ctx, err, r.data.retryBudget)
		})
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
	if refreshed.strings() != state.strings() {
		resp.Diagnostics.Append(resp.State.Set(ctx, k.toObject(refreshed))...)
	}
}

func (r *callsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer r.data.warnOfHolds(&resp.Diagnostics)
	k := r.kind
	plan, diags := k.getModel(ctx, req.Plan.Get)
	resp.Diagnostics.Append(diags...)
	ctx, state, ok := r.priorState(ctx, req.State.Get, &resp.Diagnostics)
	if !ok {
		return
	}

	timeout := timeoutOf(ctx, plan.Timeouts, "update", &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := timeout.bound(ctx)
	defer cancel()
	renamed, err := k.rename(ctx, r.data.client, state.AccountID.ValueString(), state.UID.ValueString(), plan.Name.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Unable to rename "+k.noun, timeout.errorDetail(ctx, err, r.data.retryBudget))
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
	defer r.data.warnOfHolds(&resp.Diagnostics)
	k := r.kind
	ctx, state, ok := r.priorState(ctx, req.State.Get, &resp.Diagnostics)
	if !ok {
		return
	}

	timeout := timeoutOf(ctx, state.Timeouts, "delete", &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := timeout.bound(ctx)
	defer cancel()
	err := k.delete(ctx, r.data.client, state.AccountID.ValueString(), state.UID.ValueString())
	if err != nil && !callsapi.IsNotFound(err) {
		resp.Diagnostics.AddError("Unable to delete "+k.noun, timeout.errorDetail(ctx, err, r.data.retryBudget))
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

// ModifyPlan warns before a replacement that the provider can see, a change
// of account_id (the one attribute that requires it): the new object gets a
// new secret, and whatever uses the old one breaks. Creates, renames and
// destroys get no warning. A replacement Terraform decides alone (-replace,
// replace_triggered_by) is planned without telling the provider, so the
// resource docs say it instead.
func (r *callsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	// The framework runs this after the attribute plan modifiers but does
	// not pass on which attributes they found to require replacement.
	var prior, planned types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("account_id"), &prior)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("account_id"), &planned)...)
	if resp.Diagnostics.HasError() || planned.Equal(prior) {
		return
	}
	k := r.kind
	resp.Diagnostics.AddAttributeWarning(path.Root("account_id"), "Replacing this "+k.noun+" gives it a new "+k.secretAttr, fmt.Sprintf(
		"A change of account_id replaces the %[1]s: Terraform deletes it and creates a new one, with a new uid and a new %[2]s. "+
			"Every client or service that still uses the old %[2]s stops working once the old %[1]s is deleted. After the apply, "+
			"hand the new %[2]s to whatever uses it (a secret of that service managed in the same configuration from this "+
			"resource's %[2]s attribute is updated by the same apply).", k.noun, k.secretAttr))
}

func (r *callsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	r.kind.importState(ctx, req, resp)
}
