package emulator

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
	"sync"
	"testing"
	"time"
)

const (
	testToken = "tok-0123456789abcdefghijklmnopqrstuvwxyz"
	testEmail = "user@example.com"
	testKey   = "c2547eb745079dac9320b638f5e225cf483cc5cfdda41"
	acctA     = "0123456789abcdef0123456789abcdef"
	acctB     = "fedcba9876543210fedcba9876543210"
	missingID = "00000000000000000000000000000000"
)

var (
	hex32   = regexp.MustCompile(`^[0-9a-f]{32}$`)
	hex64   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	tsRegex = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)
)

// kindCase describes one of the two resource collections.
type kindCase struct {
	name       string // subtest name
	collection string // "apps" / "turn_keys"
	secret     string // "secret" / "key"
	notFound   string
	route      string
	itemRoute  string
}

var kindCases = []kindCase{
	{"apps", "apps", "secret", "App not found",
		"/accounts/{account_id}/calls/apps", "/accounts/{account_id}/calls/apps/{app_id}"},
	{"turn_keys", "turn_keys", "key", "TURN key not found",
		"/accounts/{account_id}/calls/turn_keys", "/accounts/{account_id}/calls/turn_keys/{key_id}"},
}

func (k kindCase) coll(base, acct string) string {
	return base + "/accounts/" + acct + "/calls/" + k.collection
}
func (k kindCase) item(base, acct, id string) string {
	return k.coll(base, acct) + "/" + id
}

func defaultOptions() Options {
	return Options{Tokens: []string{testToken}, Keys: []Credential{{Email: testEmail, Key: testKey}}}
}

func startEmulator(t *testing.T, opts Options) *Running {
	t.Helper()
	r, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(r.Close)
	return r
}

type apiMsg struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type response struct {
	status int
	header http.Header
	raw    []byte
	// top-level members as raw JSON
	top      map[string]json.RawMessage
	success  bool
	errors   []apiMsg
	messages []apiMsg
	result   json.RawMessage
}

var bearer = map[string]string{"Authorization": "Bearer " + testToken}

// do sends a request; body "" sends no body. It checks the envelope shape of
// every /client/v4 answer.
func do(t *testing.T, method, url, body string, headers map[string]string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := response{status: res.StatusCode, header: res.Header, raw: raw}
	if strings.Contains(url, AdminPrefix) {
		return out
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: Content-Type %q, want application/json", method, url, ct)
	}
	if err := json.Unmarshal(raw, &out.top); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, url, err, raw)
	}
	keys := make([]string, 0, len(out.top))
	for k := range out.top {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"errors", "messages", "result", "success"}; !slices.Equal(keys, want) {
		t.Fatalf("%s %s: envelope members %v, want %v", method, url, keys, want)
	}
	for _, m := range []string{"errors", "messages"} {
		if s := string(out.top[m]); !strings.HasPrefix(s, "[") {
			t.Fatalf("%s %s: %q is %s, want an array", method, url, m, s)
		}
	}
	if err := json.Unmarshal(out.top["success"], &out.success); err != nil {
		t.Fatalf("success: %v", err)
	}
	if err := json.Unmarshal(out.top["errors"], &out.errors); err != nil {
		t.Fatalf("errors: %v", err)
	}
	if err := json.Unmarshal(out.top["messages"], &out.messages); err != nil {
		t.Fatalf("messages: %v", err)
	}
	out.result = out.top["result"]
	if out.success != (res.StatusCode < 300) {
		t.Fatalf("%s %s: status %d with success=%v", method, url, res.StatusCode, out.success)
	}
	if out.success && len(out.errors) != 0 {
		t.Fatalf("%s %s: success with errors %v", method, url, out.errors)
	}
	return out
}

// wantError asserts a failed envelope with exactly one error.
func wantError(t *testing.T, r response, status, code int, message string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.raw)
	}
	if r.success || string(r.result) != "null" {
		t.Fatalf("want success=false and result null; body %s", r.raw)
	}
	if len(r.errors) != 1 || r.errors[0].Code != code {
		t.Fatalf("errors %v, want one with code %d", r.errors, code)
	}
	if message != "" && r.errors[0].Message != message {
		t.Fatalf("error message %q, want %q", r.errors[0].Message, message)
	}
}

// object decodes r.result as an object of strings and checks its member set.
func object(t *testing.T, raw json.RawMessage, members ...string) map[string]string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("result is not an object: %v: %s", err, raw)
	}
	got := make([]string, 0, len(m))
	out := make(map[string]string, len(m))
	for k, v := range m {
		got = append(got, k)
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			t.Fatalf("member %q is not a string: %s", k, v)
		}
		out[k] = s
	}
	slices.Sort(got)
	want := slices.Clone(members)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("result members %v, want %v (%s)", got, want, raw)
	}
	return out
}

func parseTS(t *testing.T, s string) time.Time {
	t.Helper()
	if !tsRegex.MatchString(s) {
		t.Fatalf("timestamp %q is not RFC 3339 UTC with microseconds", s)
	}
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("timestamp %q: %v", s, err)
	}
	return ts
}

// noSecretFields fails if raw JSON has a "secret" or "key" member anywhere, or
// contains the given secret value.
func noSecretFields(t *testing.T, raw []byte, secret string) {
	t.Helper()
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if k == "secret" || k == "key" {
					t.Fatalf("response has a %q member: %s", k, raw)
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	walk(v)
	if secret != "" && strings.Contains(string(raw), secret) {
		t.Fatalf("response leaks the secret: %s", raw)
	}
}

func TestLifecycle(t *testing.T) {
	for _, k := range kindCases {
		t.Run(k.name, func(t *testing.T) {
			e := startEmulator(t, defaultOptions())

			// Create.
			cr := do(t, "POST", k.coll(e.URL, acctA), `{"name":"first"}`, bearer)
			if cr.status != http.StatusCreated {
				t.Fatalf("create status %d: %s", cr.status, cr.raw)
			}
			if len(cr.messages) != 0 || len(cr.errors) != 0 {
				t.Fatalf("create: errors/messages not empty: %s", cr.raw)
			}
			c := object(t, cr.result, "created", "modified", "name", "uid", k.secret)
			if !hex32.MatchString(c["uid"]) {
				t.Fatalf("uid %q is not 32 lowercase hex", c["uid"])
			}
			secret := c[k.secret]
			if !hex64.MatchString(secret) {
				t.Fatalf("%s %q is not 64 lowercase hex", k.secret, secret)
			}
			if c["name"] != "first" {
				t.Fatalf("name %q", c["name"])
			}
			created := parseTS(t, c["created"])
			if c["created"] != c["modified"] {
				t.Fatalf("created %s != modified %s", c["created"], c["modified"])
			}
			if d := time.Since(created); d < -time.Minute || d > time.Minute {
				t.Fatalf("created %v is not now", created)
			}
			uid := c["uid"]

			// Get.
			gr := do(t, "GET", k.item(e.URL, acctA, uid), "", bearer)
			if gr.status != http.StatusOK {
				t.Fatalf("get status %d: %s", gr.status, gr.raw)
			}
			noSecretFields(t, gr.raw, secret)
			g := object(t, gr.result, "created", "modified", "name", "uid")
			if g["uid"] != uid || g["name"] != "first" || g["created"] != c["created"] || g["modified"] != c["modified"] {
				t.Fatalf("get %v does not match create %v", g, c)
			}

			// List.
			lr := do(t, "GET", k.coll(e.URL, acctA), "", bearer)
			if lr.status != http.StatusOK {
				t.Fatalf("list status %d: %s", lr.status, lr.raw)
			}
			noSecretFields(t, lr.raw, secret)
			var list []json.RawMessage
			if err := json.Unmarshal(lr.result, &list); err != nil || len(list) != 1 {
				t.Fatalf("list result %s (%v)", lr.result, err)
			}
			if l := object(t, list[0], "created", "modified", "name", "uid"); l["uid"] != uid {
				t.Fatalf("list item %v", l)
			}

			// Update.
			time.Sleep(2 * time.Millisecond)
			pr := do(t, "PUT", k.item(e.URL, acctA, uid), `{"name":"renamed"}`, bearer)
			if pr.status != http.StatusOK {
				t.Fatalf("put status %d: %s", pr.status, pr.raw)
			}
			noSecretFields(t, pr.raw, secret)
			p := object(t, pr.result, "created", "modified", "name", "uid")
			if p["name"] != "renamed" || p["uid"] != uid || p["created"] != c["created"] {
				t.Fatalf("put result %v", p)
			}
			if !parseTS(t, p["modified"]).After(parseTS(t, c["modified"])) {
				t.Fatalf("modified %s not after %s", p["modified"], c["modified"])
			}
			if g := object(t, do(t, "GET", k.item(e.URL, acctA, uid), "", bearer).result,
				"created", "modified", "name", "uid"); g["name"] != "renamed" || g["modified"] != p["modified"] {
				t.Fatalf("get after put %v", g)
			}

			// Delete.
			dr := do(t, "DELETE", k.item(e.URL, acctA, uid), "", bearer)
			if dr.status != http.StatusOK {
				t.Fatalf("delete status %d: %s", dr.status, dr.raw)
			}
			noSecretFields(t, dr.raw, secret)
			if d := object(t, dr.result, "created", "modified", "name", "uid"); d["uid"] != uid || d["name"] != "renamed" {
				t.Fatalf("delete result %v", d)
			}
			wantError(t, do(t, "GET", k.item(e.URL, acctA, uid), "", bearer), 404, 10404, k.notFound)
			wantError(t, do(t, "DELETE", k.item(e.URL, acctA, uid), "", bearer), 404, 10404, k.notFound)
			wantError(t, do(t, "PUT", k.item(e.URL, acctA, uid), `{"name":"x"}`, bearer), 404, 10404, k.notFound)
			wantError(t, do(t, "GET", k.item(e.URL, acctA, missingID), "", bearer), 404, 10404, k.notFound)
			if lr := do(t, "GET", k.coll(e.URL, acctA), "", bearer); string(lr.result) != "[]" {
				t.Fatalf("list after delete: %s", lr.result)
			}
			if e.AppCount()+e.TURNKeyCount() != 0 {
				t.Fatalf("counts %d/%d after delete", e.AppCount(), e.TURNKeyCount())
			}
		})
	}
}

func TestSecretOnlyInCreateResponse(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	app := object(t, do(t, "POST", kindCases[0].coll(e.URL, acctA), `{"name":"a"}`, bearer).result,
		"created", "modified", "name", "secret", "uid")
	key := object(t, do(t, "POST", kindCases[1].coll(e.URL, acctA), `{"name":"k"}`, bearer).result,
		"created", "key", "modified", "name", "uid")
	if got := e.Apps(acctA); len(got) != 1 || got[0].Secret != app["secret"] || got[0].UID != app["uid"] {
		t.Fatalf("Apps() = %+v", got)
	}
	if got := e.TURNKeys(acctA); len(got) != 1 || got[0].Key != key["key"] || got[0].UID != key["uid"] {
		t.Fatalf("TURNKeys() = %+v", got)
	}
	if app["secret"] == key["key"] {
		t.Fatal("app secret and TURN key are equal")
	}
}

func TestFrozenClockStillBumpsModified(t *testing.T) {
	frozen := time.Date(2026, 11, 22, 20, 20, 19, 123456789, time.FixedZone("X", 3600))
	opts := defaultOptions()
	opts.Now = func() time.Time { return frozen }
	e := startEmulator(t, opts)
	for _, k := range kindCases {
		c := object(t, do(t, "POST", k.coll(e.URL, acctA), `{"name":"a"}`, bearer).result,
			"created", "modified", "name", "uid", k.secret)
		if c["created"] != "2026-11-22T19:20:19.123456Z" {
			t.Fatalf("created %q: want UTC truncated to microseconds", c["created"])
		}
		prev := c["modified"]
		for i := 1; i <= 3; i++ {
			p := object(t, do(t, "PUT", k.item(e.URL, acctA, c["uid"]), `{"name":"a"}`, bearer).result,
				"created", "modified", "name", "uid")
			want := fmt.Sprintf("2026-11-22T19:20:19.%06dZ", 123456+i)
			if p["modified"] != want || p["created"] != c["created"] {
				t.Fatalf("put %d: modified %s created %s, want modified %s", i, p["modified"], p["created"], want)
			}
			if p["modified"] <= prev {
				t.Fatalf("modified did not increase")
			}
			prev = p["modified"]
		}
	}
}

func TestListOrderAndEmpty(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	for _, k := range kindCases {
		lr := do(t, "GET", k.coll(e.URL, acctA), "", bearer)
		if lr.status != 200 || string(lr.result) != "[]" {
			t.Fatalf("empty list: %d %s", lr.status, lr.raw)
		}
		var want []string
		for i := range 5 {
			c := object(t, do(t, "POST", k.coll(e.URL, acctA), fmt.Sprintf(`{"name":"n%d"}`, i), bearer).result,
				"created", "modified", "name", "uid", k.secret)
			want = append(want, c["uid"])
		}
		// Deleting from the middle keeps the order of the rest.
		do(t, "DELETE", k.item(e.URL, acctA, want[2]), "", bearer)
		want = slices.Delete(want, 2, 3)
		var list []map[string]string
		if err := json.Unmarshal(do(t, "GET", k.coll(e.URL, acctA), "", bearer).result, &list); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range list {
			got = append(got, it["uid"])
		}
		if !slices.Equal(got, want) {
			t.Fatalf("list order %v, want %v", got, want)
		}
	}
	apps := e.Apps(acctA)
	if len(apps) != 4 || apps[0].Name != "n0" || apps[3].Name != "n4" {
		t.Fatalf("Apps() = %+v", apps)
	}
	apps[0].Name = "mutated" // a copy
	if e.Apps(acctA)[0].Name != "n0" {
		t.Fatal("Apps() does not return copies")
	}
	if len(e.Apps(acctB)) != 0 || len(e.TURNKeys(acctB)) != 0 {
		t.Fatal("unknown account is not empty")
	}
}

func TestAccountIsolation(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	for _, k := range kindCases {
		c := object(t, do(t, "POST", k.coll(e.URL, acctA), `{"name":"a"}`, bearer).result,
			"created", "modified", "name", "uid", k.secret)
		uid := c["uid"]
		wantError(t, do(t, "GET", k.item(e.URL, acctB, uid), "", bearer), 404, 10404, k.notFound)
		wantError(t, do(t, "PUT", k.item(e.URL, acctB, uid), `{"name":"b"}`, bearer), 404, 10404, k.notFound)
		wantError(t, do(t, "DELETE", k.item(e.URL, acctB, uid), "", bearer), 404, 10404, k.notFound)
		if lr := do(t, "GET", k.coll(e.URL, acctB), "", bearer); string(lr.result) != "[]" {
			t.Fatalf("account B list %s", lr.result)
		}
		// Still intact in A.
		if g := do(t, "GET", k.item(e.URL, acctA, uid), "", bearer); g.status != 200 ||
			object(t, g.result, "created", "modified", "name", "uid")["name"] != "a" {
			t.Fatalf("account A object changed: %s", g.raw)
		}
	}
	// An app uid is not a TURN key uid.
	app := e.Apps(acctA)[0]
	wantError(t, do(t, "GET", kindCases[1].item(e.URL, acctA, app.UID), "", bearer), 404, 10404, "TURN key not found")
}

func TestAuthentication(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	for _, k := range kindCases {
		coll := k.coll(e.URL, acctA)
		// Well-formed credentials that are not accepted: 403, code 10000.
		wrong := []map[string]string{
			{"Authorization": "Bearer wrong-token"},
			{"Authorization": "Bearer " + testToken + "x"},
			{"Authorization": "Bearer " + strings.ToUpper(testToken)},
			{"Authorization": "Bearer " + testToken[:len(testToken)-1] + "="},
			{"X-Auth-Email": testEmail, "X-Auth-Key": "wrong"},
			{"X-Auth-Email": "other@example.com", "X-Auth-Key": testKey},
			{"X-Auth-Email": testToken, "X-Auth-Key": testToken},
			{"Authorization": "Basic " + testToken, "X-Auth-Email": testEmail, "X-Auth-Key": "wrong"},
		}
		// Missing or malformed: 400, code 6003 with 6111 in its error_chain.
		malformed := []map[string]string{
			nil,
			{"Authorization": "Bearer "},
			{"Authorization": "Bearer"},
			{"Authorization": testToken},
			{"Authorization": "Basic " + testToken},
			{"Authorization": "Bearer  " + testToken},
			{"Authorization": "Bearer " + testToken + " x"},
			{"Authorization": "Bearer tok\u00e9n"},
			{"Authorization": "Bearer ==="},
			{"X-Auth-Email": testEmail},
			{"X-Auth-Key": testKey},
		}
		before := e.AppCount() + e.TURNKeyCount()
		for _, h := range wrong {
			wantError(t, do(t, "GET", coll, "", h), 403, 10000, "Authentication error")
			wantError(t, do(t, "POST", coll, `{"name":"x"}`, h), 403, 10000, "Authentication error")
		}
		for _, h := range malformed {
			for _, method := range []string{"GET", "POST"} {
				r := do(t, method, coll, `{"name":"x"}`, h)
				wantError(t, r, 400, 6003, "Invalid request headers")
				if got := string(r.top["errors"]); got != `[{"code":6003,"message":"Invalid request headers","error_chain":[{"code":6111,"message":"Invalid format for Authorization header"}]}]` {
					t.Fatalf("%s with %v: errors %s", method, h, got)
				}
			}
		}
		if e.AppCount()+e.TURNKeyCount() != before {
			t.Fatal("unauthenticated create succeeded")
		}
		// Credentials come before the body, the method and the object...
		wantError(t, do(t, "POST", coll, `{bad json`, nil), 400, 6003, "")
		wantError(t, do(t, "PATCH", coll, "", nil), 400, 6003, "")
		wantError(t, do(t, "GET", k.item(e.URL, acctA, missingID), "", wrong[0]), 403, 10000, "")
		// ...but not before routing: a path the API cannot route gets its
		// routing error whatever the credentials.
		for _, h := range []map[string]string{nil, wrong[0]} {
			wantError(t, do(t, "GET", k.item(e.URL, "not-an-id", missingID), "", h), 404, 7003, "")
			wantError(t, do(t, "GET", e.URL+"/no/such/path", "", h), 400, 7000, "No route for that URI")
		}

		// Accepted credentials.
		good := []map[string]string{
			bearer,
			{"Authorization": "bearer " + testToken},
			{"X-Auth-Email": testEmail, "X-Auth-Key": testKey},
			{"X-Auth-Email": strings.ToUpper(testEmail), "X-Auth-Key": testKey},
		}
		for _, h := range good {
			r := do(t, "POST", coll, `{"name":"ok"}`, h)
			if r.status != 201 {
				t.Fatalf("create with %v: %d %s", h, r.status, r.raw)
			}
			if r := do(t, "GET", coll, "", h); r.status != 200 {
				t.Fatalf("list with %v: %d %s", h, r.status, r.raw)
			}
		}
	}
	if e.AppCount() != 4 || e.TURNKeyCount() != 4 {
		t.Fatalf("counts %d/%d", e.AppCount(), e.TURNKeyCount())
	}
}

func TestKeyOnlyAndMultipleTokens(t *testing.T) {
	e := startEmulator(t, Options{Keys: []Credential{{Email: testEmail, Key: testKey}}})
	url := kindCases[0].coll(e.URL, acctA)
	wantError(t, do(t, "GET", url, "", bearer), 403, 10000, "Authentication error")
	if r := do(t, "GET", url, "", map[string]string{"X-Auth-Email": testEmail, "X-Auth-Key": testKey}); r.status != 200 {
		t.Fatalf("email/key: %d", r.status)
	}
	e2 := startEmulator(t, Options{Tokens: []string{"one", "two"}})
	for _, tok := range []string{"one", "two"} {
		if r := do(t, "GET", kindCases[0].coll(e2.URL, acctA), "", map[string]string{"Authorization": "Bearer " + tok}); r.status != 200 {
			t.Fatalf("token %s: %d", tok, r.status)
		}
	}
}

func TestNewValidatesOptions(t *testing.T) {
	for _, o := range []Options{
		{},
		{Tokens: []string{""}},
		{Tokens: []string{"  "}},
		{Keys: []Credential{{Email: testEmail}}},
		{Keys: []Credential{{Key: testKey}}},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) succeeded", o)
		}
	}
	if _, err := New(Options{Tokens: []string{"t"}}); err != nil {
		t.Fatal(err)
	}
}

func TestInvalidIdentifiers(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	badIDs := []string{
		"0123456789ABCDEF0123456789ABCDEF",  // uppercase
		"0123456789abcdef0123456789abcde",   // 31
		"0123456789abcdef0123456789abcdef0", // 33
		"0123456789abcdef0123456789abcdeg",  // not hex
		"x",
	}
	for _, k := range kindCases {
		for _, bad := range badIDs {
			for _, tc := range []struct{ method, url, body string }{
				{"GET", k.coll(e.URL, bad), ""},
				{"POST", k.coll(e.URL, bad), `{"name":"x"}`},
				{"GET", k.item(e.URL, bad, missingID), ""},
				{"PUT", k.item(e.URL, bad, missingID), `{"name":"x"}`},
				{"DELETE", k.item(e.URL, bad, missingID), ""},
				{"GET", k.item(e.URL, acctA, bad), ""},
				{"PUT", k.item(e.URL, acctA, bad), `{"name":"x"}`},
				{"DELETE", k.item(e.URL, acctA, bad), ""},
			} {
				r := do(t, tc.method, tc.url, tc.body, bearer)
				path := APIPrefix + strings.TrimPrefix(tc.url, e.URL)
				wantError(t, r, 404, 7003, "Could not route to "+path+", perhaps your object identifier is invalid?")
			}
		}
	}
	if e.AppCount()+e.TURNKeyCount() != 0 {
		t.Fatal("created with an invalid account id")
	}
}

func TestRequestBodies(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	for _, k := range kindCases {
		coll := k.coll(e.URL, acctA)
		bad := []string{
			`{"name":`,
			`{name: "x"}`,
			`not json`,
			`[]`,
			`["name"]`,
			`"name"`,
			`42`,
			`null`,
			`{"name": 42}`,
			`{"name": null}`,
			`{"name": true}`,
			`{"name": {"x":1}}`,
			`{"name": ["x"]}`,
			`{"name":"a"} {"name":"b"}`,
		}
		for _, body := range bad {
			r := do(t, "POST", coll, body, bearer)
			wantError(t, r, 400, 10400, "")
			if !strings.HasPrefix(r.errors[0].Message, "Invalid request body: ") {
				t.Fatalf("body %s: message %q", body, r.errors[0].Message)
			}
			// A link to the method's reference; a pointer to the name
			// when it is the name that is wrong.
			var detail []struct {
				DocumentationURL string `json:"documentation_url"`
				Source           *struct {
					Pointer string `json:"pointer"`
				} `json:"source"`
			}
			if err := json.Unmarshal(r.top["errors"], &detail); err != nil {
				t.Fatal(err)
			}
			if d := detail[0].DocumentationURL; !strings.HasPrefix(d, "https://developers.cloudflare.com/api/resources/calls/") || !strings.HasSuffix(d, "/methods/create/") {
				t.Fatalf("body %s: documentation_url %q", body, d)
			}
			nameIsWrong := strings.HasPrefix(body, `{"name": `)
			if src := detail[0].Source; nameIsWrong != (src != nil) || src != nil && src.Pointer != "/name" {
				t.Fatalf("body %s: errors %s, want source.pointer /name only when the name is wrong", body, r.top["errors"])
			}
		}
		if n := len(do(t, "GET", coll, "", bearer).result); n != 2 {
			t.Fatal("a bad create stored something")
		}

		// Empty body, {} and whitespace mean name "".
		for _, body := range []string{"", "{}", "  \n ", `{"other": 1}`} {
			r := do(t, "POST", coll, body, bearer)
			if r.status != 201 {
				t.Fatalf("body %q: %d %s", body, r.status, r.raw)
			}
			if c := object(t, r.result, "created", "modified", "name", "uid", k.secret); c["name"] != "" {
				t.Fatalf("body %q: name %q", body, c["name"])
			}
		}
		// Unicode and escapes survive.
		c := object(t, do(t, "POST", coll, `{"name":"caf\u00e9 \"q\" 🚀"}`, bearer).result,
			"created", "modified", "name", "uid", k.secret)
		if c["name"] != `café "q" 🚀` {
			t.Fatalf("name %q", c["name"])
		}
		if r := do(t, "POST", coll, `{"name":"a<b>&c"}`, bearer); !strings.Contains(string(r.raw), `"name":"a<b>&c"`) {
			t.Fatalf("HTML characters escaped: %s", r.raw)
		}

		// PUT validates the same way and leaves the object alone on error.
		for _, body := range bad {
			r := do(t, "PUT", k.item(e.URL, acctA, c["uid"]), body, bearer)
			wantError(t, r, 400, 10400, "")
		}
		g := object(t, do(t, "GET", k.item(e.URL, acctA, c["uid"]), "", bearer).result, "created", "modified", "name", "uid")
		if g["name"] != c["name"] || g["modified"] != c["modified"] {
			t.Fatalf("failed PUT changed the object: %v", g)
		}
		// PUT with an empty body sets name "".
		p := do(t, "PUT", k.item(e.URL, acctA, c["uid"]), "", bearer)
		if p.status != 200 || object(t, p.result, "created", "modified", "name", "uid")["name"] != "" {
			t.Fatalf("empty PUT: %d %s", p.status, p.raw)
		}

		// Oversized body.
		big := `{"name":"` + strings.Repeat("a", 2<<20) + `"}`
		wantError(t, do(t, "POST", coll, big, bearer), 400, 10400, "")
	}
}

func TestRoutingErrors(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	for _, p := range []string{
		"", "/", "/accounts", "/accounts/" + acctA, "/accounts/" + acctA + "/calls",
		"/accounts/" + acctA + "/calls/sessions", "/accounts/" + acctA + "/calls/apps/" + missingID + "/extra",
		"/accounts/" + acctA + "/calls/apps/", "/user/tokens/verify", "/accounts//calls/apps",
		"/accounts/" + acctA + "/calls/../calls/apps", "/accounts/" + acctA + "/calls/apps/.",
	} {
		wantError(t, do(t, "GET", e.URL+p, "", bearer), 400, 7000, "No route for that URI")
	}
	for _, k := range kindCases {
		for _, m := range []string{"PUT", "DELETE", "PATCH"} {
			r := do(t, m, k.coll(e.URL, acctA), "", bearer)
			wantError(t, r, 405, 10405, "Method not allowed")
			if a := r.header.Get("Allow"); !strings.Contains(a, "GET") || !strings.Contains(a, "POST") {
				t.Fatalf("Allow %q", a)
			}
		}
		for _, m := range []string{"POST", "PATCH"} {
			r := do(t, m, k.item(e.URL, acctA, missingID), "", bearer)
			wantError(t, r, 405, 10405, "Method not allowed")
			if a := r.header.Get("Allow"); !strings.Contains(a, "PUT") || !strings.Contains(a, "DELETE") {
				t.Fatalf("Allow %q", a)
			}
		}
	}
	// Outside /client/v4 (a base URL without it): no route, in the envelope,
	// counted as unmatched.
	e.ResetCounters()
	base := strings.TrimSuffix(e.URL, APIPrefix)
	for _, p := range []string{"/accounts/" + acctA + "/calls/apps", "/client/v4x/accounts", "/", "/client"} {
		wantError(t, do(t, "GET", base+p, "", bearer), 400, 7000, "No route for that URI")
		wantError(t, do(t, "GET", base+p, "", nil), 400, 7000, "No route for that URI")
	}
	if got := e.Counters()["GET unmatched"]; got != 8 {
		t.Fatalf("counted %d unmatched requests outside /client/v4, want 8", got)
	}
}

func TestCounters(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	for _, k := range kindCases {
		coll := k.coll(e.URL, acctA)
		c := object(t, do(t, "POST", coll, `{"name":"a"}`, bearer).result, "created", "modified", "name", "uid", k.secret)
		do(t, "POST", coll, `{"name":"b"}`, nil) // 400, no credential
		do(t, "POST", coll, `{bad`, bearer)      // 400
		do(t, "GET", coll, "", bearer)           // 200
		do(t, "GET", coll, "", bearer)           // 200
		do(t, "GET", k.item(e.URL, acctA, c["uid"]), "", bearer)
		do(t, "GET", k.item(e.URL, acctA, missingID), "", bearer) // 404
		do(t, "PUT", k.item(e.URL, acctA, c["uid"]), `{"name":"c"}`, bearer)
		do(t, "DELETE", k.item(e.URL, acctA, c["uid"]), "", nil) // 400, no credential
		do(t, "DELETE", k.item(e.URL, acctA, c["uid"]), "", bearer)
		do(t, "PATCH", k.item(e.URL, acctA, c["uid"]), "", bearer) // 405
		do(t, "GET", k.item(e.URL, "bad", c["uid"]), "", bearer)   // 404, 7003
	}
	do(t, "GET", e.URL+"/nowhere", "", bearer)
	do(t, "DELETE", e.URL+"/nowhere", "", nil)

	want := map[string]int64{"GET unmatched": 1, "DELETE unmatched": 1}
	for _, k := range kindCases {
		want["POST "+k.route] = 3
		want["GET "+k.route] = 2
		want["GET "+k.itemRoute] = 3
		want["PUT "+k.itemRoute] = 1
		want["DELETE "+k.itemRoute] = 2
		want["PATCH "+k.itemRoute] = 1
	}
	var total int64
	for _, v := range want {
		total += v
	}
	got := e.Counters()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Counters() =\n%v\nwant\n%v", got, want)
	}
	if e.TotalRequests() != total {
		t.Fatalf("TotalRequests() = %d, want %d", e.TotalRequests(), total)
	}
	got["GET unmatched"] = 99 // a copy
	if e.Counters()["GET unmatched"] != 1 {
		t.Fatal("Counters() does not return a copy")
	}

	// Admin endpoints: no auth, not counted.
	base := strings.TrimSuffix(e.URL, APIPrefix)
	r := do(t, "GET", base+"/__emulator/counters", "", nil)
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("admin counters: %d %s", r.status, r.raw)
	}
	var doc struct {
		Total  int64            `json:"total"`
		Routes map[string]int64 `json:"routes"`
	}
	if err := json.Unmarshal(r.raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Total != total || fmt.Sprint(doc.Routes) != fmt.Sprint(want) {
		t.Fatalf("admin counters %+v", doc)
	}
	if h := do(t, "GET", base+"/__emulator/health", "", nil); h.status != 200 || string(h.raw) != "ok" {
		t.Fatalf("health: %d %q", h.status, h.raw)
	}
	if e.TotalRequests() != total {
		t.Fatal("admin requests were counted")
	}

	e.ResetCounters()
	if e.TotalRequests() != 0 || len(e.Counters()) != 0 {
		t.Fatalf("after ResetCounters: %d %v", e.TotalRequests(), e.Counters())
	}
	do(t, "GET", kindCases[0].coll(e.URL, acctA), "", bearer)
	if got := e.Counters(); len(got) != 1 || got["GET /accounts/{account_id}/calls/apps"] != 1 || e.TotalRequests() != 1 {
		t.Fatalf("after one request: %v", got)
	}
	if r := do(t, "GET", base+"/__emulator/reset-counters", "", nil); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("GET reset-counters: %d", r.status)
	}
	if r := do(t, "POST", base+"/__emulator/reset-counters", "", nil); r.status != http.StatusNoContent || len(r.raw) != 0 {
		t.Fatalf("reset-counters: %d %q", r.status, r.raw)
	}
	r = do(t, "GET", base+"/__emulator/counters", "", nil)
	if string(r.raw) != "{\"total\":0,\"routes\":{},\"statuses\":{},\"rate_limited\":0}\n" {
		t.Fatalf("counters after reset: %s", r.raw)
	}
}

func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	opts := defaultOptions()
	opts.StatePath = path
	e := startEmulator(t, opts)

	app := object(t, do(t, "POST", kindCases[0].coll(e.URL, acctA), `{"name":"kept"}`, bearer).result,
		"created", "modified", "name", "secret", "uid")
	gone := object(t, do(t, "POST", kindCases[0].coll(e.URL, acctA), `{"name":"gone"}`, bearer).result,
		"created", "modified", "name", "secret", "uid")
	other := object(t, do(t, "POST", kindCases[0].coll(e.URL, acctB), `{"name":"other"}`, bearer).result,
		"created", "modified", "name", "secret", "uid")
	key := object(t, do(t, "POST", kindCases[1].coll(e.URL, acctA), `{"name":"turn"}`, bearer).result,
		"created", "key", "modified", "name", "uid")
	do(t, "PUT", kindCases[1].item(e.URL, acctA, key["uid"]), `{"name":"turn2"}`, bearer)
	do(t, "DELETE", kindCases[0].item(e.URL, acctA, gone["uid"]), "", bearer)

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode %v, want 0600", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("leftover files in state dir: %v", entries)
	}

	// A second server from the same file.
	e2 := startEmulator(t, opts)
	if !slices.Equal(e2.Apps(acctA), e.Apps(acctA)) || !slices.Equal(e2.Apps(acctB), e.Apps(acctB)) ||
		!slices.Equal(e2.TURNKeys(acctA), e.TURNKeys(acctA)) {
		t.Fatalf("reloaded state differs:\n%+v\n%+v", e2.Apps(acctA), e.Apps(acctA))
	}
	apps := e2.Apps(acctA)
	if len(apps) != 1 || apps[0].UID != app["uid"] || apps[0].Secret != app["secret"] || apps[0].Name != "kept" {
		t.Fatalf("reloaded apps %+v", apps)
	}
	if keys := e2.TURNKeys(acctA); len(keys) != 1 || keys[0].Key != key["key"] || keys[0].Name != "turn2" {
		t.Fatalf("reloaded TURN keys %+v", keys)
	}
	if e2.AppCount() != 2 || e2.TURNKeyCount() != 1 {
		t.Fatalf("counts %d %d", e2.AppCount(), e2.TURNKeyCount())
	}
	g := do(t, "GET", kindCases[0].item(e2.URL, acctA, app["uid"]), "", bearer)
	if gg := object(t, g.result, "created", "modified", "name", "uid"); g.status != 200 ||
		gg["created"] != app["created"] || gg["modified"] != app["modified"] {
		t.Fatalf("GET after reload: %s", g.raw)
	}
	wantError(t, do(t, "GET", kindCases[0].item(e2.URL, acctA, gone["uid"]), "", bearer), 404, 10404, "App not found")
	if g := do(t, "GET", kindCases[0].item(e2.URL, acctB, other["uid"]), "", bearer); g.status != 200 {
		t.Fatalf("account B after reload: %d", g.status)
	}
	// The reloaded server keeps saving.
	do(t, "DELETE", kindCases[0].item(e2.URL, acctA, app["uid"]), "", bearer)
	e3, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if e3.AppCount() != 1 || e3.TURNKeyCount() != 1 {
		t.Fatalf("third load counts %d %d", e3.AppCount(), e3.TURNKeyCount())
	}
}

func TestPersistenceFiles(t *testing.T) {
	dir := t.TempDir()
	load := func(content string) error {
		p := filepath.Join(dir, "s.json")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := New(Options{Tokens: []string{"t"}, StatePath: p})
		return err
	}
	if _, err := New(Options{Tokens: []string{"t"}, StatePath: filepath.Join(dir, "missing.json")}); err != nil {
		t.Fatalf("missing file: %v", err)
	}
	if err := load(""); err != nil {
		t.Fatalf("empty file: %v", err)
	}
	ts := `"2026-01-01T00:00:00Z"`
	for name, content := range map[string]string{
		"corrupt":        `{"version":1,`,
		"version":        `{"version":2,"accounts":{}}`,
		"bad account":    `{"version":1,"accounts":{"BAD":{"apps":[],"turn_keys":[]}}}`,
		"bad uid":        `{"version":1,"accounts":{"` + acctA + `":{"apps":[{"uid":"x","name":"","secret":"` + strings.Repeat("a", 64) + `","created":` + ts + `,"modified":` + ts + `}]}}}`,
		"bad secret":     `{"version":1,"accounts":{"` + acctA + `":{"apps":[{"uid":"` + missingID + `","name":"","secret":"short","created":` + ts + `,"modified":` + ts + `}]}}}`,
		"zero timestamp": `{"version":1,"accounts":{"` + acctA + `":{"turn_keys":[{"uid":"` + missingID + `","name":"","key":"` + strings.Repeat("a", 64) + `"}]}}}`,
	} {
		if err := load(content); err == nil {
			t.Errorf("%s: New accepted %s", name, content)
		}
	}
	good := `{"version":1,"accounts":{"` + acctA + `":{"apps":[{"uid":"` + missingID + `","name":"n","secret":"` +
		strings.Repeat("b", 64) + `","created":` + ts + `,"modified":` + ts + `}]}}}`
	if err := load(good); err != nil {
		t.Fatalf("good file: %v", err)
	}

	// A state that cannot be saved fails the request and changes nothing.
	p := filepath.Join(dir, "sub", "state.json")
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	e := startEmulator(t, Options{Tokens: []string{testToken}, StatePath: p})
	c := object(t, do(t, "POST", kindCases[0].coll(e.URL, acctA), `{"name":"a"}`, bearer).result,
		"created", "modified", "name", "secret", "uid")
	os.RemoveAll(filepath.Join(dir, "sub"))
	wantError(t, do(t, "POST", kindCases[0].coll(e.URL, acctA), `{"name":"b"}`, bearer), 500, 10001, "")
	wantError(t, do(t, "PUT", kindCases[0].item(e.URL, acctA, c["uid"]), `{"name":"b"}`, bearer), 500, 10001, "")
	wantError(t, do(t, "DELETE", kindCases[0].item(e.URL, acctA, c["uid"]), "", bearer), 500, 10001, "")
	if apps := e.Apps(acctA); len(apps) != 1 || apps[0].Name != "a" || e.AppCount() != 1 {
		t.Fatalf("failed saves changed the state: %+v", apps)
	}
	if _, err := e.CreateApp(acctB, "x"); err == nil || e.AppCount() != 1 || len(e.Apps(acctB)) != 0 {
		t.Fatalf("CreateApp without a writable state: %v", err)
	}
}

func TestConcurrentCreates(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	const n = 50
	var wg sync.WaitGroup
	uids := make([][2]string, n)
	errs := make(chan error, 4*n)
	for i := range n {
		for j, k := range kindCases {
			wg.Add(1)
			go func() {
				defer wg.Done()
				acct := acctA
				if i%2 == 1 {
					acct = acctB
				}
				req, _ := http.NewRequest("POST", k.coll(e.URL, acct), strings.NewReader(fmt.Sprintf(`{"name":"c%d"}`, i)))
				req.Header.Set("Authorization", "Bearer "+testToken)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				defer res.Body.Close()
				var env struct {
					Result map[string]string `json:"result"`
				}
				if err := json.NewDecoder(res.Body).Decode(&env); err != nil || res.StatusCode != 201 {
					errs <- fmt.Errorf("status %d: %w", res.StatusCode, err)
					return
				}
				uids[i][j] = env.Result["uid"]
			}()
			// Concurrent readers.
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("GET", k.coll(e.URL, acctA), nil)
				req.Header.Set("Authorization", "Bearer "+testToken)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				_ = e.AppCount() + len(e.TURNKeys(acctB)) + len(e.Counters())
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for j, k := range kindCases {
		seen := map[string]bool{}
		for i := range n {
			u := uids[i][j]
			if !hex32.MatchString(u) || seen[u] {
				t.Fatalf("%s: uid %q invalid or duplicate", k.name, u)
			}
			seen[u] = true
		}
	}
	if e.AppCount() != n || e.TURNKeyCount() != n {
		t.Fatalf("AppCount %d TURNKeyCount %d, want %d", e.AppCount(), e.TURNKeyCount(), n)
	}
	if len(e.Apps(acctA)) != n/2 || len(e.Apps(acctB)) != n/2 {
		t.Fatalf("per account %d %d", len(e.Apps(acctA)), len(e.Apps(acctB)))
	}
	if got := e.Counters()["POST /accounts/{account_id}/calls/apps"]; got != n {
		t.Fatalf("POST counter %d", got)
	}
	if e.TotalRequests() != 4*n {
		t.Fatalf("TotalRequests %d", e.TotalRequests())
	}
}

func TestConcurrentPersistedMutations(t *testing.T) {
	opts := defaultOptions()
	opts.StatePath = filepath.Join(t.TempDir(), "state.json")
	e := startEmulator(t, opts)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			a, err := e.CreateApp(acctA, fmt.Sprint(i))
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := e.RenameApp(acctA, a.UID, "r"); err != nil {
				t.Error(err)
			}
			if i%2 == 0 {
				if err := e.DeleteApp(acctA, a.UID); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	e2, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(e2.Apps(acctA), e.Apps(acctA)) || e2.AppCount() != 10 {
		t.Fatalf("persisted %d apps, in memory %d", e2.AppCount(), e.AppCount())
	}
}

func TestDirectMutation(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	a, err := e.CreateApp(acctA, "direct")
	if err != nil || !hex32.MatchString(a.UID) || !hex64.MatchString(a.Secret) || !a.Created.Equal(a.Modified) {
		t.Fatalf("CreateApp: %+v %v", a, err)
	}
	k, err := e.CreateTURNKey(acctA, "direct")
	if err != nil || !hex64.MatchString(k.Key) {
		t.Fatalf("CreateTURNKey: %+v %v", k, err)
	}
	g := object(t, do(t, "GET", kindCases[0].item(e.URL, acctA, a.UID), "", bearer).result, "created", "modified", "name", "uid")
	if g["name"] != "direct" || g["created"] != a.Created.Format(TimeFormat) {
		t.Fatalf("GET %v vs %+v", g, a)
	}
	r, err := e.RenameApp(acctA, a.UID, "changed")
	if err != nil || r.Name != "changed" || !r.Modified.After(a.Modified) || !r.Created.Equal(a.Created) {
		t.Fatalf("RenameApp: %+v %v", r, err)
	}
	if rk, err := e.RenameTURNKey(acctA, k.UID, "changed"); err != nil || rk.Name != "changed" {
		t.Fatalf("RenameTURNKey: %+v %v", rk, err)
	}
	if _, err := e.RenameApp(acctB, a.UID, "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("RenameApp other account: %v", err)
	}
	if _, err := e.CreateApp("BAD", "x"); !errors.Is(err, ErrInvalidID) {
		t.Fatalf("CreateApp bad account: %v", err)
	}
	if err := e.DeleteTURNKey(acctA, "bad"); !errors.Is(err, ErrInvalidID) {
		t.Fatalf("DeleteTURNKey bad id: %v", err)
	}
	if err := e.DeleteApp(acctA, a.UID); err != nil {
		t.Fatal(err)
	}
	if err := e.DeleteApp(acctA, a.UID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second DeleteApp: %v", err)
	}
	if err := e.DeleteTURNKey(acctA, k.UID); err != nil {
		t.Fatal(err)
	}
	wantError(t, do(t, "GET", kindCases[0].item(e.URL, acctA, a.UID), "", bearer), 404, 10404, "App not found")
	wantError(t, do(t, "GET", kindCases[1].item(e.URL, acctA, k.UID), "", bearer), 404, 10404, "TURN key not found")
}

func TestStatusesInAdminCounters(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	coll := kindCases[0].coll(e.URL, acctA)
	do(t, "GET", coll, "", bearer)
	do(t, "GET", coll, "", nil)
	do(t, "GET", coll, "", nil)
	inject(t, e, Fault{Kind: FaultRateLimit, Count: 1})
	do(t, "GET", coll, "", bearer)
	want := map[int]int64{200: 1, 400: 2, 429: 1}
	if got := e.Statuses(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Statuses() = %v", got)
	}
	got := e.Statuses()
	got[200] = 99
	if e.Statuses()[200] != 1 {
		t.Fatal("Statuses() does not return a copy")
	}
	var doc struct {
		Statuses map[int]int64 `json:"statuses"`
	}
	raw := do(t, "GET", strings.TrimSuffix(e.URL, APIPrefix)+AdminPrefix+"counters", "", nil).raw
	if err := json.Unmarshal(raw, &doc); err != nil || !reflect.DeepEqual(doc.Statuses, want) {
		t.Fatalf("admin counters %s: %v", raw, err)
	}
	e.ResetCounters()
	if len(e.Statuses()) != 0 {
		t.Fatal("ResetCounters kept statuses")
	}
}
