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
)

// Every merchant and bank account call refuses a bad argument before
// sending, with a *betaalkit.FieldError naming the field as on the wire and
// the call in the message; the iterators stop at the same refusal.
func TestMerchantCallsNameTheRefusedField(t *testing.T) {
	s := fixed(t, http.StatusOK, `{"uid":"mer_1","object":"merchant"}`)
	c := s.client(t)
	ctx := context.Background()
	firstErr := func(seq func(func(opp.BankAccount, error) bool)) error {
		for _, err := range seq {
			return err
		}
		return errors.New("the iterator yielded nothing")
	}
	for _, tc := range []struct {
		name, op, field string
		call            func() error
	}{
		{"get merchant, empty uid", "get merchant", "uid", func() error { _, err := c.GetMerchant(ctx, ""); return err }},
		{"get merchant, a path in the uid", "get merchant", "uid", func() error { _, err := c.GetMerchant(ctx, "../transactions"); return err }},
		{"list merchants, page -1", "list merchants", "page", func() error { _, err := c.ListMerchants(ctx, opp.ListParams{Page: -1}); return err }},
		{"list merchants, 101 per page", "list merchants", "perpage", func() error {
			_, err := c.ListMerchants(ctx, opp.ListParams{PerPage: 101})
			return err
		}},
		{"update merchant, status live", "update merchant", "status", func() error {
			_, err := c.UpdateMerchant(ctx, "mer_1", opp.MerchantUpdate{Status: "live"})
			return err
		}},
		{"update merchant, a path in the uid", "update merchant", "uid", func() error {
			_, err := c.UpdateMerchant(ctx, "../transactions", opp.MerchantUpdate{})
			return err
		}},
		{"create bank account, no merchant", "create bank account", "merchant_uid", func() error {
			_, err := c.CreateBankAccount(ctx, "", opp.BankAccountCreate{ReturnURL: "https://shop.example/r"})
			return err
		}},
		{"create bank account, no return_url", "create bank account", "return_url", func() error {
			_, err := c.CreateBankAccount(ctx, "mer_1", opp.BankAccountCreate{})
			return err
		}},
		{"list bank accounts, no merchant", "list bank accounts", "merchant_uid", func() error {
			_, err := c.ListBankAccounts(ctx, "", opp.ListParams{})
			return err
		}},
		{"list bank accounts, page -1", "list bank accounts", "page", func() error {
			_, err := c.ListBankAccounts(ctx, "mer_1", opp.ListParams{Page: -1})
			return err
		}},
		{"get bank account, a slash in its uid", "get bank account", "bank_account_uid", func() error {
			_, err := c.GetBankAccount(ctx, "mer_1", "bnk/1")
			return err
		}},
		{"get bank account, no merchant", "get bank account", "merchant_uid", func() error {
			_, err := c.GetBankAccount(ctx, "", "bnk_1")
			return err
		}},
		{"bank accounts iterator, no merchant", "list bank accounts", "merchant_uid", func() error {
			return firstErr(c.BankAccounts(ctx, "", opp.ListParams{}))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ferr *betaalkit.FieldError
			require.True(t, errors.As(err, &ferr), "%v", err)
			assert.Equal(t, tc.field, ferr.Field)
			assert.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
			assert.ErrorContains(t, err, "opp: "+tc.op+": ")
		})
	}
	assert.Zero(t, s.hits.Load(), "nothing was sent")
}
