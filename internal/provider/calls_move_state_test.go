package provider

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

const officialProviderAddress = "registry.terraform.io/cloudflare/cloudflare"

// officialInstance is one resource instance of the fixture state written by the
// official Cloudflare provider v5.22.
type officialInstance struct {
	SchemaVersion int64           `json:"schema_version"`
	Attributes    json.RawMessage `json:"attributes"`
}

func loadOfficialFixture(t *testing.T) map[string]officialInstance {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "official-provider-v5.22.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Resources []struct {
			Type      string             `json:"type"`
			Instances []officialInstance `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(data, &state); err != nil {
		t.Fatal(err)
	}
	out := map[string]officialInstance{}
	for _, r := range state.Resources {
		out[r.Type] = r.Instances[0]
	}
	return out
}

func (i officialInstance) attrs(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(i.Attributes, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

type moveCase struct {
	source, target, secretAttr, idAttr string
}

var moveCases = []moveCase{
	{source: appKind.officialTypeName, target: "cloudflare_calls_app", secretAttr: "secret", idAttr: "app_id"},
	{source: turnKeyKind.officialTypeName, target: "cloudflare_calls_turn_key", secretAttr: "key", idAttr: "key_id"},
}

func (p *protocolProvider) move(c moveCase, address string, version int64, rawJSON []byte) *tfprotov6.MoveResourceStateResponse {
	p.t.Helper()
	resp, err := p.server.MoveResourceState(context.Background(), &tfprotov6.MoveResourceStateRequest{
		SourceProviderAddress: address,
		SourceTypeName:        c.source,
		SourceSchemaVersion:   version,
		SourceState:           &tfprotov6.RawState{JSON: rawJSON},
		TargetTypeName:        c.target,
	})
	if err != nil {
		p.t.Fatalf("MoveResourceState: %v", err)
	}
	return resp
}

// seedEmulatorWithFixture starts an emulator that already holds the app and
// TURN key of the fixture, as the real account would.
func seedEmulatorWithFixture(t *testing.T, fixture map[string]officialInstance) *emulator.Running {
	t.Helper()
	app, key := fixture[appKind.officialTypeName].attrs(t), fixture[turnKeyKind.officialTypeName].attrs(t)
	state := map[string]any{
		"version": 1,
		"accounts": map[string]any{
			app["account_id"].(string): map[string]any{
				"apps": []any{map[string]any{"uid": app["uid"], "name": app["name"], "secret": app["secret"],
					"created": app["created"], "modified": app["modified"]}},
				"turn_keys": []any{map[string]any{"uid": key["uid"], "name": key["name"], "key": key["key"],
					"created": key["created"], "modified": key["modified"]}},
			},
		},
	}
	data, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "emulator.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	em, err := emulator.Start(emulator.Options{Tokens: []string{testToken}, StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Close)
	return em
}

func TestMoveState_fromOfficialProviderKeepsEveryValue(t *testing.T) {
	fixture := loadOfficialFixture(t)
	em := seedEmulatorWithFixture(t, fixture)
	p := newProtocolProvider(t, em)

	for _, c := range moveCases {
		t.Run(c.source, func(t *testing.T) {
			src := fixture[c.source]
			if src.SchemaVersion != officialSchemaVersion {
				t.Fatalf("fixture schema version %d", src.SchemaVersion)
			}
			want := src.attrs(t)
			// Terraform sends the full address, and so does OpenTofu from
			// 1.12.4; OpenTofu 1.10 to 1.12.3 send the implied local name.
			for _, address := range []string{officialProviderAddress, "registry.opentofu.org/cloudflare/cloudflare", "cloudflare"} {
				resp := p.move(c, address, src.SchemaVersion, src.Attributes)
				if msg := errorDiags(resp.Diagnostics); msg != "" {
					t.Fatalf("move from %s: %s", address, msg)
				}
				got := p.decode(p.resourceType(c.target), resp.TargetState)
				expected := map[string]string{
					"id":         want["uid"].(string),
					"uid":        want["uid"].(string),
					"account_id": want["account_id"].(string),
					"name":       want["name"].(string),
					c.secretAttr: want[c.secretAttr].(string),
					"created":    want["created"].(string),
					"modified":   want["modified"].(string),
				}
				if err := equalMaps(got, expected); err != nil {
					t.Fatalf("moved state: %v", err)
				}
				identity := p.decodeIdentity(c.target, resp.TargetIdentity)
				if err := equalMaps(identity, map[string]string{"account_id": expected["account_id"], c.idAttr: expected["uid"]}); err != nil {
					t.Fatalf("moved identity: %v", err)
				}

				// The next refresh against the API must keep the secret, which
				// the API will never return again.
				read, err := p.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{
					TypeName:        c.target,
					CurrentState:    resp.TargetState,
					CurrentIdentity: resp.TargetIdentity,
				})
				if err != nil {
					t.Fatal(err)
				}
				if msg := errorDiags(read.Diagnostics); msg != "" {
					t.Fatalf("read after move: %s", msg)
				}
				after := p.decode(p.resourceType(c.target), read.NewState)
				if after[c.secretAttr] != expected[c.secretAttr] {
					t.Fatalf("the read after the move lost the %s", c.secretAttr)
				}
				if after["uid"] != expected["uid"] || after["name"] != expected["name"] {
					t.Fatalf("read after move: %v", after)
				}
			}
		})
	}
}

func TestMoveState_refusesUnreadableSource(t *testing.T) {
	fixture := loadOfficialFixture(t)
	p := newProtocolProvider(t, nil)

	edit := func(t *testing.T, src officialInstance, change func(map[string]any)) []byte {
		m := src.attrs(t)
		change(m)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, c := range moveCases {
		src := fixture[c.source]
		cases := []struct {
			name    string
			version int64
			raw     []byte
			want    string
		}{
			{"schema version 0", 0, src.Attributes, `schema version 0.*only version 500`},
			{"schema version 501", 501, src.Attributes, `schema version 501.*only version 500`},
			{"uid missing", 500, edit(t, src, func(m map[string]any) { delete(m, "uid") }), `"uid" is missing`},
			{"uid null", 500, edit(t, src, func(m map[string]any) { m["uid"] = nil }), `"uid" is missing`},
			{"uid not a string", 500, edit(t, src, func(m map[string]any) { m["uid"] = 42 }), `"uid" is a float64, not a string`},
			{"uid malformed", 500, edit(t, src, func(m map[string]any) { m["uid"] = "XYZ" }), `"uid" is "XYZ", not 32 lowercase hexadecimal`},
			{"account_id missing", 500, edit(t, src, func(m map[string]any) { delete(m, "account_id") }), `"account_id" is missing`},
			{"secret not a string", 500, edit(t, src, func(m map[string]any) { m[c.secretAttr] = true }), `"` + c.secretAttr + `" is a bool`},
			{"not a JSON object", 500, []byte(`[1,2]`), `not a JSON object`},
		}
		for _, tc := range cases {
			t.Run(c.source+"/"+tc.name, func(t *testing.T) {
				resp := p.move(c, officialProviderAddress, tc.version, tc.raw)
				msg := errorDiags(resp.Diagnostics)
				if !regexp.MustCompile(`Unable to move Calls (app|TURN key) from ` + c.source).MatchString(msg) {
					t.Fatalf("want a clear refusal, got %q", msg)
				}
				if !regexp.MustCompile(tc.want).MatchString(msg) {
					t.Fatalf("refusal %q does not match %q", msg, tc.want)
				}
				if resp.TargetState != nil {
					if got := p.decode(p.resourceType(c.target), resp.TargetState); got != nil {
						t.Fatalf("a refused move returned state %v", got)
					}
				}
			})
		}
	}
}

func TestMoveState_otherProvidersAreRefusedByName(t *testing.T) {
	fixture := loadOfficialFixture(t)
	p := newProtocolProvider(t, nil)
	for _, c := range moveCases {
		for _, address := range []string{
			"registry.terraform.io/hashicorp/cloudflare",
			"example.com/notcloudflare/cloudflare",
			"registry.terraform.io/cloudflare/cloudflare/extra",
			"cloudflare/cloudflare",
			"calls",
			"",
		} {
			t.Run(c.source+"/"+address, func(t *testing.T) {
				resp := p.move(c, address, 500, fixture[c.source].Attributes)
				msg := errorDiags(resp.Diagnostics)
				want := `Unable to move Calls (app|TURN key) from ` + c.source + `: The source resource belongs to the provider "` +
					regexp.QuoteMeta(address) + `"\. This provider moves ` + c.source + ` only from the official Cloudflare provider`
				if !regexp.MustCompile(want).MatchString(msg) {
					t.Fatalf("want a refusal naming the provider, got %q", msg)
				}
			})
		}
	}
}

func TestMoveState_wrongKindNamesTheRightTarget(t *testing.T) {
	fixture := loadOfficialFixture(t)
	p := newProtocolProvider(t, nil)
	for _, c := range []struct {
		source, target, right string
	}{
		{turnKeyKind.officialTypeName, "cloudflare_calls_app", "cloudflare_calls_turn_key"},
		{appKind.officialTypeName, "cloudflare_calls_turn_key", "cloudflare_calls_app"},
	} {
		for _, address := range []string{officialProviderAddress, "cloudflare"} {
			t.Run(c.source+"/"+address, func(t *testing.T) {
				resp := p.move(moveCase{source: c.source, target: c.target}, address, 500, fixture[c.source].Attributes)
				msg := errorDiags(resp.Diagnostics)
				want := `^Unable to move ` + c.source + ` into ` + c.target + `: .*Move it into ` + c.right + ` instead`
				if !regexp.MustCompile(want).MatchString(msg) {
					t.Fatalf("want a refusal naming %s, got %q", c.right, msg)
				}
				if strings.Contains(msg, "does not include support") {
					t.Fatalf("the framework's generic error reached the user: %q", msg)
				}
			})
		}
	}
}

func TestMoveState_otherTypesAreNotClaimed(t *testing.T) {
	fixture := loadOfficialFixture(t)
	p := newProtocolProvider(t, nil)
	for _, address := range []string{officialProviderAddress, "cloudflare"} {
		t.Run(address, func(t *testing.T) {
			resp := p.move(moveCase{source: "cloudflare_record", target: "cloudflare_calls_app"}, address, 500, fixture[appKind.officialTypeName].Attributes)
			if msg := errorDiags(resp.Diagnostics); !regexp.MustCompile(`Unable to Move Resource State`).MatchString(msg) {
				t.Fatalf("want the move refused as unsupported, got %q", msg)
			}
		})
	}
}

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
