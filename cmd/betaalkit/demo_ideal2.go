package main

import (
	"context"
	"fmt"

	"github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/money"
	sandbox "github.com/betaalkit/betaalkit/sandbox/ideal2"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

func init() { registerDemo("ideal2", demoIDEAL2) }

func demoIDEAL2(ctx context.Context, env demoEnv, hooks *webhookReceiver, step demoStep) error {
	// The sandbox makes a throwaway merchant key: nobody has a Worldline one.
	srv, s, client, err := sandbox.NewTestServer(sandbox.Config{}, func(c *ideal2.Config) {
		c.Logger, c.HTTPClient = env.logger, env.httpClient
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	// Our client has the sandbox's certificate, so the handler verifies
	// each notification's Digest and Signature before fn sees it.
	hooks.Handle(client.WebhookHandler(func(_ context.Context, st *ideal2.PaymentStatusResponse) error {
		hooks.Accepted(st.CommonPaymentData.PaymentID + " " + ideal2.StatusOf(st).String())
		return nil
	}))

	m := s.Merchant()
	tok, err := client.Tokens().TokenContext(ctx)
	if err != nil {
		return fmt.Errorf("access token: %w", err)
	}
	step("access token: %s, expires in %ds (merchant %s, token request signed with keyId %s)", tok.TokenType, tok.ExpiresIn, m.ID, m.KeyID())

	const amount money.Cents = 1250
	p, err := client.CreatePayment(ctx, ideal2.NewPayment(amount, "Order 1001", "order-1001"),
		ideal2.WithReturnURL("https://shop.example/return?order=1001"),
		ideal2.WithNotificationURL(hooks.URL+"/ideal2/notify"))
	if err != nil {
		return fmt.Errorf("create payment: %w", err)
	}
	id := p.CommonPaymentData.PaymentID
	step("created payment %s for EUR %s: %s (signed request, response signature verified)", id, amount, p.CommonPaymentData.PaymentStatus)

	back, err := sim.PayAsCustomer(ctx, ideal2.PaymentURL(p), sim.Pay)
	if err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	step("customer paid at the bank, returned to %s", back)

	hook, err := hooks.Wait(ctx)
	if err != nil {
		return err
	}
	step("notification signature verified: %s", hook)

	final, err := client.WaitForFinalStatus(ctx, id)
	if err != nil {
		return fmt.Errorf("payment status: %w", err)
	}
	status := ideal2.StatusOf(final)
	if !status.IsPaid() {
		return fmt.Errorf("payment %s ended %s, want it paid", id, status)
	}
	paid, err := ideal2.AmountOf(final)
	if err != nil {
		return err
	}
	debtor := "an unnamed debtor"
	if d := final.CommonPaymentData.DebtorInformation; d.Name != "" && d.Account.Identification != "" {
		debtor = d.Name + " (" + maskAccount(d.Account.Identification) + ")"
	}
	step("final status: %s, EUR %s paid by %s (iDEAL 2.0 has no refunds)", status, paid, debtor)
	return nil
}

func init() {
	registerSimulator("ideal2", func() (simulator, error) {
		s, err := sandbox.New(sandbox.Config{})
		if err != nil {
			return simulator{}, err
		}
		m := s.Merchant()
		return simulator{handler: s, basePath: sandbox.PISBasePath, credentials: fmt.Sprintf(
			"merchant Id %s, Client %s; generated key pair and response-signing certificate: {origin}/sandbox/merchant-key.pem, {origin}/sandbox/merchant-cert.pem, {origin}/sandbox/server-cert.pem",
			m.ID, m.ClientName)}, nil
	})
}

// maskAccount shows an account number the way a receipt does: the country
// and check digits and the last four characters.
func maskAccount(iban string) string {
	if len(iban) < 10 {
		return "****"
	}
	return iban[:4] + " **** " + iban[len(iban)-4:]
}
