package specs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Validator checks requests, responses and payloads against one provider's
// spec. It matches paths itself (templates segment by segment, trailing
// slashes significant) so that it works with any host and with or without
// the server's base path. It is safe for concurrent use.
type Validator struct {
	doc       *openapi3.T
	routes    []route
	basePaths []string
}

// route is an operation with its path template split into segments, so
// matching a request splits nothing and allocates only the parameters of
// the route that matches.
type route struct {
	*routers.Route
	segments []segment
	params   int // how many segments are parameters
}

// segment is a literal path segment, or a parameter (name set).
type segment struct {
	literal, name string
}

func newRoute(r *routers.Route) route {
	out := route{Route: r}
	for _, s := range strings.Split(r.Path, "/") {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			out.segments = append(out.segments, segment{name: s[1 : len(s)-1]})
			out.params++
			continue
		}
		out.segments = append(out.segments, segment{literal: s})
	}
	return out
}

// NewValidator loads a provider's spec and prepares its routes.
func NewValidator(provider string) (*Validator, error) {
	doc, err := Load(provider)
	if err != nil {
		return nil, err
	}
	v := &Validator{doc: doc}
	bases := map[string]bool{}
	addServers := func(servers openapi3.Servers) {
		for _, s := range servers {
			if u, err := url.Parse(s.URL); err == nil && strings.Trim(u.Path, "/") != "" {
				bases[strings.TrimSuffix(u.Path, "/")] = true
			}
		}
	}
	addServers(doc.Servers)
	for path, item := range doc.Paths.Map() {
		addServers(item.Servers)
		for method, op := range item.Operations() {
			if op.Servers != nil {
				addServers(*op.Servers)
			}
			v.routes = append(v.routes, newRoute(&routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}))
		}
	}
	for b := range bases {
		v.basePaths = append(v.basePaths, b)
	}
	// Longest base path first, so nested bases strip correctly.
	sort.Slice(v.basePaths, func(i, j int) bool { return len(v.basePaths[i]) > len(v.basePaths[j]) })
	// Routes with more literal segments win over templated ones.
	sort.SliceStable(v.routes, func(i, j int) bool {
		li, lj := len(v.routes[i].segments)-v.routes[i].params, len(v.routes[j].segments)-v.routes[j].params
		if li != lj {
			return li > lj
		}
		return v.routes[i].Path+v.routes[i].Method < v.routes[j].Path+v.routes[j].Method
	})
	return v, nil
}

// Doc returns the parsed spec. Do not modify it.
func (v *Validator) Doc() *openapi3.T { return v.doc }

// ErrNoRoute is returned when no operation in the spec matches a request.
var ErrNoRoute = errors.New("no operation in the spec matches")

// Route finds the operation for a method and an escaped path (as sent on
// the wire). The path may carry the server's base path (/v1/orders/) or
// not (/orders/). Path parameters are returned unescaped.
func (v *Validator) Route(method, path string) (*routers.Route, map[string]string, error) {
	methodSeen := false
	match := func(p string) (*routers.Route, map[string]string, bool) {
		n := strings.Count(p, "/") + 1
		for i := range v.routes {
			r := &v.routes[i]
			if len(r.segments) != n || !r.matches(p) {
				continue
			}
			if !strings.EqualFold(r.Method, method) {
				methodSeen = true
				continue
			}
			return r.Route, r.pathParams(p), true
		}
		return nil, nil, false
	}
	if r, params, ok := match(path); ok {
		return r, params, nil
	}
	for _, base := range v.basePaths {
		if rest, ok := strings.CutPrefix(path, base); ok && strings.HasPrefix(rest, "/") {
			if r, params, ok := match(rest); ok {
				return r, params, nil
			}
		}
	}
	if methodSeen {
		return nil, nil, fmt.Errorf("%w: method %s is not allowed on %s", ErrNoRoute, method, path)
	}
	return nil, nil, fmt.Errorf("%w: %s %s", ErrNoRoute, method, path)
}

// RouteByOperationID finds an operation by its operationId.
func (v *Validator) RouteByOperationID(id string) (*routers.Route, error) {
	for _, r := range v.routes {
		if r.Operation.OperationID == id {
			return r.Route, nil
		}
	}
	return nil, fmt.Errorf("specs: no operation %q", id)
}

// ValidateRequest checks a request (parameters and body) against the spec.
// Authentication is not checked here: each provider's signer and sandbox do
// that. The request body stays readable.
func (v *Validator) ValidateRequest(ctx context.Context, req *http.Request) (*routers.Route, map[string]string, error) {
	// Match the path as sent, so an escaped "/" (%2F) inside an id stays in its segment.
	route, params, err := v.Route(req.Method, req.URL.EscapedPath())
	if err != nil {
		return nil, nil, err
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options:    requestOptions,
	}
	return route, params, validateRequest(ctx, input)
}

// validateRequest is openapi3filter.ValidateRequest without its security
// step: with authentication left to the caller, that step only read and
// copied the body once per security scheme. Parameters (the path item's,
// unless the operation overrides them, then the operation's) and the body
// are checked in the same order, every problem collected. The body is read
// by openapi3filter.ValidateRequestBody, which leaves it readable.
func validateRequest(ctx context.Context, input *openapi3filter.RequestValidationInput) error {
	var me openapi3.MultiError
	operation := input.Route.Operation
	for _, ref := range input.Route.PathItem.Parameters {
		p := ref.Value
		if operation.Parameters != nil && operation.Parameters.GetByInAndName(p.In, p.Name) != nil {
			continue
		}
		if err := openapi3filter.ValidateParameter(ctx, input, p); err != nil {
			me = append(me, err)
		}
	}
	for _, ref := range operation.Parameters {
		if err := openapi3filter.ValidateParameter(ctx, input, ref.Value); err != nil {
			me = append(me, err)
		}
	}
	if operation.RequestBody != nil {
		if err := openapi3filter.ValidateRequestBody(ctx, input, operation.RequestBody.Value); err != nil {
			me = append(me, err)
		}
	}
	if len(me) > 0 {
		return me
	}
	return nil
}

// ValidateResponse checks a response status, headers and body for a route.
func (v *Validator) ValidateResponse(ctx context.Context, req *http.Request, route *routers.Route, params map[string]string, status int, header http.Header, body []byte) error {
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: params,
			Route:      route,
			Options:    requestOptions,
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: responseOptions,
	}
	return openapi3filter.ValidateResponse(ctx, input)
}

// ValidateSchema checks a JSON payload (e.g. a webhook body) against a
// component schema by name.
func (v *Validator) ValidateSchema(name string, body []byte) error {
	ref, ok := v.doc.Components.Schemas[name]
	if !ok || ref.Value == nil {
		return fmt.Errorf("specs: no component schema %q", name)
	}
	value, err := decodeJSON(body)
	if err != nil {
		return err
	}
	return ref.Value.VisitJSON(value, openapi3.MultiErrors())
}

var requestOptions = &openapi3filter.Options{
	MultiError:         true,
	AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
}

var responseOptions = &openapi3filter.Options{
	MultiError:            true,
	IncludeResponseStatus: true,
	AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
}

func decodeJSON(body []byte) (any, error) {
	var value any
	dec := jsonDecoder(body)
	if err := dec.Decode(&value); err != nil {
		return nil, fmt.Errorf("specs: body is not JSON: %w", err)
	}
	return value, nil
}

// matches reports whether an escaped path with as many segments as r's
// template fits it: the same literals, and a non-empty, validly escaped
// value for each parameter.
func (r *route) matches(path string) bool {
	rest := path
	for _, seg := range r.segments {
		part, after, _ := strings.Cut(rest, "/")
		rest = after
		if seg.name == "" {
			if part != seg.literal {
				return false
			}
			continue
		}
		if part == "" {
			return false
		}
		if strings.IndexByte(part, '%') >= 0 {
			if _, err := url.PathUnescape(part); err != nil {
				return false
			}
		}
	}
	return true
}

// pathParams are the unescaped parameters of a path r matches.
func (r *route) pathParams(path string) map[string]string {
	params := make(map[string]string, r.params)
	rest := path
	for _, seg := range r.segments {
		part, after, _ := strings.Cut(rest, "/")
		rest = after
		if seg.name != "" {
			params[seg.name], _ = url.PathUnescape(part) // checked by matches
		}
	}
	return params
}
