package emulator

// RealtimeKit presets (kit_schema.go, kit_handlers.go).

import (
	"encoding/json"
	"testing"
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
    "connected_meetings": {"can_alter_connected_meetings": false, "can_switch_connected_meetings": false, "can_switch_to_own_room": false},
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
