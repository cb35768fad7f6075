package callsapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// RealtimeKit answers {success, data, paging} and fails with one error
// object, or a bare {message} on 401; Do reads both through the same loop.
func TestKitEnvelope_dataAndPagingAreDecoded(t *testing.T) {
	h := &canned{status: 200, body: `{"success":true,"data":[{"id":"a"},{"id":"b"}],"paging":{"start_offset":21,"end_offset":22,"total_count":22}}`}
	c := newTestClient(t, h, Config{})
	var items []struct{ ID string }
	var paging Paging
	if err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/accounts/x/realtime/kit/apps?page_no=2", Out: &items, Paging: &paging}); err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[1].ID != "b" {
		t.Errorf("items = %+v, want a and b", items)
	}
	if paging != (Paging{StartOffset: 21, EndOffset: 22, TotalCount: 22}) {
		t.Errorf("paging = %+v", paging)
	}
	if got := h.last.URL.RawQuery; got != "page_no=2" {
		t.Errorf("query sent = %q, want page_no=2", got)
	}
}

func TestKitEnvelope_errorsAreTheAPIsWords(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		want       string
		notFound   bool
	}{
		{"error object", `{"success":false,"error":{"code":404,"message":"Preset not found"}}`, 404, "HTTP 404 Not Found; error 404: Preset not found", true},
		{"validation", `{"success":false,"error":{"code":400,"message":"config.media.video.frame_rate must be at most 30"}}`, 400, "error 400: config.media.video.frame_rate must be at most 30", false},
		{"bare message", `{"message":"Unauthorized"}`, 401, "HTTP 401 Unauthorized; error 401: Unauthorized", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, &canned{status: tc.status, body: tc.body}, Config{MaxRetries: NoRetries})
			err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/accounts/x/realtime/kit/y/presets/z", Out: &struct{}{}})
			var apiErr *Error
			if !errors.As(err, &apiErr) || apiErr.NotAPIAnswer {
				t.Fatalf("err = %v, want an API error", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if IsNotFound(err) != tc.notFound {
				t.Errorf("IsNotFound = %v, want %v", IsNotFound(err), tc.notFound)
			}
		})
	}
}
