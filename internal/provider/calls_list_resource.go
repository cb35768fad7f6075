package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var _ list.ListResourceWithConfigure = (*callsListResource)(nil)

// callsListResource lists the apps or TURN keys of an account for
// `terraform query` (Terraform 1.14+), so that they can be imported in bulk.
// Each result carries the object's identity and, when asked for, its state
// as an import would produce it: without the secret, which the API cannot
// return.
type callsListResource struct{ kindBound }

func (l *callsListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + l.kind.typeName
}

func (l *callsListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: fmt.Sprintf("Lists every %s of an account.", l.kind.noun),
		Attributes: map[string]listschema.Attribute{
			"account_id": listschema.StringAttribute{
				MarkdownDescription: "The Cloudflare account id (32 lowercase hexadecimal characters).",
				Required:            true,
				Validators:          []validator.String{idValidator("account id")},
			},
		},
	}
}

func (l *callsListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (l *callsListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	k := l.kind
	var accountID types.String
	if diags := req.Config.GetAttribute(ctx, path.Root("account_id"), &accountID); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	// Terraform validates the config first; a client that did not still
	// sends no request with a malformed account id.
	checked := &validator.StringResponse{}
	idValidator("account id").ValidateString(ctx, validator.StringRequest{Path: path.Root("account_id"), ConfigValue: accountID}, checked)
	if checked.Diagnostics.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(checked.Diagnostics)
		return
	}
	ctx = l.data.withMasks(ctx)

	objects, err := k.list(ctx, l.data.client, accountID.ValueString())
	if err != nil {
		stream.Results = list.ListResultsStreamDiagnostics(diag.Diagnostics{
			diag.NewErrorDiagnostic("Unable to list "+k.pluralNoun, apiErrorDetail(err)),
		})
		return
	}
	tflog.Debug(ctx, "listing Calls objects for terraform query", map[string]any{"kind": k.typeName, "account_id": accountID.ValueString(), "count": len(objects), "limit": req.Limit})

	stream.Results = func(push func(list.ListResult) bool) {
		for i, o := range objects {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			result := req.NewListResult(ctx)
			result.DisplayName = displayName(o)
			result.Diagnostics.Append(k.setIdentity(ctx, result.Identity, accountID, types.StringValue(o.UID))...)
			if req.IncludeResource {
				result.Diagnostics.Append(result.Resource.Set(ctx, k.listedState(accountID.ValueString(), o))...)
			}
			if !push(result) {
				return
			}
		}
	}
}

// displayName is the object's name, or its uid when it has none (the API's
// default name is empty).
func displayName(o callsObject) string {
	if o.Name == "" {
		return o.UID
	}
	return o.Name
}
