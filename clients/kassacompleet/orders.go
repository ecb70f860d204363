package kassacompleet

import (
	"context"
	"fmt"
	"net/http"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient"
)

// Order flags (Order.Flags), an open set: Ginger marks orders with them
// instead of giving them statuses of their own.
const (
	// FlagIsTest marks an order made with a test key.
	FlagIsTest = "is-test"
	// FlagHasRefunds marks an order refunded in part or in full; its status
	// stays completed.
	FlagHasRefunds = "has-refunds"
	// FlagIsRefund marks a refund, an order of its own whose
	// RefundOfOrderID names the order it refunds.
	FlagIsRefund = "is-refund"
	// FlagHasCaptures marks an order whose accepted transaction was captured.
	FlagHasCaptures = "has-captures"
)

// CreateRefund refunds an order in full or in part (POST
// /v1/orders/{id}/refunds/): Amount in cents and a Description, and for a
// method that refunds by line (Klarna, AfterPay) the OrderLines refunded.
//
// Ginger answers with the refund, which is an order of its own: its
// RefundOfOrderID names the refunded order, its Flags hold FlagIsRefund,
// and its status is completed once the refund went through. The refunded
// order keeps its status (completed: StatusOf stays paid) and gains
// FlagHasRefunds. The refund is checked before it is sent: a mistake is a
// *betaalkit.FieldError.
func (c *Client) CreateRefund(ctx context.Context, orderID string, refund RefundCreate) (*Order, error) {
	call := apiclient.Call{Provider: provider, Op: "create refund"}
	if err := apiclient.CheckPathID("order_id", orderID); err != nil {
		return nil, call.Wrap(err)
	}
	if err := validateRefund(refund); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.CreateRefund(ctx, orderID, refund))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[Order](r, toError, http.StatusCreated, http.StatusOK)
}

// Capture captures the amount an accepted (authorized) transaction
// reserved (POST /v1/orders/{id}/transactions/{transaction_id}/captures/):
// Klarna, AfterPay and other methods that authorize first, when the
// transaction's IsCapturable says so. Ginger answers without the order:
// GetPayment shows the transaction captured and the order's flags with
// FlagHasCaptures.
func (c *Client) Capture(ctx context.Context, orderID, transactionID string) error {
	call := apiclient.Call{Provider: provider, Op: "capture"}
	if err := apiclient.CheckPathID("order_id", orderID); err != nil {
		return call.Wrap(err)
	}
	if err := apiclient.CheckPathID("transaction_id", transactionID); err != nil {
		return call.Wrap(err)
	}
	r, err := call.Read(c.api.CaptureTransaction(ctx, orderID, transactionID))
	if err != nil {
		return err
	}
	switch {
	case r.Redirect != "":
	case r.StatusCode == http.StatusCreated, r.StatusCode == http.StatusOK, r.StatusCode == http.StatusNoContent:
		return nil
	}
	_, err = apiclient.Expect[struct{}](r, toError)
	return err
}

// UpdateOrder changes an order's changeable fields (PUT /v1/orders/{id}/):
// the fields set in update, which Ginger's SDK sends alone (description,
// merchant_order_id, return_url, webhook_url, expiration_period, customer,
// order_lines); the others keep their value. Amount, currency and status
// do not change this way (CancelOrder cancels). It returns the order as it
// now is.
func (c *Client) UpdateOrder(ctx context.Context, orderID string, update OrderUpdate) (*Order, error) {
	call := apiclient.Call{Provider: provider, Op: "update order"}
	if err := apiclient.CheckPathID("order_id", orderID); err != nil {
		return nil, call.Wrap(err)
	}
	if err := validateLines(update.OrderLines); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.UpdateOrder(ctx, orderID, update))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[Order](r, toError, http.StatusOK)
}

// CancelOrder cancels an order that is not final yet, and its open
// transactions (DELETE /v1/orders/{id}/); it returns the order, status
// cancelled. Kassa Compleet refuses to cancel a completed, expired or
// failed order: refund a completed one instead.
func (c *Client) CancelOrder(ctx context.Context, orderID string) (*Order, error) {
	call := apiclient.Call{Provider: provider, Op: "cancel order"}
	if err := apiclient.CheckPathID("order_id", orderID); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.CancelOrder(ctx, orderID))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[Order](r, toError, http.StatusOK)
}

func validateRefund(r RefundCreate) error {
	if err := apiclient.CheckAmount("amount", r.Amount); err != nil {
		return err
	}
	return validateLines(r.OrderLines)
}

func validateLines(lines []OrderLine) error {
	for i, l := range lines {
		field := fmt.Sprintf("order_lines[%d]", i)
		if l.Name == "" {
			return &betaalkit.FieldError{Field: field + ".name", Reason: "an order line names what it is"}
		}
		if l.Quantity < 1 {
			return &betaalkit.FieldError{Field: field + ".quantity", Reason: fmt.Sprintf("%d is not a quantity of at least 1", l.Quantity)}
		}
	}
	return nil
}
