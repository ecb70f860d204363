package checkout_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/betaalkit/betaalkit/checkout"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/clients/opp"
	sbmultisafepay "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	sbopp "github.com/betaalkit/betaalkit/sandbox/opp"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// One payment flow, written once, on two providers: MultiSafepay first,
// OPP when MultiSafepay provably made no payment. The sandboxes stand in
// for the providers; in production leave WithBaseURL out.
func Example() {
	mspSandbox, _, _, _ := sbmultisafepay.NewTestServer(sbmultisafepay.Config{})
	defer mspSandbox.Close()
	oppSandbox, _, _, _ := sbopp.NewTestServer(sbopp.Config{})
	defer oppSandbox.Close()
	msp, _ := multisafepay.New(sbmultisafepay.DefaultAPIKey, multisafepay.WithBaseURL(mspSandbox.URL+"/v1/json"))
	oppClient, _ := opp.New(sbopp.DefaultAPIKey, opp.WithBaseURL(oppSandbox.URL+"/v1"), opp.WithMerchantUID(sbopp.DefaultMerchantUID))

	shop, err := checkout.New([]checkout.Provider{msp.Checkout(), oppClient.Checkout()})
	if err != nil {
		panic(err)
	}
	// The shop's webhook: one handler per provider, the same function.
	onEvent := func(_ context.Context, ev checkout.Event) error {
		fmt.Println("webhook:", ev.Payment.Provider, ev.Payment.Status)
		return nil
	}
	hook, _ := shop.WebhookHandler("multisafepay", onEvent)
	webhooks := httptest.NewServer(hook)
	defer webhooks.Close()

	ctx := context.Background()
	p, err := shop.Create(ctx, checkout.Request{
		Amount: 1250, Reference: "order-1042", Description: "Order 1042", Method: checkout.MethodIDEAL,
		ReturnURL: "https://shop.example/return", WebhookURL: webhooks.URL,
	})
	if err != nil {
		panic(err) // an *checkout.AmbiguousError: resolve with FindByReference before asking again
	}
	fmt.Println("created at", p.Provider, p.Status.Status)

	// The customer pays on the provider's page (http.Redirect(w, r, p.PaymentURL, http.StatusFound)).
	if _, err := sim.PayAsCustomer(ctx, p.PaymentURL, sim.Pay); err != nil {
		panic(err)
	}
	now, _ := shop.Get(ctx, p.Provider, p.ID)
	fmt.Println("now", now.Status, now.Amount)
	// Output:
	// created at multisafepay open
	// webhook: multisafepay paid (completed)
	// now paid (completed) 12.50
}
