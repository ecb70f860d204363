package buckaroo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	client "github.com/betaalkit/betaalkit/clients/buckaroo"
	gen "github.com/betaalkit/betaalkit/gen/buckaroo"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// WebhookRetries is how the sandbox retries a push the shop did not
// accept with HTTP 200. Buckaroo documents the count and the span, not
// the gaps: "There are 11 reattempts in total, spread over 3 days"
// (docs.buckaroo.io, Push messages › Push message repeats). The gaps
// below are the sandbox's own, growing from minutes to hours and adding
// up to just under three days. Every attempt is signed anew.
var WebhookRetries = sim.Schedule{
	Delays: []time.Duration{
		5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour,
		6 * time.Hour, 8 * time.Hour, 12 * time.Hour, 16 * time.Hour, 18 * time.Hour,
	},
	Source: "Buckaroo docs, Push messages: 11 reattempts spread over 3 days (the gaps are the sandbox's; Buckaroo does not publish them).",
}

// reject is the dashboard's extra outcome: rejected by the payment
// provider (690), which no customer choice on the page leads to.
const reject sim.Choice = "reject"

// Provider names the simulator on the dashboard.
func (s *Server) Provider() sim.Provider { return sim.Provider{ID: "buckaroo", Name: "Buckaroo"} }

// Payments lists every payment (not its refunds, which show on the
// payment's page) as the dashboard shows it.
func (s *Server) Payments() []sim.Payment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []sim.Payment
	for _, rec := range s.txs {
		if rec.action != client.ActionRefund {
			out = append(out, s.payment(rec))
		}
	}
	return out
}

// payment is rec as the dashboard shows it; s.mu must be held.
func (s *Server) payment(rec *record) sim.Payment {
	code := client.StatusCodeOf(&rec.tx)
	p := sim.Payment{
		ID: rec.tx.Key, Reference: rec.tx.Invoice, Amount: rec.amount.String(), Currency: rec.tx.Currency,
		Method: methodName(rec.service), Bank: rec.bank.Name, Description: rec.desc,
		Status: code.String(), Normalized: string(client.NormalizeStatus(strconv.Itoa(int(code)))),
		Created: rec.created, WebhookURL: s.pushTarget(rec),
	}
	if rec.redirect != "" && !code.IsFinal() {
		p.PaymentURL = rec.tx.RequiredAction.RedirectURL
	}
	if rec.refunded.Sign() > 0 {
		p.Refunded = rec.refunded.FloatString(2)
	}
	switch {
	case !code.IsFinal():
		p.Actions = append(sim.ChoiceActions("190", "890", "490", "890: Buckaroo has no expired code"),
			sim.Action{Name: string(reject), Label: "Reject (690)"})
	case code == client.StatusSuccess && rec.remaining().Sign() > 0:
		p.Actions = append(p.Actions, sim.Action{Name: sim.ActionRefund, Label: "Refund", Amount: true})
	}
	if p.WebhookURL != "" {
		p.Actions = append(p.Actions, sim.Action{Name: sim.ActionResend, Label: "Resend push"})
	}
	return p
}

func methodName(service string) string {
	switch {
	case strings.EqualFold(service, client.ServiceIDEAL):
		return "iDEAL"
	case strings.EqualFold(service, client.ServiceCapayable):
		return "iDEAL In3"
	}
	return service
}

// Act carries out a dashboard button: a choice as the payment page would,
// a rejection (690), a refund, or resending the push.
func (s *Server) Act(ctx context.Context, key, action string, form url.Values) error {
	switch action {
	case sim.ActionResend:
		return s.Renotify(ctx, key, "")
	case sim.ActionRefund:
		return s.dashboardRefund(ctx, key, form)
	case string(reject):
		_, _, err := s.complete(ctx, key, reject)
		return err
	}
	choice, err := sim.ChoiceAction(action)
	if err != nil {
		return err
	}
	_, err = s.Complete(ctx, key, choice)
	return err
}

func (s *Server) dashboardRefund(ctx context.Context, key string, form url.Values) error {
	s.mu.Lock()
	rec, ok := s.txs[key]
	var left money.Cents
	var in gen.TransactionRequest
	var svc gen.RequestService
	if ok {
		left, _ = decimalOf(rec.remaining()).Cents()
		svc = gen.RequestService{Name: rec.service, Action: client.ActionRefund}
		in = gen.TransactionRequest{Currency: rec.tx.Currency, Invoice: rec.tx.Invoice, OriginalTransactionKey: key,
			Services: gen.RequestServices{ServiceList: []gen.RequestService{svc}}}
	}
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("no payment with key %s", key)
	}
	amount, err := sim.RefundAmount(form, left)
	if err != nil {
		return err
	}
	in.AmountCredit = amount.Decimal()
	tx := s.refund(ctx, in, svc)
	if client.StatusCodeOf(tx) == client.StatusValidationFailure {
		return errors.New(refusalReason(tx.RequestErrors))
	}
	return nil
}

// refusalReason words a 491's RequestErrors on one line.
func refusalReason(errs gen.RequestErrors) string {
	var parts []string
	for _, list := range [][]gen.RequestError{errs.ChannelErrors, errs.ServiceErrors, errs.ActionErrors, errs.ParameterErrors, errs.CustomParameterErrors} {
		for _, e := range list {
			part := e.Error + ": " + e.ErrorMessage
			if e.Name != "" {
				part = e.Name + ": " + part
			}
			parts = append(parts, part)
		}
	}
	if len(parts) == 0 {
		return "validation failure"
	}
	return strings.Join(parts, "; ")
}

// pageData is what the payment page at action shows of rec; s.mu must be held.
func (s *Server) pageData(rec *record, action string) sim.PageData {
	p := s.payment(rec)
	return sim.PageData{
		Provider: "Buckaroo", Reference: rec.tx.Key, Amount: p.Amount, Currency: rec.tx.Currency,
		Description: cmp.Or(rec.desc, rec.service+" "+rec.action), Method: p.Method, Bank: rec.bank.Name, Banks: banksFor(rec),
		Status:   p.Status,
		Outcomes: sim.Outcomes("190 Success", "890 Cancelled by user", "490 Failed", "890: no expired code"),
		Final:    client.StatusCodeOf(&rec.tx).IsFinal(),
		Action:   action, Dashboard: s.dash.PaymentPath(s.Provider().ID, rec.tx.Key),
	}
}

// banksFor offers the iDEAL banks on the page of an iDEAL payment whose
// request named no issuer.
func banksFor(rec *record) []sim.Bank {
	if !strings.EqualFold(rec.service, client.ServiceIDEAL) || rec.bank.ID != "" {
		return nil
	}
	return sim.IDEALBanks
}

// requestedBank is the iDEAL issuer a request names (service parameter
// "issuer", a BIC).
func requestedBank(svc gen.RequestService) sim.Bank {
	for _, p := range svc.Parameters {
		if strings.EqualFold(p.Name, "issuer") {
			if name := sim.BankName(sim.IDEALBanks, p.Value); name != "" {
				return sim.Bank{ID: strings.ToUpper(p.Value), Name: name}
			}
			return sim.Bank{ID: p.Value, Name: p.Value}
		}
	}
	return sim.Bank{}
}

// chooseBank records the bank the customer picked on the page.
func (s *Server) chooseBank(key string, b sim.Bank) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec, ok := s.txs[key]; ok && rec.bank.ID == "" {
		rec.bank = b
	}
}
