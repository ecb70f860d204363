package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/betaalkit/betaalkit"
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
	hooks.Handle(client.WebhookHandler(func(_ context.Context, o *multisafepay.Order) error {
		hooks.Accepted(fmt.Sprintf("%s %s", o.OrderID, multisafepay.StatusOf(o)))
		return nil
	}))

	issuers, err := client.ListIdealIssuers(ctx)
	if err != nil {
		return fmt.Errorf("list issuers: %w", err)
	}
	bank := issuers[0]
	step("iDEAL issuers: %d, choosing %s (%s)", len(issuers), bank.Code, bank.Description)

	orderID := "demo-" + sim.NewID(4)
	order, err := client.CreatePayment(ctx, multisafepay.OrderCreate{
		Type:        multisafepay.OrderTypeDirect,
		Gateway:     multisafepay.GatewayIDEAL,
		OrderID:     orderID,
		Currency:    "EUR",
		Amount:      1250,
		Description: "betaalkit demo order",
		GatewayInfo: multisafepay.GatewayInfo{IssuerID: bank.Code},
		PaymentOptions: multisafepay.PaymentOptions{
			NotificationURL:    hooks.URL + "/notification",
			NotificationMethod: multisafepay.NotificationMethodPOST,
			RedirectURL:        "https://shop.example/success",
			CancelURL:          "https://shop.example/cancel",
		},
	})
	if err != nil {
		return fmt.Errorf("create payment: %w", err)
	}
	payURL := multisafepay.PaymentURL(order)
	if payURL == "" {
		return fmt.Errorf("order %s has no payment_url", orderID)
	}
	amount, err := multisafepay.AmountOf(order)
	if err != nil {
		return err
	}
	step("created direct iDEAL order %s (transaction %s) for EUR %s: %s", orderID, order.TransactionID, amount, multisafepay.StatusOf(order))

	back, err := sim.PayAsCustomer(ctx, payURL, sim.Pay)
	if err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	step("customer paid at the bank, returned to %s", back)

	hook, err := hooks.Wait(ctx)
	if err != nil {
		return err
	}
	step("notification verified (Auth header, HMAC-SHA512): %s", hook)

	final, err := client.GetPayment(ctx, orderID)
	if err != nil {
		return fmt.Errorf("get payment: %w", err)
	}
	if status := multisafepay.StatusOf(final); !status.IsPaid() {
		return fmt.Errorf("order %s ended %s, want paid", orderID, status)
	}
	step("final status: %s (financial %s)", multisafepay.StatusOf(final), final.FinancialStatus)

	refundReq := multisafepay.RefundCreate{Currency: "EUR", Amount: money.Cents(500), Description: "demo partial refund"}
	refund, err := client.CreateRefund(ctx, orderID, refundReq)
	if err != nil {
		return fmt.Errorf("refund: %w", err)
	}
	hook, err = hooks.Wait(ctx)
	if err != nil {
		return err
	}
	refunded, err := client.GetPayment(ctx, orderID)
	if err != nil {
		return fmt.Errorf("get payment: %w", err)
	}
	if status := multisafepay.StatusOf(refunded); status.Status != betaalkit.StatusPartiallyRefunded {
		return fmt.Errorf("order %s is %s after a partial refund, want partially_refunded", orderID, status)
	}
	step("refunded EUR %s (refund %s): order %s, EUR %s refunded; notified: %s", refundReq.Amount, refund.RefundID, multisafepay.StatusOf(refunded), refunded.AmountRefunded, hook)

	// More than is left is refused in MultiSafepay's error envelope.
	refundReq.Amount = 1000
	_, err = client.CreateRefund(ctx, orderID, refundReq)
	var refused *multisafepay.Error
	if !errors.As(err, &refused) || refused.Code != multisafepay.CodeCannotRefund {
		return fmt.Errorf("a refund of EUR %s was not refused with error %d: %v", refundReq.Amount, multisafepay.CodeCannotRefund, err)
	}
	step("refund of EUR %s refused: HTTP %d, error %d: %s", refundReq.Amount, refused.StatusCode, refused.Code, refused.Info)

	// Reconciliation: the account's transactions, one a page to walk the cursor.
	var lines []string
	for tx, err := range client.Transactions(ctx, multisafepay.TransactionFilter{Limit: 1}) {
		if err != nil {
			return fmt.Errorf("transactions: %w", err)
		}
		lines = append(lines, fmt.Sprintf("%s %s EUR %s", tx.Type, tx.DebitCredit, tx.Amount.Cents))
	}
	step("transactions, one a page through the cursor: %s", strings.Join(lines, "; "))
	return nil
}

func init() {
	registerSimulator("multisafepay", func() (simulator, error) {
		s, err := sandbox.New(sandbox.Config{})
		return simulator{handler: s, basePath: sandbox.BasePath, credentials: "API key " + sandbox.DefaultAPIKey + " (header api_key; notifications signed with it)"}, err
	})
}
