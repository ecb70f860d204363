package checkout_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/checkout"
	sbbuckaroo "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// Buckaroo may send the customer back with a POST of brq_* fields. A forged
// POST (status 190, a made-up signature) for an unpaid payment is not paid,
// and a forged POST naming another order's paid payment is refused.
func TestForgedBuckarooReturnPostIsNeverPaid(t *testing.T) {
	srv, _, c, err := sbbuckaroo.NewTestServer(sbbuckaroo.Config{})
	closeWith(t, srv, err)
	p := c.Checkout()
	ctx := context.Background()
	create := func(ref string) *checkout.Payment {
		created, err := p.Create(ctx, checkout.Request{Amount: 1250, Reference: ref, Description: "Order " + ref,
			Method: checkout.MethodIDEAL, Issuer: "INGBNL2A", ReturnURL: "https://shop.example/return"})
		require.NoError(t, err)
		return created
	}
	post := func(form url.Values) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "https://shop.example/return", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	forged := func(id string) url.Values {
		return url.Values{"brq_transactions": {id}, "brq_statuscode": {"190"}, "brq_statusmessage": {"Success"},
			"brq_amount": {"12.50"}, "brq_currency": {"EUR"}, "brq_signature": {strings.Repeat("0", 40)}}
	}

	unpaid := create("forged-post-1")
	got, err := checkout.Returned(ctx, p, post(forged(unpaid.ID)), checkout.Return{Reference: unpaid.Reference})
	require.NoError(t, err)
	assert.Equal(t, unpaid.ID, got.ID, "the id the form names is the one read")
	assert.False(t, got.Status.IsPaid(), "a forged 190 is not a payment: %s", got.Status)

	paid := create("forged-post-2")
	_, err = sim.PayAsCustomer(ctx, paid.PaymentURL, sim.Pay)
	require.NoError(t, err)
	_, err = checkout.Returned(ctx, p, post(forged(paid.ID)), checkout.Return{Reference: unpaid.Reference})
	assert.ErrorIs(t, err, checkout.ErrReturnMismatch, "another order's paid payment does not pay this order")
}
