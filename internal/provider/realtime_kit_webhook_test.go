package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

const (
	testKitAppID = "0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f"
	webhookAddr  = "cloudflare_realtime_kit_webhook.test"
)

// webhookConfig is a configuration of one webhook; events is HCL, such as
// `["meeting.started"]`, and extra lines go in the resource block.
func webhookConfig(providerBlock, appID, name, url, events string, extra ...string) string {
	return providerBlock + fmt.Sprintf(`
resource "cloudflare_realtime_kit_webhook" "test" {
  account_id = %q
  app_id     = %q
  name       = %q
  url        = %q
  events     = %s
%s}
`, testAccountID, appID, name, url, events, strings.Join(append(extra, ""), "\n"))
}

// A bad event, an empty events set, a URL that is not an absolute http(s)
// URL, an app_id that is not a UUID and an empty name are refused at plan
// time, with a message that names the attribute and what it takes, and
// nothing reaches the API.
func TestRealtimeKitWebhook_badInputIsRefusedBeforeAnyRequest(t *testing.T) {
	em := testEmulator(t)
	good := `["meeting.started"]`
	cases := []struct {
		config string
		want   string
	}{
		{webhookConfig(providerBlock(em), testKitAppID, "n", "https://example.com/h", `["meeting.start"]`),
			`(?s)events.*value must be one of:.*"meeting.started"`},
		{webhookConfig(providerBlock(em), testKitAppID, "n", "https://example.com/h", `["meeting.started", "Meeting.Ended"]`),
			`(?s)events.*value must be one of`},
		{webhookConfig(providerBlock(em), testKitAppID, "n", "https://example.com/h", `[]`),
			`(?s)events.*set must contain at least 1 elements`},
		{webhookConfig(providerBlock(em), testKitAppID, "n", "example.com/h", good),
			`(?s)Invalid webhook URL.*absolute http or https URL.*got "example.com/h"`},
		{webhookConfig(providerBlock(em), testKitAppID, "n", "ftp://example.com/h", good),
			`(?s)Invalid webhook URL.*got "ftp://example.com/h"`},
		{webhookConfig(providerBlock(em), testKitAppID, "n", "https://", good),
			`(?s)Invalid webhook URL`},
		{webhookConfig(providerBlock(em), "not-a-uuid", "n", "https://example.com/h", good),
			`(?s)app_id.*must be a RealtimeKit app id, a UUID`},
		{webhookConfig(providerBlock(em), testKitAppID, "", "https://example.com/h", good),
			`(?s)name.*at least 1`},
	}
	var steps []resource.TestStep
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{Config: tc.config, PlanOnly: true, ExpectError: regexp.MustCompile(tc.want)})
	}
	cliTest(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories(), Steps: steps})
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("refused configurations sent %d requests (%v), want 0", n, em.Counters())
	}
}
