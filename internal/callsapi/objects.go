package callsapi

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
)

// Kind is one kind of Calls object: Apps or TURNKeys. Every call of the
// client is written once over it.
type Kind struct {
	collection string // under /accounts/{account_id}/calls/
	noun       string // for errors: "app"
	secretName string // the credential the API returns only on create
}

var (
	// Apps are Calls SFU applications (/calls/apps); their credential is the secret.
	Apps = Kind{collection: "apps", noun: "app", secretName: "secret"}
	// TURNKeys are Calls TURN keys (/calls/turn_keys); their credential is the key.
	TURNKeys = Kind{collection: "turn_keys", noun: "TURN key", secretName: "key"}
)

// Object is an app or a TURN key as the API returns it. Secret (an app's
// secret, a TURN key's key) is set only in the answer to Create.
type Object struct {
	UID      string `json:"uid"`
	Name     string `json:"name"`
	Secret   string `json:"secret,omitempty"`
	Created  string `json:"created"`
	Modified string `json:"modified"`
}

// UnmarshalJSON takes the credential from "secret" or "key": the live API
// has been reported to use either name in a TURN key's create answer.
func (o *Object) UnmarshalJSON(data []byte) error {
	type plain Object
	var v struct {
		plain
		Key string `json:"key"`
	}
	err := json.Unmarshal(data, &v)
	*o = Object(v.plain)
	o.Secret = cmp.Or(o.Secret, v.Key)
	return err
}

// Create creates an object and returns it with its secret, which the API
// never returns again. When MaybeProcessed(err), it may exist nonetheless.
func (c *Client) Create(ctx context.Context, k Kind, accountID, name string) (*Object, error) {
	var o Object
	incomplete := func() string {
		if o.UID == "" || o.Secret == "" {
			return "the created " + k.noun + " has no uid or no " + k.secretName
		}
		return ""
	}
	return &o, c.Do(ctx, Request{Method: http.MethodPost, Path: accountPath(accountID, k.collection), Body: map[string]string{"name": name}, Out: &o, Incomplete: incomplete})
}

// Get reads one object, without its secret.
func (c *Client) Get(ctx context.Context, k Kind, accountID, id string) (*Object, error) {
	var o Object
	return &o, c.Do(ctx, Request{Method: http.MethodGet, Path: objectPath(accountID, k.collection, id), Out: &o})
}

// List returns every object of the kind in the account, in the API's one page.
func (c *Client) List(ctx context.Context, k Kind, accountID string) ([]Object, error) {
	var objects []Object
	return objects, c.Do(ctx, Request{Method: http.MethodGet, Path: accountPath(accountID, k.collection), Out: &objects})
}

func (c *Client) Rename(ctx context.Context, k Kind, accountID, id, name string) (*Object, error) {
	var o Object
	return &o, c.Do(ctx, Request{Method: http.MethodPut, Path: objectPath(accountID, k.collection, id), Body: map[string]string{"name": name}, Out: &o})
}

func (c *Client) Delete(ctx context.Context, k Kind, accountID, id string) error {
	return c.Do(ctx, Request{Method: http.MethodDelete, Path: objectPath(accountID, k.collection, id)})
}

// ListCommand is a shell command that lists the account's objects of the kind.
func (c *Client) ListCommand(k Kind, accountID string) string {
	return c.CurlCommand(accountPath(accountID, k.collection))
}

// CurlCommand is a shell command that GETs path with this client's base URL and kind of
// credential, for a user who must look later; it names the credentials' variables, never values.
func (c *Client) CurlCommand(path string) string {
	auth := `-H "Authorization: Bearer $CLOUDFLARE_API_TOKEN"`
	if c.auth.Get("X-Auth-Key") != "" {
		auth = `-H "X-Auth-Email: $CLOUDFLARE_EMAIL" -H "X-Auth-Key: $CLOUDFLARE_API_KEY"`
	}
	return "curl -sS " + auth + " '" + c.base.String() + path + "'"
}
