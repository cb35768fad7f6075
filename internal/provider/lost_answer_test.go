package provider

// The search for what a create whose answer was lost may have left behind
// (lost_answer.go), over protocol 6: what the error names, and what it
// never names or calls safe.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// checkSays fails the test for each of wants that the error msg does not say.
func checkSays(t *testing.T, msg string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q:\n%s", want, msg)
		}
	}
}

// createLost sends one create of an app named name through p, whose answer
// the emulator drops after carrying it out, checks that it wrote no state,
// and returns the error diagnostics.
func createLost(t *testing.T, p *protocolProvider, name string) string {
	t.Helper()
	resp := p.create(appTestKind, testAccountID, name)
	if got := p.decode(p.resourceType(appTestKind.resourceType), resp.NewState); got != nil {
		t.Errorf("a lost create wrote state %v", got)
	}
	return errorDiags(resp.Diagnostics)
}

// The orphan named in the lost-answer error is exactly the object the
// emulator holds, with its import command; an older object of the same name is
// not named; and no duplicate is created.
func TestLostAnswer_namesTheOrphanUID(t *testing.T) {
	for _, kind := range testKinds {
		route := strings.TrimSuffix(kind.itemRoute, "/{"+kind.idAttr+"}")
		t.Run(kind.resourceType, func(t *testing.T) {
			// The emulator's clock starts an hour behind, so that the object
			// made below is stamped well before the request; then it catches up.
			var offset atomic.Int64
			offset.Store(int64(-time.Hour))
			em, err := emulator.Start(emulator.Options{
				Tokens: []string{testToken},
				Now:    func() time.Time { return time.Now().Add(time.Duration(offset.Load())) },
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(em.Close)
			client := testClient(t, em)
			// An object of the same name made before the request is not its orphan.
			var oldUID string
			if kind.resourceType == appTestKind.resourceType {
				app, err := client.Create(context.Background(), callsapi.Apps, testAccountID, "lost")
				if err != nil {
					t.Fatal(err)
				}
				oldUID = app.UID
			} else {
				key, err := client.Create(context.Background(), callsapi.TURNKeys, testAccountID, "lost")
				if err != nil {
					t.Fatal(err)
				}
				oldUID = key.UID
			}
			offset.Store(0)

			p := newProtocolProvider(t, em)
			typ := p.resourceType(kind.resourceType)
			// A sibling of the same name that this provider created a moment
			// ago (count = N with one name) is not an orphan either.
			sibling := p.create(kind, testAccountID, "lost")
			if msg := errorDiags(sibling.Diagnostics); msg != "" {
				t.Fatal(msg)
			}
			siblingUID := p.decode(typ, sibling.NewState)["uid"]

			inject(t, em, emulator.Fault{Kind: emulator.FaultDropAfter, Method: "POST", Route: route, Count: 1})
			resp := p.create(kind, testAccountID, "lost")
			msg := errorDiags(resp.Diagnostics)

			var uids []string
			for _, obj := range kind.objects(em, testAccountID) {
				uids = append(uids, obj.UID)
			}
			if len(uids) != 3 {
				t.Fatalf("the emulator holds %d objects named lost, want 3 (the old one, the sibling and the orphan; no duplicate); diagnostics: %s", len(uids), msg)
			}
			orphan := uids[2]
			checkSays(t, msg,
				"Calls "+kind.noun+" may have been created, but its answer was lost",
				"uid "+orphan,
				"terraform import '<address>' "+testAccountID+"/"+orphan,
				"Its "+kind.secretAttr+" is lost",
			)
			if strings.Contains(msg, oldUID) {
				t.Errorf("the error names %s, which existed before the request:\n%s", oldUID, msg)
			}
			if siblingUID == "" || strings.Contains(msg, siblingUID) {
				t.Errorf("the error names the sibling %q this provider created itself:\n%s", siblingUID, msg)
			}
			for _, secret := range append(allSecrets(em, testAccountID), testToken) {
				if strings.Contains(msg, secret) {
					t.Errorf("the error carries a secret or the token:\n%s", msg)
				}
			}
			if got := p.decode(typ, resp.NewState); got != nil {
				t.Errorf("a lost create wrote state %v", got)
			}
			if n := requestsTo(em, "POST", route); n != 3 {
				t.Errorf("the emulator saw %d creates, want 3 (the setup's, the sibling's and the lost one, never retried)", n)
			}
		})
	}
}

// When another client made an app of the same name during the request, the
// lost-answer error names both and says it cannot tell which is ours.
func TestLostAnswer_twoCandidatesAreBothNamed(t *testing.T) {
	em := testEmulator(t)
	other, err := testClient(t, em).Create(context.Background(), callsapi.Apps, testAccountID, "lost")
	if err != nil {
		t.Fatal(err)
	}
	inject(t, em, emulator.Fault{Kind: emulator.FaultDropAfter, Method: "POST", Route: appsRoute, Count: 1})
	msg := createLost(t, newProtocolProvider(t, em), "lost")
	apps := em.Apps(testAccountID)
	if len(apps) != 2 {
		t.Fatalf("%d apps, want 2", len(apps))
	}
	checkSays(t, msg, "holds 2 Calls apps", "cannot tell which one this request created", "uid "+other.UID, "uid "+apps[1].UID)
}

// The API's clock may run behind ours: an app our lost create made can be
// stamped before the request began by our clock. The search allows for that
// (minutes, not seconds): an orphan the API stamps a minute before the
// request is still found and named with its import command.
func TestLostAnswer_orphanStampedByASlowAPIClockIsFound(t *testing.T) {
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
	checkSays(t, msg,
		"Calls app may have been created, but its answer was lost",
		"holds 1 Calls app named \"behind\"",
		"uid "+apps[0].UID,
		"terraform import '<address>' "+testAccountID+"/"+apps[0].UID,
	)
	if n := requestsTo(em, "POST", appsRoute); n != 1 {
		t.Errorf("%d creates, want 1 (never retried)", n)
	}
}

// Another run creates an app of the same name while our create is in
// flight (its answer then lost): the error names both, says it cannot tell
// which is ours, and creates neither a third app nor a state.
func TestLostAnswer_sameNameCreatedDuringTheRequestIsNamedToo(t *testing.T) {
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
	checkSays(t, msg,
		"holds 2 Calls apps named \"shared\"",
		"cannot tell which one this request created",
		"uid "+apps[0].UID, "uid "+apps[1].UID,
		"terraform import '<address>' "+testAccountID+"/"+apps[1].UID,
	)
	if n := requestsTo(em, "POST", appsRoute); n != 1 {
		t.Errorf("%d creates reached the API, want 1 (never retried)", n)
	}
}

// A create whose outcome is unknown (a server error, a reset, an answer that
// is not JSON) is reported as maybe made, never as refused, and never
// retried; only an answer that says the API refused it is "Unable to
// create". Nothing is called safe to try again.
func TestLostAnswer_unknownOutcomeIsNeverReportedAsRefused(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		fault emulator.Fault
		want  []string
	}{
		"500":             {emulator.Fault{Kind: emulator.FaultStatus, Status: 500}, []string{"may have been created, but its answer was lost", "HTTP 500", "whether it exists is unknown"}},
		"502":             {emulator.Fault{Kind: emulator.FaultStatus, Status: 502}, []string{"may have been created, but its answer was lost", "HTTP 502", "whether it exists is unknown"}},
		"503":             {emulator.Fault{Kind: emulator.FaultStatus, Status: 503}, []string{"may have been created, but its answer was lost", "HTTP 503"}},
		"504":             {emulator.Fault{Kind: emulator.FaultStatus, Status: 504}, []string{"may have been created, but its answer was lost", "HTTP 504"}},
		"a reset":         {emulator.Fault{Kind: emulator.FaultReset}, []string{"may have been created, but its answer was lost", "No answer came from the Cloudflare API"}},
		"malformed JSON":  {emulator.Fault{Kind: emulator.FaultMalformedJSON}, []string{"may have been created, but its answer was lost", "not valid JSON"}},
		"success: false":  {emulator.Fault{Kind: emulator.FaultSuccessFalse, Code: 10001}, []string{"Unable to create Calls app", "success: false", "10001"}},
		"lost after made": {emulator.Fault{Kind: emulator.FaultDropAfter}, []string{"may have been created, but its answer was lost", "terraform import '<address>' " + testAccountID + "/", "secret is lost"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			em := testEmulator(t)
			tc.fault.Method, tc.fault.Route, tc.fault.Count = "POST", appsRoute, 1
			inject(t, em, tc.fault)
			msg := createLost(t, newProtocolProvider(t, em), "faulty")
			checkSays(t, strings.Join(strings.Fields(msg), " "), tc.want...)
			refused := tc.fault.Kind == emulator.FaultSuccessFalse
			if strings.Contains(msg, "Unable to create") != refused {
				t.Errorf("refused %v, but the error is:\n%s", refused, msg)
			}
			for _, never := range []string{"safe to", "try again"} {
				if !refused && strings.Contains(msg, never) {
					t.Errorf("the error says %q although the create may have been carried out:\n%s", never, msg)
				}
			}
			if n := requestsTo(em, "POST", appsRoute); n != 1 {
				t.Errorf("%d creates reached the API, want 1 (never retried)", n)
			}
		})
	}
}

// A create whose answer is lost and whose search fails too: the error says
// whether it exists is unknown, why the search failed, and how to look and
// import later (with <uid>, since none was found); the search was tried
// twice; nothing is called safe.
func TestLostAnswer_failedSearchSaysUnknown(t *testing.T) {
	t.Parallel()
	em := testEmulator(t)
	inject(t, em, emulator.Fault{Kind: emulator.FaultDropAfter, Method: "POST", Route: appsRoute, Count: 1})
	inject(t, em, emulator.Fault{Kind: emulator.FaultSuccessFalse, Method: "GET", Route: appsRoute, Code: 10001})
	msg := createLost(t, newProtocolProvider(t, em), "media")
	listCmd := `curl -sS -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" '` + em.URL + "/accounts/" + testAccountID + "/calls/apps'"
	checkSays(t, msg, "may have been created, but its answer was lost", "account "+testAccountID, `"media"`,
		"Looking for it in the account failed too, so whether it exists is unknown", "success: false", listCmd,
		"terraform import '<address>' "+testAccountID+"/<uid>")
	for _, never := range []string{"safe to", "try again", "No Calls app named"} {
		if strings.Contains(msg, never) {
			t.Errorf("the error says %q although the search failed:\n%s", never, msg)
		}
	}
	if n := requestsTo(em, "GET", appsRoute); n != 2 {
		t.Errorf("the provider looked %d times, want twice (a second look after a pause)", n)
	}
}

// A create slower than its time budget: the provider gives up waiting, its
// first look finds nothing yet, and the second look, after a pause, finds
// the app the API made meanwhile and names it with its import command.
func TestLostAnswer_secondLookFindsALateObject(t *testing.T) {
	t.Parallel()
	em := testEmulator(t)
	// The app appears 2.5 s after the request, after the 1 s budget ran out.
	inject(t, em, emulator.Fault{Kind: emulator.FaultDelay, Method: "POST", Route: appsRoute, Count: 1, Delay: 2500 * time.Millisecond})
	p := newProtocolProvider(t, nil)
	p.mustConfigure(em.URL, map[string]tftypes.Value{"retry_timeout_seconds": tftypes.NewValue(tftypes.Number, 1)})
	msg := createLost(t, p, "late")
	apps := em.Apps(testAccountID)
	if len(apps) != 1 {
		t.Fatalf("the emulator holds %d apps, want 1; diagnostics: %s", len(apps), msg)
	}
	checkSays(t, msg, "may have been created, but its answer was lost", "holds 1 Calls app named \"late\"",
		"uid "+apps[0].UID, "terraform import '<address>' "+testAccountID+"/"+apps[0].UID, "secret is lost")
	if n := requestsTo(em, "GET", appsRoute); n != 2 {
		t.Errorf("the provider looked %d times, want twice", n)
	}
	if n := requestsTo(em, "POST", appsRoute); n != 1 {
		t.Errorf("%d creates, want 1 (never retried)", n)
	}
}
