package callsapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error is an answer from the API that is not a success: a non-2xx status, a
// success: false envelope, or a body that is not an envelope at all. When the
// call was retried, it describes the last answer.
type Error struct {
	Method     string
	Path       string
	StatusCode int
	Errors     []Message
	Messages   []Message
	// Problem explains a malformed answer; empty when the envelope was well formed.
	Problem string
	// Attempts is how many attempts the call made (1 when it was not retried).
	Attempts int
	// MaybeProcessed is true for a create (POST) that may have created the
	// object although its answer cannot be used: a 5xx, or a 2xx whose body
	// is not a usable result. See MaybeProcessed.
	MaybeProcessed bool

	gaveUp string // why the last answer, worth a retry, got none ("" when not)
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
	writeAftermath(&b, e.Attempts, e.gaveUp, e.MaybeProcessed)
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

// TransportError is a call whose last attempt got no usable HTTP answer: the
// connection failed, timed out or dropped, the answer's body broke off, or
// the context ended.
type TransportError struct {
	Method string
	Path   string
	Err    error
	// Attempts is how many attempts the call made (1 when it was not retried).
	Attempts int
	// MaybeProcessed is true for a create (POST) whose request may have
	// reached the API: a connection had been made when it failed. See
	// MaybeProcessed.
	MaybeProcessed bool

	gaveUp string
}

func (e *TransportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: no answer from the API: %v", e.Method, e.Path, e.Err)
	writeAftermath(&b, e.Attempts, e.gaveUp, e.MaybeProcessed)
	return b.String()
}

func (e *TransportError) Unwrap() error { return e.Err }

func writeAftermath(b *strings.Builder, attempts int, gaveUp string, maybeProcessed bool) {
	switch {
	case gaveUp != "" && attempts == 1:
		fmt.Fprintf(b, " (gave up after 1 attempt: %s)", gaveUp)
	case gaveUp != "":
		fmt.Fprintf(b, " (gave up after %d attempts: %s)", attempts, gaveUp)
	case attempts > 1:
		fmt.Fprintf(b, " (after %d attempts)", attempts)
	}
	if maybeProcessed {
		b.WriteString("; the API may have carried out the request")
	}
}

// Cloudflare's codes for a path it cannot route: a 404 carrying one of them
// says the URL is wrong (a base_url with a typo, say), not that the object is
// gone.
var routingErrorCodes = map[int]bool{7000: true, 7003: true}

// IsNotFound reports whether err is the API saying the object does not exist:
// a 404 in a well-formed Cloudflare envelope that is not a routing error. A
// 404 page from a proxy, or "no route for that URI", is not: treating it as
// "deleted" would drop every object (and its secret) from state.
func IsNotFound(err error) bool {
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound || apiErr.Problem != "" {
		return false
	}
	for _, m := range apiErr.Errors {
		if routingErrorCodes[m.Code] {
			return false
		}
	}
	return true
}

// MaybeProcessed reports whether err comes from a create (POST) that may have
// created the object although the caller got no usable answer, so the object
// may exist without the caller knowing its id or secret. Such a create is
// never retried; the caller should look for the object (by listing) before
// creating it again. It is false for every other error, including creates
// the API provably did not carry out (a 429, or no connection made).
func MaybeProcessed(err error) bool {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return apiErr.MaybeProcessed
	}
	var transportErr *TransportError
	return errors.As(err, &transportErr) && transportErr.MaybeProcessed
}
