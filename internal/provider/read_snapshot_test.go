package provider

// The refresh snapshot (read_snapshot.go) below the CLI: one list per account
// and kind shared by concurrent Reads, what it remembers of failures, and
// the provider's own changes written into it.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// Within one configured provider, the provider's own create, rename and
// delete are written into a loaded snapshot, so the Reads that follow them
// in the same process see them without a request of their own (a create,
// a rename) or with the confirming GET (a delete, which must not be read
// back from the snapshot as still existing). Terraform's CLI starts a new
// provider for each operation, so this is driven over the protocol.
func TestRefreshSnapshots_ownChangesKeepTheSnapshotTrue(t *testing.T) {
	for _, k := range testKinds {
		t.Run(k.resourceType, func(t *testing.T) {
			t.Parallel()
			em := bulkEmulator(t)
			kept := mustCreate(t, k, em, testAccountID, "kept")
			renamed := mustCreate(t, k, em, testAccountID, "to-rename")
			deleted := mustCreate(t, k, em, testAccountID, "to-delete")

			p := newProtocolProvider(t, nil)
			ctx := context.Background()
			configured, err := p.server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
				TerraformVersion: "1.5.7",
				Config: p.encode(p.schemas.Provider.ValueType(), map[string]tftypes.Value{
					"base_url": tfString(em.URL), "api_token": tfString(testToken),
					"refresh_with_list": tftypes.NewValue(tftypes.Bool, true),
				}),
			})
			requireNoErrors(t, "ConfigureProvider", err, configureDiags(configured))
			typ := p.resourceType(k.resourceType)
			stateOf := func(o emulatorObject) *tfprotov6.DynamicValue {
				return p.encode(typ, map[string]tftypes.Value{
					"account_id": tfString(testAccountID), "id": tfString(o.UID), "uid": tfString(o.UID), "name": tfString(o.Name),
					k.secretAttr: tfString(o.Secret), "created": tfString(wireTime(o.Created)),
					"modified": tfString(wireTime(o.Modified)),
				})
			}
			read := func(what string, current *tfprotov6.DynamicValue) map[string]string {
				t.Helper()
				resp, err := p.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: k.resourceType, CurrentState: current})
				requireNoErrors(t, "ReadResource of "+what, err, resp.Diagnostics)
				return p.decode(typ, resp.NewState)
			}
			apply := func(what string, prior, planned *tfprotov6.DynamicValue, config map[string]tftypes.Value) *tfprotov6.DynamicValue {
				t.Helper()
				if prior == nil {
					null, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
					must(t, err)
					prior = &null
				}
				resp, err := p.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
					TypeName: k.resourceType, PriorState: prior, PlannedState: planned, Config: p.encode(typ, config),
				})
				requireNoErrors(t, "ApplyResourceChange ("+what+")", err, resp.Diagnostics)
				return resp.NewState
			}
			null, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
			must(t, err)

			em.ResetCounters()
			if got := read("an object in the list", stateOf(kept)); got["name"] != "kept" || got[k.secretAttr] != kept.Secret {
				t.Fatalf("read %v", got)
			}

			config := map[string]tftypes.Value{"account_id": tfString(testAccountID), "name": tfString("created-here")}
			created := p.decode(typ, apply("create", nil, p.encode(typ, map[string]tftypes.Value{
				"account_id": tfString(testAccountID), "name": tfString("created-here"),
				"id": tfUnknown, "uid": tfUnknown, k.secretAttr: tfUnknown, "created": tfUnknown, "modified": tfUnknown,
			}), config))
			createdState := map[string]tftypes.Value{}
			for name, v := range created {
				createdState[name] = tfString(v)
			}
			if got := read("the object just created", p.encode(typ, createdState)); got["uid"] != created["uid"] || got["name"] != "created-here" {
				t.Errorf("read of the created object gave %v, want %v", got, created)
			}

			renamedPlan := map[string]tftypes.Value{
				"account_id": tfString(testAccountID), "id": tfString(renamed.UID), "uid": tfString(renamed.UID), "name": tfString("renamed-here"),
				k.secretAttr: tfString(renamed.Secret), "created": tfString(wireTime(renamed.Created)), "modified": tfUnknown,
			}
			apply("rename", stateOf(renamed), p.encode(typ, renamedPlan), map[string]tftypes.Value{"account_id": tfString(testAccountID), "name": tfString("renamed-here")})
			if got := read("the object just renamed, from its old state", stateOf(renamed)); got["name"] != "renamed-here" || got[k.secretAttr] != renamed.Secret {
				t.Errorf("read of the renamed object gave %v; want the new name and the secret kept", got)
			}

			apply("delete", stateOf(deleted), &null, map[string]tftypes.Value{"account_id": tfString(testAccountID), "name": tfString("to-delete")})
			if got := read("the object just deleted", stateOf(deleted)); got != nil {
				t.Errorf("the deleted object was read back as %v; want it removed from state", got)
			}

			list, get := listApps, getApp
			if k.resourceType == "cloudflare_calls_turn_key" {
				list, get = listTURNKeys, getTURNKey
			}
			coll := strings.TrimPrefix(list, "GET ")
			item := strings.TrimPrefix(get, "GET ")
			want := map[string]int64{list: 1, get: 1, "POST " + coll: 1, "PUT " + item: 1, "DELETE " + item: 1}
			if err := expectRequests(em, want).err(); err != nil {
				t.Error(err)
			}
		})
	}
}

// fakeKind is a callsKind and an objectReader whose get and list are in the
// test's hands.
type fakeKind struct {
	callsKind
	lists, gets atomic.Int64
	listFn      func(ctx context.Context, accountID string) ([]callsObject, error)
	getFn       func(accountID, uid string) (callsObject, error)
}

func newFakeKind(list func(ctx context.Context, accountID string) ([]callsObject, error), get func(accountID, uid string) (callsObject, error)) *fakeKind {
	return &fakeKind{callsKind: appKind, listFn: list, getFn: get}
}

func (f *fakeKind) list(ctx context.Context, _ callsKind, accountID string) ([]callsObject, error) {
	f.lists.Add(1)
	return f.listFn(ctx, accountID)
}

func (f *fakeKind) get(_ context.Context, _ callsKind, accountID, uid string) (callsObject, error) {
	f.gets.Add(1)
	return f.getFn(accountID, uid)
}

var errNotFound = &callsapi.Error{Method: http.MethodGet, StatusCode: http.StatusNotFound}

func uidOf(i int) string { return fmt.Sprintf("%032x", i) }

func objectsNumbered(n int) []callsObject {
	out := make([]callsObject, n)
	for i := range out {
		out[i] = callsObject{UID: uidOf(i), Name: fmt.Sprintf("app-%d", i)}
	}
	return out
}

// Reads that arrive while the list is in flight wait for it: 50 concurrent
// Reads send one list and no GET.
func TestRefreshSnapshots_concurrentReadsShareOneList(t *testing.T) {
	release := make(chan struct{})
	k := newFakeKind(
		func(context.Context, string) ([]callsObject, error) { <-release; return objectsNumbered(50), nil },
		func(string, string) (callsObject, error) { return callsObject{}, errNotFound },
	)
	s := newRefreshSnapshots(k, true)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Go(func() {
			o, found, err := s.read(t.Context(), k.callsKind, testAccountID, uidOf(i))
			if err != nil || !found || o.Name != fmt.Sprintf("app-%d", i) {
				errs <- fmt.Errorf("read %d: %+v, found %v, err %w", i, o, found, err)
			}
		})
	}
	for k.lists.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the other Reads queue up behind the list
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if l, g := k.lists.Load(), k.gets.Load(); l != 1 || g != 0 {
		t.Errorf("50 concurrent Reads sent %d lists and %d GETs, want 1 and 0", l, g)
	}
}

// Changes this process makes while the list is in flight are applied on top
// of its answer, which may predate them.
func TestRefreshSnapshots_changesDuringTheListAreKept(t *testing.T) {
	release, listing := make(chan struct{}), make(chan struct{})
	k := newFakeKind(
		func(context.Context, string) ([]callsObject, error) {
			close(listing)
			<-release
			return objectsNumbered(3), nil
		},
		func(string, string) (callsObject, error) { return callsObject{}, errNotFound },
	)
	s := newRefreshSnapshots(k, true)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _, _ = s.read(t.Context(), k.callsKind, testAccountID, uidOf(0))
	}()
	<-listing
	s.put(k.callsKind, testAccountID, callsObject{UID: uidOf(7), Name: "created"})
	s.put(k.callsKind, testAccountID, callsObject{UID: uidOf(1), Name: "renamed"})
	s.remove(k.callsKind, testAccountID, uidOf(2))
	close(release)
	<-done

	for uid, want := range map[string]string{uidOf(7): "created", uidOf(1): "renamed", uidOf(0): "app-0"} {
		o, found, err := s.read(t.Context(), k.callsKind, testAccountID, uid)
		if err != nil || !found || o.Name != want {
			t.Errorf("read %s: %+v, found %v, err %v; want name %q", uid, o, found, err, want)
		}
	}
	if k.gets.Load() != 0 {
		t.Errorf("%d GETs for objects the snapshot knows", k.gets.Load())
	}
	if _, found, err := s.read(t.Context(), k.callsKind, testAccountID, uidOf(2)); found || err != nil {
		t.Errorf("the object deleted during the list was read back (found %v, err %v)", found, err)
	}
	if l, g := k.lists.Load(), k.gets.Load(); l != 1 || g != 1 {
		t.Errorf("%d lists and %d GETs, want 1 list and the one GET confirming the deletion", l, g)
	}
}

// A list whose answer failed (here a 502, after the client's retries) is
// remembered for its account and kind: the account's objects are read with
// one GET each, which a small answer may survive, the list is not tried
// again, and one warning is logged. Another account is listed as usual.
func TestRefreshSnapshots_failedListIsRememberedPerAccount(t *testing.T) {
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	k := newFakeKind(
		func(_ context.Context, accountID string) ([]callsObject, error) {
			if accountID == testAccountID {
				return nil, &callsapi.Error{Method: http.MethodGet, Path: "/accounts/" + accountID + "/calls/apps", StatusCode: http.StatusBadGateway}
			}
			return objectsNumbered(20), nil
		},
		func(_ string, uid string) (callsObject, error) { return callsObject{UID: uid, Name: "from-get"}, nil },
	)
	s := newRefreshSnapshots(k, true)
	for i := range 20 {
		for _, account := range []string{testAccountID, otherTestAccountID} {
			o, found, err := s.read(ctx, k.callsKind, account, uidOf(i))
			if err != nil || !found {
				t.Fatalf("read %d in %s: found %v, err %v", i, account, found, err)
			}
			if want := map[string]string{testAccountID: "from-get", otherTestAccountID: fmt.Sprintf("app-%d", i)}[account]; o.Name != want {
				t.Errorf("read %d in %s: name %q, want %q", i, account, o.Name, want)
			}
		}
	}
	if l, g := k.lists.Load(), k.gets.Load(); l != 2 || g != 20 {
		t.Errorf("%d lists and %d GETs, want 2 lists (one per account) and 20 GETs (the failed account's objects)", l, g)
	}

	entries, err := tflogtest.MultilineJSONDecode(&logs)
	must(t, err)
	var warnings []map[string]any
	for _, e := range entries {
		if e["@level"] == "warn" {
			warnings = append(warnings, e)
		}
	}
	if len(warnings) != 1 || warnings[0]["account_id"] != testAccountID || !strings.Contains(fmt.Sprint(warnings[0]["@message"]), "Unable to list Calls apps") {
		t.Errorf("want one warning about the failed list of %s, got %v", testAccountID, warnings)
	}
}

// A list refused for a reason every GET would share (the credential, the
// rate limit, a request the API cannot route, no API to connect to) fails
// the refresh once: the Read that listed gets the error, with what it was
// for; the other Reads of the account, at the same time or later, keep their
// state without an error of their own; no GET is sent. Another account is
// listed as usual.
func TestRefreshSnapshots_refusedListFailsOnceWithoutGETs(t *testing.T) {
	listPath := "/accounts/" + testAccountID + "/calls/apps"
	refusals := map[string]error{
		"403 wrong token": &callsapi.Error{Method: http.MethodGet, Path: listPath, StatusCode: http.StatusForbidden,
			Errors: []callsapi.Message{{Code: 10000, Message: "Authentication error"}}},
		"401":                     &callsapi.Error{Method: http.MethodGet, Path: listPath, StatusCode: http.StatusUnauthorized},
		"429 after the budget":    &callsapi.Error{Method: http.MethodGet, Path: listPath, StatusCode: http.StatusTooManyRequests},
		"400 no route (base_url)": &callsapi.Error{Method: http.MethodGet, Path: listPath, StatusCode: http.StatusBadRequest},
		"held by the pacer":       &callsapi.RateLimitWaitError{RateLimitHold: callsapi.RateLimitHold{Wait: 5 * time.Minute, Blocked: true}},
		"connection refused": &callsapi.Error{Method: http.MethodGet, Path: listPath,
			Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}},
	}
	for name, refusal := range refusals {
		t.Run(name, func(t *testing.T) {
			k := newFakeKind(
				func(_ context.Context, accountID string) ([]callsObject, error) {
					if accountID == testAccountID {
						time.Sleep(20 * time.Millisecond) // let the other Reads queue up behind the list
						return nil, refusal
					}
					return objectsNumbered(20), nil
				},
				func(_ string, uid string) (callsObject, error) { return callsObject{UID: uid, Name: "from-get"}, nil },
			)
			s := newRefreshSnapshots(k, true)
			var wg sync.WaitGroup
			var mu sync.Mutex
			var reported []error
			silent := 0
			for i := range 20 {
				wg.Go(func() {
					_, _, err := s.read(t.Context(), k.callsKind, testAccountID, uidOf(i))
					var diags diag.Diagnostics
					if err != nil {
						addReadError(&diags, "Unable to read Calls app", err)
					}
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						t.Errorf("read %d succeeded", i)
					case diags.HasError():
						reported = append(reported, err)
						if d := diags.Errors()[0].Detail(); !strings.Contains(d, refusal.Error()) || !strings.Contains(d, "lists the Calls apps of account "+testAccountID) {
							t.Errorf("the error says:\n%s\nwant the list's error and what the list was for", d)
						}
					default:
						silent++
					}
				})
			}
			wg.Wait()
			// A Read that comes later is silent too.
			if _, _, err := s.read(t.Context(), k.callsKind, testAccountID, uidOf(21)); !errors.Is(err, errRefreshFailedElsewhere) {
				t.Errorf("a later Read got %v, want errRefreshFailedElsewhere", err)
			}
			if len(reported) != 1 || silent != 19 {
				t.Errorf("%d Reads reported an error and %d kept their state silently; want 1 and 19", len(reported), silent)
			}
			if _, found, err := s.read(t.Context(), k.callsKind, otherTestAccountID, uidOf(3)); err != nil || !found {
				t.Errorf("a Read in another account: found %v, err %v", found, err)
			}
			if l, g := k.lists.Load(), k.gets.Load(); l != 2 || g != 0 {
				t.Errorf("%d lists and %d GETs, want 2 lists (one per account) and no GET", l, g)
			}
		})
	}
}

// A list cut short because its Read was cancelled is not remembered as a
// failure: the next Read lists again.
func TestRefreshSnapshots_cancelledListIsTriedAgain(t *testing.T) {
	k := newFakeKind(
		func(ctx context.Context, _ string) ([]callsObject, error) {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return objectsNumbered(1), nil
		},
		func(string, string) (callsObject, error) { return callsObject{}, errNotFound },
	)
	s := newRefreshSnapshots(k, true)
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, _ = s.read(cancelled, k.callsKind, testAccountID, uidOf(0))

	o, found, err := s.read(t.Context(), k.callsKind, testAccountID, uidOf(0))
	if err != nil || !found || o.Name != "app-0" {
		t.Errorf("read after a cancelled list: %+v, found %v, err %v", o, found, err)
	}
	if l := k.lists.Load(); l != 2 {
		t.Errorf("%d lists, want 2: the cancelled one and a fresh one", l)
	}
}

// With the setting off, Reads never list.
func TestRefreshSnapshots_disabledNeverLists(t *testing.T) {
	k := newFakeKind(
		func(context.Context, string) ([]callsObject, error) { return objectsNumbered(5), nil },
		func(_ string, uid string) (callsObject, error) { return callsObject{UID: uid}, nil },
	)
	s := newRefreshSnapshots(k, false)
	for i := range 5 {
		if _, found, err := s.read(t.Context(), k.callsKind, testAccountID, uidOf(i)); err != nil || !found {
			t.Fatalf("read %d: found %v, err %v", i, found, err)
		}
	}
	if l, g := k.lists.Load(), k.gets.Load(); l != 0 || g != 5 {
		t.Errorf("%d lists and %d GETs, want 0 and 5", l, g)
	}
}

// An object missing from the account's list (created after the list was
// answered) is confirmed with one GET, and what that GET found is
// remembered: reading it again in the same operation costs no request, and
// it reads back as the GET found it. Against the emulator, counting requests.
func TestRefreshSnapshots_objectFoundByGETIsRemembered(t *testing.T) {
	for _, k := range []struct {
		kind      callsKind
		list, get string
		create    func(em *emulator.Running, name string) (string, error)
	}{
		{appKind, listApps, getApp,
			func(em *emulator.Running, name string) (string, error) {
				a, err := em.CreateApp(testAccountID, name)
				return a.UID, err
			}},
		{turnKeyKind, listTURNKeys, getTURNKey,
			func(em *emulator.Running, name string) (string, error) {
				k, err := em.CreateTURNKey(testAccountID, name)
				return k.UID, err
			}},
	} {
		t.Run(k.kind.typeName, func(t *testing.T) {
			t.Parallel()
			em := testEmulator(t)
			early, err := k.create(em, "early")
			must(t, err)
			s := newRefreshSnapshots(clientReader{testClient(t, em)}, true)
			if _, found, err := s.read(t.Context(), k.kind, testAccountID, early); err != nil || !found {
				t.Fatalf("reading the listed object: found %v, err %v", found, err)
			}
			late, err := k.create(em, "late") // after the list: not in it
			must(t, err)
			for i := range 3 {
				o, found, err := s.read(t.Context(), k.kind, testAccountID, late)
				if err != nil || !found || o.UID != late || o.Name != "late" {
					t.Fatalf("read %d of the object missing from the list: %+v, found %v, err %v", i+1, o, found, err)
				}
			}
			if err := expectRequests(em, map[string]int64{k.list: 1, k.get: 1}).err(); err != nil {
				t.Errorf("three reads of an object missing from the list: %v", err)
			}
		})
	}
}
