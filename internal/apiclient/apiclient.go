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
	"unicode/utf8"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/redact"
	"github.com/betaalkit/betaalkit/transport"
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
	// Redirect is the Location of a redirect that was not followed because
	// the request was not idempotent ("" otherwise; see CopyHTTPClient).
	Redirect string
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
	if resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Request != nil && !transport.Idempotent(resp.Request.Method) {
		if r.Redirect = resp.Header.Get("Location"); r.Redirect == "" {
			r.Redirect = "(no Location)"
		}
	}
	return r, nil
}

// readAll reads at most MaxBody+1 bytes, in one allocation when the
// answer says how long it is (and correctly even when that was wrong). An
// answer announced larger than MaxBody gets MaxBody+1 bytes read, no more:
// enough to keep its start and tell it is too large.
func readAll(resp *http.Response) ([]byte, error) {
	n := min(resp.ContentLength, MaxBody)
	if n <= 0 {
		return readGrowing(resp.Body, nil)
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
	return readGrowing(resp.Body, buf)
}

// readGrowing appends what r gives to buf until EOF or MaxBody+1 bytes in
// all. The buffer grows fourfold at a time, so that the heap at its
// highest, while the last and largest buffer is filled from the one before
// it, stays near 1.25 times what is read (io.ReadAll's small steps leave
// twice that to collect).
func readGrowing(r io.Reader, buf []byte) ([]byte, error) {
	const limit = MaxBody + 1
	for len(buf) < limit {
		if len(buf) == cap(buf) {
			size := max(4*cap(buf), 4<<10)
			if size >= MaxBody {
				size = limit
			}
			grown := make([]byte, len(buf), size)
			copy(grown, buf)
			buf = grown
		}
		k, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
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

// Decode unmarshals a success body into T. A body that does not fit, that
// is JSON null (which would leave T empty without a word), or that is not
// valid UTF-8 (encoding/json would silently turn the bad bytes of a string
// into U+FFFD, so a name or reference would not be what was sent) becomes a
// *DecodeError carrying the raw bytes, wrapped with the call's name.
func Decode[T any](r *Response) (*T, error) {
	var v T
	if bytes.Equal(bytes.TrimSpace(r.Body), []byte("null")) {
		return nil, r.Call.decodeError(r, errors.New("the answer is null"))
	}
	if !utf8.Valid(r.Body) {
		return nil, r.Call.decodeError(r, errors.New("the answer is not valid UTF-8"))
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
// returns the error built by toError, which every provider writes once. A
// redirect of a request that is not idempotent (r.Redirect) is such an
// error (betaalkit.ErrAPI, the raw answer kept), and its message says that
// the redirect was not followed.
func Expect[T any](r *Response, toError func(*Response) error, ok ...int) (*T, error) {
	if r.Redirect == "" {
		for _, status := range ok {
			if r.StatusCode == status {
				return Decode[T](r)
			}
		}
	}
	err := toError(r)
	if r.Redirect != "" {
		err = &redirectError{err: err, location: r.Redirect}
	}
	return nil, err
}

// redirectError is the provider's error for a redirect answer to a request
// that is not idempotent: the request is not sent again to the Location.
type redirectError struct {
	err      error
	location string
}

func (e *redirectError) Error() string {
	return redact.Text(e.err.Error() + "; the answer redirects to " + e.location +
		", which is not followed: a request that may create something is never sent twice")
}

func (e *redirectError) Unwrap() error { return e.err }

// GoString keeps IBANs and secrets out of %#v, as Error does.
func (e *redirectError) GoString() string { return redact.GoString(e) }

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
