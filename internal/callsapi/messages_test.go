package callsapi

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// getAppError answers GetApp with h and returns the *Error it gives.
func getAppError(t *testing.T, h *canned) *Error {
	t.Helper()
	c := newTestClient(t, h, Config{MaxRetries: NoRetries})
	_, err := c.Get(context.Background(), Apps, account, strings.Repeat("a", 32))
	var apiErr *Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("want *Error, got %T %v", err, err)
	}
	return apiErr
}

func TestMessage_optionalMembersAreDecodedAndShown(t *testing.T) {
	apiErr := getAppError(t, &canned{status: 400, body: `{"success":false,"errors":[
		{"code":6003,"message":"Invalid request headers","error_chain":[{"code":6111,"message":"Invalid format for Authorization header"}]},
		{"code":10400,"message":"name is invalid","documentation_url":"https://developers.cloudflare.com/realtime/","source":{"pointer":"/name"}}
	],"messages":[{"code":1,"message":"note","documentation_url":"https://example.com/note"}],"result":null}`})
	want := []Message{
		{Code: 6003, Message: "Invalid request headers", ErrorChain: []Message{{Code: 6111, Message: "Invalid format for Authorization header"}}},
		{Code: 10400, Message: "name is invalid", DocumentationURL: "https://developers.cloudflare.com/realtime/", Source: MessageSource{Pointer: "/name"}},
	}
	if !reflect.DeepEqual(apiErr.Errors, want) {
		t.Fatalf("errors decoded as %+v", apiErr.Errors)
	}
	if apiErr.Problem != "" || apiErr.NotAPIAnswer {
		t.Fatalf("a well-formed envelope reported as malformed: %q", apiErr.Problem)
	}
	for _, part := range []string{
		"; error 6003: Invalid request headers (6111: Invalid format for Authorization header);",
		"; error 10400: name is invalid, at /name, see https://developers.cloudflare.com/realtime/;",
		"; message 1: note, see https://example.com/note",
	} {
		if !strings.Contains(apiErr.Error(), part) {
			t.Errorf("error %q does not contain %q", apiErr, part)
		}
	}
}

func TestMessage_nestedChainsAreShownInOrder(t *testing.T) {
	apiErr := getAppError(t, &canned{status: 400, body: `{"success":false,"errors":[{"code":1,"message":"a","error_chain":[
		{"code":2,"message":"b","error_chain":[{"code":3,"message":"c"}]},{"code":4,"message":"d"}]}],"messages":[],"result":null}`})
	if want := "error 1: a (2: b (3: c); 4: d)"; !strings.Contains(apiErr.Error(), want) {
		t.Fatalf("error %q does not contain %q", apiErr, want)
	}
}

// Odd members never cost the rest of the answer: the codes still count (a
// 404 stays a missing object), and nothing is reported as malformed.
func TestMessage_oddMembersNeverFailDecoding(t *testing.T) {
	for name, entry := range map[string]string{
		"source as a string":          `{"code":10404,"message":"App not found","source":"/name"}`,
		"pointer as a number":         `{"code":10404,"message":"App not found","source":{"pointer":7}}`,
		"documentation_url as object": `{"code":10404,"message":"App not found","documentation_url":{"href":"x"}}`,
		"documentation_url null":      `{"code":10404,"message":"App not found","documentation_url":null,"source":null,"error_chain":null}`,
		"error_chain as an object":    `{"code":10404,"message":"App not found","error_chain":{"code":1}}`,
		"error_chain of odd entries":  `{"code":10404,"message":"App not found","error_chain":[42,"text",null]}`,
		"code as a string":            `{"code":"10404","message":"App not found"}`,
		"unknown members":             `{"code":10404,"message":"App not found","meta":{"x":[1]}}`,
	} {
		t.Run(name, func(t *testing.T) {
			apiErr := getAppError(t, &canned{status: 404, body: `{"success":false,"errors":[` + entry + `],"messages":[],"result":null}`})
			if apiErr.Problem != "" || apiErr.NotAPIAnswer {
				t.Fatalf("decoding failed: %q", apiErr.Problem)
			}
			if got := messageCodes(apiErr.Errors); len(got) != 1 || got[0] != 10404 || !IsNotFound(apiErr) {
				t.Fatalf("codes %v, IsNotFound %v", got, IsNotFound(apiErr))
			}
			if !strings.Contains(apiErr.Error(), "error 10404: App not found") {
				t.Fatalf("error %q", apiErr)
			}
		})
	}
	apiErr := getAppError(t, &canned{status: 500, body: `{"success":false,"errors":["boom", 7],"messages":[],"result":null}`})
	if apiErr.Problem != "" || len(apiErr.Errors) != 2 || apiErr.Errors[0].Message != "boom" {
		t.Fatalf("entries that are not objects: %+v, %q", apiErr.Errors, apiErr.Problem)
	}
}

// A base URL that reaches some other web server gets text, not JSON: the
// error says so, quotes the start of it, and never shows a JSON decoder's
// "invalid character".
func TestNotAnAPIAnswer_isNamedNotDecoded(t *testing.T) {
	cases := []struct {
		name, contentType, body, want string
	}{
		{"plain text 404", "text/plain; charset=utf-8", "404 page not found\n", `not a Cloudflare API answer (text/plain; charset=utf-8: "404 page not found")`},
		{"long text", "text/plain", strings.Repeat("x", 200) + "\nsecond line", `(text/plain: "` + strings.Repeat("x", 60) + `...")`},
		{"text labelled as JSON", "", "OK", `not a Cloudflare API answer (application/json: "OK")`},
		{"HTML", "text/html", "<html><body>Welcome</body></html>", "an HTML page, not a Cloudflare API answer"},
		{"JSON from another API", "application/json", `{"items":[]}`, `JSON but not a Cloudflare API answer: it has no "success" field`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			apiErr := getAppError(t, &canned{status: 404, contentType: tc.contentType, body: tc.body})
			if !apiErr.NotAPIAnswer || IsNotFound(apiErr) {
				t.Fatalf("NotAPIAnswer %v, IsNotFound %v", apiErr.NotAPIAnswer, IsNotFound(apiErr))
			}
			if msg := apiErr.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "invalid character") {
				t.Fatalf("error %q, want it to contain %q and no decoder message", msg, tc.want)
			}
		})
	}
	// A truncated envelope is the API's, broken: that one is a JSON problem.
	apiErr := getAppError(t, &canned{status: 200, body: `{"success":true,"result":{`})
	if apiErr.NotAPIAnswer || !strings.Contains(apiErr.Error(), "not valid JSON") {
		t.Fatalf("truncated JSON: %v", apiErr)
	}
}

// The emulator's answers for bad credentials and bad paths, as the client
// reports them.
func TestEmulatorAnswers_asTheClientReportsThem(t *testing.T) {
	em, err := emulator.Start(emulator.Options{Tokens: []string{"good-token"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Close)
	call := func(base, token string) *Error {
		t.Helper()
		c := newClient(t, Config{BaseURL: base, APIToken: token, MaxRetries: NoRetries})
		_, err := c.List(context.Background(), Apps, account)
		var apiErr *Error
		if !errors.As(err, &apiErr) {
			t.Fatalf("want *Error, got %T %v", err, err)
		}
		return apiErr
	}
	for _, tc := range []struct {
		name, base, token string
		status            int
		want              string
	}{
		{"malformed token", em.URL, "has spaces in it", 400, "error 6003: Invalid request headers (6111: Invalid format for Authorization header)"},
		{"wrong token", em.URL, "wrong-token", 403, "error 10000: Authentication error"},
		{"base URL without /client/v4", strings.TrimSuffix(em.URL, emulator.APIPrefix), "good-token", 400, "error 7000: No route for that URI"},
		{"base URL with a typo", em.URL + "/typo", "good-token", 400, "error 7000: No route for that URI"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			apiErr := call(tc.base, tc.token)
			if apiErr.StatusCode != tc.status || !strings.Contains(apiErr.Error(), tc.want) || apiErr.NotAPIAnswer {
				t.Fatalf("got %v, want HTTP %d with %q", apiErr, tc.status, tc.want)
			}
		})
	}
}
