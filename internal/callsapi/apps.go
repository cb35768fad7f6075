package callsapi

import (
	"context"
	"net/http"
)

// App is a Calls SFU application. Secret is set only in the answer to CreateApp.
type App struct {
	UID      string `json:"uid"`
	Name     string `json:"name"`
	Secret   string `json:"secret,omitempty"`
	Created  string `json:"created"`
	Modified string `json:"modified"`
}

type nameBody struct {
	Name string `json:"name"`
}

const appsCollection = "apps"

// CreateApp creates an app and returns it with its secret, which the API
// never returns again. It is retried only when the API provably did not
// carry it out; when MaybeProcessed(err), the app may exist nonetheless.
func (c *Client) CreateApp(ctx context.Context, accountID, name string) (*App, error) {
	var app App
	incomplete := func() string {
		if app.UID == "" || app.Secret == "" {
			return "the created app has no uid or no secret"
		}
		return ""
	}
	if err := c.do(ctx, http.MethodPost, accountPath(accountID, appsCollection), nameBody{Name: name}, &app, incomplete); err != nil {
		return nil, err
	}
	return &app, nil
}

// GetApp reads one app. The answer carries no secret.
func (c *Client) GetApp(ctx context.Context, accountID, appID string) (*App, error) {
	var app App
	if err := c.do(ctx, http.MethodGet, objectPath(accountID, appsCollection, appID), nil, &app, nil); err != nil {
		return nil, err
	}
	return &app, nil
}

// ListApps returns every app of the account (the API answers in one page).
func (c *Client) ListApps(ctx context.Context, accountID string) ([]App, error) {
	var apps []App
	if err := c.do(ctx, http.MethodGet, accountPath(accountID, appsCollection), nil, &apps, nil); err != nil {
		return nil, err
	}
	return apps, nil
}

// UpdateApp renames an app.
func (c *Client) UpdateApp(ctx context.Context, accountID, appID, name string) (*App, error) {
	var app App
	if err := c.do(ctx, http.MethodPut, objectPath(accountID, appsCollection, appID), nameBody{Name: name}, &app, nil); err != nil {
		return nil, err
	}
	return &app, nil
}

// DeleteApp deletes an app.
func (c *Client) DeleteApp(ctx context.Context, accountID, appID string) error {
	return c.do(ctx, http.MethodDelete, objectPath(accountID, appsCollection, appID), nil, nil, nil)
}
