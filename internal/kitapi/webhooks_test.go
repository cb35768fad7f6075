package kitapi

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

const (
	acct    = "0123456789abcdef0123456789abcdef"
	appID   = "0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f"
	hookID  = "11111111-2222-4333-8444-555555555555"
	hookURL = "/client/v4/accounts/" + acct + "/realtime/kit/" + appID + "/webhooks"
)

const hookJSON = `{"id":"` + hookID + `","name":"n","url":"https://example.com/h","events":["meeting.started","meeting.ended"],` +
	`"enabled":false,"created_at":"2026-01-02T03:04:05.000Z","updated_at":"2026-01-02T03:04:06.000Z"}`

var hook = Webhook{ID: hookID, Name: "n", URL: "https://example.com/h", Events: []string{"meeting.started", "meeting.ended"},
	CreatedAt: "2026-01-02T03:04:05.000Z", UpdatedAt: "2026-01-02T03:04:06.000Z"}

var settings = WebhookSettings{Name: "n", URL: "https://example.com/h", Events: []string{"meeting.started"}, Enabled: true}

const settingsJSON = `{"name":"n","url":"https://example.com/h","events":["meeting.started"],"enabled":true}`

func equalHooks(a, b Webhook) bool {
	return a.ID == b.ID && a.Name == b.Name && a.URL == b.URL && strings.Join(a.Events, ",") == strings.Join(b.Events, ",") &&
		a.Enabled == b.Enabled && a.CreatedAt == b.CreatedAt && a.UpdatedAt == b.UpdatedAt
}

func TestWebhooks_createSendsEverySettingAndDecodesTheAnswer(t *testing.T) {
	s := &recordingServer{answer: answering(201, `{"success":true,"data":`+hookJSON+`}`)}
	w, err := testClient(t, s).CreateWebhook(context.Background(), acct, appID, settings)
	if err != nil {
		t.Fatal(err)
	}
	if !equalHooks(*w, hook) {
		t.Errorf("decoded %+v, want %+v", *w, hook)
	}
	if want := "POST " + hookURL + " " + settingsJSON; len(s.sent) != 1 || s.sent[0] != want {
		t.Errorf("sent %q, want %q", s.sent, want)
	}
}

// A create answered 201 without an id may have been carried out: the
// caller must not retry it, and must not take the answer as a webhook.
func TestWebhooks_createAnsweredWithoutAnIDMayHaveBeenCarriedOut(t *testing.T) {
	s := &recordingServer{answer: answering(201, `{"success":true,"data":{"name":"n"}}`)}
	w, err := testClient(t, s).CreateWebhook(context.Background(), acct, appID, settings)
	if err == nil || w != nil {
		t.Fatalf("got %+v, %v; want an error", w, err)
	}
	if !callsapi.MaybeProcessed(err) || !strings.Contains(err.Error(), "the created webhook has no id") {
		t.Errorf("err = %v, want one that may have been processed and says the id is missing", err)
	}
}

func TestWebhooks_getAndDeleteNameTheWebhook(t *testing.T) {
	s := &recordingServer{answer: answering(200, `{"success":true,"data":`+hookJSON+`}`)}
	c := testClient(t, s)
	w, err := c.GetWebhook(context.Background(), acct, appID, hookID)
	if err != nil || !equalHooks(*w, hook) {
		t.Fatalf("got %+v, %v", w, err)
	}
	if err := c.DeleteWebhook(context.Background(), acct, appID, hookID); err != nil {
		t.Fatal(err)
	}
	want := []string{"GET " + hookURL + "/" + hookID, "DELETE " + hookURL + "/" + hookID}
	if strings.Join(s.sent, "\n") != strings.Join(want, "\n") {
		t.Errorf("sent %q, want %q", s.sent, want)
	}
}

func TestWebhooks_goneIsNotFound(t *testing.T) {
	s := &recordingServer{answer: answering(404, `{"success":false,"error":{"code":404,"message":"Webhook not found"}}`)}
	c := testClient(t, s)
	if _, err := c.GetWebhook(context.Background(), acct, appID, hookID); !callsapi.IsNotFound(err) {
		t.Errorf("get: err = %v, want not found", err)
	}
	if err := c.DeleteWebhook(context.Background(), acct, appID, hookID); !callsapi.IsNotFound(err) {
		t.Errorf("delete: err = %v, want not found", err)
	}
}

// The update is a PATCH of every setting, enabled: false included, and its
// answer (a partial echo) is not read: the caller reads the webhook back.
func TestWebhooks_updatePatchesEverySettingAndIgnoresTheAnswer(t *testing.T) {
	s := &recordingServer{answer: answering(200, `{"success":true,"data":{"name":"echo only"}}`)}
	off := settings
	off.Enabled = false
	if err := testClient(t, s).UpdateWebhook(context.Background(), acct, appID, hookID, off); err != nil {
		t.Fatal(err)
	}
	want := "PATCH " + hookURL + "/" + hookID + " " + strings.Replace(settingsJSON, `"enabled":true`, `"enabled":false`, 1)
	if len(s.sent) != 1 || s.sent[0] != want {
		t.Errorf("sent %q, want %q", s.sent, want)
	}
}

func TestWebhooks_listDecodesEveryWebhook(t *testing.T) {
	s := &recordingServer{answer: answering(200, `{"success":true,"data":[`+hookJSON+`,`+strings.Replace(hookJSON, `"name":"n"`, `"name":"m"`, 1)+`]}`)}
	list, err := testClient(t, s).ListWebhooks(context.Background(), acct, appID)
	if err != nil || len(list) != 2 || !equalHooks(list[0], hook) || list[1].Name != "m" {
		t.Fatalf("got %+v, %v", list, err)
	}
	if len(s.sent) != 1 || s.sent[0] != "GET "+hookURL {
		t.Errorf("sent %q", s.sent)
	}
}

// The API answers 404 for an app without webhooks: that is an empty list.
// A 404 that says the app does not exist stays an error, and so does a 404
// that is not the API's (a routing error: a wrong base URL).
func TestWebhooks_listNotFoundIsEmptyUnlessTheAppIsMissing(t *testing.T) {
	cases := []struct {
		name, body string
		empty      bool
	}{
		{"no webhooks", `{"success":false,"error":{"code":404,"message":"No webhooks found"}}`, true},
		{"no webhooks for the app", `{"success":false,"error":{"code":404,"message":"No webhooks found for this app"}}`, true},
		{"bare message", `{"message":"Not Found"}`, true},
		{"app missing", `{"success":false,"error":{"code":404,"message":"App not found"}}`, false},
		{"application missing", `{"success":false,"error":{"code":404,"message":"Application does not exist"}}`, false},
		{"no route", `{"success":false,"errors":[{"code":7000,"message":"No route for that URI"}]}`, false},
		{"not the API", `<html>404</html>`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			list, err := testClient(t, &recordingServer{answer: answering(404, tc.body)}).ListWebhooks(context.Background(), acct, appID)
			switch {
			case tc.empty && (err != nil || list == nil || len(list) != 0):
				t.Errorf("got %v, %v; want an empty list", list, err)
			case !tc.empty && err == nil:
				t.Errorf("got %v; want an error", list)
			case !tc.empty:
				var apiErr *callsapi.Error
				if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 {
					t.Errorf("err = %v, want the API's 404", err)
				}
			}
		})
	}
}

func TestWebhooks_listOtherErrorsAreErrors(t *testing.T) {
	_, err := testClient(t, &recordingServer{answer: answering(403, `{"success":false,"error":{"code":403,"message":"Forbidden"}}`)}).
		ListWebhooks(context.Background(), acct, appID)
	if err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Errorf("err = %v, want the 403", err)
	}
}
