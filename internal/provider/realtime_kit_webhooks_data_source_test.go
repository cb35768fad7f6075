package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

const webhooksDataAddr = "data.cloudflare_realtime_kit_webhooks.test"

func webhooksDataConfig(em *emulator.Running, appID string) string {
	return providerBlock(em) + fmt.Sprintf(`
data "cloudflare_realtime_kit_webhooks" "test" {
  account_id = %q
  app_id     = %q
}
`, testAccountID, appID)
}

// webhookItem is what the data source shows of w.
func webhookItem(w emulator.KitWebhook) knownvalue.Check {
	events := make([]knownvalue.Check, len(w.Events))
	for i, e := range w.Events {
		events[i] = knownvalue.StringExact(e)
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"id":         knownvalue.StringExact(w.ID),
		"name":       knownvalue.StringExact(w.Name),
		"url":        knownvalue.StringExact(w.URL),
		"events":     knownvalue.SetExact(events),
		"enabled":    knownvalue.Bool(w.Enabled),
		"created_at": knownvalue.StringExact(w.Created.UTC().Format(emulator.TimeFormat)),
		"updated_at": knownvalue.StringExact(w.Updated.UTC().Format(emulator.TimeFormat)),
	})
}

// An app without webhooks, whose list the API answers with 404, reads as an
// empty list; with two webhooks (one disabled), the list holds both with
// every field, in the API's order.
func TestRealtimeKitWebhook_dataSourceListsNoneOrAll(t *testing.T) {
	em, appID := kitEmulator(t)
	var made []emulator.KitWebhook
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: webhooksDataConfig(em, appID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(webhooksDataAddr, tfjsonpath.New("webhooks"), knownvalue.ListExact([]knownvalue.Check{})),
				},
				Check: checkAPI(func() error {
					if n := em.Statuses()[404]; n == 0 {
						return fmt.Errorf("the emulator answered no 404: the quirk of the empty list was not met")
					}
					return nil
				}),
			},
			{
				PreConfig: func() {
					a, err := em.CreateKitWebhook(testAccountID, appID, "a", "https://example.com/a", []string{"meeting.started", "meeting.ended"})
					must(t, err)
					b, err := em.CreateKitWebhook(testAccountID, appID, "b", "http://example.com:8080/b", []string{"meeting.summary"})
					must(t, err)
					b, err = em.UpdateKitWebhook(testAccountID, appID, b.ID, map[string]any{"enabled": false})
					must(t, err)
					made = []emulator.KitWebhook{a, b}
				},
				Config: webhooksDataConfig(em, appID),
				ConfigStateChecks: []statecheck.StateCheck{
					lateCheck(func() statecheck.StateCheck {
						return statecheck.ExpectKnownValue(webhooksDataAddr, tfjsonpath.New("webhooks"),
							knownvalue.ListExact([]knownvalue.Check{webhookItem(made[0]), webhookItem(made[1])}))
					}),
				},
			},
		},
	})
}

// lateCheck builds its state check when it runs, from values a PreConfig
// set.
type lateCheck func() statecheck.StateCheck

func (f lateCheck) CheckState(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	f().CheckState(ctx, req, resp)
}

// An app that does not exist is an error, not an empty list.
func TestRealtimeKitWebhook_dataSourceOfAMissingAppIsAnError(t *testing.T) {
	em, _ := kitEmulator(t)
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      webhooksDataConfig(em, "11111111-2222-4333-8444-555555555555"),
			ExpectError: regexp.MustCompile(`(?s)Unable to list RealtimeKit webhooks.*App not found.*check\s+that\s+app_id\s+names\s+a\s+RealtimeKit\s+app`),
		}},
	})
}
