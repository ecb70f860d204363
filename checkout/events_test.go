package checkout_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/checkout"
	"github.com/betaalkit/betaalkit/clients/opp"
	sbbuckaroo "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	sbideal2 "github.com/betaalkit/betaalkit/sandbox/ideal2"
	sbkassacompleet "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
	sbmultisafepay "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	sbopp "github.com/betaalkit/betaalkit/sandbox/opp"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// misbehaving is a sandbox that can deliver webhooks twice, late, or as an
// earlier state of the payment.
type misbehaving interface {
	Webhooks() *sim.Courier
	Renotify(ctx context.Context, id, status string) error
}

type eventsCase struct {
	name string
	// earlier is the provider's raw status of an unpaid payment, delivered
	// after it was paid ("" where the webhook carries no status).
	earlier string
	// knowsReturn: the provider puts the payment id in the return URL.
	knowsReturn bool
	start       func(t *testing.T) (checkout.Provider, misbehaving)
}

var eventsCases = []eventsCase{
	{name: "kassacompleet", knowsReturn: true, start: func(t *testing.T) (checkout.Provider, misbehaving) {
		srv, sb, c, err := sbkassacompleet.NewTestServer(sbkassacompleet.Config{})
		closeWith(t, srv, err)
		return c.Checkout(), sb
	}},
	{name: "opp", start: func(t *testing.T) (checkout.Provider, misbehaving) {
		srv, sb, c, err := sbopp.NewTestServer(sbopp.Config{}, opp.WithMerchantUID(sbopp.DefaultMerchantUID))
		closeWith(t, srv, err)
		return c.Checkout(), sb
	}},
	{name: "multisafepay", earlier: "initialized", knowsReturn: true, start: func(t *testing.T) (checkout.Provider, misbehaving) {
		srv, sb, c, err := sbmultisafepay.NewTestServer(sbmultisafepay.Config{})
		closeWith(t, srv, err)
		return c.Checkout(), sb
	}},
	{name: "buckaroo", earlier: "791", knowsReturn: true, start: func(t *testing.T) (checkout.Provider, misbehaving) {
		srv, sb, c, err := sbbuckaroo.NewTestServer(sbbuckaroo.Config{})
		closeWith(t, srv, err)
		return c.Checkout(), sb
	}},
	{name: "ideal2", earlier: "Open", start: func(t *testing.T) (checkout.Provider, misbehaving) {
		srv, sb, c, err := sbideal2.NewTestServer(sbideal2.Config{})
		closeWith(t, srv, err)
		return c.Checkout(), sb
	}},
}

// fulfilment counts the shop's fulfilments per payment.
type fulfilment struct {
	mu    sync.Mutex
	count map[string]int
}

func (f *fulfilment) paid(p *checkout.Payment) {
	f.mu.Lock()
	f.count[p.ID]++
	f.mu.Unlock()
}

func (f *fulfilment) times(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.count[id]
}

// Webhooks twice, out of order or late, and a customer back before the
// webhook: the shop's recorded status ends right and the order is
// fulfilled exactly once.
func TestEventsNeverMoveAPaymentBack(t *testing.T) {
	for _, tc := range eventsCases {
		t.Run(tc.name, func(t *testing.T) {
			p, sb := tc.start(t)
			done := &fulfilment{count: map[string]int{}}
			shop := &checkout.Tracker{OnPaid: done.paid}
			var mu sync.Mutex
			decisions := map[checkout.Decision]int{}
			hooks := httptest.NewServer(p.WebhookHandler(func(_ context.Context, ev checkout.Event) error {
				d := shop.Observe(ev.Payment)
				mu.Lock()
				decisions[d]++
				mu.Unlock()
				return nil
			}))
			t.Cleanup(hooks.Close)
			ctx := context.Background()
			create := func(t *testing.T, ref string) *checkout.Payment {
				t.Helper()
				created, err := p.Create(ctx, checkout.Request{Amount: 1250, Reference: ref, Description: "Order " + ref,
					Method: checkout.MethodIDEAL, Issuer: "INGBNL2A", ReturnURL: "https://shop.example/return?ref=" + ref, WebhookURL: hooks.URL}) // the bare origin, as shops often write it
				require.NoError(t, err)
				return created
			}
			// returnPage is the shop's return page: it knows the payment id
			// from its session where the provider does not send it.
			returnPage := func(t *testing.T, created *checkout.Payment, back string) *checkout.Payment {
				t.Helper()
				known := checkout.Return{Reference: created.Reference}
				if !tc.knowsReturn {
					known.PaymentID = created.ID
				}
				got, err := checkout.Returned(ctx, p, httptest.NewRequest(http.MethodGet, back, nil), known)
				require.NoError(t, err)
				shop.Observe(got)
				return got
			}

			t.Run("twice", func(t *testing.T) {
				sb.Webhooks().Duplicate(true)
				defer sb.Webhooks().Duplicate(false)
				created := create(t, "twice-"+tc.name)
				_, err := sim.PayAsCustomer(ctx, created.PaymentURL, sim.Pay)
				require.NoError(t, err)
				assert.Equal(t, betaalkit.StatusPaid, shop.Status(tc.name, created.ID))
				assert.Equal(t, 1, done.times(created.ID), "fulfilled once")

				// An earlier state delivered after paid (a stale retry of the
				// provider's first notification).
				require.NoError(t, sb.Renotify(ctx, created.ID, tc.earlier))
				assert.Equal(t, betaalkit.StatusPaid, shop.Status(tc.name, created.ID), "never back from paid")
				assert.Equal(t, 1, done.times(created.ID))
			})

			t.Run("late", func(t *testing.T) {
				sb.Webhooks().Hold()
				created := create(t, "late-"+tc.name)
				_, err := sim.PayAsCustomer(ctx, created.PaymentURL, sim.Pay)
				require.NoError(t, err)
				assert.Empty(t, shop.Status(tc.name, created.ID), "nothing arrived yet")
				require.NoError(t, sb.Webhooks().Release(ctx, true))
				assert.Equal(t, betaalkit.StatusPaid, shop.Status(tc.name, created.ID))
				assert.Equal(t, 1, done.times(created.ID))
			})

			t.Run("back before the webhook", func(t *testing.T) {
				sb.Webhooks().Hold()
				created := create(t, "race-"+tc.name)
				back, err := sim.PayAsCustomer(ctx, created.PaymentURL, sim.Pay)
				require.NoError(t, err)
				got := returnPage(t, created, back)
				assert.True(t, got.Status.IsPaid(), "the return page reads the provider: %s", got.Status)
				assert.Equal(t, 1, done.times(created.ID), "fulfilled from the return page")
				require.NoError(t, sb.Webhooks().Release(ctx, false))
				assert.Equal(t, betaalkit.StatusPaid, shop.Status(tc.name, created.ID))
				assert.Equal(t, 1, done.times(created.ID), "the webhook after it fulfils nothing again")
			})

			t.Run("forged return", func(t *testing.T) {
				created := create(t, "forged-"+tc.name)
				forged := "https://shop.example/return?ref=" + created.Reference + "&status=paid&brq_statuscode=190" +
					"&order_id=" + created.ID + "&transactionid=" + created.ID + "&brq_transactions=" + created.ID
				got := returnPage(t, created, forged)
				assert.False(t, got.Status.IsPaid(), "a typed status=paid is not a payment: %s", got.Status)
				assert.Zero(t, done.times(created.ID))
				assert.NotEqual(t, betaalkit.StatusPaid, shop.Status(tc.name, created.ID))
			})
			t.Logf("webhook decisions: %v", decisions)
		})
	}
}

func TestReturnNamingAnotherOrderIsRefused(t *testing.T) {
	p, _ := eventsCases[0].start(t)
	ctx := context.Background()
	a, err := p.Create(ctx, checkout.Request{Amount: 100, Reference: "a", Method: checkout.MethodIDEAL, Issuer: "INGBNL2A", ReturnURL: "https://shop.example/r"})
	require.NoError(t, err)
	_, err = checkout.Returned(ctx, p, httptest.NewRequest(http.MethodGet, "https://shop.example/r?order_id="+a.ID, nil), checkout.Return{Reference: "b"})
	assert.ErrorIs(t, err, checkout.ErrReturnMismatch)
	_, err = checkout.Returned(ctx, p, httptest.NewRequest(http.MethodGet, "https://shop.example/r", nil), checkout.Return{})
	assert.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
	assert.True(t, strings.Contains(err.Error(), "PaymentID"))
}
