package browser_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/clients/kassacompleet"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/money"
	sbbuckaroo "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	sbideal2 "github.com/betaalkit/betaalkit/sandbox/ideal2"
	"github.com/betaalkit/betaalkit/sandbox/internal/browser"
	sbkassacompleet "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
	sbmultisafepay "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	sbopp "github.com/betaalkit/betaalkit/sandbox/opp"
)

// shop is the merchant's site: a return page the customer lands on, and
// the webhook endpoint (our client's WebhookHandler) that records the
// status each accepted webhook read.
type shop struct {
	*httptest.Server
	mu       sync.Mutex
	webhook  http.Handler
	statuses []betaalkit.PaymentStatus
}

func newShop(t *testing.T) *shop {
	s := &shop{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/return") {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, `<!doctype html><title>Thank you</title><h1 id="thanks">Thank you for your order</h1>`)
			return
		}
		if r.URL.Path != "/webhook" {
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		h := s.webhook
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *shop) handle(h http.Handler) {
	s.mu.Lock()
	s.webhook = h
	s.mu.Unlock()
}

func (s *shop) accepted(st betaalkit.PaymentStatus) error {
	s.mu.Lock()
	s.statuses = append(s.statuses, st)
	s.mu.Unlock()
	return nil
}

func (s *shop) gotPaid() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.statuses {
		if st.IsPaid() {
			return true
		}
	}
	return false
}

// flow is one provider's payment, set up against its sandbox with our
// client: create it, and read its status back.
type flow struct {
	name string
	// start runs the sandbox for s and returns its URL, a create call
	// (the payment's id and URL) and a status read.
	start func(t *testing.T, s *shop) (sandboxURL string, create func(context.Context) (id, payURL string, err error), read func(context.Context, string) (betaalkit.PaymentStatus, error))
	// bank is the bank to pick on the page ("": the page asks for none).
	bank string
}

var flows = []flow{
	// Kassa Compleet wants the bank in the order (the shop asks for it), so
	// its page has no bank choice.
	{name: "kassacompleet", start: func(t *testing.T, s *shop) (string, func(context.Context) (string, string, error), func(context.Context, string) (betaalkit.PaymentStatus, error)) {
		ts, _, c, err := sbkassacompleet.NewTestServer(sbkassacompleet.Config{})
		require.NoError(t, err)
		t.Cleanup(ts.Close)
		s.handle(c.WebhookHandler(func(_ context.Context, o *kassacompleet.Order) error { return s.accepted(kassacompleet.StatusOf(o)) }))
		return ts.URL, func(ctx context.Context) (string, string, error) {
				o, err := c.CreatePayment(ctx, kassacompleet.OrderCreate{
					Currency: "EUR", Amount: 1250, Description: "Order 1001", MerchantOrderID: "order-1001",
					ReturnURL: s.URL + "/return", WebhookURL: s.URL + "/webhook",
					Transactions: []kassacompleet.TransactionCreate{{PaymentMethod: kassacompleet.PaymentMethodIdeal,
						PaymentMethodDetails: kassacompleet.PaymentMethodDetailsCreate{IssuerID: "INGBNL2A"}}},
				})
				if err != nil {
					return "", "", err
				}
				return o.ID, kassacompleet.PaymentURL(o), nil
			}, func(ctx context.Context, id string) (betaalkit.PaymentStatus, error) {
				o, err := c.GetPayment(ctx, id)
				return kassacompleet.StatusOf(o), err
			}
	}},
	{name: "opp", bank: "RABONL2U", start: func(t *testing.T, s *shop) (string, func(context.Context) (string, string, error), func(context.Context, string) (betaalkit.PaymentStatus, error)) {
		ts, _, c, err := sbopp.NewTestServer(sbopp.Config{})
		require.NoError(t, err)
		t.Cleanup(ts.Close)
		s.handle(c.WebhookHandler(func(_ context.Context, tx *opp.Transaction) error { return s.accepted(opp.StatusOf(tx)) }))
		return ts.URL, func(ctx context.Context) (string, string, error) {
				tx, err := c.CreatePayment(ctx, opp.TransactionCreate{
					Products:   []opp.ProductCreate{{Name: "WakeUp Light", Price: 1250, Quantity: 1}},
					TotalPrice: 1250, ReturnURL: s.URL + "/return", NotifyURL: s.URL + "/webhook",
					Metadata: map[string]string{"reference": "order-1002"},
				})
				if err != nil {
					return "", "", err
				}
				return tx.UID, opp.PaymentURL(tx), nil
			}, func(ctx context.Context, id string) (betaalkit.PaymentStatus, error) {
				tx, err := c.GetPayment(ctx, id)
				return opp.StatusOf(tx), err
			}
	}},
	{name: "multisafepay", bank: "0721", start: func(t *testing.T, s *shop) (string, func(context.Context) (string, string, error), func(context.Context, string) (betaalkit.PaymentStatus, error)) {
		ts, _, c, err := sbmultisafepay.NewTestServer(sbmultisafepay.Config{})
		require.NoError(t, err)
		t.Cleanup(ts.Close)
		s.handle(c.WebhookHandler(func(_ context.Context, o *multisafepay.Order) error { return s.accepted(multisafepay.StatusOf(o)) }))
		return ts.URL, func(ctx context.Context) (string, string, error) {
				in := multisafepay.OrderCreate{
					OrderID: "order-1003", Currency: "EUR", Amount: 1250, Description: "Order 1003",
					PaymentOptions: multisafepay.PaymentOptions{
						NotificationURL: s.URL + "/webhook", NotificationMethod: multisafepay.NotificationMethodPOST,
						RedirectURL: s.URL + "/return", CancelURL: s.URL + "/return?cancelled",
					},
				}
				o, err := c.CreatePayment(ctx, in)
				if err != nil {
					return "", "", err
				}
				return in.OrderID, multisafepay.PaymentURL(o), nil
			}, func(ctx context.Context, id string) (betaalkit.PaymentStatus, error) {
				o, err := c.GetPayment(ctx, id)
				return multisafepay.StatusOf(o), err
			}
	}},
	{name: "buckaroo", bank: "ABNANL2A", start: func(t *testing.T, s *shop) (string, func(context.Context) (string, string, error), func(context.Context, string) (betaalkit.PaymentStatus, error)) {
		ts, _, c, err := sbbuckaroo.NewTestServer(sbbuckaroo.Config{})
		require.NoError(t, err)
		t.Cleanup(ts.Close)
		push := s.URL + "/webhook"
		s.handle(c.WebhookHandler(func(_ context.Context, tx *buckaroo.Transaction) error { return s.accepted(buckaroo.StatusOf(tx)) },
			betaalkit.WebhookURL(push)))
		return ts.URL, func(ctx context.Context) (string, string, error) {
				tx, err := c.CreatePayment(ctx, buckaroo.TransactionRequest{
					Currency: "EUR", AmountDebit: money.MustDecimal("12.50"), Invoice: "order-1004", Description: "Order 1004",
					ReturnURL: s.URL + "/return", PushURL: push,
					Services: buckaroo.RequestServices{ServiceList: []buckaroo.RequestService{{Name: buckaroo.ServiceIDEAL, Action: "Pay"}}},
				})
				if err != nil {
					return "", "", err
				}
				return tx.Key, buckaroo.PaymentURL(tx), nil
			}, func(ctx context.Context, id string) (betaalkit.PaymentStatus, error) {
				tx, err := c.GetPayment(ctx, id)
				return buckaroo.StatusOf(tx), err
			}
	}},
	{name: "ideal2", bank: "INGBNL2A", start: func(t *testing.T, s *shop) (string, func(context.Context) (string, string, error), func(context.Context, string) (betaalkit.PaymentStatus, error)) {
		ts, _, c, err := sbideal2.NewTestServer(sbideal2.Config{})
		require.NoError(t, err)
		t.Cleanup(ts.Close)
		s.handle(c.WebhookHandler(func(_ context.Context, st *ideal2.PaymentStatusResponse) error {
			return s.accepted(ideal2.StatusOf(st))
		}))
		return ts.URL, func(ctx context.Context) (string, string, error) {
				p, err := c.CreatePayment(ctx, ideal2.NewPayment(1250, "Order 1005", "order-1005"),
					ideal2.WithReturnURL(s.URL+"/return"), ideal2.WithNotificationURL(s.URL+"/webhook"))
				if err != nil {
					return "", "", err
				}
				return p.CommonPaymentData.PaymentID, ideal2.PaymentURL(p), nil
			}, func(ctx context.Context, id string) (betaalkit.PaymentStatus, error) {
				st, err := c.GetPayment(ctx, id)
				return ideal2.StatusOf(st), err
			}
	}},
}

// TestPaymentInTheBrowser: for each provider, a payment created with our
// client is paid by a person in a real Chromium — the bank picked with a
// click, then Pay — and the sandbox's dashboard, in the same browser,
// shows the status paid and the webhook delivered; the shop's webhook
// handler accepted it, and the client reads paid.
func TestPaymentInTheBrowser(t *testing.T) {
	tab := browser.Start(t)
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) {
			s := newShop(t)
			sandbox, create, read := f.start(t, s)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			id, payURL, err := create(ctx)
			require.NoError(t, err)
			require.NotEmpty(t, payURL)

			// The customer: the payment page, the bank, Pay, back at the shop.
			browser.Run(t, tab, "open the payment page",
				chromedp.Navigate(payURL),
				chromedp.WaitVisible(chromedp.CSS(`button[value="pay"]`)))
			if f.bank != "" {
				browser.Run(t, tab, "pick the bank",
					chromedp.Click(chromedp.CSS(`label[for="bank-`+f.bank+`"]`)))
			}
			browser.Run(t, tab, "pay",
				chromedp.Click(chromedp.CSS(`button[value="pay"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#thanks`)))
			back, err := chromedp.Run(tab, chromedp.Location())
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(back, s.URL+"/return"), "back at the shop: %s", back)

			// The developer: the dashboard shows it paid and the webhook delivered.
			page := sandbox + "/sandbox/payments/" + f.name + "/" + id
			browser.Run(t, tab, "open the dashboard",
				chromedp.Navigate(page),
				chromedp.WaitVisible(chromedp.CSS(`#status`)))
			status, err := chromedp.Run(tab, chromedp.AttributeValue(chromedp.CSS(`#status`), "data-normalized"))
			require.NoError(t, err)
			delivered, err := chromedp.Run(tab, chromedp.AttributeValue(chromedp.CSS(`#webhook-state`), "data-delivered"))
			require.NoError(t, err)
			state, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(`#webhook-state`)))
			require.NoError(t, err)
			if status.Value != "paid" || delivered.Value != "true" {
				t.Fatalf("the dashboard shows status %q, webhook %q (%s)\n%s", status.Value, state, delivered.Value,
					browser.Screenshot(t, tab, "dashboard"))
			}
			assert.Contains(t, state, "delivered (HTTP 200)")
			timeline, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(`ol.timeline`)))
			require.NoError(t, err)
			assert.Contains(t, timeline, "payment page: pay", "the click is on the timeline")
			if f.bank != "" {
				assert.Contains(t, timeline, ", bank ", "with the bank")
			}
			assert.Contains(t, timeline, "attempt 1 of", "the webhook attempt is on the timeline")

			// The overview lists it as paid.
			browser.Run(t, tab, "open the overview",
				chromedp.Navigate(sandbox+"/sandbox/"),
				chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`tr[data-id=%q][data-normalized="paid"]`, id))))

			// The shop: its webhook handler verified and accepted a paid status,
			// and the client reads paid.
			assert.True(t, s.gotPaid(), "the shop's webhook handler accepted a paid status")
			final, err := read(ctx, id)
			require.NoError(t, err)
			assert.True(t, final.IsPaid(), "the client reads %s", final)
		})
	}
}

// TestThePageIsKeyboardUsable: on a payment page, Tab reaches the banks
// first and the Pay button after them; Space picks a bank and Enter on
// Pay pays — no mouse.
func TestThePageIsKeyboardUsable(t *testing.T) {
	tab := browser.Start(t)
	s := newShop(t)
	sandbox, create, read := flows[1].start(t, s) // OPP: its checkout asks for the bank
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id, payURL, err := create(ctx)
	require.NoError(t, err)
	browser.Run(t, tab, "open the payment page", chromedp.Navigate(payURL), chromedp.WaitVisible(chromedp.CSS(`button[value="pay"]`)))
	focused := func() string {
		v, err := chromedp.Run(tab, chromedp.Evaluate[string](`(document.activeElement.id || document.activeElement.value || document.activeElement.tagName)`))
		require.NoError(t, err)
		return v
	}
	assert.Equal(t, "bank-ABNANL2A", focused(), "the first bank has the focus")
	browser.Run(t, tab, "pick the bank with Space", chromedp.KeyEvent(" "))
	browser.Run(t, tab, "tab to Pay", chromedp.KeyEvent("\t"))
	assert.Equal(t, "pay", focused(), "after the banks (one stop for the group), Tab reaches Pay")
	browser.Run(t, tab, "pay with Enter", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS(`#thanks`)))
	final, err := read(ctx, id)
	require.NoError(t, err)
	assert.True(t, final.IsPaid(), "paid with the keyboard alone: %s", final)
	_ = sandbox
}
