package kassacompleet_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	assert.NotEmpty(t, order.Transactions[0].PaymentMethodDetails.Value.Reference, "the customer quotes a reference")
	assert.Equal(t, betaalkit.PaymentStatus{Status: betaalkit.StatusPending, Raw: "processing"}, kassacompleet.StatusOf(order))
}

// paid is an iDEAL order of 995 cents, paid on the payment page.
func paid(t *testing.T, s *sandbox.Server, c *kassacompleet.Client) *kassacompleet.Order {
	t.Helper()
	order, err := c.CreatePayment(context.Background(), idealOrder(""))
	require.NoError(t, err)
	_, err = s.Complete(context.Background(), order.ID, sim.Pay)
	require.NoError(t, err)
	return order
}

func kcError(t *testing.T, err error) *kassacompleet.Error {
	t.Helper()
	var kerr *kassacompleet.Error
	require.True(t, errors.As(err, &kerr), "got %v", err)
	return kerr
}

// A refund is an order of its own; the refunded order stays completed
// (paid), gains has-refunds, and can be refunded up to its amount.
func TestRefundsInPartAndInFull(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	order := paid(t, s, c)

	refund, err := c.CreateRefund(ctx, order.ID, kassacompleet.RefundCreate{Amount: 250, Description: "one item back"})
	require.NoError(t, err)
	assert.NotEqual(t, order.ID, refund.ID)
	assert.Equal(t, order.ID, refund.RefundOfOrderID)
	assert.Contains(t, refund.Flags, kassacompleet.FlagIsRefund)
	assert.Equal(t, kassacompleet.OrderStatusCompleted, refund.Status, "the refund went through")
	assert.EqualValues(t, 250, refund.Amount)
	require.Len(t, refund.Transactions, 1)
	assert.Equal(t, "debit", refund.Transactions[0].CreditDebit)

	got, err := c.GetPayment(ctx, order.ID)
	require.NoError(t, err)
	assert.Equal(t, kassacompleet.OrderStatusCompleted, got.Status, "Kassa Compleet has no refunded status")
	assert.Contains(t, got.Flags, kassacompleet.FlagHasRefunds)
	assert.True(t, kassacompleet.StatusOf(got).IsPaid())
	again, err := c.GetPayment(ctx, refund.ID)
	require.NoError(t, err, "a refund is an order: it can be read")
	assert.Equal(t, order.ID, again.RefundOfOrderID)

	_, err = c.CreateRefund(ctx, order.ID, kassacompleet.RefundCreate{Amount: 746})
	kerr := kcError(t, err)
	assert.Equal(t, http.StatusBadRequest, kerr.StatusCode)
	assert.Contains(t, kerr.Value, "745 cents left")
	_, err = c.CreateRefund(ctx, order.ID, kassacompleet.RefundCreate{Amount: 745})
	require.NoError(t, err, "the rest can be refunded")
	_, err = c.CreateRefund(ctx, order.ID, kassacompleet.RefundCreate{Amount: 1})
	assert.Equal(t, http.StatusBadRequest, kcError(t, err).StatusCode, "nothing is left")
	_, err = c.CreateRefund(ctx, refund.ID, kassacompleet.RefundCreate{Amount: 1})
	assert.Equal(t, http.StatusConflict, kcError(t, err).StatusCode, "a refund is not refunded")

	open, err := c.CreatePayment(ctx, idealOrder(""))
	require.NoError(t, err)
	_, err = c.CreateRefund(ctx, open.ID, kassacompleet.RefundCreate{Amount: 100})
	assert.Equal(t, http.StatusConflict, kcError(t, err).StatusCode, "an unpaid order cannot be refunded")

	var listed []string
	for _, p := range s.Payments() {
		listed = append(listed, p.ID)
		if p.ID == order.ID {
			assert.Equal(t, "9.95", p.Refunded)
		}
	}
	assert.ElementsMatch(t, []string{order.ID, open.ID}, listed, "refunds show on the order they refund, not as payments")
}

// An authorized order's transaction is accepted and capturable; capturing
// it moves it to captured and flags the order; only then can it be
// refunded.
func TestCaptureAnAuthorizedOrder(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	hooks := make(chan *kassacompleet.Order, 4)
	receiver := httptest.NewServer(c.WebhookHandler(func(_ context.Context, o *kassacompleet.Order) error {
		hooks <- o
		return nil
	}))
	defer receiver.Close()
	ctx := context.Background()
	order, err := c.CreatePayment(ctx, idealOrder(receiver.URL))
	require.NoError(t, err)
	tx := order.Transactions[0].ID

	err = c.Capture(ctx, order.ID, tx)
	assert.Equal(t, http.StatusConflict, kcError(t, err).StatusCode, "a new transaction is not capturable")

	authorized, err := s.Authorize(ctx, order.ID)
	require.NoError(t, err)
	assert.Equal(t, kassacompleet.TransactionStatusAccepted, (<-hooks).Transactions[0].Status, "the webhook went out")
	assert.True(t, authorized.Transactions[0].IsCapturable)
	_, err = c.CreateRefund(ctx, order.ID, kassacompleet.RefundCreate{Amount: 100})
	assert.Equal(t, http.StatusConflict, kcError(t, err).StatusCode, "capture before refunding")

	require.NoError(t, c.Capture(ctx, order.ID, tx))
	hooked := <-hooks
	assert.Contains(t, hooked.Flags, kassacompleet.FlagHasCaptures, "the webhook tells of the capture")
	got, err := c.GetPayment(ctx, order.ID)
	require.NoError(t, err)
	assert.Equal(t, kassacompleet.TransactionStatusCaptured, got.Transactions[0].Status)
	assert.True(t, got.Transactions[0].IsFullyCaptured)
	assert.False(t, got.Transactions[0].IsCapturable)
	assert.True(t, kassacompleet.StatusOf(got).IsPaid())

	err = c.Capture(ctx, order.ID, tx)
	assert.Equal(t, http.StatusConflict, kcError(t, err).StatusCode, "captured once")
	err = c.Capture(ctx, order.ID, "no-such-transaction")
	assert.Equal(t, http.StatusNotFound, kcError(t, err).StatusCode)
	_, err = c.CreateRefund(ctx, order.ID, kassacompleet.RefundCreate{Amount: 100})
	assert.NoError(t, err)
}

// An open order can be cancelled, once; the webhook tells the shop.
func TestCancelWhileOpen(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	hooks := make(chan *kassacompleet.Order, 2)
	receiver := httptest.NewServer(c.WebhookHandler(func(_ context.Context, o *kassacompleet.Order) error {
		hooks <- o
		return nil
	}))
	defer receiver.Close()
	ctx := context.Background()
	order, err := c.CreatePayment(ctx, idealOrder(receiver.URL))
	require.NoError(t, err)

	cancelled, err := c.CancelOrder(ctx, order.ID)
	require.NoError(t, err)
	assert.Equal(t, kassacompleet.OrderStatusCancelled, cancelled.Status)
	assert.Equal(t, kassacompleet.TransactionStatusCancelled, cancelled.Transactions[0].Status)
	assert.Equal(t, betaalkit.StatusCanceled, kassacompleet.StatusOf(<-hooks).Status)

	_, err = c.CancelOrder(ctx, order.ID)
	assert.Equal(t, http.StatusConflict, kcError(t, err).StatusCode, "a final order stays as it is")
	_, err = c.CancelOrder(ctx, paid(t, s, c).ID)
	assert.Equal(t, http.StatusConflict, kcError(t, err).StatusCode, "refund a paid order instead")
	_, err = c.CancelOrder(ctx, "nope")
	assert.Equal(t, http.StatusNotFound, kcError(t, err).StatusCode)
}

// An update changes the fields sent and keeps the others.
func TestUpdateChangesWhatIsSent(t *testing.T) {
	_, _, c := start(t, sandbox.Config{})
	ctx := context.Background()
	in := idealOrder("")
	in.Description, in.MerchantOrderID = "Order 1", "ref-1"
	order, err := c.CreatePayment(ctx, in)
	require.NoError(t, err)

	updated, err := c.UpdateOrder(ctx, order.ID, kassacompleet.OrderUpdate{
		Description: "Order 1 (two items)",
		Customer:    kassacompleet.Customer{EmailAddress: "j@example.com"},
		OrderLines:  []kassacompleet.OrderLine{{Name: "Milk", Quantity: 2, Amount: 250}},
	})
	require.NoError(t, err)
	assert.Equal(t, "Order 1 (two items)", updated.Description)
	assert.Equal(t, "ref-1", updated.MerchantOrderID, "not sent, not changed")
	got, err := c.GetPayment(ctx, order.ID)
	require.NoError(t, err)
	assert.Equal(t, "j@example.com", got.Customer.EmailAddress)
	require.Len(t, got.OrderLines, 1)
	assert.Equal(t, 2, got.OrderLines[0].Quantity)
}

// The dashboard authorizes, captures and refunds as the API does.
func TestDashboardRefundsAndCaptures(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	order, err := c.CreatePayment(ctx, idealOrder(""))
	require.NoError(t, err)
	require.NoError(t, s.Act(ctx, order.ID, "authorize", nil))
	require.NoError(t, s.Act(ctx, order.ID, "capture", nil))
	require.NoError(t, s.Act(ctx, order.ID, sim.ActionRefund, url.Values{"amount": {"2,50"}}))
	require.NoError(t, s.Act(ctx, order.ID, sim.ActionRefund, nil), "empty: all that is left")
	assert.Error(t, s.Act(ctx, order.ID, sim.ActionRefund, nil), "nothing is left")
	for _, p := range s.Payments() {
		if p.ID == order.ID {
			assert.Equal(t, "9.95", p.Refunded)
			assert.Empty(t, p.Actions, "nothing left to do but resend, and it names no webhook")
		}
	}
	var notes []string
	for _, e := range s.Webhooks().Recorder().Events(order.ID) {
		if e.Kind == sim.EventAction {
			notes = append(notes, e.Note)
		}
	}
	require.Len(t, notes, 3)
	assert.True(t, strings.HasPrefix(notes[0], "captured transaction "), notes[0])
	assert.True(t, strings.HasPrefix(notes[1], "refunded EUR 2.50 as order "), notes[1])
}
