package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A provider block that sets any credential is never completed from the
// environment: an email alone (or a key alone) is an error on the attribute
// that is missing, even with a working token in CLOUDFLARE_API_TOKEN, and
// nothing is sent with that token. Terraform's validation refuses these
// blocks first (see TestProvider_badConfigurationIsRefusedBeforeAnyRequest);
// this speaks to Configure directly, as a Terraform that skipped validation
// would, so that Configure's own rule is tested too.
func TestConfigure_blockCredentialsAreNeverCompletedFromTheEnvironment(t *testing.T) {
	for _, tc := range []struct {
		name  string
		block map[string]tftypes.Value
		want  string // "" when the configuration must work
	}{
		{"email alone", map[string]tftypes.Value{"email": tfString("ops@example.com")}, "Missing Cloudflare API key"},
		{"api_key alone", map[string]tftypes.Value{"api_key": tfString("legacy-key")}, "Missing Cloudflare account email"},
		{"no credential: the environment's token is used", map[string]tftypes.Value{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			em := testEmulator(t)
			clearCloudflareEnv(t)
			t.Setenv(EnvAPIToken, testToken)
			p := newProtocolProvider(t, nil)
			block := map[string]tftypes.Value{"base_url": tfString(em.URL)}
			for k, v := range tc.block {
				block[k] = v
			}
			resp, err := p.server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
				TerraformVersion: "1.5.7",
				Config:           p.encode(p.schemas.Provider.ValueType(), block),
			})
			if err != nil {
				t.Fatal(err)
			}
			msg := errorDiags(configureDiags(resp))
			if tc.want != "" {
				if !strings.Contains(msg, tc.want) {
					t.Errorf("Configure said %q, want an error saying %q", msg, tc.want)
				}
				if msg == "" {
					// Configured anyway: see which credential it sends.
					p.readApps(testAccountID)
				}
				if n := em.TotalRequests(); n != 0 {
					t.Errorf("the provider sent %d requests with the environment's token, want 0", n)
				}
				return
			}
			if msg != "" {
				t.Fatalf("Configure: %s", msg)
			}
			if diags := p.readApps(testAccountID); diags != "" {
				t.Fatalf("reading with the environment's token: %s", diags)
			}
			if n := em.TotalRequests(); n != 1 {
				t.Errorf("%d requests, want the one list of the data source", n)
			}
		})
	}
}

// readApps reads the cloudflare_calls_apps data source of an account and
// returns its error diagnostics.
func (p *protocolProvider) readApps(accountID string) string {
	p.t.Helper()
	typ := p.schemas.DataSourceSchemas["cloudflare_calls_apps"].ValueType()
	resp, err := p.server.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{
		TypeName: "cloudflare_calls_apps",
		Config:   p.encode(typ, map[string]tftypes.Value{"account_id": tfString(accountID)}),
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return errorDiags(resp.Diagnostics)
}
