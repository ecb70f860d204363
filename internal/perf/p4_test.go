package perf

import (
	"context"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

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
)

// P4: requests per second a sandbox serves for a create-then-get workload
// (every request authenticated, validated against the spec, and stored),
// driven by our clients from GOMAXPROCS goroutines over the shared
// transport. BenchmarkP4/<provider>: one op is a create and a get; the
// req/s metric counts both.

type p4Provider struct {
	name  string
	setup func(tb testing.TB) func(ctx context.Context) error
}

var p4Providers = []p4Provider{
	{"kassacompleet", setupP4KassaCompleet},
	{"opp", setupP4OPP},
	{"multisafepay", setupP4MultiSafepay},
	{"buckaroo", setupP4Buckaroo},
	{"ideal2", setupP4IDEAL2},
}

func BenchmarkP4(b *testing.B) {
	for _, p := range p4Providers {
		b.Run(p.name, func(b *testing.B) {
			createThenGet := p.setup(b)
			ctx := context.Background()
			if err := createThenGet(ctx); err != nil { // connection, token
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := createThenGet(ctx); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(2*float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// TestP4Workloads runs each workload once, so a broken one fails `go test`.
func TestP4Workloads(t *testing.T) {
	for _, p := range p4Providers {
		t.Run(p.name, func(t *testing.T) {
			if err := p.setup(t)(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func closeServer(tb testing.TB, ts *httptest.Server, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(ts.Close)
}

func setupP4KassaCompleet(tb testing.TB) func(context.Context) error {
	ts, _, _, err := sbkassacompleet.NewTestServer(sbkassacompleet.Config{})
	closeServer(tb, ts, err)
	c := must(kassacompleet.New(sbkassacompleet.DefaultAPIKey, kassacompleet.WithBaseURL(ts.URL+"/v1"), kassacompleet.WithHTTPClient(sharedHTTPClient)))
	order := requestOf[kassacompleet.OrderCreate](tb, fixture(tb, "kassacompleet", "ideal-order-create"))
	return func(ctx context.Context) error {
		o, err := c.CreatePayment(ctx, order)
		if err != nil {
			return err
		}
		_, err = c.GetPayment(ctx, o.ID)
		return err
	}
}

func setupP4OPP(tb testing.TB) func(context.Context) error {
	ts, _, _, err := sbopp.NewTestServer(sbopp.Config{})
	closeServer(tb, ts, err)
	c := must(opp.New(sbopp.DefaultAPIKey, opp.WithBaseURL(ts.URL+"/v1"), opp.WithHTTPClient(sharedHTTPClient)))
	tx := requestOf[opp.TransactionCreate](tb, fixture(tb, "opp", "transaction-create"))
	// Notifications would go to the document's developer.dev; keep them local.
	tx.NotifyURL = ts.URL + "/notify"
	return func(ctx context.Context) error {
		t, err := c.CreatePayment(ctx, tx)
		if err != nil {
			return err
		}
		_, err = c.GetPayment(ctx, t.UID)
		return err
	}
}

func setupP4MultiSafepay(tb testing.TB) func(context.Context) error {
	ts, _, _, err := sbmultisafepay.NewTestServer(sbmultisafepay.Config{})
	closeServer(tb, ts, err)
	c := must(multisafepay.New(sbmultisafepay.DefaultAPIKey, multisafepay.WithBaseURL(ts.URL+sbmultisafepay.BasePath), multisafepay.WithHTTPClient(sharedHTTPClient)))
	order := requestOf[multisafepay.OrderCreate](tb, fixture(tb, "multisafepay", "order-redirect"))
	var n atomic.Int64 // order ids are the merchant's and must be unique
	return func(ctx context.Context) error {
		o := order
		o.OrderID = "perf-" + strconv.FormatInt(n.Add(1), 10)
		if _, err := c.CreatePayment(ctx, o); err != nil {
			return err
		}
		_, err := c.GetPayment(ctx, o.OrderID)
		return err
	}
}

func setupP4Buckaroo(tb testing.TB) func(context.Context) error {
	ts, _, _, err := sbbuckaroo.NewTestServer(sbbuckaroo.Config{})
	closeServer(tb, ts, err)
	c := must(buckaroo.New(sbbuckaroo.DefaultWebsiteKey, sbbuckaroo.DefaultSecretKey, buckaroo.WithBaseURL(ts.URL), buckaroo.WithHTTPClient(sharedHTTPClient)))
	req := requestOf[buckaroo.TransactionRequest](tb, fixture(tb, "buckaroo", "payininstallments"))
	return func(ctx context.Context) error {
		tx, err := c.CreatePayment(ctx, req)
		if err != nil {
			return err
		}
		_, err = c.GetPayment(ctx, tx.Key)
		return err
	}
}

func setupP4IDEAL2(tb testing.TB) func(context.Context) error {
	merchant, routing := testKeys(tb)
	m := &sbideal2.Merchant{ID: sbideal2.DefaultMerchantID, ClientName: sbideal2.DefaultClientName, Key: merchant.key, Certificate: merchant.cert}
	ts, s, _, err := sbideal2.NewTestServer(sbideal2.Config{Merchant: m, SigningKey: routing.key})
	closeServer(tb, ts, err)
	cfg := s.ClientConfig(ts.URL)
	cfg.HTTPClient = sharedHTTPClient
	c := must(ideal2.New(cfg))
	payment := requestOf[ideal2.PaymentInitiationRequest](tb, fixture(tb, "ideal2", "standard-payment-create"))
	return func(ctx context.Context) error {
		p, err := c.CreatePayment(ctx, payment)
		if err != nil {
			return err
		}
		_, err = c.GetPayment(ctx, p.CommonPaymentData.PaymentID)
		return err
	}
}
