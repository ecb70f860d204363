package buckaroo

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/buckaroo"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/internal/redact"
)

// Error is any answer from Buckaroo other than a transaction it accepted:
// a non-2xx answer (StatusCode, Message when the body is JSON, RawBody
// always), or an HTTP 200 transaction refused with status 491/492 or
// RequestErrors (Code, SubCode, Details, Transaction). Its message names
// the call: "buckaroo: get payment: HTTP 400: The request is invalid." or
// "buckaroo: create payment: HTTP 200: 491 validation failure: S997:
// Invalid request; ParameterErrors Capayable/PayInInstallments/BirthDate: …".
type Error struct {
	// Op names the call that failed: "create payment", "get payment",
	// "create refund".
	Op string
	// StatusCode is the HTTP status.
	StatusCode int
	// Code and SubCode are the transaction's status (491, "S…") on a refusal.
	Code    StatusCode
	SubCode string
	// Message is the status description or the error body's Message.
	Message string
	// Details lists every entry of RequestErrors.
	Details []RequestErrorDetail
	// Transaction is the refused transaction, nil for a non-2xx answer.
	Transaction *Transaction
	RawBody     []byte
	// RequestID identifies the exchange for the provider's support ("" if none).
	RequestID string
}

// RequestErrorDetail is one entry of RequestErrors.
type RequestErrorDetail struct {
	// Kind is the list it came from: ChannelErrors, ServiceErrors,
	// ActionErrors, ParameterErrors or CustomParameterErrors.
	Kind         string
	Service      string
	Action       string
	Name         string
	Error        string
	ErrorMessage string
}

// String reads "ParameterErrors Capayable/PayInInstallments/BirthDate: …",
// with IBANs and secrets redacted (the message may quote the value sent).
func (d RequestErrorDetail) String() string {
	where := strings.Trim(strings.Join([]string{d.Service, d.Action, d.Name}, "/"), "/")
	msg := d.ErrorMessage
	if msg == "" {
		msg = d.Error
	}
	if where == "" {
		return redact.Text(d.Kind + ": " + msg)
	}
	return redact.Text(d.Kind + " " + where + ": " + msg)
}

// GoString keeps IBANs and secrets out of %#v, as String does.
func (d RequestErrorDetail) GoString() string { return redact.GoString(d) }

func (e *Error) message() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sHTTP %d: ", apiclient.Call{Provider: provider, Op: e.Op}.Prefix(), e.StatusCode)
	switch {
	case e.Transaction != nil:
		b.WriteString(e.Code.String())
		if e.SubCode != "" {
			b.WriteString(": " + e.SubCode)
		}
		if e.Message != "" && !strings.EqualFold(e.Message, statusNames[e.Code]) {
			b.WriteString(": " + e.Message)
		}
	case e.Message != "":
		b.WriteString(e.Message)
	default:
		b.WriteString(apiclient.Snippet(e.RawBody))
	}
	for _, d := range e.Details {
		b.WriteString("; " + d.String())
	}
	return b.String()
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
const provider = "buckaroo"

var _ betaalkit.APIError = (*Error)(nil)

// Provider, HTTPStatus, ProviderCode, ProviderMessage, ResponseBody and
// ProviderRequestID make *Error a betaalkit.APIError.
func (e *Error) Provider() string          { return provider }
func (e *Error) HTTPStatus() int           { return e.StatusCode }
func (e *Error) ProviderCode() string      { return e.code() }
func (e *Error) ProviderMessage() string   { return redact.Text(e.Message) }
func (e *Error) ResponseBody() []byte      { return e.RawBody }
func (e *Error) ProviderRequestID() string { return e.RequestID }

// Is makes every *Error match betaalkit.ErrAPI.
func (e *Error) Is(target error) bool { return target == betaalkit.ErrAPI }

// Refused reports a transaction Buckaroo refused in an HTTP 200 answer
// (491/492 or RequestErrors): it was not carried out, which is what
// checkout.NotCreated looks for.
func (e *Error) Refused() bool { return e.Transaction != nil }

// code is the refusal's subcode, else its status code ("" for a non-2xx answer).
func (e *Error) code() string {
	switch {
	case e.SubCode != "":
		return e.SubCode
	case e.Code != 0:
		return strconv.Itoa(int(e.Code))
	}
	return ""
}

func toError(r *apiclient.Response) error {
	e := &Error{Op: r.Call.Op, StatusCode: r.StatusCode, RawBody: r.Body, RequestID: r.RequestID}
	if env := apiclient.DecodeErrorBody[gen.ErrorResponse](r); env != nil {
		e.Message = env.Message
	}
	// A 400 may also list the offending fields the way a 491 does.
	if withErrors := apiclient.DecodeErrorBody[struct{ RequestErrors RequestErrors }](r); withErrors != nil {
		e.Details = requestErrorDetails(withErrors.RequestErrors)
	}
	return e
}

// refused reports a 200 answer that is a refusal rather than an outcome.
func refused(tx *Transaction) bool {
	s := StatusCodeOf(tx)
	return s == StatusValidationFailure || s == StatusTechnicalError || len(requestErrorDetails(tx.RequestErrors)) > 0
}

func refusal(r *apiclient.Response, tx *Transaction) *Error {
	e := &Error{
		Op:          r.Call.Op,
		StatusCode:  r.StatusCode,
		Code:        StatusCodeOf(tx),
		SubCode:     SubCodeOf(tx),
		Message:     tx.Status.Code.Description,
		Details:     requestErrorDetails(tx.RequestErrors),
		Transaction: tx,
		RawBody:     r.Body,
		RequestID:   r.RequestID,
	}
	if d := tx.Status.SubCode.Description; d != "" {
		e.Message = d
	}
	return e
}

func requestErrorDetails(re RequestErrors) []RequestErrorDetail {
	var out []RequestErrorDetail
	for _, l := range []struct {
		kind string
		list []RequestError
	}{
		{"ChannelErrors", re.ChannelErrors},
		{"ServiceErrors", re.ServiceErrors},
		{"ActionErrors", re.ActionErrors},
		{"ParameterErrors", re.ParameterErrors},
		{"CustomParameterErrors", re.CustomParameterErrors},
	} {
		for _, e := range l.list {
			out = append(out, RequestErrorDetail{
				Kind: l.kind, Service: e.Service, Action: e.Action,
				Name: e.Name, Error: e.Error, ErrorMessage: e.ErrorMessage,
			})
		}
	}
	return out
}
