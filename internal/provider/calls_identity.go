package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// identitySchema is the resource identity of the kind: the account and the
// object's id, both needed to find the object again (Terraform 1.12+ stores
// it, imports by it, and `terraform query` returns it).
func (k callsKind) identitySchema() identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"account_id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "The Cloudflare account id (32 lowercase hexadecimal characters).",
			},
			k.idAttr: identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       fmt.Sprintf("The %s's uid (32 lowercase hexadecimal characters).", k.noun),
			},
		},
	}
}

// setIdentity records which remote object a resource instance is.
func (k callsKind) setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, accountID, uid types.String) diag.Diagnostics {
	if identity == nil {
		// The framework always passes one for a resource with an identity
		// schema; nil means there is nothing to fill.
		return nil
	}
	var diags diag.Diagnostics
	diags.Append(identity.SetAttribute(ctx, path.Root("account_id"), accountID)...)
	diags.Append(identity.SetAttribute(ctx, path.Root(k.idAttr), uid)...)
	return diags
}

// importState starts the state of an imported object from either the
// "<account_id>/<id>" string (terraform import, import blocks with id) or an
// identity (import blocks with identity, Terraform 1.12+). Read fills the rest.
func (k callsKind) importState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var accountID, objectID string
	switch {
	case req.ID != "":
		var err error
		accountID, objectID, err = parseImportID(req.ID, k.idAttr)
		if err != nil {
			resp.Diagnostics.AddError("Invalid import id for "+k.noun, fmt.Sprintf(
				"%s. For example: terraform import cloudflare_%s.example 0123456789abcdef0123456789abcdef/<%s>", err, k.typeName, k.idAttr))
			return
		}
	case req.Identity != nil:
		var account, object types.String
		resp.Diagnostics.Append(req.Identity.GetAttribute(ctx, path.Root("account_id"), &account)...)
		resp.Diagnostics.Append(req.Identity.GetAttribute(ctx, path.Root(k.idAttr), &object)...)
		if resp.Diagnostics.HasError() {
			return
		}
		accountID, objectID = account.ValueString(), object.ValueString()
		if !cloudflareIDPattern.MatchString(accountID) || !cloudflareIDPattern.MatchString(objectID) {
			resp.Diagnostics.AddError("Invalid import identity for "+k.noun, fmt.Sprintf(
				"expected account_id and %s, each 32 lowercase hexadecimal characters, got account_id = %q and %s = %q",
				k.idAttr, accountID, k.idAttr, objectID))
			return
		}
	default:
		resp.Diagnostics.AddError("Invalid import id for "+k.noun, fmt.Sprintf(
			"expected <account_id>/<%s> or an identity with account_id and %s, got neither", k.idAttr, k.idAttr))
		return
	}

	account, object := types.StringValue(accountID), types.StringValue(objectID)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("account_id"), account)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("uid"), object)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), object)...)
	resp.Diagnostics.Append(k.setIdentity(ctx, resp.Identity, account, object)...)
}
