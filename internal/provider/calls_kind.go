package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

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

// callsKind describes one kind of Calls object (apps, TURN keys): every
// name, attribute and client call in which the two differ. The resource
// (calls_resource.go), identity and import, moves, data sources and list
// resources are written once over it.
type callsKind struct {
	// typeName follows "cloudflare_" in the resource, data source and list
	// resource type names: "calls_app".
	typeName string
	// pluralTypeName is the plural data source's type name: "calls_apps".
	pluralTypeName string
	// listAttr is the plural data source's list attribute: "apps".
	listAttr string
	// noun and pluralNoun name the kind in descriptions and diagnostics;
	// shortNoun in the resource's attribute descriptions.
	noun, pluralNoun, shortNoun string
	// resourceDescription is the resource's schema description.
	resourceDescription string
	// idAttr names the object's id in the identity and the data source: "app_id".
	idAttr string
	// secretAttr is the resource attribute the API fills only on create.
	secretAttr string
	// officialTypeName is the official provider's resource type for this
	// kind, the source of a moved block.
	officialTypeName string

	// api is the kind as the client knows it: its collection in the API.
	api callsapi.Kind
}

// callsKinds are every kind of Calls object the provider manages.
var callsKinds = []callsKind{appKind, turnKeyKind}

// kindBound is what each Calls resource, data source and list resource
// holds: its kind and, once the provider is configured, the provider's data.
type kindBound struct {
	kind callsKind
	data *providerData
}

// perKind returns a constructor per kind of what build makes of it: how the
// provider registers each Calls type once for every kind.
func perKind[T any](build func(kindBound) T) []func() T {
	constructors := make([]func() T, len(callsKinds))
	for i, k := range callsKinds {
		constructors[i] = func() T { return build(kindBound{kind: k}) }
	}
	return constructors
}

var appKind = callsKind{
	typeName:       "calls_app",
	pluralTypeName: "calls_apps",
	listAttr:       "apps",
	noun:           "Calls app",
	pluralNoun:     "Calls apps",
	shortNoun:      "app",
	resourceDescription: "A Cloudflare Calls (Realtime SFU) app. The app's `secret` is returned by the API only when the app is created; " +
		"the provider keeps it in state from then on. An imported app has no `secret` in state. Replacing an app creates a new one " +
		"with a new `secret`, and whatever still uses the old one stops working: the plan warns of a replacement that a change of " +
		"`account_id` causes, but not of one that `-replace` or `replace_triggered_by` asks for, which Terraform decides without " +
		"telling the provider.",
	idAttr:           "app_id",
	secretAttr:       "secret",
	officialTypeName: "cloudflare_calls_sfu_app",
	api:              callsapi.Apps,
}

var turnKeyKind = callsKind{
	typeName:       "calls_turn_key",
	pluralTypeName: "calls_turn_keys",
	listAttr:       "turn_keys",
	noun:           "Calls TURN key",
	pluralNoun:     "Calls TURN keys",
	shortNoun:      "TURN key",
	resourceDescription: "A Cloudflare Calls TURN key, the credential a TURN client uses to obtain short-lived TURN credentials. " +
		"The `key` is returned by the API only when the TURN key is created; the provider keeps it in state from then on. " +
		"An imported TURN key has no `key` in state. Replacing a TURN key creates a new one with a new `key`, and whatever still " +
		"uses the old one stops working: the plan warns of a replacement that a change of `account_id` causes, but not of one that " +
		"`-replace` or `replace_triggered_by` asks for, which Terraform decides without telling the provider.",
	idAttr:           "key_id",
	secretAttr:       "key",
	officialTypeName: "cloudflare_calls_turn_app",
	api:              callsapi.TURNKeys,
}

// objectOf copies field by field, leaving the secret behind.
func objectOf(o callsapi.Object) callsObject {
	return callsObject{UID: o.UID, Name: o.Name, Created: o.Created, Modified: o.Modified}
}

// create returns the created object and its secret.
func (k callsKind) create(ctx context.Context, c *callsapi.Client, accountID, name string) (callsObject, string, error) {
	o, err := c.Create(ctx, k.api, accountID, name)
	if err != nil {
		return callsObject{}, "", err
	}
	return objectOf(*o), o.Secret, nil
}

func (k callsKind) get(ctx context.Context, c *callsapi.Client, accountID, id string) (callsObject, error) {
	o, err := c.Get(ctx, k.api, accountID, id)
	if err != nil {
		return callsObject{}, err
	}
	return objectOf(*o), nil
}

func (k callsKind) list(ctx context.Context, c *callsapi.Client, accountID string) ([]callsObject, error) {
	listed, err := c.List(ctx, k.api, accountID)
	if err != nil {
		return nil, err
	}
	objects := make([]callsObject, len(listed))
	for i, o := range listed {
		objects[i] = objectOf(o)
	}
	return objects, nil
}

func (k callsKind) rename(ctx context.Context, c *callsapi.Client, accountID, id, name string) (callsObject, error) {
	o, err := c.Rename(ctx, k.api, accountID, id, name)
	if err != nil {
		return callsObject{}, err
	}
	return objectOf(*o), nil
}

func (k callsKind) delete(ctx context.Context, c *callsapi.Client, accountID, id string) error {
	return c.Delete(ctx, k.api, accountID, id)
}

// listCommand is a shell command a user can run to list the account's objects.
func (k callsKind) listCommand(c *callsapi.Client, accountID string) string {
	return c.ListCommand(k.api, accountID)
}

// callsModel is a resource instance of either kind. Its attribute names are
// fixed but the secret's, which the kind names ("secret" or "key"), so it
// travels to and from the framework as an object (getModel, toObject) rather
// than through struct tags. One model keeps the resource free of type
// parameters; the price is this one mapping, which every test that reads or
// writes state exercises.
type callsModel struct {
	ID, AccountID, Name, UID, Secret, Created, Modified types.String
	// Timeouts is the timeouts block, kept in state as configured; a zero
	// Value is an absent block.
	Timeouts timeouts.Value
}

// strings are the model's attributes but the timeouts block: what a
// refresh may change. (The block holds a map, so the model is not
// comparable as a whole.)
func (m callsModel) strings() [7]types.String {
	return [7]types.String{m.ID, m.AccountID, m.Name, m.UID, m.Secret, m.Created, m.Modified}
}

// setFromObject copies an object as read or listed; the secret is kept.
func (m *callsModel) setFromObject(o callsObject) {
	m.ID = types.StringValue(o.UID)
	m.UID = types.StringValue(o.UID)
	m.Name = types.StringValue(o.Name)
	m.Created = types.StringValue(o.Created)
	m.Modified = types.StringValue(o.Modified)
}

// attrTypes is the resource's object type.
func (k callsKind) attrTypes() map[string]attr.Type {
	types := make(map[string]attr.Type, 7)
	for _, name := range []string{"id", "account_id", "name", "uid", k.secretAttr, "created", "modified"} {
		types[name] = basetypes.StringType{}
	}
	types["timeouts"] = timeoutsType
	return types
}

// toObject is m as the resource's state or plan value.
func (k callsKind) toObject(m callsModel) types.Object {
	return types.ObjectValueMust(k.attrTypes(), map[string]attr.Value{
		"id": m.ID, "account_id": m.AccountID, "name": m.Name, "uid": m.UID,
		k.secretAttr: m.Secret, "created": m.Created, "modified": m.Modified,
		"timeouts": timeoutsOrNull(m.Timeouts),
	})
}

// getModel reads a plan or state (pass its Get method) into a model.
func (k callsKind) getModel(ctx context.Context, get func(context.Context, any) diag.Diagnostics) (callsModel, diag.Diagnostics) {
	var obj types.Object
	diags := get(ctx, &obj)
	if diags.HasError() {
		return callsModel{}, diags
	}
	attrs := obj.Attributes()
	str := func(name string) types.String {
		v, _ := attrs[name].(types.String) // the schema makes every attribute a string
		return v
	}
	t, _ := attrs["timeouts"].(timeouts.Value) // the schema makes it a timeouts block
	return callsModel{
		ID: str("id"), AccountID: str("account_id"), Name: str("name"), UID: str("uid"),
		Secret: str(k.secretAttr), Created: str("created"), Modified: str("modified"),
		Timeouts: t,
	}, diags
}

// listedState is the resource state of a listed object. As after an import,
// its secret is null: the API cannot return it.
func (k callsKind) listedState(accountID string, o callsObject) types.Object {
	m := callsModel{AccountID: types.StringValue(accountID), Secret: types.StringNull()}
	m.setFromObject(o)
	return k.toObject(m)
}
