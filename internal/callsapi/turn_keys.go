package callsapi

import (
	"context"
	"encoding/json"
	"net/http"
)

// TURNKey is a Calls TURN key. Key is set only in the answer to CreateTURNKey.
type TURNKey struct {
	UID      string `json:"uid"`
	Name     string `json:"name"`
	Key      string `json:"key,omitempty"`
	Created  string `json:"created"`
	Modified string `json:"modified"`
}

// UnmarshalJSON accepts the bearer token under "secret" as well as "key":
// the live API has been reported to use either name in the create answer.
func (k *TURNKey) UnmarshalJSON(data []byte) error {
	type plain TURNKey
	var v struct {
		plain
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*k = TURNKey(v.plain)
	if k.Key == "" {
		k.Key = v.Secret
	}
	return nil
}

const turnKeysCollection = "turn_keys"

// CreateTURNKey creates a TURN key and returns it with its key, which the API
// never returns again. Retries and MaybeProcessed are as for CreateApp.
func (c *Client) CreateTURNKey(ctx context.Context, accountID, name string) (*TURNKey, error) {
	var key TURNKey
	incomplete := func() string {
		if key.UID == "" || key.Key == "" {
			return "the created TURN key has no uid or no key"
		}
		return ""
	}
	if err := c.do(ctx, http.MethodPost, accountPath(accountID, turnKeysCollection), nameBody{Name: name}, &key, incomplete); err != nil {
		return nil, err
	}
	return &key, nil
}

// GetTURNKey reads one TURN key. The answer carries no key.
func (c *Client) GetTURNKey(ctx context.Context, accountID, keyID string) (*TURNKey, error) {
	var key TURNKey
	if err := c.do(ctx, http.MethodGet, objectPath(accountID, turnKeysCollection, keyID), nil, &key, nil); err != nil {
		return nil, err
	}
	return &key, nil
}

// ListTURNKeys returns every TURN key of the account.
func (c *Client) ListTURNKeys(ctx context.Context, accountID string) ([]TURNKey, error) {
	var keys []TURNKey
	if err := c.do(ctx, http.MethodGet, accountPath(accountID, turnKeysCollection), nil, &keys, nil); err != nil {
		return nil, err
	}
	return keys, nil
}

// UpdateTURNKey renames a TURN key.
func (c *Client) UpdateTURNKey(ctx context.Context, accountID, keyID, name string) (*TURNKey, error) {
	var key TURNKey
	if err := c.do(ctx, http.MethodPut, objectPath(accountID, turnKeysCollection, keyID), nameBody{Name: name}, &key, nil); err != nil {
		return nil, err
	}
	return &key, nil
}

// DeleteTURNKey deletes a TURN key.
func (c *Client) DeleteTURNKey(ctx context.Context, accountID, keyID string) error {
	return c.do(ctx, http.MethodDelete, objectPath(accountID, turnKeysCollection, keyID), nil, nil, nil)
}
