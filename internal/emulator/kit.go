package emulator

// The RealtimeKit API: apps, and each app's presets and webhooks.

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// KitQuirks are ways in which the live RealtimeKit API has been seen to
// answer other than its reference says. Each is off unless set, in
// Options.KitQuirks or with Server.SetKitQuirks while running.
type KitQuirks struct {
	// EmptyWebhookList404: the webhook list of an app that has none answers
	// 404 (an error envelope) instead of an empty list.
	EmptyWebhookList404 bool
	// PatchPresetWithoutID: the answer to a PATCH of a preset lacks the
	// preset's id.
	PatchPresetWithoutID bool
	// PutWebhookPartialEcho: the answer to a PUT of a webhook holds only its
	// name, url and events: no id, enabled, created_at or updated_at.
	PutWebhookPartialEcho bool
	// EchoUnsentDefaults: a preset written (created or patched) without
	// config.media.video.simulcast, config.media.audio or one of audio's
	// enable_high_bitrate and enable_stereo is stored and answered with the
	// missing ones false.
	EchoUnsentDefaults bool
	// BareUnauthorized: a RealtimeKit request without an accepted
	// credential gets 401 with the body {"message":"Unauthorized"}, instead
	// of the v4 API's 400 (code 6003) or 403 (code 10000).
	BareUnauthorized bool
}

// kitQuirk names a quirk, the switch it is in KitQuirks, and what it does.
type kitQuirk struct {
	name     string
	flag     func(*KitQuirks) *bool
	describe string
}

// kitQuirkNames are the quirks' names in ParseKitQuirks and String.
var kitQuirkNames = []kitQuirk{
	{"empty-webhook-list-404", func(q *KitQuirks) *bool { return &q.EmptyWebhookList404 },
		"the webhook list of an app without webhooks answers 404"},
	{"patch-preset-without-id", func(q *KitQuirks) *bool { return &q.PatchPresetWithoutID },
		"a PATCH of a preset answers the preset without its id"},
	{"put-webhook-partial-echo", func(q *KitQuirks) *bool { return &q.PutWebhookPartialEcho },
		"a PUT of a webhook answers only its name, url and events"},
	{"echo-unsent-defaults", func(q *KitQuirks) *bool { return &q.EchoUnsentDefaults },
		"a preset written without config.media.video.simulcast or config.media.audio gets them false, stored and answered"},
	{"bare-unauthorized", func(q *KitQuirks) *bool { return &q.BareUnauthorized },
		`a Kit request without an accepted credential gets 401 {"message":"Unauthorized"}`},
}

// DescribeKitQuirk says in one line what the quirk of that name does, for
// help texts ("" for an unknown name).
func DescribeKitQuirk(name string) string {
	for _, n := range kitQuirkNames {
		if n.name == name {
			return n.describe
		}
	}
	return ""
}

// AllKitQuirks has every quirk on.
func AllKitQuirks() KitQuirks {
	var q KitQuirks
	for _, n := range kitQuirkNames {
		*n.flag(&q) = true
	}
	return q
}

// KitQuirkNames lists the quirks' names, as ParseKitQuirks reads them.
func KitQuirkNames() []string {
	names := make([]string, len(kitQuirkNames))
	for i, n := range kitQuirkNames {
		names[i] = n.name
	}
	return names
}

// ParseKitQuirks reads quirks written as the calls-emulator -kit-quirks
// flag takes them: "all", "none" (or ""), or a comma-separated list of
// names (KitQuirkNames), such as "empty-webhook-list-404,echo-unsent-defaults".
func ParseKitQuirks(spec string) (KitQuirks, error) {
	var q KitQuirks
	switch strings.TrimSpace(spec) {
	case "all":
		return AllKitQuirks(), nil
	case "none", "":
		return q, nil
	}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		i := slices.IndexFunc(kitQuirkNames, func(n kitQuirk) bool { return n.name == part })
		if i < 0 {
			return KitQuirks{}, fmt.Errorf("kit quirks %q: unknown quirk %q (want all, none, or some of %s)", spec, part, strings.Join(KitQuirkNames(), ", "))
		}
		*kitQuirkNames[i].flag(&q) = true
	}
	return q, nil
}

// String is q in ParseKitQuirks's syntax.
func (q KitQuirks) String() string {
	var on []string
	for _, n := range kitQuirkNames {
		if *n.flag(&q) {
			on = append(on, n.name)
		}
	}
	switch len(on) {
	case 0:
		return "none"
	case len(kitQuirkNames):
		return "all"
	}
	return strings.Join(on, ",")
}

// SetKitQuirks switches the RealtimeKit quirks; it takes effect with the
// next request.
func (s *Server) SetKitQuirks(q KitQuirks) { s.kitQuirks.Store(&q) }

// KitQuirks are the RealtimeKit quirks in force.
func (s *Server) KitQuirks() KitQuirks { return *s.kitQuirks.Load() }

// kitKind is one of RealtimeKit's collections.
type kitKind struct {
	collection string // the path segment
	idParam    string // the item's path parameter; "" for apps, which have no item path
	noun       string // "<noun> not found"
	schema     *schema
	// child is the index of the collection in an app's children; -1 for
	// the apps themselves, which belong to the account.
	child int
	// paged lists take page_no, per_page and search; sortable ones
	// sort_order too.
	paged, sortable bool
	// slim list items hold only id, name and the times.
	slim bool
	// replaceable objects take a PUT.
	replaceable bool
	itemMethods string // the Allow of the item path
}

var (
	kitAppKind = &kitKind{
		collection: "apps", noun: "App", schema: kitAppSchema, child: -1, paged: true, sortable: true,
	}
	kitPresetKind = &kitKind{
		collection: "presets", idParam: "preset_id", noun: "Preset", schema: kitPresetSchema, child: 0,
		paged: true, slim: true, itemMethods: "DELETE, GET, HEAD, PATCH",
	}
	kitWebhookKind = &kitKind{
		collection: "webhooks", idParam: "webhook_id", noun: "Webhook", schema: kitWebhookSchema, child: 1,
		replaceable: true, itemMethods: "DELETE, GET, HEAD, PATCH, PUT",
	}
	// kitChildKinds are what an app holds, by child index.
	kitChildKinds = [...]*kitKind{kitPresetKind, kitWebhookKind}
)

// kitObject is the stored form of a RealtimeKit app, preset or webhook.
type kitObject struct {
	id               string
	created, updated time.Time
	// fields are the members a client writes, as a JSON tree that fits the
	// kind's schema. Never changed in place: a change replaces the tree.
	fields map[string]any
	// children are an app's presets and webhooks, by kitKind.child.
	children [len(kitChildKinds)][]kitObject
}

// wire is the JSON object sent to clients: the fields (only the name when
// slim), the id and the times.
func (o kitObject) wire(slim bool) map[string]any {
	m := map[string]any{"name": o.fields["name"]}
	if !slim {
		for k, v := range o.fields {
			m[k] = v // safe to share: never changed in place
		}
	}
	m["id"] = o.id
	m["created_at"] = formatTime(o.created)
	m["updated_at"] = formatTime(o.updated)
	return m
}

func (o kitObject) name() string { s, _ := o.fields["name"].(string); return s }

// errNoKitApp is the error of a preset or webhook sought in an app that does
// not exist.
var errNoKitApp = fmt.Errorf("%w: no such RealtimeKit app", ErrNotFound)

// ErrInvalidObject is the error of a direct mutation that the API would
// refuse with 400; the message names the field.
var ErrInvalidObject = errors.New("emulator: invalid RealtimeKit object")

// kitSlot is where the objects of kind k live: the account's apps, or an
// app's presets or webhooks. A read (create false) of an account with
// nothing is an empty slot. Caller holds the lock, the write lock when
// create is set.
func (st *store) kitSlot(acct, appID string, k *kitKind, create bool) (*[]kitObject, error) {
	a := st.accounts[acct]
	if k.child < 0 {
		switch {
		case a != nil:
		case create:
			a = &account{}
			st.accounts[acct] = a
		default:
			return new([]kitObject), nil
		}
		return &a.kitApps, nil
	}
	if a == nil {
		return nil, errNoKitApp
	}
	i := indexKit(a.kitApps, appID)
	if i < 0 {
		return nil, errNoKitApp
	}
	return &a.kitApps[i].children[k.child], nil
}

func indexKit(objs []kitObject, id string) int {
	return slices.IndexFunc(objs, func(o kitObject) bool { return o.id == id })
}

// kitList returns the objects of kind k in creation order (for presets and
// webhooks, of the app appID).
func (st *store) kitList(acct, appID string, k *kitKind) ([]kitObject, error) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	slot, err := st.kitSlot(acct, appID, k, false)
	if err != nil {
		return nil, err
	}
	return slices.Clone(*slot), nil
}

func (st *store) kitGet(acct, appID string, k *kitKind, id string) (kitObject, error) {
	objs, err := st.kitList(acct, appID, k)
	if err != nil {
		return kitObject{}, err
	}
	if i := indexKit(objs, id); i >= 0 {
		return objs[i], nil
	}
	return kitObject{}, ErrNotFound
}

func (st *store) kitCount(k *kitKind) int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	n := 0
	for _, a := range st.accounts {
		for _, app := range a.kitApps {
			if k.child < 0 {
				n++
			} else {
				n += len(app.children[k.child])
			}
		}
	}
	return n
}

func (st *store) kitCreate(acct, appID string, k *kitKind, fields map[string]any) (kitObject, error) {
	var o kitObject
	err := st.transact(func() (func(), error) {
		slot, err := st.kitSlot(acct, appID, k, true)
		if err != nil {
			return nil, err
		}
		now := st.timestamp()
		o = kitObject{id: newUUID(), created: now, updated: now, fields: fields}
		*slot = append(*slot, o)
		return func() { *slot = (*slot)[:len(*slot)-1] }, nil
	})
	if err != nil {
		return kitObject{}, err
	}
	return o, nil
}

// kitChange runs edit on the object id of kind k, at index i of its slot,
// under the write lock, and saves the state. edit answers the object to
// answer with; it must leave the slot alone when it fails.
func (st *store) kitChange(acct, appID string, k *kitKind, id string, edit func(slot *[]kitObject, i int) (kitObject, error)) (kitObject, error) {
	var o kitObject
	err := st.transact(func() (func(), error) {
		slot, err := st.kitSlot(acct, appID, k, false)
		if err != nil {
			return nil, err
		}
		i := indexKit(*slot, id)
		if i < 0 {
			return nil, ErrNotFound
		}
		old := slices.Clone(*slot)
		if o, err = edit(slot, i); err != nil {
			return nil, err
		}
		return func() { *slot = old }, nil
	})
	if err != nil {
		return kitObject{}, err
	}
	return o, nil
}

// kitUpdate replaces the fields of the object id with what change makes
// of them, and moves its updated_at on.
func (st *store) kitUpdate(acct, appID string, k *kitKind, id string, change func(map[string]any) (map[string]any, error)) (kitObject, error) {
	return st.kitChange(acct, appID, k, id, func(slot *[]kitObject, i int) (kitObject, error) {
		o := (*slot)[i]
		fields, err := change(o.fields)
		if err != nil {
			return kitObject{}, err
		}
		o.fields, o.updated = fields, st.later(o.updated)
		(*slot)[i] = o
		return o, nil
	})
}

func (st *store) kitRemove(acct, appID string, k *kitKind, id string) (kitObject, error) {
	return st.kitChange(acct, appID, k, id, func(slot *[]kitObject, i int) (kitObject, error) {
		o := (*slot)[i]
		*slot = slices.Delete(*slot, i, i+1)
		return o, nil
	})
}

// echo reports whether writes fill in the fields the API echoes unsent.
func (s *Server) echo() bool { return s.KitQuirks().EchoUnsentDefaults }

// kitCreate checks body against k's schema and stores what it makes.
func (s *Server) kitCreate(acct, appID string, k *kitKind, body map[string]any) (kitObject, error) {
	fields, err := k.schema.build(body, s.echo())
	if err != nil {
		return kitObject{}, err
	}
	return s.store.kitCreate(acct, appID, k, fields)
}

// kitPatch merges patch into the object id (a PATCH).
func (s *Server) kitPatch(acct, appID string, k *kitKind, id string, patch map[string]any) (kitObject, error) {
	return s.store.kitUpdate(acct, appID, k, id, func(fields map[string]any) (map[string]any, error) {
		return k.schema.patch(fields, patch, s.echo())
	})
}

// kitReplace replaces the object id with body (a PUT).
func (s *Server) kitReplace(acct, appID string, k *kitKind, id string, body map[string]any) (kitObject, error) {
	return s.store.kitUpdate(acct, appID, k, id, func(map[string]any) (map[string]any, error) {
		return k.schema.build(body, s.echo())
	})
}

// newUUID returns a random (version 4) UUID in lower case.
func newUUID() string {
	h := randomHex(16)
	b := []byte(h)
	b[12] = '4'                                                    // version 4
	b[16] = "89ab"[strings.IndexByte("0123456789abcdef", b[16])&3] // variant 10xx
	return string(b[:8]) + "-" + string(b[8:12]) + "-" + string(b[12:16]) + "-" + string(b[16:20]) + "-" + string(b[20:])
}

// isUUID reports whether s is a UUID in lower case.
func isUUID(s string) bool {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	return isLowerHex(s[:8]+s[9:13]+s[14:18]+s[19:23]+s[24:], 32)
}

// KitApp is a RealtimeKit app.
type KitApp struct {
	ID, Name         string
	Created, Updated time.Time
}

// KitPreset is a RealtimeKit preset.
type KitPreset struct {
	ID, Name         string
	Created, Updated time.Time
	// Fields are the preset's name, config, permissions and ui as the API
	// sends them (numbers are float64): a copy.
	Fields map[string]any
}

// KitWebhook is a RealtimeKit webhook.
type KitWebhook struct {
	ID, Name, URL    string
	Events           []string
	Enabled          bool
	Created, Updated time.Time
}

func exportKitApp(o kitObject) KitApp {
	return KitApp{ID: o.id, Name: o.name(), Created: o.created, Updated: o.updated}
}

func exportKitPreset(o kitObject) KitPreset {
	fields, _ := deepCopy(o.fields).(map[string]any)
	return KitPreset{ID: o.id, Name: o.name(), Created: o.created, Updated: o.updated, Fields: fields}
}

func exportKitWebhook(o kitObject) KitWebhook {
	w := KitWebhook{ID: o.id, Name: o.name(), Created: o.created, Updated: o.updated}
	w.URL, _ = o.fields["url"].(string)
	w.Enabled, _ = o.fields["enabled"].(bool)
	events, _ := o.fields["events"].([]any)
	for _, e := range events {
		if s, ok := e.(string); ok {
			w.Events = append(w.Events, s)
		}
	}
	return w
}

// kitDirect is the Go API of one RealtimeKit kind, T being its exported
// type, as direct is for apps and TURN keys.
type kitDirect[T any] struct {
	s      *Server
	kind   *kitKind
	export func(kitObject) T
}

func (d kitDirect[T]) list(acct, appID string) []T {
	objs, _ := d.s.store.kitList(acct, appID, d.kind)
	out := make([]T, len(objs))
	for i, o := range objs {
		out[i] = d.export(o)
	}
	return out
}

func (d kitDirect[T]) get(acct, appID, id string) (T, bool) {
	o, err := d.s.store.kitGet(acct, appID, d.kind, id)
	return d.export(o), err == nil
}

// result exports o, or passes err on with a field error as ErrInvalidObject.
func (d kitDirect[T]) result(o kitObject, err error) (T, error) {
	var fe *fieldError
	if errors.As(err, &fe) {
		err = fmt.Errorf("%w: %w", ErrInvalidObject, fe)
	}
	return d.export(o), err
}

func (d kitDirect[T]) create(acct, appID string, body map[string]any) (T, error) {
	if !isHexID(acct) {
		return d.export(kitObject{}), ErrInvalidID
	}
	body, err := asDecoded(body)
	if err != nil {
		return d.export(kitObject{}), err
	}
	return d.result(d.s.kitCreate(acct, appID, d.kind, body))
}

func (d kitDirect[T]) patch(acct, appID, id string, patch map[string]any) (T, error) {
	patch, err := asDecoded(patch)
	if err != nil {
		return d.export(kitObject{}), err
	}
	return d.result(d.s.kitPatch(acct, appID, d.kind, id, patch))
}

// asDecoded is m as it would arrive in a request body, so that a Go
// caller may use []string, int and the like.
func asDecoded(m map[string]any) (map[string]any, error) {
	data, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidObject, err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidObject, err)
	}
	return out, nil
}

func (d kitDirect[T]) remove(acct, appID, id string) error {
	_, err := d.s.store.kitRemove(acct, appID, d.kind, id)
	return err
}

func (s *Server) kitApps() kitDirect[KitApp] { return kitDirect[KitApp]{s, kitAppKind, exportKitApp} }

func (s *Server) kitPresets() kitDirect[KitPreset] {
	return kitDirect[KitPreset]{s, kitPresetKind, exportKitPreset}
}

func (s *Server) kitWebhooks() kitDirect[KitWebhook] {
	return kitDirect[KitWebhook]{s, kitWebhookKind, exportKitWebhook}
}

// KitApps returns the account's RealtimeKit apps, in creation order.
func (s *Server) KitApps(accountID string) []KitApp { return s.kitApps().list(accountID, "") }

// CreateKitApp creates a RealtimeKit app directly, as if through the API
// (see CreateApp). Apps cannot be renamed or deleted, in the API or here.
func (s *Server) CreateKitApp(accountID, name string) (KitApp, error) {
	return s.kitApps().create(accountID, "", map[string]any{"name": name})
}

// KitAppCount is the number of RealtimeKit apps across all accounts.
func (s *Server) KitAppCount() int { return s.store.kitCount(kitAppKind) }

// KitPresets returns the app's presets in creation order (none when the app
// does not exist).
func (s *Server) KitPresets(accountID, appID string) []KitPreset {
	return s.kitPresets().list(accountID, appID)
}

// KitPreset returns a preset, and whether it exists.
func (s *Server) KitPreset(accountID, appID, presetID string) (KitPreset, bool) {
	return s.kitPresets().get(accountID, appID, presetID)
}

// CreateKitPreset creates a preset directly from a body as the API takes it
// (name, config, permissions, ui), checked as the API checks it: an error
// wrapping ErrInvalidObject names the field at fault; one wrapping
// ErrNotFound says the app does not exist.
func (s *Server) CreateKitPreset(accountID, appID string, preset map[string]any) (KitPreset, error) {
	return s.kitPresets().create(accountID, appID, preset)
}

// PatchKitPreset changes a preset as a PATCH does: patch is merged in at
// every depth, a null removes an optional member.
func (s *Server) PatchKitPreset(accountID, appID, presetID string, patch map[string]any) (KitPreset, error) {
	return s.kitPresets().patch(accountID, appID, presetID, patch)
}

// DeleteKitPreset deletes a preset directly.
func (s *Server) DeleteKitPreset(accountID, appID, presetID string) error {
	return s.kitPresets().remove(accountID, appID, presetID)
}

// KitPresetCount is the number of presets across all apps and accounts.
func (s *Server) KitPresetCount() int { return s.store.kitCount(kitPresetKind) }

// KitWebhooks returns the app's webhooks in creation order (none when the
// app does not exist).
func (s *Server) KitWebhooks(accountID, appID string) []KitWebhook {
	return s.kitWebhooks().list(accountID, appID)
}

// KitWebhook returns a webhook, and whether it exists.
func (s *Server) KitWebhook(accountID, appID, webhookID string) (KitWebhook, bool) {
	return s.kitWebhooks().get(accountID, appID, webhookID)
}

// CreateKitWebhook creates an enabled webhook directly, checked as the API
// checks it (see CreateKitPreset).
func (s *Server) CreateKitWebhook(accountID, appID, name, url string, events []string) (KitWebhook, error) {
	return s.kitWebhooks().create(accountID, appID, map[string]any{"name": name, "url": url, "events": events})
}

// UpdateKitWebhook changes a webhook as a PATCH does, e.g.
// map[string]any{"enabled": false}.
func (s *Server) UpdateKitWebhook(accountID, appID, webhookID string, patch map[string]any) (KitWebhook, error) {
	return s.kitWebhooks().patch(accountID, appID, webhookID, patch)
}

// DeleteKitWebhook deletes a webhook directly.
func (s *Server) DeleteKitWebhook(accountID, appID, webhookID string) error {
	return s.kitWebhooks().remove(accountID, appID, webhookID)
}

// KitWebhookCount is the number of webhooks across all apps and accounts.
func (s *Server) KitWebhookCount() int { return s.store.kitCount(kitWebhookKind) }
