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
