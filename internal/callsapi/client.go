// Package callsapi is a thin, typed client for the Cloudflare Calls (Realtime)
// API: SFU apps and TURN keys. It speaks the API's own nouns and knows nothing
// of Terraform; callers observe requests through Config.OnRequest.
//
// Every call goes through one loop (call.go): wait for the pacer (pacer.go),
// send, read the whole answer, tell the pacer, then finish, retry or give up.
// Reads, renames and deletes are retried on rate limits, edge errors and
// broken connections; creates only when the API provably did not carry them
// out. A create that may have been carried out although no usable answer
// came back is reported so that MaybeProcessed(err) is true.
package callsapi

import (
	"bytes"
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

// DefaultBaseURL is the Cloudflare API v4 endpoint.
const DefaultBaseURL = "https://api.cloudflare.com/client/v4"

// DefaultRequestTimeout bounds one attempt when Config.RequestTimeout is zero.
const DefaultRequestTimeout = 30 * time.Second

// Retry defaults, used when the Config field is zero.
const (
	DefaultMaxRetries   = 5
	DefaultRetryWaitMin = 1 * time.Second
	DefaultRetryWaitMax = 30 * time.Second
	// DefaultMaxRetryDuration covers one full block of the API's rate limit
	// (every request refused for 5 minutes, Retry-After: 300) with a minute
	// to spare for the call's own attempts.
	DefaultMaxRetryDuration = 6 * time.Minute
)

// NoRetries, as Config.MaxRetries, makes every call a single attempt.
const NoRetries = -1

// maxResponseBytes caps how much of a response body is read; Calls answers are small.
const maxResponseBytes = 8 << 20

// Config holds everything needed to talk to the API. Exactly one kind of
// credential must be set: APIToken, or APIKey together with Email.
type Config struct {
	BaseURL   string
	APIToken  string
	APIKey    string
	Email     string
	UserAgent string
	// RequestTimeout bounds each attempt; default DefaultRequestTimeout.
	// Ignored when HTTPClient is set (its own Timeout applies).
	RequestTimeout time.Duration
	// HTTPClient is used when set; otherwise a client with RequestTimeout is built.
	HTTPClient *http.Client

	// MaxRetries is how many times a failed call is retried, so a call makes
	// at most MaxRetries+1 attempts. 0 means DefaultMaxRetries (5); NoRetries
	// (-1, or any negative value) means a single attempt.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the wait before a retry, including
	// a wait asked for with Retry-After. 0 means DefaultRetryWaitMin (1s) and
	// DefaultRetryWaitMax (30s).
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	// MaxRetryDuration bounds one call, all attempts and waits included (the
	// pacer's too): a retry is started only when its wait ends at least
	// RetryWaitMin before the budget does, a request the pacer would hold
	// past it is not sent, and an attempt still running when it ends is cut.
	// 0 means DefaultMaxRetryDuration (6m).
	MaxRetryDuration time.Duration

	// Pacer keeps the calls within the API's rate limit (see Pacer). nil
	// means the process's one Pacer for this base URL and credential, shared
	// by every Client built with them.
	Pacer *Pacer
	// OnRateLimit, when set, is called when the rate limit starts holding
	// requests (a 429 with Retry-After, or a quota used up until the window
	// resets): once per hold, however many calls wait in it.
	OnRateLimit func(ctx context.Context, hold RateLimitHold)

	// OnRequest, when set, is called once per attempt. It never receives
	// bodies or headers, so it cannot leak a secret.
	OnRequest func(ctx context.Context, info RequestInfo)
}

// RequestInfo describes one finished attempt, for logging.
type RequestInfo struct {
	Method     string
	Path       string
	StatusCode int // 0 when no response arrived
	Duration   time.Duration
	ErrorCodes []int
	Err        error // transport error, if any
	// Attempt numbers the attempts of one call from 1.
	Attempt int
	// RetryIn is the wait before the next attempt; 0 when none follows.
	RetryIn time.Duration
	// Paced is how long the pacer held the attempt before sending it.
	Paced time.Duration
}

// Client calls the Calls API. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	http      *http.Client
	userAgent string
	auth      func(h http.Header)
	legacyKey bool // auth is an API key with email, not a token
	onRequest func(ctx context.Context, info RequestInfo)
	retry     retryPolicy
	pacer     *Pacer
	// onRateLimit is Config.OnRateLimit, never nil.
	onRateLimit func(ctx context.Context, hold RateLimitHold)
}

// New validates cfg and returns a client.
func New(cfg Config) (*Client, error) {
	raw := cfg.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil {
		return nil, fmt.Errorf("invalid base URL %q: %w", raw, err)
	}
	if base.Scheme != "http" && base.Scheme != "https" || base.Host == "" {
		return nil, fmt.Errorf("invalid base URL %q: want an absolute http(s) URL", raw)
	}

	c := &Client{base: base, userAgent: cfg.UserAgent, onRequest: cfg.OnRequest, pacer: cfg.Pacer, onRateLimit: cfg.OnRateLimit}
	switch {
	case cfg.APIToken != "" && (cfg.APIKey != "" || cfg.Email != ""):
		return nil, errors.New("set either an API token or an API key with email, not both")
	case cfg.APIToken != "":
		token := cfg.APIToken
		c.auth = func(h http.Header) { h.Set("Authorization", "Bearer "+token) }
		if c.pacer == nil {
			c.pacer = sharedPacer(base.String(), token)
		}
	case cfg.APIKey != "" && cfg.Email != "":
		key, email := cfg.APIKey, cfg.Email
		c.legacyKey = true
		c.auth = func(h http.Header) {
			h.Set("X-Auth-Email", email)
			h.Set("X-Auth-Key", key)
		}
		if c.pacer == nil {
			c.pacer = sharedPacer(base.String(), email, key)
		}
	default:
		return nil, errors.New("no credentials: set an API token, or an API key with email")
	}
	if c.onRateLimit == nil {
		c.onRateLimit = func(context.Context, RateLimitHold) {}
	}

	if c.retry, err = newRetryPolicy(cfg); err != nil {
		return nil, err
	}
	if cfg.RequestTimeout < 0 {
		return nil, errors.New("RequestTimeout must not be negative")
	}

	c.http = cfg.HTTPClient
	if c.http == nil {
		timeout := cfg.RequestTimeout
		if timeout == 0 {
			timeout = DefaultRequestTimeout
		}
		transport := http.DefaultTransport.(*http.Transport).Clone()
		transport.MaxIdleConnsPerHost = 16 // applies run with -parallelism 10 and more
		c.http = &http.Client{Timeout: timeout, Transport: transport}
	}
	return c, nil
}

// Message is one entry of the envelope's errors or messages arrays. Code and
// Message are always there; the rest only in some answers.
type Message struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	// DocumentationURL links to the documentation of the error.
	DocumentationURL string `json:"documentation_url,omitempty"`
	// Source says which part of the request the error is about.
	Source MessageSource `json:"source,omitzero"`
	// ErrorChain holds the errors beneath this one: a 6003 "Invalid
	// request headers" carries 6111 "Invalid format for Authorization
	// header".
	ErrorChain []Message `json:"error_chain,omitempty"`
}

// MessageSource is a Message's source.
type MessageSource struct {
	// Pointer is a JSON pointer into the request body, such as /name.
	Pointer string `json:"pointer,omitempty"`
}

// UnmarshalJSON decodes what it can of an entry and never fails: a member
// of an unexpected type (or an entry that is not an object) must not cost
// the caller the rest of the answer. A bare string is taken as the message.
func (m *Message) UnmarshalJSON(data []byte) error {
	*m = Message{}
	var members map[string]json.RawMessage
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		_ = json.Unmarshal(data, &m.Message)
		return nil
	}
	_ = json.Unmarshal(data, &members) // data is a well-formed value: the envelope decoded
	if json.Unmarshal(members["code"], &m.Code) != nil {
		var text string
		if json.Unmarshal(members["code"], &text) == nil {
			m.Code, _ = strconv.Atoi(text)
		}
	}
	_ = json.Unmarshal(members["message"], &m.Message)
	_ = json.Unmarshal(members["documentation_url"], &m.DocumentationURL)
	var source map[string]json.RawMessage
	if json.Unmarshal(members["source"], &source) == nil {
		_ = json.Unmarshal(source["pointer"], &m.Source.Pointer)
	}
	var chain []Message
	if json.Unmarshal(members["error_chain"], &chain) == nil {
		m.ErrorChain = chain
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

// errors are the answer's errors, Calls' or RealtimeKit's.
func (e *envelope) errors() []Message {
	if e.Error != nil {
		return append(e.Errors, *e.Error)
	}
	return e.Errors
}

// Paging is where a page of a RealtimeKit list lies in the whole: 1-based
// offsets of its first and last items, and how many there are in all.
type Paging struct {
	StartOffset int `json:"start_offset"`
	EndOffset   int `json:"end_offset"`
	TotalCount  int `json:"total_count"`
}

// errorCodes lists the envelope's error codes, if body is an envelope.
func errorCodes(body []byte) []int {
	var env envelope
	if json.Unmarshal(body, &env) != nil {
		return nil
	}
	var codes []int
	for _, e := range env.errors() {
		codes = append(codes, e.Code)
	}
	return codes
}

// describeBadBody explains a body that is not a Cloudflare envelope without
// echoing it whole (an edge error page can be large), and without a JSON
// decoder's message about a body that was never meant to be JSON. notAPI is
// false only for an envelope that broke off.
func describeBadBody(contentType string, raw []byte, decodeErr error) (problem string, notAPI bool) {
	trimmed := bytes.TrimSpace(raw)
	switch {
	case len(trimmed) == 0:
		return "the response body was empty", true
	case strings.Contains(contentType, "html") || bytes.HasPrefix(trimmed, []byte("<")):
		return "the response was an HTML page, not a Cloudflare API answer", true
	case trimmed[0] != '{' && trimmed[0] != '[':
		return fmt.Sprintf("the response was not a Cloudflare API answer (%s)", bodySample(contentType, trimmed)), true
	case decodeErr != nil:
		return fmt.Sprintf("the response was not valid JSON: %v", decodeErr), false
	default:
		return `the response was JSON but not a Cloudflare API answer: it has no "success" field`, true
	}
}

// bodySample names a body by its content type and its first line, cut short.
func bodySample(contentType string, body []byte) string {
	line, _, _ := bytes.Cut(body, []byte("\n"))
	const most = 60
	if len(line) > most {
		line = append(line[:most:most], "..."...)
	}
	if contentType == "" {
		contentType = "no content type"
	}
	return contentType + ": " + strconv.Quote(strings.ToValidUTF8(string(bytes.TrimSpace(line)), "?"))
}

func accountPath(accountID, collection string) string {
	return "/accounts/" + url.PathEscape(accountID) + "/calls/" + collection
}

func objectPath(accountID, collection, id string) string {
	return accountPath(accountID, collection) + "/" + url.PathEscape(id)
}
