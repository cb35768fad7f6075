package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The promises of cloudflare_realtime_kit_app that need no API, checked over
// the protocol: what cannot be done is refused at plan time, and a destroy
// forgets the app with a warning; none of them sends a request.

const (
	kitAppType   = "cloudflare_realtime_kit_app"
	kitAppTestID = "0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f"
)

func kitAppState(accountID, name string) map[string]tftypes.Value {
	return map[string]tftypes.Value{
		"account_id": tfString(accountID), "id": tfString(kitAppTestID), "name": tfString(name),
		"created_at": tfString("2026-12-03T10:00:00.000Z"), "updated_at": tfString("2026-12-03T10:00:00.000Z"),
	}
}

// diagsSaying returns the diagnostics of severity sev flattened into one
// string, title and detail.
func diagsSaying(diags []*tfprotov6.Diagnostic, sev tfprotov6.DiagnosticSeverity) string {
	var b strings.Builder
	for _, d := range diags {
		if d.Severity == sev {
			b.WriteString(d.Summary + ": " + d.Detail + "\n")
		}
	}
	return b.String()
}

func expectContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not say %q:\n%s", what, w, got)
		}
	}
}

func TestRealtimeKitApp_changesTheAPICannotMakeAreRefusedAtPlan(t *testing.T) {
	em := testEmulator(t)
	p := newProtocolProvider(t, em)
	prior := kitAppState(testAccountID, "meetings")
	cases := []struct {
		name   string
		config map[string]tftypes.Value
		wants  []string
	}{
		{"rename", objectConfig(testAccountID, "meetings-2"), []string{
			"Cannot change the name of a RealtimeKit app",
			`The RealtimeKit API cannot rename an app, so name = "meetings" cannot become "meetings-2"`,
			"would create a second app and abandon this one, \"meetings\" (id " + kitAppTestID + " in account " + testAccountID + "), which the API cannot delete",
			"nothing was sent",
			`Either keep name = "meetings"`, "terraform state rm",
		}},
		{"move", objectConfig(otherTestAccountID, "meetings"), []string{
			"Cannot change the account_id of a RealtimeKit app",
			"The RealtimeKit API cannot move an app to another account",
			"which the API cannot delete", `Either keep account_id = "` + testAccountID + `"`, "terraform state rm",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := p.plan(kitAppType, prior, tc.config)
			expectContains(t, "the plan's errors", diagsSaying(resp.Diagnostics, tfprotov6.DiagnosticSeverityError), tc.wants...)
		})
	}
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("planning sent %d requests, want none", n)
	}
}

func TestRealtimeKitApp_sameNamePlansNothing(t *testing.T) {
	p := newProtocolProvider(t, testEmulator(t))
	prior := kitAppState(testAccountID, "meetings")
	resp := p.plan(kitAppType, prior, objectConfig(testAccountID, "meetings"))
	if msg := errorDiags(resp.Diagnostics); msg != "" {
		t.Fatalf("plan: %s", msg)
	}
	if len(resp.RequiresReplace) != 0 {
		t.Errorf("requires replace: %v", resp.RequiresReplace)
	}
}

// A name unknown at plan time reaches Update, which refuses a new one
// before sending anything.
func TestRealtimeKitApp_renameUnknownAtPlanIsRefusedAtApply(t *testing.T) {
	em := testEmulator(t)
	p := newProtocolProvider(t, em)
	typ := p.resourceType(kitAppType)
	prior, planned := kitAppState(testAccountID, "meetings"), kitAppState(testAccountID, "meetings-2")
	resp := p.apply(kitAppType, p.encode(typ, prior), p.encode(typ, planned), objectConfig(testAccountID, "meetings-2"), nil)
	expectContains(t, "the apply's errors", diagsSaying(resp.Diagnostics, tfprotov6.DiagnosticSeverityError),
		"Cannot change the name of a RealtimeKit app", "nothing was sent")
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("the apply sent %d requests, want none", n)
	}
}

func TestRealtimeKitApp_destroyOnlyForgetsAndSaysSo(t *testing.T) {
	em := testEmulator(t)
	p := newProtocolProvider(t, em)
	typ := p.resourceType(kitAppType)
	prior := kitAppState(testAccountID, "meetings")
	left := []string{`The RealtimeKit API cannot delete an app, so the RealtimeKit app "meetings" (id ` + kitAppTestID +
		") stays in account " + testAccountID, "only removed from the Terraform state"}

	planResp, err := p.server.PlanResourceChange(t.Context(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: kitAppType, PriorState: p.encode(typ, prior), ProposedNewState: nullObject(t, typ), Config: nullObject(t, typ),
	})
	if err != nil {
		t.Fatal(err)
	}
	expectContains(t, "the destroy plan's warnings", diagsSaying(planResp.Diagnostics, tfprotov6.DiagnosticSeverityWarning),
		append([]string{"Destroying a RealtimeKit app does not delete it"}, left...)...)

	resp := p.apply(kitAppType, p.encode(typ, prior), nil, nil, nil)
	if msg := errorDiags(resp.Diagnostics); msg != "" {
		t.Fatalf("destroy: %s", msg)
	}
	expectContains(t, "the destroy's warnings", diagsSaying(resp.Diagnostics, tfprotov6.DiagnosticSeverityWarning),
		append([]string{"RealtimeKit app not deleted: it stays in the account",
			"import it by the id " + testAccountID + "/" + kitAppTestID + " (an import block, or terraform import"}, left...)...)
	if v, err := resp.NewState.Unmarshal(typ); err != nil || !v.IsNull() {
		t.Errorf("state after destroy = %v (%v), want none", v, err)
	}
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("destroying sent %d requests, want none", n)
	}
}

func TestRealtimeKitApp_malformedImportIDIsRefused(t *testing.T) {
	em := testEmulator(t)
	p := newProtocolProvider(t, em)
	for _, id := range []string{testAccountID, testAccountID + "/" + strings.Repeat("a", 32), "acct/" + kitAppTestID, testAccountID + "/" + kitAppTestID + "/x"} {
		resp := p.importID(kitAppType, id)
		expectContains(t, "import "+id, errorDiags(resp.Diagnostics), "expected <account_id>/<app_id>")
	}
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("sent %d requests, want none", n)
	}
}
