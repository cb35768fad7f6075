// Package callsapi is a thin, typed client for the Cloudflare Calls (Realtime)
// API: SFU apps and TURN keys. It speaks the API's own nouns and knows nothing
// of Terraform; callers observe requests through Config.OnRequest.
package callsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the Cloudflare API v4 endpoint.
const DefaultBaseURL = "https://api.cloudflare.com/client/v4"

// DefaultRequestTimeout bounds one HTTP exchange when Config.RequestTimeout is zero.
const DefaultRequestTimeout = 60 * time.Second

// maxResponseBytes caps how much of a response body is read; Calls answers are small.
const maxResponseBytes = 8 << 20

// Config holds everything needed to talk to the API. Exactly one kind of
// credential must be set: APIToken, or APIKey together with Email.
type Config struct {
	BaseURL        string
	APIToken       string
	APIKey         string
	Email          string
	UserAgent      string
	RequestTimeout time.Duration
	// HTTPClient is used when set; otherwise a client with RequestTimeout is built.
	HTTPClient *http.Client
	// OnRequest, when set, is called once per HTTP exchange. It never receives
	// bodies or headers, so it cannot leak a secret.
	OnRequest func(ctx context.Context, info RequestInfo)
}

// RequestInfo describes one finished HTTP exchange, for logging.
type RequestInfo struct {
	Method     string
	Path       string
	StatusCode int // 0 when no response arrived
	Duration   time.Duration
	ErrorCodes []int
	Err        error // transport error, if any
}

// Client calls the Calls API. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	http      *http.Client
	userAgent string
	auth      func(h http.Header)
	onRequest func(ctx context.Context, info RequestInfo)
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

	c := &Client{base: base, userAgent: cfg.UserAgent, onRequest: cfg.OnRequest}
	switch {
	case cfg.APIToken != "" && (cfg.APIKey != "" || cfg.Email != ""):
		return nil, errors.New("set either an API token or an API key with email, not both")
	case cfg.APIToken != "":
		token := cfg.APIToken
		c.auth = func(h http.Header) { h.Set("Authorization", "Bearer "+token) }
	case cfg.APIKey != "" && cfg.Email != "":
		key, email := cfg.APIKey, cfg.Email
		c.auth = func(h http.Header) {
			h.Set("X-Auth-Email", email)
			h.Set("X-Auth-Key", key)
		}
	default:
		return nil, errors.New("no credentials: set an API token, or an API key with email")
	}

	c.http = cfg.HTTPClient
	if c.http == nil {
		timeout := cfg.RequestTimeout
		if timeout == 0 {
			timeout = DefaultRequestTimeout
		}
		c.http = &http.Client{Timeout: timeout}
	}
	return c, nil
}

// Message is one entry of the envelope's errors or messages arrays.
type Message struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type envelope struct {
	Success  *bool           `json:"success"`
	Errors   []Message       `json:"errors"`
	Messages []Message       `json:"messages"`
	Result   json.RawMessage `json:"result"`
}

// do sends one request and decodes the envelope's result into out (if non-nil).
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var reqBody io.Reader
	if body != nil {
		buf, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding request body: %w", err)
		}
		reqBody = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, reqBody)
	if err != nil {
		return fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	c.auth(req.Header)

	start := time.Now()
	info := RequestInfo{Method: method, Path: path}
	defer func() {
		if c.onRequest != nil {
			info.Duration = time.Since(start)
			c.onRequest(ctx, info)
		}
	}()

	resp, err := c.http.Do(req)
	if err != nil {
		info.Err = err
		return &TransportError{Method: method, Path: path, Err: err}
	}
	defer resp.Body.Close()
	info.StatusCode = resp.StatusCode

	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		info.Err = err
		return &TransportError{Method: method, Path: path, Err: fmt.Errorf("reading response: %w", err)}
	}

	apiErr := &Error{Method: method, Path: path, StatusCode: resp.StatusCode}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil || env.Success == nil {
		apiErr.Problem = describeBadBody(resp.Header.Get("Content-Type"), raw, err)
		return apiErr
	}
	apiErr.Errors, apiErr.Messages = env.Errors, env.Messages
	for _, e := range env.Errors {
		info.ErrorCodes = append(info.ErrorCodes, e.Code)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return apiErr
	}
	if !*env.Success {
		apiErr.Problem = "the API answered success: false"
		return apiErr
	}
	if out == nil {
		return nil
	}
	if len(env.Result) == 0 || string(env.Result) == "null" {
		apiErr.Problem = "the API answered success without a result"
		return apiErr
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		apiErr.Problem = fmt.Sprintf("the result could not be decoded: %v", err)
		return apiErr
	}
	return nil
}

// describeBadBody explains a body that is not a Cloudflare envelope without
// echoing it whole (an edge error page can be large).
func describeBadBody(contentType string, raw []byte, decodeErr error) string {
	trimmed := bytes.TrimSpace(raw)
	switch {
	case len(trimmed) == 0:
		return "the response body was empty"
	case strings.Contains(contentType, "html") || bytes.HasPrefix(trimmed, []byte("<")):
		return "the response was an HTML page, not a Cloudflare API envelope"
	case decodeErr != nil:
		return fmt.Sprintf("the response was not valid JSON: %v", decodeErr)
	default:
		return "the response JSON had no \"success\" field"
	}
}

func accountPath(accountID, collection string) string {
	return "/accounts/" + url.PathEscape(accountID) + "/calls/" + collection
}

func objectPath(accountID, collection, id string) string {
	return accountPath(accountID, collection) + "/" + url.PathEscape(id)
}
