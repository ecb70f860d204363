package multisafepay

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	client "github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/flex"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// WebhookRetries is MultiSafepay's schedule for a notification the shop
// does not acknowledge: "Until we receive your acknowledgement, we resend
// the notification 4 times at 15 minute intervals, each with a new
// timestamp" (docs.multisafepay.com, Integrations › Self-made › Handle
// notifications). Each resend carries a new timestamp and signature.
var WebhookRetries = sim.Schedule{
	Delays: sim.Every(4, 15*time.Minute),
	Source: "MultiSafepay docs, Handle notifications: resent 4 times at 15 minute intervals, each with a new timestamp.",
}

// acknowledged is MultiSafepay's rule for an acknowledged notification:
// HTTP 200 with OK at the start or end of the body, or MULTISAFEPAY_OK
// anywhere in it (the same page).
func acknowledged(status int, answer []byte) bool {
	body := bytes.TrimSpace(answer)
	return status == http.StatusOK &&
		(bytes.HasPrefix(body, []byte("OK")) || bytes.HasSuffix(body, []byte("OK")) || bytes.Contains(body, []byte("MULTISAFEPAY_OK")))
}

// banks are the iDEAL issuers the checkout offers, by MultiSafepay's codes.
var banks = func() []sim.Bank {
	out := make([]sim.Bank, len(idealIssuers))
	for i, b := range idealIssuers {
		out[i] = sim.Bank{ID: b.Code, Name: b.Description}
	}
	return out
}()

// Provider names the simulator on the dashboard.
func (s *Server) Provider() sim.Provider {
	return sim.Provider{ID: "multisafepay", Name: "MultiSafepay"}
}

// Payments lists every order as the dashboard shows it.
func (s *Server) Payments() []sim.Payment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]sim.Payment, 0, len(s.orders))
	for _, o := range s.orders {
		out = append(out, s.payment(o))
	}
	return out
}

// payment is o as the dashboard shows it; s.mu must be held.
func (s *Server) payment(o *order) sim.Payment {
	created, _ := time.ParseInLocation("2006-01-02T15:04:05", o.data.Created, s.zone)
	p := sim.Payment{
		ID: o.id(), Reference: o.id(), Amount: o.amount().String(), Currency: o.data.Currency,
		Method: gatewayName(o.data.Gateway), Bank: o.bank, Description: o.data.Description.String(),
		Status: o.status(), Normalized: string(client.NormalizeStatus(o.status())),
		Created: created, PaymentURL: o.data.PaymentURL, WebhookURL: s.notificationURL(o),
	}
	if r := o.data.AmountRefunded.Cents; r > 0 {
		p.Refunded = r.String()
	}
	switch o.status() {
	case client.StatusInitialized, client.StatusUncleared:
		p.Actions = append(sim.ChoiceActions(client.StatusCompleted, client.StatusCanceled, client.StatusDeclined, client.StatusExpired),
			sim.Action{Name: actionVoid, Label: "Void (" + client.StatusVoid + ")"})
	case client.StatusCompleted, client.StatusShipped, client.StatusPartialRefunded:
		if o.data.AmountRefunded.Cents < o.amount() {
			p.Actions = append(p.Actions, sim.Action{Name: sim.ActionRefund, Label: "Refund", Amount: true})
		}
	}
	if p.WebhookURL != "" {
		p.Actions = append(p.Actions, sim.Action{Name: sim.ActionResend, Label: "Resend notification"})
	}
	return p
}

const actionVoid = "void"

func gatewayName(id string) string {
	if g, ok := findGateway(id); ok {
		return g.description
	}
	return id
}

// Act carries out a dashboard button: a choice as the payment page would,
// voiding the order (as PATCH status void does), a refund, or resending
// the notification.
func (s *Server) Act(ctx context.Context, id, action string, form url.Values) error {
	switch action {
	case sim.ActionResend:
		return s.Renotify(ctx, id, "")
	case actionVoid:
		return s.merchantMove(ctx, id, client.StatusVoid)
	case sim.ActionRefund:
		return s.dashboardRefund(ctx, id, form)
	}
	choice, err := sim.ChoiceAction(action)
	if err != nil {
		return err
	}
	_, err = s.Complete(ctx, id, choice)
	return err
}

// merchantMove sets an initialized or uncleared order to status to, as the
// merchant's PATCH does, and notifies.
func (s *Server) merchantMove(ctx context.Context, id, to string) error {
	s.mu.Lock()
	o, ok := s.orders[id]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("order %s not found", id)
	}
	from := o.status()
	if from != client.StatusInitialized && from != client.StatusUncleared {
		s.mu.Unlock()
		return fmt.Errorf("order %s is %s and cannot be set to %s", id, from, to)
	}
	o.data.Status, o.data.FinancialStatus, o.data.Modified = to, to, s.timestamp()
	n := s.notificationFor(o)
	s.mu.Unlock()
	s.rec.Status(id, from, to, "")
	return s.deliver(ctx, n)
}

func (s *Server) dashboardRefund(ctx context.Context, id string, form url.Values) error {
	s.mu.Lock()
	o, ok := s.orders[id]
	var left money.Cents
	var currency string
	if ok {
		left, currency = o.amount()-o.data.AmountRefunded.Cents, o.data.Currency
	}
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("order %s not found", id)
	}
	amount, err := sim.RefundAmount(form, left)
	if err != nil {
		return err
	}
	_, _, err = s.bookRefund(ctx, id, refundIn{Currency: currency, Amount: &amount, Description: "Refund from the sandbox dashboard"})
	return err
}

// pageData is what the payment page at action shows of o; s.mu must be held.
func (s *Server) pageData(o *order, action string) sim.PageData {
	p := s.payment(o)
	d := sim.PageData{
		Provider: "MultiSafepay", Reference: o.id(), Amount: p.Amount, Currency: o.data.Currency,
		Description: o.data.Description.String(), Method: p.Method, Bank: o.bank, Status: o.status(),
		Outcomes: sim.Outcomes(client.StatusCompleted, client.StatusCanceled, client.StatusDeclined, client.StatusExpired),
		Final:    o.status() != client.StatusInitialized && o.status() != client.StatusUncleared,
		Action:   action, Dashboard: s.dash.PaymentPath(s.Provider().ID, o.id()),
	}
	if o.offerBanks && o.bank == "" {
		d.Banks = banks
	}
	if d.Method == "" {
		d.Method = "iDEAL" // the checkout's first choice
	}
	if o.bank != "" && !o.offerBanks {
		d.Provider = "iDEAL · " + o.bank // a direct iDEAL order: the bank's page
	}
	return d
}

// chooseBank records the iDEAL bank the customer picked on the checkout.
func (s *Server) chooseBank(id string, b sim.Bank) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok || !o.offerBanks || o.bank != "" {
		return
	}
	o.bank = b.Name
	o.data.Gateway = client.GatewayIDEAL
	o.data.PaymentDetails.Type = client.GatewayIDEAL
	o.data.PaymentDetails.IssuerID = flex.String(b.ID)
}
