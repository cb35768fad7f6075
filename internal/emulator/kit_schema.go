package emulator

import (
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// A schema describes the JSON a RealtimeKit object is made of. Objects are
// kept as the JSON trees encoding/json decodes (map[string]any, []any,
// string, float64, bool), checked against their schema, so that a PATCH is
// a merge of two trees and the state file holds what the wire carries.
type schema struct {
	typ    valueType
	fields []field          // typeObject, in the order errors are looked for
	values []string         // typeEnum
	elem   *schema          // typeArray, typeMap: every element, every member
	min    *float64         // typeInt, typeNumber
	max    *float64         // typeInt, typeNumber
	filled bool             // typeString, typeArray: not empty
	check  func(any) string // typeString: a further check, "" when fine
}

type valueType int

const (
	typeObject valueType = iota // fixed members
	typeMap                     // any members, each an elem
	typeArray
	typeBool
	typeInt
	typeNumber
	typeString
	typeEnum
)

// field is a member of an object. def is filled in when the member is
// absent from what is written; echo likewise, but only under the quirk
// KitQuirks.EchoUnsentDefaults.
type field struct {
	name     string
	schema   *schema
	required bool
	def      any
	echo     any
}

func required(name string, s *schema) field { return field{name: name, schema: s, required: true} }
func optional(name string, s *schema) field { return field{name: name, schema: s} }

func objectOf(fields ...field) *schema { return &schema{typ: typeObject, fields: fields} }
func mapOf(elem *schema) *schema       { return &schema{typ: typeMap, elem: elem} }
func arrayOf(elem *schema) *schema     { return &schema{typ: typeArray, elem: elem} }
func enum(values ...string) *schema    { return &schema{typ: typeEnum, values: values} }

// integer is a whole number from lo, and up to hi unless hi is NaN.
func integer(lo, hi float64) *schema {
	s := &schema{typ: typeInt, min: &lo}
	if !math.IsNaN(hi) {
		s.max = &hi
	}
	return s
}

// number is a number from lo.
func number(lo float64) *schema { return &schema{typ: typeNumber, min: &lo} }

var (
	boolean       = &schema{typ: typeBool}
	text          = &schema{typ: typeString}
	nonEmptyText  = &schema{typ: typeString, filled: true}
	naturalNumber = integer(0, math.NaN())
	frameRate     = integer(1, math.NaN())
	httpURL       = &schema{typ: typeString, filled: true, check: func(v any) string {
		u, err := url.Parse(v.(string))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "must be an absolute http or https URL"
		}
		return ""
	}}
)

// bools is an object of required booleans.
func bools(names ...string) *schema {
	s := objectOf()
	for _, n := range names {
		s.fields = append(s.fields, required(n, boolean))
	}
	return s
}

// texts is an object of required strings.
func texts(names ...string) *schema {
	s := objectOf()
	for _, n := range names {
		s.fields = append(s.fields, required(n, text))
	}
	return s
}

// kitAppSchema is the body of an app's creation.
var kitAppSchema = objectOf(required("name", nonEmptyText))

// WebhookEvents are the events a RealtimeKit webhook can subscribe to.
var WebhookEvents = []string{
	"meeting.started", "meeting.ended", "meeting.participantJoined", "meeting.participantLeft",
	"meeting.chatSynced", "recording.statusUpdate", "livestreaming.statusUpdate",
	"meeting.transcript", "meeting.summary",
}

var kitWebhookSchema = objectOf(
	required("name", nonEmptyText),
	required("url", httpURL),
	required("events", &schema{typ: typeArray, elem: enum(WebhookEvents...), filled: true}),
	field{name: "enabled", schema: boolean, def: true},
)

var kitPresetSchema = func() *schema {
	quality := enum("hd", "vga", "qvga", "fhd", "uhd")
	canProduce := objectOf(required("can_produce", enum("ALLOWED", "NOT_ALLOWED", "CAN_REQUEST")))
	config := objectOf(
		required("max_screenshare_count", naturalNumber),
		required("max_video_streams", objectOf(required("desktop", naturalNumber), required("mobile", naturalNumber))),
		required("media", objectOf(
			required("screenshare", objectOf(required("frame_rate", frameRate), required("quality", quality))),
			required("video", objectOf(
				required("frame_rate", integer(1, 30)),
				required("quality", quality),
				field{name: "simulcast", schema: boolean, echo: false},
			)),
			field{name: "audio", schema: objectOf(
				field{name: "enable_high_bitrate", schema: boolean, echo: false},
				field{name: "enable_stereo", schema: boolean, echo: false},
			), echo: map[string]any{}},
		)),
		required("view_type", enum("GROUP_CALL", "WEBINAR", "AUDIO_ROOM", "LIVESTREAM")),
		optional("livestream_viewer_qualities", arrayOf(naturalNumber)),
	)
	permissions := bools(
		"accept_waiting_requests", "can_accept_production_requests", "can_change_participant_permissions",
		"can_edit_display_name", "can_livestream", "can_record", "can_spotlight", "disable_participant_audio",
		"disable_participant_screensharing", "disable_participant_video", "hidden_participant",
		"kick_participant", "pin_participant", "show_participant_list",
	)
	permissions.fields = append(permissions.fields,
		required("chat", objectOf(
			required("private", bools("can_receive", "can_send", "files", "text")),
			required("public", bools("can_send", "files", "text")),
		)),
		required("connected_meetings", bools("can_alter_connected_meetings", "can_switch_connected_meetings", "can_switch_to_parent_meeting")),
		required("media", objectOf(required("audio", canProduce), required("screenshare", canProduce), required("video", canProduce))),
		required("plugins", objectOf(
			required("can_close", boolean), required("can_edit_config", boolean), required("can_start", boolean),
			// Cloudflare's SDK types make both members of an entry optional.
			required("config", mapOf(objectOf(
				optional("access_control", enum("FULL_ACCESS", "VIEW_ONLY")),
				optional("handles_view_only", boolean),
			))),
		)),
		required("polls", bools("can_create", "can_view", "can_vote")),
		required("recorder_type", enum("RECORDER", "LIVESTREAMER", "NONE")),
		required("waiting_room_type", enum("SKIP", "ON_PRIVILEGED_USER_ENTRY", "SKIP_ON_ACCEPT")),
		optional("accept_stage_requests", boolean),
		optional("is_recorder", boolean),
		optional("stage_access", enum("ALLOWED", "NOT_ALLOWED", "CAN_REQUEST")),
		optional("stage_enabled", boolean),
		optional("transcription_enabled", boolean),
	)
	ui := objectOf(required("design_tokens", objectOf(
		required("border_radius", enum("sharp", "rounded", "extra-rounded", "circular")),
		required("border_width", enum("none", "thin", "fat")),
		required("colors", objectOf(
			required("background", texts("600", "700", "800", "900", "1000")),
			required("brand", texts("300", "400", "500", "600", "700")),
			required("danger", text), required("success", text), required("text", text),
			required("text_on_brand", text), required("video_bg", text), required("warning", text),
		)),
		required("spacing_base", number(1)),
		required("theme", enum("darkest", "dark", "light")),
		optional("font_family", text),
		optional("google_font", text),
		optional("logo", text),
	)))
	return objectOf(required("name", nonEmptyText), required("config", config), required("permissions", permissions), required("ui", ui))
}()

// fieldError is a value that does not fit its schema; path names it
// (config.media.video.frame_rate, events[2]).
type fieldError struct{ path, problem string }

func (e *fieldError) Error() string { return e.path + " " + e.problem }

// validate checks v against s. With partial (a PATCH), no member is
// required; a null stands for a member to remove, so it is refused only
// where the member is required. Without partial, a null member counts as
// absent.
func (s *schema) validate(v any, path string, partial bool) *fieldError {
	bad := func(problem string) *fieldError { return &fieldError{path, problem} }
	switch s.typ {
	case typeObject, typeMap:
		m, ok := v.(map[string]any)
		if !ok {
			return bad("must be an object")
		}
		if s.typ == typeMap {
			for _, k := range slices.Sorted(maps.Keys(m)) {
				if m[k] == nil {
					continue // removes the entry
				}
				if err := s.elem.validate(m[k], join(path, k), partial); err != nil {
					return err
				}
			}
			return nil
		}
		for _, f := range s.fields {
			fv, present := m[f.name]
			switch {
			case fv == nil && f.required && (present || !partial):
				if present {
					return &fieldError{join(path, f.name), "must not be null"}
				}
				return &fieldError{join(path, f.name), "is required"}
			case fv == nil:
			default:
				if err := f.schema.validate(fv, join(path, f.name), partial); err != nil {
					return err
				}
			}
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if !slices.ContainsFunc(s.fields, func(f field) bool { return f.name == k }) {
				return &fieldError{join(path, k), "is not a known field"}
			}
		}
	case typeArray:
		a, ok := v.([]any)
		if !ok {
			return bad("must be an array")
		}
		if s.filled && len(a) == 0 {
			return bad("must not be empty")
		}
		for i, e := range a {
			if err := s.elem.validate(e, path+"["+strconv.Itoa(i)+"]", partial); err != nil {
				return err
			}
		}
	case typeBool:
		if _, ok := v.(bool); !ok {
			return bad("must be a boolean")
		}
	case typeInt, typeNumber:
		n, ok := v.(float64)
		if !ok || s.typ == typeInt && n != math.Trunc(n) {
			return bad(map[valueType]string{typeInt: "must be an integer", typeNumber: "must be a number"}[s.typ])
		}
		if s.min != nil && n < *s.min {
			return bad("must be at least " + strconv.FormatFloat(*s.min, 'g', -1, 64))
		}
		if s.max != nil && n > *s.max {
			return bad("must be at most " + strconv.FormatFloat(*s.max, 'g', -1, 64))
		}
	case typeString:
		str, ok := v.(string)
		if !ok {
			return bad("must be a string")
		}
		if s.filled && str == "" {
			return bad("must not be empty")
		}
		if s.check != nil {
			if problem := s.check(v); problem != "" {
				return bad(problem)
			}
		}
	case typeEnum:
		if str, ok := v.(string); !ok || !slices.Contains(s.values, str) {
			return bad("must be one of " + strings.Join(s.values, ", "))
		}
	}
	return nil
}

func join(path, member string) string {
	if path == "" {
		return member
	}
	return path + "." + member
}

// fill adds to the object m, in place, the defaults of the members it
// lacks, and with echo the echoed ones too, at every depth.
func (s *schema) fill(m map[string]any, echo bool) {
	for _, f := range s.fields {
		if _, present := m[f.name]; !present {
			switch {
			case f.def != nil:
				m[f.name] = deepCopy(f.def)
			case echo && f.echo != nil:
				m[f.name] = deepCopy(f.echo)
			}
		}
		if sub, ok := m[f.name].(map[string]any); ok && f.schema.typ == typeObject {
			f.schema.fill(sub, echo)
		}
	}
}

// merge is dst with patch merged in, as RFC 7396 merges: an object merges
// member by member at every depth, null removes a member, anything else
// replaces it. Neither argument is changed; dst may be nil.
func merge(dst, patch map[string]any) map[string]any {
	out := make(map[string]any, len(dst)+len(patch))
	for k, v := range dst {
		out[k] = deepCopy(v)
	}
	for k, v := range patch {
		switch pv := v.(type) {
		case nil:
			delete(out, k)
		case map[string]any:
			sub, _ := out[k].(map[string]any)
			out[k] = merge(sub, pv)
		default:
			out[k] = deepCopy(pv)
		}
	}
	return out
}

// deepCopy copies a JSON tree.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// build is the object a create or a whole replacement writes: body, valid
// against s, without its nulls and with its defaults.
func (s *schema) build(body map[string]any, echo bool) (map[string]any, error) {
	if err := s.validate(body, "", false); err != nil {
		return nil, err
	}
	m := merge(nil, body)
	s.fill(m, echo)
	return m, nil
}

// patch is what a PATCH of fields with patch writes. The patch is checked
// where present; its result needs no check of its own, since no member a
// patch may add (a plugin's entry, the audio settings) has a required member.
func (s *schema) patch(fields, patch map[string]any, echo bool) (map[string]any, error) {
	if err := s.validate(patch, "", true); err != nil {
		return nil, err
	}
	m := merge(fields, patch)
	s.fill(m, echo)
	return m, nil
}
