package ideal2

import (
	"fmt"
	"strings"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/flex"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/internal/redact"
)

// Error codes the routing service is known to send.
const (
	CodeInvalidSignature = "003"
	CodeTokenExpired     = "017"
	CodeUnknownMerchant  = "101"
	CodeInvalidDigest    = "154"
)

// Error is an answer from the routing service other than success: the error
// body {"Code","Message","Details","Link":{"Href"}} when there is one (the
// token endpoint writes the keys in lower case; both are read), and the raw
// body always. It reads "ideal2: create payment: HTTP 400: 154: Invalid
// digest (details)".
type Error struct {
	// Op names the call that got the answer: "create payment", "get
	// payment", "get access token".
	Op         string
	StatusCode int
	Code       string
	Message    string
	Details    string
	Link       string
	RawBody    []byte
	// RequestID identifies the exchange for the provider's support ("" if none).
	RequestID string
}

func (e *Error) message() string {
	prefix := apiclient.Call{Provider: provider, Op: e.Op}.Prefix()
	detail := e.Code + ": " + e.Message
	switch {
	case e.Code == "" && e.Message == "":
		return fmt.Sprintf("%sHTTP %d: %s", prefix, e.StatusCode, apiclient.Snippet(e.RawBody))
	case e.Code == "":
		detail = e.Message
	case e.Message == "":
		detail = e.Code
	}
	if e.Details != "" {
		detail += " (" + e.Details + ")"
	}
	return fmt.Sprintf("%sHTTP %d: %s", prefix, e.StatusCode, detail)
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

// Operation names the call that got the answer, e.g. "create payment".
func (e *Error) Operation() string { return e.Op }

// errorBody reads either spelling of the keys: encoding/json matches field
// names case-insensitively. Code is kept as text even if sent as a number.
type errorBody struct {
	Code    flex.String `json:"Code"`
	Message flex.String `json:"Message"`
	Details flex.String `json:"Details"`
	Link    *struct {
		Href string `json:"Href"`
	} `json:"Link"`
}

// provider names this client in errors and logs.
const provider = "ideal2"

var _ betaalkit.APIError = (*Error)(nil)

// Provider, HTTPStatus, ProviderCode, ProviderMessage, ResponseBody and
// ProviderRequestID make *Error a betaalkit.APIError.
func (e *Error) Provider() string          { return provider }
func (e *Error) HTTPStatus() int           { return e.StatusCode }
func (e *Error) ProviderCode() string      { return e.Code }
func (e *Error) ProviderMessage() string   { return redact.Text(e.Message) }
func (e *Error) ResponseBody() []byte      { return e.RawBody }
func (e *Error) ProviderRequestID() string { return e.RequestID }

// Is makes every *Error match betaalkit.ErrAPI.
func (e *Error) Is(target error) bool { return target == betaalkit.ErrAPI }

func toError(r *apiclient.Response) error {
	e := &Error{Op: r.Call.Op, StatusCode: r.StatusCode, RawBody: r.Body, RequestID: r.RequestID}
	if b := apiclient.DecodeErrorBody[errorBody](r); b != nil {
		e.Code = strings.TrimSpace(b.Code.String())
		e.Message, e.Details = b.Message.String(), b.Details.String()
		if b.Link != nil {
			e.Link = b.Link.Href
		}
	}
	return e
}
