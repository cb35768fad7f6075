package callsapi

import (
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"testing"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// roundTripFunc is an http.RoundTripper written as a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// inMemoryClient is a client whose requests h serves in memory, with no
// socket, so that it runs inside a synctest bubble on the bubble's clock.
// Each request reports a connection made for it, as a real transport does
// once it sends one. Unless cfg names a Pacer, the client has one of its own.
func inMemoryClient(t *testing.T, h http.Handler, cfg Config) *Client {
	t.Helper()
	cfg.BaseURL = "http://api.example.test/client/v4"
	cfg.HTTPClient = &http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if trace := httptrace.ContextClientTrace(req.Context()); trace != nil && trace.GotConn != nil {
			trace.GotConn(httptrace.GotConnInfo{})
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result(), nil
	})}
	if cfg.Pacer == nil {
		cfg.Pacer = NewPacer()
	}
	return newClient(t, cfg)
}

// memoryEmulator is an emulator to serve through inMemoryClient, on the
// clock of the bubble it is made in.
func memoryEmulator(t *testing.T, faults ...emulator.Fault) *emulator.Server {
	t.Helper()
	em, err := emulator.New(emulator.Options{Tokens: []string{"tok"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range faults {
		if err := em.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	return em
}

// inMemoryClientWithRecorder is inMemoryClient with OnRequest recorded.
func inMemoryClientWithRecorder(t *testing.T, h http.Handler, cfg Config) (*Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	cfg.OnRequest = rec.onRequest
	return inMemoryClient(t, h, cfg), rec
}
