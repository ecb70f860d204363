package kassacompleet

import (
	"context"
	"net/url"

	client "github.com/betaalkit/betaalkit/clients/kassacompleet"
	gen "github.com/betaalkit/betaalkit/gen/kassacompleet"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// WebhookRetries is how the sandbox retries a webhook the shop did not
// accept: not at all. Kassa Compleet's API document (v1.2, "Webhooks")
// describes the call and says nothing of retries, and neither does the
// Ginger Payments material we could find, so the sandbox invents none;
// the dashboard's Resend button sends one again. Set your own with
// Webhooks().SetSchedule.
var WebhookRetries = sim.Schedule{Source: "Kassa Compleet's API document (Webhooks) names no retries; the sandbox makes none (use Resend)."}

// issuers are the sandbox's iDEAL issuers, as GET /ideal/issuers/ lists
// them and the payment page offers them.
var issuers = []sim.Bank{
	{ID: "INGBNL2A", Name: "Issuer Simulation V3 - ING"},
	{ID: "RABONL2U", Name: "Issuer Simulation V3 - RABO"},
}

// Provider names the simulator on the dashboard.
func (s *Server) Provider() sim.Provider {
	return sim.Provider{ID: "kassacompleet", Name: "Kassa Compleet"}
}

// Payments lists every order as the dashboard shows it.
func (s *Server) Payments() []sim.Payment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]sim.Payment, 0, len(s.orders))
	for _, o := range s.orders {
		if !isRefund(o) { // a refund shows on the order it refunds
			out = append(out, s.payment(o))
		}
	}
	return out
}

// The dashboard's buttons besides the customer's choices.
const (
	actionAuthorize = "authorize"
	actionCapture   = "capture"
)

// payment is an order as the dashboard shows it; s.mu must be held.
func (s *Server) payment(o *gen.Order) sim.Payment {
	p := sim.Payment{
		ID: o.ID, Reference: o.MerchantOrderID, Amount: o.Amount.String(), Currency: o.Currency,
		Description: o.Description, Status: o.Status, Normalized: string(client.StatusOf(o).Status),
		Created: o.Created, WebhookURL: s.webhookURL(o.ID),
	}
	if len(o.Transactions) > 0 {
		tx := o.Transactions[0]
		p.Method = methodName(tx.PaymentMethod)
		p.Bank = sim.BankName(issuers, tx.PaymentMethodDetails.Value.IssuerID)
		p.PaymentURL = tx.PaymentURL
	}
	if r := s.refunded[o.ID]; r > 0 {
		p.Refunded = r.String()
	}
	switch {
	case !client.NormalizeStatus(o.Status).IsFinal():
		p.Actions = sim.ChoiceActions(client.OrderStatusCompleted, client.OrderStatusCancelled, client.OrderStatusError, client.OrderStatusExpired)
		if len(o.Transactions) > 0 {
			p.Actions = append(p.Actions, sim.Action{Name: actionAuthorize, Label: "Authorize (completed, transaction accepted)"})
		}
	case capturable(o) != "":
		p.Actions = append(p.Actions, sim.Action{Name: actionCapture, Label: "Capture"})
	case o.Status == client.OrderStatusCompleted && s.refunded[o.ID] < o.Amount:
		p.Actions = append(p.Actions, sim.Action{Name: sim.ActionRefund, Label: "Refund", Amount: true})
	}
	if p.WebhookURL != "" {
		p.Actions = append(p.Actions, sim.Action{Name: sim.ActionResend, Label: "Resend webhook"})
	}
	return p
}

// webhookURL is where an order's webhooks go; s.mu must be held.
func (s *Server) webhookURL(orderID string) string {
	if hook := s.webhooks[orderID]; hook != "" {
		return hook
	}
	return s.cfg.WebhookURL
}

func methodName(m string) string {
	switch m {
	case string(gen.PaymentMethodIdeal):
		return "iDEAL"
	case string(gen.PaymentMethodCreditCard):
		return "Credit card"
	case string(gen.PaymentMethodBankTransfer):
		return "Bank transfer"
	}
	return m
}

// capturable is the id of an order's first capturable transaction ("" if
// none); s.mu must be held.
func capturable(o *gen.Order) string {
	for _, t := range o.Transactions {
		if t.IsCapturable {
			return t.ID
		}
	}
	return ""
}

// Act carries out a dashboard button: a choice (pay, cancel, fail,
// expire) as the payment page would, authorize, capture, refund (the
// form's amount in euros, empty for all that is left), or resend the
// webhook.
func (s *Server) Act(ctx context.Context, id, action string, form url.Values) error {
	switch action {
	case sim.ActionResend:
		return s.Renotify(ctx, id, "")
	case actionAuthorize:
		_, err := s.Authorize(ctx, id)
		return err
	case actionCapture:
		s.mu.Lock()
		tx := ""
		if o, ok := s.orders[id]; ok {
			tx = capturable(o)
		}
		s.mu.Unlock()
		return s.Capture(ctx, id, tx)
	case sim.ActionRefund:
		s.mu.Lock()
		left := money.Cents(0)
		if o, ok := s.orders[id]; ok {
			left = o.Amount - s.refunded[id]
		}
		s.mu.Unlock()
		amount, err := sim.RefundAmount(form, left)
		if err != nil {
			return err
		}
		_, err = s.Refund(id, gen.RefundCreate{Amount: amount, Description: "Refund from the sandbox dashboard"})
		return err
	}
	choice, err := sim.ChoiceAction(action)
	if err != nil {
		return err
	}
	_, err = s.Complete(ctx, id, choice)
	return err
}

// pageData is what the payment page shows of o; s.mu must be held.
func (s *Server) pageData(o *gen.Order) sim.PageData {
	p := s.payment(o)
	return sim.PageData{
		Provider: "Kassa Compleet", Reference: o.ID, Amount: p.Amount, Currency: o.Currency, Description: o.Description,
		Method: p.Method, Bank: p.Bank, Banks: s.banksFor(o), Status: o.Status,
		Outcomes: sim.Outcomes(client.OrderStatusCompleted, client.OrderStatusCancelled, client.OrderStatusError, client.OrderStatusExpired),
		Final:    client.NormalizeStatus(o.Status).IsFinal(),
		Action:   "/pay/" + o.ID + "/", Dashboard: s.dash.PaymentPath(s.Provider().ID, o.ID),
	}
}

// banksFor is the bank choice an order's page offers: the issuers, for an
// iDEAL order that names none; nil otherwise. s.mu must be held.
func (s *Server) banksFor(o *gen.Order) []sim.Bank {
	if len(o.Transactions) == 0 {
		return nil
	}
	tx := o.Transactions[0]
	if tx.PaymentMethod != string(gen.PaymentMethodIdeal) || tx.PaymentMethodDetails.Value.IssuerID != "" {
		return nil
	}
	return issuers
}

func (s *Server) offeredBanks(orderID string) []sim.Bank {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[orderID]; ok {
		return s.banksFor(o)
	}
	return nil
}

// chooseBank records the bank the customer picked on the page.
func (s *Server) chooseBank(orderID string, bank sim.Bank) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[orderID]; ok && len(o.Transactions) > 0 && o.Transactions[0].PaymentMethodDetails.Value.IssuerID == "" {
		o.Transactions[0].PaymentMethodDetails.Value.IssuerID = bank.ID
	}
}
