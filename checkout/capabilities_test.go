package checkout_test

import (
	"context"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/checkout"
)

var allMethods = []checkout.Method{checkout.MethodIDEAL, checkout.MethodCreditCard, checkout.MethodBankTransfer,
	checkout.MethodIn3, checkout.MethodPayPal, checkout.MethodBancontact, checkout.MethodSEPA}

// Capabilities are true to each provider: every method a provider lists
// starts a payment on its sandbox, and every other method is refused with
// ErrNotSupported before anything is sent.
func TestCapabilitiesAreTrue(t *testing.T) {
	require.Len(t, suite, 5)
	for _, tc := range suite {
		t.Run(tc.name, func(t *testing.T) {
			var sent atomic.Int64
			p := tc.start(t, &http.Client{Transport: counting{&sent}})
			caps := p.Capabilities()
			require.NotEmpty(t, caps.Methods)
			require.NotEmpty(t, caps.Currencies)
			ctx := context.Background()
			for _, m := range allMethods {
				req := checkout.Request{Amount: 1000, Reference: "caps-" + tc.name + "-" + string(m), Description: "Order caps",
					Method: m, ReturnURL: "https://shop.example/return", WebhookURL: "https://shop.example/webhook"}
				if m == checkout.MethodIDEAL {
					req.Issuer = "INGBNL2A"
				}
				if m == checkout.MethodIn3 {
					req.Customer = &checkout.Customer{FirstName: "J.", LastName: "de Tester", Initials: "J.", Email: "j@example.com",
						Phone: "0612345678", BirthDate: "1990-01-01", IP: "192.0.2.1",
						Address: checkout.Address{Street: "Hoofdstraat", HouseNumber: "9", PostalCode: "1234AB", City: "Amsterdam", Country: "NL"}}
					req.Lines = []checkout.Line{{Code: "1", Name: "Shirt", Quantity: 1, UnitPrice: 1000}}
				}
				before := sent.Load()
				created, err := p.Create(ctx, req)
				if slices.Contains(caps.Methods, m) {
					if !assert.NoError(t, err, "%s is listed", m) {
						continue
					}
					assert.NotEmpty(t, created.ID, m)
					if m != checkout.MethodBankTransfer { // the customer transfers; there is no page
						assert.NotEmpty(t, created.PaymentURL, "%s: where to send the customer", m)
					}
					assert.Greater(t, sent.Load(), before, m)
					continue
				}
				assert.ErrorIs(t, err, checkout.ErrNotSupported, "%s is not listed", m)
				assert.ErrorIs(t, err, betaalkit.ErrInvalidRequest, m)
				assert.Equal(t, before, sent.Load(), "%s: refused before sending", m)
			}
		})
	}
}
