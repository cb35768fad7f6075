package provider

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

// A plan refreshes every object in state. Reading each with its own GET
// costs one request per object: 1,000 apps are 1,000 requests, nearly all of
// a token's 1,200 per five minutes, and seconds of latency on every plan.
// The list endpoints answer with every object of an account in one page
// (without secrets, which Read keeps from state anyway). So the first Read of
// a kind in an account lists the account, and the later Reads of this
// provider configuration, one Terraform operation, are served from that
// snapshot.
//
// The snapshot is never trusted to say that an object is gone: one missing
// from it is confirmed with a GET, so a list that lags behind a create cannot
// drop an object from state. This provider's own creates, renames and
// deletes are written into it, so it stays true when a Read follows them in
// the same process. A failed list is remembered, and the account's objects
// are then read with one GET each, as they were before lists were used.
//
// Concurrent Reads (Terraform refreshes ten at a time by default) wait for
// the one list in flight instead of sending their own. The in-flight
// bookkeeping is written out here rather than taken from
// golang.org/x/sync/singleflight because the entry must outlive the call: it
// holds the snapshot, the failure, and the changes made while it loads.

// refreshSnapshots serves the resources' Reads. It is safe for concurrent use.
type refreshSnapshots struct {
	client *callsapi.Client
	// enabled is the refresh_with_list setting; when false every Read GETs.
	enabled bool

	mu       sync.Mutex
	accounts map[snapshotKey]*accountSnapshot
}

type snapshotKey struct {
	kind      string // callsKind.typeName
	accountID string
}

// accountSnapshot is the listed objects of one kind in one account, or the
// list being loaded, or its failure.
type accountSnapshot struct {
	// loaded is closed once the list has been answered or has failed.
	loaded chan struct{}
	// objects by uid; nil while the list loads and after it failed.
	objects map[string]callsObject
	// failed is set when the list failed: this account's objects are read
	// one GET each from then on.
	failed bool
	// changes are the creates and renames (non-nil) and deletes (nil) this
	// process made while the list was in flight: its answer may predate them.
	changes map[string]*callsObject
}

func newRefreshSnapshots(client *callsapi.Client, enabled bool) *refreshSnapshots {
	return &refreshSnapshots{client: client, enabled: enabled, accounts: make(map[snapshotKey]*accountSnapshot)}
}

// read returns the object as the API has it, and false when it does not
// exist. It never returns a secret.
func (s *refreshSnapshots) read(ctx context.Context, k callsKind, accountID, uid string) (callsObject, bool, error) {
	if s.enabled {
		if o, found, listed := s.lookup(ctx, k, accountID, uid); found {
			return o, true, nil
		} else if listed {
			tflog.Debug(ctx, "object not in the account's list; confirming with its own request",
				map[string]any{"kind": k.typeName, "account_id": accountID, "uid": uid})
		}
	}
	o, err := k.get(ctx, s.client, accountID, uid)
	if callsapi.IsNotFound(err) {
		return callsObject{}, false, nil
	}
	if err != nil {
		return callsObject{}, false, err
	}
	s.put(k, accountID, o)
	return o, true, nil
}

// lookup finds uid in the account's list, listing the account first if no
// Read has yet. listed is false when there is no list to go by (it failed,
// or ctx ended while waiting for it).
func (s *refreshSnapshots) lookup(ctx context.Context, k callsKind, accountID, uid string) (o callsObject, found, listed bool) {
	key := snapshotKey{kind: k.typeName, accountID: accountID}
	s.mu.Lock()
	snap, started := s.accounts[key]
	if !started {
		snap = &accountSnapshot{loaded: make(chan struct{}), changes: make(map[string]*callsObject)}
		s.accounts[key] = snap
	}
	s.mu.Unlock()

	if !started {
		s.load(ctx, k, key, snap)
	}
	select {
	case <-snap.loaded:
	case <-ctx.Done():
		return callsObject{}, false, false
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if snap.objects == nil {
		return callsObject{}, false, false
	}
	o, found = snap.objects[uid]
	return o, found, true
}

// load lists the account into snap and wakes the Reads waiting for it.
func (s *refreshSnapshots) load(ctx context.Context, k callsKind, key snapshotKey, snap *accountSnapshot) {
	defer close(snap.loaded)
	objects, err := k.list(ctx, s.client, key.accountID)
	fields := map[string]any{"kind": k.typeName, "account_id": key.accountID}

	s.mu.Lock()
	switch {
	case err != nil && ctx.Err() != nil:
		// This Read was cancelled; the list was not refused. Forget the
		// entry so that a later Read may list again.
		delete(s.accounts, key)
	case err != nil:
		snap.failed = true
	default:
		byUID := make(map[string]callsObject, len(objects))
		for _, o := range objects {
			byUID[o.UID] = o
		}
		for uid, o := range snap.changes {
			if o == nil {
				delete(byUID, uid)
			} else {
				byUID[uid] = *o
			}
		}
		snap.objects = byUID
	}
	snap.changes = nil
	s.mu.Unlock()

	switch {
	case err == nil:
		fields["count"] = len(objects)
		tflog.Debug(ctx, "listed "+k.pluralNoun+" to serve refreshes", fields)
	case ctx.Err() == nil:
		// Client errors name the method, path, status and Cloudflare error
		// codes and messages, never a credential or a secret.
		fields["error"] = err.Error()
		tflog.Warn(ctx, "Unable to list "+k.pluralNoun+"; refreshing each of them in this account with its own request for the rest of this run", fields)
	}
}

// put records an object this process created, renamed or read, in a
// snapshot already loaded or loading.
func (s *refreshSnapshots) put(k callsKind, accountID string, o callsObject) {
	s.change(k, accountID, o.UID, &o)
}

// remove records an object this process deleted (or found gone).
func (s *refreshSnapshots) remove(k callsKind, accountID, uid string) {
	s.change(k, accountID, uid, nil)
}

func (s *refreshSnapshots) change(k callsKind, accountID, uid string, o *callsObject) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap, ok := s.accounts[snapshotKey{kind: k.typeName, accountID: accountID}]
	switch {
	case !ok || snap.failed:
		// No snapshot to keep true: the next Read lists (or GETs) afresh.
	case snap.objects != nil:
		if o == nil {
			delete(snap.objects, uid)
		} else {
			snap.objects[uid] = *o
		}
	default:
		snap.changes[uid] = o
	}
}
