package betaalkit

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
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
	// ErrAPI: the provider answered with an error (an APIError).
	ErrAPI = errors.New("provider returned an error")
	// ErrDecode: the provider's answer does not fit the expected shape
	// (a *DecodeError keeps the raw body).
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
	return fmt.Sprintf("%s: %s %s", e.Provider, e.Setting, e.Reason)
}

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
	// ProviderMessage is the provider's description of the error ("" if none).
	ProviderMessage() string
	// ResponseBody is the answer's body exactly as received.
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

func (e *FieldError) Error() string { return fmt.Sprintf("invalid request: %s: %s", e.Field, e.Reason) }

func (e *FieldError) Unwrap() error { return ErrInvalidRequest }

// DecodeError reports an answer whose body does not fit the expected type.
// The raw body is kept so nothing the provider said is lost. It matches
// ErrDecode.
type DecodeError struct {
	StatusCode int
	RawBody    []byte
	Err        error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("decode HTTP %d response: %v (body: %s)", e.StatusCode, e.Err, Snippet(e.RawBody))
}

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
		return fmt.Sprintf("%v (after %d attempts)", e.Err, e.Attempts)
	}
	return e.Err.Error()
}

func (e *TransportError) Unwrap() error { return e.Err }

func (e *TransportError) Is(target error) bool { return target == ErrTransport }

// Snippet shortens a body for an error message; the full body stays on the
// error that quotes it.
func Snippet(body []byte) string {
	const limit = 200
	s := strings.TrimSpace(string(body))
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
