package provider

// Resource identity (Terraform 1.12+) and list resources (terraform query,
// Terraform 1.14+) cannot be driven through the Terraform 1.5.7 CLI the other
// tests use, so these tests speak protocol 6 to the provider directly, the way
// a newer Terraform would, against the in-process emulator.

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// protocolProvider is one provider server with its schemas, configured for an
// emulator.
type protocolProvider struct {
	t          *testing.T
	server     tfprotov6.ProviderServer
	schemas    *tfprotov6.GetProviderSchemaResponse
	identities *tfprotov6.GetResourceIdentitySchemasResponse
}

// newProtocolProvider starts a provider server and, when em is not nil,
// configures it for em.
func newProtocolProvider(t *testing.T, em *emulator.Running) *protocolProvider {
	t.Helper()
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatalf("provider server: %v", err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	requireNoErrors(t, "GetProviderSchema", err, schemaDiags(schemas))
	identities, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	requireNoErrors(t, "GetResourceIdentitySchemas", err, identityDiags(identities))
	p := &protocolProvider{t: t, server: server, schemas: schemas, identities: identities}
	if em != nil {
		p.mustConfigure(em.URL, nil)
	}
	return p
}

// configure sends ConfigureProvider with the provider block's attributes
// (the others null) and returns its error diagnostics.
func (p *protocolProvider) configure(block map[string]tftypes.Value) string {
	p.t.Helper()
	resp, err := p.server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.0",
		Config:           p.encode(p.schemas.Provider.ValueType(), block),
	})
	if err != nil {
		p.t.Fatalf("ConfigureProvider: %v", err)
	}
	return errorDiags(configureDiags(resp))
}

// mustConfigure configures p for the API at baseURL with the test token and
// the given provider settings besides.
func (p *protocolProvider) mustConfigure(baseURL string, settings map[string]tftypes.Value) {
	p.t.Helper()
	block := map[string]tftypes.Value{"base_url": tfString(baseURL), "api_token": tfString(testToken)}
	maps.Copy(block, settings)
	if msg := p.configure(block); msg != "" {
		p.t.Fatalf("ConfigureProvider: %s", msg)
	}
}

// objectState is the state of the k object o in accountID, as its create
// wrote it.
func objectState(k testKind, accountID string, o emulatorObject) map[string]tftypes.Value {
	return map[string]tftypes.Value{
		"account_id": tfString(accountID), "id": tfString(o.UID), "uid": tfString(o.UID), "name": tfString(o.Name),
		k.secretAttr: tfString(o.Secret), "created": tfString(wireTime(o.Created)), "modified": tfString(wireTime(o.Modified)),
	}
}

// objectConfig is a resource block's configuration: its account and name.
func objectConfig(accountID, name string) map[string]tftypes.Value {
	return map[string]tftypes.Value{"account_id": tfString(accountID), "name": tfString(name)}
}

// nullObject is the wire form of "no object": the prior state of a create,
// the planned state of a delete.
func nullObject(t *testing.T, typ tftypes.Type) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

// read sends ReadResource of the typeName object in state; the diagnostics
// are the caller's to check.
func (p *protocolProvider) read(typeName string, state *tfprotov6.DynamicValue) *tfprotov6.ReadResourceResponse {
	p.t.Helper()
	resp, err := p.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: state})
	if err != nil {
		p.t.Fatalf("ReadResource of %s: %v", typeName, err)
	}
	return resp
}

// apply sends ApplyResourceChange of a typeName object from prior to planned
// (nil for no object: a create, a delete) under config; the diagnostics are
// the caller's to check.
func (p *protocolProvider) apply(typeName string, prior, planned *tfprotov6.DynamicValue, config map[string]tftypes.Value,
	plannedIdentity *tfprotov6.ResourceIdentityData,
) *tfprotov6.ApplyResourceChangeResponse {
	p.t.Helper()
	typ := p.resourceType(typeName)
	if prior == nil {
		prior = nullObject(p.t, typ)
	}
	if planned == nil {
		planned = nullObject(p.t, typ)
	}
	resp, err := p.server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName: typeName, PriorState: prior, PlannedState: planned, Config: p.encode(typ, config), PlannedIdentity: plannedIdentity,
	})
	if err != nil {
		p.t.Fatalf("ApplyResourceChange of %s: %v", typeName, err)
	}
	return resp
}

// create sends the create of a k object named name in accountID, planned as
// Terraform plans it: all that the API fills in is unknown.
func (p *protocolProvider) create(k testKind, accountID, name string) *tfprotov6.ApplyResourceChangeResponse {
	p.t.Helper()
	planned := objectConfig(accountID, name)
	for _, attr := range []string{"id", "uid", k.secretAttr, "created", "modified"} {
		planned[attr] = tfUnknown
	}
	return p.apply(k.resourceType, nil, p.encode(p.resourceType(k.resourceType), planned), objectConfig(accountID, name), nil)
}

func schemaDiags(r *tfprotov6.GetProviderSchemaResponse) []*tfprotov6.Diagnostic {
	if r == nil {
		return nil
	}
	return r.Diagnostics
}

func identityDiags(r *tfprotov6.GetResourceIdentitySchemasResponse) []*tfprotov6.Diagnostic {
	if r == nil {
		return nil
	}
	return r.Diagnostics
}

func configureDiags(r *tfprotov6.ConfigureProviderResponse) []*tfprotov6.Diagnostic {
	if r == nil {
		return nil
	}
	return r.Diagnostics
}

func requireNoErrors(t *testing.T, rpc string, err error, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", rpc, err)
	}
	if msg := errorDiags(diags); msg != "" {
		t.Fatalf("%s: %s", rpc, msg)
	}
}

// errorDiags is the error diagnostics as one string, "" when there are none.
func errorDiags(diags []*tfprotov6.Diagnostic) string {
	var msgs []string
	for _, d := range diags {
		if d != nil && d.Severity == tfprotov6.DiagnosticSeverityError {
			msgs = append(msgs, d.Summary+": "+d.Detail)
		}
	}
	return strings.Join(msgs, "\n")
}

func tfString(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

var tfUnknown = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)

// newYear2026 is a timestamp for state that no emulator wrote.
var newYear2026 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// encode builds an object of type typ from attrs (the others null) as a
// DynamicValue, the form every value takes on the wire.
func (p *protocolProvider) encode(typ tftypes.Type, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		p.t.Fatalf("%s is not an object type", typ)
	}
	values := make(map[string]tftypes.Value, len(obj.AttributeTypes))
	for name, at := range obj.AttributeTypes {
		values[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range attrs {
		if _, ok := obj.AttributeTypes[name]; !ok {
			p.t.Fatalf("no attribute %q in %s", name, typ)
		}
		values[name] = v
	}
	dv, err := tfprotov6.NewDynamicValue(obj, tftypes.NewValue(obj, values))
	if err != nil {
		p.t.Fatalf("encoding: %v", err)
	}
	return &dv
}

// decode returns the known string attributes of an object DynamicValue; a
// null attribute is left out, so a missing key means null. A null or absent
// object gives nil.
func (p *protocolProvider) decode(typ tftypes.Type, dv *tfprotov6.DynamicValue) map[string]string {
	p.t.Helper()
	if dv == nil {
		return nil
	}
	v, err := dv.Unmarshal(typ)
	if err != nil {
		p.t.Fatalf("decoding: %v", err)
	}
	if v.IsNull() {
		return nil
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		p.t.Fatalf("decoding %s: %v", v, err)
	}
	out := make(map[string]string)
	for name, av := range attrs {
		if !av.IsKnown() {
			p.t.Fatalf("attribute %s is unknown", name)
		}
		if av.IsNull() || !av.Type().Is(tftypes.String) {
			continue
		}
		var s string
		if err := av.As(&s); err != nil {
			p.t.Fatalf("decoding %s: %v", name, err)
		}
		out[name] = s
	}
	return out
}

func (p *protocolProvider) resourceType(typeName string) tftypes.Type {
	p.t.Helper()
	return valueType(p.t, p.schemas.ResourceSchemas, "resource", typeName)
}

func (p *protocolProvider) identityType(typeName string) tftypes.Type {
	p.t.Helper()
	return valueType(p.t, p.identities.IdentitySchemas, "identity", typeName)
}

// valueType is the value type of typeName's schema among schemas, which are
// of the kind what names.
func valueType[S interface{ ValueType() tftypes.Type }](t *testing.T, schemas map[string]S, what, typeName string) tftypes.Type {
	t.Helper()
	s, ok := schemas[typeName]
	if !ok {
		t.Fatalf("no %s schema for %s", what, typeName)
	}
	return s.ValueType()
}

func (p *protocolProvider) identity(typeName string, attrs map[string]tftypes.Value) *tfprotov6.ResourceIdentityData {
	return &tfprotov6.ResourceIdentityData{IdentityData: p.encode(p.identityType(typeName), attrs)}
}

func (p *protocolProvider) decodeIdentity(typeName string, id *tfprotov6.ResourceIdentityData) map[string]string {
	p.t.Helper()
	if id == nil {
		return nil
	}
	return p.decode(p.identityType(typeName), id.IdentityData)
}

// list runs ListResource and collects every result of the stream.
func (p *protocolProvider) list(typeName, accountID string, includeResource bool, limit int64) []tfprotov6.ListResourceResult {
	p.t.Helper()
	lister, ok := p.server.(tfprotov6.ListResourceServer)
	if !ok {
		p.t.Fatal("the provider server does not serve list resources")
	}
	stream, err := lister.ListResource(context.Background(), &tfprotov6.ListResourceRequest{
		TypeName:        typeName,
		Config:          p.encode(valueType(p.t, p.schemas.ListResourceSchemas, "list resource", typeName), map[string]tftypes.Value{"account_id": tfString(accountID)}),
		IncludeResource: includeResource,
		Limit:           limit,
	})
	if err != nil {
		p.t.Fatalf("ListResource: %v", err)
	}
	var results []tfprotov6.ListResourceResult
	for r := range stream.Results {
		results = append(results, r)
	}
	return results
}

// forEachKindOverProtocol runs test once per kind, in parallel subtests,
// each with its own emulator and a protocol provider configured for it.
func forEachKindOverProtocol(t *testing.T, test func(t *testing.T, k testKind, em *emulator.Running, p *protocolProvider)) {
	for _, k := range testKinds {
		t.Run(k.resourceType, func(t *testing.T) {
			t.Parallel()
			em := testEmulator(t)
			test(t, k, em, newProtocolProvider(t, em))
		})
	}
}

// readApps reads the cloudflare_calls_apps data source of an account and
// returns its error diagnostics.
func (p *protocolProvider) readApps(accountID string) string {
	p.t.Helper()
	typ := p.schemas.DataSourceSchemas["cloudflare_calls_apps"].ValueType()
	resp, err := p.server.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{
		TypeName: "cloudflare_calls_apps",
		Config:   p.encode(typ, map[string]tftypes.Value{"account_id": tfString(accountID)}),
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return errorDiags(resp.Diagnostics)
}

func equalMaps(got, want map[string]string) error {
	if len(got) != len(want) {
		return fmt.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			return fmt.Errorf("got %v, want %v", got, want)
		}
	}
	return nil
}

// allSecrets is every app secret and TURN key the emulator holds in the accounts.
func allSecrets(em *emulator.Running, accounts ...string) []string {
	var secrets []string
	for _, acct := range accounts {
		for _, a := range em.Apps(acct) {
			secrets = append(secrets, a.Secret)
		}
		for _, k := range em.TURNKeys(acct) {
			secrets = append(secrets, k.Key)
		}
	}
	return secrets
}

func TestProtocol_identitySchemasAreAccountAndObjectID(t *testing.T) {
	p := newProtocolProvider(t, nil)
	want := map[string][]string{
		"cloudflare_calls_app":      {"account_id", "app_id"},
		"cloudflare_calls_turn_key": {"account_id", "key_id"},
	}
	if len(p.identities.IdentitySchemas) != len(want) {
		t.Errorf("identity schemas for %d resource types, want %d", len(p.identities.IdentitySchemas), len(want))
	}
	for typeName, attrs := range want {
		s, ok := p.identities.IdentitySchemas[typeName]
		if !ok {
			t.Errorf("%s has no identity schema", typeName)
			continue
		}
		var got []string
		for _, a := range s.IdentityAttributes {
			got = append(got, a.Name)
			if !a.Type.Is(tftypes.String) || !a.RequiredForImport || a.OptionalForImport {
				t.Errorf("%s identity attribute %s: type %s, required %v, optional %v; want a string required for import",
					typeName, a.Name, a.Type, a.RequiredForImport, a.OptionalForImport)
			}
		}
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(attrs, ",") {
			t.Errorf("%s identity attributes %v, want %v", typeName, got, attrs)
		}
	}
}

func TestProtocol_listResourcesAreAdvertised(t *testing.T) {
	p := newProtocolProvider(t, nil)
	meta, err := p.server.GetMetadata(context.Background(), &tfprotov6.GetMetadataRequest{})
	requireNoErrors(t, "GetMetadata", err, meta.Diagnostics)
	var listed []string
	for _, l := range meta.ListResources {
		listed = append(listed, l.TypeName)
	}
	sort.Strings(listed)
	if got := strings.Join(listed, ","); got != "cloudflare_calls_app,cloudflare_calls_turn_key" {
		t.Errorf("list resources %q", got)
	}
	for _, typeName := range []string{"cloudflare_calls_app", "cloudflare_calls_turn_key"} {
		s, ok := p.schemas.ListResourceSchemas[typeName]
		if !ok {
			t.Errorf("no list resource schema for %s", typeName)
			continue
		}
		if n := len(s.Block.Attributes); n != 1 {
			t.Errorf("%s list config has %d attributes, want only account_id", typeName, n)
		}
		for _, a := range s.Block.Attributes {
			if a.Name != "account_id" || !a.Required || !a.Type.Is(tftypes.String) {
				t.Errorf("%s list config attribute %s (required %v); want account_id, a required string", typeName, a.Name, a.Required)
			}
		}
	}
}

// No data source can show a secret: none has an attribute for one, none has a
// sensitive attribute, and each has exactly its documented attributes.
func TestProtocol_dataSourceSchemasHaveNoSecret(t *testing.T) {
	p := newProtocolProvider(t, nil)
	object := []string{"created", "modified", "name", "uid"}
	want := map[string]struct{ top, nested []string }{
		"cloudflare_calls_app":       {top: []string{"account_id", "app_id", "created", "modified", "name", "uid"}},
		"cloudflare_calls_turn_key":  {top: []string{"account_id", "created", "key_id", "modified", "name", "uid"}},
		"cloudflare_calls_apps":      {top: []string{"account_id", "apps", "name"}, nested: object},
		"cloudflare_calls_turn_keys": {top: []string{"account_id", "name", "turn_keys"}, nested: object},
	}
	if len(p.schemas.DataSourceSchemas) != len(want) {
		t.Errorf("%d data sources, want %d", len(p.schemas.DataSourceSchemas), len(want))
	}
	names := func(attrs []*tfprotov6.SchemaAttribute) []string {
		var out []string
		for _, a := range attrs {
			out = append(out, a.Name)
			if a.Sensitive || a.Name == "secret" || a.Name == "key" {
				t.Errorf("data source attribute %s could expose a secret (sensitive %v)", a.Name, a.Sensitive)
			}
		}
		sort.Strings(out)
		return out
	}
	for typeName, w := range want {
		s, ok := p.schemas.DataSourceSchemas[typeName]
		if !ok {
			t.Errorf("no data source %s", typeName)
			continue
		}
		if got := names(s.Block.Attributes); strings.Join(got, ",") != strings.Join(w.top, ",") {
			t.Errorf("%s attributes %v, want %v", typeName, got, w.top)
		}
		if len(s.Block.BlockTypes) != 0 {
			t.Errorf("%s has blocks", typeName)
		}
		for _, a := range s.Block.Attributes {
			if a.NestedType == nil {
				continue
			}
			if got := names(a.NestedType.Attributes); strings.Join(got, ",") != strings.Join(w.nested, ",") {
				t.Errorf("%s.%s attributes %v, want %v", typeName, a.Name, got, w.nested)
			}
		}
	}
}

// Importing by identity gives the state and identity of the object, and the
// read that follows fills the rest with exactly what the emulator holds,
// secret null.
func TestProtocol_importByIdentityThenRead(t *testing.T) {
	forEachKindOverProtocol(t, func(t *testing.T, k testKind, em *emulator.Running, p *protocolProvider) {
		target := mustCreate(t, k, em, testAccountID, "imported-by-identity")
		mustCreate(t, k, em, testAccountID, "a-neighbour")
		ctx := context.Background()
		wantIdentity := map[string]string{"account_id": testAccountID, k.idAttr: target.UID}

		imp, err := p.server.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
			TypeName: k.resourceType,
			Identity: p.identity(k.resourceType, map[string]tftypes.Value{
				"account_id": tfString(testAccountID),
				k.idAttr:     tfString(target.UID),
			}),
		})
		requireNoErrors(t, "ImportResourceState", err, imp.Diagnostics)
		if len(imp.ImportedResources) != 1 {
			t.Fatalf("imported %d resources, want 1", len(imp.ImportedResources))
		}
		imported := imp.ImportedResources[0]
		if err := equalMaps(p.decode(p.resourceType(k.resourceType), imported.State),
			map[string]string{"account_id": testAccountID, "uid": target.UID, "id": target.UID}); err != nil {
			t.Errorf("imported state: %v", err)
		}
		if err := equalMaps(p.decodeIdentity(k.resourceType, imported.Identity), wantIdentity); err != nil {
			t.Errorf("imported identity: %v", err)
		}

		read, err := p.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
			TypeName:        k.resourceType,
			CurrentState:    imported.State,
			CurrentIdentity: imported.Identity,
			Private:         imported.Private,
		})
		requireNoErrors(t, "ReadResource", err, read.Diagnostics)
		// No secretAttr key: the secret is null after an import.
		if err := equalMaps(p.decode(p.resourceType(k.resourceType), read.NewState), map[string]string{
			"account_id": testAccountID, "id": target.UID, "uid": target.UID, "name": "imported-by-identity",
			"created": wireTime(target.Created), "modified": wireTime(target.Modified),
		}); err != nil {
			t.Errorf("state after read: %v", err)
		}
		if err := equalMaps(p.decodeIdentity(k.resourceType, read.NewIdentity), wantIdentity); err != nil {
			t.Errorf("identity after read: %v", err)
		}
	})
}

func TestProtocol_importByIDSetsIdentity(t *testing.T) {
	forEachKindOverProtocol(t, func(t *testing.T, k testKind, em *emulator.Running, p *protocolProvider) {
		target := mustCreate(t, k, em, testAccountID, "imported-by-id")
		imp, err := p.server.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{
			TypeName: k.resourceType,
			ID:       testAccountID + "/" + target.UID,
		})
		requireNoErrors(t, "ImportResourceState", err, imp.Diagnostics)
		if len(imp.ImportedResources) != 1 {
			t.Fatalf("imported %d resources, want 1", len(imp.ImportedResources))
		}
		if err := equalMaps(p.decodeIdentity(k.resourceType, imp.ImportedResources[0].Identity),
			map[string]string{"account_id": testAccountID, k.idAttr: target.UID}); err != nil {
			t.Errorf("identity: %v", err)
		}
	})
}

func TestProtocol_malformedImportIdentityIsRefused(t *testing.T) {
	forEachKindOverProtocol(t, func(t *testing.T, k testKind, em *emulator.Running, p *protocolProvider) {
		good := "0123456789abcdef0123456789abcdef"
		for name, identity := range map[string]map[string]tftypes.Value{
			"uppercase id":       {"account_id": tfString(testAccountID), k.idAttr: tfString(strings.ToUpper(good))},
			"short account":      {"account_id": tfString("0123"), k.idAttr: tfString(good)},
			"null id":            {"account_id": tfString(testAccountID)},
			"id with a path":     {"account_id": tfString(testAccountID), k.idAttr: tfString(good + "/x")},
			"account with a /id": {"account_id": tfString(testAccountID + "/" + good), k.idAttr: tfString(good)},
		} {
			imp, err := p.server.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{
				TypeName: k.resourceType,
				Identity: p.identity(k.resourceType, identity),
			})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			msg := errorDiags(imp.Diagnostics)
			if !strings.Contains(msg, "Invalid import identity for "+strings.TrimSuffix(k.notFound, " not found")) ||
				!strings.Contains(msg, "expected account_id and "+k.idAttr) {
				t.Errorf("%s: diagnostics %q, want the expected identity explained", name, msg)
			}
			if len(imp.ImportedResources) != 0 {
				t.Errorf("%s: imported %d resources", name, len(imp.ImportedResources))
			}
		}
		if n := em.TotalRequests(); n != 0 {
			t.Errorf("malformed identities sent %d requests, want 0", n)
		}
	})
}

// State written before identities existed has none. Reading it fills the
// identity in; reading an object deleted meanwhile removes it from state
// without the framework's "Missing Resource Identity After Read" error.
func TestProtocol_readWithoutPriorIdentity(t *testing.T) {
	forEachKindOverProtocol(t, func(t *testing.T, k testKind, em *emulator.Running, p *protocolProvider) {
		existing := mustCreate(t, k, em, testAccountID, "pre-identity")
		typ := p.resourceType(k.resourceType)
		stateOf := func(uid string) *tfprotov6.DynamicValue {
			return p.encode(typ, objectState(k, testAccountID, emulatorObject{
				UID: uid, Name: "pre-identity", Secret: strings.Repeat("ab", 32), Created: newYear2026, Modified: newYear2026,
			}))
		}

		read := p.read(k.resourceType, stateOf(existing.UID))
		requireNoErrors(t, "ReadResource of an existing object", nil, read.Diagnostics)
		if err := equalMaps(p.decodeIdentity(k.resourceType, read.NewIdentity),
			map[string]string{"account_id": testAccountID, k.idAttr: existing.UID}); err != nil {
			t.Errorf("identity filled in by read: %v", err)
		}
		if got := p.decode(typ, read.NewState)[k.secretAttr]; got != strings.Repeat("ab", 32) {
			t.Errorf("read lost the %s from state: %q", k.secretAttr, got)
		}

		gone := "fedcba9876543210fedcba9876543210"
		read = p.read(k.resourceType, stateOf(gone))
		requireNoErrors(t, "ReadResource of a deleted object", nil, read.Diagnostics)
		if s := p.decode(typ, read.NewState); s != nil {
			t.Errorf("a deleted object is still in state: %v", s)
		}
	})
}

// Create and update return the identity; an update keeps it.
func TestProtocol_createAndUpdateSetIdentity(t *testing.T) {
	forEachKindOverProtocol(t, func(t *testing.T, k testKind, em *emulator.Running, p *protocolProvider) {
		typ := p.resourceType(k.resourceType)

		created := p.create(k, testAccountID, "over-the-wire")
		requireNoErrors(t, "ApplyResourceChange (create)", nil, created.Diagnostics)
		state := p.decode(typ, created.NewState)
		objects := k.objects(em, testAccountID)
		if len(objects) != 1 || objects[0].UID != state["uid"] || objects[0].Secret != state[k.secretAttr] {
			t.Fatalf("state %v does not match the emulator's %+v", state, objects)
		}
		wantIdentity := map[string]string{"account_id": testAccountID, k.idAttr: state["uid"]}
		if err := equalMaps(p.decodeIdentity(k.resourceType, created.NewIdentity), wantIdentity); err != nil {
			t.Errorf("identity after create: %v", err)
		}

		planned := map[string]tftypes.Value{}
		for name, v := range state {
			planned[name] = tfString(v)
		}
		planned["name"], planned["modified"] = tfString("renamed-over-the-wire"), tfUnknown
		updated := p.apply(k.resourceType, created.NewState, p.encode(typ, planned),
			objectConfig(testAccountID, "renamed-over-the-wire"), created.NewIdentity)
		requireNoErrors(t, "ApplyResourceChange (update)", nil, updated.Diagnostics)
		if err := equalMaps(p.decodeIdentity(k.resourceType, updated.NewIdentity), wantIdentity); err != nil {
			t.Errorf("identity after update: %v", err)
		}
		after := p.decode(typ, updated.NewState)
		if after["uid"] != state["uid"] || after[k.secretAttr] != state[k.secretAttr] || after["name"] != "renamed-over-the-wire" {
			t.Errorf("state after update %v, before %v", after, state)
		}
		if o := k.objects(em, testAccountID); len(o) != 1 || o[0].Name != "renamed-over-the-wire" {
			t.Errorf("the emulator holds %+v after the update", o)
		}
	})
}

// ListResource returns exactly the account's objects, each with its identity,
// its display name and (when asked) its state without the secret; nothing
// from another account or of the other kind, and no secret anywhere.
func TestProtocol_listResourceReturnsExactlyTheAccountsObjects(t *testing.T) {
	forEachKindOverProtocol(t, func(t *testing.T, k testKind, em *emulator.Running, p *protocolProvider) {
		for _, name := range []string{"alpha", "", "beta", "alpha"} {
			mustCreate(t, k, em, testAccountID, name)
		}
		mustCreate(t, k, em, otherTestAccountID, "other-account")
		mustCreate(t, k.other(), em, testAccountID, "other-kind")
		secrets := allSecrets(em, testAccountID, otherTestAccountID)
		typ := p.resourceType(k.resourceType)

		check := func(accountID string, results []tfprotov6.ListResourceResult, includeResource bool) {
			t.Helper()
			want := make(map[string]emulatorObject)
			for _, o := range k.objects(em, accountID) {
				want[o.UID] = o
			}
			if len(results) != len(want) {
				t.Errorf("account %s: %d results, the emulator holds %d objects", accountID, len(results), len(want))
			}
			for _, r := range results {
				if msg := errorDiags(r.Diagnostics); msg != "" {
					t.Errorf("result diagnostics: %s", msg)
					continue
				}
				identity := p.decodeIdentity(k.resourceType, r.Identity)
				o, ok := want[identity[k.idAttr]]
				if !ok {
					t.Errorf("result %v is not one of the account's objects, or listed twice", identity)
					continue
				}
				delete(want, o.UID)
				if err := equalMaps(identity, map[string]string{"account_id": accountID, k.idAttr: o.UID}); err != nil {
					t.Errorf("identity: %v", err)
				}
				wantName := o.Name
				if wantName == "" {
					wantName = o.UID
				}
				if r.DisplayName != wantName {
					t.Errorf("%s: display name %q, want %q", o.UID, r.DisplayName, wantName)
				}
				state := p.decode(typ, r.Resource)
				if includeResource {
					if err := equalMaps(state, map[string]string{
						"account_id": accountID, "id": o.UID, "uid": o.UID, "name": o.Name,
						"created": wireTime(o.Created), "modified": wireTime(o.Modified),
					}); err != nil {
						t.Errorf("listed state: %v", err)
					}
				} else if state != nil {
					t.Errorf("a resource object came back unasked: %v", state)
				}
				seen := []string{r.DisplayName}
				for _, m := range []map[string]string{identity, state} {
					for _, v := range m {
						seen = append(seen, v)
					}
				}
				for _, s := range seen {
					for _, secret := range secrets {
						if strings.Contains(s, secret) {
							t.Errorf("list result of %s exposes a secret the emulator holds", o.UID)
						}
					}
				}
			}
		}

		check(testAccountID, p.list(k.resourceType, testAccountID, true, 100), true)
		check(testAccountID, p.list(k.resourceType, testAccountID, false, 100), false)
		check(otherTestAccountID, p.list(k.resourceType, otherTestAccountID, true, 100), true)
		check(thirdTestAccountID, p.list(k.resourceType, thirdTestAccountID, true, 100), true)

		if n := len(p.list(k.resourceType, testAccountID, true, 2)); n != 2 {
			t.Errorf("with limit 2, %d results", n)
		}
	})
}

func TestProtocol_listConfigWithBadAccountIsRefused(t *testing.T) {
	em := testEmulator(t)
	p := newProtocolProvider(t, em)
	lister, ok := p.server.(tfprotov6.ListResourceServer)
	if !ok {
		t.Fatal("the provider server does not serve list resources")
	}
	for _, k := range testKinds {
		schema := p.schemas.ListResourceSchemas[k.resourceType]
		resp, err := lister.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{
			TypeName: k.resourceType,
			Config:   p.encode(schema.ValueType(), map[string]tftypes.Value{"account_id": tfString("0123456789ABCDEF0123456789ABCDEF")}),
		})
		if err != nil {
			t.Fatal(err)
		}
		if msg := errorDiags(resp.Diagnostics); !strings.Contains(msg, "32 lowercase hexadecimal") {
			t.Errorf("%s: diagnostics %q, want the account id format", k.resourceType, msg)
		}
	}
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("validation sent %d requests, want 0", n)
	}
}
