package kitapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

const account = "0123456789abcdef0123456789abcdef"

// appList serves the apps list from apps, a page at a time as asked, and
// answers a POST with created; it records every request's query and body.
type appList struct {
	mu      sync.Mutex
	apps    []App
	created string // the answer to a POST
	// pageOf, when set, replaces what a page holds and its total_count.
	pageOf  func(page, perPage int) ([]App, int)
	queries []string
	bodies  []string
}

func (l *appList) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, _ := io.ReadAll(r.Body)
	l.queries = append(l.queries, r.URL.RawQuery)
	l.bodies = append(l.bodies, string(b))
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodPost {
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, l.created)
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page_no"))
	perPage, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	items := []App{}
	total := len(l.apps)
	if l.pageOf != nil {
		if items, total = l.pageOf(page, perPage); items == nil {
			items = []App{}
		}
	} else {
		for i := (page - 1) * perPage; i < page*perPage && i < len(l.apps); i++ {
			items = append(items, l.apps[i])
		}
	}
	data, _ := json.Marshal(items)
	fmt.Fprintf(w, `{"success":true,"data":%s,"paging":{"start_offset":%d,"end_offset":%d,"total_count":%d}}`,
		data, (page-1)*perPage+1, (page-1)*perPage+len(items), total)
}

func someApps(n int) []App {
	apps := make([]App, n)
	for i := range apps {
		apps[i] = App{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Name: fmt.Sprintf("app-%d", i), CreatedAt: "2026-12-03T10:00:00.000Z", UpdatedAt: "2026-12-03T10:00:00.000Z"}
	}
	return apps
}

func TestListApps_readsEveryPage(t *testing.T) {
	l := &appList{apps: someApps(45)}
	c := testClient(t, l)
	apps, err := c.listApps(context.Background(), account, "", 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 45 || apps[44].ID != l.apps[44].ID || apps[0].Name != "app-0" {
		t.Fatalf("got %d apps, want the 45", len(apps))
	}
	want := []string{"page_no=1&per_page=20&sort_order=ASC", "page_no=2&per_page=20&sort_order=ASC", "page_no=3&per_page=20&sort_order=ASC"}
	if strings.Join(l.queries, " ") != strings.Join(want, " ") {
		t.Errorf("requests %q, want %q", l.queries, want)
	}
}

func TestListApps_searchIsPassedThrough(t *testing.T) {
	l := &appList{apps: someApps(3)}
	c := testClient(t, l)
	if _, err := c.ListApps(context.Background(), account, "my app"); err != nil {
		t.Fatal(err)
	}
	if len(l.queries) != 1 || l.queries[0] != "page_no=1&per_page=50&search=my+app&sort_order=ASC" {
		t.Errorf("requests %q, want one with search=my+app", l.queries)
	}
}

func TestListApps_emptyAccountIsOneRequest(t *testing.T) {
	l := &appList{}
	c := testClient(t, l)
	apps, err := c.ListApps(context.Background(), account, "")
	if err != nil || len(apps) != 0 || len(l.queries) != 1 {
		t.Fatalf("apps %v, err %v, %d requests; want none, no error, one request", apps, err, len(l.queries))
	}
}

// A server that caps per_page below what was asked still gets read whole.
func TestListApps_smallerPagesThanAskedAreFollowed(t *testing.T) {
	all := someApps(45)
	l := &appList{pageOf: func(page, _ int) ([]App, int) {
		lo, hi := (page-1)*10, min(page*10, 45)
		if lo >= 45 {
			return nil, 45
		}
		return all[lo:hi], 45
	}}
	apps, err := testClient(t, l).listApps(context.Background(), account, "", 20)
	if err != nil || len(apps) != 45 {
		t.Fatalf("got %d apps, err %v; want 45", len(apps), err)
	}
}

// Inconsistent paging ends in an error, never in a loop or a short list
// that would make a listed app look gone.
func TestListApps_inconsistentPagingIsAnErrorNotALoop(t *testing.T) {
	all := someApps(5)
	cases := []struct {
		name   string
		pageOf func(page, perPage int) ([]App, int)
		// most is how many requests it may take to tell.
		most int
	}{
		{"empty page before the total", func(page, _ int) ([]App, int) {
			if page == 1 {
				return all, 45
			}
			return nil, 45
		}, 2},
		// 45 apps at 5 a page need 9 pages; one more is allowed for apps
		// created while the list is read.
		{"the same page again and again", func(int, int) ([]App, int) { return all, 45 }, 10},
		{"a total that keeps growing", func(page, _ int) ([]App, int) {
			return someApps(page * 5)[(page-1)*5:], page*5 + 5
		}, maxPages},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := &appList{pageOf: tc.pageOf}
			apps, err := testClient(t, l).listApps(context.Background(), account, "", 5)
			if err == nil || !strings.Contains(err.Error(), "inconsistent") {
				t.Fatalf("apps %d, err %v; want an error that says the list is inconsistent", len(apps), err)
			}
			if len(l.queries) > tc.most {
				t.Errorf("%d requests, want at most %d", len(l.queries), tc.most)
			}
		})
	}
}

func TestCreateApp_postsTheNameAndDecodesTheApp(t *testing.T) {
	l := &appList{created: `{"success":true,"data":{"id":"11111111-2222-4333-8444-555555555555","name":"n","created_at":"2026-12-03T10:00:00.000Z","updated_at":"2026-12-03T10:00:01.000Z"}}`}
	app, err := testClient(t, l).CreateApp(context.Background(), account, "n")
	if err != nil {
		t.Fatal(err)
	}
	if *app != (App{ID: "11111111-2222-4333-8444-555555555555", Name: "n", CreatedAt: "2026-12-03T10:00:00.000Z", UpdatedAt: "2026-12-03T10:00:01.000Z"}) {
		t.Errorf("decoded %+v", *app)
	}
	if len(l.bodies) != 1 || l.bodies[0] != `{"name":"n"}` {
		t.Errorf("sent %q", l.bodies)
	}
}

// An answer without an id may come from a create that was carried out.
func TestCreateApp_answerWithoutIDMayHaveCreated(t *testing.T) {
	l := &appList{created: `{"success":true,"data":{"name":"n"}}`}
	_, err := testClient(t, l).CreateApp(context.Background(), account, "n")
	if !callsapi.MaybeProcessed(err) {
		t.Fatalf("err = %v, want one that may have been processed", err)
	}
	if len(l.bodies) != 1 {
		t.Errorf("%d POSTs, want 1 (never retried)", len(l.bodies))
	}
}

func TestAppsListCommand_namesTheTokenNotItsValue(t *testing.T) {
	c := testClient(t, &appList{})
	cmd := c.AppsListCommand(account)
	if !strings.Contains(cmd, "$CLOUDFLARE_API_TOKEN") || strings.Contains(cmd, "tok'") ||
		!strings.Contains(cmd, "/accounts/"+account+"/realtime/kit/apps?") {
		t.Errorf("command %q", cmd)
	}
}
