// Package apiclient holds the plumbing every provider client shares: reading
// a response once, decoding a success body into a generated type, and
// turning anything else into the provider's typed error with the raw body
// kept. Provider packages stay thin and the same shape.
package apiclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/betaalkit/betaalkit"
)

// MaxBody bounds how much of a response is read (a misbehaving proxy must not
// exhaust memory); 16 MiB is far above any provider's largest answer.
const MaxBody = 16 << 20

// Response is a fully read HTTP response.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// RequestID identifies the exchange: the provider's X-Request-ID (or
	// Request-Id) answer header, else the X-Request-ID we sent.
	RequestID string
	// Call is the call that got this answer (set by Call.Read), so that
	// errors built from it name the call.
	Call Call
}

// Read reads and closes resp's body. err is the error from the generated
// client's call, passed through so callers can write
// apiclient.Read(c.gen.GetOrder(ctx, id)); one that is not already an API,
// verification, decode or request error is a *betaalkit.TransportError.
func Read(resp *http.Response, err error) (*Response, error) {
	if err != nil {
		return nil, classify(err)
	}
	defer resp.Body.Close()
	body, err := readAll(resp)
	if err != nil {
		return nil, &betaalkit.TransportError{Attempts: 1, Err: fmt.Errorf("read response (HTTP %d): %w", resp.StatusCode, err)}
	}
	if len(body) > MaxBody {
		return nil, &betaalkit.DecodeError{StatusCode: resp.StatusCode, RawBody: body[:MaxBody], Err: fmt.Errorf("response is larger than %d bytes", MaxBody)}
	}
	r := &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body, RequestID: resp.Header.Get("X-Request-Id")}
	if r.RequestID == "" {
		r.RequestID = resp.Header.Get("Request-Id")
	}
	if r.RequestID == "" && resp.Request != nil {
		r.RequestID = resp.Request.Header.Get("X-Request-Id")
	}
	return r, nil
}

// readAll reads at most MaxBody+1 bytes, in one allocation when the
// answer says how long it is (and correctly even when that was wrong).
func readAll(resp *http.Response) ([]byte, error) {
	n := resp.ContentLength
	if n <= 0 || n > MaxBody {
		return io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	}
	// One byte more than announced tells a short answer from a long one.
	buf := make([]byte, n+1)
	k, err := io.ReadFull(resp.Body, buf)
	switch {
	case int64(k) == n && err == io.ErrUnexpectedEOF:
		return buf[:n], nil
	case err != nil:
		return nil, err
	}
	rest, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody-n))
	return append(buf, rest...), err
}

// classify keeps an error that already says what it is, and marks any
// other failure of a call as a transport failure.
func classify(err error) error {
	for _, kind := range []error{betaalkit.ErrTransport, betaalkit.ErrAPI, betaalkit.ErrVerification, betaalkit.ErrDecode, betaalkit.ErrInvalidRequest} {
		if errors.Is(err, kind) {
			return err
		}
	}
	return &betaalkit.TransportError{Attempts: 1, Err: err}
}

// IsJSON reports whether the response says it carries JSON.
func (r *Response) IsJSON() bool {
	return strings.Contains(strings.ToLower(r.Header.Get("Content-Type")), "json")
}

// DecodeError is betaalkit.DecodeError: a body that does not fit, kept raw.
type DecodeError = betaalkit.DecodeError

// Decode unmarshals a success body into T. A body that does not fit, or
// that is JSON null (which would leave T empty without a word), becomes a
// *DecodeError carrying the raw bytes, wrapped with the call's name.
func Decode[T any](r *Response) (*T, error) {
	var v T
	if bytes.Equal(bytes.TrimSpace(r.Body), []byte("null")) {
		return nil, r.Call.decodeError(r, errors.New("the answer is null"))
	}
	if err := json.Unmarshal(r.Body, &v); err != nil {
		return nil, r.Call.decodeError(r, err)
	}
	return &v, nil
}

// DecodeFailure is a *DecodeError for r (the raw body kept), named with
// r's call: for answers that decode but lack what a success must have.
func DecodeFailure(r *Response, err error) error { return r.Call.decodeError(r, err) }

func (c Call) decodeError(r *Response, err error) error {
	de := &DecodeError{StatusCode: r.StatusCode, RawBody: r.Body, Err: err}
	if c.Provider == "" {
		return de
	}
	return c.Wrap(de)
}

// Expect decodes the body into T when the status is one of ok; otherwise it
// returns the error built by toError, which every provider writes once.
func Expect[T any](r *Response, toError func(*Response) error, ok ...int) (*T, error) {
	for _, status := range ok {
		if r.StatusCode == status {
			return Decode[T](r)
		}
	}
	return nil, toError(r)
}

// DecodeErrorBody tries to decode an error envelope into T. It returns nil
// when the body is not JSON of that shape (an HTML 502 page, say), so the
// caller still builds a typed error around the raw body.
func DecodeErrorBody[T any](r *Response) *T {
	if len(r.Body) == 0 {
		return nil
	}
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		return nil
	}
	return &v
}

// Snippet shortens a body for an error message; the full body stays on the error.
func Snippet(body []byte) string { return betaalkit.Snippet(body) }

// ErrInvalidRequest marks a request refused before it was sent.
var ErrInvalidRequest = betaalkit.ErrInvalidRequest

// FieldError names the request field that is wrong.
type FieldError = betaalkit.FieldError

// CheckPathID refuses an id that cannot safely stand as one path segment:
// empty, "." or ".." (URL resolution would turn /orders/../ into another
// resource, and ids can come from unsigned webhooks), or with control
// characters. Other characters are escaped by the generated client.
func CheckPathID(field, id string) error {
	switch strings.TrimSpace(id) {
	case "":
		return &FieldError{Field: field, Reason: "is empty"}
	case ".", "..":
		return &FieldError{Field: field, Reason: fmt.Sprintf("%q is not an id", id)}
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return &FieldError{Field: field, Reason: "contains a control character"}
		}
	}
	return nil
}

// RequirePOST answers 405 (with Allow: POST) to anything but a POST, the
// only method providers use for webhooks, and reports whether to go on.
func RequirePOST(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodPost {
		return true
	}
	w.Header().Set("Allow", http.MethodPost)
	http.Error(w, "webhooks are POSTed", http.StatusMethodNotAllowed)
	return false
}

// MaxWebhookBody bounds a webhook body; the providers' are a few KiB at most.
const MaxWebhookBody = 1 << 20

// ErrWebhookTooLarge is returned for a webhook body over MaxWebhookBody.
var ErrWebhookTooLarge = fmt.Errorf("webhook body larger than %d bytes", MaxWebhookBody)

// ReadWebhookBody reads an incoming webhook's body, refusing one larger
// than MaxWebhookBody so a hostile sender cannot exhaust memory.
func ReadWebhookBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxWebhookBody+1))
	if err != nil {
		return nil, fmt.Errorf("read webhook body: %w", err)
	}
	if len(body) > MaxWebhookBody {
		return nil, ErrWebhookTooLarge
	}
	return body, nil
}
