package callsapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
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
	// NotAPIAnswer is set when the body was not a Cloudflare envelope at
	// all (an HTML page, plain text, JSON without "success", nothing): from
	// a proxy, an edge error page, or a base URL that is not the API's. It
	// is not set for an envelope that broke off (invalid JSON).
	NotAPIAnswer bool
	// Attempts is how many attempts the call made (1 when it was not retried).
	Attempts int
	// MaybeProcessed is true for a create (POST) that may have created the
	// object although its answer cannot be used: a 5xx, or a 2xx whose body
	// is not a usable result. See MaybeProcessed.
	MaybeProcessed bool

	gaveUp string // why the last answer, worth a retry, got none ("" when not)
	// blockedFor is the Retry-After of a 429 that the budget could not wait
	// out (see RateLimitedFor).
	blockedFor time.Duration
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
		b.WriteString("; error ")
		writeMessage(&b, m)
	}
	for _, m := range e.Messages {
		b.WriteString("; message ")
		writeMessage(&b, m)
	}
	writeAftermath(&b, e.Attempts, e.gaveUp, e.MaybeProcessed)
	return b.String()
}

// writeMessage writes "<code>: <message>", the error chain in parentheses,
// then where in the request and where to read more, when the API says.
func writeMessage(b *strings.Builder, m Message) {
	fmt.Fprintf(b, "%d: %s", m.Code, m.Message)
	if len(m.ErrorChain) > 0 {
		b.WriteString(" (")
		for i, c := range m.ErrorChain {
			if i > 0 {
				b.WriteString("; ")
			}
			writeMessage(b, c)
		}
		b.WriteString(")")
	}
	if m.Source.Pointer != "" {
		fmt.Fprintf(b, ", at %s", m.Source.Pointer)
	}
	if m.DocumentationURL != "" {
		fmt.Fprintf(b, ", see %s", m.DocumentationURL)
	}
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

// CreateOutcome is what a create call did to the API's state, as far as the
// client can tell.
type CreateOutcome int

const (
	// Created: the API answered with the new object (and its secret).
	Created CreateOutcome = iota + 1
	// NotCreated: the API provably did not carry the create out (it refused
	// it with a 4xx such as 429, 400 or 403, or the request never left this
	// machine), so creating again cannot make a duplicate.
	NotCreated
	// CreateUnknown: the request may have reached the API but no usable
	// answer came back (a 5xx, a dropped or timed-out connection, a 2xx
	// that cannot be used). The object may exist; only the API can tell.
	CreateUnknown
)

func (o CreateOutcome) String() string {
	switch o {
	case Created:
		return "created"
	case NotCreated:
		return "not created"
	case CreateUnknown:
		return "unknown"
	}
	return fmt.Sprintf("CreateOutcome(%d)", int(o))
}

// ClassifyCreate tells what a create that returned err did: Created when
// err is nil, CreateUnknown when MaybeProcessed(err), NotCreated otherwise.
func ClassifyCreate(err error) CreateOutcome {
	switch {
	case err == nil:
		return Created
	case MaybeProcessed(err):
		return CreateUnknown
	}
	return NotCreated
}
