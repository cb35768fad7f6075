package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

const acct = "0123456789abcdef0123456789abcdef"

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startRun runs the program with args plus -listen 127.0.0.1:0 -addr-file and
// returns the base URL, its output and a stop function returning run's error.
func startRun(t *testing.T, args ...string) (string, *syncBuffer, *syncBuffer, func() error) {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	args = append([]string{"-listen", "127.0.0.1:0", "-addr-file", addrFile}, args...)
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, stdout, stderr) }()
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			if _, serr := os.Stat(addrFile); !errors.Is(serr, os.ErrNotExist) {
				t.Errorf("addr file not removed on exit: %v", serr)
			}
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("run did not return after cancel")
			return nil
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(addrFile)
		if err == nil {
			return string(data), stdout, stderr, stop
		}
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("addr file never appeared")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func get(t *testing.T, url string, headers ...string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res.StatusCode
}

func TestRunWithToken(t *testing.T) {
	base, stdout, stderr, stop := startRun(t, "-token", "given-token", "-email", "me@example.com", "-key", "k3y", "-log-requests")
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/client/v4$`).MatchString(base) {
		t.Fatalf("addr file %q", base)
	}
	list := base + "/accounts/" + acct + "/calls/apps"
	if c := get(t, list, "Authorization", "Bearer given-token"); c != 200 {
		t.Fatalf("token: %d", c)
	}
	if c := get(t, list, "X-Auth-Email", "me@example.com", "X-Auth-Key", "k3y"); c != 200 {
		t.Fatalf("email/key: %d", c)
	}
	if c := get(t, list, "Authorization", "Bearer other"); c != 403 {
		t.Fatalf("wrong token: %d", c)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	want := "calls-emulator listening on " + base + "\ntoken: (from -token)\n"
	if stdout.String() != want {
		t.Fatalf("stdout %q, want %q", stdout.String(), want)
	}
	logs := stderr.String()
	if !strings.Contains(logs, `GET "/client/v4/accounts/`+acct+`/calls/apps" 403`) {
		t.Fatalf("request log: %q", logs)
	}
	for _, secret := range []string{"given-token", "k3y"} {
		if strings.Contains(logs, secret) {
			t.Fatalf("log leaks %q: %s", secret, logs)
		}
	}
}

func TestRunGeneratesToken(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	base, stdout, _, stop := startRun(t, "-state", state)
	m := regexp.MustCompile(`(?m)^token: ([A-Za-z0-9_-]{40})$`).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no generated token in %q", stdout.String())
	}
	req, _ := http.NewRequest("POST", base+"/accounts/"+acct+"/calls/turn_keys", strings.NewReader(`{"name":"x"}`))
	req.Header.Set("Authorization", "Bearer "+m[1])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("create with generated token: %d", res.StatusCode)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(state); err != nil || !strings.Contains(string(data), `"turn_keys"`) {
		t.Fatalf("state file: %v %s", err, data)
	}
	if first, second := randomToken(40), randomToken(40); first == second {
		t.Fatal("tokens repeat")
	}
}

func TestRunFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-email", "a@b.c"},
		{"-key", "k"},
		{"extra"},
		{"-no-such-flag"},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), args, io.Discard, &out); !errors.Is(err, errUsage) {
			t.Errorf("%v: err %v", args, err)
		}
	}
	if err := run(context.Background(), []string{"-h"}, io.Discard, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"-state", bad, "-listen", "127.0.0.1:0"}, io.Discard, io.Discard); err == nil {
		t.Error("corrupt state file accepted")
	}
	if err := run(context.Background(), []string{"-listen", "256.0.0.1:0"}, io.Discard, io.Discard); err == nil {
		t.Error("bad listen address accepted")
	}
}

func TestBaseURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8787": "http://127.0.0.1:8787/client/v4",
		"0.0.0.0:8787":   "http://127.0.0.1:8787/client/v4",
		"[::]:8787":      "http://127.0.0.1:8787/client/v4",
		"[::1]:8787":     "http://[::1]:8787/client/v4",
	} {
		tcp, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := baseURL(tcp); got != want {
			t.Errorf("baseURL(%s) = %s, want %s", addr, got, want)
		}
	}
}

func TestRunWithFaultsRateLimitAndLatency(t *testing.T) {
	base, stdout, _, stop := startRun(t, "-token", "tok",
		"-fault", "kind=status,status=503,method=POST,route=/accounts/{account_id}/calls/apps,count=2",
		"-fault", "kind=delay,delay=10ms,method=GET",
		"-rate-limit", "4/1h",
		"-latency", "60ms")
	admin := strings.TrimSuffix(base, "/client/v4") + "/__emulator/"
	res, err := http.Get(admin + "faults")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	want := `{"faults":[{"kind":"status","method":"POST","route":"/accounts/{account_id}/calls/apps","count":2,"status":503},{"kind":"delay","method":"GET","delay":"10ms"}]}` + "\n"
	if string(body) != want {
		t.Fatalf("faults %s", body)
	}

	var last http.Header
	post := func() int {
		req, _ := http.NewRequest("POST", base+"/accounts/"+acct+"/calls/apps", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer tok")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		last = res.Header
		return res.StatusCode
	}
	start := time.Now()
	got := []int{post(), post(), post(), post(), post(), post()}
	if d := time.Since(start); d < 6*60*time.Millisecond {
		t.Errorf("6 requests took %v with -latency 60ms", d)
	}
	if fmt.Sprint(got) != "[503 503 201 201 429 429]" {
		t.Fatalf("statuses %v, want two faults, two creates, then the rate limit's block", got)
	}
	if p, ra := last.Get("Ratelimit-Policy"), last.Get("Retry-After"); p != `"default";q=4;w=3600` || ra != "3600" {
		t.Fatalf("-rate-limit 4/1h: Ratelimit-Policy %q, Retry-After %q", p, ra)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout.String(), "calls-emulator listening on ") {
		t.Fatalf("stdout %q", stdout.String())
	}
}

func TestRunRateLimitOff(t *testing.T) {
	base, _, _, stop := startRun(t, "-token", "tok", "-rate-limit", "off")
	for i := 0; i < 20; i++ {
		if c := get(t, base+"/accounts/"+acct+"/calls/apps", "Authorization", "Bearer tok"); c != 200 {
			t.Fatalf("request %d: %d", i, c)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestRunBadFaultAndLimitFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-fault", "kind=boom"},
		{"-fault", "kind=status,status=404"},
		{"-fault", "kind=status,route=/accounts/{account_id}/calls/nothing"},
		{"-fault", "kind=delay"},
		{"-rate-limit", "100"},
		{"-rate-limit", "0/1s"},
		{"-rate-limit", "10/never"},
		{"-latency", "soon"},
		{"-latency", "-1s"},
		{"-kit-quirks", "some"},
		{"-kit-quirks", "all,bare-unauthorized"},
	} {
		var stderr bytes.Buffer
		err := run(context.Background(), append(args, "-listen", "127.0.0.1:0"), io.Discard, &stderr)
		if !errors.Is(err, errUsage) {
			t.Errorf("%v: err %v", args, err)
		}
		if stderr.Len() == 0 {
			t.Errorf("%v: nothing said on stderr", args)
		}
	}
}

// -h tells what a client must expect: the real API's error answers, the rate
// limit's block and headers, and every fault kind with what it does.
func TestHelpDescribesLimitAnswersAndEveryFault(t *testing.T) {
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, io.Discard, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	help := stderr.String()
	for _, want := range []string{
		"code 7003", "code 7000", "code 6003", "6111", "code 10000",
		"starts a block of one window", "Retry-After", `Ratelimit: "default";r=`, `Ratelimit-Policy: "default";q=`, "rate_limited",
		"-rate-limit quota/window", "40/10s", "retry_after",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("-h does not mention %q", want)
		}
	}
	for _, name := range emulator.KitQuirkNames() {
		if d := emulator.DescribeKitQuirk(name); d == "" || !strings.Contains(help, "  "+name+" ") || !strings.Contains(help, d) {
			t.Errorf("-h does not describe kit quirk %s", name)
		}
	}
	if !strings.Contains(help, "-kit-quirks quirks") || !strings.Contains(help, "RealtimeKit API (apps, presets, webhooks)") {
		t.Error("-h does not mention the RealtimeKit API and -kit-quirks")
	}
	for _, k := range emulator.FaultKinds() {
		if !strings.Contains(help, "  "+string(k)+" ") || !strings.Contains(help, k.Describe()) {
			t.Errorf("-h does not describe fault kind %s", k)
		}
		if k.Describe() == emulator.FaultKind("nope").Describe() {
			t.Errorf("fault kind %s has no description", k)
		}
	}
}

// -kit-quirks turns the live API's quirks on; the admin endpoint switches
// them while running.
func TestRunWithKitQuirks(t *testing.T) {
	base, _, _, stop := startRun(t, "-token", "tok", "-kit-quirks", "empty-webhook-list-404, put-webhook-partial-echo")
	send := func(method, url, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer tok")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(data)
	}
	status, body := send("POST", base+"/accounts/"+acct+"/realtime/kit/apps", `{"name":"a"}`)
	id := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(body)
	if status != 201 || id == nil {
		t.Fatalf("create app: %d %s", status, body)
	}
	hooks := base + "/accounts/" + acct + "/realtime/kit/" + id[1] + "/webhooks"
	if status, body := send("GET", hooks, ""); status != 404 || !strings.Contains(body, `"success":false`) {
		t.Fatalf("empty webhook list with the quirk: %d %s", status, body)
	}
	admin := strings.TrimSuffix(base, "/client/v4") + "/__emulator/kit-quirks"
	if status, body := send("GET", admin, ""); status != 200 || body != `{"kit_quirks":"empty-webhook-list-404,put-webhook-partial-echo"}`+"\n" {
		t.Fatalf("GET kit-quirks: %d %s", status, body)
	}
	if status, body := send("PUT", admin, "none"); status != 200 || body != `{"kit_quirks":"none"}`+"\n" {
		t.Fatalf("PUT kit-quirks: %d %s", status, body)
	}
	if status, body := send("GET", hooks, ""); status != 200 || !strings.Contains(body, `"data":[]`) {
		t.Fatalf("empty webhook list without the quirk: %d %s", status, body)
	}
	if status, _ := send("PUT", admin, "nonsense"); status != 400 {
		t.Fatalf("PUT bad kit-quirks: %d", status)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
