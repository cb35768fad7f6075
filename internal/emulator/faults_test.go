package emulator

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator/emulatortest"
)

const appsRoute = "/accounts/{account_id}/calls/apps"

// inject adds a fault or fails the test.
func inject(t *testing.T, e *Running, f Fault) {
	t.Helper()
	if err := e.InjectFault(f); err != nil {
		t.Fatalf("InjectFault(%v): %v", f, err)
	}
}

// rawExchange writes one HTTP/1.1 request on a fresh TCP connection and
// reads until the server answers or the connection ends, so a test can tell
// an answer, a reset (ECONNRESET) and a plain close (EOF) apart.
func rawExchange(t *testing.T, e *Running, method, path, body string) (*http.Response, error) {
	t.Helper()
	u, err := url.Parse(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		method, APIPrefix+path, u.Host, testToken, len(body), body)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	return res, err
}

func TestFault_rateLimit(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	coll := kindCases[0].coll(e.URL, acctA)
	inject(t, e, Fault{Kind: FaultRateLimit, Method: "POST", Route: appsRoute, Count: 1, RetryAfter: 7})
	r := do(t, "POST", coll, `{"name":"a"}`, bearer)
	wantError(t, r, 429, 971, "Please wait and consider throttling your request speed")
	if got := r.header.Get("Retry-After"); got != "7" {
		t.Fatalf("Retry-After %q, want 7", got)
	}
	if e.AppCount() != 0 {
		t.Fatal("a rate-limited create was carried out")
	}
	if r := do(t, "POST", coll, `{"name":"a"}`, bearer); r.status != 201 {
		t.Fatalf("after the fault: %d", r.status)
	}
	if n := e.Counters()["POST "+appsRoute]; n != 2 {
		t.Fatalf("counted %d POSTs, want 2 (faulted requests count)", n)
	}
	if got := e.Statuses(); got[429] != 1 || got[201] != 1 || len(got) != 2 {
		t.Fatalf("Statuses() = %v", got)
	}

	// Default Retry-After: one second.
	inject(t, e, Fault{Kind: FaultRateLimit, Count: 1})
	if r := do(t, "GET", coll, "", bearer); r.status != 429 || r.header.Get("Retry-After") != "1" {
		t.Fatalf("default rate_limit: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
}

func TestFault_status(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	app, err := e.CreateApp(acctA, "before")
	if err != nil {
		t.Fatal(err)
	}
	item := kindCases[0].item(e.URL, acctA, app.UID)
	for _, status := range []int{0, 500, 502, 503, 504, 522} {
		inject(t, e, Fault{Kind: FaultStatus, Status: status, Method: "PUT", Count: 1})
		res, err := rawExchange(t, e, "PUT", "/accounts/"+acctA+"/calls/apps/"+app.UID, `{"name":"after"}`)
		if err != nil {
			t.Fatal(err)
		}
		want := status
		if want == 0 {
			want = 502
		}
		if res.StatusCode != want || res.Header.Get("Content-Type") != "text/html" {
			t.Fatalf("status fault %d: got %d %q", status, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if ra := res.Header.Get("Retry-After"); ra != "" {
			t.Fatalf("status fault %d without retry_after sent Retry-After %q", status, ra)
		}
	}
	// With retry_after: a 503 with Retry-After, still not carried out.
	inject(t, e, Fault{Kind: FaultStatus, Status: 503, RetryAfter: 7, Method: "PUT", Count: 1})
	res, err := rawExchange(t, e, "PUT", "/accounts/"+acctA+"/calls/apps/"+app.UID, `{"name":"after"}`)
	if err != nil || res.StatusCode != 503 || res.Header.Get("Retry-After") != "7" {
		t.Fatalf("503 with retry_after 7: %v %+v", err, res)
	}
	inject(t, e, Fault{Kind: FaultStatus, Status: 503, Count: 1})
	r := do2(t, "GET", item)
	if !strings.Contains(string(r), "<title>503 Service Unavailable</title>") || !strings.Contains(string(r), "cloudflare") {
		t.Fatalf("edge page %q", r)
	}
	if got := e.Apps(acctA)[0].Name; got != "before" {
		t.Fatalf("a faulted PUT was carried out: name %q", got)
	}
	if got := e.Statuses()[502]; got != 2 { // the default and 502
		t.Fatalf("Statuses()[502] = %d", got)
	}
}

// do2 sends a GET without the envelope checks of do and returns the body.
func do2(t *testing.T, method, url string) []byte {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFault_reset(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	inject(t, e, Fault{Kind: FaultReset, Method: "POST", Count: 1})
	_, err := rawExchange(t, e, "POST", "/accounts/"+acctA+"/calls/apps", `{"name":"a"}`)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("want a connection reset, got %v", err)
	}
	if e.AppCount() != 0 {
		t.Fatal("a reset create was carried out")
	}
	if n := e.Counters()["POST "+appsRoute]; n != 1 || len(e.Statuses()) != 0 {
		t.Fatalf("counters %v statuses %v", e.Counters(), e.Statuses())
	}
	if res, err := rawExchange(t, e, "POST", "/accounts/"+acctA+"/calls/apps", `{"name":"a"}`); err != nil || res.StatusCode != 201 {
		t.Fatalf("after the fault: %v", err)
	}
}

func TestFault_dropAfter(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	inject(t, e, Fault{Kind: FaultDropAfter, Method: "POST", Route: appsRoute, Count: 1})
	_, err := rawExchange(t, e, "POST", "/accounts/"+acctA+"/calls/apps", `{"name":"dropped"}`)
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("want the connection closed without an answer, got %v", err)
	}
	if apps := e.Apps(acctA); len(apps) != 1 || apps[0].Name != "dropped" {
		t.Fatalf("drop_after must carry the create out: %+v", apps)
	}

	inject(t, e, Fault{Kind: FaultDropAfter, Method: "DELETE", Count: 1})
	if _, err := rawExchange(t, e, "DELETE", "/accounts/"+acctA+"/calls/apps/"+e.Apps(acctA)[0].UID, ""); err == nil {
		t.Fatal("DELETE got an answer")
	}
	if e.AppCount() != 0 {
		t.Fatal("drop_after must carry the delete out")
	}
	if len(e.Statuses()) != 0 {
		t.Fatalf("dropped answers counted: %v", e.Statuses())
	}
}

func TestFault_delay(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	coll := kindCases[0].coll(e.URL, acctA)
	inject(t, e, Fault{Kind: FaultDelay, Method: "GET", Delay: 150 * time.Millisecond, Count: 1})
	start := time.Now()
	if r := do(t, "GET", coll, "", bearer); r.status != 200 {
		t.Fatalf("delayed GET: %d", r.status)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("answered after %v, before the delay", d)
	}

	// A client that gives up does not stop the work.
	inject(t, e, Fault{Kind: FaultDelay, Method: "POST", Delay: 300 * time.Millisecond, Count: 1})
	postGivingUp(t, coll, "slow")
	emulatortest.WaitFor(t, func() bool { return e.AppCount() == 1 })
}

// postGivingUp sends a create and gives up on its answer after 50ms.
func postGivingUp(t *testing.T, coll, name string) {
	t.Helper()
	client := &http.Client{Timeout: 50 * time.Millisecond}
	req, _ := http.NewRequest("POST", coll, strings.NewReader(`{"name":"`+name+`"}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	if res, err := client.Do(req); err == nil {
		res.Body.Close()
		t.Fatal("the client did not time out")
	}
}

func TestFault_delayEndsAtShutdown(t *testing.T) {
	e, err := Start(defaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	inject(t, e, Fault{Kind: FaultDelay, Delay: time.Hour})
	go func() {
		if res, err := http.Get(kindCases[0].coll(e.URL, acctA)); err == nil {
			res.Body.Close()
		}
	}()
	emulatortest.WaitFor(t, func() bool { return e.TotalRequests() == 1 })
	begin := time.Now()
	e.Close()
	if d := time.Since(begin); d > 3*time.Second {
		t.Fatalf("Close took %v with a delayed request in flight", d)
	}
}

// delay_answer: the create is carried out at once (the app is listed while
// the answer is held), the answer comes after the delay, and a client that
// gave up meanwhile does not stop it.
func TestFault_delayAnswer(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	coll := kindCases[0].coll(e.URL, acctA)
	const hold = 400 * time.Millisecond
	inject(t, e, Fault{Kind: FaultDelayAnswer, Method: "POST", Route: appsRoute, Delay: hold, Count: 2})

	type answer struct {
		res  response
		took time.Duration
	}
	answered := make(chan answer, 1)
	start := time.Now()
	go func() {
		r := do(t, "POST", coll, `{"name":"held"}`, bearer)
		answered <- answer{r, time.Since(start)}
	}()
	emulatortest.WaitFor(t, func() bool { return e.AppCount() == 1 })
	if seen := time.Since(start); seen >= hold {
		t.Fatalf("the app appeared after %v, not before the answer", seen)
	}
	if r := do(t, "GET", coll, "", bearer); !strings.Contains(string(r.raw), `"name":"held"`) {
		t.Fatalf("the held create is not listed: %s", r.raw)
	}
	select {
	case a := <-answered:
		t.Fatalf("answered after %v, before the delay", a.took)
	default:
	}
	if n := e.Statuses()[201]; n != 0 || e.HeldAnswers() != 1 {
		t.Fatalf("while held: %d answers counted, HeldAnswers() = %d", n, e.HeldAnswers())
	}
	a := <-answered
	if a.took < hold || a.res.status != 201 {
		t.Fatalf("answer %d after %v, want 201 after %v", a.res.status, a.took, hold)
	}
	if got := object(t, a.res.result, "created", "modified", "name", "uid", "secret"); got["secret"] != e.Apps(acctA)[0].Secret {
		t.Fatal("the held answer does not carry the app's secret")
	}
	if a.res.header.Get("Ratelimit") == "" {
		t.Fatal("the held answer lost its Ratelimit header")
	}
	if n := e.Statuses()[201]; n != 1 || e.HeldAnswers() != 0 {
		t.Fatalf("after the answer: Statuses()[201] = %d, HeldAnswers() = %d", n, e.HeldAnswers())
	}

	// A client that gives up meanwhile: the app is there all the same.
	postGivingUp(t, coll, "abandoned")
	if e.AppCount() != 2 {
		t.Fatalf("%d apps, want the abandoned create carried out", e.AppCount())
	}
}

// hang_after: carried out, then no answer at all; at shutdown the
// connection closes without one, and shutdown is not held up.
func TestFault_hangAfter(t *testing.T) {
	e, err := Start(defaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	inject(t, e, Fault{Kind: FaultHangAfter, Method: "POST", Count: 1})
	type outcome struct {
		res *http.Response
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := rawExchange(t, e, "POST", "/accounts/"+acctA+"/calls/apps", `{"name":"hung"}`)
		done <- outcome{res, err}
	}()
	emulatortest.WaitFor(t, func() bool { return e.AppCount() == 1 })
	select {
	case o := <-done:
		t.Fatalf("answered: %+v %v", o.res, o.err)
	case <-time.After(300 * time.Millisecond):
	}
	begin := time.Now()
	e.Close()
	if d := time.Since(begin); d > 3*time.Second {
		t.Fatalf("Close took %v with a hung request", d)
	}
	o := <-done
	if !errors.Is(o.err, io.EOF) && !errors.Is(o.err, io.ErrUnexpectedEOF) {
		t.Fatalf("want the connection closed without an answer, got %+v %v", o.res, o.err)
	}
	if len(e.Statuses()) != 0 {
		t.Fatalf("a hung answer was counted: %v", e.Statuses())
	}
}

// hang_after ends when the client goes away: the emulator lets the request
// go instead of holding it until shutdown. HeldAnswers counts it meanwhile.
func TestFault_hangAfterEndsWhenClientLeaves(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	inject(t, e, Fault{Kind: FaultHangAfter, Method: "POST", Count: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", kindCases[0].coll(e.URL, acctA), strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	done := make(chan error, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	emulatortest.WaitFor(t, func() bool { return e.HeldAnswers() == 1 })
	if e.AppCount() != 1 {
		t.Fatal("hang_after did not carry the create out")
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the hung request was answered")
	}
	emulatortest.WaitFor(t, func() bool { return e.HeldAnswers() == 0 })
}

func TestFault_malformedJSON(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	inject(t, e, Fault{Kind: FaultMalformedJSON, Method: "POST", Count: 1})
	res, err := rawExchange(t, e, "POST", "/accounts/"+acctA+"/calls/apps", `{"name":"a"}`)
	if err != nil || res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("malformed_json: %v %v", res, err)
	}
	body := do2(t, "GET", kindCases[0].coll(e.URL, acctA)) // the fault is used up
	if !json.Valid(body) {
		t.Fatalf("after the fault: %s", body)
	}
	inject(t, e, Fault{Kind: FaultMalformedJSON, Count: 1})
	if body := do2(t, "GET", kindCases[0].coll(e.URL, acctA)); json.Valid(body) || !strings.HasPrefix(string(body), `{"success":true`) {
		t.Fatalf("want truncated JSON, got %s", body)
	}
	if e.AppCount() != 0 {
		t.Fatal("a malformed_json create was carried out")
	}
}

func TestFault_successFalse(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	coll := kindCases[1].coll(e.URL, acctA)
	for _, code := range []int{0, 1234} {
		inject(t, e, Fault{Kind: FaultSuccessFalse, Code: code, Count: 1})
		body := do2(t, "POST", coll)
		var env struct {
			Success *bool    `json:"success"`
			Errors  []apiMsg `json:"errors"`
			Result  any      `json:"result"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatal(err)
		}
		want := code
		if want == 0 {
			want = 10001
		}
		if env.Success == nil || *env.Success || len(env.Errors) != 1 || env.Errors[0].Code != want || env.Result != nil {
			t.Fatalf("success_false (code %d): %s", code, body)
		}
	}
	if e.TURNKeyCount() != 0 || e.Statuses()[200] != 2 {
		t.Fatalf("carried out, or not counted as 200: %d %v", e.TURNKeyCount(), e.Statuses())
	}
}

func TestFault_matchingAndCount(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	apps, keys := kindCases[0].coll(e.URL, acctA), kindCases[1].coll(e.URL, acctA)
	inject(t, e, Fault{Kind: FaultStatus, Method: "post", Route: APIPrefix + appsRoute, Count: 2})
	if got := e.Faults(); len(got) != 1 || got[0].Method != "POST" || got[0].Route != appsRoute || got[0].Status != 502 || got[0].Count != 2 {
		t.Fatalf("Faults() = %+v", got)
	}
	// Other methods and routes are untouched; bad credentials get their 400
	// or 403 without using the fault up.
	if r := do(t, "GET", apps, "", bearer); r.status != 200 {
		t.Fatalf("GET apps: %d", r.status)
	}
	if r := do(t, "POST", keys, `{}`, bearer); r.status != 201 {
		t.Fatalf("POST turn_keys: %d", r.status)
	}
	wantError(t, do(t, "POST", apps, `{}`, nil), 400, 6003, "")
	wantError(t, do(t, "POST", apps, `{}`, map[string]string{"Authorization": "Bearer wrong"}), 403, 10000, "")
	for i := 0; i < 2; i++ {
		if body := do2(t, "POST", apps); !strings.Contains(string(body), "502 Bad Gateway") {
			t.Fatalf("hit %d: %s", i, body)
		}
	}
	if len(e.Faults()) != 0 {
		t.Fatalf("a used-up fault is still listed: %v", e.Faults())
	}
	if r := do(t, "POST", apps, `{}`, bearer); r.status != 201 {
		t.Fatalf("third POST: %d", r.status)
	}

	// Count 0 hits every matching request until cleared; the first
	// injected of several matching faults applies.
	inject(t, e, Fault{Kind: FaultRateLimit})
	inject(t, e, Fault{Kind: FaultStatus})
	for i := 0; i < 5; i++ {
		wantError(t, do(t, "GET", e.URL+"/nowhere", "", bearer), 429, 971, "")
	}
	if got := e.Faults(); len(got) != 2 || got[0].Count != 0 {
		t.Fatalf("Faults() = %+v", got)
	}
	e.ClearFaults()
	if len(e.Faults()) != 0 {
		t.Fatal("ClearFaults left faults")
	}
	wantError(t, do(t, "GET", e.URL+"/nowhere", "", bearer), 400, 7000, "")
}

func TestFault_injectRefusesBadFaults(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	for _, f := range []Fault{
		{},
		{Kind: "explode"},
		{Kind: FaultStatus, Status: 404},
		{Kind: FaultStatus, Route: "/accounts/{account_id}/calls/nothing"},
		{Kind: FaultReset, Count: -1},
		{Kind: FaultDelay},
		{Kind: FaultDelay, Delay: -time.Second},
		{Kind: FaultRateLimit, RetryAfter: -1},
		{Kind: FaultReset, Status: 502},
		{Kind: FaultReset, RetryAfter: 3},
		{Kind: FaultStatus, RetryAfter: -1},
		{Kind: FaultDelayAnswer},
		{Kind: FaultDelayAnswer, Delay: -time.Second},
		{Kind: FaultHangAfter, Delay: time.Second},
		{Kind: FaultDropAfter, Delay: time.Second},
		{Kind: FaultRateLimit, Delay: time.Second},
		{Kind: FaultStatus, Code: 1},
	} {
		if err := e.InjectFault(f); err == nil {
			t.Errorf("InjectFault(%+v) accepted", f)
		}
	}
	if len(e.Faults()) != 0 {
		t.Fatalf("refused faults were added: %v", e.Faults())
	}
	for _, route := range e.routes {
		inject(t, e, Fault{Kind: FaultReset, Route: route})
	}
	if len(e.Faults()) != 10 { // 4 Calls routes, 5 RealtimeKit routes, unmatched
		t.Fatalf("routes %v", e.routes)
	}
}

func TestFault_parse(t *testing.T) {
	good := map[string]Fault{
		"kind=status,status=502,method=POST,route=/accounts/{account_id}/calls/apps,count=2": {
			Kind: FaultStatus, Status: 502, Method: "POST", Route: appsRoute, Count: 2},
		"kind=rate_limit,retry_after=5":          {Kind: FaultRateLimit, RetryAfter: 5},
		" kind=delay , delay=250ms ":             {Kind: FaultDelay, Delay: 250 * time.Millisecond},
		"kind=success_false,code=9,":             {Kind: FaultSuccessFalse, Code: 9},
		"kind=reset,method=DELETE,count=1":       {Kind: FaultReset, Method: "DELETE", Count: 1},
		"kind=drop_after":                        {Kind: FaultDropAfter},
		"kind=malformed_json,route=unmatched":    {Kind: FaultMalformedJSON, Route: "unmatched"},
		"kind=delay_answer,delay=2s,method=POST": {Kind: FaultDelayAnswer, Delay: 2 * time.Second, Method: "POST"},
		"kind=hang_after,method=POST,count=1":    {Kind: FaultHangAfter, Method: "POST", Count: 1},
		"kind=status,status=503,retry_after=30":  {Kind: FaultStatus, Status: 503, RetryAfter: 30},
	}
	for spec, want := range good {
		got, err := ParseFault(spec)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseFault(%q) = %+v, %v; want %+v", spec, got, err, want)
			continue
		}
		if again, err := ParseFault(got.String()); err != nil || !reflect.DeepEqual(again, want) {
			t.Errorf("String() %q does not parse back: %+v %v", got.String(), again, err)
		}
	}
	for _, spec := range []string{
		"", "status", "kind=", "kind=boom", "kind=status,kind=reset", "kind=status,colour=red",
		"kind=status,count=x", "kind=status,count=-1", "kind=status,status=200", "kind=delay",
		"kind=delay,delay=soon", "kind=reset,status=502", "kind=rate_limit,retry_after=x",
		"kind=delay_answer", "kind=hang_after,delay=1s", "kind=status,retry_after=-1", "kind=reset,retry_after=1",
	} {
		if f, err := ParseFault(spec); err == nil {
			t.Errorf("ParseFault(%q) accepted: %+v", spec, f)
		}
	}
}

func TestFault_adminEndpoint(t *testing.T) {
	e := startEmulator(t, defaultOptions())
	base := strings.TrimSuffix(e.URL, APIPrefix) + AdminPrefix + "faults"
	send := func(method, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base, strings.NewReader(body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := send("GET", ""); code != 200 || body != "{\"faults\":[]}\n" {
		t.Fatalf("GET faults: %d %s", code, body)
	}
	code, body := send("POST", `{"kind":"delay","delay":"250ms","method":"GET","count":3}`)
	if code != 200 || body != `{"faults":[{"kind":"delay","method":"GET","count":3,"delay":"250ms"}]}`+"\n" {
		t.Fatalf("POST one fault: %d %s", code, body)
	}
	code, body = send("POST", `[{"kind":"status","status":503,"retry_after":4,"route":"/accounts/{account_id}/calls/apps"},{"kind":"rate_limit","retry_after":2},`+
		`{"kind":"delay_answer","delay":"3s","method":"POST"},{"kind":"hang_after","method":"POST","count":1}]`)
	if code != 200 || len(e.Faults()) != 5 {
		t.Fatalf("POST four faults: %d %s", code, body)
	}
	want := []Fault{
		{Kind: FaultDelay, Method: "GET", Count: 3, Delay: 250 * time.Millisecond},
		{Kind: FaultStatus, Status: 503, RetryAfter: 4, Route: appsRoute},
		{Kind: FaultRateLimit, RetryAfter: 2},
		{Kind: FaultDelayAnswer, Method: "POST", Delay: 3 * time.Second},
		{Kind: FaultHangAfter, Method: "POST", Count: 1},
	}
	if got := e.Faults(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Faults() = %+v", got)
	}
	// Nothing is added unless every fault is valid.
	for _, bad := range []string{
		`{"kind":"boom"}`,
		`[{"kind":"reset"},{"kind":"status","status":200}]`,
		`{"kind":"reset","route":"/nope"}`,
		`{"kind":"delay","delay":"later"}`,
		`{"kind":"reset","colour":"red"}`,
		`{"kind":"delay_answer"}`,
		`{"kind":"hang_after","delay":"1s"}`,
		`{"kind":`,
		`42`,
	} {
		if code, body := send("POST", bad); code != 400 || len(e.Faults()) != 5 {
			t.Fatalf("POST %s: %d %s; %d faults", bad, code, body, len(e.Faults()))
		}
	}
	if code, _ := send("DELETE", ""); code != 204 || len(e.Faults()) != 0 {
		t.Fatalf("DELETE: %d, %d faults left", code, len(e.Faults()))
	}
	if code, _ := send("PUT", "{}"); code != http.StatusMethodNotAllowed {
		t.Fatalf("PUT: %d", code)
	}
	if e.TotalRequests() != 0 {
		t.Fatal("admin requests were counted")
	}
}
