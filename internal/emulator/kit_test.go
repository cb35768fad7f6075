package emulator

// The RealtimeKit API (kit.go, kit_handlers.go): apps, webhooks, and what
// it shares with Calls.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

const missingUUID = "00000000-0000-4000-8000-000000000000"

func kitApps(base, acct string) string { return base + "/accounts/" + acct + "/realtime/kit/apps" }

// kitColl is an app's presets or webhooks.
func kitColl(base, acct, app, coll string) string {
	return base + "/accounts/" + acct + "/realtime/kit/" + app + "/" + coll
}

type kitResponse struct {
	status int
	header http.Header
	raw    []byte
	data   json.RawMessage
	paging *kitPaging
	err    kitError
}

// doKit sends a request to the RealtimeKit API and checks its envelope:
// success and data (and paging, for a paged list) on success, success and
// error, whose code is the status, on failure.
func doKit(t *testing.T, method, url, body string, headers map[string]string) kitResponse {
	t.Helper()
	res := sendRaw(t, method, url, body, headers)
	out := kitResponse{status: res.status, header: res.header, raw: res.raw}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(res.raw, &top); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, url, err, res.raw)
	}
	members := slices.Sorted(func(yield func(string) bool) {
		for k := range top {
			if !yield(k) {
				return
			}
		}
	})
	var success bool
	if err := json.Unmarshal(top["success"], &success); err != nil {
		t.Fatalf("%s %s: success %s: %v", method, url, top["success"], err)
	}
	if success != (res.status < 300) {
		t.Fatalf("%s %s: status %d with success=%v", method, url, res.status, success)
	}
	switch {
	case !success:
		if !slices.Equal(members, []string{"error", "success"}) {
			t.Fatalf("%s %s: error envelope members %v: %s", method, url, members, res.raw)
		}
		if err := json.Unmarshal(top["error"], &out.err); err != nil || out.err.Code != res.status || out.err.Message == "" {
			t.Fatalf("%s %s: error %s (status %d): %v", method, url, top["error"], res.status, err)
		}
	case slices.Equal(members, []string{"data", "success"}):
	case slices.Equal(members, []string{"data", "paging", "success"}):
		if err := json.Unmarshal(top["paging"], &out.paging); err != nil {
			t.Fatalf("paging: %v", err)
		}
	default:
		t.Fatalf("%s %s: envelope members %v: %s", method, url, members, res.raw)
	}
	out.data = top["data"]
	return out
}

type rawResponse struct {
	status int
	header http.Header
	raw    []byte
}

// sendRaw sends a request and reads the whole answer, which must be JSON.
func sendRaw(t *testing.T, method, url, body string, headers map[string]string) rawResponse {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: Content-Type %q", method, url, ct)
	}
	return rawResponse{res.StatusCode, res.Header, raw}
}

// wantKitError asserts a failed answer with the status and message.
func wantKitError(t *testing.T, r kitResponse, status int, message string) {
	t.Helper()
	if r.status != status || r.err.Message != message {
		t.Fatalf("got %d %q, want %d %q; body %s", r.status, r.err.Message, status, message, r.raw)
	}
}

// kitObj decodes data as one object, checks its member set and returns it.
func kitObj(t *testing.T, data json.RawMessage, members ...string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("data is not an object: %v: %s", err, data)
	}
	got := slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	})
	want := slices.Sorted(slices.Values(members))
	if !slices.Equal(got, want) {
		t.Fatalf("members %v, want %v (%s)", got, want, data)
	}
	return m
}

// kitList decodes data as a list of objects.
func kitList(t *testing.T, data json.RawMessage) []map[string]any {
	t.Helper()
	var l []map[string]any
	if err := json.Unmarshal(data, &l); err != nil {
		t.Fatalf("data is not a list: %v: %s", err, data)
	}
	return l
}

func names(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i], _ = it["name"].(string)
	}
	return out
}

var appMembers = []string{"id", "name", "created_at", "updated_at"}

var webhookMembers = []string{"id", "name", "url", "events", "enabled", "created_at", "updated_at"}

// newKitApp creates an app through the API and returns its id.
func newKitApp(t *testing.T, e *Running, acct, name string) string {
	t.Helper()
	r := doKit(t, "POST", kitApps(e.URL, acct), `{"name":"`+name+`"}`, bearer)
	if r.status != http.StatusCreated {
		t.Fatalf("create app: %d %s", r.status, r.raw)
	}
	return kitObj(t, r.data, appMembers...)["id"].(string)
}

func TestKitApps_createAndList(t *testing.T) {
	frozen := time.Date(2026, 3, 4, 5, 6, 7, 891011121, time.UTC)
	opts := defaultOptions()
	opts.Now = func() time.Time { return frozen }
	e := startEmulator(t, opts)

	r := doKit(t, "POST", kitApps(e.URL, acctA), `{"name":"same"}`, bearer)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	app := kitObj(t, r.data, appMembers...)
	if !uuidV4.MatchString(app["id"].(string)) || app["name"] != "same" ||
		app["created_at"] != "2026-03-04T05:06:07.891011Z" || app["updated_at"] != app["created_at"] {
		t.Fatalf("created app %v", app)
	}
	// Names are not unique.
	second := kitObj(t, doKit(t, "POST", kitApps(e.URL, acctA), `{"name":"same"}`, bearer).data, appMembers...)
	if second["id"] == app["id"] {
		t.Fatal("two apps with one id")
	}
	l := doKit(t, "GET", kitApps(e.URL, acctA), "", bearer)
	if items := kitList(t, l.data); len(items) != 2 || items[0]["id"] != app["id"] || items[1]["id"] != second["id"] {
		t.Fatalf("list %s", l.data)
	}
	if *l.paging != (kitPaging{1, 2, 2}) {
		t.Fatalf("paging %+v", *l.paging)
	}
	// Another account has none.
	if l := doKit(t, "GET", kitApps(e.URL, acctB), "", bearer); string(l.data) != "[]" || *l.paging != (kitPaging{0, 0, 0}) {
		t.Fatalf("account B: %s", l.raw)
	}
	if got := e.KitApps(acctA); len(got) != 2 || got[0].ID != app["id"] || got[0].Name != "same" || !got[0].Created.Equal(frozen.Truncate(time.Microsecond)) {
		t.Fatalf("KitApps() = %+v", got)
	}

	for body, message := range map[string]string{
		``:                          "name is required",
		`{}`:                        "name is required",
		`{"name":null}`:             "name must not be null",
		`{"name":42}`:               "name must be a string",
		`{"name":""}`:               "name must not be empty",
		`{"name":"x","colour":"r"}`: "colour is not a known field",
		`{"name":`:                  "Invalid request body: malformed JSON: unexpected end of JSON input",
		`["x"]`:                     "Invalid request body: expected a JSON object",
	} {
		wantKitError(t, doKit(t, "POST", kitApps(e.URL, acctA), body, bearer), 400, message)
	}
	if e.KitAppCount() != 2 {
		t.Fatalf("KitAppCount() = %d after refused creates", e.KitAppCount())
	}
}

func TestKitApps_pagingSearchAndSort(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	for i := range 45 {
		if _, err := e.CreateKitApp(acctA, fmt.Sprintf("App-%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	list := func(query string) ([]string, kitPaging) {
		t.Helper()
		r := doKit(t, "GET", kitApps(e.URL, acctA)+query, "", bearer)
		if r.status != 200 || r.paging == nil {
			t.Fatalf("list %s: %d %s", query, r.status, r.raw)
		}
		items := kitList(t, r.data)
		for _, it := range items {
			kitObj(t, mustJSON(t, it), appMembers...)
		}
		return names(items), *r.paging
	}
	appNames := func(from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, fmt.Sprintf("App-%02d", i))
		}
		return out
	}
	for _, tc := range []struct {
		query  string
		want   []string
		paging kitPaging
	}{
		{"", appNames(0, 20), kitPaging{1, 20, 45}},
		{"?page_no=1&per_page=20", appNames(0, 20), kitPaging{1, 20, 45}},
		{"?page_no=2&per_page=20", appNames(20, 40), kitPaging{21, 40, 45}},
		{"?page_no=3&per_page=20", appNames(40, 45), kitPaging{41, 45, 45}},
		{"?page_no=4&per_page=20", []string{}, kitPaging{0, 0, 45}},
		{"?page_no=2", appNames(20, 40), kitPaging{21, 40, 45}},
		{"?per_page=50", appNames(0, 45), kitPaging{1, 45, 45}},
		{"?per_page=9223372036854775807", appNames(0, 45), kitPaging{1, 45, 45}},
		{"?page_no=9223372036854775807", []string{}, kitPaging{0, 0, 45}},
		{"?sort_order=ASC&per_page=2", appNames(0, 2), kitPaging{1, 2, 45}},
		{"?sort_order=DESC&per_page=2", []string{"App-44", "App-43"}, kitPaging{1, 2, 45}},
		{"?sort_order=DESC&page_no=3", []string{"App-04", "App-03", "App-02", "App-01", "App-00"}, kitPaging{41, 45, 45}},
		{"?search=app-1", appNames(10, 20), kitPaging{1, 10, 10}},
		{"?search=P-4&sort_order=DESC&per_page=3&page_no=2", []string{"App-41", "App-40"}, kitPaging{4, 5, 5}},
		{"?search=none", []string{}, kitPaging{0, 0, 0}},
		{"?unknown=1&per_page=1", appNames(0, 1), kitPaging{1, 1, 45}},
	} {
		got, paging := list(tc.query)
		if !slices.Equal(got, tc.want) || paging != tc.paging {
			t.Errorf("%s: %v %+v, want %v %+v", tc.query, got, paging, tc.want, tc.paging)
		}
	}
	for query, message := range map[string]string{
		"?page_no=0":         "page_no must be a positive integer",
		"?page_no=x":         "page_no must be a positive integer",
		"?per_page=-1":       "per_page must be a positive integer",
		"?per_page=1.5":      "per_page must be a positive integer",
		"?sort_order=desc":   "sort_order must be one of ASC, DESC",
		"?sort_order=newest": "sort_order must be one of ASC, DESC",
	} {
		wantKitError(t, doKit(t, "GET", kitApps(e.URL, acctA)+query, "", bearer), 400, message)
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Apps can be created and listed only: the gateway knows no path for one
// app, and refuses the collection's other methods.
func TestKitApps_noItemPath(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	app := newKitApp(t, e, acctA, "a")
	for _, m := range []string{"GET", "PATCH", "PUT", "DELETE"} {
		wantError(t, do(t, m, kitApps(e.URL, acctA)+"/"+app, `{"name":"b"}`, bearer), 400, 7000, "No route for that URI")
	}
	for _, m := range []string{"PUT", "PATCH", "DELETE"} {
		r := do(t, m, kitApps(e.URL, acctA), `{"name":"b"}`, bearer)
		wantError(t, r, 405, 10405, "Method not allowed")
		if a := r.header.Get("Allow"); a != "GET, HEAD, POST" {
			t.Fatalf("Allow %q", a)
		}
	}
	if apps := e.KitApps(acctA); len(apps) != 1 || apps[0].Name != "a" {
		t.Fatalf("apps %+v", apps)
	}
	if e.Counters()["GET unmatched"] != 1 || e.Counters()["PUT "+kitPrefix+"/apps"] != 1 {
		t.Fatalf("counters %v", e.Counters())
	}
}

func TestKitWebhooks_lifecycle(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	app := newKitApp(t, e, acctA, "a")
	coll := kitColl(e.URL, acctA, app, "webhooks")

	if l := doKit(t, "GET", coll, "", bearer); l.status != 200 || string(l.data) != "[]" || l.paging != nil {
		t.Fatalf("empty list: %s", l.raw)
	}
	c := doKit(t, "POST", coll, `{"name":"hook","url":"https://example.com/hook?a=1&b=2","events":["meeting.started","meeting.ended"]}`, bearer)
	if c.status != http.StatusCreated {
		t.Fatalf("create: %d %s", c.status, c.raw)
	}
	hook := kitObj(t, c.data, webhookMembers...)
	id := hook["id"].(string)
	if !uuidV4.MatchString(id) || hook["enabled"] != true || hook["url"] != "https://example.com/hook?a=1&b=2" ||
		!reflect.DeepEqual(hook["events"], []any{"meeting.started", "meeting.ended"}) || hook["created_at"] != hook["updated_at"] {
		t.Fatalf("created %v", hook)
	}
	if !strings.Contains(string(c.raw), `?a=1&b=2`) {
		t.Fatalf("URL escaped: %s", c.raw)
	}
	item := coll + "/" + id
	if g := doKit(t, "GET", item, "", bearer); !reflect.DeepEqual(kitObj(t, g.data, webhookMembers...), hook) {
		t.Fatalf("get %s", g.raw)
	}
	l := doKit(t, "GET", coll, "", bearer)
	if items := kitList(t, l.data); l.paging != nil || len(items) != 1 || !reflect.DeepEqual(items[0], hook) {
		t.Fatalf("list %s", l.raw)
	}

	// PATCH changes what it names.
	time.Sleep(2 * time.Millisecond)
	p := kitObj(t, doKit(t, "PATCH", item, `{"enabled":false}`, bearer).data, webhookMembers...)
	if p["enabled"] != false || p["name"] != "hook" || p["url"] != hook["url"] || p["created_at"] != hook["created_at"] ||
		parseTS(t, p["updated_at"].(string)).Compare(parseTS(t, hook["updated_at"].(string))) <= 0 {
		t.Fatalf("patched %v", p)
	}
	// PUT replaces the whole: enabled goes back to its default.
	u := kitObj(t, doKit(t, "PUT", item, `{"name":"h2","url":"http://127.0.0.1:9/x","events":["meeting.summary"]}`, bearer).data, webhookMembers...)
	if u["id"] != id || u["enabled"] != true || u["name"] != "h2" || !reflect.DeepEqual(u["events"], []any{"meeting.summary"}) {
		t.Fatalf("put %v", u)
	}
	wantKitError(t, doKit(t, "PUT", item, `{"name":"h3","events":["meeting.summary"]}`, bearer), 400, "url is required")
	wantKitError(t, doKit(t, "PATCH", item, `{"events":["meeting.begun"]}`, bearer), 400,
		"events[0] must be one of "+strings.Join(WebhookEvents, ", "))
	if w, ok := e.KitWebhook(acctA, app, id); !ok || w.Name != "h2" || !w.Enabled || w.URL != "http://127.0.0.1:9/x" {
		t.Fatalf("refused writes changed the webhook: %+v", w)
	}

	d := doKit(t, "DELETE", item, "", bearer)
	if dd := kitObj(t, d.data, webhookMembers...); d.status != 200 || dd["id"] != id || dd["name"] != "h2" {
		t.Fatalf("delete %s", d.raw)
	}
	for _, m := range []string{"GET", "PATCH", "PUT", "DELETE"} {
		wantKitError(t, doKit(t, m, item, `{"enabled":true}`, bearer), 404, "Webhook not found")
	}
	if l := doKit(t, "GET", coll, "", bearer); string(l.data) != "[]" {
		t.Fatalf("list after delete %s", l.raw)
	}
	r := do(t, "POST", item, "", bearer)
	wantError(t, r, 405, 10405, "Method not allowed")
	if a := r.header.Get("Allow"); a != "DELETE, GET, HEAD, PATCH, PUT" {
		t.Fatalf("Allow %q", a)
	}
}

func TestKitWebhooks_validation(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	app := newKitApp(t, e, acctA, "a")
	coll := kitColl(e.URL, acctA, app, "webhooks")
	const events = `"events":["meeting.started"]`
	for body, message := range map[string]string{
		`{"url":"https://x.example",` + events + `}`:                           "name is required",
		`{"name":"n",` + events + `}`:                                          "url is required",
		`{"name":"n","url":"https://x.example"}`:                               "events is required",
		`{"name":"n","url":"ftp://x.example",` + events + `}`:                  "url must be an absolute http or https URL",
		`{"name":"n","url":"/hook",` + events + `}`:                            "url must be an absolute http or https URL",
		`{"name":"n","url":"https://",` + events + `}`:                         "url must be an absolute http or https URL",
		`{"name":"n","url":"https://x.example","events":[]}`:                   "events must not be empty",
		`{"name":"n","url":"https://x.example","events":"meeting.started"}`:    "events must be an array",
		`{"name":"n","url":"https://x.example",` + events + `,"enabled":"no"}`: "enabled must be a boolean",
		`{"name":"n","url":"https://x.example",` + events + `,"secret":"s"}`:   "secret is not a known field",
	} {
		wantKitError(t, doKit(t, "POST", coll, body, bearer), 400, message)
	}
	// Every event, and enabled false.
	all, _ := json.Marshal(WebhookEvents)
	c := doKit(t, "POST", coll, `{"name":"n","url":"https://x.example","enabled":false,"events":`+string(all)+`}`, bearer)
	if w := kitObj(t, c.data, webhookMembers...); c.status != 201 || w["enabled"] != false || len(w["events"].([]any)) != 9 {
		t.Fatalf("create %s", c.raw)
	}
	if e.KitWebhookCount() != 1 {
		t.Fatalf("KitWebhookCount() = %d", e.KitWebhookCount())
	}
}

// Every path under an app answers 404 when the app is not the account's.
func TestKit_unknownApp(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	newKitApp(t, e, acctA, "a")
	other := newKitApp(t, e, acctB, "b")
	for _, app := range []string{missingUUID, other, "not-a-uuid"} {
		for _, coll := range []string{"presets", "webhooks"} {
			for _, tc := range []struct{ method, url string }{
				{"GET", kitColl(e.URL, acctA, app, coll)},
				{"POST", kitColl(e.URL, acctA, app, coll)},
				{"GET", kitColl(e.URL, acctA, app, coll) + "/" + missingUUID},
				{"PATCH", kitColl(e.URL, acctA, app, coll) + "/" + missingUUID},
				{"DELETE", kitColl(e.URL, acctA, app, coll) + "/" + missingUUID},
			} {
				wantKitError(t, doKit(t, tc.method, tc.url, `{bad json`, bearer), 404, "App not found")
			}
		}
		wantKitError(t, doKit(t, "PUT", kitColl(e.URL, acctA, app, "webhooks")+"/"+missingUUID, `{}`, bearer), 404, "App not found")
	}
	// A malformed account id is the gateway's 7003.
	wantError(t, do(t, "GET", kitColl(e.URL, "bad", other, "presets"), "", bearer), 404, 7003, "")
	wantError(t, do(t, "GET", kitApps(e.URL, "bad"), "", bearer), 404, 7003, "")
	if _, err := e.CreateKitWebhook(acctA, other, "n", "https://x.example", []string{"meeting.ended"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("CreateKitWebhook in another account's app: %v", err)
	}
}

func TestKitQuirks_emptyWebhookList404(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	app := newKitApp(t, e, acctA, "a")
	coll := kitColl(e.URL, acctA, app, "webhooks")
	if l := doKit(t, "GET", coll, "", bearer); l.status != 200 || string(l.data) != "[]" {
		t.Fatalf("quirk off: %s", l.raw)
	}
	e.SetKitQuirks(KitQuirks{EmptyWebhookList404: true})
	wantKitError(t, doKit(t, "GET", coll, "", bearer), 404, "No webhooks found for this app")
	// Only the webhooks of an app that exists, and only when there are none.
	wantKitError(t, doKit(t, "GET", kitColl(e.URL, acctA, missingUUID, "webhooks"), "", bearer), 404, "App not found")
	if l := doKit(t, "GET", kitColl(e.URL, acctA, app, "presets"), "", bearer); l.status != 200 {
		t.Fatalf("presets: %s", l.raw)
	}
	if _, err := e.CreateKitWebhook(acctA, app, "n", "https://x.example", []string{"meeting.ended"}); err != nil {
		t.Fatal(err)
	}
	if l := doKit(t, "GET", coll, "", bearer); l.status != 200 || len(kitList(t, l.data)) != 1 {
		t.Fatalf("one webhook: %s", l.raw)
	}
}

func TestKitQuirks_putWebhookPartialEcho(t *testing.T) {
	opts := defaultOptions()
	opts.KitQuirks = KitQuirks{PutWebhookPartialEcho: true}
	e := startEmulator(t, opts)
	app := newKitApp(t, e, acctA, "a")
	w, err := e.CreateKitWebhook(acctA, app, "n", "https://x.example", []string{"meeting.ended"})
	if err != nil {
		t.Fatal(err)
	}
	item := kitColl(e.URL, acctA, app, "webhooks") + "/" + w.ID
	const body = `{"name":"m","url":"https://y.example","events":["meeting.started"],"enabled":false}`
	got := kitObj(t, doKit(t, "PUT", item, body, bearer).data, "name", "url", "events")
	if got["name"] != "m" || got["url"] != "https://y.example" || !reflect.DeepEqual(got["events"], []any{"meeting.started"}) {
		t.Fatalf("put answer %v", got)
	}
	// Stored whole all the same; a PATCH answers whole.
	if s, _ := e.KitWebhook(acctA, app, w.ID); s.Enabled || s.Name != "m" || !s.Updated.After(w.Updated) {
		t.Fatalf("stored %+v", s)
	}
	kitObj(t, doKit(t, "PATCH", item, `{"name":"p"}`, bearer).data, webhookMembers...)
	e.SetKitQuirks(KitQuirks{})
	kitObj(t, doKit(t, "PUT", item, body, bearer).data, webhookMembers...)
}

func TestKitQuirks_bareUnauthorized(t *testing.T) {
	opts := defaultOptions()
	opts.KitQuirks = KitQuirks{BareUnauthorized: true}
	e := startEmulator(t, opts)
	app := newKitApp(t, e, acctA, "a")
	wrong := map[string]string{"Authorization": "Bearer wrong"}
	for _, url := range []string{kitApps(e.URL, acctA), kitColl(e.URL, acctA, app, "webhooks"), kitColl(e.URL, acctA, app, "presets") + "/" + missingUUID} {
		for _, h := range []map[string]string{nil, wrong} {
			r := sendRaw(t, "GET", url, "", h)
			if r.status != 401 || string(r.raw) != `{"message":"Unauthorized"}`+"\n" {
				t.Fatalf("GET %s with %v: %d %s", url, h, r.status, r.raw)
			}
		}
	}
	// Calls paths, and the routing errors that come before credentials,
	// are as they were.
	wantError(t, do(t, "GET", kindCases[0].coll(e.URL, acctA), "", nil), 400, 6003, "")
	wantError(t, do(t, "GET", kindCases[0].coll(e.URL, acctA), "", wrong), 403, 10000, "")
	wantError(t, do(t, "GET", kitApps(e.URL, "bad"), "", nil), 404, 7003, "")
	// Off: the v4 answers.
	e.SetKitQuirks(KitQuirks{})
	wantError(t, do(t, "GET", kitApps(e.URL, acctA), "", nil), 400, 6003, "Invalid request headers")
	wantError(t, do(t, "GET", kitApps(e.URL, acctA), "", wrong), 403, 10000, "Authentication error")
	if e.Statuses()[401] != 6 {
		t.Fatalf("statuses %v", e.Statuses())
	}
}

func TestKitQuirks_parse(t *testing.T) {
	for spec, want := range map[string]KitQuirks{
		"":                  {},
		"none":              {},
		"all":               AllKitQuirks(),
		" all ":             AllKitQuirks(),
		"bare-unauthorized": {BareUnauthorized: true},
		"empty-webhook-list-404, echo-unsent-defaults":     {EmptyWebhookList404: true, EchoUnsentDefaults: true},
		"patch-preset-without-id,put-webhook-partial-echo": {PatchPresetWithoutID: true, PutWebhookPartialEcho: true},
	} {
		got, err := ParseKitQuirks(spec)
		if err != nil || got != want {
			t.Errorf("ParseKitQuirks(%q) = %+v, %v; want %+v", spec, got, err, want)
		}
		if back, err := ParseKitQuirks(got.String()); err != nil || back != got {
			t.Errorf("%q: String %q does not parse back: %+v %v", spec, got.String(), back, err)
		}
	}
	all := AllKitQuirks()
	if all.String() != "all" || (KitQuirks{}).String() != "none" || len(KitQuirkNames()) != reflect.TypeFor[KitQuirks]().NumField() {
		t.Fatalf("names %v, all %q", KitQuirkNames(), all.String())
	}
	v := reflect.ValueOf(all)
	for i := range v.NumField() {
		if !v.Field(i).Bool() {
			t.Fatalf("AllKitQuirks() = %+v", all)
		}
	}
	for _, bad := range []string{"some", "all,none", "bare-unauthorized,", "Bare-Unauthorized"} {
		if _, err := ParseKitQuirks(bad); err == nil {
			t.Errorf("ParseKitQuirks(%q) accepted", bad)
		}
	}
}

// One quota per credential, whichever API the request is for.
func TestKit_sharesRateLimitWithCalls(t *testing.T) {
	clock := newFakeClock()
	opts := defaultOptions()
	opts.Now = clock.Now
	opts.RateLimit = RateLimit{Requests: 3, Window: time.Hour}
	e := startEmulator(t, opts)
	r := doKit(t, "POST", kitApps(e.URL, acctA), `{"name":"a"}`, bearer)
	wantQuota(t, response{status: r.status, header: r.header}, 2, 3600, 3, 3600)
	if c := do(t, "GET", kindCases[0].coll(e.URL, acctA), "", bearer); c.status != 200 {
		t.Fatalf("calls: %d", c.status)
	}
	r = doKit(t, "GET", kitApps(e.URL, acctA), "", bearer)
	wantQuota(t, response{status: r.status, header: r.header}, 0, 3600, 3, 3600)
	// The fourth, a Kit request, goes over; Calls is blocked with it.
	wantBlocked(t, do(t, "GET", kitApps(e.URL, acctA), "", bearer), 3600)
	wantBlocked(t, do(t, "GET", kindCases[0].coll(e.URL, acctA), "", bearer), 3600)
	if e.RateLimited() != 2 {
		t.Fatalf("RateLimited() = %d", e.RateLimited())
	}
}

func TestKit_countersLatencyAndFaults(t *testing.T) {
	opts := defaultOptions()
	opts.Latency = 30 * time.Millisecond
	e := startEmulator(t, opts)
	app := newKitApp(t, e, acctA, "a")
	webhooks := kitPrefix + "/{app_id}/webhooks"
	inject(t, e, Fault{Kind: FaultStatus, Method: "POST", Route: webhooks, Count: 1})
	inject(t, e, Fault{Kind: FaultSuccessFalse, Method: "GET", Route: webhooks, Count: 1, Code: 7})
	inject(t, e, Fault{Kind: FaultMalformedJSON, Method: "GET", Route: kitPrefix + "/apps", Count: 1})
	coll := kitColl(e.URL, acctA, app, "webhooks")
	start := time.Now()
	body := `{"name":"n","url":"https://x.example","events":["meeting.ended"]}`
	if r := do2(t, "POST", coll); !strings.Contains(string(r), "<h1>502 Bad Gateway</h1>") {
		t.Fatalf("status fault: %s", r)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Fatalf("no latency: %v", d)
	}
	if e.KitWebhookCount() != 0 {
		t.Fatal("a faulted create was carried out")
	}
	if r := sendRaw(t, "GET", coll, "", bearer); r.status != 200 || string(r.raw) != `{"success":false,"error":{"code":7,"message":"Internal server error"}}`+"\n" {
		t.Fatalf("success_false: %d %s", r.status, r.raw)
	}
	if r := sendRaw(t, "GET", kitApps(e.URL, acctA), "", bearer); r.status != 200 || string(r.raw) != `{"success":true,"data":{"id":"` {
		t.Fatalf("malformed_json: %s", r.raw)
	}
	if r := doKit(t, "POST", coll, body, bearer); r.status != 201 {
		t.Fatalf("after the fault: %s", r.raw)
	}
	want := map[string]int64{
		"POST " + kitPrefix + "/apps": 1,
		"GET " + kitPrefix + "/apps":  1,
		"POST " + webhooks:            2,
		"GET " + webhooks:             1,
	}
	if got := e.Counters(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Counters() = %v, want %v", got, want)
	}
}

func TestKit_persistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	opts := defaultOptions()
	opts.StatePath = path
	e := startEmulator(t, opts)
	app := newKitApp(t, e, acctA, "kept")
	newKitApp(t, e, acctB, "other")
	if _, err := e.CreateKitApp(acctA, "second"); err != nil {
		t.Fatal(err)
	}
	hook := kitObj(t, doKit(t, "POST", kitColl(e.URL, acctA, app, "webhooks"),
		`{"name":"n","url":"https://x.example","events":["meeting.ended"],"enabled":false}`, bearer).data, webhookMembers...)
	gone, _ := e.CreateKitWebhook(acctA, app, "gone", "https://x.example", []string{"meeting.started"})
	if err := e.DeleteKitWebhook(acctA, app, gone.ID); err != nil {
		t.Fatal(err)
	}
	preset, err := e.CreateKitPreset(acctA, app, testPreset(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateApp(acctA, "calls"); err != nil {
		t.Fatal(err)
	}

	e2 := startEmulator(t, opts)
	for _, acct := range []string{acctA, acctB} {
		if !reflect.DeepEqual(e2.KitApps(acct), e.KitApps(acct)) {
			t.Fatalf("apps %+v, want %+v", e2.KitApps(acct), e.KitApps(acct))
		}
	}
	if !reflect.DeepEqual(e2.KitWebhooks(acctA, app), e.KitWebhooks(acctA, app)) || len(e2.KitWebhooks(acctA, app)) != 1 {
		t.Fatalf("webhooks %+v", e2.KitWebhooks(acctA, app))
	}
	if p, ok := e2.KitPreset(acctA, app, preset.ID); !ok || !reflect.DeepEqual(p, preset) {
		t.Fatalf("preset %+v, want %+v", p, preset)
	}
	if g := doKit(t, "GET", kitColl(e2.URL, acctA, app, "webhooks")+"/"+hook["id"].(string), "", bearer); !reflect.DeepEqual(kitObj(t, g.data, webhookMembers...), hook) {
		t.Fatalf("webhook after reload %s", g.raw)
	}
	if e2.AppCount() != 1 || e2.KitAppCount() != 3 || e2.KitPresetCount() != 1 || e2.KitWebhookCount() != 1 {
		t.Fatalf("counts %d %d %d %d", e2.AppCount(), e2.KitAppCount(), e2.KitPresetCount(), e2.KitWebhookCount())
	}
	// The reloaded server keeps saving.
	if err := e2.DeleteKitPreset(acctA, app, preset.ID); err != nil {
		t.Fatal(err)
	}
	if e3, err := New(opts); err != nil || e3.KitPresetCount() != 0 || e3.KitAppCount() != 3 {
		t.Fatalf("third load: %v", err)
	}
}

// A state that cannot be saved fails the request and changes nothing.
func TestKit_failedSaveChangesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sub")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	opts := defaultOptions()
	opts.StatePath = filepath.Join(dir, "state.json")
	e := startEmulator(t, opts)
	app := newKitApp(t, e, acctA, "a")
	hook, err := e.CreateKitWebhook(acctA, app, "n", "https://x.example", []string{"meeting.ended"})
	if err != nil {
		t.Fatal(err)
	}
	preset, err := e.CreateKitPreset(acctA, app, testPreset(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	hooks, presets := kitColl(e.URL, acctA, app, "webhooks"), kitColl(e.URL, acctA, app, "presets")
	for _, tc := range []struct{ method, url, body string }{
		{"POST", kitApps(e.URL, acctA), `{"name":"b"}`},
		{"POST", kitApps(e.URL, acctB), `{"name":"b"}`},
		{"POST", hooks, `{"name":"n","url":"https://x.example","events":["meeting.ended"]}`},
		{"PATCH", hooks + "/" + hook.ID, `{"name":"m"}`},
		{"PUT", hooks + "/" + hook.ID, `{"name":"m","url":"https://x.example","events":["meeting.ended"]}`},
		{"DELETE", hooks + "/" + hook.ID, ``},
		{"POST", presets, presetJSON},
		{"PATCH", presets + "/" + preset.ID, `{"name":"m"}`},
		{"DELETE", presets + "/" + preset.ID, ``},
	} {
		wantKitError(t, doKit(t, tc.method, tc.url, tc.body, bearer), 500, "Internal server error")
	}
	if apps := e.KitApps(acctA); len(apps) != 1 || e.KitAppCount() != 1 {
		t.Fatalf("apps %+v", apps)
	}
	if h := e.KitWebhooks(acctA, app); len(h) != 1 || !reflect.DeepEqual(h[0], hook) {
		t.Fatalf("webhooks %+v", h)
	}
	if p := e.KitPresets(acctA, app); len(p) != 1 || !reflect.DeepEqual(p[0], preset) {
		t.Fatalf("presets %+v", p)
	}
}

func TestKit_methodNotAllowed(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	app := newKitApp(t, e, acctA, "a")
	for path, allow := range map[string]string{
		kitColl(e.URL, acctA, app, "presets"):                     "GET, HEAD, POST",
		kitColl(e.URL, acctA, app, "webhooks"):                    "GET, HEAD, POST",
		kitColl(e.URL, acctA, app, "presets") + "/" + missingUUID: "DELETE, GET, HEAD, PATCH",
	} {
		for _, m := range []string{"PUT", "OPTIONS"} {
			r := do(t, m, path, `{}`, bearer)
			wantError(t, r, 405, 10405, "Method not allowed")
			if a := r.header.Get("Allow"); a != allow {
				t.Fatalf("%s %s: Allow %q, want %q", m, path, a, allow)
			}
		}
	}
}

func TestKit_persistenceRefusesBadObjects(t *testing.T) {
	dir := t.TempDir()
	ts := `"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"`
	app := func(id, fields, more string) string {
		return `{"version":1,"accounts":{"` + acctA + `":{"apps":[],"turn_keys":[],"kit_apps":[{"id":"` + id + `",` + ts +
			`,"fields":` + fields + more + `}]}}}`
	}
	hook := func(id, fields string) string {
		return `,"webhooks":[{"id":"` + id + `",` + ts + `,"fields":` + fields + `}]`
	}
	const okHook = `{"name":"n","url":"https://x.example","events":["meeting.ended"],"enabled":true}`
	other := "11111111-1111-4111-8111-111111111111"
	load := func(content string) error {
		p := filepath.Join(dir, "s.json")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := New(Options{Tokens: []string{"t"}, StatePath: p})
		return err
	}
	if err := load(app(missingUUID, `{"name":"a"}`, hook(other, okHook))); err != nil {
		t.Fatalf("good file: %v", err)
	}
	for name, content := range map[string]string{
		"bad app id":        app("x", `{"name":"a"}`, ""),
		"upper-case id":     app("ABCDEF01-2345-4678-9ABC-DEF012345678", `{"name":"a"}`, ""),
		"bad app fields":    app(missingUUID, `{"name":""}`, ""),
		"no fields":         app(missingUUID, `null`, ""),
		"bad webhook":       app(missingUUID, `{"name":"a"}`, hook(other, `{"name":"n"}`)),
		"duplicate id":      app(missingUUID, `{"name":"a"}`, hook(missingUUID, okHook)),
		"bad timestamps":    strings.Replace(app(missingUUID, `{"name":"a"}`, ""), `"updated_at":"2026-01-01T00:00:00Z"`, `"updated_at":"2025-01-01T00:00:00Z"`, 1),
		"grandchildren":     app(missingUUID, `{"name":"a"}`, `,"webhooks":[{"id":"`+other+`",`+ts+`,"fields":`+okHook+hook(missingUUID[:35]+"1", okHook)+`}]`),
		"preset of nothing": app(missingUUID, `{"name":"a"}`, `,"presets":[{"id":"`+other+`",`+ts+`,"fields":{"name":"p"}}]`),
	} {
		if err := load(content); err == nil {
			t.Errorf("%s: New accepted %s", name, content)
		}
	}
}

// The Go API for tests: changes made as if from outside Terraform.
func TestKit_directMutation(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	if _, err := e.CreateKitApp("BAD", "x"); !errors.Is(err, ErrInvalidID) {
		t.Fatalf("CreateKitApp bad account: %v", err)
	}
	if _, err := e.CreateKitApp(acctA, ""); !errors.Is(err, ErrInvalidObject) || !strings.Contains(err.Error(), "name must not be empty") {
		t.Fatalf("CreateKitApp empty name: %v", err)
	}
	app, err := e.CreateKitApp(acctA, "a")
	if err != nil || !uuidV4.MatchString(app.ID) || !app.Created.Equal(app.Updated) {
		t.Fatalf("CreateKitApp: %+v %v", app, err)
	}
	w, err := e.CreateKitWebhook(acctA, app.ID, "n", "https://x.example", []string{"meeting.ended", "meeting.summary"})
	if err != nil || !w.Enabled || !slices.Equal(w.Events, []string{"meeting.ended", "meeting.summary"}) {
		t.Fatalf("CreateKitWebhook: %+v %v", w, err)
	}
	if _, err := e.CreateKitWebhook(acctA, app.ID, "n", "https://x.example", nil); !errors.Is(err, ErrInvalidObject) {
		t.Fatalf("CreateKitWebhook without events: %v", err)
	}
	u, err := e.UpdateKitWebhook(acctA, app.ID, w.ID, map[string]any{"enabled": false, "events": []string{"meeting.started"}})
	if err != nil || u.Enabled || u.Name != "n" || !slices.Equal(u.Events, []string{"meeting.started"}) || !u.Updated.After(w.Updated) {
		t.Fatalf("UpdateKitWebhook: %+v %v", u, err)
	}
	g := kitObj(t, doKit(t, "GET", kitColl(e.URL, acctA, app.ID, "webhooks")+"/"+w.ID, "", bearer).data, webhookMembers...)
	if g["enabled"] != false || g["updated_at"] != u.Updated.Format(TimeFormat) {
		t.Fatalf("GET after UpdateKitWebhook %v", g)
	}
	if _, err := e.UpdateKitWebhook(acctA, app.ID, missingUUID, map[string]any{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("UpdateKitWebhook unknown: %v", err)
	}
	if err := e.DeleteKitWebhook(acctA, app.ID, w.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.DeleteKitWebhook(acctA, app.ID, w.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second DeleteKitWebhook: %v", err)
	}
	if _, ok := e.KitWebhook(acctA, app.ID, w.ID); ok || len(e.KitWebhooks(acctA, app.ID)) != 0 || len(e.KitWebhooks(acctA, missingUUID)) != 0 {
		t.Fatal("webhook still there")
	}
}
