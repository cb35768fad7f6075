package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind names a way for the emulator to misbehave on purpose, as the
// real API and its edge sometimes do.
type FaultKind string

// Fault kinds. "Carried out" means the request changes or reads the state as
// it normally would.
const (
	// FaultRateLimit answers 429 with Retry-After and error 971; not carried out.
	FaultRateLimit FaultKind = "rate_limit"
	// FaultStatus answers a 5xx with an HTML page, like Cloudflare's edge; not carried out.
	FaultStatus FaultKind = "status"
	// FaultReset resets the connection (RST) without an answer; not carried out.
	FaultReset FaultKind = "reset"
	// FaultDelay waits Fault.Delay, then carries the request out and answers
	// normally, even if the client has given up meanwhile (as a slow origin
	// would), so a timed-out create leaves its object behind.
	FaultDelay FaultKind = "delay"
	// FaultMalformedJSON answers 200 with a truncated JSON body; not carried out.
	FaultMalformedJSON FaultKind = "malformed_json"
	// FaultSuccessFalse answers 200 with success: false and error Fault.Code;
	// not carried out.
	FaultSuccessFalse FaultKind = "success_false"
	// FaultDropAfter carries the request out, then closes the connection
	// without an answer.
	FaultDropAfter FaultKind = "drop_after"
	// FaultDelayAnswer carries the request out at once, then holds its
	// answer for Fault.Delay before sending it, even if the client has gone
	// away meanwhile: a created object is in lists while its creator waits.
	// The answer's status is counted when it is sent.
	FaultDelayAnswer FaultKind = "delay_answer"
	// FaultHangAfter carries the request out, then never answers: the
	// connection is closed without an answer once the client goes away or
	// the server shuts down. No status is counted.
	FaultHangAfter FaultKind = "hang_after"
)

var faultKinds = []FaultKind{
	FaultRateLimit, FaultStatus, FaultReset, FaultDelay, FaultMalformedJSON, FaultSuccessFalse,
	FaultDropAfter, FaultDelayAnswer, FaultHangAfter,
}

// FaultKinds lists every fault kind.
func FaultKinds() []FaultKind { return slices.Clone(faultKinds) }

// Describe says in one line what a fault of kind k does, for help texts.
func (k FaultKind) Describe() string {
	switch k {
	case FaultRateLimit:
		return "429, code 971, Retry-After: retry_after seconds (default 1); not carried out"
	case FaultStatus:
		return "a 5xx HTML page like Cloudflare's edge (status, default 502), with Retry-After when retry_after is set; not carried out"
	case FaultReset:
		return "the connection reset, no answer; not carried out"
	case FaultDelay:
		return "wait delay, then carry out and answer (even if the client gave up)"
	case FaultMalformedJSON:
		return "200 with a truncated JSON body; not carried out"
	case FaultSuccessFalse:
		return "200 with success: false and error code (default 10001); not carried out"
	case FaultDropAfter:
		return "carry out, then close the connection without an answer"
	case FaultDelayAnswer:
		return "carry out at once, then hold the answer for delay (the object is listed meanwhile)"
	case FaultHangAfter:
		return "carry out, then never answer (the connection closes when the client leaves or the emulator stops)"
	}
	return "unknown fault kind"
}

// Defaults of Fault's kind-specific fields.
const (
	DefaultFaultStatus     = http.StatusBadGateway
	DefaultFaultRetryAfter = 1 // seconds
	DefaultFaultCode       = codeInternal
)

// Cloudflare's answer to too many requests.
const (
	codeRateLimited    = 971
	messageRateLimited = "Please wait and consider throttling your request speed"
	docsRateLimits     = "https://developers.cloudflare.com/fundamentals/api/reference/limits/"
)

// Fault makes the requests it matches misbehave. Faults apply to /client/v4
// requests after counting, authentication and rate limiting: a faulted
// request is counted, and one with bad credentials gets its 403 instead. When
// several faults match a request, the one injected first applies.
type Fault struct {
	Kind FaultKind `json:"kind"`
	// Method matches the HTTP method (any when empty).
	Method string `json:"method,omitempty"`
	// Route matches the route pattern as the counters name it, e.g.
	// "/accounts/{account_id}/calls/apps", or "unmatched" (any when empty).
	Route string `json:"route,omitempty"`
	// Count is how many matching requests the fault hits; 0 means all.
	Count int `json:"count,omitempty"`

	// Status is FaultStatus's answer, 500 to 599 (default 502).
	Status int `json:"status,omitempty"`
	// RetryAfter is the Retry-After in seconds of FaultRateLimit (default
	// 1) and of FaultStatus (optional: none when 0), e.g. a 503 with
	// Retry-After.
	RetryAfter int `json:"retry_after,omitempty"`
	// Delay is the wait of FaultDelay and FaultDelayAnswer (required). In
	// JSON a Go duration string, e.g. "250ms".
	Delay time.Duration `json:"-"`
	// Code is FaultSuccessFalse's error code (default 10001).
	Code int `json:"code,omitempty"`
}

// faultJSON is Fault on the wire: the same members, but Delay as a duration
// string. The embedded faultFields has Fault's fields without its methods,
// so that encoding it does not call MarshalJSON again.
type faultJSON struct {
	faultFields
	Delay string `json:"delay,omitempty"`
}

type faultFields Fault

// MarshalJSON writes Delay as a duration string.
func (f Fault) MarshalJSON() ([]byte, error) {
	w := faultJSON{faultFields: faultFields(f)}
	if f.Delay != 0 {
		w.Delay = f.Delay.String()
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads Delay as a duration string and refuses unknown members.
func (f *Fault) UnmarshalJSON(data []byte) error {
	var w faultJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return err
	}
	*f = Fault(w.faultFields)
	if w.Delay != "" {
		d, err := time.ParseDuration(w.Delay)
		if err != nil {
			return fmt.Errorf("delay: %w", err)
		}
		f.Delay = d
	}
	return nil
}

// String is the fault in ParseFault's syntax.
func (f Fault) String() string {
	parts := []string{"kind=" + string(f.Kind)}
	add := func(k, v string) { parts = append(parts, k+"="+v) }
	if f.Method != "" {
		add("method", f.Method)
	}
	if f.Route != "" {
		add("route", f.Route)
	}
	if f.Count != 0 {
		add("count", strconv.Itoa(f.Count))
	}
	if f.Status != 0 {
		add("status", strconv.Itoa(f.Status))
	}
	if f.RetryAfter != 0 {
		add("retry_after", strconv.Itoa(f.RetryAfter))
	}
	if f.Delay != 0 {
		add("delay", f.Delay.String())
	}
	if f.Code != 0 {
		add("code", strconv.Itoa(f.Code))
	}
	return strings.Join(parts, ",")
}

// ParseFault reads a fault from comma-separated key=value pairs, the form of
// the calls-emulator -fault flag, e.g.
//
//	kind=status,status=502,method=POST,route=/accounts/{account_id}/calls/apps,count=2
//
// Keys: kind (required), method, route, count, status, retry_after (seconds;
// rate_limit and status), delay (a Go duration such as 250ms; delay and
// delay_answer) and code (success_false).
func ParseFault(spec string) (Fault, error) {
	var f Fault
	seen := map[string]bool{}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, value, ok := strings.Cut(part, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || value == "" {
			return Fault{}, fmt.Errorf("fault %q: %q is not key=value", spec, part)
		}
		if seen[key] {
			return Fault{}, fmt.Errorf("fault %q: %s given twice", spec, key)
		}
		seen[key] = true
		var err error
		switch key {
		case "kind":
			f.Kind = FaultKind(value)
		case "method":
			f.Method = value
		case "route":
			f.Route = value
		case "count":
			f.Count, err = strconv.Atoi(value)
		case "status":
			f.Status, err = strconv.Atoi(value)
		case "retry_after":
			f.RetryAfter, err = strconv.Atoi(value)
		case "code":
			f.Code, err = strconv.Atoi(value)
		case "delay":
			f.Delay, err = time.ParseDuration(value)
		default:
			return Fault{}, fmt.Errorf("fault %q: unknown key %q (want kind, method, route, count, status, retry_after, delay or code)", spec, key)
		}
		if err != nil {
			return Fault{}, fmt.Errorf("fault %q: %s: %w", spec, key, err)
		}
	}
	if _, err := f.normalize(); err != nil {
		return Fault{}, fmt.Errorf("fault %q: %w", spec, err)
	}
	return f, nil
}

// normalize checks f and fills in its defaults.
func (f Fault) normalize() (Fault, error) {
	if !slices.Contains(faultKinds, f.Kind) {
		return f, fmt.Errorf("unknown kind %q (want one of %v)", f.Kind, faultKinds)
	}
	f.Method = strings.ToUpper(f.Method)
	f.Route = strings.TrimPrefix(f.Route, APIPrefix)
	if f.Count < 0 {
		return f, errors.New("count must not be negative")
	}
	onlyFor := func(field string, set bool, kinds ...FaultKind) error {
		if set && !slices.Contains(kinds, f.Kind) {
			names := make([]string, len(kinds))
			for i, k := range kinds {
				names[i] = string(k)
			}
			return fmt.Errorf("%s applies to kind %s only", field, strings.Join(names, " and "))
		}
		return nil
	}
	if err := errors.Join(
		onlyFor("status", f.Status != 0, FaultStatus),
		onlyFor("retry_after", f.RetryAfter != 0, FaultRateLimit, FaultStatus),
		onlyFor("delay", f.Delay != 0, FaultDelay, FaultDelayAnswer),
		onlyFor("code", f.Code != 0, FaultSuccessFalse),
	); err != nil {
		return f, err
	}
	if f.RetryAfter < 0 {
		return f, errors.New("retry_after must not be negative")
	}
	switch f.Kind {
	case FaultStatus:
		if f.Status == 0 {
			f.Status = DefaultFaultStatus
		}
		if f.Status < 500 || f.Status > 599 {
			return f, fmt.Errorf("status %d is not a 5xx", f.Status)
		}
	case FaultRateLimit:
		if f.RetryAfter == 0 {
			f.RetryAfter = DefaultFaultRetryAfter
		}
	case FaultDelay, FaultDelayAnswer:
		if f.Delay <= 0 {
			return f, fmt.Errorf("a %s fault needs a positive delay", f.Kind)
		}
	case FaultSuccessFalse:
		if f.Code == 0 {
			f.Code = DefaultFaultCode
		}
	}
	return f, nil
}

// faultSet holds the injected faults in injection order.
type faultSet struct {
	mu     sync.Mutex
	faults []*Fault // Count is the remaining hits; 0 means unlimited
}

// take returns the first fault matching the request, using up one of its hits.
func (fs *faultSet) take(method, route string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.faults {
		if (f.Method != "" && f.Method != method) || (f.Route != "" && f.Route != route) {
			continue
		}
		hit := *f
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				fs.faults = slices.Delete(fs.faults, i, i+1)
			}
		}
		return hit, true
	}
	return Fault{}, false
}

// InjectFault adds a fault; see Fault. It fails when the fault is malformed
// or its route is not one of the emulator's.
func (s *Server) InjectFault(f Fault) error {
	f, err := f.normalize()
	if err != nil {
		return errorf("fault: %v", err)
	}
	if f.Route != "" && !slices.Contains(s.routes, f.Route) {
		return errorf("fault: unknown route %q (want one of %s)", f.Route, strings.Join(s.routes, ", "))
	}
	s.faults.mu.Lock()
	s.faults.faults = append(s.faults.faults, &f)
	s.faults.mu.Unlock()
	return nil
}

// HeldAnswers is the number of requests carried out whose answers are held
// right now by FaultDelayAnswer or FaultHangAfter: a test can wait for its
// creates to be in flight before it interrupts the client.
func (s *Server) HeldAnswers() int { return int(s.held.Load()) }

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	s.faults.faults = nil
	s.faults.mu.Unlock()
}

// Faults lists the faults still active, in injection order, each with the
// hits it has left as Count (0: unlimited).
func (s *Server) Faults() []Fault {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	out := make([]Fault, len(s.faults.faults))
	for i, f := range s.faults.faults {
		out[i] = *f
	}
	return out
}

// injectFaults is the middleware that applies faults.
func (s *Server) injectFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := s.faults.take(r.Method, routeOf(r).label)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		switch f.Kind {
		case FaultRateLimit:
			if w.Header().Get(headerRateLimit) != "" {
				// As if the quota had been spent elsewhere: none left
				// until the Retry-After ends.
				w.Header().Set(headerRateLimit, fmt.Sprintf(`"default";r=0;t=%d`, f.RetryAfter))
			}
			writeRateLimited(w, f.RetryAfter)
		case FaultStatus:
			if f.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
			}
			writeEdgeError(w, f.Status)
		case FaultReset:
			dropConnection(w, true)
		case FaultDelay:
			pause(r, f.Delay)
			next.ServeHTTP(w, r)
		case FaultMalformedJSON:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			if routeOf(r).kit != nil {
				w.Write([]byte(`{"success":true,"data":{"id":"`))
			} else {
				w.Write([]byte(`{"success":true,"errors":[],"messages":[],"result":{"uid":"`))
			}
		case FaultSuccessFalse:
			if routeOf(r).kit != nil {
				writeKit(w, http.StatusOK, kitEnvelope{Error: &kitError{Code: f.Code, Message: "Internal server error"}})
				break
			}
			writeEnvelope(w, http.StatusOK, envelope{
				Errors:   []apiMessage{{Code: f.Code, Message: "Internal server error"}},
				Messages: []apiMessage{},
			})
		case FaultDropAfter:
			next.ServeHTTP(&discardWriter{header: make(http.Header)}, r)
			dropConnection(w, false)
		case FaultDelayAnswer:
			held := &heldAnswer{header: w.Header(), status: http.StatusOK}
			next.ServeHTTP(held, r)
			s.held.Add(1)
			pause(r, f.Delay)
			s.held.Add(-1)
			w.WriteHeader(held.status)
			w.Write(held.body.Bytes())
		case FaultHangAfter:
			next.ServeHTTP(&discardWriter{header: make(http.Header)}, r)
			s.held.Add(1)
			select {
			case <-r.Context().Done():
			case <-serving(r):
			}
			s.held.Add(-1)
			dropConnection(w, false)
		}
	})
}

// writeRateLimited is Cloudflare's 429.
func writeRateLimited(w http.ResponseWriter, retryAfterSeconds int) {
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	writeMessages(w, http.StatusTooManyRequests, apiMessage{
		Code: codeRateLimited, Message: messageRateLimited, DocumentationURL: docsRateLimits,
	})
}

// writeEdgeError answers like Cloudflare's edge when the origin fails: an
// HTML page, not an API envelope.
func writeEdgeError(w http.ResponseWriter, status int) {
	title := strconv.Itoa(status)
	if text := http.StatusText(status); text != "" {
		title += " " + text
	}
	h := w.Header()
	h.Set("Content-Type", "text/html")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n", title, title)
}

// dropConnection closes the client's connection without an answer: with an
// RST when reset, else with a plain close (the client reads EOF).
func dropConnection(w http.ResponseWriter, reset bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2, a test recorder): abort the response,
		// which net/http turns into a dropped connection or stream.
		panic(http.ErrAbortHandler)
	}
	if l, ok := conn.(interface{ SetLinger(sec int) error }); ok && reset {
		_ = l.SetLinger(0) // best effort: without it the client reads EOF instead
	}
	_ = conn.Close()
}

// pause waits d, or less if the server shuts down. It ignores the client
// going away: the emulated work goes on regardless.
func pause(r *http.Request, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-serving(r):
	}
}

// heldAnswer keeps a handler's answer to send it later. Headers go straight
// to the real writer's (they are sent only with the status).
type heldAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (h *heldAnswer) Header() http.Header         { return h.header }
func (h *heldAnswer) Write(p []byte) (int, error) { return h.body.Write(p) }
func (h *heldAnswer) WriteHeader(code int)        { h.status = code }

// discardWriter lets a handler run to completion when its answer is to be
// dropped.
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
