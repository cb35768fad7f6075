package kitapi

import (
	"context"
	"net/url"
	"strconv"
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

// CreateApp creates an app named name. Names need not be unique: it always
// creates a new app. It is retried only when the API provably did not carry
// it out; when callsapi.MaybeProcessed(err), the app may exist nonetheless.
func (c *Client) CreateApp(ctx context.Context, accountID, name string) (*App, error) {
	body := struct {
		Name string `json:"name"`
	}{name}
	return create(ctx, c, kitPath(accountID, "apps"), body, "app", func(a *App) string { return a.ID })
}

// ListApps returns every app of the account whose name contains search (all
// of them when search is empty), oldest first, reading every page
// (listPages: paging that goes wrong is an error, never a shorter list).
func (c *Client) ListApps(ctx context.Context, accountID, search string) ([]App, error) {
	return c.listApps(ctx, accountID, search, appsPerPage)
}

func (c *Client) listApps(ctx context.Context, accountID, search string, perPage int) ([]App, error) {
	return listPages(ctx, c, "apps", perPage, func(page int) string { return appsListPath(accountID, search, page, perPage) },
		func(a App) string { return a.ID })
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
