package multisafepay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/money"
	sandbox "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	"github.com/betaalkit/betaalkit/sandbox/sim"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

// start runs a sandbox and returns a client of ours whose every response is
// also checked against the spec.
func start(t *testing.T, cfg sandbox.Config) (*httptest.Server, *sandbox.Server, *multisafepay.Client) {
	t.Helper()
	ts, s, _, err := sandbox.NewTestServer(cfg)
	require.NoError(t, err)
	t.Cleanup(ts.Close)
	v, err := specs.NewValidator("multisafepay")
	require.NoError(t, err)
	check := signing.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			return resp, err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		route, params, rerr := v.Route(req.Method, req.URL.EscapedPath())
		if assert.NoError(t, rerr) {
			assert.NoError(t, v.ValidateResponse(req.Context(), req, route, params, resp.StatusCode, resp.Header, body), "%s %s answered %s", req.Method, req.URL.Path, body)
		}
		return resp, nil
	})
	key := cfg.APIKey
	if key == "" {
		key = sandbox.DefaultAPIKey
	}
	c, err := multisafepay.New(key, multisafepay.WithBaseURL(ts.URL+sandbox.BasePath), multisafepay.WithHTTPClient(&http.Client{Transport: check}))
	require.NoError(t, err)
	return ts, s, c
}

// received is one notification as the shop's endpoint saw it.
type received struct {
	method string
	query  url.Values
	auth   string
	body   []byte
	order  *multisafepay.Order // set when our WebhookHandler accepted it
}

// shop is the merchant's notification endpoint: it records every request
// and verifies POSTs with our client's WebhookHandler.
func shop(t *testing.T, apiKey string, opts ...betaalkit.WebhookOption) (*httptest.Server, chan received) {
	t.Helper()
	got := make(chan received, 16)
	merchant, err := multisafepay.New(apiKey, multisafepay.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := received{method: r.Method, query: r.URL.Query(), auth: r.Header.Get("Auth"), body: body}
		if r.Method == http.MethodGet {
			got <- rec
			_, _ = io.WriteString(w, "OK")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		merchant.WebhookHandler(func(_ context.Context, o *multisafepay.Order) error {
			rec.order = o
			return nil
		}, opts...).ServeHTTP(w, r)
		got <- rec
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func next(t *testing.T, got chan received) received {
	t.Helper()
	select {
	case r := <-got:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no notification")
		return received{}
	}
}

var orderSeq struct {
	sync.Mutex
	n int
}

func newOrderID() string {
	orderSeq.Lock()
	defer orderSeq.Unlock()
	orderSeq.n++
	return "order-" + strconv.Itoa(orderSeq.n)
}

func redirectOrder(notify string, amount money.Cents) multisafepay.OrderCreate {
	return multisafepay.OrderCreate{
		OrderID: newOrderID(), Currency: "EUR", Amount: amount, Description: "Sandbox order",
		PaymentOptions: multisafepay.PaymentOptions{
			NotificationURL:    notify,
			RedirectURL:        "https://shop.example/success",
			CancelURL:          "https://shop.example/cancel",
			NotificationMethod: multisafepay.NotificationMethodPOST,
		},
	}
}

func TestLifecycleThroughThePaymentPage(t *testing.T) {
	notify, got := shop(t, sandbox.DefaultAPIKey)
	_, _, c := start(t, sandbox.Config{})
	ctx := context.Background()

	for _, tc := range []struct {
		choice sim.Choice
		want   string
		status betaalkit.Status
		back   string
	}{
		{sim.Pay, multisafepay.StatusCompleted, betaalkit.StatusPaid, "https://shop.example/success"},
		{sim.Cancel, multisafepay.StatusCanceled, betaalkit.StatusCanceled, "https://shop.example/cancel"},
		{sim.Fail, multisafepay.StatusDeclined, betaalkit.StatusFailed, "https://shop.example/success"},
		// An expired payment is unsuccessful: the customer goes to cancel_url.
		{sim.Expire, multisafepay.StatusExpired, betaalkit.StatusExpired, "https://shop.example/cancel"},
	} {
		t.Run(string(tc.choice), func(t *testing.T) {
			in := redirectOrder(notify.URL+"/notify?shop=1", 1000)
			created, err := c.CreatePayment(ctx, in)
			require.NoError(t, err)
			assert.Equal(t, in.OrderID, created.OrderID.String())
			require.NotEmpty(t, multisafepay.PaymentURL(created), "a redirect order answers its payment_url")
			assert.Empty(t, created.Status, "a redirect order answers only order_id and payment_url")

			before, err := c.GetPayment(ctx, in.OrderID)
			require.NoError(t, err)
			assert.Equal(t, multisafepay.StatusInitialized, before.Status)

			back, err := sim.PayAsCustomer(ctx, created.PaymentURL, tc.choice)
			require.NoError(t, err)
			assert.Equal(t, tc.back+"?transactionid="+in.OrderID, back)

			n := next(t, got)
			require.NotNil(t, n.order, "our WebhookHandler accepted the notification: %s", n.body)
			assert.Equal(t, in.OrderID, n.order.OrderID.String())
			assert.Equal(t, tc.want, n.order.Status)
			assert.Equal(t, in.OrderID, n.query.Get("transactionid"))
			assert.Equal(t, "1", n.query.Get("shop"), "the shop's own query is kept")

			final, err := c.GetPayment(ctx, in.OrderID)
			require.NoError(t, err)
			assert.Equal(t, tc.want, final.Status)
			assert.Equal(t, tc.want, final.FinancialStatus)
			assert.Equal(t, betaalkit.PaymentStatus{Status: tc.status, Raw: tc.want}, multisafepay.StatusOf(final))
			assert.Equal(t, before.TransactionID.String(), final.TransactionID.String())

			_, err = sim.PayAsCustomer(ctx, created.PaymentURL, sim.Pay)
			assert.Error(t, err, "a final order cannot be paid again")
		})
	}
}

func TestDirectIdealGoesToTheBank(t *testing.T) {
	notify, got := shop(t, sandbox.DefaultAPIKey)
	_, _, c := start(t, sandbox.Config{})
	ctx := context.Background()
	issuers, err := c.ListIdealIssuers(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, issuers)

	in := redirectOrder(notify.URL, 100000)
	in.Type, in.Gateway = multisafepay.OrderTypeDirect, "iDEAL"
	in.GatewayInfo = multisafepay.GatewayInfo{IssuerID: issuers[len(issuers)-1].Code}
	order, err := c.CreatePayment(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, multisafepay.StatusInitialized, order.Status, "a direct order answers the full order")
	assert.NotEmpty(t, order.TransactionID.String())
	assert.Equal(t, multisafepay.GatewayIDEAL, order.Gateway)
	assert.Equal(t, issuers[len(issuers)-1].Code, order.PaymentDetails.IssuerID.String())
	assert.Contains(t, order.PaymentURL, "/ideal/")

	resp, err := http.Get(order.PaymentURL)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(page), "iDEAL · "+issuers[len(issuers)-1].Description, "the customer is at their bank")
	assert.Contains(t, string(page), "EUR 1000.00")

	_, err = sim.PayAsCustomer(ctx, order.PaymentURL, sim.Pay)
	require.NoError(t, err)
	assert.Equal(t, multisafepay.StatusCompleted, next(t, got).order.Status)

	final, err := c.GetPayment(ctx, in.OrderID)
	require.NoError(t, err)
	assert.Equal(t, multisafepay.StatusCompleted, final.Status)
	require.NotEmpty(t, final.PaymentMethods)
	assert.Equal(t, multisafepay.GatewayIDEAL, final.PaymentMethods[0].Type)
	assert.Equal(t, "0.49", final.Costs[0].Amount.String())

	t.Run("unknown issuer", func(t *testing.T) {
		in := redirectOrder("", 1000)
		in.Type, in.Gateway = multisafepay.OrderTypeDirect, multisafepay.GatewayIDEAL
		in.GatewayInfo = multisafepay.GatewayInfo{IssuerID: "9999"}
		_, err := c.CreatePayment(ctx, in)
		assert.True(t, multisafepay.HasCode(err, multisafepay.CodeInvalidIdealIssuer), "%v", err)
	})
	t.Run("unknown gateway", func(t *testing.T) {
		in := redirectOrder("", 1000)
		in.Gateway = "NOPE"
		_, err := c.CreatePayment(ctx, in)
		assert.True(t, multisafepay.HasCode(err, multisafepay.CodeUnknown), "%v", err)
	})
}

func TestDirectBankTransferHasInstructionsAndNoPage(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	in := redirectOrder("", 2500)
	in.Type, in.Gateway = multisafepay.OrderTypeDirect, multisafepay.GatewayBankTransfer
	order, err := c.CreatePayment(ctx, in)
	require.NoError(t, err)
	assert.Empty(t, multisafepay.PaymentURL(order))
	assert.NotEmpty(t, order.GatewayInfo.Reference)
	assert.NotEmpty(t, order.GatewayInfo.DestinationHolderIban)

	// The money arrives: the merchant marks the order completed.
	require.NoError(t, c.UpdateOrder(ctx, in.OrderID, multisafepay.OrderUpdate{Status: multisafepay.UpdateStatusCompleted}))
	got, ok := s.Order(in.OrderID)
	require.True(t, ok)
	assert.Equal(t, multisafepay.StatusCompleted, got.Status)
	assert.Equal(t, multisafepay.GatewayBankTransfer, got.PaymentDetails.Type)
}

func TestNotificationIsSignedAsMultiSafepaySignsIt(t *testing.T) {
	notify, got := shop(t, sandbox.DefaultAPIKey)
	_, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	in := redirectOrder(notify.URL, 1250)
	_, err := c.CreatePayment(ctx, in)
	require.NoError(t, err)
	_, err = s.Complete(ctx, in.OrderID, sim.Pay)
	require.NoError(t, err)
	n := next(t, got)
	require.Equal(t, http.MethodPost, n.method)

	// Auth = base64("<ts>:" + hex(HMAC-SHA512(key, ts + ":" + body))), checked by our verifier.
	signed, err := signing.VerifyMultiSafepayNotification(n.body, n.auth, sandbox.DefaultAPIKey, nil, 0)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), signed, 5*time.Second)
	assert.Equal(t, strconv.FormatInt(signed.Unix(), 10), n.query.Get("timestamp"))
	_, err = signing.VerifyMultiSafepayNotification(n.body, n.auth, "another-website-key", nil, 0)
	assert.ErrorIs(t, err, signing.ErrSignatureMismatch, "another key does not verify")
	tampered := bytes.Replace(n.body, []byte(`"completed"`), []byte(`"refunded"`), 1)
	_, err = signing.VerifyMultiSafepayNotification(tampered, n.auth, sandbox.DefaultAPIKey, nil, 0)
	assert.ErrorIs(t, err, signing.ErrSignatureMismatch, "a changed body does not verify")

	// The body is the order exactly as GET /orders/{id} returns it.
	raw := getRaw(t, s, in.OrderID)
	assert.JSONEq(t, string(raw), string(n.body))
	v, err := specs.NewValidator("multisafepay")
	require.NoError(t, err)
	assert.NoError(t, v.ValidateSchema("Notification", n.body))
	var wire map[string]any
	require.NoError(t, json.Unmarshal(n.body, &wire))
	assert.IsType(t, float64(0), wire["transaction_id"], "transaction_id is a JSON number, as MultiSafepay sends it")
}

// getRaw returns the data of GET /orders/{id} as sent.
func getRaw(t *testing.T, s *sandbox.Server, orderID string) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, sandbox.BasePath+"/orders/"+url.PathEscape(orderID), nil)
	req.Header["api_key"] = []string{sandbox.DefaultAPIKey}
	s.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var env struct {
		Success bool            `json:"success"`
		Data    json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &env))
	require.True(t, env.Success)
	return env.Data
}

func TestStaleNotificationIsRefused(t *testing.T) {
	notify, got := shop(t, sandbox.DefaultAPIKey)
	// A sandbox whose clock is an hour behind signs notifications our handler finds stale.
	_, s, c := start(t, sandbox.Config{Now: func() time.Time { return time.Now().Add(-time.Hour) }})
	ctx := context.Background()
	in := redirectOrder(notify.URL, 1000)
	_, err := c.CreatePayment(ctx, in)
	require.NoError(t, err)
	order, err := s.Complete(ctx, in.OrderID, sim.Pay)
	assert.ErrorIs(t, err, sandbox.ErrNotification)
	assert.Contains(t, err.Error(), "401")
	assert.Equal(t, multisafepay.StatusCompleted, order.Status, "the payment stands")
	n := next(t, got)
	assert.Nil(t, n.order, "our handler refused it")
	_, err = signing.VerifyMultiSafepayNotification(n.body, n.auth, sandbox.DefaultAPIKey, nil, 0)
	assert.ErrorIs(t, err, signing.ErrStale)

	// Through the payment page the customer learns the shop did not take it.
	in = redirectOrder(notify.URL, 1000)
	created, err := c.CreatePayment(ctx, in)
	require.NoError(t, err)
	_, err = sim.PayAsCustomer(ctx, created.PaymentURL, sim.Pay)
	assert.ErrorContains(t, err, "502")
}

func TestNotificationForAnotherKeyIsRefused(t *testing.T) {
	notify, got := shop(t, "the-shop-thinks-this-is-the-key")
	_, s, c := start(t, sandbox.Config{})
	in := redirectOrder(notify.URL, 1000)
	_, err := c.CreatePayment(context.Background(), in)
	require.NoError(t, err)
	_, err = s.Complete(context.Background(), in.OrderID, sim.Pay)
	assert.ErrorIs(t, err, sandbox.ErrNotification)
	assert.Nil(t, next(t, got).order)
}

func TestGETNotificationIsTheDefault(t *testing.T) {
	notify, got := shop(t, sandbox.DefaultAPIKey)
	_, s, c := start(t, sandbox.Config{NotificationURL: notify.URL + "/website"})
	in := redirectOrder("", 1000)
	in.PaymentOptions.NotificationMethod = ""
	_, err := c.CreatePayment(context.Background(), in)
	require.NoError(t, err)
	_, err = s.Expire(context.Background(), in.OrderID)
	require.NoError(t, err)
	n := next(t, got)
	assert.Equal(t, http.MethodGet, n.method, "MultiSafepay's default notification method")
	assert.Equal(t, in.OrderID, n.query.Get("transactionid"))
	assert.NotEmpty(t, n.query.Get("timestamp"))
	assert.Empty(t, n.auth, "GET notifications are not signed")
	final, err := c.GetPayment(context.Background(), in.OrderID)
	require.NoError(t, err)
	assert.Equal(t, multisafepay.StatusExpired, final.Status)
}

func TestWrongKeyIsRefusedInMultiSafepayFormat(t *testing.T) {
	ts, _, _ := start(t, sandbox.Config{})
	wrong, err := multisafepay.New("not-the-key", multisafepay.WithBaseURL(ts.URL+sandbox.BasePath))
	require.NoError(t, err)
	_, err = wrong.ListGateways(context.Background(), multisafepay.GatewayFilter{})
	var merr *multisafepay.Error
	require.True(t, errors.As(err, &merr), "%v", err)
	assert.Equal(t, http.StatusUnauthorized, merr.StatusCode)
	assert.Equal(t, multisafepay.CodeInvalidAPIKey, merr.Code)
	assert.Equal(t, "Invalid API key", merr.Info)

	for name, header := range map[string]http.Header{
		"missing":            {},
		"wrong":              {"api_key": {"not-the-key"}},
		"other header":       {"Authorization": {"Bearer " + sandbox.DefaultAPIKey}},
		"key as prefix only": {"api_key": {sandbox.DefaultAPIKey[:5]}},
	} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, ts.URL+sandbox.BasePath+"/orders", strings.NewReader(`{}`))
			req.Header = header
			status, body := do(t, req)
			assert.Equal(t, http.StatusUnauthorized, status)
			assert.JSONEq(t, `{"success":false,"data":{},"error_code":1032,"error_info":"Invalid API key"}`, body)
		})
	}
}

func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	return resp.StatusCode, string(body)
}

func TestSpecViolationIsRefusedNamingTheField(t *testing.T) {
	ts, _, _ := start(t, sandbox.Config{})
	for _, tc := range []struct {
		name, path, body, field string
		code                    multisafepay.ErrorCode
	}{
		{"decimal amount", "/orders", `{"order_id":"o-1","currency":"EUR","amount":"9.95","description":"x"}`, "amount", multisafepay.CodeInvalidAmount},
		{"missing order_id", "/orders", `{"currency":"EUR","amount":995,"description":"x"}`, "order_id", multisafepay.CodeInvalidOrderID},
		{"lower-case currency", "/orders", `{"order_id":"o-1","currency":"eur","amount":995,"description":"x"}`, "currency", multisafepay.CodeInvalidCurrency},
		{"long description", "/orders", `{"order_id":"o-1","currency":"EUR","amount":995,"description":"` + strings.Repeat("x", 201) + `"}`, "description", multisafepay.CodeInvalidDescription},
		{"notification method", "/orders", `{"order_id":"o-1","currency":"EUR","amount":995,"description":"x","payment_options":{"notification_method":"PUT"}}`, "notification_method", multisafepay.CodeUnknown},
		{"refund amount", "/orders/o-1/refunds", `{"currency":"EUR","amount":2.5}`, "amount", multisafepay.CodeInvalidAmount},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, ts.URL+sandbox.BasePath+tc.path, strings.NewReader(tc.body))
			req.Header["api_key"] = []string{sandbox.DefaultAPIKey}
			req.Header.Set("Content-Type", "application/json")
			status, body := do(t, req)
			assert.Equal(t, http.StatusBadRequest, status)
			var env struct {
				Success   *bool  `json:"success"`
				Data      any    `json:"data"`
				ErrorCode int    `json:"error_code"`
				ErrorInfo string `json:"error_info"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &env), body)
			require.NotNil(t, env.Success)
			assert.False(t, *env.Success)
			assert.Equal(t, map[string]any{}, env.Data)
			assert.Equal(t, int(tc.code), env.ErrorCode, env.ErrorInfo)
			assert.Contains(t, env.ErrorInfo, tc.field)
		})
	}
}

func TestOrderIDsAreUniqueAndKnown(t *testing.T) {
	_, _, c := start(t, sandbox.Config{})
	ctx := context.Background()
	in := redirectOrder("", 1000)
	_, err := c.CreatePayment(ctx, in)
	require.NoError(t, err)
	_, err = c.CreatePayment(ctx, in)
	var merr *multisafepay.Error
	require.True(t, errors.As(err, &merr), "%v", err)
	assert.Equal(t, http.StatusConflict, merr.StatusCode)
	assert.Equal(t, multisafepay.CodeInvalidOrderID, merr.Code)

	_, err = c.GetPayment(ctx, "no-such-order")
	require.True(t, errors.As(err, &merr), "%v", err)
	assert.Equal(t, http.StatusNotFound, merr.StatusCode)
	assert.Equal(t, multisafepay.CodeInvalidOrderID, merr.Code)
}

func TestReferenceData(t *testing.T) {
	_, _, c := start(t, sandbox.Config{})
	ctx := context.Background()
	ids := func(filter multisafepay.GatewayFilter) []string {
		gws, err := c.ListGateways(ctx, filter)
		require.NoError(t, err)
		var out []string
		for _, g := range gws {
			out = append(out, g.ID)
		}
		return out
	}
	all := ids(multisafepay.GatewayFilter{})
	assert.Contains(t, all, "IDEAL")
	assert.Contains(t, all, "VISA")
	assert.Contains(t, ids(multisafepay.GatewayFilter{Country: "NL", Currency: "EUR"}), "IDEAL")
	assert.NotContains(t, ids(multisafepay.GatewayFilter{Country: "BE"}), "IDEAL")
	assert.Contains(t, ids(multisafepay.GatewayFilter{Country: "BE"}), "MISTERCASH")
	assert.NotContains(t, ids(multisafepay.GatewayFilter{Currency: "USD"}), "IDEAL")
	assert.NotContains(t, ids(multisafepay.GatewayFilter{Country: "NL", Amount: 100}), "PAYAFTER", "too small for Pay After Delivery")
	assert.Contains(t, ids(multisafepay.GatewayFilter{Country: "NL", Amount: 1000}), "PAYAFTER")

	g, err := c.GetGateway(ctx, "ideal")
	require.NoError(t, err)
	assert.Equal(t, "IDEAL", g.ID)
	_, err = c.GetGateway(ctx, "NOPE")
	assert.True(t, multisafepay.HasCode(err, multisafepay.CodeUnknown), "%v", err)

	issuers, err := c.ListIssuers(ctx, "IDEAL")
	require.NoError(t, err)
	assert.Len(t, issuers, 12)
	assert.Equal(t, "0031", issuers[0].Code)
	_, err = c.ListIssuers(ctx, "VISA")
	assert.Error(t, err)

	cats, err := c.ListCategories(ctx)
	require.NoError(t, err)
	assert.NotEmpty(t, cats)
}

func paidOrder(t *testing.T, s *sandbox.Server, c *multisafepay.Client, notify string, amount money.Cents) string {
	t.Helper()
	in := redirectOrder(notify, amount)
	_, err := c.CreatePayment(context.Background(), in)
	require.NoError(t, err)
	_, err = s.Complete(context.Background(), in.OrderID, sim.Pay)
	require.NoError(t, err)
	return in.OrderID
}

func amountRefund(cents money.Cents) multisafepay.RefundCreate {
	return multisafepay.RefundCreate{Currency: "EUR", Amount: cents, Description: "Sandbox refund"}
}

func TestRefundsFullAndPartial(t *testing.T) {
	notify, got := shop(t, sandbox.DefaultAPIKey)
	_, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	id := paidOrder(t, s, c, notify.URL, 1000)
	next(t, got)

	r1, err := c.CreateRefund(ctx, id, amountRefund(250))
	require.NoError(t, err)
	assert.NotEmpty(t, r1.RefundID.String())
	n := next(t, got)
	require.NotNil(t, n.order, "the refund is notified, signed")
	assert.Equal(t, multisafepay.StatusPartialRefunded, n.order.Status)

	order, err := c.GetPayment(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, multisafepay.StatusPartialRefunded, order.Status)
	assert.Equal(t, multisafepay.StatusCompleted, order.FinancialStatus)
	assert.EqualValues(t, 250, order.AmountRefunded.Cents)
	require.Len(t, order.RelatedTransactions, 1)
	assert.Equal(t, r1.RefundID.String(), order.RelatedTransactions[0].TransactionID.String())
	assert.EqualValues(t, 250, order.RelatedTransactions[0].Amount.Cents)

	_, err = c.CreateRefund(ctx, id, multisafepay.RefundCreate{Currency: "USD", Amount: 100})
	assert.True(t, multisafepay.HasCode(err, multisafepay.CodeInvalidCurrency), "%v", err)

	_, err = c.CreateRefund(ctx, id, amountRefund(751))
	var merr *multisafepay.Error
	require.True(t, errors.As(err, &merr), "%v", err)
	assert.Equal(t, http.StatusBadRequest, merr.StatusCode)
	assert.Equal(t, multisafepay.CodeCannotRefund, merr.Code)
	assert.Contains(t, merr.Info, "EUR 7.51 is more than the EUR 7.50 not yet refunded")
	order, err = c.GetPayment(ctx, id)
	require.NoError(t, err)
	assert.EqualValues(t, 250, order.AmountRefunded.Cents, "a refused refund changes nothing")

	r2, err := c.CreateRefund(ctx, id, amountRefund(750))
	require.NoError(t, err)
	assert.NotEqual(t, r1.RefundID.String(), r2.RefundID.String())
	assert.Equal(t, multisafepay.StatusRefunded, next(t, got).order.Status)
	order, err = c.GetPayment(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, multisafepay.StatusRefunded, order.Status)
	assert.EqualValues(t, 1000, order.AmountRefunded.Cents)
	assert.Len(t, order.RelatedTransactions, 2)

	_, err = c.CreateRefund(ctx, id, amountRefund(1))
	assert.True(t, multisafepay.HasCode(err, multisafepay.CodeCannotRefund), "nothing is left: %v", err)

	t.Run("in one go", func(t *testing.T) {
		id := paidOrder(t, s, c, "", 1999)
		_, err := c.CreateRefund(ctx, id, amountRefund(1999))
		require.NoError(t, err)
		order, err := c.GetPayment(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, multisafepay.StatusRefunded, order.Status)
	})
	t.Run("unpaid order", func(t *testing.T) {
		in := redirectOrder("", 1000)
		_, err := c.CreatePayment(ctx, in)
		require.NoError(t, err)
		_, err = c.CreateRefund(ctx, in.OrderID, amountRefund(100))
		assert.True(t, multisafepay.HasCode(err, multisafepay.CodeCannotRefund), "%v", err)
	})
	t.Run("unknown order", func(t *testing.T) {
		_, err := c.CreateRefund(ctx, "no-such-order", amountRefund(100))
		assert.True(t, multisafepay.HasCode(err, multisafepay.CodeInvalidOrderID), "%v", err)
	})
}

func TestShoppingCartRefund(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	id := paidOrder(t, s, c, "", 10500)
	item := func(name, price string, qty int64) multisafepay.CartItem {
		p, err := money.ParseDecimalString(price)
		require.NoError(t, err)
		return multisafepay.CartItem{Name: name, UnitPrice: p, Quantity: qty}
	}
	cart := multisafepay.ShoppingCart{Items: []multisafepay.CartItem{
		item("Geometric Candle Holders", "30", 3), item("Nice apple", "15.25", 1),
		item("Geometric Candle Holders", "30", -1), item("Nice apple", "15.25", -1),
	}}
	_, err := c.CreateRefund(ctx, id, multisafepay.RefundCreate{CheckoutData: cart})
	require.NoError(t, err)
	order, err := c.GetPayment(ctx, id)
	require.NoError(t, err)
	assert.EqualValues(t, 4525, order.AmountRefunded.Cents)
	assert.Equal(t, multisafepay.StatusPartialRefunded, order.Status)

	noRefund := multisafepay.ShoppingCart{Items: []multisafepay.CartItem{item("Nice apple", "15.25", 1)}}
	_, err = c.CreateRefund(ctx, id, multisafepay.RefundCreate{CheckoutData: noRefund})
	assert.True(t, multisafepay.HasCode(err, multisafepay.CodeRefundInformationError), "%v", err)
}

func TestUpdateOrder(t *testing.T) {
	notify, got := shop(t, sandbox.DefaultAPIKey)
	_, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	id := paidOrder(t, s, c, notify.URL, 1000)
	next(t, got)

	require.NoError(t, c.UpdateOrder(ctx, id, multisafepay.OrderUpdate{
		Status: multisafepay.UpdateStatusShipped, TracktraceCode: "3SMSP0123456789", Carrier: "MSP Logistics",
	}))
	assert.Equal(t, multisafepay.StatusShipped, next(t, got).order.Status)
	require.NoError(t, c.UpdateOrder(ctx, id, multisafepay.OrderUpdate{InvoiceID: "AB12345"}), "no status: nothing to refuse")
	err := c.UpdateOrder(ctx, id, multisafepay.OrderUpdate{Status: multisafepay.UpdateStatusVoid})
	var merr *multisafepay.Error
	require.True(t, errors.As(err, &merr), "%v", err)
	assert.Equal(t, http.StatusConflict, merr.StatusCode)

	in := redirectOrder(notify.URL, 1000)
	_, err = c.CreatePayment(ctx, in)
	require.NoError(t, err)
	require.NoError(t, c.UpdateOrder(ctx, in.OrderID, multisafepay.OrderUpdate{Status: multisafepay.UpdateStatusVoid}))
	assert.Equal(t, multisafepay.StatusVoid, next(t, got).order.Status)
	_, err = s.Complete(ctx, in.OrderID, sim.Pay)
	assert.Error(t, err, "a void order cannot be paid")

	err = c.UpdateOrder(ctx, "no-such-order", multisafepay.OrderUpdate{InvoiceID: "x"})
	assert.True(t, multisafepay.HasCode(err, multisafepay.CodeInvalidOrderID), "%v", err)
}

func TestConcurrentOrdersKeepConsistentState(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	const n = 100
	ids := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := redirectOrder("", money.Cents(1000+i))
			if _, err := c.CreatePayment(ctx, in); err != nil {
				errs <- err
				return
			}
			ids[i] = in.OrderID
			choice := sim.Pay
			if i%2 == 1 {
				choice = sim.Cancel
			}
			if _, err := s.Complete(ctx, in.OrderID, choice); err != nil {
				errs <- err
				return
			}
			if choice == sim.Pay {
				// Two partial refunds race on the same order; both fit.
				var rw sync.WaitGroup
				for range 2 {
					rw.Add(1)
					go func() {
						defer rw.Done()
						if _, err := c.CreateRefund(ctx, in.OrderID, amountRefund(100)); err != nil {
							errs <- err
						}
					}()
				}
				rw.Wait()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	txs := map[string]bool{}
	for i, id := range ids {
		got, err := c.GetPayment(ctx, id)
		require.NoError(t, err)
		require.False(t, txs[got.TransactionID.String()], "transaction ids are unique")
		txs[got.TransactionID.String()] = true
		assert.EqualValues(t, 1000+i, got.Amount.Cents)
		if i%2 == 1 {
			assert.Equal(t, multisafepay.StatusCanceled, got.Status)
			assert.EqualValues(t, 0, got.AmountRefunded.Cents)
			continue
		}
		assert.Equal(t, multisafepay.StatusPartialRefunded, got.Status)
		assert.EqualValues(t, 200, got.AmountRefunded.Cents)
		assert.Len(t, got.RelatedTransactions, 2)
	}
}

// The sandbox takes every documented order request as the document writes
// it ("amount": "1000", "manual": "false", "quantity": "3", issuer "0021"),
// not only the plain forms our client sends; a gateway this sandbox does not
// offer is refused as MultiSafepay refuses it.
func TestDocumentedOrderRequestsAreAccepted(t *testing.T) {
	ts, _, _ := start(t, sandbox.Config{})
	list, err := fixtures.Load("multisafepay")
	require.NoError(t, err)
	offered := map[string]bool{"": true, "IDEAL": true, "MISTERCASH": true, "DIRECTBANK": true, "GIROPAY": true, "EPS": true,
		"PAYPAL": true, "BANKTRANS": true, "DIRDEB": true, "PAYAFTER": true, "KLARNA": true, "CREDITCARD": true}
	seen := 0
	for _, f := range list {
		if f.OperationID != "createOrder" {
			continue
		}
		seen++
		t.Run(f.Base(), func(t *testing.T) {
			dec := json.NewDecoder(bytes.NewReader(f.Request.BodyBytes()))
			dec.UseNumber()
			var body map[string]any
			require.NoError(t, dec.Decode(&body))
			body["order_id"] = newOrderID() // the document reuses its ids
			data, err := json.Marshal(body)
			require.NoError(t, err)
			req, _ := http.NewRequest(http.MethodPost, ts.URL+sandbox.BasePath+"/orders", bytes.NewReader(data))
			req.Header["api_key"] = []string{sandbox.DefaultAPIKey}
			req.Header.Set("Content-Type", "application/json")
			status, answer := do(t, req)
			gateway, _ := body["gateway"].(string)
			if offered[strings.ToUpper(gateway)] {
				assert.Equal(t, http.StatusOK, status, answer)
				return
			}
			assert.Equal(t, http.StatusBadRequest, status, answer)
			assert.Contains(t, answer, "Unknown gateway")
		})
	}
	assert.Equal(t, 26, seen)
}
