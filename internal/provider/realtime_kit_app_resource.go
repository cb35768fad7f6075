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
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/kitapi"
)

var (
	_ resource.ResourceWithConfigure   = (*kitAppResource)(nil)
	_ resource.ResourceWithImportState = (*kitAppResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*kitAppResource)(nil)
)

// kitAppResource is cloudflare_realtime_kit_app. The API can only create
// and list apps: there is no get by id, so a Read finds the app in the list;
// no rename and no delete, so a change of name or account is refused at plan
// time (a replacement would abandon the app) and a destroy only forgets it.
type kitAppResource struct{ data *providerData }

func newKitAppResource() resource.Resource { return &kitAppResource{} }

const kitAppNoun = "RealtimeKit app"

// kitAppModel is the resource's state.
type kitAppModel struct {
	AccountID types.String `tfsdk:"account_id"`
	ID        types.String `tfsdk:"id"`
	Name      types.String `tfsdk:"name"`
	CreatedAt types.String `tfsdk:"created_at"`
	UpdatedAt types.String `tfsdk:"updated_at"`
}

func (m *kitAppModel) setFromApp(a kitapi.App) {
	m.ID = types.StringValue(a.ID)
	m.Name = types.StringValue(a.Name)
	m.CreatedAt = types.StringValue(a.CreatedAt)
	m.UpdatedAt = types.StringValue(a.UpdatedAt)
}

func (r *kitAppResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_realtime_kit_app"
}

func (r *kitAppResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	stable := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Cloudflare RealtimeKit app, the container of RealtimeKit presets, webhooks and meetings.\n\n" +
			"The RealtimeKit API can create and list apps, but it cannot rename or delete them, and app names need not be unique. So:\n\n" +
			"* **Every create makes a new app**, even when the account already holds one of the same name: to manage an existing " +
			"app, import it.\n" +
			"* **A change of `name` or `account_id` is refused at plan time**, and nothing is sent. Replacing the app would create a " +
			"second one and abandon this one, which the API cannot delete. Keep the name, or, to start a new app on purpose, run " +
			"`terraform state rm` on this resource (the app stays in the account, unmanaged) and apply again. A replacement that " +
			"Terraform decides alone (`-replace`, `replace_triggered_by`) is not shown to the provider: it abandons the old app the " +
			"same way a destroy does.\n" +
			"* **Destroying only removes the app from the state**, with a warning naming it: the app, and everything in it, stays " +
			"in the account.\n\n" +
			"A refresh finds the app in the account's list of apps; an app missing from the list is removed from the state, and the " +
			"next apply creates a new one.",
		Attributes: map[string]schema.Attribute{
			"account_id": schema.StringAttribute{
				MarkdownDescription: "The Cloudflare account id (32 lowercase hexadecimal characters). It cannot change: the API cannot " +
					"move, nor delete, an app.",
				Required:      true,
				Validators:    []validator.String{idValidator("account id")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The app's name. Need not be unique in the account. It cannot change: the API cannot rename an app.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "The app's id, assigned by Cloudflare (a UUID).",
				Computed:            true,
				PlanModifiers:       stable,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the app was created, as the API writes it.",
				Computed:            true,
				PlanModifiers:       stable,
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the app was last changed, as the API writes it.",
				Computed:            true,
				PlanModifiers:       stable,
			},
		},
	}
}

func (r *kitAppResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (r *kitAppResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.data.warnOfHolds(&resp.Diagnostics)
	var plan kitAppModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx)
	accountID, name := plan.AccountID.ValueString(), plan.Name.ValueString()

	started := time.Now()
	created, err := r.data.kit.CreateApp(ctx, accountID, name)
	if err != nil {
		r.lostCreate(accountID, name, started).report(ctx, r.data, &resp.Diagnostics, err)
		return
	}
	r.data.createdHere.Store(created.ID, struct{}{})
	tflog.Info(ctx, "created "+kitAppNoun, map[string]any{"account_id": accountID, "id": created.ID})

	// The create's answer is not the app's state: the list is.
	app, err := r.find(ctx, accountID, created.ID, name)
	if err != nil || app == nil {
		reason := "it is not in the account's list of apps yet"
		if err != nil {
			reason = "listing the account's apps failed: " + describeFailure(err)
		}
		resp.Diagnostics.AddWarning(kitAppNoun+" created, but not read back", fmt.Sprintf(
			"The %s %q was created with id %s in account %s, but %s. Its state is taken from the create's answer; the next "+
				"terraform plan or apply reads it again.", kitAppNoun, name, created.ID, accountID, reason))
		app = created
		app.Name = name
	}
	plan.setFromApp(*app)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// lostCreate is what the search for an app a lost create may have made
// needs: the apps are listed with the name as the search (which the API
// takes for a substring; the search keeps exactly that name).
func (r *kitAppResource) lostCreate(accountID, name string, started time.Time) lostCreate {
	return lostCreate{
		noun: kitAppNoun, one: kitAppNoun, many: kitAppNoun + "s", idName: "id", accountID: accountID, name: name, started: started,
		timeout: operationTimeout{op: "create"},
		list: func(ctx context.Context) ([]createdObject, error) {
			apps, err := r.data.kit.ListApps(ctx, accountID, name)
			return createdObjects(apps, func(a kitapi.App) createdObject { return createdObject{a.ID, a.Name, a.CreatedAt} }), err
		},
		listCommand:  r.data.kit.AppsListCommand(accountID),
		othersAdvice: "import the one to manage; the others stay in the account, since the API cannot delete apps",
		importExplanation: importAddressHelp("realtime_kit_app") + " An app that is not imported stays in the account: " +
			"the API cannot delete apps.",
	}
}

func (r *kitAppResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	defer r.data.warnOfHolds(&resp.Diagnostics)
	var state kitAppModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx)
	app, err := r.find(ctx, state.AccountID.ValueString(), state.ID.ValueString(), state.Name.ValueString())
	if err != nil {
		addReadError(&resp.Diagnostics, "Unable to read "+kitAppNoun, err)
		return
	}
	if app == nil {
		tflog.Warn(ctx, kitAppNoun+" is no longer in the account's list of apps; removing it from state",
			map[string]any{"account_id": state.AccountID.ValueString(), "id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	state.setFromApp(*app)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// find looks for the app id in the account's list: first among the apps
// whose name contains name (one page, most of the time), then, when it is
// not there (the name is not known after an import, or the search missed),
// in the whole list. It returns nil when the app is in neither.
func (r *kitAppResource) find(ctx context.Context, accountID, id, name string) (*kitapi.App, error) {
	if name != "" {
		apps, err := r.data.kit.ListApps(ctx, accountID, name)
		if err != nil {
			return nil, err
		}
		if app := appWithID(apps, id); app != nil {
			return app, nil
		}
	}
	apps, err := r.data.kit.ListApps(ctx, accountID, "")
	if err != nil {
		return nil, err
	}
	return appWithID(apps, id), nil
}

func appWithID(apps []kitapi.App, id string) *kitapi.App {
	for i := range apps {
		if apps[i].ID == id {
			return &apps[i]
		}
	}
	return nil
}

// Update is reached only when the planned name was unknown at plan time
// (ModifyPlan refuses a known change): an app cannot be renamed, so a new
// name is refused here, before anything is sent, and the same name keeps
// the state as it is.
func (r *kitAppResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state kitAppModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.Name.Equal(state.Name) {
		addKitAppChangeRefused(&resp.Diagnostics, path.Root("name"), state, plan.Name.ValueString())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Delete cannot delete: the API has no way to. It forgets the app and says
// so, naming the app that stays in the account.
func (r *kitAppResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state kitAppModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Warn(ctx, kitAppNoun+" removed from state only; it stays in the account",
		map[string]any{"account_id": state.AccountID.ValueString(), "id": state.ID.ValueString()})
	detail := kitAppLeftBehind(state) + " Terraform no longer manages it. To manage it again, declare a cloudflare_realtime_kit_app " +
		"and import it by the id " + state.AccountID.ValueString() + "/" + state.ID.ValueString() +
		" (an import block, or terraform import with the resource's address; tofu import on OpenTofu)."
	resp.Diagnostics.AddWarning(kitAppNoun+" not deleted: it stays in the account", detail)
}

// kitAppLeftBehind says that the app in state stays in its account.
func kitAppLeftBehind(s kitAppModel) string {
	return fmt.Sprintf("The RealtimeKit API cannot delete an app, so the %s %q (id %s) stays in account %s, with "+
		"the presets, webhooks and meetings it still holds; it is only removed from the Terraform state.", kitAppNoun, s.Name.ValueString(), s.ID.ValueString(), s.AccountID.ValueString())
}

// ModifyPlan refuses, before anything is sent, the changes the API cannot
// make: a new name or account would need a replacement, which would create
// a second app and abandon this one for good. It warns before a destroy,
// which only forgets the app.
func (r *kitAppResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() {
		return
	}
	var state kitAppModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if req.Plan.Raw.IsNull() {
		resp.Diagnostics.AddWarning("Destroying a "+kitAppNoun+" does not delete it", kitAppLeftBehind(state))
		return
	}
	var plan kitAppModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.AccountID.IsUnknown() && !plan.AccountID.Equal(state.AccountID) {
		addKitAppChangeRefused(&resp.Diagnostics, path.Root("account_id"), state, plan.AccountID.ValueString())
	}
	if !plan.Name.IsUnknown() && !plan.Name.Equal(state.Name) {
		addKitAppChangeRefused(&resp.Diagnostics, path.Root("name"), state, plan.Name.ValueString())
	}
}

// addKitAppChangeRefused refuses a change of the attribute at p (name or
// account_id) to value, and says why and what to do instead.
func addKitAppChangeRefused(diags *diag.Diagnostics, p path.Path, s kitAppModel, value string) {
	what, now := "rename an app", s.Name.ValueString()
	if p.Equal(path.Root("account_id")) {
		what, now = "move an app to another account", s.AccountID.ValueString()
	}
	diags.AddAttributeError(p, "Cannot change the "+p.String()+" of a "+kitAppNoun, fmt.Sprintf(
		"The RealtimeKit API cannot %s, so %s = %q cannot become %q. Replacing the app instead would create a second app and "+
			"abandon this one, %q (id %s in account %s), which the API cannot delete either; nothing was sent.\n\n"+
			"Either keep %s = %q, or, to start a new app on purpose, run terraform state rm '<address>' (the app %s stays in the "+
			"account, unmanaged) and apply again; <address> is the resource address shown with this error (tofu state rm on OpenTofu).",
		what, p, now, value, s.Name.ValueString(), s.ID.ValueString(), s.AccountID.ValueString(), p, now, s.ID.ValueString()))
}

// ImportState takes "<account_id>/<app_id>"; the Read that follows finds the
// app in the account's list.
func (r *kitAppResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	parts, err := parseKitImportID(req.ID, "app_id")
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id for "+kitAppNoun, err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("account_id"), parts[0])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), parts[1])...)
}
