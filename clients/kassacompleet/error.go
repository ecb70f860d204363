package kassacompleet

import (
	"fmt"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/kassacompleet"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/internal/redact"
)

// Error is an answer from Kassa Compleet other than success: the error
// envelope {"error": {"status", "type", "value"}} when there is one, and the
// raw body always (an HTML 502 from a proxy included). Its message reads
// "kassacompleet: get payment: HTTP 404: NotFound: order not found".
type Error struct {
	// Op names the call that failed: "create payment", "get payment",
	// "list issuers".
	Op         string
	StatusCode int
	// Type and Value come from the error envelope ("", when the body had none).
	Type  string
	Value string
	// Status is the envelope's own status field, which may be missing.
	Status  string
	RawBody []byte
	// RequestID identifies the exchange for the provider's support ("" if none).
	RequestID string
}

func (e *Error) message() string {
	prefix := apiclient.Call{Provider: provider, Op: e.Op}.Prefix()
	if e.Type != "" || e.Value != "" {
		return fmt.Sprintf("%sHTTP %d: %s: %s", prefix, e.StatusCode, e.Type, e.Value)
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

// provider names this client in errors and logs.
const provider = "kassacompleet"

var _ betaalkit.APIError = (*Error)(nil)

// Provider, HTTPStatus, ProviderCode, ProviderMessage, ResponseBody and
// ProviderRequestID make *Error a betaalkit.APIError.
func (e *Error) Provider() string          { return provider }
func (e *Error) HTTPStatus() int           { return e.StatusCode }
func (e *Error) ProviderCode() string      { return e.Type }
func (e *Error) ProviderMessage() string   { return redact.Text(e.Value) }
func (e *Error) ResponseBody() []byte      { return e.RawBody }
func (e *Error) ProviderRequestID() string { return e.RequestID }

// Is makes every *Error match betaalkit.ErrAPI.
func (e *Error) Is(target error) bool { return target == betaalkit.ErrAPI }

func toError(r *apiclient.Response) error {
	e := &Error{Op: r.Call.Op, StatusCode: r.StatusCode, RawBody: r.Body, RequestID: r.RequestID}
	if env := apiclient.DecodeErrorBody[gen.ErrorResponse](r); env != nil {
		e.Type, e.Value, e.Status = env.Error.Type, env.Error.Value, env.Error.Status.String()
	}
	return e
}
