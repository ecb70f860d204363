package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/money"
	sandbox "github.com/betaalkit/betaalkit/sandbox/opp"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

func init() { registerDemo("opp", demoOPP) }

func demoOPP(ctx context.Context, env demoEnv, hooks *webhookReceiver, step demoStep) error {
	srv, sb, client, err := sandbox.NewTestServer(sandbox.Config{}, opp.WithLogger(env.logger), opp.WithHTTPClient(env.httpClient))
	if err != nil {
		return err
	}
	defer srv.Close()
	// Our client's handler parses the notification and re-fetches the
	// transaction from the sandbox by uid; only then is it accepted.
	hooks.Handle(client.WebhookHandler(func(_ context.Context, tx *opp.Transaction) error {
		hooks.Accepted(tx.UID + " " + opp.StatusOf(tx).String())
		return nil
	}))
	// waitFor reads notifications until one reports the raw status; delivery
	// is synchronous, so they are all queued by the time the step returns.
	waitFor := func(status opp.TransactionStatus) error {
		for {
			got, err := hooks.Wait(ctx)
			if err != nil {
				if d := sb.Deliveries(); len(d) > 0 && d[len(d)-1].Err != nil {
					return fmt.Errorf("%w (last delivery: %v)", err, d[len(d)-1].Err)
				}
				return err
			}
			step("notification accepted, transaction re-fetched by uid: %s", got)
			if strings.HasSuffix(got, "("+string(status)+")") {
				return nil
			}
		}
	}

	// OPP is a marketplace: a transaction pays a merchant, onboarded first.
	// The platform's notify_url for merchants collects their notifications.
	var (
		mu            sync.Mutex
		merchantNotes []string
	)
	merchantHook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n, err := opp.ReadNotification(r); err == nil {
			mu.Lock()
			merchantNotes = append(merchantNotes, n.Type)
			mu.Unlock()
		}
	}))
	defer merchantHook.Close()
	st, err := client.APIStatus(ctx)
	if err != nil {
		return fmt.Errorf("api status: %w", err)
	}
	m, err := client.CreateMerchant(ctx, opp.MerchantCreate{
		Type: opp.MerchantTypeConsumer, Country: "nld", Emailaddress: "hans@brinker.example",
		NameFirst: "Hans", NameLast: "Brinker", NotifyURL: merchantHook.URL,
	})
	if err != nil {
		return fmt.Errorf("create merchant: %w", err)
	}
	step("API %s; created merchant %s: %s, requires %s", st.Status, m.UID, m.Status, m.Compliance.Requirements[0].Type)
	account, err := client.CreateBankAccount(ctx, m.UID, opp.BankAccountCreate{ReturnURL: "https://shop.example/onboarded"})
	if err != nil {
		return fmt.Errorf("create bank account: %w", err)
	}
	if _, err := sb.VerifyBankAccount(ctx, account.UID, true); err != nil {
		return fmt.Errorf("verify bank account: %w", err)
	}
	if m, err = client.GetMerchant(ctx, m.UID); err != nil {
		return fmt.Errorf("get merchant: %w", err)
	}
	if m.Status != opp.MerchantStatusLive {
		return fmt.Errorf("merchant %s is %s after its bank account was approved, want live", m.UID, m.Status)
	}
	mu.Lock()
	notified := strings.Join(merchantNotes, ", ")
	mu.Unlock()
	step("merchant verified bank account %s at its verification_url; OPP approved it: merchant %s (notified: %s)", account.UID, m.Status, notified)

	shipping := money.Cents(675)
	tx, err := client.CreatePayment(ctx, opp.TransactionCreate{
		MerchantUID:    m.UID,
		BuyerNameFirst: "John", BuyerNameLast: "Tester", BuyerEmailaddress: "john@tester.dev",
		Products:      []opp.ProductCreate{{Name: "WakeUp Light", Price: 10779, Quantity: 1}},
		ShippingCosts: &shipping,
		TotalPrice:    11454,
		ReturnURL:     "https://shop.example/return/",
		NotifyURL:     hooks.URL + "/notify/",
		Metadata:      map[string]string{"external_id": "2015486"},
	})
	if err != nil {
		return fmt.Errorf("create payment: %w", err)
	}
	amount, err := opp.AmountOf(tx)
	if err != nil {
		return err
	}
	step("created transaction %s for EUR %s: %s", tx.UID, amount, opp.StatusOf(tx))

	back, err := sim.PayAsCustomer(ctx, opp.PaymentURL(tx), sim.Pay)
	if err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	step("customer paid at %s, returned to %s", opp.PaymentURL(tx), back)
	if err := waitFor(opp.TransactionStatusCompleted); err != nil {
		return err
	}

	final, err := client.GetPayment(ctx, tx.UID, opp.ExpandStatuses)
	if err != nil {
		return fmt.Errorf("get payment: %w", err)
	}
	if status := opp.StatusOf(final); !status.IsPaid() {
		return fmt.Errorf("transaction %s ended %s, want paid", final.UID, status)
	}
	var history []string
	for _, st := range final.Statuses {
		history = append(history, string(st.Status))
	}
	step("final status: %s (history %s)", opp.StatusOf(final), strings.Join(history, " → "))

	refund, err := client.CreateRefund(ctx, tx.UID, opp.RefundCreate{Amount: 2500, InternalReason: "Customer returned one item"})
	if err != nil {
		return fmt.Errorf("refund: %w", err)
	}
	step("partial refund %s of EUR %s: %s", refund.UID, refund.Amount, refund.Status)
	if err := waitFor(opp.TransactionStatusRefunded); err != nil {
		return err
	}

	_, err = client.CreateRefund(ctx, tx.UID, opp.RefundCreate{Amount: amount})
	var oerr *opp.Error
	if !errors.As(err, &oerr) {
		return fmt.Errorf("refunding more than is left was not refused: %v", err)
	}
	step("refund of EUR %s refused: %v", amount, oerr)

	var refunds []string
	var refunded money.Cents
	for r, err := range client.Refunds(ctx, tx.UID, opp.ListParams{}) {
		if err != nil {
			return fmt.Errorf("list refunds: %w", err)
		}
		refunds = append(refunds, fmt.Sprintf("%s EUR %s %s", r.UID, r.Amount, r.Status))
		refunded += r.Amount
	}
	if refunded != 2500 {
		return fmt.Errorf("refunds add up to %s, want 25.00", refunded)
	}
	step("refunds listed with the iterator: %s; EUR %s left to refund", strings.Join(refunds, ", "), amount-refunded)
	return nil
}

func init() {
	registerSimulator("opp", func() (simulator, error) {
		s, err := sandbox.New(sandbox.Config{})
		return simulator{handler: s, basePath: "/v1", credentials: "API key " + sandbox.DefaultAPIKey + " (Basic auth username, empty password)"}, err
	})
}
