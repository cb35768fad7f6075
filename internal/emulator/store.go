package emulator

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// kind is a type of stored object. Apps and TURN keys behave identically on
// the wire apart from their names and the name of their secret field.
type kind int

const (
	kindApp kind = iota
	kindTURNKey
	numKinds
)

type kindInfo struct {
	collection  string // path segment after /calls/
	idParam     string // name of the object's path parameter
	secretField string // JSON name of the secret, only sent on creation
	notFound    string // message of the 10404 error
	noun        string // for error messages
	apiDocs     string // the API reference of its methods, followed by "create/" or "update/"
}

var kinds = [numKinds]kindInfo{
	kindApp: {
		collection:  "apps",
		idParam:     "app_id",
		secretField: "secret",
		notFound:    "App not found",
		noun:        "app",
		apiDocs:     "https://developers.cloudflare.com/api/resources/calls/subresources/sfu/methods/",
	},
	kindTURNKey: {
		collection:  "turn_keys",
		idParam:     "key_id",
		secretField: "key",
		notFound:    "TURN key not found",
		noun:        "TURN key",
		apiDocs:     "https://developers.cloudflare.com/api/resources/calls/subresources/turn/methods/",
	},
}

// record is the stored form of an app or a TURN key.
type record struct {
	uid, name, secret string
	created, modified time.Time
}

func (r record) object() Object {
	return Object{UID: r.uid, Name: r.name, Created: r.created, Modified: r.modified}
}

func (r record) app() App { return App{Object: r.object(), Secret: r.secret} }

func (r record) turnKey() TURNKey { return TURNKey{Object: r.object(), Key: r.secret} }

// wire is the JSON object sent to clients; the secret only when withSecret.
func (r record) wire(k kind, withSecret bool) map[string]any {
	m := map[string]any{
		"uid":      r.uid,
		"name":     r.name,
		"created":  formatTime(r.created),
		"modified": formatTime(r.modified),
	}
	if withSecret {
		m[kinds[k].secretField] = r.secret
	}
	return m
}

type account struct {
	records [numKinds][]record // creation order
	kitApps []kitObject        // creation order
}

// store is the emulator's state. Every method takes the lock; mutations are
// saved to statePath (when set) while still holding it, and rolled back when
// saving fails, so memory and file never disagree.
type store struct {
	mu        sync.RWMutex
	accounts  map[string]*account
	statePath string
	now       func() time.Time
}

func (st *store) timestamp() time.Time { return st.now().UTC().Truncate(time.Microsecond) }

func (st *store) list(k kind, acct string) []record {
	st.mu.RLock()
	defer st.mu.RUnlock()
	a := st.accounts[acct]
	if a == nil {
		return []record{}
	}
	return slices.Clone(a.records[k])
}

func (st *store) count(k kind) int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	n := 0
	for _, a := range st.accounts {
		n += len(a.records[k])
	}
	return n
}

// find returns the index of uid in the account, or -1. Caller holds the lock.
func (st *store) find(k kind, acct, uid string) (*account, int) {
	a := st.accounts[acct]
	if a == nil {
		return nil, -1
	}
	for i := range a.records[k] {
		if a.records[k][i].uid == uid {
			return a, i
		}
	}
	return a, -1
}

func (st *store) get(k kind, acct, uid string) (record, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	a, i := st.find(k, acct, uid)
	if i < 0 {
		return record{}, false
	}
	return a.records[k][i], true
}

// uidTaken reports whether uid exists in any account. Caller holds the lock.
func (st *store) uidTaken(k kind, uid string) bool {
	for _, a := range st.accounts {
		for i := range a.records[k] {
			if a.records[k][i].uid == uid {
				return true
			}
		}
	}
	return false
}

// later is the time of a change to an object last changed at prev: now,
// or just after prev when the clock has not moved past it, because a
// modification time must move forward.
func (st *store) later(prev time.Time) time.Time {
	if now := st.timestamp(); now.After(prev) {
		return now
	}
	return prev.Add(time.Microsecond)
}

// transact runs edit under the write lock and saves the state; when edit
// fails nothing is saved, and when saving fails the undo that edit returned
// is run, so memory and file never disagree.
func (st *store) transact(edit func() (undo func(), err error)) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	undo, err := edit()
	if err != nil {
		return err
	}
	if err := st.persist(); err != nil {
		undo()
		return err
	}
	return nil
}

func (st *store) create(k kind, acct, name string) (record, error) {
	var rec record
	err := st.transact(func() (func(), error) {
		uid := randomHex(16)
		for st.uidTaken(k, uid) {
			uid = randomHex(16)
		}
		now := st.timestamp()
		rec = record{uid: uid, name: name, secret: randomHex(32), created: now, modified: now}
		a := st.accounts[acct]
		newAccount := a == nil
		if newAccount {
			a = &account{}
			st.accounts[acct] = a
		}
		a.records[k] = append(a.records[k], rec)
		return func() {
			n := len(a.records[k]) - 1
			a.records[k][n] = record{}
			a.records[k] = a.records[k][:n]
			if newAccount {
				delete(st.accounts, acct)
			}
		}, nil
	})
	if err != nil {
		return record{}, err
	}
	return rec, nil
}

func (st *store) update(k kind, acct, uid, name string) (record, error) {
	return st.change(k, acct, uid, func(a *account, i int) (record, func()) {
		old := a.records[k][i]
		rec := old
		rec.name = name
		rec.modified = st.later(old.modified)
		a.records[k][i] = rec
		return rec, func() { a.records[k][i] = old }
	})
}

func (st *store) remove(k kind, acct, uid string) (record, error) {
	return st.change(k, acct, uid, func(a *account, i int) (record, func()) {
		old := a.records[k][i]
		a.records[k] = slices.Delete(a.records[k], i, i+1)
		return old, func() { a.records[k] = slices.Insert(a.records[k], i, old) }
	})
}

// change applies edit to the existing object uid under the write lock and
// saves the state; edit returns the record to answer with and how to undo
// itself, which is done when saving fails.
func (st *store) change(k kind, acct, uid string, edit func(a *account, i int) (record, func())) (record, error) {
	var rec record
	err := st.transact(func() (func(), error) {
		a, i := st.find(k, acct, uid)
		if i < 0 {
			return nil, ErrNotFound
		}
		var undo func()
		rec, undo = edit(a, i)
		return undo, nil
	})
	if err != nil {
		return record{}, err
	}
	return rec, nil
}

// stateFile is the persisted form. It holds secrets: written with mode 0600.
type stateFile struct {
	Version  int                     `json:"version"`
	Accounts map[string]stateAccount `json:"accounts"`
}

type stateAccount struct {
	Apps     []App     `json:"apps"`
	TURNKeys []TURNKey `json:"turn_keys"`
	// KitApps are the RealtimeKit apps, each with its presets and webhooks;
	// left out when there are none, so that a file without them is a file
	// of the same version.
	KitApps []stateKitObject `json:"kit_apps,omitempty"`
}

// stateKitObject is a RealtimeKit object in the state file: the members a
// client writes as fields, the rest beside them.
type stateKitObject struct {
	ID       string           `json:"id"`
	Created  time.Time        `json:"created_at"`
	Updated  time.Time        `json:"updated_at"`
	Fields   map[string]any   `json:"fields"`
	Presets  []stateKitObject `json:"presets,omitempty"`
	Webhooks []stateKitObject `json:"webhooks,omitempty"`
}

func (o kitObject) state() stateKitObject {
	so := stateKitObject{ID: o.id, Created: o.created, Updated: o.updated, Fields: o.fields}
	for _, c := range o.children[kitPresetKind.child] {
		so.Presets = append(so.Presets, c.state())
	}
	for _, c := range o.children[kitWebhookKind.child] {
		so.Webhooks = append(so.Webhooks, c.state())
	}
	return so
}

// loadKit checks an object of kind k read from the state file, and its
// children; seen holds the ids met so far.
func loadKit(k *kitKind, so stateKitObject, seen map[string]bool) (kitObject, error) {
	switch {
	case !isUUID(so.ID):
		return kitObject{}, fmt.Errorf("invalid %s id %q", strings.ToLower(k.noun), so.ID)
	case seen[so.ID]:
		return kitObject{}, fmt.Errorf("duplicate id %s", so.ID)
	case so.Created.IsZero() || so.Updated.IsZero() || so.Updated.Before(so.Created):
		return kitObject{}, fmt.Errorf("%s %s: invalid timestamps", strings.ToLower(k.noun), so.ID)
	}
	if err := k.schema.validate(so.Fields, "", false); err != nil {
		return kitObject{}, fmt.Errorf("%s %s: %w", strings.ToLower(k.noun), so.ID, err)
	}
	seen[so.ID] = true
	o := kitObject{
		id: so.ID, fields: so.Fields,
		created: so.Created.UTC().Truncate(time.Microsecond),
		updated: so.Updated.UTC().Truncate(time.Microsecond),
	}
	if k != kitAppKind && (len(so.Presets) > 0 || len(so.Webhooks) > 0) {
		return kitObject{}, fmt.Errorf("%s %s: only an app holds presets and webhooks", strings.ToLower(k.noun), so.ID)
	}
	for i, children := range [...][]stateKitObject{so.Presets, so.Webhooks} {
		for _, c := range children {
			child, err := loadKit(kitChildKinds[i], c, seen)
			if err != nil {
				return kitObject{}, err
			}
			o.children[i] = append(o.children[i], child)
		}
	}
	return o, nil
}

const stateVersion = 1

// persist writes the whole state to statePath. Caller holds the write lock.
func (st *store) persist() error {
	if st.statePath == "" {
		return nil
	}
	sf := stateFile{Version: stateVersion, Accounts: make(map[string]stateAccount)}
	for id, a := range st.accounts {
		if len(a.records[kindApp]) == 0 && len(a.records[kindTURNKey]) == 0 && len(a.kitApps) == 0 {
			continue
		}
		sa := stateAccount{Apps: []App{}, TURNKeys: []TURNKey{}}
		for _, r := range a.records[kindApp] {
			sa.Apps = append(sa.Apps, r.app())
		}
		for _, r := range a.records[kindTURNKey] {
			sa.TURNKeys = append(sa.TURNKeys, r.turnKey())
		}
		for _, o := range a.kitApps {
			sa.KitApps = append(sa.KitApps, o.state())
		}
		sf.Accounts[id] = sa
	}
	data, err := json.MarshalIndent(sf, "", "  ")
	if err != nil {
		return errorf("encoding state: %v", err)
	}
	if err := writeFileAtomic(st.statePath, append(data, '\n'), 0o600); err != nil {
		return errorf("saving state: %v", err)
	}
	return nil
}

// load reads statePath, if set and present, replacing the in-memory state.
func (st *store) load() error {
	if st.statePath == "" {
		return nil
	}
	data, err := os.ReadFile(st.statePath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return errorf("reading state: %v", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	var sf stateFile
	if err := json.Unmarshal(data, &sf); err != nil {
		return errorf("state file %s: %v", st.statePath, err)
	}
	if sf.Version != stateVersion {
		return errorf("state file %s: unsupported version %d", st.statePath, sf.Version)
	}
	seen := [numKinds]map[string]bool{make(map[string]bool), make(map[string]bool)}
	seenKit := make(map[string]bool)
	accounts := make(map[string]*account, len(sf.Accounts))
	add := func(k kind, a *account, acct string, r record) error {
		switch {
		case !isHexID(r.uid):
			return errorf("state file %s: account %s: invalid %s uid %q", st.statePath, acct, kinds[k].noun, r.uid)
		case seen[k][r.uid]:
			return errorf("state file %s: duplicate %s uid %s", st.statePath, kinds[k].noun, r.uid)
		case !isLowerHex(r.secret, 64):
			return errorf("state file %s: %s %s: invalid %s", st.statePath, kinds[k].noun, r.uid, kinds[k].secretField)
		case r.created.IsZero() || r.modified.IsZero() || r.modified.Before(r.created):
			return errorf("state file %s: %s %s: invalid timestamps", st.statePath, kinds[k].noun, r.uid)
		}
		seen[k][r.uid] = true
		r.created = r.created.UTC().Truncate(time.Microsecond)
		r.modified = r.modified.UTC().Truncate(time.Microsecond)
		a.records[k] = append(a.records[k], r)
		return nil
	}
	for acct, sa := range sf.Accounts {
		if !isHexID(acct) {
			return errorf("state file %s: invalid account id %q", st.statePath, acct)
		}
		a := &account{}
		for _, x := range sa.Apps {
			if err := add(kindApp, a, acct, record{x.UID, x.Name, x.Secret, x.Created, x.Modified}); err != nil {
				return err
			}
		}
		for _, x := range sa.TURNKeys {
			if err := add(kindTURNKey, a, acct, record{x.UID, x.Name, x.Key, x.Created, x.Modified}); err != nil {
				return err
			}
		}
		for _, so := range sa.KitApps {
			o, err := loadKit(kitAppKind, so, seenKit)
			if err != nil {
				return errorf("state file %s: account %s: %v", st.statePath, acct, err)
			}
			a.kitApps = append(a.kitApps, o)
		}
		accounts[acct] = a
	}
	st.accounts = accounts
	return nil
}

// writeFileAtomic writes data to a temporary file next to path and renames it
// over path, so readers see either the old or the new content.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	// Best effort: make the rename durable. The state is already written.
	if d, derr := os.Open(dir); derr == nil { //nolint:gosec // dir is the folder of the configured state file
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// randomHex returns 2n lowercase hex characters from crypto/rand.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("emulator: crypto/rand: " + err.Error()) // never happens since Go 1.24
	}
	return hex.EncodeToString(b)
}
