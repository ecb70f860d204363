package buckaroo_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
)

// GetSpecification, GetRefundInfo and PayIdeal refuse a bad argument
// before sending, naming the field as on the wire and the call.
func TestInfoCallsNameTheRefusedField(t *testing.T) {
	f := newFake(t, jsonAnswer(http.StatusOK, []byte(`{}`)))
	c := f.client(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, op, field string
		call            func() error
	}{
		{"specification of no service", "get specification", "service", func() error {
			_, err := c.GetSpecification(ctx, "", buckaroo.SpecificationParams{})
			return err
		}},
		{"specification of a dot-segment service", "get specification", "service", func() error {
			_, err := c.GetSpecification(ctx, "..", buckaroo.SpecificationParams{})
			return err
		}},
		{"specification, negative version", "get specification", "serviceVersion", func() error {
			_, err := c.GetSpecification(ctx, "ideal", buckaroo.SpecificationParams{Version: -1})
			return err
		}},
		{"refund info of no transaction", "get refund info", "transactionKey", func() error {
			_, err := c.GetRefundInfo(ctx, "")
			return err
		}},
		{"refund info of a dot-segment key", "get refund info", "transactionKey", func() error {
			_, err := c.GetRefundInfo(ctx, ".")
			return err
		}},
		{"refund info, a control character", "get refund info", "transactionKey", func() error {
			_, err := c.GetRefundInfo(ctx, "ABC\n")
			return err
		}},
		{"iDEAL without an amount", "create payment", "AmountDebit", func() error {
			_, err := c.PayIdeal(ctx, buckaroo.IdealPayment{Invoice: "inv-1"})
			return err
		}},
		{"iDEAL without an invoice", "create payment", "Invoice", func() error {
			_, err := c.PayIdeal(ctx, buckaroo.IdealPayment{Amount: 100})
			return err
		}},
		{"iDEAL in dollars", "create payment", "Currency", func() error {
			_, err := c.PayIdeal(ctx, buckaroo.IdealPayment{Amount: 100, Invoice: "inv-1", Currency: "USD"})
			return err
		}},
		{"iDEAL from no IP address", "create payment", "ClientIP.Address", func() error {
			_, err := c.PayIdeal(ctx, buckaroo.IdealPayment{Amount: 100, Invoice: "inv-1", ClientIP: "localhost"})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ferr *betaalkit.FieldError
			require.True(t, errors.As(err, &ferr), "%v", err)
			assert.Equal(t, tc.field, ferr.Field)
			assert.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
			assert.ErrorContains(t, err, "buckaroo: "+tc.op+": ")
		})
	}
	assert.Empty(t, f.all(), "nothing was sent")
}
