package callsapi

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const account = "0123456789abcdef0123456789abcdef"

// canned answers every request with one status and body, and records the last request.
type canned struct {
	status      int
	contentType string
	body        string
	last        *http.Request
	lastBody    string
}

func (c *canned) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.last = r
	b, _ := io.ReadAll(r.Body)
	c.lastBody = string(b)
	ct := c.contentType
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(c.status)
	_, _ = io.WriteString(w, c.body)
}

func newTestClient(t *testing.T, h http.Handler, cfg Config) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL + "/client/v4"
	return newClient(t, cfg)
}

// newClient builds a client with a token and, unless cfg says otherwise,
// retry waits short enough for tests.
func newClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	if cfg.APIToken == "" && cfg.APIKey == "" {
		cfg.APIToken = "tok"
	}
	if cfg.RetryWaitMin == 0 {
		cfg.RetryWaitMin = time.Millisecond
	}
	if cfg.RetryWaitMax == 0 {
		cfg.RetryWaitMax = 5 * time.Millisecond
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCreateApp_decodesEnvelopeAndSendsRequest(t *testing.T) {
	h := &canned{status: 201, body: `{"success":true,"errors":[],"messages":[],"result":{"created":"2026-01-02T03:04:05.000001Z","modified":"2026-01-02T03:04:05.000001Z","name":"n","secret":"` + strings.Repeat("ab", 32) + `","uid":"` + strings.Repeat("c", 32) + `"}}`}
	c := newTestClient(t, h, Config{APIToken: "tok", UserAgent: "ua/1"})
	app, err := c.Create(context.Background(), Apps, account, "n")
	if err != nil {
		t.Fatal(err)
	}
	if app.UID != strings.Repeat("c", 32) || app.Secret != strings.Repeat("ab", 32) || app.Name != "n" || app.Created != "2026-01-02T03:04:05.000001Z" {
		t.Errorf("decoded %+v", app)
	}
	if h.last.Method != http.MethodPost || h.last.URL.Path != "/client/v4/accounts/"+account+"/calls/apps" {
		t.Errorf("sent %s %s", h.last.Method, h.last.URL.Path)
	}
	if h.lastBody != `{"name":"n"}` {
		t.Errorf("body %q", h.lastBody)
	}
	if got := h.last.Header.Get("Authorization"); got != "Bearer tok" {
		t.Errorf("Authorization %q", got)
	}
	if got := h.last.Header.Get("User-Agent"); got != "ua/1" {
		t.Errorf("User-Agent %q", got)
	}
	if got := h.last.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q", got)
	}
}

func TestLegacyKeyAuthHeaders(t *testing.T) {
	h := &canned{status: 200, body: `{"success":true,"errors":[],"messages":[],"result":[]}`}
	c := newTestClient(t, h, Config{APIKey: "k", Email: "e@example.com"})
	if _, err := c.List(context.Background(), Apps, account); err != nil {
		t.Fatal(err)
	}
	if h.last.Header.Get("X-Auth-Key") != "k" || h.last.Header.Get("X-Auth-Email") != "e@example.com" || h.last.Header.Get("Authorization") != "" {
		t.Errorf("headers %v", h.last.Header)
	}
}

func TestNew_refusesBadConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no credentials":   {},
		"key only":         {APIKey: "k"},
		"token and key":    {APIToken: "t", APIKey: "k", Email: "e"},
		"relative url":     {APIToken: "t", BaseURL: "/client/v4"},
		"other scheme":     {APIToken: "t", BaseURL: "ftp://x/client/v4"},
		"unparsable url":   {APIToken: "t", BaseURL: "://x"},
		"negative wait":    {APIToken: "t", RetryWaitMin: -time.Second},
		"min above max":    {APIToken: "t", RetryWaitMin: time.Minute, RetryWaitMax: time.Second},
		"negative total":   {APIToken: "t", MaxRetryDuration: -time.Second},
		"negative timeout": {APIToken: "t", RequestTimeout: -time.Second},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name        string
		h           *canned
		wantStatus  int
		wantInError []string
		notFound    bool
	}{
		{
			name:        "404 with codes",
			h:           &canned{status: 404, body: `{"success":false,"errors":[{"code":10404,"message":"App not found"}],"messages":[],"result":null}`},
			wantStatus:  404,
			wantInError: []string{"HTTP 404", "error 10404: App not found"},
			notFound:    true,
		},
		{
			name:        "404 for a path the API cannot route is not a missing object",
			h:           &canned{status: 404, body: `{"success":false,"errors":[{"code":7000,"message":"No route for that URI"}],"messages":[],"result":null}`},
			wantStatus:  404,
			wantInError: []string{"HTTP 404", "error 7000"},
		},
		{
			name:        "404 page from a proxy is not a missing object",
			h:           &canned{status: 404, contentType: "text/html", body: `<html>Not Found</html>`},
			wantStatus:  404,
			wantInError: []string{"HTTP 404", "HTML page"},
		},
		{
			name:        "403 with several errors and messages",
			h:           &canned{status: 403, body: `{"success":false,"errors":[{"code":10000,"message":"Authentication error"},{"code":9109,"message":"Invalid access token"}],"messages":[{"code":1,"message":"see docs"}],"result":null}`},
			wantStatus:  403,
			wantInError: []string{"HTTP 403 Forbidden", "error 10000: Authentication error", "error 9109: Invalid access token", "message 1: see docs"},
		},
		{
			name:        "success false on a 200",
			h:           &canned{status: 200, body: `{"success":false,"errors":[{"code":1234,"message":"nope"}],"messages":[],"result":null}`},
			wantStatus:  200,
			wantInError: []string{"success: false", "error 1234: nope"},
		},
		{
			name:        "HTML error page",
			h:           &canned{status: 502, contentType: "text/html", body: `<html><body>Bad gateway</body></html>`},
			wantStatus:  502,
			wantInError: []string{"HTTP 502", "HTML page", "gave up after 6 attempts"},
		},
		{
			name:        "empty body",
			h:           &canned{status: 500, body: ``},
			wantStatus:  500,
			wantInError: []string{"HTTP 500", "empty"},
		},
		{
			name:        "malformed JSON",
			h:           &canned{status: 200, body: `{"success":true,"result":{`},
			wantStatus:  200,
			wantInError: []string{"not valid JSON"},
		},
		{
			name:        "JSON that is not an envelope",
			h:           &canned{status: 200, body: `{"uid":"x"}`},
			wantStatus:  200,
			wantInError: []string{`no "success" field`},
		},
		{
			name:        "success without result",
			h:           &canned{status: 200, body: `{"success":true,"errors":[],"messages":[],"result":null}`},
			wantStatus:  200,
			wantInError: []string{"without a result"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, tc.h, Config{})
			_, err := c.Get(context.Background(), Apps, account, strings.Repeat("a", 32))
			var apiErr *Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("want *Error, got %T %v", err, err)
			}
			if apiErr.StatusCode != tc.wantStatus {
				t.Errorf("status %d, want %d", apiErr.StatusCode, tc.wantStatus)
			}
			for _, want := range tc.wantInError {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if IsNotFound(err) != tc.notFound {
				t.Errorf("IsNotFound = %v", IsNotFound(err))
			}
		})
	}
}

func TestCreateApp_answerWithoutSecretIsAnError(t *testing.T) {
	h := &canned{status: 201, body: `{"success":true,"errors":[],"messages":[],"result":{"uid":"` + strings.Repeat("c", 32) + `","name":"n"}}`}
	c := newTestClient(t, h, Config{})
	if _, err := c.Create(context.Background(), Apps, account, "n"); err == nil || !strings.Contains(err.Error(), "no secret") {
		t.Fatalf("want an error about the missing secret, got %v", err)
	}
}

func TestCreateTURNKey_acceptsKeyUnderSecret(t *testing.T) {
	key := strings.Repeat("9f", 32)
	for name, body := range map[string]string{
		"key":    `{"success":true,"errors":[],"messages":[],"result":{"uid":"` + strings.Repeat("d", 32) + `","name":"k","key":"` + key + `"}}`,
		"secret": `{"success":true,"errors":[],"messages":[],"result":{"uid":"` + strings.Repeat("d", 32) + `","name":"k","secret":"` + key + `"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			c := newTestClient(t, &canned{status: 201, body: body}, Config{})
			got, err := c.Create(context.Background(), TURNKeys, account, "k")
			if err != nil {
				t.Fatal(err)
			}
			if got.Secret != key {
				t.Errorf("key %q", got.Secret)
			}
		})
	}
}

func TestTransportErrors(t *testing.T) {
	// A port that was listening and is now closed: connection refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	c := newClient(t, Config{BaseURL: "http://" + addr + "/client/v4"})
	_, err = c.Get(context.Background(), Apps, account, strings.Repeat("a", 32))
	var te *Error
	if !noAnswer(err, &te) || IsNotFound(err) {
		t.Fatalf("want no answer (an Error with Err), got %T %v", err, err)
	}

	// A server slower than the request timeout.
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	c = newTestClient(t, slow, Config{RequestTimeout: 50 * time.Millisecond, MaxRetries: NoRetries})
	start := time.Now()
	_, err = c.List(context.Background(), Apps, account)
	if !noAnswer(err, &te) {
		t.Fatalf("want no answer (an Error with Err) on timeout, got %T %v", err, err)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("the request timeout was not honoured")
	}

	// A cancelled context.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.List(ctx, Apps, account)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

func TestOnRequestReportsEachExchange(t *testing.T) {
	h := &canned{status: 404, body: `{"success":false,"errors":[{"code":10404,"message":"App not found"}],"messages":[],"result":null}`}
	var infos []RequestInfo
	c := newTestClient(t, h, Config{OnRequest: func(_ context.Context, info RequestInfo) { infos = append(infos, info) }})
	_, _ = c.Get(context.Background(), Apps, account, strings.Repeat("a", 32))
	_ = c.Delete(context.Background(), Apps, account, strings.Repeat("b", 32))
	if len(infos) != 2 {
		t.Fatalf("OnRequest called %d times, want 2", len(infos))
	}
	if i := infos[0]; i.Method != "GET" || i.StatusCode != 404 || i.Path != "/accounts/"+account+"/calls/apps/"+strings.Repeat("a", 32) ||
		len(i.ErrorCodes) != 1 || i.ErrorCodes[0] != 10404 || i.Attempt != 1 || i.RetryIn != 0 || i.Err != nil {
		t.Errorf("first exchange reported as %+v", i)
	}
	if i := infos[1]; i.Method != "DELETE" || i.Path != "/accounts/"+account+"/calls/apps/"+strings.Repeat("b", 32) {
		t.Errorf("second exchange reported as %+v", i)
	}
}
