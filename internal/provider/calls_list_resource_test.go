package provider

// List resources (terraform query, Terraform 1.14+) cannot be driven through
// the Terraform 1.5.7 CLI, so these tests speak protocol 6 to the provider.

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

func TestListResource_advertised(t *testing.T) {
	p := newProtocolProvider(t, nil)
	meta, err := p.server.GetMetadata(context.Background(), &tfprotov6.GetMetadataRequest{})
	requireNoErrors(t, "GetMetadata", err, meta.Diagnostics)
	var listed []string
	for _, l := range meta.ListResources {
		listed = append(listed, l.TypeName)
	}
	sort.Strings(listed)
	if got := strings.Join(listed, ","); got != "cloudflare_calls_app,cloudflare_calls_turn_key" {
		t.Errorf("list resources %q", got)
	}
	for _, typeName := range []string{"cloudflare_calls_app", "cloudflare_calls_turn_key"} {
		s, ok := p.schemas.ListResourceSchemas[typeName]
		if !ok {
			t.Errorf("no list resource schema for %s", typeName)
			continue
		}
		if n := len(s.Block.Attributes); n != 1 {
			t.Errorf("%s list config has %d attributes, want only account_id", typeName, n)
		}
		for _, a := range s.Block.Attributes {
			if a.Name != "account_id" || !a.Required || !a.Type.Is(tftypes.String) {
				t.Errorf("%s list config attribute %s (required %v); want account_id, a required string", typeName, a.Name, a.Required)
			}
		}
	}
}

// ListResource returns exactly the account's objects, each with its identity,
// its display name and (when asked) its state without the secret; nothing
// from another account or of the other kind, and no secret anywhere.
func TestListResource_returnsExactlyTheAccountsObjects(t *testing.T) {
	forEachKindOverProtocol(t, func(t *testing.T, k testKind, em *emulator.Running, p *protocolProvider) {
		for _, name := range []string{"alpha", "", "beta", "alpha"} {
			mustCreate(t, k, em, testAccountID, name)
		}
		mustCreate(t, k, em, otherTestAccountID, "other-account")
		mustCreate(t, k.other(), em, testAccountID, "other-kind")
		secrets := allSecrets(em, testAccountID, otherTestAccountID)
		typ := p.resourceType(k.resourceType)

		check := func(accountID string, results []tfprotov6.ListResourceResult, includeResource bool) {
			t.Helper()
			want := make(map[string]emulatorObject)
			for _, o := range k.objects(em, accountID) {
				want[o.UID] = o
			}
			if len(results) != len(want) {
				t.Errorf("account %s: %d results, the emulator holds %d objects", accountID, len(results), len(want))
			}
			for _, r := range results {
				if msg := errorDiags(r.Diagnostics); msg != "" {
					t.Errorf("result diagnostics: %s", msg)
					continue
				}
				identity := p.decodeIdentity(k.resourceType, r.Identity)
				o, ok := want[identity[k.idAttr]]
				if !ok {
					t.Errorf("result %v is not one of the account's objects, or listed twice", identity)
					continue
				}
				delete(want, o.UID)
				if err := equalMaps(identity, map[string]string{"account_id": accountID, k.idAttr: o.UID}); err != nil {
					t.Errorf("identity: %v", err)
				}
				wantName := o.Name
				if wantName == "" {
					wantName = o.UID
				}
				if r.DisplayName != wantName {
					t.Errorf("%s: display name %q, want %q", o.UID, r.DisplayName, wantName)
				}
				state := p.decode(typ, r.Resource)
				if includeResource {
					if err := equalMaps(state, map[string]string{
						"account_id": accountID, "id": o.UID, "uid": o.UID, "name": o.Name,
						"created": wireTime(o.Created), "modified": wireTime(o.Modified),
					}); err != nil {
						t.Errorf("listed state: %v", err)
					}
				} else if state != nil {
					t.Errorf("a resource object came back unasked: %v", state)
				}
				seen := []string{r.DisplayName}
				for _, m := range []map[string]string{identity, state} {
					for _, v := range m {
						seen = append(seen, v)
					}
				}
				for _, s := range seen {
					for _, secret := range secrets {
						if strings.Contains(s, secret) {
							t.Errorf("list result of %s exposes a secret the emulator holds", o.UID)
						}
					}
				}
			}
		}

		check(testAccountID, p.list(k.resourceType, testAccountID, true, 100), true)
		check(testAccountID, p.list(k.resourceType, testAccountID, false, 100), false)
		check(otherTestAccountID, p.list(k.resourceType, otherTestAccountID, true, 100), true)
		check(thirdTestAccountID, p.list(k.resourceType, thirdTestAccountID, true, 100), true)

		if n := len(p.list(k.resourceType, testAccountID, true, 2)); n != 2 {
			t.Errorf("with limit 2, %d results", n)
		}
	})
}

func TestListResource_configWithBadAccountIsRefused(t *testing.T) {
	em := testEmulator(t)
	p := newProtocolProvider(t, em)
	lister, ok := p.server.(tfprotov6.ListResourceServer)
	if !ok {
		t.Fatal("the provider server does not serve list resources")
	}
	for _, k := range testKinds {
		schema := p.schemas.ListResourceSchemas[k.resourceType]
		resp, err := lister.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{
			TypeName: k.resourceType,
			Config:   p.encode(schema.ValueType(), map[string]tftypes.Value{"account_id": tfString("0123456789ABCDEF0123456789ABCDEF")}),
		})
		if err != nil {
			t.Fatal(err)
		}
		if msg := errorDiags(resp.Diagnostics); !strings.Contains(msg, "32 lowercase hexadecimal") {
			t.Errorf("%s: diagnostics %q, want the account id format", k.resourceType, msg)
		}
	}
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("validation sent %d requests, want 0", n)
	}
}

// A list resource (terraform query) with a malformed account id is refused
// before any request, even when the client skips ValidateListResourceConfig
// and calls ListResource directly.
func TestListResource_malformedAccountIDFailsBeforeAnyRequest(t *testing.T) {
	em := testEmulator(t)
	p := newProtocolProvider(t, em)
	for _, k := range testKinds {
		for _, account := range badAccountIDs {
			results := p.list(k.resourceType, account, true, 10)
			if len(results) != 1 || !strings.Contains(errorDiags(results[0].Diagnostics), "32 lowercase hexadecimal") {
				t.Errorf("%s with account_id %q: %d results, want one error giving the id format", k.resourceType, account, len(results))
			}
		}
	}
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("malformed account ids sent %d requests to the API (%v), want 0", n, em.Counters())
	}
}
