package opp

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/opp"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/internal/redact"
)

// ErrConcurrentRequest matches (with errors.Is) an *Error for HTTP 409: OPP
// is still handling another request on the same object. The request itself
// was fine; retry it after a short wait.
var ErrConcurrentRequest = errors.New("opp: concurrent request on the same object")

// Error is an answer from OPP other than success: the error envelope
// {"error": {"code", "message"}} when there is one, and the raw body always
// (an HTML 502 from a proxy included).
type Error struct {
	// Op names the call that failed: "create payment", "get payment",
	// "create refund", "list orders", …
	Op         string
	StatusCode int
	// Code and Message come from the error envelope ("" when the body had none).
	// Code is the provider's number as text, e.g. "1935".
	Code    string
	Message string
	RawBody []byte
	// RequestID identifies the exchange for the provider's support ("" if none).
	RequestID string
}

// message reads "opp: get payment: HTTP 404: 1300: transaction not found", or
// quotes the start of the body when it had no envelope.
func (e *Error) message() string {
	prefix := apiclient.Call{Provider: provider, Op: e.Op}.Prefix()
	switch {
	case e.Code != "":
		return fmt.Sprintf("%sHTTP %d: %s: %s", prefix, e.StatusCode, e.Code, e.Message)
	case e.Message != "":
		return fmt.Sprintf("%sHTTP %d: %s", prefix, e.StatusCode, e.Message)
	}
	return fmt.Sprintf("%sHTTP %d: %s", prefix, e.StatusCode, apiclient.Snippet(e.RawBody))
}

// Error is the message, with IBANs and secrets redacted (betaalkit.Redact):
// the provider's message may quote the customer's account. The provider's
// exact words stay in the fields and in the raw body.
func (e *Error) Error() string { return redact.Text(e.message()) }

// Format prints the error (a copy of it too) as its Error message for
// every verb, and %#v as GoString: no verb shows more than Error does.
func (e Error) Format(f fmt.State, verb rune) { redact.FormatError(f, verb, e, (&e).Error()) }

// GoString keeps the raw body, IBANs and secrets out of %#v: the raw body
// is shown by its length (read it with ResponseBody), strings redacted.
func (e Error) GoString() string { return redact.GoString(e) }

// Operation names the call that failed, as in the message.
func (e *Error) Operation() string { return e.Op }

// Is makes every *Error match betaalkit.ErrAPI, and a 409 ErrConcurrentRequest.
func (e *Error) Is(target error) bool {
	return target == betaalkit.ErrAPI || target == ErrConcurrentRequest && e.StatusCode == http.StatusConflict
}

// Retryable reports whether sending the same request again may succeed:
// a concurrent request (409) or a temporary problem at OPP (5xx).
func (e *Error) Retryable() bool {
	return e.StatusCode == http.StatusConflict || e.StatusCode >= 500
}

// provider names this client in errors and logs.
const provider = "opp"

var _ betaalkit.APIError = (*Error)(nil)

// Provider, HTTPStatus, ProviderCode, ProviderMessage, ResponseBody and
// ProviderRequestID make *Error a betaalkit.APIError.
func (e *Error) Provider() string          { return provider }
func (e *Error) HTTPStatus() int           { return e.StatusCode }
func (e *Error) ProviderCode() string      { return e.Code }
func (e *Error) ProviderMessage() string   { return redact.Text(e.Message) }
func (e *Error) ResponseBody() []byte      { return e.RawBody }
func (e *Error) ProviderRequestID() string { return e.RequestID }

func toError(r *apiclient.Response) error {
	e := &Error{Op: r.Call.Op, StatusCode: r.StatusCode, RawBody: r.Body, RequestID: r.RequestID}
	if env := apiclient.DecodeErrorBody[gen.ErrorResponse](r); env != nil {
		e.Code, e.Message = env.Error.Code.String(), env.Error.Message
	}
	return e
}
