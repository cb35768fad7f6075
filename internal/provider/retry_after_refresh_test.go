package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// A refresh whose list meets a 503 with Retry-After (the emulator's status
// fault) comes back when the API said, not after the client's own shorter
// backoff, and then succeeds: the object and its secret stay, the emulator
// saw the 503 and one retry, Retry-After seconds later.
func TestRefresh_503WithRetryAfterIsWaitedOut(t *testing.T) {
	t.Parallel()
	em := testEmulator(t)
	var mu sync.Mutex
	var lists []time.Time
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/calls/apps") {
			mu.Lock()
			lists = append(lists, time.Now())
			mu.Unlock()
		}
		em.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	app, err := em.CreateApp(testAccountID, "waited")
	must(t, err)
	p := newProtocolProvider(t, &emulator.Running{Server: em.Server, URL: front.URL + emulator.APIPrefix})
	// The client's own first backoff is 1 to 2 s; the API asks for 3.
	inject(t, em, emulator.Fault{Kind: emulator.FaultStatus, Status: http.StatusServiceUnavailable, RetryAfter: 3, Method: "GET", Route: appsRoute, Count: 1})

	typ := p.resourceType("cloudflare_calls_app")
	state := p.encode(typ, appState(app))
	read, err := p.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: "cloudflare_calls_app", CurrentState: state})
	if err != nil {
		t.Fatal(err)
	}
	if msg := errorDiags(read.Diagnostics); msg != "" {
		t.Fatalf("the refresh failed: %s", msg)
	}
	if got := p.decode(typ, read.NewState); got["uid"] != app.UID || got["secret"] != app.Secret {
		t.Errorf("the refresh left %v", got)
	}
	if n := em.Statuses()[http.StatusServiceUnavailable]; n != 1 {
		t.Errorf("the emulator answered %d requests with 503, want 1", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lists) != 2 {
		t.Fatalf("the API saw %d lists, want 2 (the 503 and its retry)", len(lists))
	}
	if gap := lists[1].Sub(lists[0]); gap < 3*time.Second {
		t.Errorf("the retry came %v after the 503 that said Retry-After: 3", gap)
	}
}

// appState is the resource state of an app the emulator holds, as the create
// wrote it.
func appState(a emulator.App) map[string]tftypes.Value {
	return map[string]tftypes.Value{
		"account_id": tfString(testAccountID), "id": tfString(a.UID), "uid": tfString(a.UID), "name": tfString(a.Name),
		"secret": tfString(a.Secret), "created": tfString(wireTime(a.Created)), "modified": tfString(wireTime(a.Modified)),
	}
}
