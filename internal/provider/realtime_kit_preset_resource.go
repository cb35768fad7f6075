package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
	"github.com/calls-terraform/terraform-provider-cloudflare/internal/kitapi"
)

var (
	_ resource.ResourceWithConfigure   = (*kitPresetResource)(nil)
	_ resource.ResourceWithImportState = (*kitPresetResource)(nil)
)

// kitPresetResource is cloudflare_realtime_kit_preset. Every write is read
// back: the API's answers to writes are not the preset (a PATCH answers
// without the id, and with fields that were not sent).
type kitPresetResource struct{ data *providerData }

func newKitPresetResource() resource.Resource { return &kitPresetResource{} }

const kitPresetNoun = "RealtimeKit preset"

func (r *kitPresetResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_realtime_kit_preset"
}

func (r *kitPresetResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	stable := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A RealtimeKit preset: the permissions, media settings and look that a participant joins an app's meetings with " +
			"(a host's, a participant's, a viewer's...). Every attribute is named as the API names it. Changes happen in place; " +
			"a change of `account_id` or `app_id` replaces the preset.",
		Attributes: map[string]schema.Attribute{
			"account_id": schema.StringAttribute{
				MarkdownDescription: "The Cloudflare account id (32 lowercase hexadecimal characters). Changing it replaces the preset.",
				Required:            true,
				Validators:          []validator.String{idValidator("account id")},
				PlanModifiers:       replace,
			},
			"app_id": schema.StringAttribute{
				MarkdownDescription: "The id of the RealtimeKit app the preset belongs to (a UUID). Changing it replaces the preset.",
				Required:            true,
				Validators:          []validator.String{kitAppIDValidator()},
				PlanModifiers:       replace,
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "The preset's id, assigned by Cloudflare (a UUID).",
				Computed:            true,
				PlanModifiers:       stable,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The preset's name, which meetings' participants are added with. Names need not be unique in an app.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"config":      presetConfigAttribute(),
			"permissions": presetPermissionsAttribute(),
			"ui":          presetUIAttribute(),
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the preset was created, as the API gives it.",
				Computed:            true,
				PlanModifiers:       stable,
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the preset was last changed, as the API gives it.",
				Computed:            true,
			},
		},
	}
}

func (r *kitPresetResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (r *kitPresetResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.data.warnOfHolds(&resp.Diagnostics)
	var plan kitPresetModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body, diags := plan.body(ctx, nil)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx)
	accountID, appID := plan.AccountID.ValueString(), plan.AppID.ValueString()

	started := time.Now()
	created, err := r.data.kit.CreatePreset(ctx, accountID, appID, body)
	if err != nil {
		r.lostCreate(accountID, appID, body.Name, started).report(ctx, r.data, &resp.Diagnostics, err)
		return
	}
	r.data.createdHere.Store(created.ID, struct{}{})
	tflog.Info(ctx, "created "+kitPresetNoun, map[string]any{"account_id": accountID, "app_id": appID, "id": created.ID})
	r.readBack(ctx, accountID, appID, created.ID, body, "created", &resp.State, &resp.Diagnostics)
}

// presetIDs reads the ids that name the preset in st: all a Read after an
// import, or a Delete, needs.
func presetIDs(ctx context.Context, st tfsdk.State, diags *diag.Diagnostics) (accountID, appID, id string) {
	var ids [3]types.String
	for i, name := range []string{"account_id", "app_id", "id"} {
		diags.Append(st.GetAttribute(ctx, path.Root(name), &ids[i])...)
	}
	return ids[0].ValueString(), ids[1].ValueString(), ids[2].ValueString()
}

func (r *kitPresetResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	defer r.data.warnOfHolds(&resp.Diagnostics)
	accountID, appID, id := presetIDs(ctx, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx)
	p, err := r.data.kit.GetPreset(ctx, accountID, appID, id)
	if callsapi.IsNotFound(err) {
		tflog.Warn(ctx, kitPresetNoun+" no longer exists; removing it from state", map[string]any{"app_id": appID, "id": id})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read "+kitPresetNoun, apiErrorDetail(err))
		return
	}
	m, diags := presetModel(accountID, appID, p)
	resp.Diagnostics.Append(diags...)
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	}
}

func (r *kitPresetResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer r.data.warnOfHolds(&resp.Diagnostics)
	var plan, state kitPresetModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The whole planned preset is sent, not only what changed: the plan
	// holds every member (those the configuration leaves out come from
	// state), so the preset ends as planned whatever the API held before,
	// drift included, and no diff of nested objects can go wrong.
	body, diags := plan.body(ctx, removedPlugins(state.Permissions, plan.Permissions))
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx)
	accountID, appID, id := state.AccountID.ValueString(), state.AppID.ValueString(), state.ID.ValueString()
	if err := r.data.kit.UpdatePreset(ctx, accountID, appID, id, body); err != nil {
		resp.Diagnostics.AddError("Unable to update "+kitPresetNoun, apiErrorDetail(err))
		return
	}
	r.readBack(ctx, accountID, appID, id, body, "updated", &resp.State, &resp.Diagnostics)
}

func (r *kitPresetResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	defer r.data.warnOfHolds(&resp.Diagnostics)
	accountID, appID, id := presetIDs(ctx, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.kit.DeletePreset(r.data.withMasks(ctx), accountID, appID, id)
	if err != nil && !callsapi.IsNotFound(err) {
		resp.Diagnostics.AddError("Unable to delete "+kitPresetNoun, apiErrorDetail(err))
	}
}

// readBack reads the preset a write (done) just made and stores it as the
// state. When the read fails, the write has still been carried out: the
// state is what was sent (what the API fills in stays null until the next
// refresh reads it), with a warning, rather than an error that would taint
// a preset that is as planned and have the next apply replace it.
func (r *kitPresetResource) readBack(ctx context.Context, accountID, appID, id string, sent kitapi.PresetBody, done string,
	state *tfsdk.State, diags *diag.Diagnostics,
) {
	p, err := r.data.kit.GetPreset(ctx, accountID, appID, id)
	if err != nil {
		diags.AddWarning(kitPresetNoun+" "+done+", but not read back", fmt.Sprintf("The preset %q (id %s) was %s, but reading it back failed, "+
			"so its state holds what was sent, and what the API fills in is null until the next plan or refresh reads it.\n\n%s",
			sent.Name, id, done, apiErrorDetail(err)))
		p = &kitapi.Preset{ID: id, PresetBody: sent}
	}
	m, d := presetModel(accountID, appID, p)
	diags.Append(d...)
	diags.Append(state.Set(ctx, m)...)
}

func (r *kitPresetResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	parts, err := parseKitImportID(req.ID, "app_id", "preset_id")
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id for "+kitPresetNoun, err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("account_id"), parts[0])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("app_id"), parts[1])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), parts[2])...)
}

// lostCreate is what the search for a preset a lost create may have made
// needs (see lostCreate.report).
func (r *kitPresetResource) lostCreate(accountID, appID, name string, started time.Time) lostCreate {
	return lostCreate{
		noun: kitPresetNoun, one: "preset", many: "presets", idName: "id", accountID: accountID, appID: appID, name: name, started: started,
		timeout: operationTimeout{op: "create"},
		list: func(ctx context.Context) ([]createdObject, error) {
			presets, err := r.data.kit.ListPresets(ctx, accountID, appID)
			return createdObjects(presets, func(p kitapi.PresetSummary) createdObject { return createdObject{p.ID, p.Name, p.CreatedAt} }), err
		},
		listCommand:       r.data.kit.PresetsCommand(accountID, appID),
		othersAdvice:      "import one and delete the others",
		importExplanation: importAddressHelp("realtime_kit_preset"),
	}
}
