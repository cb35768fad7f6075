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
