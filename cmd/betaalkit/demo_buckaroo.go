package main

import (
	"context"
	"fmt"
	"time"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	sandbox "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

func init() { registerDemo("buckaroo", demoBuckaroo) }

func demoBuckaroo(ctx context.Context, env demoEnv, hooks *webhookReceiver, step demoStep) error {
	srv, _, client, err := sandbox.NewTestServer(sandbox.Config{}, buckaroo.WithLogger(env.logger), buckaroo.WithHTTPClient(env.httpClient))
	if err != nil {
		return err
	}
	defer srv.Close()
	// Buckaroo signs over the push URL as given in the request, so the
	// handler must know it exactly.
	pushURL := hooks.URL + "/buckaroo/push"
	hooks.Handle(client.WebhookHandler(func(_ context.Context, tx *buckaroo.Transaction) error {
		hooks.Accepted(fmt.Sprintf("%s %s", tx.Key, buckaroo.StatusOf(tx)))
		return nil
	}, betaalkit.WebhookURL(pushURL)))

	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	tx, err := client.PayInInstallments(ctx, buckaroo.In3Payment{
		AmountDebit: 800, // cents
		Invoice:     "demo-" + sim.NewID(4),
		Description: "Blue Toy Car, in three installments",
		ClientIP:    "192.0.2.10",
		InvoiceDate: time.Now(),
		Customer: buckaroo.In3Customer{
			LastName: "Smith", Initials: "J.S.", Gender: buckaroo.GenderMale, BirthDate: day("1990-01-01"),
			Address: buckaroo.In3Address{Street: "Hoofdstraat", HouseNumber: 90, HouseNumberSuffix: "a", ZipCode: "8441ER", City: "Heerenveen", Country: "NL"},
			Phone:   "0612345678", Email: "j.smith@example.com",
		},
		Products:  []buckaroo.In3ProductLine{{Code: "abc123", Name: "Blue Toy Car", Quantity: 1, Price: 1000}},
		Subtotals: []buckaroo.In3SubtotalLine{{Name: "Korting", Value: -200}},
		ReturnURL: "https://shop.example/return",
		PushURL:   pushURL,
	})
	if err != nil {
		return fmt.Errorf("pay in installments: %w", err)
	}
	step("created iDEAL In3 transaction %s for EUR %s: %s (%s)", tx.Key, tx.AmountDebit, buckaroo.StatusOf(tx), buckaroo.SubCodeOf(tx))

	back, err := sim.PayAsCustomer(ctx, buckaroo.PaymentURL(tx), sim.Pay)
	if err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	step("customer paid the first installment, returned to %s", back)

	hook, err := hooks.Wait(ctx)
	if err != nil {
		return err
	}
	step("signed push verified: %s", hook)

	final, err := client.GetPayment(ctx, tx.Key)
	if err != nil {
		return fmt.Errorf("get payment: %w", err)
	}
	if !buckaroo.StatusOf(final).IsPaid() {
		return fmt.Errorf("transaction %s ended %s, want paid (190)", tx.Key, buckaroo.StatusOf(final))
	}
	step("final status: %s (%s)", buckaroo.StatusOf(final), buckaroo.SubCodeOf(final))

	refund, err := client.CreateRefund(ctx, tx.Key, buckaroo.RefundRequest{Amount: 300, Invoice: final.Invoice})
	if err != nil {
		return fmt.Errorf("refund: %w", err)
	}
	// A refund is a transaction of its own; its 190 says the refund succeeded.
	step("refunded EUR %s of %s: refund %s %s", refund.AmountCredit, final.AmountDebit, refund.Key, buckaroo.StatusCodeOf(refund))

	hook, err = hooks.Wait(ctx)
	if err != nil {
		return err
	}
	step("signed refund push verified: %s", hook)

	info, err := client.GetRefundInfo(ctx, tx.Key)
	if err != nil {
		return fmt.Errorf("refund info: %w", err)
	}
	left, err := buckaroo.RefundableOf(info)
	if err != nil {
		return fmt.Errorf("refund info: %w", err)
	}
	step("refund info: EUR %s refunded, EUR %s still refundable", info.RefundedAmount, left)
	return nil
}

func init() {
	registerSimulator("buckaroo", func() (simulator, error) {
		s, err := sandbox.New(sandbox.Config{})
		return simulator{handler: s, credentials: "website key " + sandbox.DefaultWebsiteKey + ", secret key " + sandbox.DefaultSecretKey + " (hmac Authorization header)"}, err
	})
}
