package multisafepay

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/multisafepay"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/internal/redact"
)

// ErrorCode is MultiSafepay's numeric error_code.
type ErrorCode int

// Error codes callers commonly branch on (MultiSafepay's error reference).
// The set is open: any other code still arrives in Error.Code.
const (
	CodeUnknown                 ErrorCode = 1000
	CodeInvalidAmount           ErrorCode = 1001
	CodeInvalidCurrency         ErrorCode = 1002
	CodeInvalidAccountID        ErrorCode = 1003
	CodeInvalidOrderID          ErrorCode = 1006 // invalid, unknown or already used order id
	CodeInvalidIPAddress        ErrorCode = 1007
	CodeInvalidDescription      ErrorCode = 1008
	CodeInvalidVariable         ErrorCode = 1010
	CodeUnspecified             ErrorCode = 1014
	CodeMissingData             ErrorCode = 1016
	CodeInsufficientFunds       ErrorCode = 1017
	CodeInvalidCountry          ErrorCode = 1018
	CodeSiteInactive            ErrorCode = 1019
	CodeAccountBlocked          ErrorCode = 1020
	CodeCannotCreateTransaction ErrorCode = 1021
	CodeCannotInitiate          ErrorCode = 1022 // e.g. the iDEAL transaction already exists
	CodeGatewayUnavailable      ErrorCode = 1023
	CodeTransactionDeclined     ErrorCode = 1024
	CodeMultipleCartCurrencies  ErrorCode = 1025
	CodeCartCurrencyMismatch    ErrorCode = 1026
	CodeCartAmountMismatch      ErrorCode = 1027
	CodeIncorrectCustomTaxRate  ErrorCode = 1028
	CodeIncorrectItemTaxRate    ErrorCode = 1029
	CodeIncorrectItemCurrency   ErrorCode = 1030
	CodeIncorrectItemPrice      ErrorCode = 1031
	CodeInvalidAPIKey           ErrorCode = 1032
	CodeRefundInformationError  ErrorCode = 1033
	CodeCannotRefund            ErrorCode = 1034
	CodeInvalidIdealIssuer      ErrorCode = 1036
	CodeCartNotValidated        ErrorCode = 5001
	CodeUnknownError            ErrorCode = 9999
)

// Error is an answer from MultiSafepay other than success: the HTTP status,
// the error envelope's error_code and error_info when there is one, and the
// raw body always (an HTML 502 from a proxy included).
type Error struct {
	// Op is the call that got the answer, in the clients' common words
	// ("create payment", "get payment", "create refund", …).
	Op         string
	StatusCode int
	Code       ErrorCode // 0 when the body had no error envelope
	Info       string
	RawBody    []byte
	// RequestID identifies the exchange for the provider's support ("" if none).
	RequestID string
}

// message reads "multisafepay: get payment: HTTP 404: 1006: Invalid
// transaction ID", or ends with a snippet of the body when it had no error
// envelope.
func (e *Error) message() string {
	call := apiclient.Call{Provider: provider, Op: e.Op}
	if e.Code != 0 || e.Info != "" {
		return fmt.Sprintf("%sHTTP %d: %d: %s", call.Prefix(), e.StatusCode, e.Code, e.Info)
	}
	return fmt.Sprintf("%sHTTP %d: %s", call.Prefix(), e.StatusCode, apiclient.Snippet(e.RawBody))
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

// Operation is the call that got the answer, e.g. "create payment".
func (e *Error) Operation() string { return e.Op }

// HasCode reports whether err is (or wraps) an *Error with the given code.
func HasCode(err error, code ErrorCode) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// provider names this client in errors and logs.
const provider = "multisafepay"

var _ betaalkit.APIError = (*Error)(nil)

// Provider, HTTPStatus, ProviderCode, ProviderMessage, ResponseBody and
// ProviderRequestID make *Error a betaalkit.APIError.
func (e *Error) Provider() string          { return provider }
func (e *Error) HTTPStatus() int           { return e.StatusCode }
func (e *Error) ProviderCode() string      { return e.code() }
func (e *Error) ProviderMessage() string   { return redact.Text(e.Info) }
func (e *Error) ResponseBody() []byte      { return e.RawBody }
func (e *Error) ProviderRequestID() string { return e.RequestID }

// Is makes every *Error match betaalkit.ErrAPI.
func (e *Error) Is(target error) bool { return target == betaalkit.ErrAPI }

func (e *Error) code() string {
	if e.Code == 0 {
		return ""
	}
	return strconv.Itoa(int(e.Code))
}

func toError(r *apiclient.Response) error {
	e := &Error{Op: r.Call.Op, StatusCode: r.StatusCode, RawBody: r.Body, RequestID: r.RequestID}
	if env := apiclient.DecodeErrorBody[gen.ErrorEnvelope](r); env != nil {
		e.Code, e.Info = ErrorCode(env.ErrorCode), env.ErrorInfo
	}
	return e
}
