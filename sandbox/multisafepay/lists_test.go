package multisafepay_test

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/clients/multisafepay"
	sandbox "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

func ids(methods []multisafepay.PaymentMethodInfo) []string {
	var out []string
	for _, m := range methods {
		out = append(out, m.ID)
	}
	return out
}

func TestPaymentMethods(t *testing.T) {
	_, _, c := start(t, sandbox.Config{})
	ctx := context.Background()

	all, err := c.ListPaymentMethods(ctx, multisafepay.PaymentMethodFilter{})
	require.NoError(t, err)
	assert.Contains(t, ids(all), multisafepay.GatewayIDEAL)
	ideal, err := c.GetPaymentMethod(ctx, "ideal", "")
	require.NoError(t, err)
	assert.Equal(t, multisafepay.GatewayIDEAL, ideal.ID)
	require.NotEmpty(t, ideal.AdditionalData.Issuers, "iDEAL lists its issuers")
	assert.Equal(t, "ABNANL2A", ideal.AdditionalData.Issuers[0].Bic)
	assert.True(t, bool(ideal.Tokenization.IsEnabled))
	assert.Equal(t, []string{"EUR"}, ideal.AllowedCurrencies)

	belgium, err := c.ListPaymentMethods(ctx, multisafepay.PaymentMethodFilter{Country: "BE", Currency: "EUR"})
	require.NoError(t, err)
	assert.Contains(t, ids(belgium), multisafepay.GatewayBancontact)
	assert.NotContains(t, ids(belgium), multisafepay.GatewayIDEAL)

	small, err := c.ListPaymentMethods(ctx, multisafepay.PaymentMethodFilter{Amount: 100})
	require.NoError(t, err)
	assert.NotContains(t, ids(small), multisafepay.GatewayPayAfterDelivery, "below Pay After Delivery's minimum")

	grouped, err := c.ListPaymentMethods(ctx, multisafepay.PaymentMethodFilter{GroupCards: true})
	require.NoError(t, err)
	assert.Contains(t, ids(grouped), multisafepay.GatewayCreditCard)
	assert.NotContains(t, ids(grouped), multisafepay.GatewayVisa)

	coupons, err := c.ListPaymentMethods(ctx, multisafepay.PaymentMethodFilter{Type: "coupon", Coupons: true})
	require.NoError(t, err)
	assert.Empty(t, coupons, "the sandbox website has no gift cards")

	_, err = c.GetPaymentMethod(ctx, "NOPE", "")
	assert.True(t, multisafepay.HasCode(err, multisafepay.CodeUnknown), "%v", err)
}

// recurringOrder is a redirect order that stores the customer's card as a token.
func recurringOrder(reference, gateway string) multisafepay.OrderCreate {
	o := redirectOrder("", 2500)
	o.Gateway, o.RecurringModel = gateway, multisafepay.RecurringCardOnFile
	o.Customer.Reference = reference
	return o
}

func TestRecurringTokensLifecycle(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	ctx := context.Background()

	none, err := c.ListTokens(ctx, "customer-1", multisafepay.TokenListParams{})
	require.NoError(t, err)
	assert.Empty(t, none, "no tokens yet: MultiSafepay's Not found is an empty list")

	// An order without a customer reference stores nothing; one with it does, once paid.
	plain := redirectOrder("", 1000)
	plain.RecurringModel = multisafepay.RecurringCardOnFile
	_, err = c.CreatePayment(ctx, plain)
	require.NoError(t, err)
	_, err = s.Complete(ctx, plain.OrderID, sim.Pay)
	require.NoError(t, err)
	first := recurringOrder("customer-1", multisafepay.GatewayVisa)
	_, err = c.CreatePayment(ctx, first)
	require.NoError(t, err)
	tokens, err := c.ListTokens(ctx, "customer-1", multisafepay.TokenListParams{})
	require.NoError(t, err)
	assert.Empty(t, tokens, "not before the payment completes")
	_, err = s.Complete(ctx, first.OrderID, sim.Pay)
	require.NoError(t, err)

	tokens, err = c.ListTokens(ctx, "customer-1", multisafepay.TokenListParams{})
	require.NoError(t, err)
	require.Len(t, tokens, 1)
	tok := tokens[0]
	assert.Equal(t, multisafepay.GatewayVisa, tok.Code)
	assert.Equal(t, string(multisafepay.RecurringCardOnFile), tok.Model)
	assert.Equal(t, "1111", tok.Last4.String())
	paid, err := c.GetPayment(ctx, first.OrderID)
	require.NoError(t, err)
	assert.Equal(t, tok.Token, paid.PaymentDetails.RecurringID.String(), "the order names its token")
	got, err := c.GetToken(ctx, "customer-1", tok.Token)
	require.NoError(t, err)
	assert.Equal(t, tok, *got)

	// A direct order with the token as recurring_id is charged at once.
	again := multisafepay.OrderCreate{Type: multisafepay.OrderTypeDirect, OrderID: newOrderID(), Currency: "EUR", Amount: 990,
		Description: "Monthly", RecurringID: tok.Token, RecurringModel: multisafepay.RecurringCardOnFile,
		Customer: multisafepay.Customer{Reference: "customer-1"}}
	charged, err := c.CreatePayment(ctx, again)
	require.NoError(t, err)
	assert.True(t, multisafepay.StatusOf(charged).IsPaid(), "status %s", charged.Status)
	assert.Equal(t, multisafepay.GatewayVisa, charged.Gateway)
	assert.Equal(t, tok.Token, charged.PaymentDetails.RecurringID.String())
	tokens, err = c.ListTokens(ctx, "customer-1", multisafepay.TokenListParams{})
	require.NoError(t, err)
	assert.Len(t, tokens, 1, "charging a token stores no new one")

	// Deleted, it is gone, and deleting it again is an error.
	require.NoError(t, c.DeleteToken(ctx, "customer-1", tok.Token))
	tokens, err = c.ListTokens(ctx, "customer-1", multisafepay.TokenListParams{})
	require.NoError(t, err)
	assert.Empty(t, tokens)
	_, err = c.GetToken(ctx, "customer-1", tok.Token)
	assert.True(t, multisafepay.HasCode(err, multisafepay.CodeUnknown), "%v", err)
	assert.Error(t, c.DeleteToken(ctx, "customer-1", tok.Token))

	// The order's timeline tells the token's story.
	var notes []string
	for _, e := range s.Webhooks().Recorder().Events(first.OrderID) {
		if e.Kind == sim.EventAction {
			notes = append(notes, e.Note)
		}
	}
	assert.Contains(t, strings.Join(notes, "\n"), "token "+tok.Token+" stored for customer customer-1")
	assert.Contains(t, strings.Join(notes, "\n"), "token "+tok.Token+" deleted")
}

func TestTokensArePaged(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	for range 3 {
		o := recurringOrder("customer-2", multisafepay.GatewayIDEAL)
		_, err := c.CreatePayment(ctx, o)
		require.NoError(t, err)
		_, err = s.Complete(ctx, o.OrderID, sim.Pay)
		require.NoError(t, err)
	}
	page, err := c.ListTokens(ctx, "customer-2", multisafepay.TokenListParams{Limit: 2, Offset: 2})
	require.NoError(t, err)
	assert.Len(t, page, 1)
	var all []string
	for tok, err := range c.Tokens(ctx, "customer-2", multisafepay.TokenListParams{Limit: 2}) {
		require.NoError(t, err)
		assert.Equal(t, multisafepay.GatewayIDEAL, tok.Code)
		all = append(all, tok.Token)
	}
	assert.Len(t, all, 3)
	slices.Sort(all)
	assert.Len(t, slices.Compact(all), 3, "no token twice")
}

func TestTransactionsFromTheSandboxOrders(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	var paid []string
	for i := range 5 {
		o := redirectOrder("", 1000)
		o.Gateway = multisafepay.GatewayIDEAL
		_, err := c.CreatePayment(ctx, o)
		require.NoError(t, err)
		if i%2 == 0 {
			_, err = s.Complete(ctx, o.OrderID, sim.Pay)
			require.NoError(t, err)
			paid = append(paid, o.OrderID)
		}
	}
	_, err := c.CreateRefund(ctx, paid[0], multisafepay.RefundCreate{Currency: "EUR", Amount: 400})
	require.NoError(t, err)

	var all []multisafepay.Transaction
	for tx, err := range c.Transactions(ctx, multisafepay.TransactionFilter{Limit: 2}) {
		require.NoError(t, err)
		all = append(all, tx)
	}
	require.Len(t, all, 6, "five payments and a refund, over three pages")
	assert.True(t, slices.IsSortedFunc(all, func(a, b multisafepay.Transaction) int {
		return strings.Compare(b.TransactionID.String(), a.TransactionID.String())
	}), "newest first")
	refund := all[0]
	assert.Equal(t, "refund", refund.Type)
	assert.Equal(t, "D", refund.DebitCredit)
	assert.EqualValues(t, 400, refund.Amount.Cents)
	assert.Equal(t, paid[0], refund.OrderID.String())
	assert.Equal(t, "12345", refund.SiteID.String())

	count := func(f multisafepay.TransactionFilter) int {
		n := 0
		for _, err := range c.Transactions(ctx, f) {
			require.NoError(t, err)
			n++
		}
		return n
	}
	assert.Equal(t, 3, count(multisafepay.TransactionFilter{Status: "completed"}), "two payments and the refund")
	assert.Equal(t, 2, count(multisafepay.TransactionFilter{Status: "completed", Type: "payment"}), "the refunded order is partial_refunded")
	assert.Equal(t, 1, count(multisafepay.TransactionFilter{Status: "partial_refunded", Type: "payment"}))
	assert.Equal(t, 4, count(multisafepay.TransactionFilter{FinancialStatus: "completed"}))
	assert.Equal(t, 2, count(multisafepay.TransactionFilter{FinancialStatus: "initialized"}))
	assert.Equal(t, 1, count(multisafepay.TransactionFilter{DebitCredit: "D"}))
	assert.Equal(t, 6, count(multisafepay.TransactionFilter{PaymentMethods: []string{"IDEAL", "VISA"}}))
	assert.Equal(t, 0, count(multisafepay.TransactionFilter{PaymentMethods: []string{"VISA"}}))
	assert.Equal(t, 0, count(multisafepay.TransactionFilter{SiteID: 99999}))
	assert.Equal(t, 0, count(multisafepay.TransactionFilter{CreatedFrom: time.Now().Add(time.Hour)}))
	assert.Equal(t, 6, count(multisafepay.TransactionFilter{CreatedFrom: time.Now().Add(-time.Hour), CreatedUntil: time.Now().Add(time.Hour)}))
	assert.Equal(t, 4, count(multisafepay.TransactionFilter{CompletedFrom: time.Now().Add(-time.Hour)}), "only completed ones have a completed time")

	paidTx := all[1]
	assert.EqualValues(t, 49, paidTx.Costs[0].Amount.Cents, "an iDEAL fee, in cents")
	assert.EqualValues(t, 1000-49, paidTx.Net.Cents)

	// A page's before cursor leads back to the page before it.
	first, err := c.ListTransactions(ctx, multisafepay.TransactionFilter{Limit: 2})
	require.NoError(t, err)
	second, err := c.ListTransactions(ctx, multisafepay.TransactionFilter{Limit: 2, After: first.Pager.Cursor.After.String()})
	require.NoError(t, err)
	assert.Empty(t, first.Pager.Cursor.Before, "nothing before the first page")
	require.NotEmpty(t, second.Pager.Cursor.Before)
	assert.Contains(t, second.Pager.After, "after="+second.Pager.Cursor.After.String())
	req, _ := http.NewRequest(http.MethodGet, second.Pager.Before, nil)
	req.Header["api_key"] = []string{sandbox.DefaultAPIKey}
	status, body := do(t, req)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"transaction_id":`+first.Data[0].TransactionID.String())
}

// MultiSafepay answers an order_id in the JSON type it was sent in.
func TestNumericOrderIDIsAnsweredAsANumber(t *testing.T) {
	ts, _, c := start(t, sandbox.Config{})
	req, _ := http.NewRequest(http.MethodPost, ts.URL+sandbox.BasePath+"/orders", bytes.NewReader([]byte(
		`{"type":"direct","gateway":"BANKTRANS","order_id":1588947171,"currency":"EUR","amount":1000,"description":"d"}`)))
	req.Header["api_key"] = []string{sandbox.DefaultAPIKey}
	req.Header.Set("Content-Type", "application/json")
	status, body := do(t, req)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"order_id":1588947171`)
	o, err := c.GetPayment(context.Background(), "1588947171")
	require.NoError(t, err)
	assert.Equal(t, "1588947171", o.OrderID.String())
}

// The new calls are validated against the spec as every other one.
func TestListQueriesAreValidated(t *testing.T) {
	ts, _, _ := start(t, sandbox.Config{})
	for path, field := range map[string]string{
		"/transactions?limit=5000":      "limit",
		"/transactions?status=paid":     "status",
		"/transactions?created_from=x":  "created_from",
		"/payment-methods?currency=eur": "currency",
		"/recurring/c1?limit=0":         "limit",
	} {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+sandbox.BasePath+path, nil)
		req.Header["api_key"] = []string{sandbox.DefaultAPIKey}
		status, body := do(t, req)
		assert.Equal(t, http.StatusBadRequest, status, path)
		assert.Contains(t, body, field, path)
	}
}
