package provider

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The official provider leaves "name" null (or out) for an object made
// without one. Moved here, the name is "", the API's and this provider's
// default, never null: a null would plan a change from null to "" on every
// plan of a configuration without a name. Every other value is kept.
func TestMoveState_nullNameBecomesEmpty(t *testing.T) {
	fixture := loadOfficialFixture(t)
	em := seedEmulatorWithFixture(t, fixture)
	for _, c := range moveCases {
		for how, drop := range map[string]func(map[string]any){
			"null":   func(m map[string]any) { m["name"] = nil },
			"absent": func(m map[string]any) { delete(m, "name") },
		} {
			t.Run(c.source+"/"+how, func(t *testing.T) {
				p := newProtocolProvider(t, em)
				src := fixture[c.source]
				attrs := src.attrs(t)
				drop(attrs)
				raw, err := json.Marshal(attrs)
				if err != nil {
					t.Fatal(err)
				}
				resp := p.move(c, officialProviderAddress, src.SchemaVersion, raw)
				if msg := errorDiags(resp.Diagnostics); msg != "" {
					t.Fatalf("move: %s", msg)
				}
				typ := p.resourceType(c.target)
				got := p.decode(typ, resp.TargetState)
				name, ok := got["name"]
				if !ok || name != "" {
					t.Errorf("moved name is %q (present %v), want \"\", not null", name, ok)
				}
				want := src.attrs(t)
				for _, attr := range []string{"uid", "account_id", "created", "modified"} {
					if got[attr] != want[attr] {
						t.Errorf("moved %s is %q, want %q", attr, got[attr], want[attr])
					}
				}
				if got[c.secretAttr] != want[c.secretAttr] {
					t.Errorf("the move lost the %s", c.secretAttr)
				}

				// A configuration without a name plans no change at all.
				// Terraform proposes the prior state, since every attribute
				// it does not set is computed.
				config := p.encode(typ, map[string]tftypes.Value{"account_id": tfString(want["account_id"].(string))})
				plan, err := p.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
					TypeName:         c.target,
					PriorState:       resp.TargetState,
					ProposedNewState: resp.TargetState,
					Config:           config,
					PriorIdentity:    resp.TargetIdentity,
				})
				if err != nil {
					t.Fatal(err)
				}
				if msg := errorDiags(plan.Diagnostics); msg != "" {
					t.Fatalf("plan: %s", msg)
				}
				prior, err := resp.TargetState.Unmarshal(typ)
				if err != nil {
					t.Fatal(err)
				}
				planned, err := plan.PlannedState.Unmarshal(typ)
				if err != nil {
					t.Fatal(err)
				}
				if !planned.Equal(prior) || len(plan.RequiresReplace) != 0 {
					t.Errorf("a configuration without a name plans a change of the moved state:\nprior   %s\nplanned %s\nreplace %v", prior, planned, plan.RequiresReplace)
				}
			})
		}
	}
}
