package checkout

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/betaalkit/betaalkit"
)

// ErrNotSupported matches an *UnsupportedError.
var ErrNotSupported = errors.New("checkout: not supported by the provider")

// ErrNotFound: FindByReference found no payment with that reference.
var ErrNotFound = errors.New("checkout: no payment with that reference")

// ErrAmbiguous matches an *AmbiguousError.
var ErrAmbiguous = errors.New("checkout: the payment may or may not have been created")

// UnsupportedError says a provider cannot do what was asked; nothing was
// sent. It matches ErrNotSupported and betaalkit.ErrInvalidRequest.
type UnsupportedError struct {
	Provider string
	// What names the operation or value, e.g. "refunds" or `method "in3"`.
	What string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("checkout: %s: %s not supported", e.Provider, e.What)
}

func (e *UnsupportedError) Is(target error) bool {
	return target == ErrNotSupported || target == betaalkit.ErrInvalidRequest
}

// AmbiguousError: creating the payment failed in a way that does not tell
// whether the provider created it, and looking it up by reference did not
// settle it. The Router did not try another provider. Resolve it later
// with FindByReference (or the provider's dashboard) before asking the
// customer to pay again.
type AmbiguousError struct {
	Provider  string
	Reference string
	// Err is the create call's failure.
	Err error
	// Lookup is why the lookup by reference did not settle it: an
	// *UnsupportedError, ErrNotFound, or the lookup's own failure.
	Lookup error
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("checkout: %s: payment %q may exist: %v (lookup: %v)", e.Provider, e.Reference, e.Err, e.Lookup)
}

func (e *AmbiguousError) Unwrap() []error { return []error{ErrAmbiguous, e.Err} }

// NotCreated reports whether err proves that a create call made no
// payment: it was refused before sending, the connection could not be
// opened, or the provider's answer refused it (HTTP 4xx). Any other failure
// (timeout, dropped connection, 5xx, an answer that does not decode) may
// have created one.
func NotCreated(err error) bool {
	if err == nil {
		return false
	}
	var te *betaalkit.TransportError
	var api betaalkit.APIError
	switch {
	case errors.Is(err, betaalkit.ErrInvalidRequest), errors.Is(err, betaalkit.ErrConfig):
		return true
	case errors.As(err, &te):
		return te.NotSent
	case errors.As(err, &api):
		return api.HTTPStatus() >= 400 && api.HTTPStatus() < 500 || refusedWithSuccessStatus(api)
	}
	return false
}

// refusedWithSuccessStatus: Buckaroo answers a refused transaction request
// with HTTP 200 and its own refusal status; such an *Error comes back with
// the HTTP status it arrived with. A provider error that says it refused
// the request implements Refused.
func refusedWithSuccessStatus(api betaalkit.APIError) bool {
	r, ok := api.(interface{ Refused() bool })
	return ok && r.Refused() && api.HTTPStatus() == http.StatusOK
}

// Unsupported gives an adapter the operations its provider lacks: embed it
// and Refund and FindByReference answer an *UnsupportedError without
// sending anything. Set the ones the provider has on the adapter itself.
type Unsupported struct{ Provider string }

// Refund refuses: the provider has no refunds.
func (u Unsupported) Refund(context.Context, RefundRequest) (*Refund, error) {
	return nil, &UnsupportedError{Provider: u.Provider, What: "refunds"}
}

// FindByReference refuses: the provider cannot search by reference.
func (u Unsupported) FindByReference(context.Context, string) (*Payment, error) {
	return nil, &UnsupportedError{Provider: u.Provider, What: "finding a payment by reference"}
}
