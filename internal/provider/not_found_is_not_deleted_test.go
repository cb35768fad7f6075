package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// A 404 means "deleted" only when it is the API saying that the object does
// not exist. A 404 with code 7003 (the real API's "Could not route to ...,
// perhaps your object identifier is invalid?") and a 404 page that is not an
// API answer at all (a proxy, a web server behind a wrong base_url) say
// nothing about the object: the refresh fails, the app stays in state with
// its secret, and once the API answers again the plan is empty. Both with
// the list-backed refresh (the app missing from the list, its GET answered
// so) and with one GET per object.
func TestRefresh_404ThatIsNotTheAPIsNotFoundKeepsState(t *testing.T) {
	answers := map[string]struct {
		status      int
		contentType string
		body        string
		want        string
	}{
		"code 7003": {404, "application/json",
			`{"success":false,"errors":[{"code":7003,"message":"Could not route to /client/v4/accounts/x/calls/apps/y, perhaps your object identifier is invalid?"}],"messages":[],"result":null}`,
			`(?s)Unable to read Calls app.*HTTP 404.*7003`},
		"a page that is not an API answer": {404, "text/plain; charset=utf-8", "404 page not found\n",
			`(?s)Unable to read Calls app.*HTTP 404`},
	}
	for name, a := range answers {
		for _, withList := range []string{"true", "false"} {
			t.Run(fmt.Sprintf("%s, refresh_with_list %s", name, withList), func(t *testing.T) {
				em := testEmulator(t)
				var hidden atomic.Value
				list := hideFromList(em, &hidden)
				ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					uid, _ := hidden.Load().(string)
					if uid != "" && r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/calls/apps/"+uid) {
						w.Header().Set("Content-Type", a.contentType)
						w.WriteHeader(a.status)
						_, _ = w.Write([]byte(a.body))
						return
					}
					list.ServeHTTP(w, r)
				}))
				t.Cleanup(ts.Close)
				cfg := fmt.Sprintf(`
provider "cloudflare" {
  base_url          = %q
  api_token         = %q
  refresh_with_list = %s
  max_retries       = 0
}
`, ts.URL+emulator.APIPrefix, testToken, withList) + appOnly
				var uid string
				sameSecret := statecheck.CompareValue(compare.ValuesSame())
				sameUID := statecheck.CompareValue(compare.ValuesSame())
				kept := func() []statecheck.StateCheck {
					return []statecheck.StateCheck{
						sameSecret.AddStateValue(appAddr, tfjsonpath.New("secret")),
						sameUID.AddStateValue(appAddr, tfjsonpath.New("uid")),
					}
				}

				parallelUnitTest(t, resource.TestCase{
					ProtoV6ProviderFactories: testProviderFactories(),
					CheckDestroy:             checkAppsDestroyed(t, em),
					Steps: []resource.TestStep{
						{
							Config:            cfg,
							Check:             rememberUID(appAddr, &uid),
							ConfigStateChecks: kept(),
						},
						{
							PreConfig:   func() { hidden.Store(uid) },
							Config:      cfg,
							ExpectError: regexp.MustCompile(a.want),
						},
						{
							PreConfig: func() { hidden.Store("") },
							Config:    cfg,
							ConfigPlanChecks: resource.ConfigPlanChecks{
								PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
							},
							ConfigStateChecks: append(kept(), expectEmulatorApp(em, appAddr)),
						},
					},
				})
				if n := em.AppCount(); n != 0 {
					t.Errorf("%d apps left after destroy", n)
				}
			})
		}
	}
}

// A uid in state that is not a Cloudflare id (state edited by hand, say)
// gets the API's own 404 with code 7003 from the emulator: the refresh
// fails with that answer and keeps the object in state, with and without
// the list-backed refresh, for apps and TURN keys alike.
func TestRead_malformedUIDInStateIsNotDeleted(t *testing.T) {
	for _, k := range testKinds {
		for _, withList := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s, refresh_with_list %v", k.resourceType, withList), func(t *testing.T) {
				t.Parallel()
				em := testEmulator(t)
				p := newProtocolProvider(t, nil)
				config := p.encode(p.schemas.Provider.ValueType(), map[string]tftypes.Value{
					"base_url": tfString(em.URL), "api_token": tfString(testToken),
					"refresh_with_list": tftypes.NewValue(tftypes.Bool, withList), "max_retries": tftypes.NewValue(tftypes.Number, 0),
				})
				configured, err := p.server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.5.7", Config: config})
				requireNoErrors(t, "ConfigureProvider", err, configureDiags(configured))

				typ := p.resourceType(k.resourceType)
				const malformed = "0123456789ABCDEF0123456789ABCDEF"
				state := p.encode(typ, map[string]tftypes.Value{
					"account_id": tfString(testAccountID), "id": tfString(malformed), "uid": tfString(malformed), "name": tfString("kept"),
					k.secretAttr: tfString(strings.Repeat("ab", 32)), "created": tfString("2026-01-01T00:00:00.000000Z"), "modified": tfString("2026-01-01T00:00:00.000000Z"),
				})
				read, err := p.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: k.resourceType, CurrentState: state})
				if err != nil {
					t.Fatal(err)
				}
				msg := errorDiags(read.Diagnostics)
				if !strings.Contains(msg, "HTTP 404") || !strings.Contains(msg, "7003") || !strings.Contains(msg, "perhaps your object identifier is invalid") {
					t.Errorf("the refresh said %q, want the API's 404 with code 7003", msg)
				}
				if got := p.decode(typ, read.NewState); got["uid"] != malformed || got[k.secretAttr] != strings.Repeat("ab", 32) {
					t.Errorf("the refresh left state %v; want the object kept with its %s", got, k.secretAttr)
				}
				if n := em.Statuses()[404]; n != 1 {
					t.Errorf("the emulator answered %d requests with 404, want the one GET of the malformed uid", n)
				}
			})
		}
	}
}
