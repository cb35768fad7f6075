package provider

import (
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// No data source can show a secret: none has an attribute for one, none has a
// sensitive attribute, and each has exactly its documented attributes.
func TestDataSources_schemasHaveNoSecret(t *testing.T) {
	p := newProtocolProvider(t, nil)
	object := []string{"created", "modified", "name", "uid"}
	want := map[string]struct{ top, nested []string }{
		"cloudflare_calls_app":            {top: []string{"account_id", "app_id", "created", "modified", "name", "uid"}},
		"cloudflare_calls_turn_key":       {top: []string{"account_id", "created", "key_id", "modified", "name", "uid"}},
		"cloudflare_calls_apps":           {top: []string{"account_id", "apps", "name"}, nested: object},
		"cloudflare_calls_turn_keys":      {top: []string{"account_id", "name", "turn_keys"}, nested: object},
		"cloudflare_realtime_kit_apps":    {top: []string{"account_id", "apps", "name"}, nested: []string{"created_at", "id", "name", "updated_at"}},
		"cloudflare_realtime_kit_presets": {top: []string{"account_id", "app_id", "name", "presets"}, nested: []string{"created_at", "id", "name", "updated_at"}},
		"cloudflare_realtime_kit_webhooks": {top: []string{"account_id", "app_id", "webhooks"},
			nested: []string{"created_at", "enabled", "events", "id", "name", "updated_at", "url"}},
	}
	if len(p.schemas.DataSourceSchemas) != len(want) {
		t.Errorf("%d data sources, want %d", len(p.schemas.DataSourceSchemas), len(want))
	}
	names := func(attrs []*tfprotov6.SchemaAttribute) []string {
		var out []string
		for _, a := range attrs {
			out = append(out, a.Name)
			if a.Sensitive || a.Name == "secret" || a.Name == "key" {
				t.Errorf("data source attribute %s could expose a secret (sensitive %v)", a.Name, a.Sensitive)
			}
		}
		sort.Strings(out)
		return out
	}
	for typeName, w := range want {
		s, ok := p.schemas.DataSourceSchemas[typeName]
		if !ok {
			t.Errorf("no data source %s", typeName)
			continue
		}
		if got := names(s.Block.Attributes); strings.Join(got, ",") != strings.Join(w.top, ",") {
			t.Errorf("%s attributes %v, want %v", typeName, got, w.top)
		}
		if len(s.Block.BlockTypes) != 0 {
			t.Errorf("%s has blocks", typeName)
		}
		for _, a := range s.Block.Attributes {
			if a.NestedType == nil {
				continue
			}
			if got := names(a.NestedType.Attributes); strings.Join(got, ",") != strings.Join(w.nested, ",") {
				t.Errorf("%s.%s attributes %v, want %v", typeName, a.Name, got, w.nested)
			}
		}
	}
}

// A malformed account or object id in a data source is refused when the
// configuration is validated, naming the attribute and what an id looks
// like, before any request.
func TestDataSources_malformedIDsAreRefusedByValidation(t *testing.T) {
	forEachKindOverProtocol(t, func(t *testing.T, k testKind, em *emulator.Running, p *protocolProvider) {
		const id = "0123456789abcdef0123456789abcdef"
		config := func(account, object string) map[string]tftypes.Value {
			return map[string]tftypes.Value{"account_id": tfString(account), k.idAttr: tfString(object)}
		}
		for name, c := range map[string]struct{ account, id, attr string }{
			"uppercase id":    {testAccountID, strings.ToUpper(id), k.idAttr},
			"short id":        {testAccountID, "0123", k.idAttr},
			"empty id":        {testAccountID, "", k.idAttr},
			"id with a slash": {testAccountID, id[:16] + "/" + id[:15], k.idAttr},
			"short account":   {"0123", id, "account_id"},
			"account with /":  {testAccountID + "/x", id, "account_id"},
		} {
			msg := p.validateDataSource(k.resourceType, config(c.account, c.id))
			if !strings.Contains(msg, c.attr) || !strings.Contains(msg, "32 lowercase hexadecimal") {
				t.Errorf("%s: validation said %q, want %s and what an id looks like", name, msg, c.attr)
			}
		}
		if msg := p.validateDataSource(k.resourceType, config(testAccountID, id)); msg != "" {
			t.Errorf("well-formed ids: %s", msg)
		}
		if n := em.TotalRequests(); n != 0 {
			t.Errorf("validation sent %d requests", n)
		}
	})
}
