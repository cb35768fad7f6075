package kitapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

// WebhookEvents are the events a webhook can subscribe to.
var WebhookEvents = []string{
	"meeting.started", "meeting.ended", "meeting.participantJoined", "meeting.participantLeft",
	"meeting.chatSynced", "recording.statusUpdate", "livestreaming.statusUpdate",
	"meeting.transcript", "meeting.summary",
}

// Webhook is a RealtimeKit webhook: the app's events it posts to a URL.
type Webhook struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	URL       string   `json:"url"`
	Events    []string `json:"events"`
	Enabled   bool     `json:"enabled"`
	CreatedAt string   `json:"created_at"`
	UpdatedAt string   `json:"updated_at"`
}

// WebhookSettings are what a webhook's owner sets: every field is sent on
// every create and update.
type WebhookSettings struct {
	Name    string   `json:"name"`
	URL     string   `json:"url"`
	Events  []string `json:"events"`
	Enabled bool     `json:"enabled"`
}

func webhooksPath(accountID, appID string, id ...string) string {
	return kitPath(accountID, append([]string{appID, "webhooks"}, id...)...)
}

// CreateWebhook creates a webhook and returns the API's answer. The answer
// is only good for the new id: read the webhook back for its state. An
// answer without an id may come from a create that was carried out
// (callsapi.MaybeProcessed).
func (c *Client) CreateWebhook(ctx context.Context, accountID, appID string, s WebhookSettings) (*Webhook, error) {
	return create(ctx, c, webhooksPath(accountID, appID), s, "webhook", func(w *Webhook) string { return w.ID })
}

// GetWebhook reads one webhook; callsapi.IsNotFound(err) when it is gone.
func (c *Client) GetWebhook(ctx context.Context, accountID, appID, id string) (*Webhook, error) {
	return get[Webhook](ctx, c, webhooksPath(accountID, appID, id))
}

// ListWebhooks lists an app's webhooks, all in one answer (the list has no
// paging).
//
// The API answers 404 rather than an empty list when the app has no
// webhooks, so a 404 reads as an empty list, except one that says the app
// itself was not found: its message names the app and not webhooks ("App not
// found"). That one is returned as the error it is, so that a wrong app_id
// does not look like an app without webhooks. A 404 with any other message,
// or none, is taken as the empty list, the one known case.
func (c *Client) ListWebhooks(ctx context.Context, accountID, appID string) ([]Webhook, error) {
	var list []Webhook
	err := c.api.Do(ctx, callsapi.Request{Method: http.MethodGet, Path: webhooksPath(accountID, appID), Out: &list})
	switch {
	case err == nil:
		return list, nil
	case callsapi.IsNotFound(err) && !appNotFound(err):
		return []Webhook{}, nil
	}
	return nil, err
}

// appNotFound reports whether a 404's message says the app does not exist.
func appNotFound(err error) bool {
	var apiErr *callsapi.Error
	if !errors.As(err, &apiErr) {
		return false
	}
	for _, m := range apiErr.Errors {
		text := strings.ToLower(m.Message)
		if strings.Contains(text, "app") && !strings.Contains(text, "webhook") {
			return true
		}
	}
	return false
}

// UpdateWebhook writes every setting of a webhook with a PATCH.
//
// PATCH rather than PUT: a PUT replaces the whole webhook, so any field the
// API has that WebhookSettings does not carry would be reset, while a PATCH
// of every setting leaves such fields alone and sets the rest exactly as a
// PUT would. The answer is not decoded: the API's answers to writes are not
// the webhook's state (a PUT answers with a partial echo), so the caller
// reads the webhook back.
func (c *Client) UpdateWebhook(ctx context.Context, accountID, appID, id string, s WebhookSettings) error {
	return c.api.Do(ctx, callsapi.Request{Method: http.MethodPatch, Path: webhooksPath(accountID, appID, id), Body: s})
}

// DeleteWebhook deletes a webhook; callsapi.IsNotFound(err) when it was gone.
func (c *Client) DeleteWebhook(ctx context.Context, accountID, appID, id string) error {
	return c.api.Do(ctx, callsapi.Request{Method: http.MethodDelete, Path: webhooksPath(accountID, appID, id)})
}

// WebhooksCommand is a shell command that lists the app's webhooks, for a
// user who must look for one later; it names the credentials' environment
// variables, never their values.
func (c *Client) WebhooksCommand(accountID, appID string) string {
	return c.api.CurlCommand(webhooksPath(accountID, appID))
}
