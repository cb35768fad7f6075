package provider

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// The story of cloudflare_realtime_kit_preset on the real CLI, against an
// emulator with every RealtimeKit quirk of the live API on: the PATCH answer
// without the id, and fields echoed that were never sent.

const presetAddr = "cloudflare_realtime_kit_preset.test"

// kitEmulator (realtime_kit_webhook_lifecycle_test.go) gives an emulator
// with every RealtimeKit quirk on and an app; mustKitApp makes another.
func mustKitApp(t *testing.T, em *emulator.Running, name string) string {
	t.Helper()
	app, err := em.CreateKitApp(testAccountID, name)
	if err != nil {
		t.Fatalf("creating a RealtimeKit app in the emulator: %v", err)
	}
	return app.ID
}

// presetSpec is what a test varies in a preset's configuration; the rest is
// a host's preset as a user would write it.
type presetSpec struct {
	appID, name  string
	frameRate    int
	videoQuality string
	viewType     string
	canRecord    bool
	theme        string
	background   string // the background map's entries
	// extra is HCL added to config.media.video, permissions and
	// design_tokens, e.g. "simulcast = true".
	videoExtra, permissionsExtra, tokensExtra string
	plugins                                   string // the plugins' config map
}

func hostPreset(appID string) presetSpec {
	return presetSpec{appID: appID, name: "host", frameRate: 30, videoQuality: "hd", viewType: "GROUP_CALL", canRecord: true, theme: "dark",
		background: `"600" = "#222222", "700" = "#1f1f1f", "800" = "#1b1b1b", "900" = "#181818", "1000" = "#141414"`, plugins: "{}"}
}

func (s presetSpec) resource() string {
	return fmt.Sprintf(`
resource "cloudflare_realtime_kit_preset" "test" {
  account_id = %[1]q
  app_id     = %[2]q
  name       = %[3]q
  config = {
    max_screenshare_count = 1
    max_video_streams     = { desktop = 9, mobile = 4 }
    media = {
      screenshare = { frame_rate = 5, quality = "hd" }
      video = {
        frame_rate = %[4]d
        quality    = %[5]q
        %[9]s
      }
    }
    view_type = %[6]q
  }
  permissions = {
    accept_waiting_requests            = true
    can_accept_production_requests     = true
    can_change_participant_permissions = true
    can_edit_display_name              = true
    can_livestream                     = false
    can_record                         = %[7]t
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
    connected_meetings = { can_alter_connected_meetings = true, can_switch_connected_meetings = true, can_switch_to_parent_meeting = true }
    media = {
      audio       = { can_produce = "ALLOWED" }
      screenshare = { can_produce = "ALLOWED" }
      video       = { can_produce = "ALLOWED" }
    }
    plugins = { can_close = true, can_edit_config = true, can_start = true, config = %[12]s }
    polls   = { can_create = true, can_view = true, can_vote = true }
    recorder_type     = "NONE"
    waiting_room_type = "SKIP_ON_ACCEPT"
    %[10]s
  }
  ui = {
    design_tokens = {
      border_radius = "rounded"
      border_width  = "thin"
      colors = {
        background    = { %[13]s }
        brand         = { "300" = "#844d1c", "400" = "#9d5b22", "500" = "#b76a27", "600" = "#d07a2d", "700" = "#e98a33" }
        danger        = "#ff2d2d"
        success       = "#62a504"
        text          = "#eeeeee"
        text_on_brand = "#eeeeee"
        video_bg      = "#191919"
        warning       = "#ffcd07"
      }
      spacing_base = 4
      theme        = %[8]q
      %[11]s
    }
  }
}
`, testAccountID, s.appID, s.name, s.frameRate, s.videoQuality, s.viewType, s.canRecord, s.theme, s.videoExtra, s.permissionsExtra,
		s.tokensExtra, s.plugins, s.background)
}

func (s presetSpec) config(em *emulator.Running) string { return providerBlock(em) + s.resource() }

// presetImportID is "<account_id>/<app_id>/<id>" of the preset in state.
func presetImportID(s *terraform.State) (string, error) {
	rs, ok := s.RootModule().Resources[presetAddr]
	if !ok {
		return "", fmt.Errorf("%s not in state", presetAddr)
	}
	a := rs.Primary.Attributes
	return a["account_id"] + "/" + a["app_id"] + "/" + a["id"], nil
}

// checkPresetsDestroyed asks the emulator whether any preset is left in
// the apps.
func checkPresetsDestroyed(em *emulator.Running, appIDs ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		for _, app := range appIDs {
			if left := em.KitPresets(testAccountID, app); len(left) != 0 {
				return fmt.Errorf("%d presets left in app %s after destroy", len(left), app)
			}
		}
		return nil
	}
}

// onlyPreset is the one preset of the app in the emulator.
func onlyPreset(em *emulator.Running, appID string) (emulator.KitPreset, error) {
	presets := em.KitPresets(testAccountID, appID)
	if len(presets) != 1 {
		return emulator.KitPreset{}, fmt.Errorf("the app holds %d presets, want 1", len(presets))
	}
	return presets[0], nil
}

// expectField checks a member of the emulator's one preset, at a dotted
// path ("config.media.video.frame_rate"); numbers are float64.
func expectField(em *emulator.Running, appID, path string, want any) resource.TestCheckFunc {
	return checkAPI(func() error {
		p, err := onlyPreset(em, appID)
		if err != nil {
			return err
		}
		var v any = p.Fields
		for _, part := range strings.Split(path, ".") {
			m, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: %v is not an object", path, v)
			}
			v = m[part]
		}
		if fmt.Sprint(v) != fmt.Sprint(want) {
			return fmt.Errorf("the API holds %s = %v, want %v", path, v, want)
		}
		return nil
	})
}

func presetValue(path ...string) tfjsonpath.Path {
	p := tfjsonpath.New(path[0])
	for _, step := range path[1:] {
		p = p.AtMapKey(step)
	}
	return p
}

// Create, a plan that stays empty although the API echoes what was not
// sent, an update in place, import, drift repaired, destroy.
func TestRealtimeKitPreset_lifecycle(t *testing.T) {
	em, app := kitEmulator(t)
	spec := hostPreset(app)
	updated := spec
	updated.frameRate, updated.videoQuality, updated.canRecord, updated.theme = 24, "fhd", false, "light"
	// The second plugin's entry leaves handles_view_only to the API, as the docs allow.
	updated.plugins = `{
	  "2f1c4b3a-6d5e-4f70-8a9b-0c1d2e3f4a5b" = { access_control = "VIEW_ONLY", handles_view_only = true }
	  "7d3e5f60-1a2b-4c3d-8e4f-5a6b7c8d9e0f" = { access_control = "FULL_ACCESS" }
	}`
	updated.permissionsExtra = `stage_access = "CAN_REQUEST"`
	var id string

	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkPresetsDestroyed(em, app),
		Steps: []resource.TestStep{
			{
				Config: spec.config(em),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(presetAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidPattern)),
					statecheck.ExpectKnownValue(presetAddr, tfjsonpath.New("name"), knownvalue.StringExact("host")),
					// Not sent, echoed by the API: taken, not planned away.
					statecheck.ExpectKnownValue(presetAddr, presetValue("config", "media", "video", "simulcast"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(presetAddr, presetValue("config", "media", "audio", "enable_stereo"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(presetAddr, presetValue("ui", "design_tokens", "colors", "background", "1000"), knownvalue.StringExact("#141414")),
					statecheck.ExpectKnownValue(presetAddr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: resource.ComposeTestCheckFunc(
					func(s *terraform.State) error { id = s.RootModule().Resources[presetAddr].Primary.ID; return nil },
					expectField(em, app, "config.media.video.frame_rate", 30),
					expectField(em, app, "permissions.waiting_room_type", "SKIP_ON_ACCEPT"),
				),
			},
			{
				Config:           spec.config(em),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: updated.config(em),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(presetAddr, plancheck.ResourceActionUpdate),
						// What the configuration leaves to the API is planned as it
						// is, not "known after apply", and so is the id.
						plancheck.ExpectKnownValue(presetAddr, presetValue("config", "media", "video", "simulcast"), knownvalue.Bool(false)),
						plancheck.ExpectKnownValue(presetAddr, presetValue("config", "media", "audio", "enable_high_bitrate"), knownvalue.Bool(false)),
						plancheck.ExpectKnownValue(presetAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidPattern)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(presetAddr, presetValue("config", "media", "video", "quality"), knownvalue.StringExact("fhd")),
					statecheck.ExpectKnownValue(presetAddr, presetValue("permissions", "stage_access"), knownvalue.StringExact("CAN_REQUEST")),
					statecheck.ExpectKnownValue(presetAddr, presetValue("config", "media", "video", "simulcast"), knownvalue.Bool(false)),
				},
				Check: resource.ComposeTestCheckFunc(
					func(s *terraform.State) error {
						if got := s.RootModule().Resources[presetAddr].Primary.ID; got != id {
							return fmt.Errorf("id %s after the update, want %s: the preset was replaced", got, id)
						}
						return nil
					},
					expectField(em, app, "config.media.video.frame_rate", 24),
					expectField(em, app, "permissions.can_record", false),
					expectField(em, app, "ui.design_tokens.theme", "light"),
					expectField(em, app, "permissions.plugins.config.2f1c4b3a-6d5e-4f70-8a9b-0c1d2e3f4a5b.access_control", "VIEW_ONLY"),
					expectField(em, app, "permissions.plugins.config.7d3e5f60-1a2b-4c3d-8e4f-5a6b7c8d9e0f.access_control", "FULL_ACCESS"),
				),
			},
			{
				ResourceName:      presetAddr,
				ImportState:       true,
				ImportStateIdFunc: presetImportID,
				ImportStateVerify: true,
			},
			{
				// Changed out of band: a permission flipped, a plugin added, the
				// name changed. The plan shows an update; the apply puts back
				// what the configuration says and removes the plugin.
				PreConfig: func() {
					p, err := onlyPreset(em, app)
					must(t, err)
					_, err = em.PatchKitPreset(testAccountID, app, p.ID, map[string]any{
						"name": "renamed by hand",
						"permissions": map[string]any{"can_record": true, "plugins": map[string]any{"config": map[string]any{
							"9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a": map[string]any{"access_control": "FULL_ACCESS", "handles_view_only": false}}}},
					})
					must(t, err)
				},
				Config: updated.config(em),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(presetAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					expectField(em, app, "name", "host"),
					expectField(em, app, "permissions.can_record", false),
					expectField(em, app, "permissions.plugins.config.9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a", nil),
					expectField(em, app, "permissions.plugins.config.2f1c4b3a-6d5e-4f70-8a9b-0c1d2e3f4a5b.access_control", "VIEW_ONLY"),
				),
			},
		},
	})
}

// A preset deleted out of band is dropped from state by the refresh and
// created again by the next apply; a destroy of one already gone succeeds.
func TestRealtimeKitPreset_deletedOutOfBandIsRecreated(t *testing.T) {
	em, app := kitEmulator(t)
	spec := hostPreset(app)
	deleteIt := func() {
		p, err := onlyPreset(em, app)
		must(t, err)
		must(t, em.DeleteKitPreset(testAccountID, app, p.ID))
	}
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkPresetsDestroyed(em, app),
		Steps: []resource.TestStep{
			{Config: spec.config(em)},
			{
				PreConfig: deleteIt,
				Config:    spec.config(em),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(presetAddr, plancheck.ResourceActionCreate)},
				},
				Check: checkAPI(func() error { _, err := onlyPreset(em, app); return err }),
			},
			{
				PreConfig: deleteIt,
				Config:    providerBlock(em),
			},
		},
	})
}

// A create whose read-back fails keeps the preset it made: the state holds
// what was sent, the next refresh fills in the rest, and nothing is
// replaced or made twice.
func TestRealtimeKitPreset_readBackFailureKeepsThePreset(t *testing.T) {
	em, app := kitEmulator(t)
	spec := hostPreset(app)
	inject(t, em, emulator.Fault{Kind: emulator.FaultStatus, Status: 502, Method: "GET",
		Route: "/accounts/{account_id}/realtime/kit/{app_id}/presets/{preset_id}", Count: 1})
	config := providerConfig(em.URL, testToken, "max_retries = 0") + spec.resource()
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkPresetsDestroyed(em, app),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(presetAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidPattern)),
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			Check: resource.ComposeTestCheckFunc(
				checkAPI(func() error { _, err := onlyPreset(em, app); return err }),
				checkAPI(func() error {
					if n := em.Statuses()[502]; n != 1 {
						return fmt.Errorf("%d answers were 502, want the one read-back", n)
					}
					return nil
				}),
			),
		}},
	})
}

// A change of app_id replaces the preset: the new one is in the new app,
// and the old app holds none.
func TestRealtimeKitPreset_appChangeReplaces(t *testing.T) {
	em, app := kitEmulator(t)
	other := mustKitApp(t, em, "other meetings")
	moved := hostPreset(other)
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkPresetsDestroyed(em, app, other),
		Steps: []resource.TestStep{
			{Config: hostPreset(app).config(em)},
			{
				Config: moved.config(em),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(presetAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(presetAddr, tfjsonpath.New("app_id"), knownvalue.StringExact(other)),
				},
				Check: resource.ComposeTestCheckFunc(
					checkPresetsDestroyed(em, app),
					checkAPI(func() error { _, err := onlyPreset(em, other); return err }),
				),
			},
		},
	})
}

// Values the API would refuse are refused at plan time, and nothing is
// sent: each enum, the video frame rate's limit, the shades' keys, the ids.
func TestRealtimeKitPreset_badInputRefusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	em := startEmulator(t, emulator.Options{Tokens: []string{testToken}, KitQuirks: emulator.AllKitQuirks()})
	const app = "0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f"
	bad := map[string]func(s *presetSpec) string{
		"frame_rate 31": func(s *presetSpec) string {
			s.frameRate = 31
			return `frame_rate value must be between 1 and 30, got: 31`
		},
		"frame_rate 0": func(s *presetSpec) string {
			s.frameRate = 0
			return `frame_rate value must be between 1 and 30, got: 0`
		},
		"quality":   func(s *presetSpec) string { s.videoQuality = "4k"; return `quality value must be one of:.*"hd"` },
		"view_type": func(s *presetSpec) string { s.viewType = "MEETING"; return `view_type value must be one of` },
		"theme":     func(s *presetSpec) string { s.theme = "blue"; return `theme value must be one of` },
		"background missing 1000": func(s *presetSpec) string {
			s.background = `"600" = "#222222", "700" = "#1f1f1f", "800" = "#1b1b1b", "900" = "#181818"`
			return `background map must contain at least 5 elements`
		},
		"background key 500": func(s *presetSpec) string {
			s.background = `"500" = "#222222", "700" = "#1f1f1f", "800" = "#1b1b1b", "900" = "#181818", "1000" = "#141414"`
			return `background.*value must be one of`
		},
		"stage_access": func(s *presetSpec) string {
			s.permissionsExtra = `stage_access = "MAYBE"`
			return `stage_access value must be one of`
		},
		"access_control": func(s *presetSpec) string {
			s.plugins = `{ p = { access_control = "ADMIN" } }`
			return `access_control value must be one of`
		},
		"app_id": func(s *presetSpec) string { s.appID = "not-a-uuid"; return `app_id.*must be a RealtimeKit app id` },
	}
	var names []string
	for name := range bad {
		names = append(names, name)
	}
	expectRefusedBeforeAnyRequest(t, em, names, func(name string) resource.TestStep {
		s := hostPreset(app)
		want := bad[name](&s)
		// The CLI wraps the message's lines wherever it likes.
		want = strings.ReplaceAll(want, " ", `\s+`)
		return resource.TestStep{Config: s.config(em), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)` + want)}
	})
}

// A malformed import id is refused with the expected form, before any request.
func TestRealtimeKitPreset_malformedImportIDIsRefused(t *testing.T) {
	t.Parallel()
	em := startEmulator(t, emulator.Options{Tokens: []string{testToken}})
	const uuid = "0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f"
	ids := []string{"x", testAccountID + "/" + uuid, testAccountID + "/" + uuid + "/not-a-uuid", "ABC/" + uuid + "/" + uuid}
	expectRefusedBeforeAnyRequest(t, em, ids, func(id string) resource.TestStep {
		return resource.TestStep{
			Config:        hostPreset(uuid).config(em),
			ResourceName:  presetAddr,
			ImportState:   true,
			ImportStateId: id,
			ExpectError:   regexp.MustCompile(`(?s)Invalid import id for RealtimeKit preset.*expected <account_id>/<app_id>/<preset_id>`),
		}
	})
}

// A create whose answer is lost is not retried, and the error names the
// preset the API made with the command that imports it; following it leaves
// one preset, in state, and an empty plan.
func TestRealtimeKitPreset_lostCreateNamesTheImportCommand(t *testing.T) {
	em, app := kitEmulator(t)
	spec := hostPreset(app)
	// A preset of another name, just made: not a candidate.
	viewer, err := em.CreateKitPreset(testAccountID, app, presetJSON(t, "viewer"))
	must(t, err)
	inject(t, em, emulator.Fault{Kind: emulator.FaultDropAfter, Method: "POST", Route: "/accounts/{account_id}/realtime/kit/{app_id}/presets", Count: 1})
	var orphan string
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy: checkAPI(func() error {
			if left := em.KitPresets(testAccountID, app); len(left) != 1 || left[0].ID != viewer.ID {
				return fmt.Errorf("the app holds %d presets after destroy, want only the viewer's", len(left))
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: spec.config(em),
				ExpectError: regexp.MustCompile(`(?s)RealtimeKit preset may have been created, but its answer was lost.*not retried.*` +
					`The app holds 1 preset named "host".*terraform import '<address>' ` + testAccountID + `/` + app + `/[0-9a-f-]{36}`),
			},
			{
				PreConfig: func() {
					presets := em.KitPresets(testAccountID, app)
					if len(presets) != 2 { // the viewer's and one host's: no retry
						t.Fatalf("the app holds %d presets, want 2", len(presets))
					}
					orphan = presets[1].ID
				},
				Config:             spec.config(em),
				ResourceName:       presetAddr,
				ImportState:        true,
				ImportStateIdFunc:  func(*terraform.State) (string, error) { return testAccountID + "/" + app + "/" + orphan, nil },
				ImportStatePersist: true,
			},
			{
				Config:           spec.config(em),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// The data source lists every preset of the app, or those of one name.
func TestRealtimeKitPreset_dataSourceListsAndFilters(t *testing.T) {
	em, app := kitEmulator(t)
	for _, name := range []string{"viewer", "participant", "viewer"} {
		if _, err := em.CreateKitPreset(testAccountID, app, presetJSON(t, name)); err != nil {
			t.Fatal(err)
		}
	}
	config := providerBlock(em) + fmt.Sprintf(`
data "cloudflare_realtime_kit_presets" "all" {
  account_id = %[1]q
  app_id     = %[2]q
}
data "cloudflare_realtime_kit_presets" "viewers" {
  account_id = %[1]q
  app_id     = %[2]q
  name       = "viewer"
}
`, testAccountID, app)
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cloudflare_realtime_kit_presets.all", tfjsonpath.New("presets"), knownvalue.ListSizeExact(3)),
				statecheck.ExpectKnownValue("data.cloudflare_realtime_kit_presets.viewers", tfjsonpath.New("presets"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("viewer"), "id": knownvalue.StringRegexp(uuidPattern)}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("viewer"), "created_at": knownvalue.NotNull()}),
				})),
			},
		}},
	})
}

// presetJSON is a preset's body as the API takes it, written out here (not
// by the provider's client), for presets made outside Terraform.
func presetJSON(t *testing.T, name string) map[string]any {
	t.Helper()
	const body = `{
  "config": {"max_screenshare_count": 0, "max_video_streams": {"desktop": 4, "mobile": 2}, "view_type": "WEBINAR",
    "media": {"screenshare": {"frame_rate": 5, "quality": "vga"}, "video": {"frame_rate": 15, "quality": "vga"}}},
  "permissions": {"accept_waiting_requests": false, "can_accept_production_requests": false, "can_change_participant_permissions": false,
    "can_edit_display_name": false, "can_livestream": false, "can_record": false, "can_spotlight": false, "disable_participant_audio": false,
    "disable_participant_screensharing": false, "disable_participant_video": false, "hidden_participant": false, "kick_participant": false,
    "pin_participant": false, "show_participant_list": true,
    "chat": {"private": {"can_receive": true, "can_send": false, "files": false, "text": false}, "public": {"can_send": false, "files": false, "text": false}},
    "connected_meetings": {"can_alter_connected_meetings": false, "can_switch_connected_meetings": false, "can_switch_to_parent_meeting": false},
    "media": {"audio": {"can_produce": "CAN_REQUEST"}, "screenshare": {"can_produce": "NOT_ALLOWED"}, "video": {"can_produce": "CAN_REQUEST"}},
    "plugins": {"can_close": false, "can_edit_config": false, "can_start": false, "config": {}},
    "polls": {"can_create": false, "can_view": true, "can_vote": true},
    "recorder_type": "NONE", "waiting_room_type": "ON_PRIVILEGED_USER_ENTRY"},
  "ui": {"design_tokens": {"border_radius": "sharp", "border_width": "none", "spacing_base": 4, "theme": "light",
    "colors": {"background": {"600": "#fff", "700": "#eee", "800": "#ddd", "900": "#ccc", "1000": "#bbb"},
      "brand": {"300": "#135", "400": "#246", "500": "#357", "600": "#468", "700": "#579"},
      "danger": "#f00", "success": "#0f0", "text": "#111", "text_on_brand": "#fff", "video_bg": "#000", "warning": "#ff0"}}}
}`
	var m map[string]any
	must(t, json.Unmarshal([]byte(body), &m))
	m["name"] = name
	return m
}

// The tests below speak protocol 6 to the provider in-process, as the CLI
// would, so they run in the fast tier (make test-fast) too.

// presetIDState is a preset's state as an import leaves it: the ids only.
func presetIDState(p *protocolProvider, appID, id string) *tfprotov6.DynamicValue {
	return p.encode(p.resourceType("cloudflare_realtime_kit_preset"), presetIDAttrs(appID, id))
}

func presetIDAttrs(appID, id string) map[string]tftypes.Value {
	return map[string]tftypes.Value{"account_id": tfString(testAccountID), "app_id": tfString(appID), "id": tfString(id)}
}

// Deleting a preset that is already gone succeeds: the user wanted it gone.
func TestRealtimeKitPreset_deleteOverProtocolOfAGonePresetSucceeds(t *testing.T) {
	t.Parallel()
	em, app := kitEmulator(t)
	p := newProtocolProvider(t, em)
	const gone = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	deleted := p.apply("cloudflare_realtime_kit_preset", presetIDState(p, app, gone), nil, presetIDAttrs(app, gone), nil)
	if msg := errorDiags(deleted.Diagnostics); msg != "" {
		t.Errorf("deleting a preset already gone: %s", msg)
	}
	if n := requestsTo(em, "DELETE", "/accounts/{account_id}/realtime/kit/{app_id}/presets/{preset_id}"); n != 1 {
		t.Errorf("%d DELETE requests, want the one (%v)", n, em.Counters())
	}
}

// A refresh of a preset that is gone removes it from state, without an error.
func TestRealtimeKitPreset_readOverProtocolOfAGonePresetRemovesIt(t *testing.T) {
	t.Parallel()
	em, app := kitEmulator(t)
	p := newProtocolProvider(t, em)
	read := p.read("cloudflare_realtime_kit_preset", presetIDState(p, app, "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"))
	if msg := errorDiags(read.Diagnostics); msg != "" {
		t.Fatalf("reading a preset that is gone: %s", msg)
	}
	if got := p.decode(p.resourceType("cloudflare_realtime_kit_preset"), read.NewState); got != nil {
		t.Errorf("state after reading a preset that is gone = %v, want none", got)
	}
}

// A refresh from the ids alone (as after an import) fills in the whole
// preset as the API holds it, echoed defaults included.
func TestRealtimeKitPreset_readOverProtocolFillsTheWholePreset(t *testing.T) {
	t.Parallel()
	em, app := kitEmulator(t)
	made, err := em.CreateKitPreset(testAccountID, app, presetJSON(t, "viewer"))
	must(t, err)
	p := newProtocolProvider(t, em)
	typ := p.resourceType("cloudflare_realtime_kit_preset")
	read := p.read("cloudflare_realtime_kit_preset", presetIDState(p, app, made.ID))
	requireNoErrors(t, "ReadResource", nil, read.Diagnostics)
	v, err := read.NewState.Unmarshal(typ)
	must(t, err)
	for path, want := range map[string]string{
		"name": `"viewer"`, "config.view_type": `"WEBINAR"`, "config.media.video.frame_rate": "15", "config.media.video.simulcast": "false",
		"permissions.media.video.can_produce": `"CAN_REQUEST"`, "permissions.waiting_room_type": `"ON_PRIVILEGED_USER_ENTRY"`,
		"ui.design_tokens.colors.background[\"1000\"]": `"#bbb"`, "ui.design_tokens.theme": `"light"`,
	} {
		got, err := walk(v, path)
		if err != nil || got != want {
			t.Errorf("%s = %s (%v), want %s", path, got, err, want)
		}
	}
}

// walk is the value at a path such as a.b["k"].c of v, as Terraform would
// print it.
func walk(v tftypes.Value, path string) (string, error) {
	for _, step := range regexp.MustCompile(`[a-z_0-9]+|\["[^"]*"\]`).FindAllString(path, -1) {
		var key string
		if strings.HasPrefix(step, "[") {
			key = strings.Trim(step, `[]"`)
		} else {
			key = step
		}
		var m map[string]tftypes.Value
		if err := v.As(&m); err != nil {
			return "", fmt.Errorf("at %s: %w", step, err)
		}
		v = m[key]
	}
	switch {
	case v.IsNull():
		return "null", nil
	case v.Type().Is(tftypes.String):
		var s string
		_ = v.As(&s)
		return strconv.Quote(s), nil
	case v.Type().Is(tftypes.Bool):
		var b bool
		_ = v.As(&b)
		return strconv.FormatBool(b), nil
	case v.Type().Is(tftypes.Number):
		var f big.Float
		_ = v.As(&f)
		return f.String(), nil
	}
	return v.String(), nil
}
