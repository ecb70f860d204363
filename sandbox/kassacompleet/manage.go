package kassacompleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"time"

	client "github.com/betaalkit/betaalkit/clients/kassacompleet"
	gen "github.com/betaalkit/betaalkit/gen/kassacompleet"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// refused is a request the order's state does not allow, answered in
// Kassa Compleet's error envelope. Ginger's reference names no error types
// for these; the sandbox answers 409 Conflict, or 400 for an amount.
type refused struct {
	status int
	typ    string
	value  string
}

func (e *refused) Error() string { return e.value }

func conflict(format string, a ...any) error {
	return &refused{http.StatusConflict, "Conflict", fmt.Sprintf(format, a...)}
}

// writeRefusal answers err, a *refused or an order that was not found.
func writeRefusal(w http.ResponseWriter, err error) {
	var r *refused
	if errors.As(err, &r) {
		writeError(w, r.status, r.typ, r.value)
		return
	}
	writeError(w, http.StatusNotFound, "NotFound", err.Error())
}

func isRefund(o *gen.Order) bool { return slices.Contains(o.Flags, client.FlagIsRefund) }

// order returns the order named by the request's path, for a handler that
// holds s.mu.
func (s *Server) order(id string) (*gen.Order, error) {
	o, ok := s.orders[id]
	if !ok {
		return nil, fmt.Errorf("order %s not found", id)
	}
	return o, nil
}

func (s *Server) createRefund(w http.ResponseWriter, r *http.Request) {
	var in gen.RefundCreate
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "ValidationError", "body: "+err.Error())
		return
	}
	refund, err := s.Refund(r.PathValue("id"), in)
	if err != nil {
		writeRefusal(w, err)
		return
	}
	sim.Attach(r.Context(), r.PathValue("id"))
	sim.WriteJSON(w, http.StatusCreated, refund)
}

// Refund books a refund of (part of) a completed order, as POST
// /orders/{id}/refunds/ does: the refund becomes an order of its own
// (flag is-refund, refund_of_order_id, one debit transaction, completed at
// once), and the refunded order keeps its status and gains the flag
// has-refunds. More than is left of the order's amount is refused. Ginger's
// webhook reports status changes and the refunded order's status does not
// change, so no webhook is sent.
func (s *Server) Refund(orderID string, in gen.RefundCreate) (*gen.Order, error) {
	s.mu.Lock()
	o, err := s.order(orderID)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	if o.Status != client.OrderStatusCompleted || isRefund(o) {
		s.mu.Unlock()
		return nil, conflict("order %s is %s: only a completed order can be refunded", orderID, o.Status)
	}
	if len(o.Transactions) > 0 && o.Transactions[0].IsCapturable {
		s.mu.Unlock()
		return nil, conflict("order %s: its transaction is accepted, not captured; capture it first", orderID)
	}
	currency := o.Currency
	if left := o.Amount - s.refunded[orderID]; in.Amount > left {
		s.mu.Unlock()
		return nil, &refused{http.StatusBadRequest, "ValidationError", fmt.Sprintf("amount: %d cents is more than the %d cents left to refund", in.Amount, left)}
	}
	now := time.Now().UTC()
	refund := &gen.Order{
		ID: sim.NewUUID(), RefundOfOrderID: orderID, ProjectID: ProjectID,
		Created: now, Modified: now, Completed: now,
		Currency: o.Currency, Amount: in.Amount, Description: in.Description, OrderLines: in.OrderLines,
		Status: client.OrderStatusCompleted, Flags: []string{client.FlagIsTest, client.FlagIsRefund},
	}
	tx := gen.Transaction{
		ID: sim.NewUUID(), OrderID: refund.ID, ProjectID: ProjectID, Created: now, Modified: now, Completed: now,
		Currency: o.Currency, Amount: in.Amount, Description: in.Description, Balance: "test", CreditDebit: "debit",
		Status: client.TransactionStatusCompleted,
	}
	if len(o.Transactions) > 0 {
		tx.PaymentMethod = o.Transactions[0].PaymentMethod
	}
	refund.Transactions = []gen.Transaction{tx}
	s.orders[refund.ID] = refund
	s.refunded[orderID] += in.Amount
	if !slices.Contains(o.Flags, client.FlagHasRefunds) {
		o.Flags = append(o.Flags, client.FlagHasRefunds)
	}
	o.Modified = now
	out := cloneOrder(refund)
	s.mu.Unlock()
	s.rec.Action(orderID, fmt.Sprintf("refunded %s %s as order %s", currency, in.Amount, refund.ID))
	return out, nil
}

func (s *Server) capture(w http.ResponseWriter, r *http.Request) {
	if err := s.Capture(r.Context(), r.PathValue("id"), r.PathValue("tx")); err != nil {
		writeRefusal(w, err)
		return
	}
	sim.Attach(r.Context(), r.PathValue("id"))
	w.WriteHeader(http.StatusCreated)
}

// Capture captures an accepted transaction, as POST
// …/transactions/{tx}/captures/ does: it becomes captured (fully), the
// order and the transaction gain the flag has-captures, and the webhook
// goes out (Ginger's white-label plugins watch for has-captures in it).
// Only a capturable transaction can be captured (see Authorize).
func (s *Server) Capture(ctx context.Context, orderID, transactionID string) error {
	s.mu.Lock()
	o, err := s.order(orderID)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	i := slices.IndexFunc(o.Transactions, func(t gen.Transaction) bool { return t.ID == transactionID })
	if i < 0 {
		s.mu.Unlock()
		return fmt.Errorf("transaction %s of order %s not found", transactionID, orderID)
	}
	tx := &o.Transactions[i]
	if !tx.IsCapturable {
		s.mu.Unlock()
		return conflict("transaction %s is %s and cannot be captured", transactionID, tx.Status)
	}
	now := time.Now().UTC()
	tx.Status, tx.IsCapturable, tx.IsFullyCaptured, tx.Modified = client.TransactionStatusCaptured, false, true, now
	tx.Flags = append(tx.Flags, client.FlagHasCaptures)
	if !slices.Contains(o.Flags, client.FlagHasCaptures) {
		o.Flags = append(o.Flags, client.FlagHasCaptures)
	}
	o.Modified = now
	s.mu.Unlock()
	s.rec.Action(orderID, "captured transaction "+transactionID)
	return s.notify(ctx, orderID)
}

// Authorize settles an open order the way a method that authorizes first
// (Klarna, AfterPay) does: the order completes and its transactions are
// accepted, the amount reserved and capturable; the webhook goes out. The
// payment page has no such choice: tests and the dashboard use it to try
// Capture.
func (s *Server) Authorize(ctx context.Context, orderID string) (*gen.Order, error) {
	s.mu.Lock()
	o, err := s.order(orderID)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	if client.NormalizeStatus(o.Status).IsFinal() || isRefund(o) || len(o.Transactions) == 0 {
		s.mu.Unlock()
		return nil, conflict("order %s is %s and cannot be authorized", orderID, o.Status)
	}
	from := o.Status
	setStatus(o, client.OrderStatusCompleted, client.TransactionStatusAccepted)
	o.Completed = o.Modified
	for i := range o.Transactions {
		o.Transactions[i].IsCapturable = true
	}
	out := cloneOrder(o)
	s.mu.Unlock()
	s.rec.Status(orderID, from, out.Status, "authorized: transactions accepted, to be captured")
	return out, s.notify(ctx, orderID)
}

func (s *Server) updateOrder(w http.ResponseWriter, r *http.Request) {
	var in gen.OrderUpdate
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "ValidationError", "body: "+err.Error())
		return
	}
	id := r.PathValue("id")
	s.mu.Lock()
	o, err := s.order(id)
	if err != nil {
		s.mu.Unlock()
		writeRefusal(w, err)
		return
	}
	// Only the fields sent change, as Ginger's SDK sends them alone.
	set(&o.Description, in.Description)
	set(&o.MerchantOrderID, in.MerchantOrderID)
	set(&o.ReturnURL, in.ReturnURL)
	set(&o.ExpirationPeriod, in.ExpirationPeriod)
	if in.WebhookURL != "" {
		o.WebhookURL = in.WebhookURL
		s.webhooks[id] = in.WebhookURL
	}
	if !reflect.ValueOf(in.Customer).IsZero() {
		o.Customer = in.Customer
	}
	if in.OrderLines != nil {
		o.OrderLines = in.OrderLines
	}
	o.Modified = time.Now().UTC()
	out := cloneOrder(o)
	s.mu.Unlock()
	sim.Attach(r.Context(), id)
	s.rec.Action(id, "order updated")
	sim.WriteJSON(w, http.StatusOK, out)
}

func set(field *string, value string) {
	if value != "" {
		*field = value
	}
}

func (s *Server) cancelOrder(w http.ResponseWriter, r *http.Request) {
	order, err := s.Cancel(r.Context(), r.PathValue("id"))
	if err != nil && order == nil {
		writeRefusal(w, err)
		return
	}
	sim.Attach(r.Context(), r.PathValue("id"))
	sim.WriteJSON(w, http.StatusOK, order)
}

// Cancel cancels an order that is not final, as DELETE /orders/{id}/
// does: the order and its transactions become cancelled and the webhook
// goes out. A final order is refused. The order is returned even when only
// the webhook failed.
func (s *Server) Cancel(ctx context.Context, orderID string) (*gen.Order, error) {
	s.mu.Lock()
	o, err := s.order(orderID)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	if client.NormalizeStatus(o.Status).IsFinal() || isRefund(o) {
		s.mu.Unlock()
		return nil, conflict("order %s is %s and can no longer be cancelled", orderID, o.Status)
	}
	from := o.Status
	setStatus(o, client.OrderStatusCancelled, client.TransactionStatusCancelled)
	out := cloneOrder(o)
	s.mu.Unlock()
	s.rec.Status(orderID, from, out.Status, "API: cancelled")
	if err := s.notify(ctx, orderID); err != nil {
		return out, fmt.Errorf("order %s is cancelled, but the webhook failed: %w", orderID, err)
	}
	return out, nil
}
