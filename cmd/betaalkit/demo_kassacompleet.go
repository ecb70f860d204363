package main

import (
	"context"
	"fmt"

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
		hooks.Accepted(o.ID + " " + o.Status)
		return nil
	}))

	issuers, err := client.ListIdealIssuers(ctx)
	if err != nil {
		return fmt.Errorf("list issuers: %w", err)
	}
	step("issuers: %d, choosing %s", len(issuers), issuers[0].ID)

	returnURL, webhookURL := "https://shop.example/return", hooks.URL+"/webhook"
	order, err := client.CreateOrder(ctx, kassacompleet.OrderCreate{
		Currency:   "EUR",
		Amount:     1250,
		ReturnURL:  &returnURL,
		WebhookURL: &webhookURL,
		Transactions: &[]kassacompleet.TransactionCreate{{
			PaymentMethod:        kassacompleet.PaymentMethodIdeal,
			PaymentMethodDetails: &kassacompleet.PaymentMethodDetailsCreate{IssuerID: &issuers[0].ID},
		}},
	})
	if err != nil {
		return fmt.Errorf("create order: %w", err)
	}
	step("created iDEAL order %s for EUR %s: %s", order.ID, order.Amount, order.Status)

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

	final, err := client.GetOrder(ctx, order.ID)
	if err != nil {
		return fmt.Errorf("get order: %w", err)
	}
	if final.Status != kassacompleet.OrderStatusCompleted {
		return fmt.Errorf("order %s ended %s, want completed", final.ID, final.Status)
	}
	step("final status: %s (Kassa Compleet's API has no refunds)", final.Status)
	return nil
}

func init() {
	registerSimulator("kassacompleet", func() (simulator, error) {
		s, err := sandbox.New(sandbox.Config{})
		return simulator{handler: s, basePath: "/v1", credentials: "API key " + sandbox.DefaultAPIKey + " (Basic auth username)"}, err
	})
}
