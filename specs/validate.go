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
	routes    []*routers.Route
	basePaths []string
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
			v.routes = append(v.routes, &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op})
		}
	}
	for b := range bases {
		v.basePaths = append(v.basePaths, b)
	}
	// Longest base path first, so nested bases strip correctly.
	sort.Slice(v.basePaths, func(i, j int) bool { return len(v.basePaths[i]) > len(v.basePaths[j]) })
	// Routes with more literal segments win over templated ones.
	sort.SliceStable(v.routes, func(i, j int) bool {
		li, lj := literalSegments(v.routes[i].Path), literalSegments(v.routes[j].Path)
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
	candidates := []string{path}
	for _, base := range v.basePaths {
		if rest, ok := strings.CutPrefix(path, base); ok && strings.HasPrefix(rest, "/") {
			candidates = append(candidates, rest)
		}
	}
	methodSeen := false
	for _, p := range candidates {
		for _, r := range v.routes {
			params, ok := matchPath(r.Path, p)
			if !ok {
				continue
			}
			if !strings.EqualFold(r.Method, method) {
				methodSeen = true
				continue
			}
			return r, params, nil
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
			return r, nil
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
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return route, params, fmt.Errorf("read request body: %w", err)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		defer func() { req.Body = io.NopCloser(bytes.NewReader(body)) }()
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options:    requestOptions,
	}
	return route, params, openapi3filter.ValidateRequest(ctx, input)
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

func matchPath(template, path string) (map[string]string, bool) {
	ts := strings.Split(template, "/")
	ps := strings.Split(path, "/")
	if len(ts) != len(ps) {
		return nil, false
	}
	params := map[string]string{}
	for i, t := range ts {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if ps[i] == "" {
				return nil, false
			}
			value, err := url.PathUnescape(ps[i])
			if err != nil {
				return nil, false
			}
			params[t[1:len(t)-1]] = value
			continue
		}
		if t != ps[i] {
			return nil, false
		}
	}
	return params, true
}

func literalSegments(template string) int {
	n := 0
	for _, s := range strings.Split(template, "/") {
		if !strings.HasPrefix(s, "{") {
			n++
		}
	}
	return n
}
