package emulator

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// kitPrefix is the path of the RealtimeKit API under /client/v4.
const kitPrefix = "/accounts/{account_id}/realtime/kit"

// DefaultKitPerPage is the page size of a RealtimeKit list without per_page.
const DefaultKitPerPage = 20

// registerKitRoutes adds RealtimeKit's routes to the API mux. They go
// through the same middleware as Calls': counters, latency, credentials,
// the one rate limit per credential, faults. Apps have no item path: a
// GET, PATCH or DELETE of /realtime/kit/apps/{id} is a path the API
// cannot route (400, code 7000).
func (s *Server) registerKitRoutes() {
	accountOnly := []string{"account_id"}
	apps := &route{label: kitPrefix + "/apps", kit: kitAppKind, params: accountOnly}
	s.routes = append(s.routes, apps.label)
	s.handle(http.MethodGet, apps, s.handleKitList)
	s.handle(http.MethodPost, apps, s.handleKitCreate)
	s.handle("", apps, methodNotAllowed("GET, HEAD, POST"))
	for _, k := range kitChildKinds {
		coll := &route{label: kitPrefix + "/{app_id}/" + k.collection, kit: k, params: accountOnly}
		item := &route{label: coll.label + "/{" + k.idParam + "}", kit: k, params: accountOnly}
		s.routes = append(s.routes, coll.label, item.label)
		s.handle(http.MethodGet, coll, s.handleKitList)
		s.handle(http.MethodPost, coll, s.handleKitCreate)
		s.handle("", coll, methodNotAllowed("GET, HEAD, POST"))
		s.handle(http.MethodGet, item, s.handleKitItem)
		s.handle(http.MethodPatch, item, s.handleKitChange)
		if k.replaceable {
			s.handle(http.MethodPut, item, s.handleKitChange)
		}
		s.handle(http.MethodDelete, item, s.handleKitItem)
		s.handle("", item, methodNotAllowed(k.itemMethods))
	}
}

// kitEnvelope is RealtimeKit's envelope: data (and paging for a paged
// list) on success, error on failure.
type kitEnvelope struct {
	Success bool       `json:"success"`
	Data    any        `json:"data,omitempty"`
	Paging  *kitPaging `json:"paging,omitempty"`
	Error   *kitError  `json:"error,omitempty"`
}

// kitPaging places a page in the whole list: 1-based offsets of its first
// and last item, both 0 for a page without items.
type kitPaging struct {
	StartOffset int `json:"start_offset"`
	EndOffset   int `json:"end_offset"`
	TotalCount  int `json:"total_count"`
}

// kitError's code is the HTTP status.
type kitError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func writeKit(w http.ResponseWriter, status int, env kitEnvelope) {
	writeJSON(w, status, env, `{"success":false,"error":{"code":500,"message":"Internal server error"}}`)
}

func writeKitData(w http.ResponseWriter, status int, data any, paging *kitPaging) {
	writeKit(w, status, kitEnvelope{Success: true, Data: data, Paging: paging})
}

func writeKitError(w http.ResponseWriter, status int, message string) {
	writeKit(w, status, kitEnvelope{Error: &kitError{Code: status, Message: message}})
}

// writeKitFailure answers an error of the store or of a body's check.
func writeKitFailure(w http.ResponseWriter, k *kitKind, err error) {
	var fe *fieldError
	switch {
	case errors.As(err, &fe):
		writeKitError(w, http.StatusBadRequest, fe.Error())
	case errors.Is(err, errNoKitApp):
		writeKitError(w, http.StatusNotFound, kitAppKind.noun+" not found")
	case errors.Is(err, ErrNotFound):
		writeKitError(w, http.StatusNotFound, k.noun+" not found")
	default:
		writeKitError(w, http.StatusInternalServerError, "Internal server error")
	}
}

// kitBody reads a create, PATCH or PUT body; when it is not a JSON object
// it answers 400 and returns false.
func kitBody(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	body, err := readObjectBody(w, r)
	if err != nil {
		writeKitError(w, http.StatusBadRequest, "Invalid request body: "+err.Error())
		return nil, false
	}
	return body, true
}

func (s *Server) handleKitList(w http.ResponseWriter, r *http.Request) {
	k := routeOf(r).kit
	objs, err := s.store.kitList(r.PathValue("account_id"), r.PathValue("app_id"), k)
	if err != nil {
		writeKitFailure(w, k, err)
		return
	}
	if !k.paged {
		if len(objs) == 0 && k == kitWebhookKind && s.KitQuirks().EmptyWebhookList404 {
			writeKitError(w, http.StatusNotFound, "No webhooks found for this app")
			return
		}
		writeKitData(w, http.StatusOK, kitWires(objs, k.slim), nil)
		return
	}
	q, err := parseKitListQuery(r.URL.Query(), k.sortable)
	if err != nil {
		writeKitFailure(w, k, err)
		return
	}
	if q.search != "" {
		objs = slices.DeleteFunc(objs, func(o kitObject) bool {
			return !strings.Contains(strings.ToLower(o.name()), q.search)
		})
	}
	if q.descending {
		slices.Reverse(objs)
	}
	page, paging := kitPage(objs, q.page, q.perPage)
	writeKitData(w, http.StatusOK, kitWires(page, k.slim), &paging)
}

func kitWires(objs []kitObject, slim bool) []map[string]any {
	out := make([]map[string]any, len(objs))
	for i, o := range objs {
		out[i] = o.wire(slim)
	}
	return out
}

// kitListQuery is what a paged list's query asks for.
type kitListQuery struct {
	page, perPage int
	search        string // in lower case
	descending    bool
}

// parseKitListQuery reads page_no (from 1, default 1), per_page (default
// 20), search (a part of the name, in any case) and, when sortable,
// sort_order (ASC, the default, or DESC: by creation). Other parameters
// are ignored.
func parseKitListQuery(v url.Values, sortable bool) (kitListQuery, error) {
	q := kitListQuery{page: 1, perPage: DefaultKitPerPage, search: strings.ToLower(v.Get("search"))}
	for _, p := range []struct {
		name string
		n    *int
	}{{"page_no", &q.page}, {"per_page", &q.perPage}} {
		if text := v.Get(p.name); text != "" {
			n, err := strconv.Atoi(text)
			if err != nil || n < 1 {
				return q, &fieldError{p.name, "must be a positive integer"}
			}
			*p.n = n
		}
	}
	if sortable {
		switch v.Get("sort_order") {
		case "", "ASC":
		case "DESC":
			q.descending = true
		default:
			return q, &fieldError{"sort_order", "must be one of ASC, DESC"}
		}
	}
	return q, nil
}

// kitPage cuts page (from 1) of perPage items out of objs.
func kitPage(objs []kitObject, page, perPage int) ([]kitObject, kitPaging) {
	total := len(objs)
	pages := total / perPage
	if total%perPage != 0 {
		pages++
	}
	if page > pages {
		return []kitObject{}, kitPaging{TotalCount: total}
	}
	start := (page - 1) * perPage
	end := total
	if perPage < total-start {
		end = start + perPage
	}
	return objs[start:end], kitPaging{StartOffset: start + 1, EndOffset: end, TotalCount: total}
}

func (s *Server) handleKitCreate(w http.ResponseWriter, r *http.Request) {
	k := routeOf(r).kit
	acct, appID := r.PathValue("account_id"), r.PathValue("app_id")
	if k != kitAppKind {
		// The app is sought before the body is looked at.
		if _, err := s.store.kitList(acct, appID, k); err != nil {
			writeKitFailure(w, k, err)
			return
		}
	}
	body, ok := kitBody(w, r)
	if !ok {
		return
	}
	o, err := s.kitCreate(acct, appID, k, body)
	if err != nil {
		writeKitFailure(w, k, err)
		return
	}
	writeKitData(w, http.StatusCreated, o.wire(false), nil)
}

// handleKitItem answers an object (GET), or deletes it and answers it
// (DELETE).
func (s *Server) handleKitItem(w http.ResponseWriter, r *http.Request) {
	k := routeOf(r).kit
	take := s.store.kitGet
	if r.Method == http.MethodDelete {
		take = s.store.kitRemove
	}
	o, err := take(r.PathValue("account_id"), r.PathValue("app_id"), k, r.PathValue(k.idParam))
	if err != nil {
		writeKitFailure(w, k, err)
		return
	}
	writeKitData(w, http.StatusOK, o.wire(false), nil)
}

// handleKitChange answers a PATCH (the body merged into the object) or a
// PUT (the body replaces it). The object is sought before the body is
// looked at.
func (s *Server) handleKitChange(w http.ResponseWriter, r *http.Request) {
	k := routeOf(r).kit
	acct, appID, id := r.PathValue("account_id"), r.PathValue("app_id"), r.PathValue(k.idParam)
	if _, err := s.store.kitGet(acct, appID, k, id); err != nil {
		writeKitFailure(w, k, err)
		return
	}
	body, ok := kitBody(w, r)
	if !ok {
		return
	}
	write := s.kitPatch
	if r.Method == http.MethodPut {
		write = s.kitReplace
	}
	o, err := write(acct, appID, k, id, body)
	if err != nil {
		writeKitFailure(w, k, err)
		return
	}
	m := o.wire(false)
	q := s.KitQuirks()
	switch {
	case r.Method == http.MethodPatch && k == kitPresetKind && q.PatchPresetWithoutID:
		delete(m, "id")
	case r.Method == http.MethodPut && k == kitWebhookKind && q.PutWebhookPartialEcho:
		m = map[string]any{"name": m["name"], "url": m["url"], "events": m["events"]}
	}
	writeKitData(w, http.StatusOK, m, nil)
}
