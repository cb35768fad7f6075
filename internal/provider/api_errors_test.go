package provider

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// API errors: each failed request reaches the user with what failed, why
// (status, Cloudflare codes and messages) and what to do about it.

// textServer answers every request like a web server that is not the API
// (what a wrong base_url reaches): Go's plain-text "404 page not found".
func textServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	return srv.URL
}

// cannedAPI answers every request with one status and envelope body.
func cannedAPI(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/client/v4"
}

// words is a pattern for a phrase as Terraform prints it, wrapped at any space.
func words(phrase string) string {
	return strings.Join(strings.Fields(regexp.QuoteMeta(phrase)), `\s+`)
}

// On the real CLI: a base_url without /client/v4 fails a create and a data
// source with the API's own error and the advice to check base_url.
func TestAPIErrors_baseURLWithoutClientV4SaysToCheckIt(t *testing.T) {
	em := testEmulator(t)
	root := strings.TrimSuffix(em.URL, emulator.APIPrefix)
	advice := words("check base_url (or CLOUDFLARE_BASE_URL), which must be the API's base URL, ending in /client/v4 like the default " + callsapi.DefaultBaseURL + ".")
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: providerConfig(root, testToken) + fmt.Sprintf(`
resource "cloudflare_calls_app" "test" {
  account_id = %q
  name       = "x"
}
`, testAccountID),
				ExpectError: regexp.MustCompile(`(?s)Unable to create Calls app.*` +
					words("The Cloudflare API refused the request: POST /accounts/"+testAccountID+"/calls/apps: HTTP 400 Bad Request; error 7000: No route for that URI") +
					`\s+` + words("The API has no route for this URL:") + `\s+` + advice),
			},
			{
				Config: providerConfig(textServer(t)+"/client/v4", testToken) + fmt.Sprintf(`
data "cloudflare_calls_apps" "test" {
  account_id = %q
}
`, testAccountID),
				ExpectError: regexp.MustCompile(`(?s)Unable to list Calls apps.*` +
					words(`The request failed: GET /accounts/`+testAccountID+`/calls/apps: HTTP 404 Not Found; the response was not a Cloudflare API answer (text/plain; charset=utf-8: "404 page not found")`) +
					`\s+` + words("The answer was not a Cloudflare API answer, so the request most likely went somewhere else:") + `\s+` + advice),
			},
		},
	})
	if n := em.AppCount(); n != 0 {
		t.Errorf("%d apps created through a wrong base_url", n)
	}
}

// closedBaseURL is a loopback base URL where nothing listens.
func closedBaseURL(t *testing.T) string {
	t.Helper()
	ln, err := new(net.ListenConfig).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr + "/client/v4"
}

// An API error reaches the user with what to do about it, not only the
// status and codes: a refused credential says to check the token and its
// Calls permission, an API that cannot be reached says to check base_url and
// the network. These are the messages Terraform prints.
func TestAPIErrors_reachTheUserWithWhatToDo(t *testing.T) {
	needsCLI(t)
	em := testEmulator(t)
	t.Cleanup(func() { // after the parallel subtests
		if n := em.AppCount(); n != 0 {
			t.Errorf("%d apps created", n)
		}
	})
	for name, tc := range map[string]struct {
		baseURL, token string
		want           string
	}{
		"a token the API refuses": {em.URL, "not-the-right-token",
			`(?s)Unable to create Calls app.*HTTP 403.*10000.*Calls\s+write\s+permission\s+on\s+this\s+account`},
		"no API at base_url": {closedBaseURL(t), testToken,
			`(?s)Unable to create Calls app.*could\s+not\s+be\s+reached.*Check\s+base_url\s+and\s+the\s+network`},
	} {
		t.Run(name, func(t *testing.T) {
			parallelUnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      providerConfig(tc.baseURL, tc.token, "max_retries = 0") + appOnly,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// A RealtimeKit refusal gets RealtimeKit's advice: its 400s are about a
// value of the body, which the API's message names, and its token needs
// the Realtime Admin permission, not the Calls one.
func TestAPIErrors_realtimeKitAdviceNamesItsOwnCauses(t *testing.T) {
	kit := "/accounts/" + testAccountID + "/realtime/kit/0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f/presets"
	calls := "/accounts/" + testAccountID + "/calls/apps"
	for _, tc := range []struct {
		path        string
		status      int
		want, avoid string
	}{
		{kit, 400, "fix the attribute its message names", "the object's id"},
		{calls, 400, "Check the account_id and the object's id.", "fix the attribute"},
		{kit, 401, "Realtime Admin permission", "Calls write"},
		{calls, 401, "Calls write permission", "Realtime Admin"},
		{kit, 403, "Realtime Admin permission", "Calls write"},
		{kit, 404, "check that app_id names a RealtimeKit app of this account", "base_url"},
	} {
		e := &callsapi.Error{Method: "POST", Path: tc.path, StatusCode: tc.status, Errors: []callsapi.Message{{Code: tc.status, Message: "no"}}}
		got := apiErrorDetail(e)
		if !strings.Contains(got, tc.want) || strings.Contains(got, tc.avoid) {
			t.Errorf("%d on %s: %q; want %q and not %q", tc.status, tc.path, got, tc.want, tc.avoid)
		}
	}
}
