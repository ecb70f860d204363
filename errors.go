package betaalkit

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/betaalkit/betaalkit/internal/redact"
)

// The kinds of failure every client reports. Test for them with errors.Is;
// get the details with errors.As (APIError, *FieldError, *DecodeError,
// *TransportError, *ConfigError, or a provider's own *Error).
var (
	// ErrInvalidRequest: the request was refused before it was sent
	// (a *FieldError names the field). Nothing reached the provider.
	ErrInvalidRequest = errors.New("invalid request")
	// ErrTransport: no complete answer arrived (connection refused or
	// reset, timeout, TLS failure, a body cut short). A POST that failed
	// this way may or may not have reached the provider.
	ErrTransport = errors.New("transport failure")
	// ErrAPI: the provider answered with an error (an APIError). A
	// redirect answer to a request that is not idempotent (a POST that
	// creates a payment or refund) is one too: it is not followed, since
	// that would send the request again; the APIError has the 3xx status
	// and the raw answer, and the message says the redirect was not
	// followed. (A GET follows a redirect on the same host.)
	ErrAPI = errors.New("provider returned an error")
	// ErrDecode: the provider's answer does not fit the expected shape,
	// is JSON null, or is not valid UTF-8 (a *DecodeError keeps the raw
	// body).
	ErrDecode = errors.New("response does not decode")
	// ErrVerification: a signature, digest, timestamp or nonce check
	// failed; the message must not be trusted.
	ErrVerification = errors.New("verification failed")
	// ErrConfig: a client could not be built from its credentials and
	// options (an empty key, a base URL that is not one). Nothing was sent.
	ErrConfig = errors.New("invalid client configuration")
)

// ConfigError names the constructor argument or option that is wrong; it
// matches ErrConfig.
type ConfigError struct {
	// Provider is the client's package name, e.g. "opp".
	Provider string
	// Setting is the argument or option, e.g. "apiKey" or "WithBaseURL".
	Setting string
	Reason  string
	// Err is the cause, if any (e.g. signing.ErrMissingCredentials).
	Err error
}

func (e *ConfigError) Error() string {
	return redact.Text(fmt.Sprintf("%s: %s %s", e.Provider, e.Setting, e.Reason))
}

// Format prints the error (a copy of it too) as its Error message for
// every verb, and %#v as GoString: no verb shows more than Error does.
func (e ConfigError) Format(f fmt.State, verb rune) { redact.FormatError(f, verb, e, (&e).Error()) }

// GoString keeps IBANs and secrets out of %#v, as Error does.
func (e ConfigError) GoString() string { return redact.GoString(e) }

func (e *ConfigError) Unwrap() error { return e.Err }

func (e *ConfigError) Is(target error) bool { return target == ErrConfig }

// APIError is what every provider's *Error has in common. The provider's
// own type has more (its error code's type, the refused transaction, …).
//
//	var apiErr betaalkit.APIError
//	if errors.As(err, &apiErr) && apiErr.HTTPStatus() == 401 { … }
type APIError interface {
	error
	// Provider is the client's package name, e.g. "multisafepay".
	Provider() string
	// HTTPStatus is the answer's HTTP status code.
	HTTPStatus() int
	// ProviderCode is the provider's own error code as text ("" if none).
	ProviderCode() string
	// ProviderMessage is the provider's description of the error ("" if
	// none), with IBANs and secrets redacted as in Error (see Redact); the
	// provider's exact words are in the raw body.
	ProviderMessage() string
	// ResponseBody is the answer's raw body exactly as received, IBANs
	// and all: the one way to the provider's exact answer (no Error,
	// ProviderMessage or %#v shows it).
	ResponseBody() []byte
	// ProviderRequestID identifies the exchange for the provider's support
	// ("" when the provider sends none).
	ProviderRequestID() string
}

// FieldError names the request field that is wrong; it matches
// ErrInvalidRequest.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string {
	return redact.Text(fmt.Sprintf("invalid request: %s: %s", e.Field, e.Reason))
}

// Format prints the error (a copy of it too) as its Error message for
// every verb, and %#v as GoString: no verb shows more than Error does.
func (e FieldError) Format(f fmt.State, verb rune) { redact.FormatError(f, verb, e, (&e).Error()) }

// GoString keeps IBANs and secrets out of %#v, as Error does.
func (e FieldError) GoString() string { return redact.GoString(e) }

func (e *FieldError) Unwrap() error { return ErrInvalidRequest }

// DecodeError reports an answer whose body does not fit the expected type.
// The raw body is kept so nothing the provider said is lost. It matches
// ErrDecode.
type DecodeError struct {
	StatusCode int
	// RawBody is the answer exactly as received, IBANs and all. Error
	// quotes its start redacted; %#v shows only its length.
	RawBody []byte
	Err     error
}

func (e *DecodeError) Error() string {
	return redact.Text(fmt.Sprintf("decode HTTP %d response: %v (body: %s)", e.StatusCode, e.Err, Snippet(e.RawBody)))
}

// Format prints the error (a copy of it too) as its Error message for
// every verb, and %#v as GoString: no verb shows more than Error does.
func (e DecodeError) Format(f fmt.State, verb rune) { redact.FormatError(f, verb, e, (&e).Error()) }

// GoString keeps IBANs and secrets out of %#v, as Error does, and shows the
// raw body by its length only.
func (e DecodeError) GoString() string { return redact.GoString(e) }

func (e *DecodeError) Unwrap() error { return e.Err }

func (e *DecodeError) Is(target error) bool { return target == ErrDecode }

// TransportError reports a request that got no complete answer. Err is the
// cause (a *url.Error, context.DeadlineExceeded, …); it matches ErrTransport.
type TransportError struct {
	// Attempts is how many times the request was sent (retries included).
	Attempts int
	Err      error
	// NotSent is true when no byte of the request can have reached the
	// provider: the connection could not be opened (refused, no such host,
	// dial timeout, TLS handshake failed). When false, a POST may or may
	// not have arrived.
	NotSent bool
}

func (e *TransportError) Error() string {
	if e.Attempts > 1 {
		return redact.Text(fmt.Sprintf("%v (after %d attempts)", e.Err, e.Attempts))
	}
	return redact.Text(e.Err.Error())
}

// Format prints the error (a copy of it too) as its Error message for
// every verb, and %#v as GoString: no verb shows more than Error does.
func (e TransportError) Format(f fmt.State, verb rune) { redact.FormatError(f, verb, e, (&e).Error()) }

// GoString keeps IBANs and secrets out of %#v, as Error does.
func (e TransportError) GoString() string { return redact.GoString(e) }

func (e *TransportError) Unwrap() error { return e.Err }

func (e *TransportError) Is(target error) bool { return target == ErrTransport }

// Snippet shortens a body for an error message, with IBANs and secrets
// redacted (see Redact); the full body stays on the error that quotes it.
func Snippet(body []byte) string {
	const limit = 200
	// Redact more than is quoted, so an IBAN across the cut goes whole.
	const margin = 256
	if len(body) > limit+margin {
		body = body[:limit+margin]
	}
	s := strings.TrimSpace(redact.Text(string(body)))
	if s == "" {
		return "(empty)"
	}
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut-- // never split a character
		}
		return s[:cut] + "…"
	}
	return s
}
