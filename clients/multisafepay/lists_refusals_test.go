package multisafepay_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
)

// The refusals TestListCallsNameTheCallAndRefuseBadInput leaves out: each
// names its field and its call, nothing is sent, and the iterators stop
// at the same refusal.
func TestListCallsRefuseEveryBadArgument(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":[]}`))
	c := rec.client(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, op, field string
		call            func() error
	}{
		{"get payment method, a dot-segment id", "get payment method", "payment_method_id", func() error {
			_, err := c.GetPaymentMethod(ctx, "..", "")
			return err
		}},
		{"list tokens, negative limit", "list tokens", "limit", func() error {
			_, err := c.ListTokens(ctx, "c1", multisafepay.TokenListParams{Limit: -1})
			return err
		}},
		{"get token, no reference", "get token", "reference", func() error { _, err := c.GetToken(ctx, "", "t1"); return err }},
		{"get token, no token", "get token", "token", func() error { _, err := c.GetToken(ctx, "c1", ""); return err }},
		{"get token, a dot-segment token", "get token", "token", func() error { _, err := c.GetToken(ctx, "c1", "."); return err }},
		{"delete token, no reference", "delete token", "reference", func() error { return c.DeleteToken(ctx, "", "t1") }},
		{"list transactions, 1001 a page", "list transactions", "limit", func() error {
			_, err := c.ListTransactions(ctx, multisafepay.TransactionFilter{Limit: 1001})
			return err
		}},
		{"list transactions, unknown financial status", "list transactions", "financial_status", func() error {
			_, err := c.ListTransactions(ctx, multisafepay.TransactionFilter{FinancialStatus: "paid"})
			return err
		}},
		{"list transactions, unknown type", "list transactions", "type", func() error {
			_, err := c.ListTransactions(ctx, multisafepay.TransactionFilter{Type: "gift"})
			return err
		}},
		{"transactions iterator", "list transactions", "status", func() error {
			for _, err := range c.Transactions(ctx, multisafepay.TransactionFilter{Status: "paid"}) {
				return err
			}
			return errors.New("the iterator yielded nothing")
		}},
		{"tokens iterator", "list tokens", "reference", func() error {
			for _, err := range c.Tokens(ctx, "", multisafepay.TokenListParams{}) {
				return err
			}
			return errors.New("the iterator yielded nothing")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ferr *betaalkit.FieldError
			require.True(t, errors.As(err, &ferr), "%v", err)
			assert.Equal(t, tc.field, ferr.Field)
			assert.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
			assert.ErrorContains(t, err, "multisafepay: "+tc.op+": ")
		})
	}
	assert.Zero(t, rec.hits.Load(), "nothing invalid is sent")
}
