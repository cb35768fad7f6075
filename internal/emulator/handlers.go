package emulator

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Cloudflare error codes used by the emulator.
const (
	codeAuthError        = 10000
	codeInternal         = 10001
	codeBadRequest       = 10400
	codeNotFound         = 10404
	codeMethodNotAllowed = 10405
	codeNoRoute          = 7000
	codeInvalidObjectID  = 7003
	// codeInvalidHeaders comes with codeInvalidAuthHeader in its error_chain.
	codeInvalidHeaders    = 6003
	codeInvalidAuthHeader = 6111
)

const maxBodyBytes = 1 << 20

// route describes the API route a request matched.
type route struct {
	// label is the route pattern without the /client/v4 prefix, e.g.
	// "/accounts/{account_id}/calls/apps", or "unmatched".
	label string
	kind  kind
	// kit is the RealtimeKit collection of a RealtimeKit route, nil for
	// Calls.
	kit *kitKind
	// params are the path parameters that must be Cloudflare identifiers.
	params []string
}

var unmatchedRoute = &route{label: "unmatched"}

type routeKey struct{}

func routeOf(r *http.Request) *route {
	if rt, ok := r.Context().Value(routeKey{}).(*route); ok {
		return rt
	}
	return unmatchedRoute
}

// middleware wraps a handler; see Server.chain.
type middleware func(next http.Handler) http.Handler

func (s *Server) registerRoutes() {
	s.api = http.NewServeMux()
	for k := range numKinds {
		info := kinds[k]
		coll := "/accounts/{account_id}/calls/" + info.collection
		item := coll + "/{" + info.idParam + "}"
		collRoute := &route{label: coll, kind: k, params: []string{"account_id"}}
		itemRoute := &route{label: item, kind: k, params: []string{"account_id", info.idParam}}

		s.routes = append(s.routes, coll, item)
		s.handle(http.MethodGet, collRoute, s.handleList)
		s.handle(http.MethodPost, collRoute, withName("create", s.handleCreate))
		s.handle("", collRoute, methodNotAllowed("GET, HEAD, POST"))
		s.handle(http.MethodGet, itemRoute, s.handleGet)
		s.handle(http.MethodPut, itemRoute, withName("update", s.handleUpdate))
		s.handle(http.MethodDelete, itemRoute, s.handleDelete)
		s.handle("", itemRoute, methodNotAllowed("DELETE, GET, HEAD, PUT"))
	}
	s.registerKitRoutes()
	s.routes = append(s.routes, unmatchedRoute.label)
	s.unmatched = s.wrap(unmatchedRoute, http.HandlerFunc(handleNoRoute))
	s.api.Handle("/", s.unmatched)

	s.admin = http.NewServeMux()
	s.admin.HandleFunc("GET "+AdminPrefix+"counters", s.handleAdminCounters)
	s.admin.HandleFunc("POST "+AdminPrefix+"reset-counters", s.handleAdminReset)
	s.admin.HandleFunc("GET "+AdminPrefix+"health", handleHealth)
	s.admin.HandleFunc("GET "+AdminPrefix+"faults", s.handleAdminFaults)
	s.admin.HandleFunc("POST "+AdminPrefix+"faults", s.handleAdminInjectFaults)
	s.admin.HandleFunc("DELETE "+AdminPrefix+"faults", s.handleAdminClearFaults)
	s.admin.HandleFunc("GET "+AdminPrefix+"kit-quirks", s.handleAdminKitQuirks)
	s.admin.HandleFunc("PUT "+AdminPrefix+"kit-quirks", s.handleAdminSetKitQuirks)
}

// handle registers h for method (all other methods when "") on rt.
func (s *Server) handle(method string, rt *route, h http.HandlerFunc) {
	pattern := APIPrefix + rt.label
	if method != "" {
		pattern = method + " " + pattern
	}
	s.api.Handle(pattern, s.wrap(rt, h))
}

// wrap puts rt in the request context and runs the middleware chain, then h.
func (s *Server) wrap(rt *route, h http.Handler) http.Handler {
	for i := len(s.chain) - 1; i >= 0; i-- {
		h = s.chain[i](h)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), routeKey{}, rt)))
	})
}

// countRequests counts every request, accepted or not, and its answer's status.
func (s *Server) countRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.counters.inc(r.Method + " " + routeOf(r).label)
		next.ServeHTTP(&statusCounter{ResponseWriter: w, counters: &s.counters}, r)
	})
}

// statusCounter counts the status of the answer when its header is written,
// so the count is there before the client can read the answer.
type statusCounter struct {
	http.ResponseWriter
	counters *counters
	counted  bool
}

func (w *statusCounter) WriteHeader(code int) {
	if !w.counted && code >= 200 {
		w.counted = true
		w.counters.status(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusCounter) Write(p []byte) (int, error) {
	if !w.counted {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (to drop it).
func (w *statusCounter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// identify notes which accepted credential the request carries, or why it
// carries none, for the rate limiter and rejectUnauthenticated.
func (s *Server) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, withAuth(r, s.authenticate(r)))
	})
}

// rejectUnauthenticated answers a request without an accepted credential as
// Cloudflare does: a path it cannot route gets its routing error whatever the
// credentials; a missing or malformed credential 400 with code 6003 (and
// 6111 in its error_chain); a well-formed one that is not accepted 403 with
// code 10000.
func (s *Server) rejectUnauthenticated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := authOf(r)
		switch {
		case a.id != "":
			next.ServeHTTP(w, r)
		case routeOf(r) == unmatchedRoute:
			handleNoRoute(w, r)
		case !validIDs(r):
			writeInvalidObjectID(w, r)
		case routeOf(r).kit != nil && s.KitQuirks().BareUnauthorized:
			writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Unauthorized"}, `{"message":"Unauthorized"}`)
		case a.malformed:
			writeMessages(w, http.StatusBadRequest, apiMessage{
				Code: codeInvalidHeaders, Message: "Invalid request headers",
				ErrorChain: []apiMessage{{Code: codeInvalidAuthHeader, Message: "Invalid format for Authorization header"}},
			})
		default:
			writeError(w, http.StatusForbidden, codeAuthError, "Authentication error")
		}
	})
}

// authenticate checks the request's credentials. Each accepted secret is
// compared in constant time.
func (s *Server) authenticate(r *http.Request) authResult {
	checkable := false
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") && isTokenSyntax(token) {
			checkable = true
			for i, t := range s.tokens {
				if subtle.ConstantTimeCompare([]byte(token), []byte(t)) == 1 {
					return authResult{id: "token " + strconv.Itoa(i)}
				}
			}
		}
	}
	email, key := r.Header.Get("X-Auth-Email"), r.Header.Get("X-Auth-Key")
	if email != "" && key != "" {
		checkable = true
		for i, c := range s.keys {
			if strings.EqualFold(email, c.Email) && subtle.ConstantTimeCompare([]byte(key), []byte(c.Key)) == 1 {
				return authResult{id: "key " + strconv.Itoa(i)}
			}
		}
	}
	return authResult{malformed: !checkable}
}

// isTokenSyntax reports whether t has the syntax of a bearer token
// (RFC 6750's b64token): letters, digits and -._~+/, then any '=' padding.
func isTokenSyntax(t string) bool {
	body := strings.TrimRight(t, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && strings.IndexByte("-._~+/", c) < 0 {
			return false
		}
	}
	return true
}

// validateIDs answers 404/7003 when an identifier in the path is malformed.
func (s *Server) validateIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !validIDs(r) {
			writeInvalidObjectID(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// validIDs reports whether every identifier in the request's path is a
// Cloudflare identifier.
func validIDs(r *http.Request) bool {
	for _, p := range routeOf(r).params {
		if !isHexID(r.PathValue(p)) {
			return false
		}
	}
	return true
}

// writeInvalidObjectID is Cloudflare's answer to a path whose shape it knows
// but whose identifier is malformed; the message names the whole path.
func writeInvalidObjectID(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, codeInvalidObjectID, fmt.Sprintf(
		"Could not route to %s, perhaps your object identifier is invalid?", r.URL.Path))
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	k := routeOf(r).kind
	recs := s.store.list(k, r.PathValue("account_id"))
	out := make([]map[string]any, 0, len(recs))
	for _, rec := range recs {
		out = append(out, rec.wire(k, false))
	}
	writeResult(w, http.StatusOK, out)
}

// withName reads the body of a create or update (method, as the API
// reference names it) and hands its name to h; a body that cannot be used
// is answered 400 without calling h.
func withName(method string, h func(w http.ResponseWriter, r *http.Request, k kind, name string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		k := routeOf(r).kind
		name, err := readNameBody(w, r)
		if err != nil {
			writeBodyError(w, k, method, err)
			return
		}
		h(w, r, k, name)
	}
}

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request, k kind, name string) {
	rec, err := s.store.create(k, r.PathValue("account_id"), name)
	if err != nil {
		writeError(w, http.StatusInternalServerError, codeInternal, "Internal server error")
		return
	}
	writeResult(w, http.StatusCreated, rec.wire(k, true))
}

func (s *Server) handleGet(w http.ResponseWriter, r *http.Request) {
	k := routeOf(r).kind
	rec, ok := s.store.get(k, r.PathValue("account_id"), r.PathValue(kinds[k].idParam))
	if !ok {
		writeError(w, http.StatusNotFound, codeNotFound, kinds[k].notFound)
		return
	}
	writeResult(w, http.StatusOK, rec.wire(k, false))
}

func (s *Server) handleUpdate(w http.ResponseWriter, r *http.Request, k kind, name string) {
	rec, err := s.store.update(k, r.PathValue("account_id"), r.PathValue(kinds[k].idParam), name)
	s.writeMutation(w, k, rec, err)
}

func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	k := routeOf(r).kind
	rec, err := s.store.remove(k, r.PathValue("account_id"), r.PathValue(kinds[k].idParam))
	s.writeMutation(w, k, rec, err)
}

func (s *Server) writeMutation(w http.ResponseWriter, k kind, rec record, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, codeNotFound, kinds[k].notFound)
	case err != nil:
		writeError(w, http.StatusInternalServerError, codeInternal, "Internal server error")
	default:
		writeResult(w, http.StatusOK, rec.wire(k, false))
	}
}

func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, codeMethodNotAllowed, "Method not allowed")
	}
}

func handleNoRoute(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusBadRequest, codeNoRoute, "No route for that URI")
}

// errNameNotString is the body error about the name member itself.
var errNameNotString = errors.New(`"name" must be a string`)

// writeBodyError answers 400 for a create or update body that cannot be
// used, with a link to the method's reference and, when the error is about
// the name, a pointer to it, as Cloudflare's validation errors have.
func writeBodyError(w http.ResponseWriter, k kind, method string, err error) {
	m := apiMessage{
		Code: codeBadRequest, Message: "Invalid request body: " + err.Error(),
		DocumentationURL: kinds[k].apiDocs + method + "/",
	}
	if errors.Is(err, errNameNotString) {
		m.Source = &apiSource{Pointer: "/name"}
	}
	writeMessages(w, http.StatusBadRequest, m)
}

// readNameBody parses a create/update body: a JSON object whose optional
// "name" member is a string. An empty body counts as {}.
func readNameBody(w http.ResponseWriter, r *http.Request) (string, error) {
	fields, err := readObjectBody(w, r)
	if err != nil {
		return "", err
	}
	raw, present := fields["name"]
	if !present {
		return "", nil
	}
	name, ok := raw.(string)
	if !ok {
		return "", errNameNotString
	}
	return name, nil
}

// readObjectBody reads a request body that must be one JSON object; an
// empty body counts as {}.
func readObjectBody(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fmt.Errorf("body larger than %d bytes", maxBodyBytes)
		}
		return nil, errors.New("could not read body")
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return map[string]any{}, nil
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	fields, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("expected a JSON object")
	}
	return fields, nil
}

// apiMessage is an entry of the envelope's errors or messages; the optional
// members appear only when set, as in Cloudflare's answers.
type apiMessage struct {
	Code             int          `json:"code"`
	Message          string       `json:"message"`
	DocumentationURL string       `json:"documentation_url,omitempty"`
	Source           *apiSource   `json:"source,omitempty"`
	ErrorChain       []apiMessage `json:"error_chain,omitempty"`
}

// apiSource points at the part of the request an error is about (a JSON
// pointer into the body).
type apiSource struct {
	Pointer string `json:"pointer"`
}

type envelope struct {
	Success  bool         `json:"success"`
	Errors   []apiMessage `json:"errors"`
	Messages []apiMessage `json:"messages"`
	Result   any          `json:"result"`
}

func writeResult(w http.ResponseWriter, status int, result any) {
	writeEnvelope(w, status, envelope{Success: true, Errors: []apiMessage{}, Messages: []apiMessage{}, Result: result})
}

func writeError(w http.ResponseWriter, status, code int, message string) {
	writeMessages(w, status, apiMessage{Code: code, Message: message})
}

// writeMessages answers an error envelope with the given errors.
func writeMessages(w http.ResponseWriter, status int, errs ...apiMessage) {
	writeEnvelope(w, status, envelope{Errors: errs, Messages: []apiMessage{}})
}

func writeEnvelope(w http.ResponseWriter, status int, env envelope) {
	writeJSON(w, status, env, `{"success":false,"errors":[{"code":10001,"message":"Internal server error"}],"messages":[],"result":null}`)
}

// writeJSON answers v as JSON, or the JSON text failed if v cannot be
// encoded (which cannot happen with the types used here).
func writeJSON(w http.ResponseWriter, status int, v any, failed string) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false) // "&" stays "&", as Cloudflare sends it
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		body.Reset()
		body.WriteString(failed + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body.Bytes())
}

func (s *Server) handleAdminCounters(w http.ResponseWriter, r *http.Request) {
	routes, total := s.counters.snapshot()
	writeAdminJSON(w, http.StatusOK, struct {
		Total       int64            `json:"total"`
		Routes      map[string]int64 `json:"routes"`
		Statuses    map[int]int64    `json:"statuses"`
		RateLimited int64            `json:"rate_limited"`
	}{total, routes, s.Statuses(), s.RateLimited()})
}

type adminFaults struct {
	Faults []Fault `json:"faults"`
}

func (s *Server) handleAdminFaults(w http.ResponseWriter, r *http.Request) {
	writeAdminJSON(w, http.StatusOK, adminFaults{s.Faults()})
}

// handleAdminInjectFaults takes one fault object or an array of them, and
// answers the faults now active. Nothing is injected unless all are valid.
func (s *Server) handleAdminInjectFaults(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		http.Error(w, "could not read the body", http.StatusBadRequest)
		return
	}
	var faults []Fault
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '[' {
		err = json.Unmarshal(trimmed, &faults)
	} else {
		var f Fault
		err = json.Unmarshal(trimmed, &f)
		faults = []Fault{f}
	}
	if err != nil {
		http.Error(w, "malformed fault: "+err.Error(), http.StatusBadRequest)
		return
	}
	for i, f := range faults {
		if faults[i], err = f.normalize(); err == nil && f.Route != "" && !slices.Contains(s.routes, faults[i].Route) {
			err = fmt.Errorf("unknown route %q", f.Route)
		}
		if err != nil {
			http.Error(w, "fault "+f.String()+": "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	for _, f := range faults {
		if err := s.InjectFault(f); err != nil { // cannot fail: checked above
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	writeAdminJSON(w, http.StatusOK, adminFaults{s.Faults()})
}

func (s *Server) handleAdminClearFaults(w http.ResponseWriter, r *http.Request) {
	s.ClearFaults()
	w.WriteHeader(http.StatusNoContent)
}

type adminKitQuirks struct {
	KitQuirks string `json:"kit_quirks"`
}

func (s *Server) handleAdminKitQuirks(w http.ResponseWriter, r *http.Request) {
	writeAdminJSON(w, http.StatusOK, adminKitQuirks{s.KitQuirks().String()})
}

// handleAdminSetKitQuirks takes the quirks as the -kit-quirks flag does
// (all, none, or a comma-separated list of names) in a plain-text body, and
// answers the quirks now in force.
func (s *Server) handleAdminSetKitQuirks(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		http.Error(w, "could not read the body", http.StatusBadRequest)
		return
	}
	q, err := ParseKitQuirks(string(data))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.SetKitQuirks(q)
	s.handleAdminKitQuirks(w, r)
}

func writeAdminJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

func (s *Server) handleAdminReset(w http.ResponseWriter, r *http.Request) {
	s.counters.reset()
	w.WriteHeader(http.StatusNoContent)
}

func handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok")
}

// cleanPath is the canonical form http.ServeMux expects (it redirects any
// other): path.Clean, keeping a trailing slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}
