package checkout_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/checkout"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/clients/kassacompleet"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/money"
	sbbuckaroo "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	sbideal2 "github.com/betaalkit/betaalkit/sandbox/ideal2"
	sbkassacompleet "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
	sbmultisafepay "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	sbopp "github.com/betaalkit/betaalkit/sandbox/opp"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// The conformance suite: one shop, written once against checkout, runs on
// every provider's sandbox. Where a provider truly differs (which status a
// refund leaves, whether it refunds at all), the table says so.

// sandboxed is one provider's sandbox, serving a checkout.Provider.
type sandboxed struct {
	provider checkout.Provider
	// sent counts the requests that reached the sandbox's API.
	sent *atomic.Int64
}

// counting counts every request that leaves the client.
type counting struct{ n *atomic.Int64 }

func (c counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

type conformance struct {
	name  string
	start func(t *testing.T, hc *http.Client) checkout.Provider
	// afterRefund is the normalized status a partial and a full refund
	// leave on the payment (Buckaroo's payment stays 190: the refund is a
	// transaction of its own).
	afterPartial, afterFull betaalkit.Status
	// expired is what letting the payment expire ends in.
	expired betaalkit.Status
}

func closeWith(t *testing.T, srv *httptest.Server, err error) {
	t.Helper()
	require.NoError(t, err)
	t.Cleanup(srv.Close)
}

var suite = []conformance{
	{
		// A refund is an order of its own; the refunded order stays
		// completed (with the flag has-refunds).
		name: "kassacompleet", expired: betaalkit.StatusExpired,
		afterPartial: betaalkit.StatusPaid, afterFull: betaalkit.StatusPaid,
		start: func(t *testing.T, hc *http.Client) checkout.Provider {
			srv, _, c, err := sbkassacompleet.NewTestServer(sbkassacompleet.Config{}, kassacompleet.WithHTTPClient(hc))
			closeWith(t, srv, err)
			return c.Checkout()
		},
	},
	{
		name: "opp", expired: betaalkit.StatusExpired,
		afterPartial: betaalkit.StatusRefunded, afterFull: betaalkit.StatusRefunded,
		start: func(t *testing.T, hc *http.Client) checkout.Provider {
			srv, _, c, err := sbopp.NewTestServer(sbopp.Config{}, opp.WithHTTPClient(hc), opp.WithMerchantUID(sbopp.DefaultMerchantUID))
			closeWith(t, srv, err)
			return c.Checkout()
		},
	},
	{
		name: "multisafepay", expired: betaalkit.StatusExpired,
		afterPartial: betaalkit.StatusPartiallyRefunded, afterFull: betaalkit.StatusRefunded,
		start: func(t *testing.T, hc *http.Client) checkout.Provider {
			srv, _, c, err := sbmultisafepay.NewTestServer(sbmultisafepay.Config{}, multisafepay.WithHTTPClient(hc))
			closeWith(t, srv, err)
			return c.Checkout()
		},
	},
	{
		name: "buckaroo", expired: betaalkit.StatusCanceled,
		afterPartial: betaalkit.StatusPaid, afterFull: betaalkit.StatusPaid,
		start: func(t *testing.T, hc *http.Client) checkout.Provider {
			srv, _, c, err := sbbuckaroo.NewTestServer(sbbuckaroo.Config{}, buckaroo.WithHTTPClient(hc))
			closeWith(t, srv, err)
			return c.Checkout()
		},
	},
	{
		name: "ideal2", expired: betaalkit.StatusExpired,
		start: func(t *testing.T, hc *http.Client) checkout.Provider {
			srv, _, c, err := sbideal2.NewTestServer(sbideal2.Config{}, func(cfg *ideal2.Config) { cfg.HTTPClient = hc })
			closeWith(t, srv, err)
			return c.Checkout()
		},
	},
}

// shop is the code a shop writes once: it records what its webhook got.
type shop struct {
	mu     sync.Mutex
	events map[string][]*checkout.Payment // by payment id
}

func (s *shop) onEvent(_ context.Context, ev checkout.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events[ev.Payment.ID] = append(s.events[ev.Payment.ID], ev.Payment)
	return nil
}

func (s *shop) last(id string) *checkout.Payment {
	s.mu.Lock()
	defer s.mu.Unlock()
	if evs := s.events[id]; len(evs) > 0 {
		return evs[len(evs)-1]
	}
	return nil
}

func TestConformance(t *testing.T) {
	for _, tc := range suite {
		t.Run(tc.name, func(t *testing.T) {
			var sent atomic.Int64
			p := tc.start(t, &http.Client{Transport: counting{&sent}})
			s := &shop{events: map[string][]*checkout.Payment{}}
			hooks := httptest.NewServer(p.WebhookHandler(s.onEvent))
			t.Cleanup(hooks.Close)
			caps := p.Capabilities()
			require.True(t, caps.Supports(checkout.MethodIDEAL, "EUR"), "every provider takes iDEAL in euros")

			for _, flow := range []struct {
				choice sim.Choice
				want   betaalkit.Status
			}{
				{sim.Pay, betaalkit.StatusPaid},
				{sim.Cancel, betaalkit.StatusCanceled},
				{sim.Fail, betaalkit.StatusFailed},
				{sim.Expire, tc.expired},
			} {
				t.Run(string(flow.choice), func(t *testing.T) {
					ctx := context.Background()
					ref := "order-" + tc.name + "-" + string(flow.choice)
					created, err := p.Create(ctx, checkout.Request{
						Amount: 1250, Reference: ref, Description: "Order " + ref,
						Method: checkout.MethodIDEAL, Issuer: "INGBNL2A",
						ReturnURL: "https://shop.example/return", WebhookURL: hooks.URL + "/webhook",
					})
					require.NoError(t, err)
					assert.Equal(t, tc.name, created.Provider)
					assert.NotEmpty(t, created.ID)
					assert.Equal(t, money1250, created.Amount)
					assert.False(t, created.Status.IsFinal(), "a new payment is not decided: %s", created.Status)
					require.NotEmpty(t, created.PaymentURL, "where to send the customer")

					_, err = sim.PayAsCustomer(ctx, created.PaymentURL, flow.choice)
					require.NoError(t, err)

					ev := s.last(created.ID)
					require.NotNil(t, ev, "the webhook reached the shop, verified and normalized")
					assert.Equal(t, flow.want, ev.Status.Status, "webhook: %s", ev.Status)
					got, err := p.Get(ctx, created.ID)
					require.NoError(t, err)
					assert.Equal(t, flow.want, got.Status.Status, "get: %s", got.Status)
					assert.True(t, got.Status.IsFinal())
					assert.Equal(t, flow.want == betaalkit.StatusPaid, got.Status.IsPaid())
					assert.NotEmpty(t, got.Status.Raw, "the provider's own status is kept")
					if got.Amount != 0 || tc.name != "ideal2" || flow.choice == sim.Pay {
						assert.Equal(t, money1250, got.Amount, "the amount in cents")
					}

					if flow.choice != sim.Pay {
						return
					}
					before := sent.Load()
					partial, err := p.Refund(ctx, checkout.RefundRequest{PaymentID: created.ID, Amount: 250, Description: "one item back"})
					if !caps.Refunds {
						assert.ErrorIs(t, err, checkout.ErrNotSupported)
						assert.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
						assert.Equal(t, before, sent.Load(), "refused before any request was sent")
						return
					}
					require.NoError(t, err)
					assert.EqualValues(t, 250, partial.Amount)
					got, err = p.Get(ctx, created.ID)
					require.NoError(t, err)
					assert.Equal(t, tc.afterPartial, got.Status.Status, "after a partial refund: %s", got.Status)

					full, err := p.Refund(ctx, checkout.RefundRequest{PaymentID: created.ID, Amount: 1000})
					require.NoError(t, err)
					assert.EqualValues(t, 1000, full.Amount)
					got, err = p.Get(ctx, created.ID)
					require.NoError(t, err)
					assert.Equal(t, tc.afterFull, got.Status.Status, "after refunding the rest: %s", got.Status)
				})
			}

			t.Run("find by reference", func(t *testing.T) {
				ctx := context.Background()
				before := sent.Load()
				_, err := p.FindByReference(ctx, "order-"+tc.name+"-pay")
				if !caps.FindByReference {
					assert.ErrorIs(t, err, checkout.ErrNotSupported)
					assert.Equal(t, before, sent.Load(), "refused before any request was sent")
					return
				}
				require.NoError(t, err)
				_, err = p.FindByReference(ctx, "order-that-never-was")
				assert.ErrorIs(t, err, checkout.ErrNotFound)
			})
		})
	}
}

const money1250 = money.Cents(1250)

// Every status value in each spec's enums maps to exactly one normalized
// status (each client's tests read them from its spec); this checks the
// property they share: nothing unknown is ever paid or final.
func TestUnknownStatusIsNeverPaid(t *testing.T) {
	for name, normalize := range map[string]func(string) betaalkit.Status{
		"kassacompleet": kassacompleet.NormalizeStatus, "opp": opp.NormalizeStatus,
		"multisafepay": multisafepay.NormalizeStatus, "buckaroo": buckaroo.NormalizeStatus, "ideal2": ideal2.NormalizeStatus,
	} {
		for _, raw := range []string{"", "paid", "PAID", "success", "settled", "999", "Completed ", "authorised"} {
			got := normalize(raw)
			assert.Equal(t, betaalkit.StatusUnknown, got, "%s: %q", name, raw)
			assert.False(t, got.IsPaid())
		}
	}
}

func TestErrorsAreNotHidden(t *testing.T) {
	var sent atomic.Int64
	p := suite[0].start(t, &http.Client{Transport: counting{&sent}})
	_, err := p.Create(context.Background(), checkout.Request{Amount: 100, Reference: "x", Method: checkout.MethodPayPal})
	var unsupported *checkout.UnsupportedError
	require.True(t, errors.As(err, &unsupported), "%v", err)
	assert.Zero(t, sent.Load())
}

// In3 needs the customer and the order lines; through checkout they are
// the same Request fields for every provider that takes In3 (Buckaroo).
func TestIn3ThroughCheckout(t *testing.T) {
	srv, _, c, err := sbbuckaroo.NewTestServer(sbbuckaroo.Config{})
	closeWith(t, srv, err)
	p := c.Checkout()
	s := &shop{events: map[string][]*checkout.Payment{}}
	hooks := httptest.NewServer(p.WebhookHandler(s.onEvent))
	defer hooks.Close()
	ctx := context.Background()
	req := checkout.Request{
		Amount: 1000, Reference: "in3-1", Description: "Order in3-1", Method: checkout.MethodIn3,
		ReturnURL: "https://shop.example/return", WebhookURL: hooks.URL + "/push",
		Customer: &checkout.Customer{FirstName: "J.", LastName: "de Tester", Initials: "J.", Email: "j@example.com", Phone: "0612345678",
			BirthDate: "1990-01-01", IP: "192.0.2.1",
			Address: checkout.Address{Street: "Hoofdstraat", HouseNumber: "9A", PostalCode: "1234AB", City: "Amsterdam", Country: "NL"}},
		Lines: []checkout.Line{{Code: "64381664", Name: "Shirt", Quantity: 2, UnitPrice: 600}, {Name: "Korting", Quantity: 1, UnitPrice: -200}},
	}
	created, err := p.Create(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, checkout.MethodIn3, created.Method)
	_, err = sim.PayAsCustomer(ctx, created.PaymentURL, sim.Pay)
	require.NoError(t, err)
	got, err := p.Get(ctx, created.ID)
	require.NoError(t, err)
	assert.True(t, got.Status.IsPaid(), "%s", got.Status)
	require.NotNil(t, s.last(created.ID))

	bad := req
	bad.Reference, bad.Lines = "in3-2", []checkout.Line{{Name: "Shirt", Quantity: 1, UnitPrice: 600}}
	_, err = p.Create(ctx, bad)
	var fe *betaalkit.FieldError
	require.ErrorAs(t, err, &fe, "lines that do not add up are refused before sending")
	assert.Equal(t, "Lines", fe.Field)
	bad.Lines, bad.Customer = nil, nil
	_, err = p.Create(ctx, bad)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "Customer", fe.Field)
}
