package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// The advice that comes with each answer the real API gives to a request
// that cannot succeed, for errors decoded from real answers (the emulator's,
// or a web server's that is not the API).
func TestShared_apiErrorDetailSaysWhatToDo(t *testing.T) {
	em := testEmulator(t)
	root := strings.TrimSuffix(em.URL, emulator.APIPrefix)
	cases := []struct {
		name  string
		base  string
		token string
		call  func(c *callsapi.Client) error
		want  []string
	}{
		{
			name: "base_url without /client/v4", base: root,
			want: []string{"HTTP 400", "error 7000: No route for that URI", "no route for this URL: check base_url (or CLOUDFLARE_BASE_URL), which", "ending in /client/v4"},
		},
		{
			name: "base_url with a typo", base: em.URL + "/typo",
			want: []string{"HTTP 400", "error 7000", "check base_url", "ending in /client/v4"},
		},
		{
			name: "base_url reaching a web server that is not the API", base: textServer(t) + "/client/v4",
			want: []string{"The request failed: GET", "HTTP 404", `not a Cloudflare API answer (text/plain; charset=utf-8: "404 page not found")`, "The answer was not a Cloudflare API answer", "check base_url", "ending in /client/v4"},
		},
		{
			name: "7003 on a collection", base: em.URL,
			call: func(c *callsapi.Client) error {
				_, err := c.List(context.Background(), callsapi.Apps, "NOT-AN-ACCOUNT")
				return err
			},
			want: []string{"HTTP 404", "error 7003", "could not route the request for this account: check base_url", "check that account_id is the right account"},
		},
		{
			name: "7003 on an object", base: em.URL,
			call: func(c *callsapi.Client) error {
				_, err := c.Get(context.Background(), callsapi.Apps, testAccountID, "not-an-id")
				return err
			},
			want: []string{"HTTP 404", "error 7003", "could not route the request for this object: check the account_id and the object's id"},
		},
		{
			name: "malformed token", base: em.URL, token: "two words",
			want: []string{"HTTP 400", "error 6003: Invalid request headers (6111: Invalid format for Authorization header)", "empty or malformed", "Check api_token (or CLOUDFLARE_API_TOKEN)"},
		},
		{
			name: "6111 found deeper in the error chain",
			base: cannedAPI(t, 400, `{"success":false,"errors":[{"code":6100,"message":"Bad headers","error_chain":[{"code":6111,"message":"Invalid format for Authorization header"}]}],"messages":[],"result":null}`),
			want: []string{"error 6100: Bad headers (6111: Invalid format for Authorization header)", "empty or malformed"},
		},
		{
			name: "wrong token", base: em.URL, token: "wrong-token",
			want: []string{"HTTP 403", "error 10000: Authentication error", "the token is wrong, expired or revoked, or it lacks the Calls write permission", "Check api_token (or CLOUDFLARE_API_TOKEN)"},
		},
		{
			name: "nothing listening at base_url", base: closedBaseURL(t),
			want: []string{"The Cloudflare API could not be reached", "Check base_url and the network, then try again."},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			token := tc.token
			if token == "" {
				token = testToken
			}
			c, err := callsapi.New(callsapi.Config{BaseURL: tc.base, APIToken: token, MaxRetries: callsapi.NoRetries})
			if err != nil {
				t.Fatal(err)
			}
			call := tc.call
			if call == nil {
				call = func(c *callsapi.Client) error {
					_, err := c.List(context.Background(), callsapi.Apps, testAccountID)
					return err
				}
			}
			detail := apiErrorDetail(call(c))
			for _, want := range tc.want {
				if !strings.Contains(detail, want) {
					t.Errorf("detail does not say %q:\n%s", want, detail)
				}
			}
			for _, never := range []string{"invalid character", "deleted", "no longer exists"} {
				if strings.Contains(detail, never) {
					t.Errorf("detail says %q:\n%s", never, detail)
				}
			}
		})
	}

	// An object that is simply not there gets no routing or credential advice.
	c := testClient(t, em)
	_, err := c.Get(context.Background(), callsapi.Apps, testAccountID, strings.Repeat("0", 32))
	if detail := apiErrorDetail(err); strings.Contains(detail, "base_url") || strings.Contains(detail, "api_token") {
		t.Errorf("a missing object is blamed on the configuration:\n%s", detail)
	}
	// An edge error page is Cloudflare's, not a wrong base_url.
	inject(t, em, emulator.Fault{Kind: emulator.FaultStatus, Status: 502, Count: 1})
	c, _ = callsapi.New(callsapi.Config{BaseURL: em.URL, APIToken: testToken, MaxRetries: callsapi.NoRetries})
	_, err = c.List(context.Background(), callsapi.Apps, testAccountID)
	if detail := apiErrorDetail(err); !strings.Contains(detail, "HTML page") || strings.Contains(detail, "base_url") {
		t.Errorf("a 502 page from the edge:\n%s", detail)
	}
}

// An import id is <account_id>/<object id>, two Cloudflare ids; anything
// else is refused with the expected format and the id as given, quoted so
// that a space shows.
func TestShared_parseImportIDWantsTwoCloudflareIDs(t *testing.T) {
	const uid = "8bc0f6811ff62b9a05e0e917c8ad3f04"
	account, object, err := parseImportID(testAccountID+"/"+uid, "app_id")
	if err != nil || account != testAccountID || object != uid {
		t.Errorf("a well-formed id: %q, %q, %v", account, object, err)
	}
	for _, id := range []string{
		"", "/", uid, testAccountID + "/", "/" + uid, testAccountID + "/" + uid + "/extra",
		strings.ToUpper(testAccountID) + "/" + uid, testAccountID + "/" + strings.ToUpper(uid),
		testAccountID + "/" + uid[:31], testAccountID[:31] + "/" + uid, testAccountID + "/ " + uid, testAccountID + "/" + uid + " ",
	} {
		account, object, err := parseImportID(id, "app_id")
		if err == nil {
			t.Errorf("%q parsed as account %q, app %q", id, account, object)
			continue
		}
		if want := fmt.Sprintf("expected <account_id>/<app_id>, two ids of 32 lowercase hexadecimal characters joined by a slash, got %q", id); err.Error() != want {
			t.Errorf("%q: %q, want %q", id, err, want)
		}
	}
}
