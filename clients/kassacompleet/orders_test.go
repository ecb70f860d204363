package kassacompleet_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/kassacompleet"
)

// The calls past the document name themselves in their errors, as the
// others do.
func TestOrderCallsNameThemselves(t *testing.T) {
	notFound := `{"error":{"status":404,"type":"NotFound","value":"order not found"}}`
	rec := newRecorder(t, http.StatusNotFound, "application/json", []byte(notFound))
	c := rec.client(t)
	ctx := context.Background()
	_, err := c.CreateRefund(ctx, "o1", kassacompleet.RefundCreate{Amount: 100})
	assert.EqualError(t, err, "kassacompleet: create refund: HTTP 404: NotFound: order not found")
	err = c.Capture(ctx, "o1", "t1")
	assert.EqualError(t, err, "kassacompleet: capture: HTTP 404: NotFound: order not found")
	_, err = c.UpdateOrder(ctx, "o1", kassacompleet.OrderUpdate{Description: "new"})
	assert.EqualError(t, err, "kassacompleet: update order: HTTP 404: NotFound: order not found")
	_, err = c.CancelOrder(ctx, "o1")
	assert.EqualError(t, err, "kassacompleet: cancel order: HTTP 404: NotFound: order not found")
	var kerr *kassacompleet.Error
	require.True(t, errors.As(err, &kerr))
	assert.Equal(t, "cancel order", kerr.Operation())
}

// A refund, an update's lines and every id are checked before anything is
// sent; the error names the field as it goes on the wire.
func TestOrderCallsAreCheckedBeforeSending(t *testing.T) {
	rec := newRecorder(t, http.StatusCreated, "application/json", []byte(`{}`))
	c := rec.client(t)
	ctx := context.Background()
	line := kassacompleet.OrderLine{Name: "Milk", Quantity: 1, Amount: 100}
	for _, tc := range []struct {
		name  string
		call  func() error
		field string
	}{
		{"refund without amount", func() error {
			_, err := c.CreateRefund(ctx, "o1", kassacompleet.RefundCreate{Description: "x"})
			return err
		}, "amount"},
		{"negative refund", func() error {
			_, err := c.CreateRefund(ctx, "o1", kassacompleet.RefundCreate{Amount: -5})
			return err
		}, "amount"},
		{"refund line without quantity", func() error {
			_, err := c.CreateRefund(ctx, "o1", kassacompleet.RefundCreate{Amount: 100, OrderLines: []kassacompleet.OrderLine{line, {Name: "Bread", Amount: 100}}})
			return err
		}, "order_lines[1].quantity"},
		{"update line without name", func() error {
			_, err := c.UpdateOrder(ctx, "o1", kassacompleet.OrderUpdate{OrderLines: []kassacompleet.OrderLine{{Quantity: 1}}})
			return err
		}, "order_lines[0].name"},
		{"order line without quantity", func() error {
			_, err := c.CreatePayment(ctx, kassacompleet.OrderCreate{Currency: "EUR", Amount: 100, OrderLines: []kassacompleet.OrderLine{{Name: "Milk"}}})
			return err
		}, "order_lines[0].quantity"},
		{"refund of no order", func() error {
			_, err := c.CreateRefund(ctx, "", kassacompleet.RefundCreate{Amount: 100})
			return err
		}, "order_id"},
		{"capture of a steering id", func() error { return c.Capture(ctx, "o1", "..") }, "transaction_id"},
		{"cancel of no order", func() error {
			_, err := c.CancelOrder(ctx, "")
			return err
		}, "order_id"},
		{"update of a steering id", func() error {
			_, err := c.UpdateOrder(ctx, "..", kassacompleet.OrderUpdate{})
			return err
		}, "order_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ferr *betaalkit.FieldError
			require.True(t, errors.As(err, &ferr), "got %v", err)
			assert.Equal(t, tc.field, ferr.Field)
			assert.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
			assert.Zero(t, rec.hits.Load(), "nothing may be sent")
		})
	}
}

// Ginger's SDKs read no answer to a capture: any success status will do,
// with or without a body; an error is the typed error.
func TestCaptureReadsNoAnswer(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		ok     bool
	}{
		{http.StatusCreated, "", true},
		{http.StatusOK, `{"id":"t1","status":"captured"}`, true},
		{http.StatusNoContent, "", true},
		{http.StatusConflict, `{"error":{"status":409,"type":"Conflict","value":"transaction t1 is completed and cannot be captured"}}`, false},
	} {
		rec := newRecorder(t, tc.status, "application/json", []byte(tc.body))
		err := rec.client(t).Capture(context.Background(), "o1", "t1")
		assert.Equal(t, http.MethodPost, rec.method)
		assert.Equal(t, "/v1/orders/o1/transactions/t1/captures/", rec.requestURI)
		if tc.ok {
			assert.NoError(t, err, "HTTP %d", tc.status)
			continue
		}
		var kerr *kassacompleet.Error
		require.True(t, errors.As(err, &kerr), "got %v", err)
		assert.Equal(t, "Conflict", kerr.Type)
		assert.True(t, strings.HasPrefix(err.Error(), "kassacompleet: capture: HTTP 409: "), err.Error())
	}
}
