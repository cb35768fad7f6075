package callsapi

import (
	"context"
	"encoding/json"
	"net/http"
)

// Kind is one kind of Calls object, the collection it lives in under
// /accounts/{account_id}/calls/: Apps or TURNKeys. Every call of the client
// is written once over it.
type Kind struct {
	collection string
	// noun names one object of the kind in the client's errors: "app".
	noun string
	// secretName is what the API calls the credential it returns only on
	// create: an app's "secret", a TURN key's "key".
	secretName string
}

var (
	// Apps are Calls SFU applications (/calls/apps); their credential is the secret.
	Apps = Kind{collection: "apps", noun: "app", secretName: "secret"}
	// TURNKeys are Calls TURN keys (/calls/turn_keys); their credential is the key.
	TURNKeys = Kind{collection: "turn_keys", noun: "TURN key", secretName: "key"}
)

// Object is an app or a TURN key as the API returns it. Secret is the app's
// secret or the TURN key's key, set only in the answer to Create.
type Object struct {
	UID      string `json:"uid"`
	Name     string `json:"name"`
	Secret   string `json:"secret,omitempty"`
	Created  string `json:"created"`
	Modified string `json:"modified"`
}

// UnmarshalJSON takes the credential from "secret" or "key": apps carry a
// secret, TURN keys a key, and the live API has been reported to use either
// name in a TURN key's create answer.
func (o *Object) UnmarshalJSON(data []byte) error {
	type plain Object
	var v struct {
		plain
		Key string `json:"key"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*o = Object(v.plain)
	if o.Secret == "" {
		o.Secret = v.Key
	}
	return nil
}

type nameBody struct {
	Name string `json:"name"`
}

// Create creates an object and returns it with its secret, which the API
// never returns again. It is retried only when the API provably did not
// carry it out; when MaybeProcessed(err), the object may exist nonetheless.
func (c *Client) Create(ctx context.Context, k Kind, accountID, name string) (*Object, error) {
	var o Object
	incomplete := func() string {
		if o.UID == "" || o.Secret == "" {
			return "the created " + k.noun + " has no uid or no " + k.secretName
		}
		return ""
	}
	if err := c.Do(ctx, Request{Method: http.MethodPost, Path: accountPath(accountID, k.collection), Body: nameBody{Name: name}, Out: &o, Incomplete: incomplete}); err != nil {
		return nil, err
	}
	return &o, nil
}

// Get reads one object. The answer carries no secret.
func (c *Client) Get(ctx context.Context, k Kind, accountID, id string) (*Object, error) {
	var o Object
	if err := c.Do(ctx, Request{Method: http.MethodGet, Path: objectPath(accountID, k.collection, id), Out: &o}); err != nil {
		return nil, err
	}
	return &o, nil
}

// List returns every object of the kind in the account (the API answers in
// one page).
func (c *Client) List(ctx context.Context, k Kind, accountID string) ([]Object, error) {
	var objects []Object
	if err := c.Do(ctx, Request{Method: http.MethodGet, Path: accountPath(accountID, k.collection), Out: &objects}); err != nil {
		return nil, err
	}
	return objects, nil
}

// Rename renames an object (a PUT of its name).
func (c *Client) Rename(ctx context.Context, k Kind, accountID, id, name string) (*Object, error) {
	var o Object
	if err := c.Do(ctx, Request{Method: http.MethodPut, Path: objectPath(accountID, k.collection, id), Body: nameBody{Name: name}, Out: &o}); err != nil {
		return nil, err
	}
	return &o, nil
}

// Delete deletes an object.
func (c *Client) Delete(ctx context.Context, k Kind, accountID, id string) error {
	return c.Do(ctx, Request{Method: http.MethodDelete, Path: objectPath(accountID, k.collection, id)})
}

// ListCommand is a shell command that lists the account's objects of the
// kind with the same base URL and kind of credential as this client, for a
// user who must look for one later. It names the credentials' environment
// variables, never their values.
func (c *Client) ListCommand(k Kind, accountID string) string {
	return c.CurlCommand(accountPath(accountID, k.collection))
}

// CurlCommand is a shell command that GETs path (below the base URL) with
// this client's base URL and kind of credential, naming the credentials'
// environment variables, never their values.
func (c *Client) CurlCommand(path string) string {
	auth := `-H "Authorization: Bearer $CLOUDFLARE_API_TOKEN"`
	if c.legacyKey {
		auth = `-H "X-Auth-Email: $CLOUDFLARE_EMAIL" -H "X-Auth-Key: $CLOUDFLARE_API_KEY"`
	}
	return "curl -sS " + auth + " '" + c.base.String() + path + "'"
}
