package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/kitapi"
)

// The state of cloudflare_realtime_kit_preset and its conversions to and
// from the client's kitapi.Preset. Required members are plain Go values:
// at apply time the configuration is fully known, and state is only ever
// written whole. Optional members are framework values, since they may be
// unknown in a plan (the API fills them) or null.

type kitPresetModel struct {
	ID          types.String            `tfsdk:"id"`
	AccountID   types.String            `tfsdk:"account_id"`
	AppID       types.String            `tfsdk:"app_id"`
	Name        types.String            `tfsdk:"name"`
	Config      *presetConfigModel      `tfsdk:"config"`
	Permissions *presetPermissionsModel `tfsdk:"permissions"`
	UI          *presetUIModel          `tfsdk:"ui"`
	CreatedAt   types.String            `tfsdk:"created_at"`
	UpdatedAt   types.String            `tfsdk:"updated_at"`
}

type presetConfigModel struct {
	MaxScreenshareCount       int64                  `tfsdk:"max_screenshare_count"`
	MaxVideoStreams           presetMaxStreamsModel  `tfsdk:"max_video_streams"`
	Media                     presetConfigMediaModel `tfsdk:"media"`
	ViewType                  string                 `tfsdk:"view_type"`
	LivestreamViewerQualities types.List             `tfsdk:"livestream_viewer_qualities"`
}

type presetMaxStreamsModel struct {
	Desktop int64 `tfsdk:"desktop"`
	Mobile  int64 `tfsdk:"mobile"`
}

type presetConfigMediaModel struct {
	Screenshare presetScreenshareModel `tfsdk:"screenshare"`
	Video       presetVideoModel       `tfsdk:"video"`
	Audio       types.Object           `tfsdk:"audio"`
}

type presetScreenshareModel struct {
	FrameRate int64  `tfsdk:"frame_rate"`
	Quality   string `tfsdk:"quality"`
}

type presetVideoModel struct {
	FrameRate int64      `tfsdk:"frame_rate"`
	Quality   string     `tfsdk:"quality"`
	Simulcast types.Bool `tfsdk:"simulcast"`
}

type presetAudioModel struct {
	EnableHighBitrate types.Bool `tfsdk:"enable_high_bitrate"`
	EnableStereo      types.Bool `tfsdk:"enable_stereo"`
}

var presetAudioTypes = map[string]attr.Type{"enable_high_bitrate": types.BoolType, "enable_stereo": types.BoolType}

type presetPermissionsModel struct {
	AcceptWaitingRequests           bool `tfsdk:"accept_waiting_requests"`
	CanAcceptProductionRequests     bool `tfsdk:"can_accept_production_requests"`
	CanChangeParticipantPermissions bool `tfsdk:"can_change_participant_permissions"`
	CanEditDisplayName              bool `tfsdk:"can_edit_display_name"`
	CanLivestream                   bool `tfsdk:"can_livestream"`
	CanRecord                       bool `tfsdk:"can_record"`
	CanSpotlight                    bool `tfsdk:"can_spotlight"`
	DisableParticipantAudio         bool `tfsdk:"disable_participant_audio"`
	DisableParticipantScreensharing bool `tfsdk:"disable_participant_screensharing"`
	DisableParticipantVideo         bool `tfsdk:"disable_participant_video"`
	HiddenParticipant               bool `tfsdk:"hidden_participant"`
	KickParticipant                 bool `tfsdk:"kick_participant"`
	PinParticipant                  bool `tfsdk:"pin_participant"`
	ShowParticipantList             bool `tfsdk:"show_participant_list"`

	Chat              presetChatModel              `tfsdk:"chat"`
	ConnectedMeetings presetConnectedMeetingsModel `tfsdk:"connected_meetings"`
	Media             presetMediaPermissionsModel  `tfsdk:"media"`
	Plugins           presetPluginsModel           `tfsdk:"plugins"`
	Polls             presetPollsModel             `tfsdk:"polls"`
	RecorderType      string                       `tfsdk:"recorder_type"`
	WaitingRoomType   string                       `tfsdk:"waiting_room_type"`

	AcceptStageRequests  types.Bool   `tfsdk:"accept_stage_requests"`
	IsRecorder           types.Bool   `tfsdk:"is_recorder"`
	StageAccess          types.String `tfsdk:"stage_access"`
	StageEnabled         types.Bool   `tfsdk:"stage_enabled"`
	TranscriptionEnabled types.Bool   `tfsdk:"transcription_enabled"`
}

type presetChatModel struct {
	Private presetChatPrivateModel `tfsdk:"private"`
	Public  presetChatPublicModel  `tfsdk:"public"`
}

type presetChatPrivateModel struct {
	CanReceive bool `tfsdk:"can_receive"`
	CanSend    bool `tfsdk:"can_send"`
	Files      bool `tfsdk:"files"`
	Text       bool `tfsdk:"text"`
}

type presetChatPublicModel struct {
	CanSend bool `tfsdk:"can_send"`
	Files   bool `tfsdk:"files"`
	Text    bool `tfsdk:"text"`
}

type presetConnectedMeetingsModel struct {
	CanAlterConnectedMeetings  bool `tfsdk:"can_alter_connected_meetings"`
	CanSwitchConnectedMeetings bool `tfsdk:"can_switch_connected_meetings"`
	CanSwitchToParentMeeting   bool `tfsdk:"can_switch_to_parent_meeting"`
}

type presetMediaPermissionsModel struct {
	Audio       presetCanProduceModel `tfsdk:"audio"`
	Screenshare presetCanProduceModel `tfsdk:"screenshare"`
	Video       presetCanProduceModel `tfsdk:"video"`
}

type presetCanProduceModel struct {
	CanProduce string `tfsdk:"can_produce"`
}

type presetPluginsModel struct {
	CanClose      bool                         `tfsdk:"can_close"`
	CanEditConfig bool                         `tfsdk:"can_edit_config"`
	CanStart      bool                         `tfsdk:"can_start"`
	Config        map[string]presetPluginModel `tfsdk:"config"`
}

type presetPluginModel struct {
	AccessControl   types.String `tfsdk:"access_control"`
	HandlesViewOnly types.Bool   `tfsdk:"handles_view_only"`
}

type presetPollsModel struct {
	CanCreate bool `tfsdk:"can_create"`
	CanView   bool `tfsdk:"can_view"`
	CanVote   bool `tfsdk:"can_vote"`
}

type presetUIModel struct {
	DesignTokens presetDesignTokensModel `tfsdk:"design_tokens"`
}

type presetDesignTokensModel struct {
	BorderRadius string            `tfsdk:"border_radius"`
	BorderWidth  string            `tfsdk:"border_width"`
	Colors       presetColorsModel `tfsdk:"colors"`
	SpacingBase  float64           `tfsdk:"spacing_base"`
	Theme        string            `tfsdk:"theme"`
	FontFamily   types.String      `tfsdk:"font_family"`
	GoogleFont   types.String      `tfsdk:"google_font"`
	Logo         types.String      `tfsdk:"logo"`
}

type presetColorsModel struct {
	Background  map[string]string `tfsdk:"background"`
	Brand       map[string]string `tfsdk:"brand"`
	Danger      string            `tfsdk:"danger"`
	Success     string            `tfsdk:"success"`
	Text        string            `tfsdk:"text"`
	TextOnBrand string            `tfsdk:"text_on_brand"`
	VideoBg     string            `tfsdk:"video_bg"`
	Warning     string            `tfsdk:"warning"`
}

// body is what the model asks of the API. Optional members that are null
// or unknown (left to the API) are not sent. removedPlugins are plugin ids
// the preset had and the model no longer has: they are sent as nulls, which
// remove them, since the API merges an update into what it holds.
func (m kitPresetModel) body(ctx context.Context, removedPlugins []string) (kitapi.PresetBody, diag.Diagnostics) {
	var diags diag.Diagnostics
	c, p, u := m.Config, m.Permissions, m.UI.DesignTokens

	var audio *kitapi.MediaAudio
	if !c.Media.Audio.IsNull() && !c.Media.Audio.IsUnknown() {
		var a presetAudioModel
		diags.Append(c.Media.Audio.As(ctx, &a, basetypes.ObjectAsOptions{})...)
		audio = &kitapi.MediaAudio{EnableHighBitrate: boolRef(a.EnableHighBitrate), EnableStereo: boolRef(a.EnableStereo)}
	}
	var qualities *[]int64
	if !c.LivestreamViewerQualities.IsNull() && !c.LivestreamViewerQualities.IsUnknown() {
		var q []int64
		diags.Append(c.LivestreamViewerQualities.ElementsAs(ctx, &q, false)...)
		qualities = &q
	}
	plugins := make(map[string]*kitapi.PluginConfig, len(p.Plugins.Config)+len(removedPlugins))
	for id, pc := range p.Plugins.Config {
		plugins[id] = &kitapi.PluginConfig{AccessControl: stringRef(pc.AccessControl), HandlesViewOnly: boolRef(pc.HandlesViewOnly)}
	}
	for _, id := range removedPlugins {
		plugins[id] = nil
	}

	return kitapi.PresetBody{
		Name: m.Name.ValueString(),
		Config: kitapi.PresetConfig{
			MaxScreenshareCount: c.MaxScreenshareCount,
			MaxVideoStreams:     kitapi.MaxVideoStreams{Desktop: c.MaxVideoStreams.Desktop, Mobile: c.MaxVideoStreams.Mobile},
			Media: kitapi.ConfigMedia{
				Screenshare: kitapi.MediaScreenshare{FrameRate: c.Media.Screenshare.FrameRate, Quality: c.Media.Screenshare.Quality},
				Video:       kitapi.MediaVideo{FrameRate: c.Media.Video.FrameRate, Quality: c.Media.Video.Quality, Simulcast: boolRef(c.Media.Video.Simulcast)},
				Audio:       audio,
			},
			ViewType:                  c.ViewType,
			LivestreamViewerQualities: qualities,
		},
		Permissions: kitapi.PresetPermissions{
			AcceptWaitingRequests:           p.AcceptWaitingRequests,
			CanAcceptProductionRequests:     p.CanAcceptProductionRequests,
			CanChangeParticipantPermissions: p.CanChangeParticipantPermissions,
			CanEditDisplayName:              p.CanEditDisplayName,
			CanLivestream:                   p.CanLivestream,
			CanRecord:                       p.CanRecord,
			CanSpotlight:                    p.CanSpotlight,
			DisableParticipantAudio:         p.DisableParticipantAudio,
			DisableParticipantScreensharing: p.DisableParticipantScreensharing,
			DisableParticipantVideo:         p.DisableParticipantVideo,
			HiddenParticipant:               p.HiddenParticipant,
			KickParticipant:                 p.KickParticipant,
			PinParticipant:                  p.PinParticipant,
			ShowParticipantList:             p.ShowParticipantList,
			Chat: kitapi.PermissionsChat{
				Private: kitapi.ChatPrivate(p.Chat.Private),
				Public:  kitapi.ChatPublic(p.Chat.Public),
			},
			ConnectedMeetings: kitapi.ConnectedMeetings(p.ConnectedMeetings),
			Media: kitapi.PermissionsMedia{
				Audio:       kitapi.CanProduce(p.Media.Audio),
				Screenshare: kitapi.CanProduce(p.Media.Screenshare),
				Video:       kitapi.CanProduce(p.Media.Video),
			},
			Plugins:              kitapi.PermissionsPlugins{CanClose: p.Plugins.CanClose, CanEditConfig: p.Plugins.CanEditConfig, CanStart: p.Plugins.CanStart, Config: plugins},
			Polls:                kitapi.PermissionsPolls(p.Polls),
			RecorderType:         p.RecorderType,
			WaitingRoomType:      p.WaitingRoomType,
			AcceptStageRequests:  boolRef(p.AcceptStageRequests),
			IsRecorder:           boolRef(p.IsRecorder),
			StageAccess:          stringRef(p.StageAccess),
			StageEnabled:         boolRef(p.StageEnabled),
			TranscriptionEnabled: boolRef(p.TranscriptionEnabled),
		},
		UI: kitapi.PresetUI{DesignTokens: kitapi.DesignTokens{
			BorderRadius: u.BorderRadius,
			BorderWidth:  u.BorderWidth,
			Colors: kitapi.DesignColors{
				Background: u.Colors.Background, Brand: u.Colors.Brand, Danger: u.Colors.Danger, Success: u.Colors.Success,
				Text: u.Colors.Text, TextOnBrand: u.Colors.TextOnBrand, VideoBg: u.Colors.VideoBg, Warning: u.Colors.Warning,
			},
			SpacingBase: u.SpacingBase,
			Theme:       u.Theme,
			FontFamily:  stringRef(u.FontFamily),
			GoogleFont:  stringRef(u.GoogleFont),
			Logo:        stringRef(u.Logo),
		}},
	}, diags
}

// presetModel is the state of preset p of the app appID in the account.
func presetModel(accountID, appID string, p *kitapi.Preset) (kitPresetModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	c, pm, u := p.Config, p.Permissions, p.UI.DesignTokens

	audio := types.ObjectNull(presetAudioTypes)
	if a := c.Media.Audio; a != nil {
		var d diag.Diagnostics
		audio, d = types.ObjectValue(presetAudioTypes, map[string]attr.Value{
			"enable_high_bitrate": types.BoolPointerValue(a.EnableHighBitrate), "enable_stereo": types.BoolPointerValue(a.EnableStereo)})
		diags.Append(d...)
	}
	qualities := types.ListNull(types.Int64Type)
	if c.LivestreamViewerQualities != nil {
		var d diag.Diagnostics
		qualities, d = types.ListValueFrom(context.Background(), types.Int64Type, *c.LivestreamViewerQualities)
		diags.Append(d...)
	}
	plugins := make(map[string]presetPluginModel, len(pm.Plugins.Config))
	for id, pc := range pm.Plugins.Config {
		if pc == nil {
			continue
		}
		plugins[id] = presetPluginModel{AccessControl: types.StringPointerValue(pc.AccessControl), HandlesViewOnly: types.BoolPointerValue(pc.HandlesViewOnly)}
	}

	return kitPresetModel{
		ID:        types.StringValue(p.ID),
		AccountID: types.StringValue(accountID),
		AppID:     types.StringValue(appID),
		Name:      types.StringValue(p.Name),
		Config: &presetConfigModel{
			MaxScreenshareCount: c.MaxScreenshareCount,
			MaxVideoStreams:     presetMaxStreamsModel(c.MaxVideoStreams),
			Media: presetConfigMediaModel{
				Screenshare: presetScreenshareModel(c.Media.Screenshare),
				Video:       presetVideoModel{FrameRate: c.Media.Video.FrameRate, Quality: c.Media.Video.Quality, Simulcast: types.BoolPointerValue(c.Media.Video.Simulcast)},
				Audio:       audio,
			},
			ViewType:                  c.ViewType,
			LivestreamViewerQualities: qualities,
		},
		Permissions: &presetPermissionsModel{
			AcceptWaitingRequests:           pm.AcceptWaitingRequests,
			CanAcceptProductionRequests:     pm.CanAcceptProductionRequests,
			CanChangeParticipantPermissions: pm.CanChangeParticipantPermissions,
			CanEditDisplayName:              pm.CanEditDisplayName,
			CanLivestream:                   pm.CanLivestream,
			CanRecord:                       pm.CanRecord,
			CanSpotlight:                    pm.CanSpotlight,
			DisableParticipantAudio:         pm.DisableParticipantAudio,
			DisableParticipantScreensharing: pm.DisableParticipantScreensharing,
			DisableParticipantVideo:         pm.DisableParticipantVideo,
			HiddenParticipant:               pm.HiddenParticipant,
			KickParticipant:                 pm.KickParticipant,
			PinParticipant:                  pm.PinParticipant,
			ShowParticipantList:             pm.ShowParticipantList,
			Chat:                            presetChatModel{Private: presetChatPrivateModel(pm.Chat.Private), Public: presetChatPublicModel(pm.Chat.Public)},
			ConnectedMeetings:               presetConnectedMeetingsModel(pm.ConnectedMeetings),
			Media: presetMediaPermissionsModel{
				Audio:       presetCanProduceModel(pm.Media.Audio),
				Screenshare: presetCanProduceModel(pm.Media.Screenshare),
				Video:       presetCanProduceModel(pm.Media.Video),
			},
			Plugins:              presetPluginsModel{CanClose: pm.Plugins.CanClose, CanEditConfig: pm.Plugins.CanEditConfig, CanStart: pm.Plugins.CanStart, Config: plugins},
			Polls:                presetPollsModel(pm.Polls),
			RecorderType:         pm.RecorderType,
			WaitingRoomType:      pm.WaitingRoomType,
			AcceptStageRequests:  types.BoolPointerValue(pm.AcceptStageRequests),
			IsRecorder:           types.BoolPointerValue(pm.IsRecorder),
			StageAccess:          types.StringPointerValue(pm.StageAccess),
			StageEnabled:         types.BoolPointerValue(pm.StageEnabled),
			TranscriptionEnabled: types.BoolPointerValue(pm.TranscriptionEnabled),
		},
		UI: &presetUIModel{DesignTokens: presetDesignTokensModel{
			BorderRadius: u.BorderRadius,
			BorderWidth:  u.BorderWidth,
			Colors: presetColorsModel{
				Background: nonNilMap(u.Colors.Background), Brand: nonNilMap(u.Colors.Brand), Danger: u.Colors.Danger, Success: u.Colors.Success,
				Text: u.Colors.Text, TextOnBrand: u.Colors.TextOnBrand, VideoBg: u.Colors.VideoBg, Warning: u.Colors.Warning,
			},
			SpacingBase: u.SpacingBase,
			Theme:       u.Theme,
			FontFamily:  types.StringPointerValue(u.FontFamily),
			GoogleFont:  types.StringPointerValue(u.GoogleFont),
			Logo:        types.StringPointerValue(u.Logo),
		}},
		CreatedAt: stringOrNull(p.CreatedAt),
		UpdatedAt: stringOrNull(p.UpdatedAt),
	}, diags
}

// removedPlugins lists the plugin ids in prior and not in planned.
func removedPlugins(prior, planned *presetPermissionsModel) []string {
	if prior == nil {
		return nil
	}
	var gone []string
	for id := range prior.Plugins.Config {
		if _, kept := planned.Plugins.Config[id]; !kept {
			gone = append(gone, id)
		}
	}
	return gone
}

// boolRef is v as an optional member of a request: nil when null or unknown.
func boolRef(v types.Bool) *bool {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	b := v.ValueBool()
	return &b
}

// stringRef is v as an optional member of a request: nil when null or unknown.
func stringRef(v types.String) *string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	s := v.ValueString()
	return &s
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
