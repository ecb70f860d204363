package multisafepay_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
)

// The payment method, token and transaction calls go out as the spec says,
// filters included, and only the filters that are set.
func TestListCallsOnTheWire(t *testing.T) {
	ok := func(data string) []byte { return []byte(`{"success":true,"data":` + data + `}`) }
	created := time.Date(2021, 1, 1, 11, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, method, path, query string
		answer                    []byte
		call                      func(*multisafepay.Client) error
	}{
		{"list payment methods", http.MethodGet, "/v1/json/payment-methods", "", ok(`[]`),
			func(c *multisafepay.Client) error {
				_, err := c.ListPaymentMethods(context.Background(), multisafepay.PaymentMethodFilter{})
				return err
			}},
		{"list payment methods filtered", http.MethodGet, "/v1/json/payment-methods",
			"amount=1000&country=NL&currency=EUR&group_cards=true&include_coupons=true&type=coupon", ok(`[]`),
			func(c *multisafepay.Client) error {
				_, err := c.ListPaymentMethods(context.Background(), multisafepay.PaymentMethodFilter{
					Amount: 1000, Country: "NL", Currency: "EUR", GroupCards: true, Coupons: true, Type: "coupon"})
				return err
			}},
		{"get payment method", http.MethodGet, "/v1/json/payment-methods/IDEAL", "country=NL&locale=nl", ok(`{"id":"IDEAL"}`),
			func(c *multisafepay.Client) error {
				_, err := c.GetPaymentMethod(context.Background(), multisafepay.GatewayIDEAL, "NL")
				return err
			}},
		{"list tokens", http.MethodGet, "/v1/json/recurring/customer 1", "", ok(`{"tokens":[]}`),
			func(c *multisafepay.Client) error {
				_, err := c.ListTokens(context.Background(), "customer 1", multisafepay.TokenListParams{})
				return err
			}},
		{"list tokens paged", http.MethodGet, "/v1/json/recurring/c1", "limit=5&offset=10", ok(`{"tokens":[]}`),
			func(c *multisafepay.Client) error {
				_, err := c.ListTokens(context.Background(), "c1", multisafepay.TokenListParams{Limit: 5, Offset: 10})
				return err
			}},
		{"get token", http.MethodGet, "/v1/json/recurring/c1/token/QZTCh7jdk8", "", ok(`{"token":"QZTCh7jdk8"}`),
			func(c *multisafepay.Client) error {
				_, err := c.GetToken(context.Background(), "c1", "QZTCh7jdk8")
				return err
			}},
		{"delete token", http.MethodDelete, "/v1/json/recurring/c1/remove/QZTCh7jdk8", "", ok(`{"removed":true}`),
			func(c *multisafepay.Client) error {
				return c.DeleteToken(context.Background(), "c1", "QZTCh7jdk8")
			}},
		{"list transactions", http.MethodGet, "/v1/json/transactions", "", ok(`[]`),
			func(c *multisafepay.Client) error {
				_, err := c.ListTransactions(context.Background(), multisafepay.TransactionFilter{})
				return err
			}},
		{"list transactions filtered", http.MethodGet, "/v1/json/transactions",
			"after=abc&limit=50&created_from=1609498800&currency=EUR&debit_credit=C&financial_status=completed" +
				"&status=refunded&type=payment&payment_method=IDEAL&payment_method=VISA&site_id=12345", ok(`[]`),
			func(c *multisafepay.Client) error {
				_, err := c.ListTransactions(context.Background(), multisafepay.TransactionFilter{
					Status: "refunded", FinancialStatus: "completed", Type: "payment", DebitCredit: "C",
					PaymentMethods: []string{multisafepay.GatewayIDEAL, multisafepay.GatewayVisa},
					Currency:       "EUR", SiteID: 12345, CreatedFrom: created, Limit: 50, After: "abc",
				})
				return err
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, http.StatusOK, "application/json", tc.answer)
			require.NoError(t, tc.call(rec.client(t, multisafepay.WithLocale("nl"))))
			rec.assertWire(t, tc.method, tc.path, tc.query)
		})
	}
}

func TestListCallsNameTheCallAndRefuseBadInput(t *testing.T) {
	rec := newRecorder(t, http.StatusUnauthorized, "application/json", []byte(`{"success":false,"data":[],"error_code":1032,"error_info":"Invalid API key"}`))
	c := rec.client(t)
	ctx := context.Background()
	for op, err := range map[string]error{
		"list payment methods": func() error { _, err := c.ListPaymentMethods(ctx, multisafepay.PaymentMethodFilter{}); return err }(),
		"get payment method":   func() error { _, err := c.GetPaymentMethod(ctx, "IDEAL", ""); return err }(),
		"list tokens":          func() error { _, err := c.ListTokens(ctx, "c1", multisafepay.TokenListParams{}); return err }(),
		"get token":            func() error { _, err := c.GetToken(ctx, "c1", "t1"); return err }(),
		"delete token":         c.DeleteToken(ctx, "c1", "t1"),
		"list transactions":    func() error { _, err := c.ListTransactions(ctx, multisafepay.TransactionFilter{}); return err }(),
	} {
		assert.True(t, strings.HasPrefix(err.Error(), "multisafepay: "+op+": HTTP 401: 1032: "), "%s: %v", op, err)
		assert.True(t, multisafepay.HasCode(err, multisafepay.CodeInvalidAPIKey))
	}
	sent := rec.hits.Load()

	for field, err := range map[string]error{
		"amount": func() error {
			_, err := c.ListPaymentMethods(ctx, multisafepay.PaymentMethodFilter{Amount: -1})
			return err
		}(),
		"type": func() error {
			_, err := c.ListPaymentMethods(ctx, multisafepay.PaymentMethodFilter{Type: "card"})
			return err
		}(),
		"payment_method_id": func() error { _, err := c.GetPaymentMethod(ctx, "", ""); return err }(),
		"reference":         func() error { _, err := c.ListTokens(ctx, " ", multisafepay.TokenListParams{}); return err }(),
		"offset":            func() error { _, err := c.ListTokens(ctx, "c1", multisafepay.TokenListParams{Offset: -1}); return err }(),
		"token":             c.DeleteToken(ctx, "c1", ""),
		"status": func() error {
			_, err := c.ListTransactions(ctx, multisafepay.TransactionFilter{Status: "paid"})
			return err
		}(),
		"debit_credit": func() error {
			_, err := c.ListTransactions(ctx, multisafepay.TransactionFilter{DebitCredit: "X"})
			return err
		}(),
	} {
		var ferr *betaalkit.FieldError
		require.True(t, errors.As(err, &ferr), "%s: got %v", field, err)
		assert.Equal(t, field, ferr.Field)
	}
	_, err := c.ListTransactions(ctx, multisafepay.TransactionFilter{Limit: 1001})
	assert.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
	assert.Equal(t, sent, rec.hits.Load(), "nothing invalid is sent")
}

// A customer without tokens is an empty list, not an error; a token that
// was not removed is not a success.
func TestTokenAnswers(t *testing.T) {
	notFound := newRecorder(t, http.StatusNotFound, "application/json", []byte(`{"success":false,"data":{},"error_code":1000,"error_info":"Not found"}`))
	tokens, err := notFound.client(t).ListTokens(context.Background(), "nobody", multisafepay.TokenListParams{})
	require.NoError(t, err)
	assert.Empty(t, tokens)
	_, err = notFound.client(t).GetToken(context.Background(), "nobody", "t1")
	assert.True(t, multisafepay.HasCode(err, multisafepay.CodeUnknown), "one token stays an error: %v", err)

	kept := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":{"removed":false}}`))
	err = kept.client(t).DeleteToken(context.Background(), "c1", "t1")
	assert.ErrorIs(t, err, betaalkit.ErrDecode)
}

// pagedTransactions serves n transactions, newest first, size a page, with
// MultiSafepay's cursor pager; ignore makes it answer every page as the
// first (a provider that ignores the cursor).
func pagedTransactions(t *testing.T, n, size int, ignore bool) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var asked []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		after := r.URL.Query().Get("after")
		mu.Lock()
		asked = append(asked, after)
		mu.Unlock()
		start := 0
		if after != "" && !ignore {
			start, _ = strconv.Atoi(strings.TrimPrefix(after, "c"))
		}
		var data []map[string]any
		for i := start; i < n && i < start+size; i++ {
			data = append(data, map[string]any{"transaction_id": 1000 - i, "order_id": fmt.Sprintf("o-%d", i), "amount": 100, "currency": "EUR"})
		}
		cursor := map[string]any{}
		if start+size < n {
			cursor["after"] = fmt.Sprintf("c%d", start+size)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "data": data, "pager": map[string]any{"cursor": cursor, "limit": size}})
	}))
	t.Cleanup(ts.Close)
	return ts, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), asked...) }
}

func TestTransactionsWalksTheCursor(t *testing.T) {
	ts, asked := pagedTransactions(t, 5, 2, false)
	c, err := multisafepay.New(apiKey, multisafepay.WithBaseURL(ts.URL+"/v1/json"))
	require.NoError(t, err)
	var orders []string
	for tx, err := range c.Transactions(context.Background(), multisafepay.TransactionFilter{Limit: 2}) {
		require.NoError(t, err)
		orders = append(orders, tx.OrderID.String())
	}
	assert.Equal(t, []string{"o-0", "o-1", "o-2", "o-3", "o-4"}, orders)
	assert.Equal(t, []string{"", "c2", "c4"}, asked(), "each page once, ending where the cursor ends")

	// Breaking out of the loop fetches nothing more.
	ts, asked = pagedTransactions(t, 5, 2, false)
	c, err = multisafepay.New(apiKey, multisafepay.WithBaseURL(ts.URL+"/v1/json"))
	require.NoError(t, err)
	for range c.Transactions(context.Background(), multisafepay.TransactionFilter{Limit: 2}) {
		break
	}
	assert.Len(t, asked(), 1)
}

func TestTransactionsCatchesAnIgnoredCursor(t *testing.T) {
	ts, asked := pagedTransactions(t, 5, 2, true)
	c, err := multisafepay.New(apiKey, multisafepay.WithBaseURL(ts.URL+"/v1/json"))
	require.NoError(t, err)
	var orders []string
	var walkErr error
	for tx, err := range c.Transactions(context.Background(), multisafepay.TransactionFilter{Limit: 2}) {
		if err != nil {
			walkErr = err
			continue
		}
		orders = append(orders, tx.OrderID.String())
	}
	assert.Equal(t, []string{"o-0", "o-1"}, orders, "the first page once, no repeats")
	assert.ErrorIs(t, walkErr, multisafepay.ErrPageIgnored, "a partial list is not passed off as whole")
	assert.Len(t, asked(), 2)
}

// pagedTokens serves n tokens by limit and offset; ignore answers every
// request with the first page.
func pagedTokens(t *testing.T, n int, ignore bool) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		if ignore {
			offset = 0
		}
		tokens := []map[string]any{}
		for i := offset; i < n && i < offset+limit; i++ {
			tokens = append(tokens, map[string]any{"token": fmt.Sprintf("t%d", i), "code": "VISA"})
		}
		w.Header().Set("Content-Type", "application/json")
		if len(tokens) == 0 {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"success":false,"data":{},"error_code":1000,"error_info":"Not found"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "data": map[string]any{"tokens": tokens}})
	}))
	t.Cleanup(ts.Close)
	return ts
}

func TestTokensWalksTheOffset(t *testing.T) {
	for _, n := range []int{0, 3, 4, 5} {
		ts := pagedTokens(t, n, false)
		c, err := multisafepay.New(apiKey, multisafepay.WithBaseURL(ts.URL+"/v1/json"))
		require.NoError(t, err)
		var got []string
		for tok, err := range c.Tokens(context.Background(), "c1", multisafepay.TokenListParams{Limit: 2}) {
			require.NoError(t, err)
			got = append(got, tok.Token)
		}
		assert.Len(t, got, n)
	}

	ts := pagedTokens(t, 5, true)
	c, err := multisafepay.New(apiKey, multisafepay.WithBaseURL(ts.URL+"/v1/json"))
	require.NoError(t, err)
	var got []string
	var walkErr error
	for tok, err := range c.Tokens(context.Background(), "c1", multisafepay.TokenListParams{Limit: 2}) {
		if err != nil {
			walkErr = err
			continue
		}
		got = append(got, tok.Token)
	}
	assert.Equal(t, []string{"t0", "t1"}, got)
	assert.ErrorIs(t, walkErr, multisafepay.ErrPageIgnored)
}
