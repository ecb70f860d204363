package main

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/betaalkit/betaalkit/clients/kassacompleet"
	sandbox "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

func init() { registerDemo("kassacompleet", demoKassaCompleet) }

func demoKassaCompleet(ctx context.Context, env demoEnv, hooks *webhookReceiver, step demoStep) error {
	srv, _, client, err := sandbox.NewTestServer(sandbox.Config{}, kassacompleet.WithLogger(env.logger), kassacompleet.WithHTTPClient(env.httpClient))
	if err != nil {
		return err
	}
	defer srv.Close()
	hooks.Handle(client.WebhookHandler(func(_ context.Context, o *kassacompleet.Order) error {
		hooks.Accepted(o.ID + " " + kassacompleet.StatusOf(o).String())
		return nil
	}))

	issuers, err := client.ListIdealIssuers(ctx)
	if err != nil {
		return err
	}
	step("issuers: %d, choosing %s", len(issuers), issuers[0].ID)

	order, err := client.CreatePayment(ctx, kassacompleet.OrderCreate{
		Currency:   "EUR",
		Amount:     1250,
		ReturnURL:  "https://shop.example/return",
		WebhookURL: hooks.URL + "/webhook",
		Transactions: []kassacompleet.TransactionCreate{{
			PaymentMethod:        kassacompleet.PaymentMethodIdeal,
			PaymentMethodDetails: kassacompleet.PaymentMethodDetailsCreate{IssuerID: issuers[0].ID},
		}},
	})
	if err != nil {
		return err
	}
	amount, err := kassacompleet.AmountOf(order)
	if err != nil {
		return err
	}
	step("created iDEAL order %s for EUR %s: %s", order.ID, amount, kassacompleet.StatusOf(order))

	back, err := sim.PayAsCustomer(ctx, kassacompleet.PaymentURL(order), sim.Pay)
	if err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	step("customer paid, returned to %s", back)

	hook, err := hooks.Wait(ctx)
	if err != nil {
		return err
	}
	step("webhook received, order re-fetched: %s", hook)

	final, err := client.GetPayment(ctx, order.ID)
	if err != nil {
		return err
	}
	if status := kassacompleet.StatusOf(final); !status.IsPaid() {
		return fmt.Errorf("order %s ended %s, want paid", final.ID, status)
	}
	step("final status: %s", kassacompleet.StatusOf(final))

	// A refund is an order of its own at Ginger; the paid order stays
	// completed and is flagged has-refunds.
	refund, err := client.CreateRefund(ctx, order.ID, kassacompleet.RefundCreate{Amount: 500, Description: "demo partial refund"})
	if err != nil {
		return fmt.Errorf("refund: %w", err)
	}
	refunded, err := client.GetPayment(ctx, order.ID)
	if err != nil {
		return err
	}
	if !slices.Contains(refunded.Flags, kassacompleet.FlagHasRefunds) {
		return fmt.Errorf("order %s is not flagged %s after a refund: %v", order.ID, kassacompleet.FlagHasRefunds, refunded.Flags)
	}
	step("refunded EUR %s as refund order %s (%s); order %s, flags %v", refund.Amount, refund.ID, refund.Status, kassacompleet.StatusOf(refunded), refunded.Flags)

	// More than is left is refused in Kassa Compleet's error envelope.
	_, err = client.CreateRefund(ctx, order.ID, kassacompleet.RefundCreate{Amount: 1000})
	var refused *kassacompleet.Error
	if !errors.As(err, &refused) {
		return fmt.Errorf("a refund of EUR 10.00 was not refused: %v", err)
	}
	step("refund of EUR 10.00 refused: HTTP %d, %s: %s", refused.StatusCode, refused.Type, refused.Value)
	return nil
}

func init() {
	registerSimulator("kassacompleet", func() (simulator, error) {
		s, err := sandbox.New(sandbox.Config{})
		return simulator{handler: s, basePath: "/v1", credentials: "API key " + sandbox.DefaultAPIKey + " (Basic auth username)"}, err
	})
}
