package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The official Cloudflare provider (v5) stores Calls apps and TURN keys with
// schema version 500, the server's id in "uid" (its "app_id"/"key_id" stay
// null), and the secret in "secret" or "key". Its state holds the only copy of
// each secret, so `moved` blocks (Terraform 1.8+) must carry it over intact.
const (
	officialProviderType          = "cloudflare/cloudflare"
	officialSchemaVersion         = 500
	officialAppTypeName           = "cloudflare_calls_sfu_app"
	officialTURNKeyTypeName       = "cloudflare_calls_turn_app"
	officialProviderAddressSuffix = "/" + officialProviderType
)

var (
	_ resource.ResourceWithMoveState = (*CallsAppResource)(nil)
	_ resource.ResourceWithMoveState = (*CallsTURNKeyResource)(nil)
)

// movedObject is what is taken from an official provider's state.
type movedObject struct {
	accountID, uid    types.String
	name, secret      types.String
	created, modified types.String
}

func (r *CallsAppResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{StateMover: officialMover(appKind, officialAppTypeName, func(ctx context.Context, o movedObject, resp *resource.MoveStateResponse) {
		resp.Diagnostics.Append(resp.TargetState.Set(ctx, &callsAppModel{
			ID: o.uid, AccountID: o.accountID, Name: o.name, UID: o.uid,
			Secret: o.secret, Created: o.created, Modified: o.modified,
		})...)
	})}}
}

func (r *CallsTURNKeyResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{StateMover: officialMover(turnKeyKind, officialTURNKeyTypeName, func(ctx context.Context, o movedObject, resp *resource.MoveStateResponse) {
		resp.Diagnostics.Append(resp.TargetState.Set(ctx, &callsTURNKeyModel{
			ID: o.uid, AccountID: o.accountID, Name: o.name, UID: o.uid,
			Key: o.secret, Created: o.created, Modified: o.modified,
		})...)
	})}}
}

// officialMover moves sourceType of the official provider into kind. A request
// for any other source is left alone, so the framework reports it unsupported.
func officialMover(kind callsKind, sourceType string, set func(context.Context, movedObject, *resource.MoveStateResponse)) func(context.Context, resource.MoveStateRequest, *resource.MoveStateResponse) {
	return func(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
		if req.SourceTypeName != sourceType || !strings.HasSuffix(req.SourceProviderAddress, officialProviderAddressSuffix) {
			return
		}
		title := fmt.Sprintf("Unable to move %s from %s", kind.noun, sourceType)
		if req.SourceSchemaVersion != officialSchemaVersion {
			resp.Diagnostics.AddError(title, fmt.Sprintf(
				"The source state has schema version %d; this provider can move only version %d, written by the official Cloudflare provider v5. "+
					"Upgrade the official provider to v5 and refresh, or remove the resource from state and import it instead (which loses its %s).",
				req.SourceSchemaVersion, officialSchemaVersion, kind.secretAttr))
			return
		}
		if req.SourceRawState == nil || len(req.SourceRawState.JSON) == 0 {
			resp.Diagnostics.AddError(title, "The source state is empty: there is nothing to move.")
			return
		}
		var raw map[string]any
		if err := json.Unmarshal(req.SourceRawState.JSON, &raw); err != nil {
			resp.Diagnostics.AddError(title, "The source state is not a JSON object: "+err.Error())
			return
		}

		var problems []string
		field := func(name string, required bool) types.String {
			v, present := raw[name]
			if !present || v == nil {
				if required {
					problems = append(problems, fmt.Sprintf("%q is missing", name))
				}
				return types.StringNull()
			}
			s, ok := v.(string)
			if !ok {
				problems = append(problems, fmt.Sprintf("%q is a %T, not a string", name, v))
				return types.StringNull()
			}
			return types.StringValue(s)
		}
		o := movedObject{
			accountID: field("account_id", true),
			uid:       field("uid", true),
			name:      field("name", false),
			secret:    field(kind.secretAttr, false),
			created:   field("created", false),
			modified:  field("modified", false),
		}
		for attr, v := range map[string]types.String{"account_id": o.accountID, "uid": o.uid} {
			if !v.IsNull() && !cloudflareIDPattern.MatchString(v.ValueString()) {
				problems = append(problems, fmt.Sprintf("%q is %q, not 32 lowercase hexadecimal characters", attr, v.ValueString()))
			}
		}
		if len(problems) > 0 {
			resp.Diagnostics.AddError(title, "The source state cannot be read: "+strings.Join(problems, "; ")+
				". Nothing was moved; the source state is unchanged.")
			return
		}
		if o.name.IsNull() {
			o.name = types.StringValue("")
		}
		set(ctx, o, resp)
		resp.Diagnostics.Append(kind.setIdentity(ctx, resp.TargetIdentity, o.accountID, o.uid)...)
	}
}
