package specs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/transport"
)

// Exchange is one HTTP request and, when there was one, its response, as
// they went over the wire. `betaalkit validate` reads them from fixtures and
// HAR files, `betaalkit proxy` sees them pass, and Check sees them in tests;
// CheckExchange checks them all the same way.
type Exchange struct {
	// Method and Target are the request line. Target is the request-target
	// as sent, the escaped path and query ("/v1/orders/?limit=2"); an
	// absolute URL is accepted too.
	Method, Target string
	RequestHeader  http.Header
	RequestBody    []byte
	// Status is the response's status code; 0 means there is no response
	// to check (the request failed, or only the request was recorded).
	Status         int
	ResponseHeader http.Header
	ResponseBody   []byte

	// OperationID, when set, is the operation the exchange must belong to.
	// Without a Method the exchange is a bare body: RequestBody (when not
	// nil) and ResponseBody (when not nil; for Status, or else the
	// operation's first 2xx answer) are checked against the operation's
	// body schemas, and nothing else is.
	OperationID string
	// Schema, when set, names a component schema that RequestBody must fit
	// (a webhook or notification payload, which belongs to no operation);
	// nothing else is checked.
	Schema string
}

// Result is what CheckExchange found.
type Result struct {
	// OperationID is the operation (or the Schema) the exchange was checked
	// against; "" when no operation matches its method and path.
	OperationID string      `json:"operationId,omitempty"`
	Violations  []Violation `json:"violations"`
}

// OK reports whether the exchange fits the spec.
func (r Result) OK() bool { return len(r.Violations) == 0 }

// String is the result on one line: "createOrder: ok", or the operation
// and every violation.
func (r Result) String() string {
	op := r.OperationID
	if op == "" {
		op = "no operation"
	}
	if r.OK() {
		return op + ": ok"
	}
	parts := make([]string, len(r.Violations))
	for i, v := range r.Violations {
		parts[i] = v.String()
	}
	return op + ": " + strings.Join(parts, "; ")
}

// Violation is one way an exchange departs from the spec.
type Violation struct {
	// Side is "request" or "response".
	Side string `json:"side"`
	// Field is the dotted JSON path into the body
	// ("transactions.0.payment_method"), a parameter or header name,
	// "body" for the body as a whole, "status", or "path" when the request
	// matches no operation.
	Field string `json:"field"`
	// Expected is what the spec asks, in kin-openapi's words
	// ("value must be an integer").
	Expected string `json:"expected"`
	// Got is the value that was there, as JSON and shortened, with
	// credentials and IBANs redacted; "absent" when there was none.
	Got string `json:"got,omitempty"`
}

func (v Violation) String() string {
	s := v.Side + " " + v.Field + ": " + v.Expected
	if v.Got != "" {
		s += " (got " + v.Got + ")"
	}
	return s
}

// CheckExchange checks an exchange against the spec: it finds the
// operation by method and path, then checks the request's parameters,
// headers and body and the response's status, headers and body.
// Authentication is not checked (signers and sandboxes do that). Bodies
// sent with Content-Encoding gzip are checked decompressed.
func (v *Validator) CheckExchange(ctx context.Context, ex Exchange) Result {
	ex = ex.Decoded()
	switch {
	case ex.Schema != "":
		err := v.ValidateSchema(ex.Schema, ex.RequestBody)
		return Result{OperationID: ex.Schema, Violations: violations("request", err, source{body: ex.RequestBody})}
	case ex.Method == "" && ex.OperationID != "":
		return v.checkBodies(ex)
	}

	u, err := url.ParseRequestURI(ex.Target)
	if err != nil {
		return Result{Violations: []Violation{{Side: "request", Field: "path", Expected: "a request-target (path and query)", Got: quote(betaalkit.Redact(ex.Target))}}}
	}
	req, err := http.NewRequestWithContext(ctx, ex.Method, "http://spec.invalid/", bytes.NewReader(ex.RequestBody))
	if err != nil {
		return Result{Violations: []Violation{{Side: "request", Field: "method", Expected: "an HTTP method", Got: quote(ex.Method)}}}
	}
	req.URL, req.Host = u, u.Host
	req.Header = ex.RequestHeader.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	route, params, err := v.ValidateRequest(ctx, req)
	if route == nil {
		return Result{Violations: []Violation{{Side: "request", Field: "path", Expected: strings.TrimPrefix(err.Error(), ErrNoRoute.Error()+": "), Got: quote(betaalkit.Redact(u.EscapedPath()))}}}
	}
	res := Result{OperationID: route.Operation.OperationID}
	if ex.OperationID != "" && ex.OperationID != res.OperationID {
		res.Violations = append(res.Violations, Violation{Side: "request", Field: "path",
			Expected: fmt.Sprintf("a path of operation %s", ex.OperationID), Got: fmt.Sprintf("%s %s, a path of %s", ex.Method, u.EscapedPath(), res.OperationID)})
	}
	res.Violations = append(res.Violations, violations("request", err, source{
		route: route, params: params, query: u.RawQuery, header: ex.RequestHeader, body: ex.RequestBody})...)
	if ex.Status != 0 {
		header := ex.ResponseHeader
		if header == nil {
			header = http.Header{}
		}
		err := v.ValidateResponse(ctx, req, route, params, ex.Status, header, ex.ResponseBody)
		res.Violations = append(res.Violations, violations("response", err, source{route: route, status: ex.Status, header: header, body: ex.ResponseBody})...)
	}
	return res
}

// checkBodies checks a bare request or response body against an
// operation's JSON body schemas.
func (v *Validator) checkBodies(ex Exchange) Result {
	route, err := v.RouteByOperationID(ex.OperationID)
	if err != nil {
		return Result{Violations: []Violation{{Side: "request", Field: "operationId", Expected: err.Error(), Got: quote(ex.OperationID)}}}
	}
	res := Result{OperationID: ex.OperationID}
	op := route.Operation
	if ex.RequestBody != nil {
		var content openapi3.Content
		if op.RequestBody != nil && op.RequestBody.Value != nil {
			content = op.RequestBody.Value.Content
		}
		res.Violations = append(res.Violations, checkBody("request", content, ex.RequestBody)...)
	}
	if ex.ResponseBody != nil {
		status := ex.Status
		if status == 0 {
			status = firstSuccess(op)
		}
		ref := op.Responses.Status(status)
		if ref == nil {
			ref = op.Responses.Default()
		}
		if ref == nil || ref.Value == nil {
			res.Violations = append(res.Violations, Violation{Side: "response", Field: "status", Expected: "a status the operation documents", Got: strconv.Itoa(status)})
			return res
		}
		res.Violations = append(res.Violations, checkBody("response", ref.Value.Content, ex.ResponseBody)...)
	}
	return res
}

func checkBody(side string, content openapi3.Content, body []byte) []Violation {
	media := content.Get("application/json")
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		return []Violation{{Side: side, Field: "body", Expected: "no JSON body in this operation's " + side}}
	}
	value, err := decodeJSON(body)
	if err == nil {
		err = media.Schema.Value.VisitJSON(value, openapi3.MultiErrors())
	}
	return violations(side, err, source{body: body})
}

// firstSuccess is the lowest 2xx status an operation documents (200 when
// it documents none).
func firstSuccess(op *openapi3.Operation) int {
	best := 0
	for code := range op.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n >= 200 && n < 300 && (best == 0 || n < best) {
			best = n
		}
	}
	if best == 0 {
		best = http.StatusOK
	}
	return best
}

// source is where a violation's value is looked up.
type source struct {
	route  *routers.Route
	params map[string]string
	query  string
	status int
	header http.Header
	body   []byte
}

// violations turns a validation error into violations with the value each
// field had.
func violations(side string, err error, src source) []Violation {
	if err == nil {
		return nil
	}
	var out []Violation
	for _, p := range Problems(err) {
		v := Violation{Side: side, Field: p.Field, Expected: p.Reason}
		switch {
		case p.Field != "request":
			v.Got = src.value(p.Field)
		case strings.Contains(p.Reason, "status"): // not a schema or parameter error: name what it concerns
			v.Field, v.Got = "status", strconv.Itoa(src.status)
		case strings.Contains(p.Reason, "Content-Type"):
			v.Field, v.Got = "Content-Type", src.value("Content-Type")
		default:
			v.Field, v.Got = "body", src.value("body")
		}
		out = append(out, v)
	}
	return out
}

// maxGot bounds how much of a value a violation quotes.
const maxGot = 80

// value is the field's value as JSON (redacted and shortened), or "absent".
func (s source) value(field string) string {
	if v, ok := s.params[field]; ok {
		return quote(betaalkit.Redact(v))
	}
	if s.query != "" {
		if q, err := url.ParseQuery(betaalkit.Redact(s.query)); err == nil && q.Has(field) {
			return quote(strings.Join(q[field], ","))
		}
	}
	if values := s.header.Values(field); len(values) > 0 {
		return quote(transport.RedactHeader(field, values))
	}
	if len(s.body) == 0 {
		return "absent"
	}
	text := betaalkit.Redact(string(s.body))
	value, err := decodeJSON([]byte(text))
	if err != nil {
		if form, err := url.ParseQuery(text); err == nil && form.Has(field) {
			return quote(strings.Join(form[field], ","))
		}
		if field == "body" {
			return quote(strings.Join(strings.Fields(text), " "))
		}
		return ""
	}
	if field != "body" {
		for _, seg := range strings.Split(field, ".") {
			switch node := value.(type) {
			case map[string]any:
				next, ok := node[seg]
				if !ok {
					return "absent"
				}
				value = next
			case []any:
				i, err := strconv.Atoi(seg)
				if err != nil || i < 0 || i >= len(node) {
					return "absent"
				}
				value = node[i]
			default:
				return "absent"
			}
		}
	}
	data, err := json.Marshal(value)
	if err != nil {
		return ""
	}
	return shorten(string(data))
}

func quote(s string) string { return shorten(strconv.Quote(s)) }

func shorten(s string) string {
	if len(s) <= maxGot {
		return s
	}
	cut := maxGot
	for cut > 0 && s[cut]&0xc0 == 0x80 { // not inside a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}

// Decoded returns the exchange with gzip-encoded bodies decompressed (and
// their Content-Encoding and Content-Length headers dropped): what the
// spec describes, and what a recording should show.
func (ex Exchange) Decoded() Exchange {
	ex.RequestHeader, ex.RequestBody = decoded(ex.RequestHeader, ex.RequestBody)
	ex.ResponseHeader, ex.ResponseBody = decoded(ex.ResponseHeader, ex.ResponseBody)
	return ex
}

func decoded(h http.Header, body []byte) (http.Header, []byte) {
	switch strings.ToLower(h.Get("Content-Encoding")) {
	case "gzip", "x-gzip":
	default:
		return h, body
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return h, body
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		return h, body
	}
	h = h.Clone()
	h.Del("Content-Encoding")
	h.Del("Content-Length")
	return h, plain
}
