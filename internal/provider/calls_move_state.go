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
// each secret, so `moved` blocks (Terraform 1.8+, OpenTofu 1.10+) must carry
// it over intact.
const officialSchemaVersion = 500

// isOfficialProviderAddress reports whether a move's source provider is the
// official Cloudflare provider. Terraform and OpenTofu 1.12.4+ send its full
// address, "<host>/cloudflare/cloudflare"; OpenTofu 1.10 to 1.12.3 send only
// the local name implied by the resource type, "cloudflare". The source type
// name and schema version then tell the official provider's state apart.
func isOfficialProviderAddress(address string) bool {
	parts := strings.Split(address, "/")
	switch len(parts) {
	case 1:
		return parts[0] == "cloudflare"
	case 3:
		return parts[0] != "" && parts[1] == "cloudflare" && parts[2] == "cloudflare"
	}
	return false
}

// MoveState moves the official provider's resource of this kind, and
// refuses, naming the right target, its resources of the other kinds.
func (r *callsResource) MoveState(context.Context) []resource.StateMover {
	movers := []resource.StateMover{{StateMover: officialMover(r.kind)}}
	for _, other := range callsKinds {
		if other.typeName != r.kind.typeName {
			movers = append(movers, resource.StateMover{StateMover: wrongKindMover(r.kind, other.officialTypeName, other)})
		}
	}
	return movers
}

// wrongKindMover refuses a move of the official provider's sourceType, which
// holds the other kind of object, into kind: an app's secret is no TURN key.
func wrongKindMover(kind callsKind, sourceType string, sourceKind callsKind) func(context.Context, resource.MoveStateRequest, *resource.MoveStateResponse) {
	return func(_ context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
		if req.SourceTypeName != sourceType || !isOfficialProviderAddress(req.SourceProviderAddress) {
			return
		}
		resp.Diagnostics.AddError(fmt.Sprintf("Unable to move %s into cloudflare_%s", sourceType, kind.typeName),
			fmt.Sprintf("%s holds a %s, and cloudflare_%s is a %s. Move it into cloudflare_%s instead: "+
				"change the target of the moved block (and its resource block) to cloudflare_%s. Nothing was moved; the source state is unchanged.",
				sourceType, sourceKind.noun, kind.typeName, kind.noun, sourceKind.typeName, sourceKind.typeName))
	}
}

// officialMover moves the official provider's resource of kind into kind
// and refuses, saying why, the same type name from any other provider. A
// request for any other type is left alone, so the framework reports it
// unsupported.
func officialMover(kind callsKind) func(context.Context, resource.MoveStateRequest, *resource.MoveStateResponse) {
	sourceType := kind.officialTypeName
	return func(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
		if req.SourceTypeName != sourceType {
			return
		}
		title := fmt.Sprintf("Unable to move %s from %s", kind.noun, sourceType)
		if !isOfficialProviderAddress(req.SourceProviderAddress) {
			resp.Diagnostics.AddError(title, fmt.Sprintf(
				"The source resource belongs to the provider %q. This provider moves %s only from the official Cloudflare provider (cloudflare/cloudflare). Nothing was moved; the source state is unchanged.",
				req.SourceProviderAddress, sourceType))
			return
		}
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
		uid := field("uid", true)
		o := callsModel{
			ID:        uid,
			AccountID: field("account_id", true),
			UID:       uid,
			Name:      field("name", false),
			Secret:    field(kind.secretAttr, false),
			Created:   field("created", false),
			Modified:  field("modified", false),
		}
		for attr, v := range map[string]types.String{"account_id": o.AccountID, "uid": o.UID} {
			if !v.IsNull() && !cloudflareIDPattern.MatchString(v.ValueString()) {
				problems = append(problems, fmt.Sprintf("%q is %q, not 32 lowercase hexadecimal characters", attr, v.ValueString()))
			}
		}
		if len(problems) > 0 {
			resp.Diagnostics.AddError(title, "The source state cannot be read: "+strings.Join(problems, "; ")+
				". Nothing was moved; the source state is unchanged.")
			return
		}
		if o.Name.IsNull() {
			o.Name = types.StringValue("")
		}
		resp.Diagnostics.Append(resp.TargetState.Set(ctx, kind.toObject(o))...)
		resp.Diagnostics.Append(kind.setIdentity(ctx, resp.TargetIdentity, o.AccountID, o.UID)...)
	}
}
