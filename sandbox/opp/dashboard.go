package opp

import (
	"cmp"
	"context"
	"net/url"

	client "github.com/betaalkit/betaalkit/clients/opp"
	gen "github.com/betaalkit/betaalkit/gen/opp"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// WebhookRetries is how the sandbox retries a notification the shop did
// not accept: not at all. OPP's API document (Notifications) describes the
// POST to notify_url and says nothing of retries, and no public OPP page
// we could find gives a schedule, so the sandbox invents none; the
// dashboard's Resend button posts one again. Set your own with
// Webhooks().SetSchedule.
var WebhookRetries = sim.Schedule{Source: "OPP's API document (Notifications) names no retries; the sandbox makes none (use Resend)."}

// Provider names the simulator on the dashboard.
func (s *Server) Provider() sim.Provider {
	return sim.Provider{ID: "opp", Name: "Online Betaalplatform"}
}

// Payments lists every transaction as the dashboard shows it.
func (s *Server) Payments() []sim.Payment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]sim.Payment, 0, len(s.transactions))
	for _, uid := range s.txOrder {
		out = append(out, s.payment(s.transactions[uid]))
	}
	return out
}

// payment is t as the dashboard shows it; s.mu must be held.
func (s *Server) payment(t *transaction) sim.Payment {
	p := sim.Payment{
		ID: t.uid, Reference: t.metadata["reference"], Amount: t.amount.String(), Currency: "EUR",
		Method: methodName(t.paymentMethod), Bank: t.bank.Name, Description: t.description,
		Status: string(t.status), Normalized: string(client.NormalizeStatus(string(t.status))),
		Created: t.created, PaymentURL: t.redirectURL, WebhookURL: cmp.Or(t.notifyURL, s.cfg.NotifyURL),
	}
	if t.refunded > 0 {
		p.Refunded = t.refunded.String()
	}
	switch t.status {
	case client.TransactionStatusCreated, client.TransactionStatusPending:
		p.Actions = sim.ChoiceActions(paidStatus(t), string(client.TransactionStatusCancelled), string(client.TransactionStatusFailed), string(client.TransactionStatusExpired))
	case client.TransactionStatusReserved:
		p.Actions = append(p.Actions, sim.Action{Name: actionRelease, Label: "Release escrow (completed)"})
	case client.TransactionStatusCompleted, client.TransactionStatusRefunded:
		if t.refunded < t.amount && (t.paymentMethod != string(gen.PaymentMethodPaypal) || t.paymentFlow != string(gen.PaymentFlowDirect)) {
			p.Actions = append(p.Actions, sim.Action{Name: sim.ActionRefund, Label: "Refund", Amount: true})
		}
	}
	if p.WebhookURL != "" {
		p.Actions = append(p.Actions, sim.Action{Name: sim.ActionResend, Label: "Resend notification"})
	}
	return p
}

const actionRelease = "release-escrow"

// paidStatus is where paying leads: reserved with escrow, else completed.
func paidStatus(t *transaction) string {
	if t.escrow != nil {
		return string(client.TransactionStatusReserved)
	}
	return string(client.TransactionStatusCompleted)
}

func methodName(m string) string {
	switch gen.PaymentMethod(m) {
	case gen.PaymentMethodIdeal:
		return "iDEAL"
	case gen.PaymentMethodBcmc:
		return "Bancontact"
	case gen.PaymentMethodPaypal:
		return "PayPal"
	case gen.PaymentMethodSepa:
		return "SEPA bank transfer"
	}
	return m
}

// Act carries out a dashboard button: a choice as the checkout would,
// releasing an escrow, a refund, or resending the notification.
func (s *Server) Act(ctx context.Context, uid, action string, form url.Values) error {
	switch action {
	case sim.ActionResend:
		return s.Renotify(ctx, uid, "")
	case actionRelease:
		_, err := s.ReleaseEscrow(ctx, uid)
		return err
	case sim.ActionRefund:
		s.mu.Lock()
		var left money.Cents
		if t, ok := s.transactions[uid]; ok {
			left = t.amount - t.refunded
		}
		s.mu.Unlock()
		amount, err := sim.RefundAmount(form, left)
		if err != nil {
			return err
		}
		if _, rerr := s.refund(ctx, uid, gen.RefundCreate{Amount: amount, Message: "Refund from the sandbox dashboard"}); rerr != nil {
			return rerr
		}
		return nil // the refund's notification, if it failed, is on the timeline
	}
	choice, err := sim.ChoiceAction(action)
	if err != nil {
		return err
	}
	_, err = s.Complete(ctx, uid, choice)
	return err
}

// pageData is what the checkout shows of t; s.mu must be held.
func (s *Server) pageData(t *transaction) sim.PageData {
	p := s.payment(t)
	return sim.PageData{
		Provider: "Online Betaalplatform", Merchant: t.merchantUID, Reference: t.uid, Amount: p.Amount, Currency: "EUR",
		Description: t.description, Method: cmp.Or(p.Method, "iDEAL"), Bank: t.bank.Name, Banks: banksFor(t), Status: string(t.status),
		Outcomes: sim.Outcomes(paidStatus(t), string(client.TransactionStatusCancelled), string(client.TransactionStatusFailed), string(client.TransactionStatusExpired)),
		Final:    t.status != client.TransactionStatusCreated && t.status != client.TransactionStatusPending,
		Action:   "/nl/betalen/?trx=" + t.uid, Dashboard: s.dash.PaymentPath(s.Provider().ID, t.uid),
	}
}

// banksFor offers the iDEAL banks on the checkout of an iDEAL transaction
// (or one whose method the buyer has yet to choose: the checkout's first
// choice is iDEAL).
func banksFor(t *transaction) []sim.Bank {
	if t.bank.ID != "" || (t.paymentMethod != "" && t.paymentMethod != string(gen.PaymentMethodIdeal)) {
		return nil
	}
	return sim.IDEALBanks
}

func (s *Server) offeredBanks(uid string) []sim.Bank {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.transactions[uid]; ok {
		return banksFor(t)
	}
	return nil
}
