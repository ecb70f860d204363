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
	issuer, ret := "INGBNL2A", "https://shop.example/return"
	o := kassacompleet.OrderCreate{Currency: "EUR", Amount: 995, ReturnURL: &ret, Transactions: &[]kassacompleet.TransactionCreate{{
		PaymentMethod: kassacompleet.PaymentMethodIdeal, PaymentMethodDetails: &kassacompleet.PaymentMethodDetailsCreate{IssuerID: &issuer},
	}}}
	if webhook != "" {
		o.WebhookURL = &webhook
	}
	return o
}

func TestLifecycleThroughThePaymentPage(t *testing.T) {
	hooks := make(chan string, 4)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, err := kassacompleet.ParseWebhook(r)
		require.NoError(t, err)
		hooks <- ev.OrderID
	}))
	defer receiver.Close()
	_, _, c := start(t, sandbox.Config{})
	ctx := context.Background()

	for _, tc := range []struct {
		choice sim.Choice
		want   string
	}{{sim.Pay, kassacompleet.OrderStatusCompleted}, {sim.Cancel, kassacompleet.OrderStatusCancelled}, {sim.Fail, kassacompleet.OrderStatusError}} {
		order, err := c.CreateOrder(ctx, idealOrder(receiver.URL))
		require.NoError(t, err)
		assert.Equal(t, kassacompleet.OrderStatusNew, order.Status)

		back, err := sim.PayAsCustomer(ctx, kassacompleet.PaymentURL(order), tc.choice)
		require.NoError(t, err)
		assert.Equal(t, "https://shop.example/return?order_id="+order.ID+"&project_id="+sandbox.ProjectID, back)
		assert.Equal(t, order.ID, <-hooks, "the webhook names the order")

		got, err := c.GetOrder(ctx, order.ID)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got.Status)

		_, err = sim.PayAsCustomer(ctx, kassacompleet.PaymentURL(order), sim.Pay)
		assert.Error(t, err, "a final order cannot be paid again")
	}
}

func TestVisitingThePageMovesToProcessing(t *testing.T) {
	_, _, c := start(t, sandbox.Config{})
	order, err := c.CreateOrder(context.Background(), kassacompleet.OrderCreate{Currency: "EUR", Amount: 99})
	require.NoError(t, err)
	resp, err := http.Get(c.PaymentPageURL(order.ID))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	got, err := c.GetOrder(context.Background(), order.ID)
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
			o, err := c.CreateOrder(ctx, idealOrder(""))
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
		got, err := c.GetOrder(ctx, id)
		require.NoError(t, err)
		want := kassacompleet.OrderStatusCompleted
		if i%2 == 1 {
			want = kassacompleet.OrderStatusCancelled
		}
		assert.Equal(t, want, got.Status)
		assert.Equal(t, want, (*got.Transactions)[0].Status)
	}
}
