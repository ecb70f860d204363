package opp_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

// Every status the spec lists maps to a known normalized status, as the
// doc table says; anything else is unknown, never paid.
func TestNormalizeStatusCoversTheSpec(t *testing.T) {
	doc, err := specs.Load("opp")
	require.NoError(t, err)
	enum := doc.Components.Schemas["TransactionStatus"].Value.Enum
	require.Len(t, enum, 9)
	want := map[string]betaalkit.Status{
		"created": betaalkit.StatusOpen, "pending": betaalkit.StatusPending,
		"reserved": betaalkit.StatusPaid, "completed": betaalkit.StatusPaid,
		"failed": betaalkit.StatusFailed, "cancelled": betaalkit.StatusCanceled,
		"expired": betaalkit.StatusExpired, "refunded": betaalkit.StatusRefunded,
		"chargeback": betaalkit.StatusChargedBack,
	}
	for _, v := range enum {
		raw := v.(string)
		got := opp.NormalizeStatus(raw)
		assert.Equal(t, want[raw], got, raw)
		assert.NotEqual(t, betaalkit.StatusUnknown, got, raw)
	}
	for _, raw := range []string{"", "Completed", "paid", "partially_refunded", "some-new-status"} {
		assert.Equal(t, betaalkit.StatusUnknown, opp.NormalizeStatus(raw), raw)
		assert.False(t, opp.NormalizeStatus(raw).IsPaid(), raw)
	}
}

func TestStatusURLAndAmountOfDocumentedTransactions(t *testing.T) {
	list, err := fixtures.Load("opp")
	require.NoError(t, err)
	want := map[string]struct {
		amount money.Cents
		url    string
	}{
		"transaction-create": {12129, "https://onlinebetaalplatform.nl/nl/betalen/?trx=tra_1a2b3c2cf578"},
		"transaction-get":    {10, "https://onlinebetaalplatform.nl/nl/merchant/betalen/?trx=tra_1a2b3c2cf578"},
	}
	for _, f := range list {
		w, ok := want[f.Base()]
		if !ok {
			continue
		}
		t.Run(f.Base(), func(t *testing.T) {
			tx, err := fixed(t, f.Response.Status, string(f.Response.BodyBytes())).client(t).GetPayment(context.Background(), "tra_1a2b3c2cf578")
			require.NoError(t, err)
			assert.Equal(t, betaalkit.PaymentStatus{Status: betaalkit.StatusOpen, Raw: "created"}, opp.StatusOf(tx))
			assert.Equal(t, w.url, opp.PaymentURL(tx))
			amount, err := opp.AmountOf(tx)
			require.NoError(t, err)
			assert.Equal(t, w.amount, amount)
		})
		delete(want, f.Base())
	}
	assert.Empty(t, want, "fixtures not found")

	assert.Equal(t, "", opp.PaymentURL(nil))
	assert.Equal(t, betaalkit.StatusUnknown, opp.StatusOf(nil).Status)
	_, err = opp.AmountOf(nil)
	assert.Error(t, err)
}

// Product lines are checked against total_price before anything is sent,
// and the error names both sums.
func TestTotalPriceMustAddUp(t *testing.T) {
	line := func(price money.Cents, quantity int) opp.ProductCreate {
		return opp.ProductCreate{Name: "WakeUp Light", Price: price, Quantity: quantity}
	}
	for _, tc := range []struct {
		name     string
		tx       opp.TransactionCreate
		field    string // "" when accepted
		contains []string
	}{
		{"document's example", opp.TransactionCreate{Products: []opp.ProductCreate{line(10779, 1)}, ShippingCosts: ptr(money.Cents(675)), TotalPrice: 11454}, "", nil},
		{"quantity, shipping and discount", opp.TransactionCreate{Products: []opp.ProductCreate{line(500, 3), line(250, 2)}, ShippingCosts: ptr(money.Cents(495)), Discount: 1000, TotalPrice: 1495}, "", nil},
		{"free shipping sent as 0", opp.TransactionCreate{Products: []opp.ProductCreate{line(999, 1)}, ShippingCosts: ptr(money.Cents(0)), TotalPrice: 999}, "", nil},
		{"account's shipping on top", opp.TransactionCreate{Products: []opp.ProductCreate{line(999, 1)}, TotalPrice: 1694}, "", nil},
		{"per-product totals as in the metadata example", opp.TransactionCreate{Products: []opp.ProductCreate{{Name: "x", Price: 10779, Quantity: 1, ShippingCosts: 675, TotalPrice: 11454}}, ShippingCosts: ptr(money.Cents(0)), TotalPrice: 11454}, "", nil},
		{"the issue's 999 against 100", opp.TransactionCreate{Products: []opp.ProductCreate{line(999, 1)}, TotalPrice: 100}, "total_price", []string{"100 cents", "999 cents"}},
		{"shipping not counted", opp.TransactionCreate{Products: []opp.ProductCreate{line(10779, 1)}, ShippingCosts: ptr(money.Cents(675)), TotalPrice: 10779}, "total_price", []string{"10779 cents", "11454 cents"}},
		{"free shipping but total higher", opp.TransactionCreate{Products: []opp.ProductCreate{line(999, 1)}, ShippingCosts: ptr(money.Cents(0)), TotalPrice: 1694}, "total_price", []string{"1694 cents", "999 cents"}},
		{"quantity ignored", opp.TransactionCreate{Products: []opp.ProductCreate{line(500, 3)}, ShippingCosts: ptr(money.Cents(0)), TotalPrice: 500}, "total_price", []string{"500 cents", "1500 cents"}},
		{"discount ignored", opp.TransactionCreate{Products: []opp.ProductCreate{line(500, 1)}, Discount: 100, ShippingCosts: ptr(money.Cents(0)), TotalPrice: 500}, "total_price", []string{"500 cents", "400 cents"}},
		{"product total wrong", opp.TransactionCreate{Products: []opp.ProductCreate{{Name: "x", Price: 10779, Quantity: 1, ShippingCosts: 675, TotalPrice: 10779}}, TotalPrice: 11454}, "products[0].total_price", []string{"10779 cents", "11454 cents"}},
		{"overflowing line", opp.TransactionCreate{Products: []opp.ProductCreate{line(1<<40, 1<<30)}, TotalPrice: 1}, "products[0]", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fixed(t, http.StatusOK, `{"uid":"tra_1","object":"transaction"}`)
			tc.tx.ReturnURL = "https://shop.example/return/"
			_, err := s.client(t).CreatePayment(context.Background(), tc.tx)
			if tc.field == "" {
				require.NoError(t, err)
				assert.EqualValues(t, 1, s.hits.Load())
				return
			}
			var ferr *betaalkit.FieldError
			require.True(t, errors.As(err, &ferr), "got %v", err)
			assert.Equal(t, tc.field, ferr.Field)
			for _, c := range tc.contains {
				assert.Contains(t, ferr.Reason, c)
			}
			assert.Zero(t, s.hits.Load(), "nothing may be sent")
		})
	}
}
