package multisafepay

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strings"

	client "github.com/betaalkit/betaalkit/clients/multisafepay"
	gen "github.com/betaalkit/betaalkit/gen/multisafepay"
	"github.com/betaalkit/betaalkit/money"
)

func (s *Server) createRefund(w http.ResponseWriter, r *http.Request) {
	var in refundIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, client.CodeUnknown, "body: "+err.Error())
		return
	}
	txID, rf, err := s.bookRefund(r.Context(), r.PathValue("order_id"), in)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	writeData(w, http.StatusOK, struct {
		TransactionID int64 `json:"transaction_id"`
		RefundID      int64 `json:"refund_id"`
	}{txID, rf.id})
}

// bookRefund books a refund on order id (see refund), records it and
// notifies the shop. It returns the order's transaction id. The refund
// stands even if the shop misses the notification; MultiSafepay would
// retry.
func (s *Server) bookRefund(ctx context.Context, id string, in refundIn) (int64, refund, error) {
	s.mu.Lock()
	o, ok := s.orders[id]
	if !ok {
		s.mu.Unlock()
		return 0, refund{}, apiError{http.StatusNotFound, client.CodeInvalidOrderID, "Invalid transaction ID"}
	}
	from := o.status()
	rf, err := s.refund(o, in)
	if err != nil {
		s.mu.Unlock()
		return 0, refund{}, err
	}
	n := s.notificationFor(o)
	to := o.status()
	s.mu.Unlock()
	s.rec.Status(id, from, to, "refund "+rf.currency+" "+rf.amount.String())
	_ = s.deliver(ctx, n)
	return o.txID, rf, nil
}

// refundIn is a refund request as the sandbox reads it: every form the
// spec accepts ("amount": "8", "quantity": "3"), the cart in the answer's
// tolerant types.
type refundIn struct {
	Currency     string                 `json:"currency"`
	Amount       *money.Cents           `json:"amount"`
	Description  string                 `json:"description"`
	CheckoutData *gen.OrderShoppingCart `json:"checkout_data"`
}

// refund checks and books a refund on o. Call it with the lock held.
func (s *Server) refund(o *order, in refundIn) (refund, error) {
	refuse := func(status int, code client.ErrorCode, format string, a ...any) (refund, error) {
		return refund{}, apiError{status, code, fmt.Sprintf(format, a...)}
	}
	switch o.status() {
	case client.StatusCompleted, client.StatusShipped, client.StatusPartialRefunded:
	default:
		return refuse(http.StatusConflict, client.CodeCannotRefund, "Cannot refund transaction: order %s is %s", o.data.OrderID, o.status())
	}
	currency := o.data.Currency
	var amount money.Cents
	if in.CheckoutData != nil {
		var err error
		if amount, err = cartRefund(in.CheckoutData); err != nil {
			return refuse(http.StatusBadRequest, client.CodeRefundInformationError, "Refund information error: %v", err)
		}
	} else {
		if in.Amount == nil {
			return refuse(http.StatusBadRequest, client.CodeMissingData, "Missing data: amount (in cents) or checkout_data is required")
		}
		if in.Currency != currency {
			return refuse(http.StatusBadRequest, client.CodeInvalidCurrency, "Invalid currency: the refund must be in the order's currency %s", currency)
		}
		amount = *in.Amount
	}
	if amount <= 0 {
		return refuse(http.StatusBadRequest, client.CodeInvalidAmount, "Invalid amount: a refund must be a positive number of cents")
	}
	refunded := o.data.AmountRefunded.Cents
	if left := o.amount() - refunded; amount > left {
		return refuse(http.StatusBadRequest, client.CodeCannotRefund, "Cannot refund transaction: %s %s is more than the %s %s not yet refunded", currency, amount, currency, left)
	}
	description := in.Description
	if description == "" {
		description = fmt.Sprintf("Refund order %d", o.txID)
	}
	rf := refund{id: s.newID(), amount: amount, currency: currency, description: description, created: s.timestamp()}
	o.refunds = append(o.refunds, rf)
	refunded += amount
	status := client.StatusPartialRefunded
	if refunded == o.amount() {
		status = client.StatusRefunded
	}
	// financial_status stays completed: the payment itself was, as in the document's example.
	o.data.AmountRefunded = money.BlankCents{Cents: refunded}
	o.data.Status, o.data.Modified = status, rf.created
	return rf, nil
}

// cartRefund sums the refunded items of a shopping-cart refund: copies of
// items with a negative quantity (or, for Klarna, a negative unit_price).
func cartRefund(cart *gen.OrderShoppingCart) (money.Cents, error) {
	if len(cart.Items) == 0 {
		return 0, fmt.Errorf("checkout_data has no items")
	}
	total := new(big.Rat)
	for _, item := range cart.Items {
		line := new(big.Rat).Mul(item.UnitPrice.Rat(), new(big.Rat).SetInt64(int64(item.Quantity)))
		if line.Sign() < 0 {
			total.Sub(total, line)
		}
	}
	if total.Sign() == 0 {
		return 0, fmt.Errorf("checkout_data has no refunded items (negative quantity or unit_price)")
	}
	cents := new(big.Rat).Mul(total, big.NewRat(100, 1))
	if !cents.IsInt() || !cents.Num().IsInt64() {
		return 0, fmt.Errorf("refunded items total %s, not a whole number of cents", strings.TrimRight(strings.TrimRight(total.FloatString(4), "0"), "."))
	}
	return money.Cents(cents.Num().Int64()), nil
}
