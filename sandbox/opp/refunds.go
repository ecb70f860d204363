package opp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	client "github.com/betaalkit/betaalkit/clients/opp"
	gen "github.com/betaalkit/betaalkit/gen/opp"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// createRefund refunds (part of) a completed transaction. The first refund
// moves the transaction to refunded ("(partially) refunded", in the
// document), which posts a notification before the API answers; more
// refunds follow until nothing is left to refund.
func (s *Server) createRefund(w http.ResponseWriter, r *http.Request) {
	var in gen.RefundCreate
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, "body: "+err.Error())
		return
	}
	ref, err := s.refund(r.Context(), r.PathValue("uid"), in)
	if err != nil {
		writeError(w, err.status, err.code, err.msg)
		return
	}
	sim.WriteJSON(w, http.StatusOK, ref)
}

// refundError is a refund OPP refuses, in its terms.
type refundError struct {
	status, code int
	msg          string
}

func (e *refundError) Error() string { return e.msg }

// refund books a refund of in.Amount on transaction uid and posts the
// notification when the status changes. The refund stands even when the
// notification fails; it is in Deliveries.
func (s *Server) refund(ctx context.Context, uid string, in gen.RefundCreate) (gen.Refund, *refundError) {
	if in.Amount <= 0 {
		return gen.Refund{}, &refundError{http.StatusBadRequest, CodeInvalidRequest, fmt.Sprintf("amount: %d cents is not a positive amount", in.Amount)}
	}
	s.mu.Lock()
	t, ok := s.transactions[uid]
	if !ok {
		s.mu.Unlock()
		return gen.Refund{}, &refundError{http.StatusNotFound, CodeNotFound, "transaction " + uid + " not found"}
	}
	if t.status != client.TransactionStatusCompleted && t.status != client.TransactionStatusRefunded {
		s.mu.Unlock()
		return gen.Refund{}, &refundError{http.StatusPaymentRequired, CodeNotRefundable, fmt.Sprintf("transaction %s is %s; only a completed transaction can be refunded", uid, t.status)}
	}
	if t.paymentMethod == string(gen.PaymentMethodPaypal) && t.paymentFlow == string(gen.PaymentFlowDirect) {
		s.mu.Unlock()
		return gen.Refund{}, &refundError{http.StatusPaymentRequired, CodeNotRefundable, "direct PayPal transactions are refunded from the PayPal environment, not through OPP"}
	}
	if remaining := t.amount - t.refunded; in.Amount > remaining {
		s.mu.Unlock()
		return gen.Refund{}, &refundError{http.StatusPaymentRequired, CodeRefundTooLarge,
			fmt.Sprintf("amount: %d cents exceeds the %d cents of transaction %s not yet refunded", in.Amount, remaining, uid)}
	}
	now := time.Now().UTC()
	ref := gen.Refund{
		UID: s.newRefundUID(), Object: "refund",
		Created: ts(now), Updated: ts(now),
		Amount: in.Amount, Status: client.RefundStatusCreated,
		Message: in.Message, InternalReason: in.InternalReason, PayoutDescription: in.PayoutDescription,
	}
	t.refunds = append(t.refunds, ref)
	t.refunded += in.Amount
	s.refundOf[ref.UID] = uid
	var note *pending
	if setStatus(t, client.TransactionStatusRefunded, now) {
		note = s.changed(t, now)
	}
	s.mu.Unlock()
	_ = s.deliver(ctx, []*pending{note})
	return ref, nil
}

func (s *Server) newRefundUID() string { return newUID("ref", s.refundOf) }

func (s *Server) listRefunds(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	s.mu.Lock()
	t, ok := s.transactions[uid]
	var env list[gen.Refund]
	if ok {
		env = paginate(r, "/v1/transactions/"+uid+"/refunds", t.refunds, func(ref gen.Refund) gen.Refund { return ref })
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, CodeNotFound, "transaction "+uid+" not found")
		return
	}
	sim.WriteJSON(w, http.StatusOK, env)
}

// PayRefund marks a refund as paid to the buyer (created → completed), as
// OPP does once the money has gone out.
func (s *Server) PayRefund(refundUID string) (*client.Refund, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.transactions[s.refundOf[refundUID]]
	if !ok {
		return nil, fmt.Errorf("refund %s not found", refundUID)
	}
	for i := range t.refunds {
		ref := &t.refunds[i]
		if ref.UID != refundUID {
			continue
		}
		if ref.Status == client.RefundStatusCompleted {
			return nil, fmt.Errorf("refund %s is already completed", refundUID)
		}
		now := time.Now().UTC()
		ref.Status, ref.Paid, ref.Updated = client.RefundStatusCompleted, ts(now), ts(now)
		out := *ref
		return &out, nil
	}
	return nil, fmt.Errorf("refund %s not found", refundUID)
}

// Refunded returns how much of a transaction has been refunded.
func (s *Server) Refunded(uid string) (money.Cents, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.transactions[uid]
	if !ok {
		return 0, false
	}
	return t.refunded, true
}
