package ideal2

import (
	"context"
	"fmt"
	"net/url"

	client "github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// WebhookRetries is how the sandbox retries a notification the merchant
// did not accept: not at all. The iDEAL 2.0 document (PIS v3) and
// Worldline's public notification pages describe the POST and say nothing
// of retries, so the sandbox invents none: the merchant polls the status,
// as the document says to, and the dashboard's Resend button posts one
// again. Set your own with Webhooks().SetSchedule.
var WebhookRetries = sim.Schedule{Source: "The iDEAL 2.0 document and Worldline's notification pages name no retries; the sandbox makes none (use Resend, or poll the status)."}

// Provider names the simulator on the dashboard.
func (s *Server) Provider() sim.Provider { return sim.Provider{ID: "ideal2", Name: "iDEAL 2.0"} }

// Payments lists every payment as the dashboard shows it.
func (s *Server) Payments() []sim.Payment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]sim.Payment, 0, len(s.payments))
	for _, p := range s.payments {
		out = append(out, s.payment(p))
	}
	return out
}

// payment is p as the dashboard shows it; s.mu must be held.
func (s *Server) payment(p *payment) sim.Payment {
	d := sim.Payment{
		ID: p.id, Reference: p.reference, Amount: p.amount.String(), Currency: "EUR", Method: "iDEAL", Bank: p.bank.Name,
		Description: p.description, Status: string(p.status), Normalized: string(client.NormalizeStatus(string(p.status))),
		Created: p.created, WebhookURL: s.notifyTarget(p),
	}
	if !final(p.status) {
		d.PaymentURL = p.pageURL
		d.Actions = sim.ChoiceActions(string(client.PaymentStatusSettlementCompleted), string(client.PaymentStatusCancelled),
			string(client.PaymentStatusError), string(client.PaymentStatusExpired))
		if outcome, test := testAmounts[p.cents]; test {
			for i := range d.Actions {
				d.Actions[i].Label += fmt.Sprintf(" — test amount %s: %s", p.amount, outcome)
			}
		}
	}
	if d.WebhookURL != "" {
		d.Actions = append(d.Actions, sim.Action{Name: sim.ActionResend, Label: "Resend notification"})
	}
	return d
}

// Act carries out a dashboard button: a choice at the bank, as the page
// would (a test amount decides the outcome all the same), or resending the
// notification. iDEAL 2.0 has no refunds.
func (s *Server) Act(ctx context.Context, id, action string, _ url.Values) error {
	if action == sim.ActionResend {
		return s.Renotify(ctx, id, "")
	}
	choice, err := sim.ChoiceAction(action)
	if err != nil {
		return err
	}
	_, err = s.Complete(ctx, id, choice)
	return err
}

// pageData is what the iDEAL page shows of p; s.mu must be held.
func (s *Server) pageData(p *payment) sim.PageData {
	d := sim.PageData{
		Provider: "iDEAL", Merchant: s.cfg.Merchant.ClientName + " (" + s.cfg.Merchant.ID + ")", Reference: p.id,
		Amount: p.amount.String(), Currency: "EUR", Description: p.description, Method: "iDEAL", Bank: p.bank.Name,
		Status: string(p.status),
		Outcomes: sim.Outcomes(string(client.PaymentStatusSettlementCompleted), string(client.PaymentStatusCancelled),
			string(client.PaymentStatusError), string(client.PaymentStatusExpired)),
		Final:  final(p.status),
		Action: "/pay/" + p.id, Dashboard: s.dash.PaymentPath(s.Provider().ID, p.id),
	}
	if p.bank.ID == "" {
		d.Banks = sim.IDEALBanks
	}
	if outcome, test := testAmounts[p.cents]; test {
		d.Note = fmt.Sprintf("Test amount %s: the bank answers %s whatever you choose.", p.amount, outcome)
	}
	return d
}

func (s *Server) offeredBanks(id string) []sim.Bank {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.payments[id]; ok && p.bank.ID == "" {
		return sim.IDEALBanks
	}
	return nil
}

func (s *Server) chooseBank(id string, b sim.Bank) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.payments[id]; ok && p.bank.ID == "" && !final(p.status) {
		p.bank = b
	}
}
