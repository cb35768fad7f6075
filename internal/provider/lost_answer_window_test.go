package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// createLost sends one create of an app named name through p, whose answer
// the emulator drops after carrying it out, and returns the error diagnostics.
func createLost(t *testing.T, p *protocolProvider, name string) string {
	t.Helper()
	typ := p.resourceType("cloudflare_calls_app")
	resp, err := p.server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName:   "cloudflare_calls_app",
		PriorState: nullObject(t, typ),
		PlannedState: p.encode(typ, map[string]tftypes.Value{
			"account_id": tfString(testAccountID), "name": tfString(name),
			"id": tfUnknown, "uid": tfUnknown, "secret": tfUnknown, "created": tfUnknown, "modified": tfUnknown,
		}),
		Config: p.encode(typ, map[string]tftypes.Value{"account_id": tfString(testAccountID), "name": tfString(name)}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.decode(typ, resp.NewState); got != nil {
		t.Errorf("a lost create wrote state %v", got)
	}
	return errorDiags(resp.Diagnostics)
}

// The API's clock may run behind ours: an app our lost create made can be
// stamped before the request began by our clock. The search allows for that
// (minutes, not seconds): an orphan the API stamps a minute before the
// request is still found and named with its import command.
func TestLostCreate_orphanStampedByASlowAPIClockIsFound(t *testing.T) {
	t.Parallel()
	em, err := emulator.Start(emulator.Options{
		Tokens: []string{testToken},
		Now:    func() time.Time { return time.Now().Add(-time.Minute) },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Close)
	inject(t, em, emulator.Fault{Kind: emulator.FaultDropAfter, Method: "POST", Route: appsRoute, Count: 1})
	p := newProtocolProvider(t, em)

	msg := createLost(t, p, "behind")
	apps := em.Apps(testAccountID)
	if len(apps) != 1 {
		t.Fatalf("the emulator holds %d apps, want the one orphan; diagnostics: %s", len(apps), msg)
	}
	if skew := time.Since(apps[0].Created); skew < 50*time.Second {
		t.Fatalf("the orphan is stamped only %v before now; the test needs a clock a minute behind", skew)
	}
	for _, want := range []string{
		"Calls app may have been created, but its answer was lost",
		"holds 1 Calls app named \"behind\"",
		"uid " + apps[0].UID,
		"terraform import '<address>' " + testAccountID + "/" + apps[0].UID,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q:\n%s", want, msg)
		}
	}
	if n := requestsTo(em, "POST", appsRoute); n != 1 {
		t.Errorf("%d creates, want 1 (never retried)", n)
	}
}

// Another run creates an app of the same name while our create is in
// flight (its answer then lost): the error names both, says it cannot tell
// which is ours, and creates neither a third app nor a state.
func TestLostCreate_sameNameCreatedDuringTheRequestIsNamedToo(t *testing.T) {
	t.Parallel()
	em := testEmulator(t)
	inject(t, em, emulator.Fault{Kind: emulator.FaultDropAfter, Method: "POST", Route: appsRoute, Count: 1})
	var other atomic.Value
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && other.Load() == nil {
			// The other run's create lands after ours was sent.
			app, err := em.CreateApp(testAccountID, "shared")
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			other.Store(app.UID)
		}
		em.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	p := newProtocolProvider(t, &emulator.Running{Server: em.Server, URL: front.URL + emulator.APIPrefix})

	started := time.Now()
	msg := createLost(t, p, "shared")
	apps := em.Apps(testAccountID)
	otherUID, _ := other.Load().(string)
	if len(apps) != 2 || otherUID == "" {
		t.Fatalf("the emulator holds %d apps (the other run's: %q), want 2; diagnostics: %s", len(apps), otherUID, msg)
	}
	if !apps[0].Created.After(started.Add(-time.Second)) {
		t.Fatalf("the other run's app is stamped %v, before the request began at %v", apps[0].Created, started)
	}
	for _, want := range []string{
		"holds 2 Calls apps named \"shared\"",
		"cannot tell which one this request created",
		"uid " + apps[0].UID, "uid " + apps[1].UID,
		"terraform import '<address>' " + testAccountID + "/" + apps[1].UID,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q:\n%s", want, msg)
		}
	}
	if n := requestsTo(em, "POST", appsRoute); n != 1 {
		t.Errorf("%d creates reached the API, want 1 (never retried)", n)
	}
}
