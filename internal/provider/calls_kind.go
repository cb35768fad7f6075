package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

// callsObject is what data sources and list results show of an app or a TURN
// key. It has no field for a secret, so neither can ever expose one.
type callsObject struct {
	UID      string
	Name     string
	Created  string
	Modified string
}

// callsKind describes one kind of Calls object (apps, TURN keys) to the code
// that treats both alike: resource identity, import, data sources and list
// resources. The resources themselves keep their own schema and CRUD, so each
// stays readable on its own.
type callsKind struct {
	// typeName follows "cloudflare_" in the resource, data source and list
	// resource type names: "calls_app".
	typeName string
	// pluralTypeName is the plural data source's type name: "calls_apps".
	pluralTypeName string
	// listAttr is the plural data source's list attribute: "apps".
	listAttr string
	// noun and pluralNoun name the kind in descriptions and diagnostics.
	noun, pluralNoun string
	// idAttr names the object's id in the identity and the data source: "app_id".
	idAttr string
	// secretAttr is the resource attribute the API fills only on create.
	secretAttr string

	get  func(ctx context.Context, c *callsapi.Client, accountID, id string) (callsObject, error)
	list func(ctx context.Context, c *callsapi.Client, accountID string) ([]callsObject, error)
	// listCommand is a shell command a user can run to list the account's objects.
	listCommand func(c *callsapi.Client, accountID string) string
	// listedState is the resource state of a listed object. As after an
	// import, its secret is null: the API cannot return it.
	listedState func(accountID string, o callsObject) any
}

var appKind = callsKind{
	typeName:       "calls_app",
	pluralTypeName: "calls_apps",
	listAttr:       "apps",
	noun:           "Calls app",
	pluralNoun:     "Calls apps",
	idAttr:         "app_id",
	secretAttr:     "secret",
	get: func(ctx context.Context, c *callsapi.Client, accountID, id string) (callsObject, error) {
		app, err := c.GetApp(ctx, accountID, id)
		if err != nil {
			return callsObject{}, err
		}
		return appObject(*app), nil
	},
	list: func(ctx context.Context, c *callsapi.Client, accountID string) ([]callsObject, error) {
		apps, err := c.ListApps(ctx, accountID)
		if err != nil {
			return nil, err
		}
		objects := make([]callsObject, len(apps))
		for i, app := range apps {
			objects[i] = appObject(app)
		}
		return objects, nil
	},
	listCommand: (*callsapi.Client).ListAppsCommand,
	listedState: func(accountID string, o callsObject) any {
		return callsAppModel{
			ID:        types.StringValue(o.UID),
			AccountID: types.StringValue(accountID),
			Name:      types.StringValue(o.Name),
			UID:       types.StringValue(o.UID),
			Secret:    types.StringNull(),
			Created:   types.StringValue(o.Created),
			Modified:  types.StringValue(o.Modified),
		}
	},
}

var turnKeyKind = callsKind{
	typeName:       "calls_turn_key",
	pluralTypeName: "calls_turn_keys",
	listAttr:       "turn_keys",
	noun:           "Calls TURN key",
	pluralNoun:     "Calls TURN keys",
	idAttr:         "key_id",
	secretAttr:     "key",
	get: func(ctx context.Context, c *callsapi.Client, accountID, id string) (callsObject, error) {
		key, err := c.GetTURNKey(ctx, accountID, id)
		if err != nil {
			return callsObject{}, err
		}
		return turnKeyObject(*key), nil
	},
	list: func(ctx context.Context, c *callsapi.Client, accountID string) ([]callsObject, error) {
		keys, err := c.ListTURNKeys(ctx, accountID)
		if err != nil {
			return nil, err
		}
		objects := make([]callsObject, len(keys))
		for i, key := range keys {
			objects[i] = turnKeyObject(key)
		}
		return objects, nil
	},
	listCommand: (*callsapi.Client).ListTURNKeysCommand,
	listedState: func(accountID string, o callsObject) any {
		return callsTURNKeyModel{
			ID:        types.StringValue(o.UID),
			AccountID: types.StringValue(accountID),
			Name:      types.StringValue(o.Name),
			UID:       types.StringValue(o.UID),
			Key:       types.StringNull(),
			Created:   types.StringValue(o.Created),
			Modified:  types.StringValue(o.Modified),
		}
	},
}

// appObject and turnKeyObject copy field by field, leaving the secret behind.
func appObject(a callsapi.App) callsObject {
	return callsObject{UID: a.UID, Name: a.Name, Created: a.Created, Modified: a.Modified}
}

func turnKeyObject(k callsapi.TURNKey) callsObject {
	return callsObject{UID: k.UID, Name: k.Name, Created: k.Created, Modified: k.Modified}
}
