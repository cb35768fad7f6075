package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

// The Calls data sources: cloudflare_calls_app and cloudflare_calls_turn_key
// read one object by id or name, cloudflare_calls_apps and cloudflare_calls_turn_keys
// list an account's. None has room for a secret.

// dataSourceAccountID is the account_id attribute of every Calls data source.
var dataSourceAccountID = schema.StringAttribute{
	MarkdownDescription: "The Cloudflare account id (32 lowercase hexadecimal characters).",
	Required:            true,
	Validators:          []validator.String{idValidator("account id")},
}

var _ datasource.DataSourceWithConfigure = (*callsObjectDataSource)(nil)

// callsObjectDataSource reads one existing app (cloudflare_calls_app) or TURN
// key (cloudflare_calls_turn_key) by id or by name. The two differ only in their
// callsKind, so they share this implementation.
type callsObjectDataSource struct{ kindBound }

func (d *callsObjectDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.kind.typeName
}

func (d *callsObjectDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	k := d.kind
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("Reads an existing %s by its id or by its name. The `%s` is never exposed: the API returns it only to the "+
			"configuration that creates the %s (see the `cloudflare_%s` resource).", k.noun, k.secretAttr, k.noun, k.typeName),
		Attributes: map[string]schema.Attribute{
			"account_id": dataSourceAccountID,
			k.idAttr: schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The %s's uid (32 lowercase hexadecimal characters). Set exactly one of `%s` and `name`. "+
					"An id that does not exist in the account is an error. When the %s is looked up by name, this is its uid.", k.noun, k.idAttr, k.noun),
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{idValidator(k.noun + " id"), stringvalidator.ExactlyOneOf(path.MatchRoot(k.idAttr), path.MatchRoot("name"))},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The %s's name. Set exactly one of `%s` and `name`: by name, the account's %s are listed "+
					"(one request) and exactly one must have this name, matched exactly; none, or more than one, is an error that says how "+
					"many matched (and their uids). When the %s is read by id, this is its name.", k.noun, k.idAttr, k.pluralNoun, k.noun),
				Optional: true,
				Computed: true,
			},
			"uid": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The %s's uid, the same as `%s`.", k.noun, k.idAttr),
				Computed:            true,
			},
			"created": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("When the %s was created (RFC 3339, UTC).", k.noun),
				Computed:            true,
			},
			"modified": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("When the %s was last changed (RFC 3339, UTC).", k.noun),
				Computed:            true,
			},
		},
	}
}

func (d *callsObjectDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (d *callsObjectDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer d.data.warnOfHolds(&resp.Diagnostics)
	k := d.kind
	var accountID, objectID, name types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("account_id"), &accountID)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(k.idAttr), &objectID)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("name"), &name)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = d.data.withMasks(ctx)

	var object callsObject
	var ok bool
	if name.IsNull() {
		object, ok = d.readByID(ctx, accountID.ValueString(), objectID.ValueString(), &resp.Diagnostics)
	} else {
		object, ok = d.readByName(ctx, accountID.ValueString(), name.ValueString(), &resp.Diagnostics)
	}
	if !ok {
		return
	}
	tflog.Debug(ctx, "read Calls object", map[string]any{"kind": k.typeName, "account_id": accountID.ValueString(), "uid": object.UID})
	for attr, value := range map[string]string{
		k.idAttr:   object.UID,
		"name":     object.Name,
		"uid":      object.UID,
		"created":  object.Created,
		"modified": object.Modified,
	} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(attr), types.StringValue(value))...)
	}
}

// readByID reads the object with one GET.
func (d *callsObjectDataSource) readByID(ctx context.Context, accountID, objectID string, diags *diag.Diagnostics) (callsObject, bool) {
	k := d.kind
	object, err := k.get(ctx, d.data.client, accountID, objectID)
	if callsapi.IsNotFound(err) {
		diags.AddAttributeError(path.Root(k.idAttr), k.noun+" not found", fmt.Sprintf(
			"No %s with id %s exists in account %s. Check %s and account_id.\n\n%s",
			k.noun, objectID, accountID, k.idAttr, apiErrorDetail(err)))
		return callsObject{}, false
	}
	if err != nil {
		diags.AddError("Unable to read "+k.noun, apiErrorDetail(err))
		return callsObject{}, false
	}
	return object, true
}

// readByName lists the account (one request, however many objects it
// holds) and takes the one object with exactly this name. Names are not
// unique, so none or several is an error that says which.
func (d *callsObjectDataSource) readByName(ctx context.Context, accountID, name string, diags *diag.Diagnostics) (callsObject, bool) {
	k := d.kind
	objects, err := k.list(ctx, d.data.client, accountID)
	if err != nil {
		diags.AddError("Unable to list "+k.pluralNoun, apiErrorDetail(err))
		return callsObject{}, false
	}
	var matches []callsObject
	for _, o := range objects {
		if o.Name == name {
			matches = append(matches, o)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], true
	case 0:
		diags.AddAttributeError(path.Root("name"), k.noun+" not found", fmt.Sprintf(
			"No %s named %q exists in account %s, which holds %d %s; names are matched exactly, case included. "+
				"Check name and account_id, or read the %s by %s.",
			k.noun, name, accountID, len(objects), pluralize(len(objects), k.noun, k.pluralNoun), k.noun, k.idAttr))
	default:
		var b strings.Builder
		fmt.Fprintf(&b, "%d %s in account %s are named %q, and names are not unique, so this data source cannot tell which one is meant:\n",
			len(matches), k.pluralNoun, accountID, name)
		for _, o := range matches {
			fmt.Fprintf(&b, "\n  uid %s (created %s)", o.UID, o.Created)
		}
		fmt.Fprintf(&b, "\n\nRead one of them by %s instead, or all of them with the cloudflare_%s data source.", k.idAttr, k.pluralTypeName)
		diags.AddAttributeError(path.Root("name"), fmt.Sprintf("Several %s have this name", k.pluralNoun), b.String())
	}
	return callsObject{}, false
}

var _ datasource.DataSourceWithConfigure = (*callsObjectsDataSource)(nil)

// callsObjectsDataSource lists the apps (cloudflare_calls_apps) or TURN keys
// (cloudflare_calls_turn_keys) of an account, optionally only those with a
// given name.
type callsObjectsDataSource struct{ kindBound }

// callsObjectModel is one element of the list; like callsObject, it has no
// room for a secret.
type callsObjectModel struct {
	UID      types.String `tfsdk:"uid"`
	Name     types.String `tfsdk:"name"`
	Created  types.String `tfsdk:"created"`
	Modified types.String `tfsdk:"modified"`
}

func (d *callsObjectsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.kind.pluralTypeName
}

func (d *callsObjectsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	k := d.kind
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("Lists the %s of an account, optionally only those with a given name. "+
			"No `%s` is ever exposed: the API returns it only to the configuration that creates the object.", k.pluralNoun, k.secretAttr),
		Attributes: map[string]schema.Attribute{
			"account_id": dataSourceAccountID,
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("When set, only the %s whose name is exactly this (names are not unique). When left out, all of them.", k.pluralNoun),
				Optional:            true,
			},
			k.listAttr: schema.ListNestedAttribute{
				MarkdownDescription: fmt.Sprintf("The %s, in the order the API returns them (creation order).", k.pluralNoun),
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"uid":      schema.StringAttribute{MarkdownDescription: fmt.Sprintf("The %s's uid.", k.noun), Computed: true},
						"name":     schema.StringAttribute{MarkdownDescription: fmt.Sprintf("The %s's name.", k.noun), Computed: true},
						"created":  schema.StringAttribute{MarkdownDescription: "When it was created (RFC 3339, UTC).", Computed: true},
						"modified": schema.StringAttribute{MarkdownDescription: "When it was last changed (RFC 3339, UTC).", Computed: true},
					},
				},
			},
		},
	}
}

func (d *callsObjectsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (d *callsObjectsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer d.data.warnOfHolds(&resp.Diagnostics)
	k := d.kind
	var accountID, name types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("account_id"), &accountID)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("name"), &name)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = d.data.withMasks(ctx)

	objects, err := k.list(ctx, d.data.client, accountID.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Unable to list "+k.pluralNoun, apiErrorDetail(err))
		return
	}
	// Never nil, so that no match is an empty list rather than null.
	items := make([]callsObjectModel, 0, len(objects))
	for _, o := range objects {
		if !name.IsNull() && o.Name != name.ValueString() {
			continue
		}
		items = append(items, callsObjectModel{
			UID:      types.StringValue(o.UID),
			Name:     types.StringValue(o.Name),
			Created:  types.StringValue(o.Created),
			Modified: types.StringValue(o.Modified),
		})
	}
	tflog.Debug(ctx, "listed Calls objects", map[string]any{"kind": k.typeName, "account_id": accountID.ValueString(), "listed": len(objects), "kept": len(items)})
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(k.listAttr), items)...)
}
