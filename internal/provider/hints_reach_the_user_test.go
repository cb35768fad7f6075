package provider

import (
	"net"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

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
