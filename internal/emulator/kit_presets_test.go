package emulator

// RealtimeKit presets (kit_schema.go, kit_handlers.go).

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// presetJSON is a preset with every required field and none of the
// optional ones.
const presetJSON = `{
  "name": "host",
  "config": {
    "max_screenshare_count": 1,
    "max_video_streams": {"desktop": 6, "mobile": 2},
    "media": {
      "screenshare": {"frame_rate": 5, "quality": "hd"},
      "video": {"frame_rate": 30, "quality": "vga"}
    },
    "view_type": "GROUP_CALL"
  },
  "permissions": {
    "accept_waiting_requests": true,
    "can_accept_production_requests": false,
    "can_change_participant_permissions": true,
    "can_edit_display_name": true,
    "can_livestream": false,
    "can_record": false,
    "can_spotlight": true,
    "disable_participant_audio": false,
    "disable_participant_screensharing": false,
    "disable_participant_video": false,
    "hidden_participant": false,
    "kick_participant": true,
    "pin_participant": true,
    "show_participant_list": true,
    "chat": {
      "private": {"can_receive": true, "can_send": true, "files": false, "text": true},
      "public": {"can_send": true, "files": true, "text": true}
    },
    "connected_meetings": {"can_alter_connected_meetings": false, "can_switch_connected_meetings": false, "can_switch_to_parent_meeting": false},
    "media": {"audio": {"can_produce": "ALLOWED"}, "screenshare": {"can_produce": "CAN_REQUEST"}, "video": {"can_produce": "NOT_ALLOWED"}},
    "plugins": {"can_close": true, "can_edit_config": false, "can_start": true, "config": {}},
    "polls": {"can_create": true, "can_view": true, "can_vote": true},
    "recorder_type": "NONE",
    "waiting_room_type": "SKIP"
  },
  "ui": {
    "design_tokens": {
      "border_radius": "rounded",
      "border_width": "thin",
      "colors": {
        "background": {"600": "#222222", "700": "#1f1f1f", "800": "#1b1b1b", "900": "#181818", "1000": "#141414"},
        "brand": {"300": "#844d1c", "400": "#9d5b22", "500": "#b56927", "600": "#d37c30", "700": "#d9904f"},
        "danger": "#FF2D2D", "success": "#62A504", "text": "#EEEEEE", "text_on_brand": "#EEEEEE",
        "video_bg": "#191919", "warning": "#FFCD07"
      },
      "spacing_base": 4,
      "theme": "dark"
    }
  }
}`

// testPreset is presetJSON decoded: a fresh copy each call.
func testPreset(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(presetJSON), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

var presetMembers = []string{"id", "name", "config", "permissions", "ui", "created_at", "updated_at"}

// lookup is the member of a JSON tree at a dotted path, and whether it is
// there.
func lookup(tree any, path string) (any, bool) {
	for _, k := range strings.Split(path, ".") {
		m, ok := tree.(map[string]any)
		if !ok {
			return nil, false
		}
		if tree, ok = m[k]; !ok {
			return nil, false
		}
	}
	return tree, true
}

// at is the member of a JSON tree at a dotted path, which must be there.
func at(t *testing.T, tree any, path string) any {
	t.Helper()
	v, ok := lookup(tree, path)
	if !ok {
		t.Fatalf("no member %s in %v", path, tree)
	}
	return v
}

func has(tree any, path string) bool {
	_, ok := lookup(tree, path)
	return ok
}

func TestKitPresets_lifecycle(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	app := newKitApp(t, e, acctA, "a")
	coll := kitColl(e.URL, acctA, app, "presets")

	c := doKit(t, "POST", coll, presetJSON, bearer)
	if c.status != 201 {
		t.Fatalf("create: %d %s", c.status, c.raw)
	}
	p := kitObj(t, c.data, presetMembers...)
	id := p["id"].(string)
	// Exactly what was sent, plus the id and times.
	want := testPreset(t)
	for _, k := range []string{"id", "created_at", "updated_at"} {
		want[k] = p[k]
	}
	if !uuidV4.MatchString(id) || !reflect.DeepEqual(p, want) || p["created_at"] != p["updated_at"] {
		t.Fatalf("created %v", p)
	}
	if has(p, "config.media.video.simulcast") || has(p, "config.media.audio") {
		t.Fatal("unsent fields echoed without the quirk")
	}
	item := coll + "/" + id
	if g := doKit(t, "GET", item, "", bearer); !reflect.DeepEqual(kitObj(t, g.data, presetMembers...), p) {
		t.Fatalf("get %s", g.raw)
	}

	// The list is slim and paged.
	for i := range 4 {
		body := strings.Replace(presetJSON, `"name": "host"`, fmt.Sprintf(`"name": "Guest %d"`, i), 1)
		if r := doKit(t, "POST", coll, body, bearer); r.status != 201 {
			t.Fatalf("create %d: %s", i, r.raw)
		}
	}
	l := doKit(t, "GET", coll+"?per_page=2&page_no=2", "", bearer)
	items := kitList(t, l.data)
	for _, it := range items {
		kitObj(t, mustJSON(t, it), appMembers...)
	}
	if !slices.Equal(names(items), []string{"Guest 1", "Guest 2"}) || *l.paging != (kitPaging{3, 4, 5}) {
		t.Fatalf("page 2: %s", l.raw)
	}
	l = doKit(t, "GET", coll+"?search=guest&page_no=1&per_page=3", "", bearer)
	if items := kitList(t, l.data); !slices.Equal(names(items), []string{"Guest 0", "Guest 1", "Guest 2"}) || *l.paging != (kitPaging{1, 3, 4}) {
		t.Fatalf("search: %s", l.raw)
	}
	if l := doKit(t, "GET", coll+"?page_no=4&per_page=2", "", bearer); string(l.data) != "[]" || *l.paging != (kitPaging{0, 0, 5}) {
		t.Fatalf("past the end: %s", l.raw)
	}
	wantKitError(t, doKit(t, "GET", coll+"?per_page=0", "", bearer), 400, "per_page must be a positive integer")

	d := doKit(t, "DELETE", item, "", bearer)
	if d.status != 200 || !reflect.DeepEqual(kitObj(t, d.data, presetMembers...), p) {
		t.Fatalf("delete: %s", d.raw)
	}
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		wantKitError(t, doKit(t, m, item, `{"name":"x"}`, bearer), 404, "Preset not found")
	}
	if e.KitPresetCount() != 4 || len(e.KitPresets(acctA, app)) != 4 {
		t.Fatalf("count %d", e.KitPresetCount())
	}
}

// set returns presetJSON with the member at the dotted path set to v, or
// removed when v is remove.
func set(t *testing.T, path string, v any) string {
	t.Helper()
	m := testPreset(t)
	keys := strings.Split(path, ".")
	parent := m
	for _, k := range keys[:len(keys)-1] {
		next, ok := parent[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			parent[k] = next
		}
		parent = next
	}
	if v == remove {
		delete(parent, keys[len(keys)-1])
	} else {
		parent[keys[len(keys)-1]] = v
	}
	return string(mustJSON(t, m))
}

var remove = &struct{}{}

func TestKitPresets_validation(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	app := newKitApp(t, e, acctA, "a")
	coll := kitColl(e.URL, acctA, app, "presets")
	for _, tc := range []struct {
		path    string
		value   any
		message string
	}{
		{"name", remove, "name is required"},
		{"name", "", "name must not be empty"},
		{"config", remove, "config is required"},
		{"permissions", remove, "permissions is required"},
		{"ui", remove, "ui is required"},
		{"ui", "dark", "ui must be an object"},
		{"config.max_screenshare_count", 1.5, "config.max_screenshare_count must be an integer"},
		{"config.max_screenshare_count", -1, "config.max_screenshare_count must be at least 0"},
		{"config.max_screenshare_count", "1", "config.max_screenshare_count must be an integer"},
		{"config.max_video_streams.mobile", remove, "config.max_video_streams.mobile is required"},
		{"config.media.video.frame_rate", 31, "config.media.video.frame_rate must be at most 30"},
		{"config.media.video.frame_rate", 0, "config.media.video.frame_rate must be at least 1"},
		{"config.media.screenshare.frame_rate", remove, "config.media.screenshare.frame_rate is required"},
		{"config.media.video.quality", "4k", "config.media.video.quality must be one of hd, vga, qvga, fhd, uhd"},
		{"config.media.video.simulcast", "yes", "config.media.video.simulcast must be a boolean"},
		{"config.media.audio.enable_stereo", 1, "config.media.audio.enable_stereo must be a boolean"},
		{"config.media.audio.mono", true, "config.media.audio.mono is not a known field"},
		{"config.view_type", "MEETING", "config.view_type must be one of GROUP_CALL, WEBINAR, AUDIO_ROOM, LIVESTREAM"},
		{"config.view_type", remove, "config.view_type is required"},
		{"config.livestream_viewer_qualities", []any{720, 1.5}, "config.livestream_viewer_qualities[1] must be an integer"},
		{"config.livestream_viewer_qualities", 720, "config.livestream_viewer_qualities must be an array"},
		{"permissions.can_record", remove, "permissions.can_record is required"},
		{"permissions.show_participant_list", "true", "permissions.show_participant_list must be a boolean"},
		{"permissions.chat.private.files", remove, "permissions.chat.private.files is required"},
		{"permissions.chat.public.can_receive", true, "permissions.chat.public.can_receive is not a known field"},
		{"permissions.connected_meetings.can_switch_to_parent_meeting", nil, "permissions.connected_meetings.can_switch_to_parent_meeting must not be null"},
		{"permissions.media.video.can_produce", "MAYBE", "permissions.media.video.can_produce must be one of ALLOWED, NOT_ALLOWED, CAN_REQUEST"},
		{"permissions.plugins.config", []any{}, "permissions.plugins.config must be an object"},
		{"permissions.plugins.config.whiteboard", map[string]any{"access_control": "ALL"}, "permissions.plugins.config.whiteboard.access_control must be one of FULL_ACCESS, VIEW_ONLY"},
		{"permissions.plugins.config.whiteboard", map[string]any{"handles_view_only": "yes"}, "permissions.plugins.config.whiteboard.handles_view_only must be a boolean"},
		{"permissions.polls.can_vote", remove, "permissions.polls.can_vote is required"},
		{"permissions.recorder_type", "ALWAYS", "permissions.recorder_type must be one of RECORDER, LIVESTREAMER, NONE"},
		{"permissions.waiting_room_type", remove, "permissions.waiting_room_type is required"},
		{"permissions.stage_access", "YES", "permissions.stage_access must be one of ALLOWED, NOT_ALLOWED, CAN_REQUEST"},
		{"permissions.is_recorder", "no", "permissions.is_recorder must be a boolean"},
		{"ui.design_tokens.border_radius", "round", "ui.design_tokens.border_radius must be one of sharp, rounded, extra-rounded, circular"},
		{"ui.design_tokens.border_width", "thick", "ui.design_tokens.border_width must be one of none, thin, fat"},
		{"ui.design_tokens.colors.background.1000", remove, "ui.design_tokens.colors.background.1000 is required"},
		{"ui.design_tokens.colors.brand.300", 300, "ui.design_tokens.colors.brand.300 must be a string"},
		{"ui.design_tokens.colors.video_bg", remove, "ui.design_tokens.colors.video_bg is required"},
		{"ui.design_tokens.spacing_base", 0.5, "ui.design_tokens.spacing_base must be at least 1"},
		{"ui.design_tokens.spacing_base", "4", "ui.design_tokens.spacing_base must be a number"},
		{"ui.design_tokens.theme", "dim", "ui.design_tokens.theme must be one of darkest, dark, light"},
		{"ui.design_tokens.logo", false, "ui.design_tokens.logo must be a string"},
	} {
		r := doKit(t, "POST", coll, set(t, tc.path, tc.value), bearer)
		if r.status != 400 || r.err.Message != tc.message {
			t.Errorf("%s = %v: %d %q, want 400 %q", tc.path, tc.value, r.status, r.err.Message, tc.message)
		}
	}
	if e.KitPresetCount() != 0 {
		t.Fatal("a refused preset was stored")
	}
	// Every optional member, a null one among them (as if absent), and a
	// fractional spacing_base.
	full := testPreset(t)
	full["config"].(map[string]any)["livestream_viewer_qualities"] = []any{360.0, 1080.0}
	media := full["config"].(map[string]any)["media"].(map[string]any)
	media["video"].(map[string]any)["simulcast"] = true
	media["audio"] = map[string]any{"enable_high_bitrate": true, "enable_stereo": false}
	perms := full["permissions"].(map[string]any)
	for k, v := range map[string]any{"accept_stage_requests": true, "is_recorder": false, "stage_access": "CAN_REQUEST", "stage_enabled": true, "transcription_enabled": nil} {
		perms[k] = v
	}
	// A plugin's entry may leave either member out (Cloudflare's SDK types
	// make both optional).
	perms["plugins"].(map[string]any)["config"] = map[string]any{"whiteboard": map[string]any{"access_control": "FULL_ACCESS", "handles_view_only": true},
		"notes": map[string]any{"access_control": "VIEW_ONLY"}, "chess": map[string]any{"handles_view_only": false}}
	tokens := full["ui"].(map[string]any)["design_tokens"].(map[string]any)
	tokens["spacing_base"], tokens["font_family"], tokens["google_font"], tokens["logo"] = 4.5, "Inter", "Inter", "https://x.example/logo.png"
	r := doKit(t, "POST", coll, string(mustJSON(t, full)), bearer)
	if r.status != 201 {
		t.Fatalf("every optional member: %s", r.raw)
	}
	got := kitObj(t, r.data, presetMembers...)
	delete(perms, "transcription_enabled")
	for _, k := range []string{"id", "created_at", "updated_at"} {
		full[k] = got[k]
	}
	if !reflect.DeepEqual(got, full) {
		t.Fatalf("created %v\nwant %v", got, full)
	}
}

func TestKitPresets_patchMergesDeep(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	app := newKitApp(t, e, acctA, "a")
	body := testPreset(t)
	body["permissions"].(map[string]any)["plugins"].(map[string]any)["config"] = map[string]any{
		"whiteboard": map[string]any{"access_control": "FULL_ACCESS", "handles_view_only": false},
		"notes":      map[string]any{"access_control": "VIEW_ONLY", "handles_view_only": true},
	}
	body["ui"].(map[string]any)["design_tokens"].(map[string]any)["logo"] = "https://x.example/l.png"
	created, err := e.CreateKitPreset(acctA, app, body)
	if err != nil {
		t.Fatal(err)
	}
	item := kitColl(e.URL, acctA, app, "presets") + "/" + created.ID
	time.Sleep(2 * time.Millisecond)
	r := doKit(t, "PATCH", item, `{
	  "config": {"media": {"video": {"frame_rate": 24}}},
	  "permissions": {"plugins": {"config": {"whiteboard": {"access_control": "VIEW_ONLY"}, "chess": {"access_control": "FULL_ACCESS", "handles_view_only": false}}}},
	  "ui": {"design_tokens": {"logo": null, "colors": {"brand": {"500": "#000000"}}}}
	}`, bearer)
	if r.status != 200 {
		t.Fatalf("patch: %s", r.raw)
	}
	p := kitObj(t, r.data, presetMembers...)
	want := testPreset(t)
	want["config"].(map[string]any)["media"].(map[string]any)["video"].(map[string]any)["frame_rate"] = 24.0
	want["permissions"].(map[string]any)["plugins"].(map[string]any)["config"] = map[string]any{
		"whiteboard": map[string]any{"access_control": "VIEW_ONLY", "handles_view_only": false},
		"notes":      map[string]any{"access_control": "VIEW_ONLY", "handles_view_only": true},
		"chess":      map[string]any{"access_control": "FULL_ACCESS", "handles_view_only": false},
	}
	want["ui"].(map[string]any)["design_tokens"].(map[string]any)["colors"].(map[string]any)["brand"].(map[string]any)["500"] = "#000000"
	want["id"], want["created_at"], want["updated_at"] = created.ID, created.Created.Format(TimeFormat), p["updated_at"]
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("patched\n%v\nwant\n%v", p, want)
	}
	if !parseTS(t, p["updated_at"].(string)).After(created.Updated) {
		t.Fatalf("updated_at %v not after %v", p["updated_at"], created.Updated)
	}
	if g, _ := e.KitPreset(acctA, app, created.ID); !reflect.DeepEqual(g.Fields["config"], want["config"]) {
		t.Fatalf("stored %v", g.Fields)
	}

	// Each field of a PATCH is checked where present, and the result whole;
	// a refused PATCH changes nothing.
	for body, message := range map[string]string{
		`{"config":{"media":{"video":{"frame_rate":60}}}}`: "config.media.video.frame_rate must be at most 30",
		`{"name":""}`:                   "name must not be empty",
		`{"name":null}`:                 "name must not be null",
		`{"config":{"view_type":null}}`: "config.view_type must not be null",
		`{"permissions":{"plugins":{"config":{"poll":{"handles_view_only":1}}}}}`:                           "permissions.plugins.config.poll.handles_view_only must be a boolean",
		`{"permissions":{"plugins":{"config":{"notes":{"access_control":"SOME"}}}}}`:                        "permissions.plugins.config.notes.access_control must be one of FULL_ACCESS, VIEW_ONLY",
		`{"ui":{"design_tokens":{"spacing_base":0}}}`:                                                       "ui.design_tokens.spacing_base must be at least 1",
		`{"ui":{"design_tokens":{"colours":{}}}}`:                                                           "ui.design_tokens.colours is not a known field",
		`{"config":"GROUP_CALL"}`:                                                                           "config must be an object",
		`{"permissions":{"media":{"audio":{"can_produce":"ALLOWED"},"video":{"can_produce":"SOMETIMES"}}}}`: "permissions.media.video.can_produce must be one of ALLOWED, NOT_ALLOWED, CAN_REQUEST",
		`[]`: "Invalid request body: expected a JSON object",
	} {
		wantKitError(t, doKit(t, "PATCH", item, body, bearer), 400, message)
	}
	if g := kitObj(t, doKit(t, "GET", item, "", bearer).data, presetMembers...); !reflect.DeepEqual(g, p) {
		t.Fatalf("refused patches changed the preset: %v", g)
	}
	// A null removes a plugin's entry; an empty PATCH changes only updated_at.
	p2 := kitObj(t, doKit(t, "PATCH", item, `{"permissions":{"plugins":{"config":{"notes":null}}}}`, bearer).data, presetMembers...)
	if cfg := at(t, p2, "permissions.plugins.config").(map[string]any); len(cfg) != 2 || cfg["notes"] != nil {
		t.Fatalf("plugins.config %v", cfg)
	}
	p3 := kitObj(t, doKit(t, "PATCH", item, ``, bearer).data, presetMembers...)
	if p3["updated_at"] == p2["updated_at"] || !reflect.DeepEqual(p3["config"], p2["config"]) {
		t.Fatalf("empty patch: %v", p3)
	}
}

func TestKitQuirks_patchPresetWithoutID(t *testing.T) {
	e := startEmulator(t, Options{Tokens: []string{testToken}, KitQuirks: KitQuirks{PatchPresetWithoutID: true}})
	app := newKitApp(t, e, acctA, "a")
	created, err := e.CreateKitPreset(acctA, app, testPreset(t))
	if err != nil {
		t.Fatal(err)
	}
	item := kitColl(e.URL, acctA, app, "presets") + "/" + created.ID
	p := kitObj(t, doKit(t, "PATCH", item, `{"name":"renamed"}`, bearer).data, "name", "config", "permissions", "ui", "created_at", "updated_at")
	if p["name"] != "renamed" {
		t.Fatalf("patched %v", p)
	}
	// Only the PATCH answer: GET and DELETE have it.
	kitObj(t, doKit(t, "GET", item, "", bearer).data, presetMembers...)
	e.SetKitQuirks(KitQuirks{})
	kitObj(t, doKit(t, "PATCH", item, `{"name":"again"}`, bearer).data, presetMembers...)
}

func TestKitQuirks_echoUnsentDefaults(t *testing.T) {
	e := startEmulator(t, Options{Tokens: []string{testToken}, KitQuirks: KitQuirks{EchoUnsentDefaults: true}})
	app := newKitApp(t, e, acctA, "a")
	coll := kitColl(e.URL, acctA, app, "presets")
	p := kitObj(t, doKit(t, "POST", coll, presetJSON, bearer).data, presetMembers...)
	if at(t, p, "config.media.video.simulcast") != false ||
		!reflect.DeepEqual(at(t, p, "config.media.audio"), map[string]any{"enable_high_bitrate": false, "enable_stereo": false}) {
		t.Fatalf("created %v", p["config"])
	}
	// Stored: a GET has them, and the Go API.
	g := kitObj(t, doKit(t, "GET", coll+"/"+p["id"].(string), "", bearer).data, presetMembers...)
	if !reflect.DeepEqual(g, p) {
		t.Fatalf("get %v", g)
	}
	// What is sent is kept; only what is missing is filled, at every depth.
	body := set(t, "config.media.audio", map[string]any{"enable_stereo": true})
	body = strings.Replace(body, `"frame_rate":30,`, `"frame_rate":30,"simulcast":true,`, 1)
	q := kitObj(t, doKit(t, "POST", coll, body, bearer).data, presetMembers...)
	if at(t, q, "config.media.video.simulcast") != true ||
		!reflect.DeepEqual(at(t, q, "config.media.audio"), map[string]any{"enable_high_bitrate": false, "enable_stereo": true}) {
		t.Fatalf("created %v", q["config"])
	}
	// Nothing else is echoed.
	for _, path := range []string{"config.livestream_viewer_qualities", "permissions.is_recorder", "permissions.stage_access", "ui.design_tokens.logo"} {
		if has(q, path) {
			t.Fatalf("%s echoed", path)
		}
	}
	// A preset written without the quirk gets them at its next PATCH under it.
	e.SetKitQuirks(KitQuirks{})
	plain, err := e.CreateKitPreset(acctA, app, testPreset(t))
	if err != nil || has(plain.Fields, "config.media.audio") {
		t.Fatalf("without the quirk: %v %v", plain.Fields["config"], err)
	}
	e.SetKitQuirks(KitQuirks{EchoUnsentDefaults: true})
	patched, err := e.PatchKitPreset(acctA, app, plain.ID, map[string]any{"name": "p"})
	if err != nil || at(t, patched.Fields, "config.media.video.simulcast") != false || !has(patched.Fields, "config.media.audio.enable_stereo") {
		t.Fatalf("patched %v %v", patched.Fields["config"], err)
	}
}

func TestKitPresets_direct(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	app, err := e.CreateKitApp(acctA, "a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateKitPreset(acctA, missingUUID, testPreset(t)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown app: %v", err)
	}
	if _, err := e.CreateKitPreset("BAD", app.ID, testPreset(t)); !errors.Is(err, ErrInvalidID) {
		t.Fatalf("bad account: %v", err)
	}
	bad := testPreset(t)
	bad["config"].(map[string]any)["media"].(map[string]any)["video"].(map[string]any)["frame_rate"] = 60
	if _, err := e.CreateKitPreset(acctA, app.ID, bad); !errors.Is(err, ErrInvalidObject) || !strings.Contains(err.Error(), "config.media.video.frame_rate must be at most 30") {
		t.Fatalf("frame rate 60: %v", err)
	}
	p, err := e.CreateKitPreset(acctA, app.ID, testPreset(t))
	if err != nil || p.Name != "host" || !uuidV4.MatchString(p.ID) {
		t.Fatalf("CreateKitPreset: %+v %v", p, err)
	}
	// Go values (int, []int) are taken as their JSON.
	u, err := e.PatchKitPreset(acctA, app.ID, p.ID, map[string]any{"name": "h", "config": map[string]any{
		"max_screenshare_count": 3, "livestream_viewer_qualities": []int{720},
	}})
	if err != nil || u.Name != "h" || at(t, u.Fields, "config.max_screenshare_count") != 3.0 || !u.Updated.After(p.Updated) {
		t.Fatalf("PatchKitPreset: %+v %v", u, err)
	}
	if _, err := e.PatchKitPreset(acctA, app.ID, missingUUID, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("PatchKitPreset unknown: %v", err)
	}
	// A copy.
	u.Fields["name"] = "changed"
	if g, ok := e.KitPreset(acctA, app.ID, p.ID); !ok || g.Fields["name"] != "h" {
		t.Fatalf("KitPreset %+v", g)
	}
	g := kitObj(t, doKit(t, "GET", kitColl(e.URL, acctA, app.ID, "presets")+"/"+p.ID, "", bearer).data, presetMembers...)
	if g["name"] != "h" || !reflect.DeepEqual(at(t, g, "config.livestream_viewer_qualities"), []any{720.0}) {
		t.Fatalf("GET after PatchKitPreset %v", g)
	}
	if err := e.DeleteKitPreset(acctA, app.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.DeleteKitPreset(acctA, app.ID, p.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second DeleteKitPreset: %v", err)
	}
	if _, ok := e.KitPreset(acctA, app.ID, p.ID); ok || e.KitPresetCount() != 0 {
		t.Fatal("preset still there")
	}
}
