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
	hooks.Handle(client.NotificationHandler(func(_ context.Context, st *ideal2.PaymentStatusResponse) error {
		hooks.Accepted(st.CommonPaymentData.PaymentID + " " + st.CommonPaymentData.PaymentStatus)
		return nil
	}))

	m := s.Merchant()
	tok, err := client.Tokens().TokenContext(ctx)
	if err != nil {
		return fmt.Errorf("access token: %w", err)
	}
	step("access token: %s, expires in %ds (merchant %s, token request signed with keyId %s)", tok.TokenType, tok.ExpiresIn, m.ID, m.KeyID())

	amount, err := money.ParseDecimalString("12.50")
	if err != nil {
		return err
	}
	p, err := client.CreatePayment(ctx, ideal2.NewPayment(amount, "Order 1001", "order-1001"),
		ideal2.WithReturnURL("https://shop.example/return?order=1001"),
		ideal2.WithNotificationURL(hooks.URL+"/ideal2/notify"))
	if err != nil {
		return fmt.Errorf("create payment: %w", err)
	}
	id := p.CommonPaymentData.PaymentID
	step("created payment %s for EUR %s: %s (signed request, response signature verified)", id, amount, p.CommonPaymentData.PaymentStatus)

	back, err := sim.PayAsCustomer(ctx, p.Links.RedirectURL.Href, sim.Pay)
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
	data := final.CommonPaymentData
	if data.PaymentStatus != ideal2.StatusSettlementCompleted {
		return fmt.Errorf("payment %s ended %s, want %s", id, data.PaymentStatus, ideal2.StatusSettlementCompleted)
	}
	debtor := "an unnamed debtor"
	if d := data.DebtorInformation; d != nil && d.Name != nil && d.Account != nil && d.Account.Identification != nil {
		debtor = *d.Name + " (" + maskAccount(*d.Account.Identification) + ")"
	}
	step("final status: %s, paid by %s (iDEAL 2.0 has no refunds)", data.PaymentStatus, debtor)
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
			"merchant Id %s, Client %s; generated key pair and response-signing certificate at /sandbox/merchant-key.pem, /sandbox/merchant-cert.pem, /sandbox/server-cert.pem",
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
