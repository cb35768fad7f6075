package callsapi

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Error is the last answer of a call that did not succeed.
type Error struct {
	Method, Path string
	StatusCode   int
	Errors       []Message
	Messages     []Message
	Problem      string // what is wrong with a malformed answer
	// NotAPIAnswer: the body was no API answer at all (an HTML page, plain
	// text, JSON without "success", nothing), from a proxy, an edge error
	// page or a wrong base URL; not set for an answer that broke off.
	NotAPIAnswer   bool
	Attempts       int
	MaybeProcessed bool // see the function of that name

	gaveUp     string        // why an answer worth a retry got none
	blockedFor time.Duration // a 429's Retry-After the budget could not wait out
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	}
	if e.Problem != "" {
		b.WriteString("; " + e.Problem)
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

func writeMessage(b *strings.Builder, m Message) {
	fmt.Fprintf(b, "%d: %s", m.Code, m.Message)
	sep := " ("
	for _, c := range m.ErrorChain {
		b.WriteString(sep)
		writeMessage(b, c)
		sep = "; "
	}
	if sep == "; " {
		b.WriteString(")")
	}
	if m.Source.Pointer != "" {
		b.WriteString(", at " + m.Source.Pointer)
	}
	if m.DocumentationURL != "" {
		b.WriteString(", see " + m.DocumentationURL)
	}
}

func messageCodes(ms []Message) []int {
	var codes []int
	for _, m := range ms {
		codes = append(codes, m.Code)
	}
	return codes
}

// TransportError is a call whose last attempt got no answer, or one that
// broke off.
type TransportError struct {
	Method, Path   string
	Err            error
	Attempts       int
	MaybeProcessed bool // a connection had been made; see the function of that name
	gaveUp         string
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

// IsNotFound reports whether err is the API saying the object does not
// exist: a 404 in a well-formed answer that is not a routing error (7000
// "No route for that URI", 7003 "Could not route to ..."). A 404 from a
// proxy or a wrong base URL is not: taking it for "deleted" would drop every
// object, and its secret, from state.
func IsNotFound(err error) bool {
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound || apiErr.Problem != "" {
		return false
	}
	return !slices.ContainsFunc(apiErr.Errors, func(m Message) bool { return m.Code == 7000 || m.Code == 7003 })
}

// MaybeProcessed reports whether err comes from a create (POST) that may
// have been carried out although no usable answer came back (a 5xx, a 2xx
// without the object, a connection lost after sending), so the caller
// should look for the object before creating it again. It is false for
// creates the API provably did not carry out (a 4xx such as 429, or no
// connection made): creating again cannot make a duplicate.
func MaybeProcessed(err error) bool {
	var apiErr *Error
	var transportErr *TransportError
	return errors.As(err, &apiErr) && apiErr.MaybeProcessed ||
		errors.As(err, &transportErr) && transportErr.MaybeProcessed
}
