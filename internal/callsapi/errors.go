package callsapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error is an answer from the API that is not a success: a non-2xx status, a
// success: false envelope, or a body that is not an envelope at all.
type Error struct {
	Method     string
	Path       string
	StatusCode int
	Errors     []Message
	Messages   []Message
	// Problem explains a malformed answer; empty when the envelope was well formed.
	Problem string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if text := http.StatusText(e.StatusCode); text != "" {
		fmt.Fprintf(&b, " %s", text)
	}
	if e.Problem != "" {
		fmt.Fprintf(&b, "; %s", e.Problem)
	}
	for _, m := range e.Errors {
		fmt.Fprintf(&b, "; error %d: %s", m.Code, m.Message)
	}
	for _, m := range e.Messages {
		fmt.Fprintf(&b, "; message %d: %s", m.Code, m.Message)
	}
	return b.String()
}

// Codes lists the Cloudflare error codes of the answer.
func (e *Error) Codes() []int {
	codes := make([]int, 0, len(e.Errors))
	for _, m := range e.Errors {
		codes = append(codes, m.Code)
	}
	return codes
}

// TransportError is a request that got no HTTP answer: the connection failed,
// timed out or dropped, or the context ended.
type TransportError struct {
	Method string
	Path   string
	Err    error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s %s: no answer from the API: %v", e.Method, e.Path, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is the API saying the object does not exist.
func IsNotFound(err error) bool {
	var apiErr *Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
