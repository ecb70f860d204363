package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/checkout"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/clients/kassacompleet"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/clients/opp"
	sbbuckaroo "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	sbideal2 "github.com/betaalkit/betaalkit/sandbox/ideal2"
	sbkassacompleet "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
	sbmultisafepay "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	sbopp "github.com/betaalkit/betaalkit/sandbox/opp"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

func init() { registerDemo("checkout", demoCheckout) }

// demoCheckout runs one shop's payment flow, written once against
// package checkout, on all five providers' sandboxes.
func demoCheckout(ctx context.Context, env demoEnv, hooks *webhookReceiver, step demoStep) error {
	providers, stop, err := sandboxedProviders(env)
	if err != nil {
		return err
	}
	defer stop()
	for _, p := range providers {
		if err := shopFlow(ctx, p, hooks, step); err != nil {
			return fmt.Errorf("%s: %w", p.Name(), err)
		}
	}
	return nil
}

// shopFlow is the shop's code: the same function for every provider.
func shopFlow(ctx context.Context, p checkout.Provider, hooks *webhookReceiver, step demoStep) error {
	hooks.Handle(p.WebhookHandler(func(_ context.Context, ev checkout.Event) error {
		hooks.Accepted(ev.Payment.ID + "\t" + string(ev.Payment.Status.Status))
		return nil
	}))
	payment, err := p.Create(ctx, checkout.Request{
		Amount: 1995, Reference: "shop-order-" + p.Name(), Description: "Shop order", Method: checkout.MethodIDEAL,
		Issuer: "INGBNL2A", ReturnURL: "https://shop.example/return", WebhookURL: hooks.URL + "/webhook",
	})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	if _, err := sim.PayAsCustomer(ctx, payment.PaymentURL, sim.Pay); err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	// Providers may notify more than once (pending, then paid).
	for paid := payment.ID + "\t" + string(betaalkit.StatusPaid); ; {
		event, err := hooks.Wait(ctx)
		if err != nil {
			return err
		}
		if event == paid {
			break
		}
	}
	now, err := p.Get(ctx, payment.ID)
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	if !now.Status.IsPaid() {
		return fmt.Errorf("payment %s is %s, want paid", now.ID, now.Status)
	}
	refund := "no refunds at this provider"
	if r, err := p.Refund(ctx, checkout.RefundRequest{PaymentID: payment.ID, Amount: 500}); err == nil {
		refund = "refunded EUR " + r.Amount.String()
	} else if !errors.Is(err, checkout.ErrNotSupported) {
		return fmt.Errorf("refund: %w", err)
	}
	step("%-13s created %s → webhook: paid → get: %s; %s", p.Name(), payment.Status.Status, now.Status, refund)
	return nil
}

// sandboxedProviders starts every provider's sandbox and returns its
// client as a checkout.Provider, in the transcript's order.
func sandboxedProviders(env demoEnv) ([]checkout.Provider, func(), error) {
	var stops []func()
	stop := func() {
		for _, s := range stops {
			s()
		}
	}
	var out []checkout.Provider
	add := func(close func(), c interface{ Checkout() checkout.Provider }, err error) error {
		if err != nil {
			return err
		}
		stops = append(stops, close)
		out = append(out, c.Checkout())
		return nil
	}
	kcSrv, _, kc, err := sbkassacompleet.NewTestServer(sbkassacompleet.Config{}, kassacompleet.WithLogger(env.logger), kassacompleet.WithHTTPClient(env.httpClient))
	if err = add(func() { kcSrv.Close() }, kc, err); err != nil {
		return nil, stop, err
	}
	oppSrv, _, oc, err := sbopp.NewTestServer(sbopp.Config{}, opp.WithLogger(env.logger), opp.WithHTTPClient(env.httpClient), opp.WithMerchantUID(sbopp.DefaultMerchantUID))
	if err = add(func() { oppSrv.Close() }, oc, err); err != nil {
		return nil, stop, err
	}
	mspSrv, _, mc, err := sbmultisafepay.NewTestServer(sbmultisafepay.Config{}, multisafepay.WithLogger(env.logger), multisafepay.WithHTTPClient(env.httpClient))
	if err = add(func() { mspSrv.Close() }, mc, err); err != nil {
		return nil, stop, err
	}
	bqSrv, _, bc, err := sbbuckaroo.NewTestServer(sbbuckaroo.Config{}, buckaroo.WithLogger(env.logger), buckaroo.WithHTTPClient(env.httpClient))
	if err = add(func() { bqSrv.Close() }, bc, err); err != nil {
		return nil, stop, err
	}
	idSrv, _, ic, err := sbideal2.NewTestServer(sbideal2.Config{}, func(c *ideal2.Config) { c.Logger, c.HTTPClient = env.logger, env.httpClient })
	if err = add(func() { idSrv.Close() }, ic, err); err != nil {
		return nil, stop, err
	}
	return out, stop, nil
}
