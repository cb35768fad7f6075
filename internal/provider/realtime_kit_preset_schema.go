package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The body of cloudflare_realtime_kit_preset: config, permissions and ui,
// as nested attributes named as the API names them. Every optional member
// is also computed: the API fills some it was not sent (simulcast, audio),
// and its value is kept from state when the configuration leaves it out, so
// that an apply never plans a change the API would not make.

// The API's enumerations.
var (
	presetQualities         = []string{"hd", "vga", "qvga", "fhd", "uhd"}
	presetViewTypes         = []string{"GROUP_CALL", "WEBINAR", "AUDIO_ROOM", "LIVESTREAM"}
	presetCanProduce        = []string{"ALLOWED", "NOT_ALLOWED", "CAN_REQUEST"}
	presetAccessControls    = []string{"FULL_ACCESS", "VIEW_ONLY"}
	presetRecorderTypes     = []string{"RECORDER", "LIVESTREAMER", "NONE"}
	presetWaitingRoomTypes  = []string{"SKIP", "ON_PRIVILEGED_USER_ENTRY", "SKIP_ON_ACCEPT"}
	presetBorderRadii       = []string{"sharp", "rounded", "extra-rounded", "circular"}
	presetBorderWidths      = []string{"none", "thin", "fat"}
	presetThemes            = []string{"darkest", "dark", "light"}
	presetBackgroundShades  = []string{"600", "700", "800", "900", "1000"}
	presetBrandShades       = []string{"300", "400", "500", "600", "700"}
	presetMaxVideoFrameRate = int64(30)
)

// oneOf is "one of `a`, `b` or `c`", for descriptions.
func oneOf(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	return "One of " + strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1] + "."
}

// keptNote ends the description of every optional member.
const keptNote = " Optional: when left out, the API's value is kept (the API may fill one in), and removing it from the configuration leaves the preset's value as it is."

func requiredBool(desc string) schema.BoolAttribute {
	return schema.BoolAttribute{MarkdownDescription: desc, Required: true}
}

func optionalBool(desc string) schema.BoolAttribute {
	return schema.BoolAttribute{MarkdownDescription: desc + keptNote, Optional: true, Computed: true,
		PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}}
}

func requiredEnum(desc string, values []string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: desc + " " + oneOf(values), Required: true,
		Validators: []validator.String{stringvalidator.OneOf(values...)}}
}

func optionalString(desc string, validators ...validator.String) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: desc + keptNote, Optional: true, Computed: true, Validators: validators,
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
}

func requiredString(desc string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: desc, Required: true}
}

func requiredObject(desc string, attrs map[string]schema.Attribute) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{MarkdownDescription: desc, Required: true, Attributes: attrs}
}

func bools(desc func(name string) string, names ...string) map[string]schema.Attribute {
	attrs := make(map[string]schema.Attribute, len(names))
	for _, n := range names {
		attrs[n] = requiredBool(desc(n))
	}
	return attrs
}

func mediaPermission(what string) schema.SingleNestedAttribute {
	return requiredObject("May the participant send "+what+"?", map[string]schema.Attribute{
		"can_produce": requiredEnum("`ALLOWED`: whenever the participant likes; `NOT_ALLOWED`: never; `CAN_REQUEST`: only when a host accepts the request.", presetCanProduce),
	})
}

func shades(desc string, keys []string) schema.MapAttribute {
	return schema.MapAttribute{
		MarkdownDescription: fmt.Sprintf("%s, by shade: a map with exactly the keys %s (the API names these members with numbers, "+
			"which Terraform does not allow as attribute names, hence a map).", desc, strings.Join(quoteAll(keys), ", ")),
		Required:    true,
		ElementType: types.StringType,
		Validators: []validator.Map{
			mapvalidator.SizeBetween(len(keys), len(keys)),
			mapvalidator.KeysAre(stringvalidator.OneOf(keys...)),
		},
	}
}

func quoteAll(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = `"` + v + `"`
	}
	return out
}

func presetConfigAttribute() schema.SingleNestedAttribute {
	quality := func(what string) schema.StringAttribute { return requiredEnum("Quality of "+what+".", presetQualities) }
	return requiredObject("Media and layout of meetings joined with this preset.", map[string]schema.Attribute{
		"max_screenshare_count": schema.Int64Attribute{MarkdownDescription: "The most screen shares active at once.", Required: true,
			Validators: []validator.Int64{int64validator.AtLeast(0)}},
		"max_video_streams": requiredObject("The most video streams a device shows at once.", map[string]schema.Attribute{
			"desktop": schema.Int64Attribute{MarkdownDescription: "On desktop devices.", Required: true, Validators: []validator.Int64{int64validator.AtLeast(0)}},
			"mobile":  schema.Int64Attribute{MarkdownDescription: "On mobile devices.", Required: true, Validators: []validator.Int64{int64validator.AtLeast(0)}},
		}),
		"media": requiredObject("Quality of what participants send.", map[string]schema.Attribute{
			"screenshare": requiredObject("Screen shares.", map[string]schema.Attribute{
				"frame_rate": schema.Int64Attribute{MarkdownDescription: "Frame rate of screen shares, at least 1.", Required: true,
					Validators: []validator.Int64{int64validator.AtLeast(1)}},
				"quality": quality("screen shares"),
			}),
			"video": requiredObject("Participants' video.", map[string]schema.Attribute{
				"frame_rate": schema.Int64Attribute{MarkdownDescription: fmt.Sprintf("Frame rate of participants' video, 1 to %d.", presetMaxVideoFrameRate),
					Required: true, Validators: []validator.Int64{int64validator.Between(1, presetMaxVideoFrameRate)}},
				"quality":   quality("participants' video"),
				"simulcast": optionalBool("Whether participants' video is sent in several qualities (simulcast)."),
			}),
			"audio": schema.SingleNestedAttribute{
				MarkdownDescription: "Audio quality." + keptNote,
				Optional:            true,
				Computed:            true,
				PlanModifiers:       []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes: map[string]schema.Attribute{
					"enable_high_bitrate": optionalBool("High-quality audio."),
					"enable_stereo":       optionalBool("Stereo audio."),
				},
			},
		}),
		"view_type": requiredEnum("The kind of meeting.", presetViewTypes),
		"livestream_viewer_qualities": schema.ListAttribute{
			MarkdownDescription: "The quality levels livestream viewers may choose among, as numbers (the API's type); at least one when set." + keptNote,
			Optional:            true,
			Computed:            true,
			ElementType:         types.Int64Type,
			Validators:          []validator.List{listvalidator.SizeAtLeast(1)},
			PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
		},
	})
}

func presetPermissionsAttribute() schema.SingleNestedAttribute {
	// may describes a flag by what it lets the participant do.
	may := func(name string) string {
		what := map[string]string{
			"can_receive":                   "receive private messages",
			"can_send":                      "send messages",
			"files":                         "send files",
			"text":                          "send text",
			"can_alter_connected_meetings":  "create, change and close connected meetings",
			"can_switch_connected_meetings": "move between connected meetings",
			"can_switch_to_parent_meeting":  "go back to the parent meeting",
			"can_create":                    "create polls",
			"can_view":                      "see polls",
			"can_vote":                      "vote in polls",
		}[name]
		return "Whether the participant may " + what + "."
	}
	attrs := map[string]schema.Attribute{}
	for name, desc := range map[string]string{
		"accept_waiting_requests":            "Whether the participant may let in participants from the waiting room.",
		"can_accept_production_requests":     "Whether the participant may accept others' requests to send media.",
		"can_change_participant_permissions": "Whether the participant may change other participants' permissions.",
		"can_edit_display_name":              "Whether the participant may change their display name.",
		"can_livestream":                     "Whether the participant may start and stop a livestream.",
		"can_record":                         "Whether the participant may start and stop recording.",
		"can_spotlight":                      "Whether the participant may spotlight participants.",
		"disable_participant_audio":          "Whether the participant may turn other participants' audio off.",
		"disable_participant_screensharing":  "Whether the participant may stop other participants' screen shares.",
		"disable_participant_video":          "Whether the participant may turn other participants' video off.",
		"hidden_participant":                 "Whether the participant is hidden from the others.",
		"kick_participant":                   "Whether the participant may remove participants from the meeting.",
		"pin_participant":                    "Whether the participant may pin participants.",
		"show_participant_list":              "Whether the participant sees the list of participants.",
	} {
		attrs[name] = requiredBool(desc)
	}
	attrs["chat"] = requiredObject("Chat.", map[string]schema.Attribute{
		"private": requiredObject("Private chat.", bools(may, "can_receive", "can_send", "files", "text")),
		"public":  requiredObject("Public chat.", bools(may, "can_send", "files", "text")),
	})
	attrs["connected_meetings"] = requiredObject("Connected meetings (breakout rooms).",
		bools(may, "can_alter_connected_meetings", "can_switch_connected_meetings", "can_switch_to_parent_meeting"))
	attrs["media"] = requiredObject("Which media the participant may send.", map[string]schema.Attribute{
		"audio":       mediaPermission("audio"),
		"screenshare": mediaPermission("screen shares"),
		"video":       mediaPermission("video"),
	})
	attrs["plugins"] = requiredObject("Plugins.", map[string]schema.Attribute{
		"can_close":       requiredBool("Whether the participant may close plugins that are open."),
		"can_edit_config": requiredBool("Whether the participant may edit plugins' config."),
		"can_start":       requiredBool("Whether the participant may start plugins."),
		"config": schema.MapNestedAttribute{
			MarkdownDescription: "The participant's access to each plugin, by plugin id (`{}` for none). A plugin removed from the map is removed from the preset.",
			Required:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"access_control":    optionalString("The access to the plugin. "+oneOf(presetAccessControls), stringvalidator.OneOf(presetAccessControls...)),
				"handles_view_only": optionalBool("Whether the plugin handles view-only access itself."),
			}},
		},
	})
	attrs["polls"] = requiredObject("Polls.", bools(may, "can_create", "can_view", "can_vote"))
	attrs["recorder_type"] = requiredEnum("The kind of recording peer the participant is, or `NONE`.", presetRecorderTypes)
	attrs["waiting_room_type"] = requiredEnum("How the participant passes the waiting room.", presetWaitingRoomTypes)
	attrs["accept_stage_requests"] = optionalBool("Whether the participant may accept requests to join the stage.")
	attrs["is_recorder"] = optionalBool("Whether the participant is a recorder.")
	attrs["stage_access"] = optionalString("Whether the participant may join the stage. "+oneOf(presetCanProduce), stringvalidator.OneOf(presetCanProduce...))
	attrs["stage_enabled"] = optionalBool("Whether the meeting has a stage.")
	attrs["transcription_enabled"] = optionalBool("Whether the participant's speech is transcribed.")
	return requiredObject("What participants who join with this preset may do.", attrs)
}

func presetUIAttribute() schema.SingleNestedAttribute {
	color := func(what string) schema.StringAttribute {
		return requiredString("Colour of " + what + " (a CSS colour such as `#2160fd`).")
	}
	return requiredObject("The look of meetings joined with this preset.", map[string]schema.Attribute{
		"design_tokens": requiredObject("The theme.", map[string]schema.Attribute{
			"border_radius": requiredEnum("Corner roundness.", presetBorderRadii),
			"border_width":  requiredEnum("Border width.", presetBorderWidths),
			"colors": requiredObject("The palette.", map[string]schema.Attribute{
				"background":    shades("Background colours", presetBackgroundShades),
				"brand":         shades("Brand colours", presetBrandShades),
				"danger":        color("danger"),
				"success":       color("success"),
				"text":          color("text"),
				"text_on_brand": color("text on brand colours"),
				"video_bg":      color("the background of video tiles"),
				"warning":       color("warnings"),
			}),
			"spacing_base": schema.Float64Attribute{MarkdownDescription: "The base unit of spacing, at least 1.", Required: true,
				Validators: []validator.Float64{float64validator.AtLeast(1)}},
			"theme":       requiredEnum("The theme.", presetThemes),
			"font_family": optionalString("The font family."),
			"google_font": optionalString("A Google font to use."),
			"logo":        optionalString("The URL of a logo."),
		}),
	})
}
