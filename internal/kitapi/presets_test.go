package kitapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

const (
	presetTestAccount = "0123456789abcdef0123456789abcdef"
	presetTestApp     = "0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f"
	presetTestID      = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	presetsTestPath   = "/client/v4/accounts/" + presetTestAccount + "/realtime/kit/" + presetTestApp + "/presets"
)

// testPresetBody is a preset with every required member and no optional one.
func testPresetBody() PresetBody {
	return PresetBody{
		Name: "host",
		Config: PresetConfig{MaxScreenshareCount: 1, MaxVideoStreams: MaxVideoStreams{Desktop: 9, Mobile: 4},
			Media:    ConfigMedia{Screenshare: MediaScreenshare{FrameRate: 5, Quality: "hd"}, Video: MediaVideo{FrameRate: 30, Quality: "vga"}},
			ViewType: "GROUP_CALL"},
		Permissions: PresetPermissions{CanRecord: true, RecorderType: "NONE", WaitingRoomType: "SKIP",
			Media:   PermissionsMedia{Audio: CanProduce{"ALLOWED"}, Screenshare: CanProduce{"CAN_REQUEST"}, Video: CanProduce{"NOT_ALLOWED"}},
			Plugins: PermissionsPlugins{Config: map[string]*PluginConfig{}}},
		UI: PresetUI{DesignTokens: DesignTokens{BorderRadius: "rounded", BorderWidth: "thin", SpacingBase: 4, Theme: "dark",
			Colors: DesignColors{Background: map[string]string{"600": "#222", "1000": "#000"}, Brand: map[string]string{"500": "#25f"}}}},
	}
}

// decodeSent is the JSON body of a request recordingServer recorded.
func decodeSent(t *testing.T, sent string) map[string]any {
	t.Helper()
	i := strings.Index(sent, "{")
	if i < 0 {
		t.Fatalf("no body in %q", sent)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(sent[i:]), &m); err != nil {
		t.Fatalf("body of %q: %v", sent, err)
	}
	return m
}

// dig is the member of m at the dotted path, and whether it is there.
func dig(m map[string]any, path string) (any, bool) {
	var v any = m
	for _, part := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[part]; !ok {
			return nil, false
		}
	}
	return v, true
}

func TestCreatePreset_sendsTheBodyAndUnsetOptionsNot(t *testing.T) {
	s := &recordingServer{answer: answering(201, `{"success":true,"data":{"id":"`+presetTestID+`","name":"host"}}`)}
	p, err := testClient(t, s).CreatePreset(context.Background(), presetTestAccount, presetTestApp, testPresetBody())
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != presetTestID {
		t.Errorf("id = %q, want %q", p.ID, presetTestID)
	}
	if len(s.sent) != 1 || !strings.HasPrefix(s.sent[0], "POST "+presetsTestPath+" {") {
		t.Fatalf("sent %q, want one POST to %s", s.sent, presetsTestPath)
	}
	body := decodeSent(t, s.sent[0])
	for path, want := range map[string]any{
		"name": "host", "config.media.video.frame_rate": 30.0, "config.view_type": "GROUP_CALL",
		"permissions.media.screenshare.can_produce": "CAN_REQUEST", "permissions.connected_meetings.can_switch_to_parent_meeting": false,
		"ui.design_tokens.colors.background.600": "#222", "ui.design_tokens.spacing_base": 4.0,
	} {
		if got, _ := dig(body, path); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	if got, ok := dig(body, "permissions.plugins.config"); !ok || len(got.(map[string]any)) != 0 {
		t.Errorf("permissions.plugins.config = %v (present %v), want {}: the API requires it", got, ok)
	}
	for _, unset := range []string{"id", "created_at", "config.media.video.simulcast", "config.media.audio", "config.livestream_viewer_qualities",
		"permissions.stage_access", "permissions.is_recorder", "ui.design_tokens.logo"} {
		if v, ok := dig(body, unset); ok {
			t.Errorf("%s was sent (%v); an unset option must not be", unset, v)
		}
	}
}

func TestCreatePreset_anAnswerWithoutIDMayHaveCreatedIt(t *testing.T) {
	s := &recordingServer{answer: answering(201, `{"success":true,"data":{"name":"host"}}`)}
	_, err := testClient(t, s).CreatePreset(context.Background(), presetTestAccount, presetTestApp, testPresetBody())
	if !callsapi.MaybeProcessed(err) {
		t.Fatalf("err = %v, want one that says the preset may exist", err)
	}
	if !strings.Contains(err.Error(), "the created preset has no id") {
		t.Errorf("err %q does not say what was missing", err)
	}
}

func TestGetPreset_decodesEveryDepth(t *testing.T) {
	const data = `{"id":"` + presetTestID + `","name":"host","created_at":"2026-01-02T03:04:05.000Z","updated_at":"2026-01-02T03:04:06.000Z",
	"config":{"max_screenshare_count":1,"max_video_streams":{"desktop":9,"mobile":4},"view_type":"WEBINAR","livestream_viewer_qualities":[360,720],
	  "media":{"screenshare":{"frame_rate":5,"quality":"hd"},"video":{"frame_rate":24,"quality":"fhd","simulcast":false},"audio":{"enable_stereo":true}}},
	"permissions":{"stage_access":"CAN_REQUEST","plugins":{"can_start":true,"config":{"p1":{"access_control":"VIEW_ONLY","handles_view_only":true}}}},
	"ui":{"design_tokens":{"colors":{"brand":{"300":"#abc"}},"logo":"https://example.com/l.png"}}}`
	s := &recordingServer{answer: answering(200, `{"success":true,"data":`+data+`}`)}
	p, err := testClient(t, s).GetPreset(context.Background(), presetTestAccount, presetTestApp, presetTestID)
	if err != nil {
		t.Fatal(err)
	}
	if s.sent[0] != "GET "+presetsTestPath+"/"+presetTestID {
		t.Errorf("sent %q", s.sent[0])
	}
	v := p.Config.Media.Video
	switch {
	case p.ID != presetTestID || p.Name != "host" || p.CreatedAt != "2026-01-02T03:04:05.000Z" || p.UpdatedAt != "2026-01-02T03:04:06.000Z":
		t.Errorf("preset = %+v", p)
	case v.FrameRate != 24 || v.Quality != "fhd" || v.Simulcast == nil || *v.Simulcast:
		t.Errorf("video = %+v", v)
	case p.Config.Media.Audio == nil || p.Config.Media.Audio.EnableHighBitrate != nil || !*p.Config.Media.Audio.EnableStereo:
		t.Errorf("audio = %+v", p.Config.Media.Audio)
	case p.Config.LivestreamViewerQualities == nil || len(*p.Config.LivestreamViewerQualities) != 2:
		t.Errorf("livestream_viewer_qualities = %v", p.Config.LivestreamViewerQualities)
	case p.Permissions.StageAccess == nil || *p.Permissions.StageAccess != "CAN_REQUEST":
		t.Errorf("stage_access = %v", p.Permissions.StageAccess)
	case p.Permissions.Plugins.Config["p1"] == nil || *p.Permissions.Plugins.Config["p1"].AccessControl != "VIEW_ONLY":
		t.Errorf("plugins = %+v", p.Permissions.Plugins)
	case p.UI.DesignTokens.Colors.Brand["300"] != "#abc" || *p.UI.DesignTokens.Logo != "https://example.com/l.png":
		t.Errorf("design tokens = %+v", p.UI.DesignTokens)
	}
}

func TestListPresets_readsEveryPage(t *testing.T) {
	// The API serves 2 a page whatever per_page asks: 5 presets are 3 pages.
	s := &recordingServer{answer: func(r *http.Request) (int, string) {
		page := r.URL.Query().Get("page_no")
		items := map[string]string{"1": `{"id":"a","name":"x"},{"id":"b","name":"y"}`, "2": `{"id":"c","name":"x"},{"id":"d","name":"z"}`, "3": `{"id":"e","name":"x"}`}[page]
		return 200, `{"success":true,"data":[` + items + `],"paging":{"start_offset":1,"end_offset":2,"total_count":5}}`
	}}
	presets, err := testClient(t, s).ListPresets(context.Background(), presetTestAccount, presetTestApp)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range presets {
		ids = append(ids, p.ID)
	}
	if got := strings.Join(ids, ","); got != "a,b,c,d,e" {
		t.Errorf("ids = %s, want a to e", got)
	}
	if len(s.sent) != 3 || s.sent[2] != "GET "+presetsTestPath+"?page_no=3&per_page=100" {
		t.Errorf("sent %q, want three pages", s.sent)
	}
}

func TestListPresets_anEmptyPageBeforeTheTotalIsAnError(t *testing.T) {
	s := &recordingServer{answer: func(r *http.Request) (int, string) {
		if r.URL.Query().Get("page_no") == "1" {
			return 200, `{"success":true,"data":[{"id":"a","name":"x"}],"paging":{"start_offset":1,"end_offset":1,"total_count":3}}`
		}
		return 200, `{"success":true,"data":[],"paging":{"start_offset":0,"end_offset":0,"total_count":3}}`
	}}
	_, err := testClient(t, s).ListPresets(context.Background(), presetTestAccount, presetTestApp)
	if err == nil || !strings.Contains(err.Error(), "page 2 is empty, but the paging counts 3 presets") {
		t.Fatalf("err = %v, want the inconsistent paging named", err)
	}
}

// The same page served again and again is an error after the pages the
// count needs (and one more), never a loop.
func TestListPresets_aPageServedOverAndOverIsAnErrorNotALoop(t *testing.T) {
	s := &recordingServer{answer: answering(200, `{"success":true,"data":[{"id":"a","name":"x"},{"id":"b","name":"y"}],"paging":{"start_offset":1,"end_offset":2,"total_count":6}}`)}
	_, err := testClient(t, s).ListPresets(context.Background(), presetTestAccount, presetTestApp)
	if err == nil || !strings.Contains(err.Error(), "2 presets came of the 6 the paging counts") {
		t.Fatalf("err = %v, want the inconsistent paging named", err)
	}
	if len(s.sent) != 4 { // 6 presets at 2 a page are 3 pages, and one more
		t.Errorf("sent %d requests, want 4", len(s.sent))
	}
}

func TestListPresets_anAppWithoutPresetsIsOnePage(t *testing.T) {
	s := &recordingServer{answer: answering(200, `{"success":true,"data":[],"paging":{"start_offset":0,"end_offset":0,"total_count":0}}`)}
	presets, err := testClient(t, s).ListPresets(context.Background(), presetTestAccount, presetTestApp)
	if err != nil || len(presets) != 0 || len(s.sent) != 1 {
		t.Fatalf("presets %v, err %v, sent %q: want none, in one request", presets, err, s.sent)
	}
}

func TestUpdatePreset_patchesTheWholeBodyAndNullsRemovedPluginConfigs(t *testing.T) {
	// The PATCH answer lacks the id: UpdatePreset must not need it.
	s := &recordingServer{answer: answering(200, `{"success":true,"data":{"name":"host"}}`)}
	body := testPresetBody()
	body.Permissions.Plugins.Config = map[string]*PluginConfig{"gone": nil, "kept": {AccessControl: presetRef("FULL_ACCESS")}}
	if err := testClient(t, s).UpdatePreset(context.Background(), presetTestAccount, presetTestApp, presetTestID, body); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.sent[0], "PATCH "+presetsTestPath+"/"+presetTestID+" {") {
		t.Fatalf("sent %q", s.sent[0])
	}
	sent := decodeSent(t, s.sent[0])
	if v, ok := dig(sent, "permissions.plugins.config.gone"); !ok || v != nil {
		t.Errorf("config.gone = %v (present %v), want null, which removes it", v, ok)
	}
	if v, _ := dig(sent, "permissions.plugins.config.kept.access_control"); v != "FULL_ACCESS" {
		t.Errorf("config.kept.access_control = %v", v)
	}
	if v, _ := dig(sent, "config.max_video_streams.desktop"); v != 9.0 {
		t.Errorf("the whole body must be sent; config.max_video_streams.desktop = %v", v)
	}
}

func TestDeletePreset_notFoundIsTold(t *testing.T) {
	s := &recordingServer{answer: answering(404, `{"success":false,"error":{"code":404,"message":"Preset not found"}}`)}
	err := testClient(t, s).DeletePreset(context.Background(), presetTestAccount, presetTestApp, presetTestID)
	if !callsapi.IsNotFound(err) {
		t.Fatalf("err = %v, want not found", err)
	}
	if s.sent[0] != "DELETE "+presetsTestPath+"/"+presetTestID {
		t.Errorf("sent %q", s.sent[0])
	}
}

func presetRef[T any](v T) *T { return &v }
