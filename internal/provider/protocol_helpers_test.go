package provider

// Helpers that speak protocol 6 to the provider server in-process, the way a
// CLI would, against the in-process emulator: no CLI is run, so the tests
// that use them are in the fast tier (make test-fast). They reach what the
// Terraform 1.5.7 CLI cannot (resource identity, list resources) and let a
// test hold every request and answer of an operation.

import (
	"context"
	"fmt"
	"maps"
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

// validateAndConfigure sends what a CLI sends before it plans: the provider
// block to ValidateProviderConfig and, when that finds no error, to
// ConfigureProvider. It returns the error diagnostics of the first that
// fails, "" when both pass.
func (p *protocolProvider) validateAndConfigure(block map[string]tftypes.Value) string {
	p.t.Helper()
	resp, err := p.server.ValidateProviderConfig(context.Background(), &tfprotov6.ValidateProviderConfigRequest{
		Config: p.encode(p.schemas.Provider.ValueType(), block),
	})
	if err != nil {
		p.t.Fatalf("ValidateProviderConfig: %v", err)
	}
	if msg := errorDiags(resp.Diagnostics); msg != "" {
		return msg
	}
	return p.configure(block)
}

// validateResource sends ValidateResourceConfig of a typeName block and
// returns its error diagnostics.
func (p *protocolProvider) validateResource(typeName string, config map[string]tftypes.Value) string {
	p.t.Helper()
	resp, err := p.server.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{
		TypeName: typeName, Config: p.encode(p.resourceType(typeName), config),
	})
	if err != nil {
		p.t.Fatalf("ValidateResourceConfig of %s: %v", typeName, err)
	}
	return errorDiags(resp.Diagnostics)
}

// validateDataSource sends ValidateDataResourceConfig of a typeName block
// and returns its error diagnostics.
func (p *protocolProvider) validateDataSource(typeName string, config map[string]tftypes.Value) string {
	p.t.Helper()
	resp, err := p.server.ValidateDataResourceConfig(context.Background(), &tfprotov6.ValidateDataResourceConfigRequest{
		TypeName: typeName, Config: p.encode(valueType(p.t, p.schemas.DataSourceSchemas, "data source", typeName), config),
	})
	if err != nil {
		p.t.Fatalf("ValidateDataResourceConfig of %s: %v", typeName, err)
	}
	return errorDiags(resp.Diagnostics)
}

// plan sends PlanResourceChange of a typeName object from prior to the
// configuration config (proposed as Terraform proposes it: config over
// prior, computed values carried from prior).
func (p *protocolProvider) plan(typeName string, prior map[string]tftypes.Value, config map[string]tftypes.Value) *tfprotov6.PlanResourceChangeResponse {
	p.t.Helper()
	typ := p.resourceType(typeName)
	proposed := maps.Clone(prior)
	maps.Copy(proposed, config)
	resp, err := p.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: typeName, PriorState: p.encode(typ, prior), ProposedNewState: p.encode(typ, proposed), Config: p.encode(typ, config),
	})
	if err != nil {
		p.t.Fatalf("PlanResourceChange of %s: %v", typeName, err)
	}
	return resp
}

// importID sends ImportResourceState of a typeName object by the id a user
// writes after terraform import.
func (p *protocolProvider) importID(typeName, id string) *tfprotov6.ImportResourceStateResponse {
	p.t.Helper()
	resp, err := p.server.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{TypeName: typeName, ID: id})
	if err != nil {
		p.t.Fatalf("ImportResourceState of %s: %v", typeName, err)
	}
	return resp
}

// decodePlanned is decode for a planned object, which may hold unknown
// values: it returns the known string attributes and the names of the
// unknown ones.
func (p *protocolProvider) decodePlanned(typ tftypes.Type, dv *tfprotov6.DynamicValue) (known map[string]string, unknown map[string]bool) {
	p.t.Helper()
	v, err := dv.Unmarshal(typ)
	if err != nil {
		p.t.Fatalf("decoding: %v", err)
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		p.t.Fatalf("decoding %s: %v", v, err)
	}
	known, unknown = map[string]string{}, map[string]bool{}
	for name, av := range attrs {
		switch {
		case !av.IsKnown():
			unknown[name] = true
		case av.IsNull() || !av.Type().Is(tftypes.String):
		default:
			var s string
			if err := av.As(&s); err != nil {
				p.t.Fatalf("decoding %s: %v", name, err)
			}
			known[name] = s
		}
	}
	return known, unknown
}

// stringValues is a decoded object's attributes as values to encode again.
func stringValues(attrs map[string]string) map[string]tftypes.Value {
	out := make(map[string]tftypes.Value, len(attrs))
	for name, v := range attrs {
		out[name] = tfString(v)
	}
	return out
}
