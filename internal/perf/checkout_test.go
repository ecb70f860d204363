package perf

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/betaalkit/betaalkit/checkout"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/clients/kassacompleet"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/money"
	sbbuckaroo "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	sbkassacompleet "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
	sbmultisafepay "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	sbopp "github.com/betaalkit/betaalkit/sandbox/opp"
)

// Checkout: the cost of package checkout over a provider client. One op is
// a create and a get of one iDEAL payment against the provider's sandbox,
// once through checkout.Provider ("checkout") and once as the same two
// calls on the client with the request the adapter would build ("client");
// …/paired alternates them call by call. Goal: ≤ 1.02×.

type checkoutPair struct {
	name string
	// setup returns the client's create+get and the checkout one.
	setup func(tb testing.TB) (client, viaCheckout func(context.Context) error)
}

var checkoutPairs = []checkoutPair{
	{"kassacompleet", setupCheckoutKassaCompleet},
	{"opp", setupCheckoutOPP},
	{"multisafepay", setupCheckoutMultiSafepay},
	{"buckaroo", setupCheckoutBuckaroo},
}

func BenchmarkCheckout(b *testing.B) {
	for _, p := range checkoutPairs {
		b.Run(p.name, func(b *testing.B) {
			client, viaCheckout := p.setup(b)
			for _, leaf := range []struct {
				name string
				call func(context.Context) error
			}{{"client", client}, {"checkout", viaCheckout}} {
				b.Run(leaf.name, func(b *testing.B) {
					ctx := context.Background()
					b.ReportAllocs()
					for b.Loop() {
						if err := leaf.call(ctx); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			b.Run("paired", func(b *testing.B) { benchPaired(b, viaCheckout, client) })
		})
	}
}

// TestCheckoutWorkloads runs each pair once, so a broken one fails go test.
func TestCheckoutWorkloads(t *testing.T) {
	for _, p := range checkoutPairs {
		t.Run(p.name, func(t *testing.T) {
			client, viaCheckout := p.setup(t)
			for _, call := range []func(context.Context) error{client, viaCheckout} {
				if err := call(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// uniqueRef numbers references: some providers want them unique.
func uniqueRef(n *atomic.Int64) string { return "perf-" + strconv.FormatInt(n.Add(1), 10) }

func checkoutRequest(ref string) checkout.Request {
	return checkout.Request{Amount: 1250, Reference: ref, Description: "Order " + ref, Method: checkout.MethodIDEAL,
		Issuer: "INGBNL2A", ReturnURL: "https://shop.example/return"}
}

func setupCheckoutKassaCompleet(tb testing.TB) (func(context.Context) error, func(context.Context) error) {
	ts, _, _, err := sbkassacompleet.NewTestServer(sbkassacompleet.Config{})
	closeServer(tb, ts, err)
	c := must(kassacompleet.New(sbkassacompleet.DefaultAPIKey, kassacompleet.WithBaseURL(ts.URL+"/v1"), kassacompleet.WithHTTPClient(sharedHTTPClient)))
	p := c.Checkout()
	var n atomic.Int64
	client := func(ctx context.Context) error {
		o, err := c.CreatePayment(ctx, kassacompleet.OrderCreate{Currency: "EUR", Amount: 1250, Description: "Order x",
			MerchantOrderID: uniqueRef(&n), ReturnURL: "https://shop.example/return",
			Transactions: []kassacompleet.TransactionCreate{{PaymentMethod: kassacompleet.PaymentMethodIdeal,
				PaymentMethodDetails: kassacompleet.PaymentMethodDetailsCreate{IssuerID: "INGBNL2A"}}}})
		if err != nil {
			return err
		}
		_, err = c.GetPayment(ctx, o.ID)
		return err
	}
	return client, viaCheckout(p, &n)
}

func setupCheckoutOPP(tb testing.TB) (func(context.Context) error, func(context.Context) error) {
	ts, _, _, err := sbopp.NewTestServer(sbopp.Config{})
	closeServer(tb, ts, err)
	c := must(opp.New(sbopp.DefaultAPIKey, opp.WithBaseURL(ts.URL+"/v1"), opp.WithHTTPClient(sharedHTTPClient), opp.WithMerchantUID(sbopp.DefaultMerchantUID)))
	var n atomic.Int64
	client := func(ctx context.Context) error {
		ref := uniqueRef(&n)
		noShipping := money.Cents(0)
		t, err := c.CreatePayment(ctx, opp.TransactionCreate{
			Products:   []opp.ProductCreate{{Code: ref, Name: "Order " + ref, Price: 1250, Quantity: 1}},
			TotalPrice: 1250, ShippingCosts: &noShipping, ReturnURL: "https://shop.example/return",
			PaymentMethod: opp.PaymentMethodIdeal, Metadata: map[string]string{"reference": ref},
		})
		if err != nil {
			return err
		}
		_, err = c.GetPayment(ctx, t.UID)
		return err
	}
	return client, viaCheckout(c.Checkout(), &n)
}

func setupCheckoutMultiSafepay(tb testing.TB) (func(context.Context) error, func(context.Context) error) {
	ts, _, _, err := sbmultisafepay.NewTestServer(sbmultisafepay.Config{})
	closeServer(tb, ts, err)
	c := must(multisafepay.New(sbmultisafepay.DefaultAPIKey, multisafepay.WithBaseURL(ts.URL+sbmultisafepay.BasePath), multisafepay.WithHTTPClient(sharedHTTPClient)))
	var n atomic.Int64
	client := func(ctx context.Context) error {
		ref := uniqueRef(&n)
		if _, err := c.CreatePayment(ctx, multisafepay.OrderCreate{
			Type: multisafepay.OrderTypeRedirect, OrderID: ref, Gateway: multisafepay.GatewayIDEAL,
			Currency: "EUR", Amount: 1250, Description: "Order " + ref,
			PaymentOptions: multisafepay.PaymentOptions{RedirectURL: "https://shop.example/return", CancelURL: "https://shop.example/return",
				NotificationMethod: multisafepay.NotificationMethodPOST},
		}); err != nil {
			return err
		}
		_, err := c.GetPayment(ctx, ref)
		return err
	}
	return client, viaCheckout(c.Checkout(), &n)
}

func setupCheckoutBuckaroo(tb testing.TB) (func(context.Context) error, func(context.Context) error) {
	ts, _, _, err := sbbuckaroo.NewTestServer(sbbuckaroo.Config{})
	closeServer(tb, ts, err)
	c := must(buckaroo.New(sbbuckaroo.DefaultWebsiteKey, sbbuckaroo.DefaultSecretKey, buckaroo.WithBaseURL(ts.URL), buckaroo.WithHTTPClient(sharedHTTPClient)))
	var n atomic.Int64
	client := func(ctx context.Context) error {
		ref := uniqueRef(&n)
		tx, err := c.CreatePayment(ctx, buckaroo.TransactionRequest{
			Currency: "EUR", AmountDebit: money.Cents(1250).Decimal(), Invoice: ref, Description: "Order " + ref,
			ReturnURL: "https://shop.example/return",
			Services: buckaroo.RequestServices{ServiceList: []buckaroo.RequestService{{Name: buckaroo.ServiceIDEAL, Action: buckaroo.ActionPay,
				Parameters: []buckaroo.RequestParameter{{Name: "issuer", Value: "INGBNL2A"}}}}},
		})
		if err != nil {
			return err
		}
		_, err = c.GetPayment(ctx, tx.Key)
		return err
	}
	return client, viaCheckout(c.Checkout(), &n)
}

// viaCheckout is the same create+get through the provider's adapter.
func viaCheckout(p checkout.Provider, n *atomic.Int64) func(context.Context) error {
	return func(ctx context.Context) error {
		created, err := p.Create(ctx, checkoutRequest(uniqueRef(n)))
		if err != nil {
			return err
		}
		_, err = p.Get(ctx, created.ID)
		return err
	}
}
