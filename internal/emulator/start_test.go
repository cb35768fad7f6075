package emulator

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStartClose(t *testing.T) {
	r, err := Start(defaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.URL, "http://127.0.0.1:") || !strings.HasSuffix(r.URL, "/client/v4") {
		t.Fatalf("URL %q", r.URL)
	}
	// An opened but unused connection must not hold Close up.
	c, err := net.Dial("tcp", strings.TrimPrefix(strings.TrimSuffix(r.URL, APIPrefix), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	time.Sleep(20 * time.Millisecond)
	begin := time.Now()
	r.Close()
	if d := time.Since(begin); d > time.Second {
		t.Fatalf("Close took %v", d)
	}
	r.Close() // idempotent
	if _, err := http.Get(r.URL + "/accounts/" + acctA + "/calls/apps"); err == nil {
		t.Fatal("server still answers after Close")
	}
	if _, err := Start(Options{}); err == nil {
		t.Fatal("Start without credentials succeeded")
	}
}
