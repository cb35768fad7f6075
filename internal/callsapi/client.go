// Package callsapi is the one call loop through which every Cloudflare API
// call of the provider goes (Client.Do: call.go, pacer.go), and a thin typed
// client for Calls SFU apps and TURN keys (objects.go). It knows nothing of
// Terraform; callers observe requests through Config.OnRequest.
package callsapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults for the Config fields left zero.
const (
	DefaultBaseURL          = "https://api.cloudflare.com/client/v4"
	DefaultRequestTimeout   = 30 * time.Second
	DefaultMaxRetries       = 5
	DefaultRetryWaitMin     = 1 * time.Second
	DefaultRetryWaitMax     = 30 * time.Second
	DefaultMaxRetryDuration = 6 * time.Minute // one rate-limit block (Retry-After: 300) and a minute to spare
)

// NoRetries, as Config.MaxRetries, makes every call a single attempt.
const NoRetries = -1

// Config holds everything needed to talk to the API. Exactly one kind of
// credential must be set: APIToken, or APIKey together with Email.
type Config struct {
	BaseURL                    string
	APIToken, APIKey, Email    string
	UserAgent                  string
	RequestTimeout             time.Duration // bounds each attempt; ignored with HTTPClient
	HTTPClient                 *http.Client
	MaxRetries                 int           // retries after the first attempt; NoRetries for none
	RetryWaitMin, RetryWaitMax time.Duration // bound a retry's backoff; a Retry-After is waited in full
	// MaxRetryDuration is one call's time budget: pacing, attempts and
	// waits. A retry starts only when its wait ends RetryWaitMin before the
	// budget does; a request the pacer would hold past it is not sent.
	MaxRetryDuration time.Duration

	// Pacer keeps the calls within the API's rate limit; nil means the
	// process's one Pacer for this base URL and credential.
	Pacer *Pacer
	// OnRateLimit is called when the rate limit starts holding requests,
	// once per hold however many calls wait in it.
	OnRateLimit func(ctx context.Context, hold RateLimitHold)
	// OnRequest is called once per attempt; it never sees bodies or headers (no secret).
	OnRequest func(ctx context.Context, info RequestInfo)
}

// RequestInfo describes one finished attempt, for logging.
type RequestInfo struct {
	Method, Path string
	StatusCode   int // 0 when no answer came
	Duration     time.Duration
	ErrorCodes   []int
	Err          error         // the transport error, if any
	Attempt      int           // from 1
	RetryIn      time.Duration // the wait before the next attempt; 0 when none follows
	Paced        time.Duration // how long the pacer held the attempt
}

// Client calls the API. It is safe for concurrent use.
type Client struct {
	base        *url.URL
	http        *http.Client
	userAgent   string
	auth        http.Header // the credential
	onRequest   func(ctx context.Context, info RequestInfo)
	onRateLimit func(ctx context.Context, hold RateLimitHold)
	retry       retryPolicy
	pacer       *Pacer
}

func New(cfg Config) (*Client, error) {
	raw := cmp.Or(cfg.BaseURL, DefaultBaseURL)
	base, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || base.Scheme != "http" && base.Scheme != "https" || base.Host == "" {
		return nil, fmt.Errorf("invalid base URL %q: want an absolute http(s) URL", raw)
	}
	c := &Client{base: base, userAgent: cfg.UserAgent, onRequest: cfg.OnRequest, onRateLimit: cfg.OnRateLimit, pacer: cfg.Pacer}
	switch {
	case cfg.APIToken != "" && (cfg.APIKey != "" || cfg.Email != ""):
		return nil, errors.New("set either an API token or an API key with email, not both")
	case cfg.APIToken != "":
		c.auth = http.Header{"Authorization": {"Bearer " + cfg.APIToken}}
	case cfg.APIKey != "" && cfg.Email != "":
		c.auth = http.Header{"X-Auth-Email": {cfg.Email}, "X-Auth-Key": {cfg.APIKey}}
	default:
		return nil, errors.New("no credentials: set an API token, or an API key with email")
	}
	if c.pacer == nil {
		c.pacer = sharedPacer(base.String(), c.auth)
	}
	if c.onRateLimit == nil {
		c.onRateLimit = func(context.Context, RateLimitHold) {}
	}
	if c.retry, err = newRetryPolicy(cfg); err != nil {
		return nil, err
	}
	if c.http = cfg.HTTPClient; c.http == nil {
		transport := http.DefaultTransport.(*http.Transport).Clone()
		transport.MaxIdleConnsPerHost = 16 // applies run with -parallelism 10 and more
		c.http = &http.Client{Timeout: cmp.Or(cfg.RequestTimeout, DefaultRequestTimeout), Transport: transport}
	}
	return c, nil
}

// Message is one entry of an answer's errors or messages; only Code and Message are always there.
type Message struct {
	Code             int           `json:"code"`
	Message          string        `json:"message"`
	DocumentationURL string        `json:"documentation_url,omitempty"`
	Source           MessageSource `json:"source,omitzero"`
	// ErrorChain holds the errors beneath this one: a 6003 "Invalid request
	// headers" carries 6111 "Invalid format for Authorization header".
	ErrorChain []Message `json:"error_chain,omitempty"`
}

type MessageSource struct {
	Pointer string `json:"pointer,omitempty"` // a JSON pointer into the body, such as /name
}

// UnmarshalJSON never fails: a member of an unexpected type is skipped, not
// allowed to cost the rest of the answer. A bare string is the message; a
// code may come as a string.
func (m *Message) UnmarshalJSON(data []byte) error {
	type plain Message
	var v struct {
		plain
		Code any `json:"code"`
	}
	if json.Unmarshal(data, &v.Message) != nil {
		_ = json.Unmarshal(data, &v)
	}
	*m = Message(v.plain)
	switch code := v.Code.(type) {
	case float64:
		m.Code = int(code)
	case string:
		m.Code, _ = strconv.Atoi(code)
	}
	return nil
}

// envelope is a Calls answer ({success, errors, messages, result}) or a
// RealtimeKit one ({success, error, data, paging}; a bare {message} on 401).
type envelope struct {
	Success  *bool           `json:"success"`
	Errors   []Message       `json:"errors"`
	Error    *Message        `json:"error"`
	Message  string          `json:"message"`
	Messages []Message       `json:"messages"`
	Result   json.RawMessage `json:"result"`
	Data     json.RawMessage `json:"data"`
	Paging   *Paging         `json:"paging"`
}

// Paging is where a page of a RealtimeKit list lies in the whole: 1-based
// offsets of its first and last items, and how many there are in all.
type Paging struct {
	StartOffset int `json:"start_offset"`
	EndOffset   int `json:"end_offset"`
	TotalCount  int `json:"total_count"`
}

// describeBadBody explains a body that is no API answer without echoing it
// whole (an edge error page can be large) or a JSON decoder's message about
// a body never meant to be JSON. notAPI is false only for one that broke off.
func describeBadBody(contentType string, raw []byte, decodeErr error) (problem string, notAPI bool) {
	body := bytes.TrimSpace(raw)
	switch {
	case len(body) == 0:
		return "the response body was empty", true
	case strings.Contains(contentType, "html") || body[0] == '<':
		return "the response was an HTML page, not a Cloudflare API answer", true
	case body[0] != '{' && body[0] != '[':
		line, _, _ := bytes.Cut(body, []byte("\n"))
		if len(line) > 60 {
			line = append(line[:60:60], "..."...)
		}
		return fmt.Sprintf("the response was not a Cloudflare API answer (%s: %q)", cmp.Or(contentType, "no content type"),
			strings.ToValidUTF8(string(bytes.TrimSpace(line)), "?")), true
	case decodeErr != nil:
		return fmt.Sprintf("the response was not valid JSON: %v", decodeErr), false
	}
	return `the response was JSON but not a Cloudflare API answer: it has no "success" field`, true
}
