package callsapi

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Error is a call that did not succeed: its last answer, or why none came.
type Error struct {
	Method, Path string
	StatusCode   int   // 0 when no answer came
	Err          error // why no answer came, or why the one that came broke off
	Errors       []Message
	Messages     []Message
	Problem      string // what is wrong with a malformed answer
	// NotAPIAnswer: the body was no API answer (HTML, text, JSON without "success", nothing),
	// from a proxy, an edge error page or a wrong base URL; not set for one that broke off.
	NotAPIAnswer   bool
	Attempts       int
	MaybeProcessed bool // see the function of that name

	gaveUp     string        // why an answer worth a retry got none
	blockedFor time.Duration // a 429's Retry-After the budget could not wait out
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Err != nil {
		fmt.Fprintf(&b, "%s %s: no answer from the API: %v", e.Method, e.Path, e.Err)
	} else {
		fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	}
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
	switch {
	case e.gaveUp != "" && e.Attempts == 1:
		fmt.Fprintf(&b, " (gave up after 1 attempt: %s)", e.gaveUp)
	case e.gaveUp != "":
		fmt.Fprintf(&b, " (gave up after %d attempts: %s)", e.Attempts, e.gaveUp)
	case e.Attempts > 1:
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if e.MaybeProcessed {
		b.WriteString("; the API may have carried out the request")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

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

// IsNotFound reports whether err is the API saying the object does not
// exist: a 404 in a well-formed answer that is no routing error (7000 "No
// route for that URI", 7003 "Could not route to ..."). A proxy's or a wrong
// base URL's 404 taken for "deleted" would drop every object, and its secret, from state.
func IsNotFound(err error) bool {
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound || apiErr.Problem != "" {
		return false
	}
	return !slices.ContainsFunc(apiErr.Errors, func(m Message) bool { return m.Code == 7000 || m.Code == 7003 })
}

// MaybeProcessed reports whether err comes from a create (POST) that may
// have been carried out although no usable answer came back (a 5xx, a 2xx
// without the object, a connection lost after sending): look for the object
// before creating it again. It is false when the API provably did not (a
// 4xx such as 429, or no connection made): no duplicate can follow.
func MaybeProcessed(err error) bool {
	var apiErr *Error
	return errors.As(err, &apiErr) && apiErr.MaybeProcessed
}
