package provider

import "testing"

func TestCheckBaseURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://api.cloudflare.com/client/v4": true,
		"https://10.0.0.1/client/v4":           true,
		"http://127.0.0.1:8787/client/v4":      true,
		"http://127.1.2.3/client/v4":           true,
		"http://localhost:8787/client/v4":      true,
		"http://LOCALHOST/client/v4":           true,
		"http://[::1]:8787/client/v4":          true,
		"http://api.cloudflare.com/client/v4":  false,
		"http://10.0.0.1/client/v4":            false,
		"http://localhost.example.com/":        false,
		"http://127.0.0.1.example.com/":        false,
		"http://[::2]/client/v4":               false,
		"ftp://127.0.0.1/client/v4":            false,
		"127.0.0.1:8787":                       false,
		"/client/v4":                           false,
		"https://":                             false,
		"https://api.cloudflare.com/v4?x=1":    false,
		"https://api.cloudflare.com/v4#frag":   false,
	} {
		if got := checkBaseURL(raw) == ""; got != ok {
			t.Errorf("checkBaseURL(%q) accepted = %v, want %v (%s)", raw, got, ok, checkBaseURL(raw))
		}
	}
}
