package specs_test

import (
	"net/http"

	"github.com/betaalkit/betaalkit/gen/kassacompleet"
)

func init() {
	register("kassacompleet", decoders{
		responses: map[string]func(*http.Response) (any, error){
			"listIdealIssuers": func(r *http.Response) (any, error) { return kassacompleet.ParseListIdealIssuersResponse(r) },
			"createOrder":      func(r *http.Response) (any, error) { return kassacompleet.ParseCreateOrderResponse(r) },
			"getOrder":         func(r *http.Response) (any, error) { return kassacompleet.ParseGetOrderResponse(r) },
		},
		schemas: map[string]func([]byte) error{
			"WebhookEvent":  decodeInto[kassacompleet.WebhookEvent],
			"ErrorResponse": decodeInto[kassacompleet.ErrorResponse],
		},
	})
}
