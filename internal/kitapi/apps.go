package kitapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

// App is a RealtimeKit app as the API lists it. The API can create and list
// apps, nothing more: there is no get by id, no rename and no delete.
type App struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// appsPerPage is how many apps ListApps asks for per page.
const appsPerPage = 50

// maxAppPages bounds ListApps whatever the paging says, so that an API whose
// total_count keeps growing cannot keep it listing forever.
const maxAppPages = 1000

// CreateApp creates an app named name. Names need not be unique: it always
// creates a new app. It is retried only when the API provably did not carry
// it out; when callsapi.MaybeProcessed(err), the app may exist nonetheless.
func (c *Client) CreateApp(ctx context.Context, accountID, name string) (*App, error) {
	var app App
	incomplete := func() string {
		if app.ID == "" {
			return "the created app has no id"
		}
		return ""
	}
	body := struct {
		Name string `json:"name"`
	}{name}
	if err := c.api.Do(ctx, callsapi.Request{Method: http.MethodPost, Path: kitPath(accountID, "apps"), Body: body, Out: &app, Incomplete: incomplete}); err != nil {
		return nil, err
	}
	return &app, nil
}

// ListApps returns every app of the account whose name contains search (all
// of them when search is empty), oldest first, reading page after page until
// paging.total_count apps are in hand. A page that comes back empty before
// then, or more pages than the count can fill, is an error rather than a
// shorter list: a caller that looks for an app must not take "not listed"
// for "gone" because the paging went wrong.
func (c *Client) ListApps(ctx context.Context, accountID, search string) ([]App, error) {
	return c.listApps(ctx, accountID, search, appsPerPage)
}

func (c *Client) listApps(ctx context.Context, accountID, search string, perPage int) ([]App, error) {
	var apps []App
	seen := map[string]bool{}
	pageSize := 1 // the most apps a page has brought: the size the API actually sends
	for page := 1; ; page++ {
		var items []App
		var paging callsapi.Paging
		if err := c.api.Do(ctx, callsapi.Request{Method: http.MethodGet, Path: appsListPath(accountID, search, page, perPage), Out: &items, Paging: &paging}); err != nil {
			return nil, err
		}
		// An app created while the list is read may shift the pages; the
		// order is by creation, so at worst an app comes twice.
		for _, a := range items {
			if !seen[a.ID] {
				seen[a.ID] = true
				apps = append(apps, a)
			}
		}
		total := paging.TotalCount
		if len(apps) >= total {
			return apps, nil
		}
		// The pages the total needs, and one more for apps created meanwhile.
		pageSize = max(pageSize, len(items))
		needed := (total+pageSize-1)/pageSize + 1
		switch {
		case len(items) == 0:
			return nil, fmt.Errorf("listing RealtimeKit apps: page %d is empty, but the paging counts %d apps and only %d came on the pages before it; "+
				"the list is inconsistent, so it cannot tell whether an app exists", page, total, len(apps))
		case page >= needed || page >= maxAppPages:
			return nil, fmt.Errorf("listing RealtimeKit apps: after %d pages of up to %d, %d apps came of the %d the paging counts; "+
				"the list is inconsistent, so it cannot tell whether an app exists", page, perPage, len(apps), total)
		}
	}
}

// appsListPath is the path of one page of the apps list, oldest first.
func appsListPath(accountID, search string, page, perPage int) string {
	q := url.Values{}
	q.Set("page_no", strconv.Itoa(page))
	q.Set("per_page", strconv.Itoa(perPage))
	q.Set("sort_order", "ASC")
	if search != "" {
		q.Set("search", search)
	}
	return kitPath(accountID, "apps") + "?" + q.Encode()
}

// AppsListCommand is a shell command that lists the account's apps (the
// first page, newest first) with this client's base URL and kind of
// credential, for a user who must look for one later. It names the
// credentials' environment variables, never their values.
func (c *Client) AppsListCommand(accountID string) string {
	return c.api.CurlCommand(kitPath(accountID, "apps") + "?per_page=100&sort_order=DESC")
}
