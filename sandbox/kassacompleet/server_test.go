package kassacompleet_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/kassacompleet"
	sandbox "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

func start(t *testing.T, cfg sandbox.Config) (*httptest.Server, *sandbox.Server, *kassacompleet.Client) {
	t.Helper()
	ts, s, c, err := sandbox.NewTestServer(cfg)
	require.NoError(t, err)
	t.Cleanup(ts.Close)
	return ts, s, c
}

func idealOrder(webhook string) kassacompleet.OrderCreate {
	return kassacompleet.OrderCreate{Currency: "EUR", Amount: 995, ReturnURL: "https://shop.example/return", WebhookURL: webhook,
		Transactions: []kassacompleet.TransactionCreate{{
			PaymentMethod: kassacompleet.PaymentMethodIdeal, PaymentMethodDetails: kassacompleet.PaymentMethodDetailsCreate{IssuerID: "INGBNL2A"},
		}}}
}

func TestLifecycleThroughThePaymentPage(t *testing.T) {
	_, _, c := start(t, sandbox.Config{})
	hooks := make(chan *kassacompleet.Order, 4)
	receiver := httptest.NewServer(c.WebhookHandler(func(_ context.Context, o *kassacompleet.Order) error {
		hooks <- o
		return nil
	}))
	defer receiver.Close()
	ctx := context.Background()

	for _, tc := range []struct {
		choice sim.Choice
		want   string
		status betaalkit.Status
	}{
		{sim.Pay, kassacompleet.OrderStatusCompleted, betaalkit.StatusPaid},
		{sim.Cancel, kassacompleet.OrderStatusCancelled, betaalkit.StatusCanceled},
		{sim.Fail, kassacompleet.OrderStatusError, betaalkit.StatusFailed},
		{sim.Expire, kassacompleet.OrderStatusExpired, betaalkit.StatusExpired},
	} {
		order, err := c.CreatePayment(ctx, idealOrder(receiver.URL))
		require.NoError(t, err)
		assert.Equal(t, kassacompleet.OrderStatusNew, order.Status)
		assert.Equal(t, betaalkit.StatusOpen, kassacompleet.StatusOf(order).Status)

		back, err := sim.PayAsCustomer(ctx, kassacompleet.PaymentURL(order), tc.choice)
		require.NoError(t, err)
		assert.Equal(t, "https://shop.example/return?order_id="+order.ID+"&project_id="+sandbox.ProjectID, back)
		hooked := <-hooks
		assert.Equal(t, order.ID, hooked.ID, "the webhook names the order")
		assert.Equal(t, tc.want, hooked.Status, "the handler fetched the order's new status")

		got, err := c.GetPayment(ctx, order.ID)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got.Status)
		require.Len(t, got.Transactions, 1)
		assert.Equal(t, tc.want, got.Transactions[0].Status, "the transaction ends with its order")
		assert.Equal(t, betaalkit.PaymentStatus{Status: tc.status, Raw: tc.want}, kassacompleet.StatusOf(got))

		_, err = sim.PayAsCustomer(ctx, kassacompleet.PaymentURL(order), sim.Pay)
		assert.Error(t, err, "a final order cannot be paid again")
	}
}

func TestVisitingThePageMovesToProcessing(t *testing.T) {
	_, _, c := start(t, sandbox.Config{})
	order, err := c.CreatePayment(context.Background(), kassacompleet.OrderCreate{Currency: "EUR", Amount: 99})
	assert.Empty(t, kassacompleet.PaymentURL(order), "a payment-page order has no transaction")
	require.NoError(t, err)
	resp, err := http.Get(c.PaymentPageURL(order.ID))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	got, err := c.GetPayment(context.Background(), order.ID)
	require.NoError(t, err)
	assert.Equal(t, kassacompleet.OrderStatusProcessing, got.Status)
}

func TestWrongKeyIsRefusedInKassaCompleetFormat(t *testing.T) {
	ts, _, _ := start(t, sandbox.Config{})
	wrong, err := kassacompleet.New("not-the-key", kassacompleet.WithBaseURL(ts.URL+"/v1"))
	require.NoError(t, err)
	_, err = wrong.ListIdealIssuers(context.Background())
	var kerr *kassacompleet.Error
	require.True(t, errors.As(err, &kerr), "%v", err)
	assert.Equal(t, http.StatusUnauthorized, kerr.StatusCode)
	assert.Equal(t, "AuthorizationError", kerr.Type)
	assert.Equal(t, "401", kerr.Status)
}

func TestSpecViolationIsRefusedNamingTheField(t *testing.T) {
	ts, _, _ := start(t, sandbox.Config{})
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/orders/", strings.NewReader(`{"currency":"EUR","amount":"9.95"}`))
	req.SetBasicAuth(sandbox.DefaultAPIKey, "")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	var env struct {
		Error struct{ Type, Value string } `json:"error"`
	}
	require.NoError(t, json.Unmarshal(body, &env), string(body))
	assert.Equal(t, "ValidationError", env.Error.Type)
	assert.Contains(t, env.Error.Value, "amount")
}

func TestConcurrentOrdersKeepConsistentState(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	const n = 100
	ids := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := c.CreatePayment(ctx, idealOrder(""))
			if err != nil {
				errs <- err
				return
			}
			ids[i] = o.ID
			choice := sim.Pay
			if i%2 == 1 {
				choice = sim.Cancel
			}
			if _, err := s.Complete(ctx, o.ID, choice); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	seen := map[string]bool{}
	for i, id := range ids {
		require.False(t, seen[id], "ids are unique")
		seen[id] = true
		got, err := c.GetPayment(ctx, id)
		require.NoError(t, err)
		want := kassacompleet.OrderStatusCompleted
		if i%2 == 1 {
			want = kassacompleet.OrderStatusCancelled
		}
		assert.Equal(t, want, got.Status)
		assert.Equal(t, want, got.Transactions[0].Status)
	}
}

func TestBankTransferAwaitsTheMoney(t *testing.T) {
	_, _, c := start(t, sandbox.Config{})
	order, err := c.CreatePayment(context.Background(), kassacompleet.OrderCreate{Currency: "EUR", Amount: 99,
		Transactions: []kassacompleet.TransactionCreate{{PaymentMethod: kassacompleet.PaymentMethodBankTransfer}}})
	require.NoError(t, err)
	assert.Empty(t, kassacompleet.PaymentURL(order), "no redirect for a bank transfer")
	assert.NotEmpty(t, order.Transactions[0].PaymentMethodDetails.Reference, "the customer quotes a reference")
	assert.Equal(t, betaalkit.PaymentStatus{Status: betaalkit.StatusPending, Raw: "processing"}, kassacompleet.StatusOf(order))
}
