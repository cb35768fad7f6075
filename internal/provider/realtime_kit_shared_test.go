package provider

import (
	"strings"
	"testing"
)

func TestRealtimeKitImportID_partsAreChecked(t *testing.T) {
	const acct, app, preset = "0123456789abcdef0123456789abcdef", "0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f", "11111111-2222-4333-8444-555555555555"
	parts, err := parseKitImportID(acct+"/"+app+"/"+preset, "app_id", "preset_id")
	if err != nil || len(parts) != 3 || parts[0] != acct || parts[1] != app || parts[2] != preset {
		t.Fatalf("parts = %q, err = %v", parts, err)
	}
	for _, bad := range []string{
		acct + "/" + app,                                 // too few parts
		acct + "/" + app + "/" + preset + "/x",           // too many
		"ACCT/" + app + "/" + preset,                     // not an account id
		acct + "/not-a-uuid/" + preset,                   // app id not a UUID
		acct + "/" + app + "/" + preset + " ",            // a trailing space
		acct + "/" + app + "/" + acct[:32],               // a hex id where a UUID belongs
		acct + "/" + strings.ToUpper(app) + "/" + preset, // a UUID in capitals, which the API does not find
	} {
		_, err := parseKitImportID(bad, "app_id", "preset_id")
		if err == nil || !strings.Contains(err.Error(), "expected <account_id>/<app_id>/<preset_id>") || !strings.Contains(err.Error(), "got \""+bad) {
			t.Errorf("%q: err = %v, want the expected form and the value", bad, err)
		}
	}
}
