package kitapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

// recordingServer answers from a function of the request and records what was
// sent: "METHOD path?query body".
type recordingServer struct {
	answer func(r *http.Request) (int, string)
	sent   []string
}

func (s *recordingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	target := r.URL.Path
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	s.sent = append(s.sent, strings.TrimSpace(r.Method+" "+target+" "+string(b)))
	status, body := s.answer(r)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// testClient is a client of the API h serves, with a pacer of its own.
func testClient(t *testing.T, h http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	api, err := callsapi.New(callsapi.Config{BaseURL: srv.URL + "/client/v4", APIToken: "tok", MaxRetries: callsapi.NoRetries, Pacer: callsapi.NewPacer()})
	if err != nil {
		t.Fatal(err)
	}
	return New(api)
}

func answering(status int, body string) func(*http.Request) (int, string) {
	return func(*http.Request) (int, string) { return status, body }
}
