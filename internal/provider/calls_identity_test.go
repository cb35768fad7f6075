package provider

// Resource identity (Terraform 1.12+) cannot be driven through the Terraform
// 1.5.7 CLI the acceptance tests use, so these tests speak protocol 6 to the
// provider directly, the way a newer Terraform would.

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

func TestIdentity_schemasAreAccountAndObjectID(t *testing.T) {
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

// Importing by identity gives the state and identity of the object, and the
// read that follows fills the rest with exactly what the emulator holds,
// secret null.
func TestIdentity_importByIdentityThenRead(t *testing.T) {
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

func TestIdentity_importByIDSetsIdentity(t *testing.T) {
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

func TestIdentity_malformedImportIdentityIsRefused(t *testing.T) {
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
func TestIdentity_readWithoutPriorIdentity(t *testing.T) {
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
func TestIdentity_createAndUpdateSetIdentity(t *testing.T) {
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
