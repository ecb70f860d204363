package specs_test

import (
	"net/http"

	"github.com/betaalkit/betaalkit/gen/ideal2"
)

func init() {
	register("ideal2", decoders{
		responses: map[string]func(*http.Response) (any, error){
			"createPayment":      func(r *http.Response) (any, error) { return ideal2.ParseCreatePaymentResponse(r) },
			"getPaymentStatus":   func(r *http.Response) (any, error) { return ideal2.ParseGetPaymentStatusResponse(r) },
			"requestAccessToken": func(r *http.Response) (any, error) { return ideal2.ParseRequestAccessTokenResponse(r) },
		},
		schemas: map[string]func([]byte) error{
			"PaymentStatusResponse": decodeInto[ideal2.PaymentStatusResponse],
			"ErrorResponse":         decodeInto[ideal2.ErrorResponse],
			"TokenErrorResponse":    decodeInto[ideal2.TokenErrorResponse],
			"TokenResponse":         decodeInto[ideal2.TokenResponse],
		},
		values: map[string]func() any{
			"PaymentStatusResponse": func() any { return new(ideal2.PaymentStatusResponse) },
			"ErrorResponse":         func() any { return new(ideal2.ErrorResponse) },
			"TokenErrorResponse":    func() any { return new(ideal2.TokenErrorResponse) },
			"TokenResponse":         func() any { return new(ideal2.TokenResponse) },
		},
	})
}
