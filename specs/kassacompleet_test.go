package specs_test

import (
	"net/http"

	"github.com/betaalkit/betaalkit/gen/kassacompleet"
)

func init() {
	register("kassacompleet", decoders{
		responses: map[string]func(*http.Response) (any, error){
			"listIdealIssuers":   func(r *http.Response) (any, error) { return kassacompleet.ParseListIdealIssuersResponse(r) },
			"createOrder":        func(r *http.Response) (any, error) { return kassacompleet.ParseCreateOrderResponse(r) },
			"getOrder":           func(r *http.Response) (any, error) { return kassacompleet.ParseGetOrderResponse(r) },
			"updateOrder":        func(r *http.Response) (any, error) { return kassacompleet.ParseUpdateOrderResponse(r) },
			"cancelOrder":        func(r *http.Response) (any, error) { return kassacompleet.ParseCancelOrderResponse(r) },
			"createRefund":       func(r *http.Response) (any, error) { return kassacompleet.ParseCreateRefundResponse(r) },
			"captureTransaction": func(r *http.Response) (any, error) { return kassacompleet.ParseCaptureTransactionResponse(r) },
		},
		schemas: map[string]func([]byte) error{
			"WebhookEvent":  decodeInto[kassacompleet.WebhookEvent],
			"ErrorResponse": decodeInto[kassacompleet.ErrorResponse],
		},
		values: map[string]func() any{
			"WebhookEvent":  func() any { return new(kassacompleet.WebhookEvent) },
			"ErrorResponse": func() any { return new(kassacompleet.ErrorResponse) },
		},
	})
}
