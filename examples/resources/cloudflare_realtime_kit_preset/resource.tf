# A host's preset: full control of the meeting. A participant's preset
# differs in its permissions (see the second resource).
resource "cloudflare_realtime_kit_preset" "host" {
  account_id = "0123456789abcdef0123456789abcdef"
  app_id     = "0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f"
  name       = "host"

  config = {
    max_screenshare_count = 1
    max_video_streams     = { desktop = 9, mobile = 4 }
    media = {
      screenshare = { frame_rate = 5, quality = "hd" }
      video       = { frame_rate = 30, quality = "hd", simulcast = true }
    }
    view_type = "GROUP_CALL"
  }

  permissions = {
    accept_waiting_requests            = true
    can_accept_production_requests     = true
    can_change_participant_permissions = true
    can_edit_display_name              = true
    can_livestream                     = false
    can_record                         = true
    can_spotlight                      = true
    disable_participant_audio          = true
    disable_participant_screensharing  = true
    disable_participant_video          = true
    hidden_participant                 = false
    kick_participant                   = true
    pin_participant                    = true
    show_participant_list              = true

    chat = {
      private = { can_receive = true, can_send = true, files = true, text = true }
      public  = { can_send = true, files = true, text = true }
    }
    connected_meetings = {
      can_alter_connected_meetings  = true
      can_switch_connected_meetings = true
      can_switch_to_parent_meeting  = true
    }
    media = {
      audio       = { can_produce = "ALLOWED" }
      screenshare = { can_produce = "ALLOWED" }
      video       = { can_produce = "ALLOWED" }
    }
    plugins = {
      can_close       = true
      can_edit_config = true
      can_start       = true
      config          = {}
    }
    polls             = { can_create = true, can_view = true, can_vote = true }
    recorder_type     = "NONE"
    waiting_room_type = "SKIP"
  }

  ui = {
    design_tokens = {
      border_radius = "rounded"
      border_width  = "thin"
      colors = {
        # The API names shades with numbers, so these two are maps.
        background    = { "600" = "#222222", "700" = "#1f1f1f", "800" = "#1b1b1b", "900" = "#181818", "1000" = "#141414" }
        brand         = { "300" = "#844d1c", "400" = "#9d5b22", "500" = "#b76a27", "600" = "#d07a2d", "700" = "#e98a33" }
        danger        = "#ff2d2d"
        success       = "#62a504"
        text          = "#eeeeee"
        text_on_brand = "#eeeeee"
        video_bg      = "#191919"
        warning       = "#ffcd07"
      }
      spacing_base = 4
      theme        = "dark"
    }
  }
}

# A participant's preset: the host's, with fewer permissions. Media goes
# through the waiting room, and screen sharing on request.
resource "cloudflare_realtime_kit_preset" "participant" {
  account_id = cloudflare_realtime_kit_preset.host.account_id
  app_id     = cloudflare_realtime_kit_preset.host.app_id
  name       = "participant"
  config     = cloudflare_realtime_kit_preset.host.config
  ui         = cloudflare_realtime_kit_preset.host.ui

  permissions = merge(cloudflare_realtime_kit_preset.host.permissions, {
    accept_waiting_requests            = false
    can_accept_production_requests     = false
    can_change_participant_permissions = false
    can_record                         = false
    can_spotlight                      = false
    disable_participant_audio          = false
    disable_participant_screensharing  = false
    disable_participant_video          = false
    kick_participant                   = false
    connected_meetings = {
      can_alter_connected_meetings  = false
      can_switch_connected_meetings = false
      can_switch_to_parent_meeting  = true
    }
    media = {
      audio       = { can_produce = "ALLOWED" }
      screenshare = { can_produce = "CAN_REQUEST" }
      video       = { can_produce = "ALLOWED" }
    }
    plugins = {
      can_close       = false
      can_edit_config = false
      can_start       = false
      config          = {}
    }
    polls             = { can_create = false, can_view = true, can_vote = true }
    waiting_room_type = "ON_PRIVILEGED_USER_ENTRY"
  })
}
