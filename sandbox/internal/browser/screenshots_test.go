package browser_test

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

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
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

var screenshots = flag.String("screenshots", "", "write the README's screenshots (dashboard.png, payment-page.png, payment-timeline.png) to this directory (make screenshots)")

// TestScreenshots takes the README's pictures with the same browser code
// as the tests: the dashboard of all five simulators with payments in
// several states, a payment page, and a payment's timeline with a webhook
// the shop refused. It runs only when asked: make screenshots.
func TestScreenshots(t *testing.T) {
	if *screenshots == "" {
		t.Skip("run with -screenshots DIR (make screenshots)")
	}
	dir, err := filepath.Abs(*screenshots)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	tab := browser.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// The shop: a return page, webhook handlers, and an endpoint that is down.
	mux := http.NewServeMux()
	shop := httptest.NewServer(mux)
	defer shop.Close()
	mux.HandleFunc("/return", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("Thank you")) })
	mux.HandleFunc("/down", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"error":"order service unavailable"}`, http.StatusServiceUnavailable)
	})
	ok := func(context.Context, *kassacompleet.Order) error { return nil }

	kts, kc, kcl, err := sbkassacompleet.NewTestServer(sbkassacompleet.Config{})
	require.NoError(t, err)
	defer kts.Close()
	mux.Handle("/kassacompleet", kcl.WebhookHandler(ok))
	ots, op, ocl, err := sbopp.NewTestServer(sbopp.Config{})
	require.NoError(t, err)
	defer ots.Close()
	mux.Handle("/opp", ocl.WebhookHandler(func(context.Context, *opp.Transaction) error { return nil }))
	mts, ms, mcl, err := sbmultisafepay.NewTestServer(sbmultisafepay.Config{})
	require.NoError(t, err)
	defer mts.Close()
	mux.Handle("/multisafepay", mcl.WebhookHandler(func(context.Context, *multisafepay.Order) error { return nil }))
	bts, bs, bcl, err := sbbuckaroo.NewTestServer(sbbuckaroo.Config{})
	require.NoError(t, err)
	defer bts.Close()
	its, is, icl, err := sbideal2.NewTestServer(sbideal2.Config{})
	require.NoError(t, err)
	defer its.Close()
	mux.Handle("/ideal2", icl.WebhookHandler(func(context.Context, *ideal2.PaymentStatusResponse) error { return nil }))
	for _, c := range []*sim.Courier{kc.Webhooks(), op.Webhooks(), ms.Webhooks(), bs.Webhooks(), is.Webhooks()} {
		defer c.Close()
	}
	dash := httptest.NewServer(sim.NewDashboard("/sandbox/", kc, op, ms, bs, is))
	defer dash.Close()

	// Kassa Compleet: paid.
	order, err := kcl.CreatePayment(ctx, kassacompleet.OrderCreate{Currency: "EUR", Amount: 2495, Description: "Order 1041: espresso beans",
		MerchantOrderID: "order-1041", ReturnURL: shop.URL + "/return", WebhookURL: shop.URL + "/kassacompleet",
		Transactions: []kassacompleet.TransactionCreate{{PaymentMethod: kassacompleet.PaymentMethodIdeal,
			PaymentMethodDetails: kassacompleet.PaymentMethodDetailsCreate{IssuerID: "INGBNL2A"}}}})
	require.NoError(t, err)
	_, err = sim.PayAsCustomer(ctx, kassacompleet.PaymentURL(order), sim.Pay)
	require.NoError(t, err)
	// …and a request the spec refuses.
	refused, _ := http.NewRequest(http.MethodPost, kts.URL+"/v1/orders/", strings.NewReader(`{"currency":"EUR","amount":"12.50"}`))
	refused.SetBasicAuth(sbkassacompleet.DefaultAPIKey, "")
	refused.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(refused)
	require.NoError(t, err)
	resp.Body.Close()

	// MultiSafepay: paid, then partly refunded from the dashboard.
	mo := multisafepay.OrderCreate{OrderID: "order-1042", Currency: "EUR", Amount: 4950, Description: "Order 1042: two mugs",
		PaymentOptions: multisafepay.PaymentOptions{NotificationURL: shop.URL + "/multisafepay", NotificationMethod: multisafepay.NotificationMethodPOST,
			RedirectURL: shop.URL + "/return", CancelURL: shop.URL + "/return"}}
	created, err := mcl.CreatePayment(ctx, mo)
	require.NoError(t, err)
	_, err = sim.PayAsCustomer(ctx, multisafepay.PaymentURL(created), sim.Pay)
	require.NoError(t, err)
	require.NoError(t, ms.Act(ctx, mo.OrderID, sim.ActionRefund, url.Values{"amount": {"12.50"}}))

	// Buckaroo: paid, but the shop's push endpoint is down: retrying.
	btx, err := bcl.CreatePayment(ctx, buckaroo.TransactionRequest{Currency: "EUR", AmountDebit: money.MustDecimal("18.00"),
		Invoice: "order-1043", Description: "Order 1043: tea sampler", ReturnURL: shop.URL + "/return", PushURL: shop.URL + "/down",
		Services: buckaroo.RequestServices{ServiceList: []buckaroo.RequestService{{Name: buckaroo.ServiceIDEAL, Action: "Pay"}}}})
	require.NoError(t, err)
	_, err = sim.PayAsCustomer(ctx, buckaroo.PaymentURL(btx), sim.Pay)
	require.Error(t, err, "the push failed, and Buckaroo's page says so")

	// iDEAL 2.0: the customer cancelled at the bank.
	ip, err := icl.CreatePayment(ctx, ideal2.NewPayment(1999, "Order 1044: grinder", "order-1044"),
		ideal2.WithReturnURL(shop.URL+"/return"), ideal2.WithNotificationURL(shop.URL+"/ideal2"))
	require.NoError(t, err)
	_, err = sim.PayAsCustomer(ctx, ideal2.PaymentURL(ip), sim.Cancel)
	require.NoError(t, err)

	// OPP: open, the customer is at the checkout (the payment page shot).
	otx, err := ocl.CreatePayment(ctx, opp.TransactionCreate{
		Products:   []opp.ProductCreate{{Name: "Pour-over kettle", Price: 3450, Quantity: 1}},
		TotalPrice: 3450, ReturnURL: shop.URL + "/return", NotifyURL: shop.URL + "/opp",
		Metadata: map[string]string{"reference": "order-1045"}})
	require.NoError(t, err)

	shoot := func(name, page string, ready chromedp.Action[chromedp.Void]) {
		browser.Run(t, tab, name, chromedp.EmulateViewport(browser.Width, browser.Height), chromedp.Navigate(page), ready)
		path := filepath.Join(dir, name+".png")
		require.NoError(t, browser.Capture(tab, path))
		t.Logf("wrote %s", path)
	}
	shoot("dashboard", dash.URL+"/sandbox/", chromedp.WaitVisible(chromedp.CSS(`#payments`)))
	shoot("payment-page", opp.PaymentURL(otx), chromedp.WaitVisible(chromedp.CSS(`button[value="pay"]`)))
	shoot("payment-timeline", dash.URL+"/sandbox/payments/buckaroo/"+btx.Key, chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(`ol.timeline`)),
		chromedp.Click(chromedp.CSS(`li.webhook summary`)))) // the refused push's body and signature headers, open
}
