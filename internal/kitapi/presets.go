package kitapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

// A preset is a set of permissions, media settings and UI theme that an
// app's meeting participants join with (a host's, a viewer's...). The
// shapes below follow the API's own names; optional members are pointers
// (or nil maps and slices) so that what was not set is not sent.

// PresetBody is a preset's content: what a create sends, and what an
// update sends whole.
type PresetBody struct {
	Name        string            `json:"name"`
	Config      PresetConfig      `json:"config"`
	Permissions PresetPermissions `json:"permissions"`
	UI          PresetUI          `json:"ui"`
}

// Preset is a preset as the API answers a GET.
type Preset struct {
	ID string `json:"id"`
	PresetBody
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// PresetConfig is the meeting's media and layout settings.
type PresetConfig struct {
	MaxScreenshareCount       int64           `json:"max_screenshare_count"`
	MaxVideoStreams           MaxVideoStreams `json:"max_video_streams"`
	Media                     ConfigMedia     `json:"media"`
	ViewType                  string          `json:"view_type"`
	LivestreamViewerQualities *[]int64        `json:"livestream_viewer_qualities,omitempty"`
}

// MaxVideoStreams is how many video streams a device shows at once.
type MaxVideoStreams struct {
	Desktop int64 `json:"desktop"`
	Mobile  int64 `json:"mobile"`
}

// ConfigMedia is the quality of what participants send.
type ConfigMedia struct {
	Screenshare MediaScreenshare `json:"screenshare"`
	Video       MediaVideo       `json:"video"`
	Audio       *MediaAudio      `json:"audio,omitempty"`
}

// MediaScreenshare is the frame rate and quality of screen shares.
type MediaScreenshare struct {
	FrameRate int64  `json:"frame_rate"`
	Quality   string `json:"quality"`
}

// MediaVideo is the frame rate and quality of participants' video.
type MediaVideo struct {
	FrameRate int64  `json:"frame_rate"`
	Quality   string `json:"quality"`
	Simulcast *bool  `json:"simulcast,omitempty"`
}

// MediaAudio is the audio quality.
type MediaAudio struct {
	EnableHighBitrate *bool `json:"enable_high_bitrate,omitempty"`
	EnableStereo      *bool `json:"enable_stereo,omitempty"`
}

// PresetPermissions is what a participant with the preset may do.
type PresetPermissions struct {
	AcceptWaitingRequests           bool `json:"accept_waiting_requests"`
	CanAcceptProductionRequests     bool `json:"can_accept_production_requests"`
	CanChangeParticipantPermissions bool `json:"can_change_participant_permissions"`
	CanEditDisplayName              bool `json:"can_edit_display_name"`
	CanLivestream                   bool `json:"can_livestream"`
	CanRecord                       bool `json:"can_record"`
	CanSpotlight                    bool `json:"can_spotlight"`
	DisableParticipantAudio         bool `json:"disable_participant_audio"`
	DisableParticipantScreensharing bool `json:"disable_participant_screensharing"`
	DisableParticipantVideo         bool `json:"disable_participant_video"`
	HiddenParticipant               bool `json:"hidden_participant"`
	KickParticipant                 bool `json:"kick_participant"`
	PinParticipant                  bool `json:"pin_participant"`
	ShowParticipantList             bool `json:"show_participant_list"`

	Chat              PermissionsChat    `json:"chat"`
	ConnectedMeetings ConnectedMeetings  `json:"connected_meetings"`
	Media             PermissionsMedia   `json:"media"`
	Plugins           PermissionsPlugins `json:"plugins"`
	Polls             PermissionsPolls   `json:"polls"`
	RecorderType      string             `json:"recorder_type"`
	WaitingRoomType   string             `json:"waiting_room_type"`

	AcceptStageRequests  *bool   `json:"accept_stage_requests,omitempty"`
	IsRecorder           *bool   `json:"is_recorder,omitempty"`
	StageAccess          *string `json:"stage_access,omitempty"`
	StageEnabled         *bool   `json:"stage_enabled,omitempty"`
	TranscriptionEnabled *bool   `json:"transcription_enabled,omitempty"`
}

// PermissionsChat is what a participant may do in chat.
type PermissionsChat struct {
	Private ChatPrivate `json:"private"`
	Public  ChatPublic  `json:"public"`
}

// ChatPrivate is what a participant may do in private chat.
type ChatPrivate struct {
	CanReceive bool `json:"can_receive"`
	CanSend    bool `json:"can_send"`
	Files      bool `json:"files"`
	Text       bool `json:"text"`
}

// ChatPublic is what a participant may do in public chat.
type ChatPublic struct {
	CanSend bool `json:"can_send"`
	Files   bool `json:"files"`
	Text    bool `json:"text"`
}

// ConnectedMeetings is what a participant may do with connected meetings
// (breakout rooms).
type ConnectedMeetings struct {
	CanAlterConnectedMeetings  bool `json:"can_alter_connected_meetings"`
	CanSwitchConnectedMeetings bool `json:"can_switch_connected_meetings"`
	CanSwitchToParentMeeting   bool `json:"can_switch_to_parent_meeting"`
}

// PermissionsMedia is whether a participant may send each kind of media:
// ALLOWED, NOT_ALLOWED or CAN_REQUEST.
type PermissionsMedia struct {
	Audio       CanProduce `json:"audio"`
	Screenshare CanProduce `json:"screenshare"`
	Video       CanProduce `json:"video"`
}

// CanProduce is whether a participant may send one kind of media.
type CanProduce struct {
	CanProduce string `json:"can_produce"`
}

// PermissionsPlugins is what a participant may do with plugins. Config is
// keyed by plugin id; in an update, a nil entry removes the plugin's
// config (the API merges an update into the preset, so an entry left out
// would stay).
type PermissionsPlugins struct {
	CanClose      bool                     `json:"can_close"`
	CanEditConfig bool                     `json:"can_edit_config"`
	CanStart      bool                     `json:"can_start"`
	Config        map[string]*PluginConfig `json:"config"`
}

// PluginConfig is a participant's access to one plugin.
type PluginConfig struct {
	AccessControl   *string `json:"access_control,omitempty"`
	HandlesViewOnly *bool   `json:"handles_view_only,omitempty"`
}

// PermissionsPolls is what a participant may do with polls.
type PermissionsPolls struct {
	CanCreate bool `json:"can_create"`
	CanView   bool `json:"can_view"`
	CanVote   bool `json:"can_vote"`
}

// PresetUI is the look of the meeting.
type PresetUI struct {
	DesignTokens DesignTokens `json:"design_tokens"`
}

// DesignTokens is the meeting's theme.
type DesignTokens struct {
	BorderRadius string       `json:"border_radius"`
	BorderWidth  string       `json:"border_width"`
	Colors       DesignColors `json:"colors"`
	SpacingBase  float64      `json:"spacing_base"`
	Theme        string       `json:"theme"`
	FontFamily   *string      `json:"font_family,omitempty"`
	GoogleFont   *string      `json:"google_font,omitempty"`
	Logo         *string      `json:"logo,omitempty"`
}

// DesignColors is the meeting's palette. Background and Brand are keyed by
// shade ("600", "700"...): the API names them with numbers.
type DesignColors struct {
	Background  map[string]string `json:"background"`
	Brand       map[string]string `json:"brand"`
	Danger      string            `json:"danger"`
	Success     string            `json:"success"`
	Text        string            `json:"text"`
	TextOnBrand string            `json:"text_on_brand"`
	VideoBg     string            `json:"video_bg"`
	Warning     string            `json:"warning"`
}

// PresetSummary is a preset as the API lists it.
type PresetSummary struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func presetsPath(accountID, appID string) string { return kitPath(accountID, appID, "presets") }

func presetPath(accountID, appID, presetID string) string {
	return kitPath(accountID, appID, "presets", presetID)
}

// CreatePreset creates a preset in the app. Its answer is used only for
// the new preset's id; the caller reads the preset back. When
// callsapi.MaybeProcessed(err), the preset may exist nonetheless.
func (c *Client) CreatePreset(ctx context.Context, accountID, appID string, body PresetBody) (*Preset, error) {
	return create(ctx, c, presetsPath(accountID, appID), body, "preset", func(p *Preset) string { return p.ID })
}

// GetPreset reads one preset.
func (c *Client) GetPreset(ctx context.Context, accountID, appID, presetID string) (*Preset, error) {
	return get[Preset](ctx, c, presetPath(accountID, appID, presetID))
}

// presetsPerPage is the page size ListPresets asks for.
const presetsPerPage = 100

// ListPresets returns every preset of the app, reading every page
// (listPages: paging that goes wrong is an error, never a shorter list, so
// that a caller looking for a preset does not take "not listed" for "not
// there").
func (c *Client) ListPresets(ctx context.Context, accountID, appID string) ([]PresetSummary, error) {
	return listPages(ctx, c, "presets", presetsPerPage, func(page int) string {
		q := url.Values{"page_no": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(presetsPerPage)}}
		return presetsPath(accountID, appID) + "?" + q.Encode()
	}, func(p PresetSummary) string { return p.ID })
}

// UpdatePreset writes body over the preset (a PATCH, which the API merges
// into what it holds). Its answer is not returned: it lacks the preset's
// id and echoes fields that were not sent; read the preset back instead.
func (c *Client) UpdatePreset(ctx context.Context, accountID, appID, presetID string, body PresetBody) error {
	return c.api.Do(ctx, callsapi.Request{Method: http.MethodPatch, Path: presetPath(accountID, appID, presetID), Body: body})
}

// DeletePreset deletes a preset.
func (c *Client) DeletePreset(ctx context.Context, accountID, appID, presetID string) error {
	return c.api.Do(ctx, callsapi.Request{Method: http.MethodDelete, Path: presetPath(accountID, appID, presetID)})
}

// PresetsCommand is a shell command that lists the app's presets, for a
// user who must look for one later; it names the credentials' environment
// variables, never their values.
func (c *Client) PresetsCommand(accountID, appID string) string {
	return c.api.CurlCommand(presetsPath(accountID, appID) + "?per_page=100")
}
