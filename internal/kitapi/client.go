// Package kitapi is a thin, typed client for Cloudflare RealtimeKit: apps,
// presets and webhooks under /accounts/{account_id}/realtime/kit/. It speaks
// the API's own nouns and knows nothing of Terraform.
//
// Every call goes through callsapi's one loop and pacer (Client.Do), so the
// account-wide rate limit, retries and the rules for creates are the same as
// for Calls objects: a create is retried only when the API provably did not
// carry it out, and callsapi.MaybeProcessed tells when it may have been.
// Answers are {success, data, paging}; a write's answer is never taken as the
// object's new state by the provider, which reads it back.
package kitapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

// Client calls the RealtimeKit API through a callsapi.Client. It is safe for
// concurrent use.
type Client struct {
	api *callsapi.Client
}

// New returns a RealtimeKit client that sends through api.
func New(api *callsapi.Client) *Client { return &Client{api: api} }

// kitPath is the path of the RealtimeKit collection or object named by
// parts (each escaped) in the account: kitPath("acct", "apps") is
// /accounts/acct/realtime/kit/apps.
func kitPath(accountID string, parts ...string) string {
	p := "/accounts/" + url.PathEscape(accountID) + "/realtime/kit"
	for _, part := range parts {
		p += "/" + url.PathEscape(part)
	}
	return p
}

// create posts body to path and decodes the object the API answers with.
// An answer without the new object's id (idOf) is incomplete, so the call
// counts as one that may have been carried out (callsapi.MaybeProcessed):
// the object may exist nonetheless. noun names it in that error: "app".
func create[T any](ctx context.Context, c *Client, path string, body any, noun string, idOf func(*T) string) (*T, error) {
	var created T
	incomplete := func() string {
		if idOf(&created) == "" {
			return "the created " + noun + " has no id"
		}
		return ""
	}
	if err := c.api.Do(ctx, callsapi.Request{Method: http.MethodPost, Path: path, Body: body, Out: &created, Incomplete: incomplete}); err != nil {
		return nil, err
	}
	return &created, nil
}

// get reads the object at path.
func get[T any](ctx context.Context, c *Client, path string) (*T, error) {
	var object T
	if err := c.api.Do(ctx, callsapi.Request{Method: http.MethodGet, Path: path, Out: &object}); err != nil {
		return nil, err
	}
	return &object, nil
}

// maxPages bounds a list whatever its paging says, so that an API whose
// total_count keeps growing cannot keep it listing forever.
const maxPages = 1000

// listPages reads every page of a list (pathOf(page) is a page's path, 1 the
// first, each of up to perPage items), page after page until
// paging.total_count items are in hand. An item created while the list is
// read may shift the pages; the lists are ordered by creation, so at worst
// one comes twice, and it is kept once (idOf tells them apart).
//
// A page that comes back empty before the count is reached, or more pages
// than the count can fill, is an error rather than a shorter list or an
// endless loop: a caller that looks for an object must not take "not
// listed" for "gone" because the paging went wrong. many names the items in
// the error: "apps".
func listPages[T any](ctx context.Context, c *Client, many string, perPage int, pathOf func(page int) string, idOf func(T) string) ([]T, error) {
	var all []T
	seen := map[string]bool{}
	pageSize := 1 // the most items a page has brought: the size the API actually sends
	for page := 1; ; page++ {
		var items []T
		var paging callsapi.Paging
		if err := c.api.Do(ctx, callsapi.Request{Method: http.MethodGet, Path: pathOf(page), Out: &items, Paging: &paging}); err != nil {
			return nil, err
		}
		for _, item := range items {
			if id := idOf(item); !seen[id] {
				seen[id] = true
				all = append(all, item)
			}
		}
		total := paging.TotalCount
		if len(all) >= total {
			return all, nil
		}
		// The pages the total needs, and one more for items created meanwhile.
		pageSize = max(pageSize, len(items))
		needed := (total+pageSize-1)/pageSize + 1
		switch {
		case len(items) == 0:
			return nil, fmt.Errorf("listing RealtimeKit %s: page %d is empty, but the paging counts %d %s and only %d came on the pages "+
				"before it; the list is inconsistent, so it cannot tell which %s exist", many, page, total, many, len(all), many)
		case page >= needed || page >= maxPages:
			return nil, fmt.Errorf("listing RealtimeKit %s: after %d pages of up to %d, %d %s came of the %d the paging counts; "+
				"the list is inconsistent, so it cannot tell which %s exist", many, page, perPage, len(all), many, total, many)
		}
	}
}
