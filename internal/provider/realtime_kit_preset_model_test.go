package provider

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/kitapi"
)

// A preset read from the API and written back sends what was read: every
// member at every depth survives the trip through the state model, set
// options and unset ones alike.
func TestRealtimeKitPresetModel_roundTripKeepsEveryMember(t *testing.T) {
	const data = `{"id":"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d","name":"host","created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:06Z",
	"config":{"max_screenshare_count":2,"max_video_streams":{"desktop":9,"mobile":4},"view_type":"LIVESTREAM","livestream_viewer_qualities":[360,720],
	  "media":{"screenshare":{"frame_rate":5,"quality":"uhd"},"video":{"frame_rate":24,"quality":"fhd","simulcast":true},"audio":{"enable_stereo":true}}},
	"permissions":{"accept_waiting_requests":true,"can_accept_production_requests":true,"can_change_participant_permissions":true,"can_edit_display_name":true,
	  "can_livestream":true,"can_record":true,"can_spotlight":true,"disable_participant_audio":true,"disable_participant_screensharing":true,
	  "disable_participant_video":true,"hidden_participant":true,"kick_participant":true,"pin_participant":true,"show_participant_list":true,
	  "chat":{"private":{"can_receive":true,"can_send":true,"files":true,"text":true},"public":{"can_send":true,"files":true,"text":true}},
	  "connected_meetings":{"can_alter_connected_meetings":true,"can_switch_connected_meetings":true,"can_switch_to_parent_meeting":true},
	  "media":{"audio":{"can_produce":"ALLOWED"},"screenshare":{"can_produce":"CAN_REQUEST"},"video":{"can_produce":"NOT_ALLOWED"}},
	  "plugins":{"can_close":true,"can_edit_config":true,"can_start":true,"config":{"p1":{"access_control":"VIEW_ONLY","handles_view_only":true},"p2":{"access_control":"FULL_ACCESS"}}},
	  "polls":{"can_create":true,"can_view":true,"can_vote":true},"recorder_type":"LIVESTREAMER","waiting_room_type":"SKIP_ON_ACCEPT",
	  "accept_stage_requests":true,"is_recorder":false,"stage_access":"CAN_REQUEST","stage_enabled":true,"transcription_enabled":false},
	"ui":{"design_tokens":{"border_radius":"circular","border_width":"fat","spacing_base":4.5,"theme":"darkest","google_font":"Inter","font_family":"Inter, sans-serif","logo":"https://example.com/logo.png",
	  "colors":{"background":{"600":"#1","700":"#2","800":"#3","900":"#4","1000":"#5"},"brand":{"300":"#6","400":"#7","500":"#8","600":"#9","700":"#a"},
	    "danger":"#b","success":"#c","text":"#d","text_on_brand":"#e","video_bg":"#f","warning":"#0"}}}}`
	var read kitapi.Preset
	must(t, json.Unmarshal([]byte(data), &read))
	m, diags := presetModel(testAccountID, "0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f", &read)
	if diags.HasError() {
		t.Fatalf("presetModel: %v", diags)
	}
	body, diags := m.body(context.Background(), nil)
	if diags.HasError() {
		t.Fatalf("body: %v", diags)
	}
	sent, err := json.Marshal(body)
	must(t, err)
	want, err := json.Marshal(read.PresetBody)
	must(t, err)
	var gotTree, wantTree any
	must(t, json.Unmarshal(sent, &gotTree))
	must(t, json.Unmarshal(want, &wantTree))
	if !reflect.DeepEqual(gotTree, wantTree) {
		t.Errorf("sent\n%s\nwant what was read\n%s", sent, want)
	}
}

// A plugin the state has and the plan has not is sent as null, which
// removes it (the API merges a PATCH); the others are sent as planned.
func TestRealtimeKitPresetModel_removedPluginsAreNulls(t *testing.T) {
	prior := &presetPermissionsModel{Plugins: presetPluginsModel{Config: map[string]presetPluginModel{"kept": {}, "gone": {}}}}
	planned := &presetPermissionsModel{Plugins: presetPluginsModel{Config: map[string]presetPluginModel{"kept": {}, "new": {}}}}
	if got := removedPlugins(prior, planned); !reflect.DeepEqual(got, []string{"gone"}) {
		t.Errorf("removedPlugins = %v, want [gone]", got)
	}
	if got := removedPlugins(nil, planned); got != nil {
		t.Errorf("removedPlugins of no prior state = %v, want none", got)
	}
}
