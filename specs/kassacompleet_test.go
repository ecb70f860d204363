package specs_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/gen/kassacompleet"
	"github.com/betaalkit/betaalkit/specs"
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

// Every component schema, property and parameter of the Kassa Compleet
// spec says what it is, so the generated models document every field.
func TestKassaCompleetSpecIsDescribed(t *testing.T) {
	doc, err := specs.Load("kassacompleet")
	require.NoError(t, err)
	for name, ref := range doc.Components.Schemas {
		assert.NotEmpty(t, strings.TrimSpace(ref.Value.Description), "schema %s has no description", name)
		for prop, p := range ref.Value.Properties {
			// A $ref property carries its own description through allOf.
			assert.Empty(t, p.Ref, "%s.%s: a bare $ref takes the shared schema's description; wrap it in allOf", name, prop)
			assert.NotEmpty(t, strings.TrimSpace(p.Value.Description), "%s.%s has no description", name, prop)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, p := range op.Parameters {
				assert.NotEmpty(t, p.Value.Description, "%s %s parameter %s has no description", method, path, p.Value.Name)
			}
		}
	}
}
