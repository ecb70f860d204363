package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/money"
	sandbox "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

func init() { registerDemo("multisafepay", demoMultiSafepay) }

func demoMultiSafepay(ctx context.Context, env demoEnv, hooks *webhookReceiver, step demoStep) error {
	srv, _, client, err := sandbox.NewTestServer(sandbox.Config{}, multisafepay.WithLogger(env.logger), multisafepay.WithHTTPClient(env.httpClient))
	if err != nil {
		return err
	}
	defer srv.Close()
	// The shop's endpoint checks each notification's Auth header with our verifier.
	hooks.Handle(client.NotificationHandler(func(_ context.Context, n *multisafepay.Notification) error {
		hooks.Accepted(fmt.Sprintf("%s %s", mspDeref(n.OrderID), mspDeref(n.Status)))
		return nil
	}))

	issuers, err := client.ListIdealIssuers(ctx)
	if err != nil {
		return fmt.Errorf("list issuers: %w", err)
	}
	bank := issuers[0]
	step("iDEAL issuers: %d, choosing %s (%s)", len(issuers), bank.Code, mspDeref(bank.Description))

	direct, gateway, post := multisafepay.OrderTypeDirect, "IDEAL", multisafepay.NotificationMethodPOST
	notifyURL, redirectURL, cancelURL := hooks.URL+"/notification", "https://shop.example/success", "https://shop.example/cancel"
	orderID := "demo-" + sim.NewID(4)
	order, err := client.CreateOrder(ctx, multisafepay.OrderCreate{
		Type:        &direct,
		Gateway:     &gateway,
		OrderID:     orderID,
		Currency:    "EUR",
		Amount:      1250,
		Description: "betaalkit demo order",
		GatewayInfo: &multisafepay.GatewayInfo{IssuerID: bank.Code},
		PaymentOptions: &multisafepay.PaymentOptions{
			NotificationURL:    &notifyURL,
			NotificationMethod: &post,
			RedirectURL:        &redirectURL,
			CancelURL:          &cancelURL,
		},
	})
	if err != nil {
		return fmt.Errorf("create order: %w", err)
	}
	if order.PaymentURL == nil {
		return fmt.Errorf("order %s has no payment_url", orderID)
	}
	step("created direct iDEAL order %s (transaction %s) for EUR %s: %s", orderID, order.TransactionID, order.Amount, mspDeref(order.Status))

	back, err := sim.PayAsCustomer(ctx, *order.PaymentURL, sim.Pay)
	if err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	step("customer paid at the bank, returned to %s", back)

	hook, err := hooks.Wait(ctx)
	if err != nil {
		return err
	}
	step("notification verified (Auth header, HMAC-SHA512): %s", hook)

	final, err := client.GetOrder(ctx, orderID)
	if err != nil {
		return fmt.Errorf("get order: %w", err)
	}
	if mspDeref(final.Status) != multisafepay.StatusCompleted {
		return fmt.Errorf("order %s ended %s, want completed", orderID, mspDeref(final.Status))
	}
	step("final status: %s (financial %s)", mspDeref(final.Status), mspDeref(final.FinancialStatus))

	currency, amount, why := "EUR", money.Cents(500), "demo partial refund"
	refund, err := client.CreateRefund(ctx, orderID, multisafepay.RefundCreate{Currency: &currency, Amount: &amount, Description: &why})
	if err != nil {
		return fmt.Errorf("refund: %w", err)
	}
	hook, err = hooks.Wait(ctx)
	if err != nil {
		return err
	}
	refunded, err := client.GetOrder(ctx, orderID)
	if err != nil {
		return fmt.Errorf("get order: %w", err)
	}
	if mspDeref(refunded.Status) != multisafepay.StatusPartialRefunded {
		return fmt.Errorf("order %s is %s after a partial refund, want partial_refunded", orderID, mspDeref(refunded.Status))
	}
	step("refunded EUR %s (refund %s): order %s, EUR %s refunded; notified: %s", amount, refund.RefundID, mspDeref(refunded.Status), refunded.AmountRefunded, hook)

	// More than is left is refused in MultiSafepay's error envelope.
	amount = 1000
	_, err = client.CreateRefund(ctx, orderID, multisafepay.RefundCreate{Currency: &currency, Amount: &amount, Description: &why})
	var refused *multisafepay.Error
	if !errors.As(err, &refused) || refused.Code != multisafepay.CodeCannotRefund {
		return fmt.Errorf("a refund of EUR %s was not refused with error %d: %v", amount, multisafepay.CodeCannotRefund, err)
	}
	step("refund of EUR %s refused: HTTP %d, error %d: %s", amount, refused.StatusCode, refused.Code, refused.Info)
	return nil
}

// mspDeref reads an optional field of the generated models.
func mspDeref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func init() {
	registerSimulator("multisafepay", func() (simulator, error) {
		s, err := sandbox.New(sandbox.Config{})
		return simulator{handler: s, basePath: sandbox.BasePath, credentials: "API key " + sandbox.DefaultAPIKey + " (header api_key; notifications signed with it)"}, err
	})
}
