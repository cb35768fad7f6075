package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
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
// the same process.
//
// A failed list must not fan out into one GET per object: 1,000 GETs refused
// for the same reason are 1,000 errors and a good part of the user's quota.
// A list refused for the credential (401, 403), for the rate limit (once the
// client has waited as long as the call's budget allows), or for any other
// fault of the request itself, or one that found no API to talk to, fails the
// refresh with one error, on the Read that listed; the other Reads of that
// account and kind keep their prior state without a diagnostic of their own
// (the one error fails the plan). Only a list whose answer failed (a server
// error, a timeout, a broken body) falls back to one GET per object, which a
// small answer may survive; those GETs go through the client's pacer like
// every request.
//
// Concurrent Reads (Terraform refreshes ten at a time by default) wait for
// the one list in flight instead of sending their own. The in-flight
// bookkeeping is written out here rather than taken from
// golang.org/x/sync/singleflight because the entry must outlive the call: it
// holds the snapshot, the failure, and the changes made while it loads.

// refreshSnapshots serves the resources' Reads. It is safe for concurrent use.
type refreshSnapshots struct {
	reader objectReader
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
	// one GET each from then on, unless refused is set.
	failed bool
	// refused is the list's error when a GET would fail the same way: it
	// was reported by the Read that listed, and the others return
	// errRefreshFailedElsewhere.
	refused error
	// changes are the creates and renames (non-nil) and deletes (nil) this
	// process made while the list was in flight: its answer may predate them.
	changes map[string]*callsObject
}

// objectReader is what the snapshots read objects through: the API client
// (clientReader), or a fake in tests.
type objectReader interface {
	get(ctx context.Context, k callsKind, accountID, uid string) (callsObject, error)
	list(ctx context.Context, k callsKind, accountID string) ([]callsObject, error)
}

// clientReader reads through the API client.
type clientReader struct{ client *callsapi.Client }

func (r clientReader) get(ctx context.Context, k callsKind, accountID, uid string) (callsObject, error) {
	return k.get(ctx, r.client, accountID, uid)
}

func (r clientReader) list(ctx context.Context, k callsKind, accountID string) ([]callsObject, error) {
	return k.list(ctx, r.client, accountID)
}

func newRefreshSnapshots(reader objectReader, enabled bool) *refreshSnapshots {
	return &refreshSnapshots{reader: reader, enabled: enabled, accounts: make(map[snapshotKey]*accountSnapshot)}
}

// errRefreshFailedElsewhere is read's answer to a Read whose account list
// was refused, with the error reported by another Read of the same
// operation: the caller keeps its prior state and adds no diagnostic.
var errRefreshFailedElsewhere = errors.New("the list of this account's objects was refused; the error is reported once, on the read that listed")

// read returns the object as the API has it, and false when it does not
// exist. It never returns a secret. An error that is
// errRefreshFailedElsewhere has been reported already.
func (s *refreshSnapshots) read(ctx context.Context, k callsKind, accountID, uid string) (callsObject, bool, error) {
	if s.enabled {
		o, found, listed, err := s.lookup(ctx, k, accountID, uid)
		switch {
		case err != nil:
			return callsObject{}, false, err
		case found:
			return o, true, nil
		case listed:
			tflog.Debug(ctx, "object not in the account's list; confirming with its own request",
				map[string]any{"kind": k.typeName, "account_id": accountID, "uid": uid})
		}
	}
	o, err := s.reader.get(ctx, k, accountID, uid)
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
// or ctx ended while waiting for it). err is set when the list was refused:
// the list's own error for the Read that listed, errRefreshFailedElsewhere
// for the others.
func (s *refreshSnapshots) lookup(ctx context.Context, k callsKind, accountID, uid string) (o callsObject, found, listed bool, err error) {
	key := snapshotKey{kind: k.typeName, accountID: accountID}
	s.mu.Lock()
	snap, started := s.accounts[key]
	if !started {
		snap = &accountSnapshot{loaded: make(chan struct{}), changes: make(map[string]*callsObject)}
		s.accounts[key] = snap
	}
	s.mu.Unlock()

	if !started {
		if err := s.load(ctx, k, key, snap); err != nil {
			return callsObject{}, false, false, err
		}
	}
	select {
	case <-snap.loaded:
	case <-ctx.Done():
		return callsObject{}, false, false, nil
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case snap.refused != nil:
		return callsObject{}, false, false, errRefreshFailedElsewhere
	case snap.objects == nil:
		return callsObject{}, false, false, nil
	}
	o, found = snap.objects[uid]
	return o, found, true, nil
}

// load lists the account into snap and wakes the Reads waiting for it. It
// returns the list's error when the list was refused (see
// listRefusalIsFinal), for the caller to report.
func (s *refreshSnapshots) load(ctx context.Context, k callsKind, key snapshotKey, snap *accountSnapshot) error {
	defer close(snap.loaded)
	objects, err := s.reader.list(ctx, k, key.accountID)
	fields := map[string]any{"kind": k.typeName, "account_id": key.accountID}

	s.mu.Lock()
	switch {
	case err != nil && ctx.Err() != nil:
		// This Read was cancelled; the list was not refused. Forget the
		// entry so that a later Read may list again.
		delete(s.accounts, key)
	case err != nil:
		snap.failed = true
		if listRefusalIsFinal(err) {
			snap.refused = err
		}
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
	case snap.refused != nil:
		return &listRefusedError{kind: k, accountID: key.accountID, err: err}
	case ctx.Err() == nil:
		// Client errors name the method, path, status and Cloudflare error
		// codes and messages, never a credential or a secret.
		fields["error"] = err.Error()
		tflog.Warn(ctx, "Unable to list "+k.pluralNoun+"; refreshing each of them in this account with its own request for the rest of this run", fields)
	}
	return nil
}

// listRefusedError is a refused list, as reported by the Read that listed.
type listRefusedError struct {
	kind      callsKind
	accountID string
	err       error
}

func (e *listRefusedError) Error() string { return e.err.Error() }
func (e *listRefusedError) Unwrap() error { return e.err }

// addReadError reports a Read's failure, once per refused list: a Read
// answered errRefreshFailedElsewhere adds nothing and keeps its prior state.
func addReadError(diags *diag.Diagnostics, title string, err error) {
	addReadErrorDetail(diags, title, err, apiErrorDetail)
}

// addReadErrorDetail is addReadError with the error told by detailOf.
func addReadErrorDetail(diags *diag.Diagnostics, title string, err error, detailOf func(error) string) {
	if errors.Is(err, errRefreshFailedElsewhere) {
		return
	}
	detail := detailOf(err)
	var refused *listRefusedError
	if errors.As(err, &refused) {
		detail += fmt.Sprintf("\n\nThis was the one request that lists the %s of account %s to refresh them all; none was "+
			"read with a request of its own, since each would be refused the same way.", refused.kind.pluralNoun, refused.accountID)
	}
	diags.AddError(title, detail)
}

// listRefusalIsFinal tells whether a failed list says that a GET of each
// object would fail the same way: the API refused the request itself (any
// 4xx: the credential, the rate limit, a wrong base_url, malformed
// headers), the client's pacer held it past the call's time budget, or no
// connection to the API could be made. A failure of the answer (a 5xx, a
// timeout, a reset, a body that does not decode) is not: a small answer may
// get through where a large one did not.
func listRefusalIsFinal(err error) bool {
	var waitErr *callsapi.RateLimitWaitError
	if errors.As(err, &waitErr) {
		return true
	}
	var apiErr *callsapi.Error
	if errors.As(err, &apiErr) && apiErr.Err == nil {
		return apiErr.StatusCode >= 400 && apiErr.StatusCode <= 499
	}
	var opErr *net.OpError
	var dnsErr *net.DNSError
	return errors.As(err, &opErr) && opErr.Op == "dial" || errors.As(err, &dnsErr)
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
