package opp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/specs/fixtures"
	"github.com/betaalkit/betaalkit/transport"
)

const (
	apiKey     = "hunter2"
	basicAuth  = "Basic aHVudGVyMjo="
	documentTx = "tra_1a2b3c2cf578"
)

// sent is one request the test server received.
type sent struct {
	method, path, rawQuery, auth string
	query                        url.Values
	body                         []byte
}

// server is an httptest server that answers through a handler function and
// remembers every request.
type server struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []sent
	hits atomic.Int32
}

func newServer(t *testing.T, answer func(r *http.Request) (int, string)) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, sent{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.URL.Query(), body})
		s.mu.Unlock()
		status, text := answer(r)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, text)
	}))
	t.Cleanup(s.Close)
	return s
}

// fixed answers every request with the same status and body.
func fixed(t *testing.T, status int, body string) *server {
	return newServer(t, func(*http.Request) (int, string) { return status, body })
}

func (s *server) last(t *testing.T) sent {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.NotEmpty(t, s.reqs, "no request reached the server")
	return s.reqs[len(s.reqs)-1]
}

func (s *server) all() []sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sent(nil), s.reqs...)
}

func (s *server) client(t *testing.T) *opp.Client {
	t.Helper()
	c, err := opp.New(apiKey, opp.WithBaseURL(s.URL+"/v1"), opp.WithRetry(fastRetry))
	require.NoError(t, err)
	return c
}

// fastRetry keeps the default number of attempts without the waits.
var fastRetry = transport.RetryPolicy{BaseDelay: time.Microsecond}

// validTransaction is the document's create example: 10779 + 675 shipping = 11454.
func validTransaction() opp.TransactionCreate {
	return opp.TransactionCreate{
		Products:      []opp.ProductCreate{{Name: "WakeUp Light", Price: 10779, Quantity: 1}},
		ShippingCosts: ptr(money.Cents(675)),
		TotalPrice:    11454,
		ReturnURL:     "https://developer.dev/return/",
	}
}

func ptr[T any](v T) *T { return &v }

// call runs the client method for a fixture's operation with the arguments
// the fixture's request carries.
func call(t *testing.T, c *opp.Client, f fixtures.Fixture) (any, error) {
	t.Helper()
	ctx := context.Background()
	u, err := url.Parse(f.Request.Path)
	require.NoError(t, err)
	seg := strings.Split(strings.Trim(u.Path, "/"), "/")
	q := u.Query()
	list := opp.ListParams{Page: atoi(t, q.Get("page")), PerPage: atoi(t, q.Get("perpage"))}
	var expand []opp.Expand
	for _, e := range q["expand[]"] {
		expand = append(expand, opp.Expand(e))
	}
	body := f.Request.BodyBytes()
	decode := func(v any) {
		t.Helper()
		require.NoError(t, json.Unmarshal(body, v))
	}
	switch f.OperationID {
	case "createTransaction":
		in := validTransaction()
		if len(body) > 0 {
			in = opp.TransactionCreate{}
			decode(&in)
		}
		return c.CreatePayment(ctx, in)
	case "getTransaction":
		return c.GetPayment(ctx, seg[1], expand...)
	case "listTransactions":
		return c.ListTransactions(ctx, opp.TransactionListParams{ListParams: list, Expand: expand})
	case "createRefund":
		var in opp.RefundCreate
		decode(&in)
		return c.CreateRefund(ctx, seg[1], in)
	case "listRefunds":
		return c.ListRefunds(ctx, seg[1], list)
	case "getOrder":
		return c.GetOrder(ctx, seg[1])
	case "updateOrder":
		var in opp.OrderUpdate
		decode(&in)
		return c.UpdateOrder(ctx, seg[1], in)
	case "listOrders":
		return c.ListOrders(ctx, list)
	case "createDiscountCode":
		var in opp.DiscountCodeCreate
		decode(&in)
		return c.CreateDiscountCode(ctx, in)
	case "getDiscountCode":
		return c.GetDiscountCode(ctx, seg[1])
	case "deleteDiscountCode":
		return c.DeleteDiscountCode(ctx, seg[1])
	case "listDiscountCodes":
		return c.ListDiscountCodes(ctx, list)
	case "createDiscountBatch":
		var in opp.DiscountBatchCreate
		decode(&in)
		return c.CreateDiscountBatch(ctx, in)
	case "getDiscountBatch":
		return c.GetDiscountBatch(ctx, seg[1])
	case "deleteDiscountBatch":
		return c.DeleteDiscountBatch(ctx, seg[1])
	case "listDiscountBatches":
		return c.ListDiscountBatches(ctx, list)
	case "createMerchant":
		var in opp.MerchantCreate
		decode(&in)
		return c.CreateMerchant(ctx, in)
	case "listMerchants":
		return c.ListMerchants(ctx, list)
	case "getMerchant":
		return c.GetMerchant(ctx, seg[1])
	case "updateMerchant":
		var in opp.MerchantUpdate
		decode(&in)
		return c.UpdateMerchant(ctx, seg[1], in)
	case "createBankAccount":
		var in opp.BankAccountCreate
		decode(&in)
		return c.CreateBankAccount(ctx, seg[1], in)
	case "listBankAccounts":
		return c.ListBankAccounts(ctx, seg[1], list)
	case "getBankAccount":
		return c.GetBankAccount(ctx, seg[1], seg[3])
	case "getStatus":
		return c.APIStatus(ctx)
	}
	t.Fatalf("no client call for %s", f.OperationID)
	return nil, nil
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	if s == "" {
		return 0
	}
	var n int
	_, err := fmt.Sscan(s, &n)
	require.NoError(t, err)
	return n
}

// TestFixturesThroughClient replays every documented exchange: the client
// sends the documented method, path, query and body with Basic auth, and
// decodes the documented response without losing a field.
func TestFixturesThroughClient(t *testing.T) {
	list, err := fixtures.Load("opp")
	require.NoError(t, err)
	replayed := 0
	for _, f := range list {
		if f.OperationID == "" {
			continue
		}
		t.Run(f.Base(), func(t *testing.T) {
			status, answer := http.StatusOK, `{"uid":"x","object":"transaction"}`
			if f.Response != nil {
				status, answer = f.Response.Status, string(f.Response.BodyBytes())
			}
			s := fixed(t, status, answer)
			got, err := call(t, s.client(t), f)
			if f.Base() == "metadata-create-transaction-request" {
				// The spec accepts this example's per-product totals; the
				// client asks for the documented top-level total_price.
				var ferr *betaalkit.FieldError
				require.True(t, errors.As(err, &ferr), "got %v", err)
				assert.Equal(t, "total_price", ferr.Field)
				assert.Zero(t, s.hits.Load())
				return
			}
			r := s.last(t)

			want, perr := url.Parse(f.Request.Path)
			require.NoError(t, perr)
			assert.Equal(t, f.Request.Method, r.method)
			if f.OperationID == "getStatus" {
				assert.Equal(t, want.Path, r.path, "OPP serves its status outside /v1")
			} else {
				assert.Equal(t, "/v1"+want.Path, r.path)
			}
			assert.Equal(t, want.Query(), r.query, "query (raw: %s)", r.rawQuery)
			assert.Equal(t, basicAuth, r.auth)
			if body := f.Request.BodyBytes(); len(body) > 0 {
				assert.JSONEq(t, string(body), string(r.body), "the documented request body goes out")
			}
			if f.Response == nil {
				return
			}
			if status >= 400 {
				var oerr *opp.Error
				require.True(t, errors.As(err, &oerr), "got %T: %v", err, err)
				assert.Equal(t, status, oerr.StatusCode)
				return
			}
			require.NoError(t, err)
			again, err := json.Marshal(got)
			require.NoError(t, err)
			assertSubset(t, f.Response.BodyBytes(), again)
			replayed++
		})
	}
	assert.Equal(t, 33, replayed, "every fixture with a success response is replayed")
}

// assertSubset checks that every documented key and value survives decoding
// and re-encoding, allowing for the canonical forms the tolerant types write:
// "12129" becomes 12129, 215 becomes "215", [] and {} both mean "empty",
// and a zero (0, false, "") is left out as the
// models' values do, since it decodes the same as a missing field.
func assertSubset(t *testing.T, want, got []byte) {
	t.Helper()
	var w, g any
	dec := json.NewDecoder(bytes.NewReader(want))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&w))
	dec = json.NewDecoder(bytes.NewReader(got))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&g))
	var walk func(path string, w, g any)
	walk = func(path string, w, g any) {
		if isEmpty(w) {
			assert.True(t, g == nil || isEmpty(g), "%s: want empty, got %v", path, g)
			return
		}
		switch wv := w.(type) {
		case map[string]any:
			gm, ok := g.(map[string]any)
			require.True(t, ok, "%s: want an object, got %v", path, g)
			for k, v := range wv {
				if v == nil {
					continue // a null and an omitted field mean the same
				}
				walk(path+"."+k, v, gm[k])
			}
		case []any:
			gl, ok := g.([]any)
			require.True(t, ok, "%s: want a list, got %v", path, g)
			require.Len(t, gl, len(wv), path)
			for i := range wv {
				walk(fmt.Sprintf("%s[%d]", path, i), wv[i], gl[i])
			}
		default:
			if g == nil && (fmt.Sprint(wv) == "0" || wv == false || wv == "") {
				return
			}
			assert.Equal(t, fmt.Sprint(wv), fmt.Sprint(g), path)
		}
	}
	walk("$", w, g)
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			if x != nil {
				return false
			}
		}
		return true // {} or only nulls ({"account_iban": null})
	case []any:
		return len(v) == 0
	}
	return false
}

// TestEveryOperationSendsMethodPathAndQuery pins each call's request line,
// including perpage and the expand[] encoding.
func TestEveryOperationSendsMethodPathAndQuery(t *testing.T) {
	ctx := context.Background()
	lp := opp.ListParams{Page: 3, PerPage: 100}
	pq := "page=3&perpage=100"
	from := opp.DiscountCodeCreate{ValidFrom: 1506185526, Code: "56631c", DiscountType: opp.DiscountTypeAmount, Amount: 675, CodeType: opp.CodeTypeAll}
	batch := opp.DiscountBatchCreate{ValidFrom: 1506185526, Quantity: 500, DiscountType: opp.DiscountTypeAmount, Amount: 675, CodeType: opp.CodeTypeAll}
	merchant := opp.MerchantCreate{Country: "nld", Emailaddress: "kymani@marley.example", NotifyURL: "https://shop.example/notify"}
	for _, tc := range []struct {
		name, method, path, query string
		call                      func(c *opp.Client) error
	}{
		{"create payment", "POST", "/v1/transactions", "", func(c *opp.Client) error { _, err := c.CreatePayment(ctx, validTransaction()); return err }},
		{"get payment", "GET", "/v1/transactions/tra_1", "", func(c *opp.Client) error { _, err := c.GetPayment(ctx, "tra_1"); return err }},
		{"get payment expanded", "GET", "/v1/transactions/tra_1", "expand[]=order&expand[]=order.customer&expand[]=statuses&expand[]=escrow", func(c *opp.Client) error {
			_, err := c.GetPayment(ctx, "tra_1", opp.ExpandOrder, opp.ExpandOrderCustomer, opp.ExpandStatuses, opp.ExpandEscrow)
			return err
		}},
		{"list transactions", "GET", "/v1/transactions", "", func(c *opp.Client) error { _, err := c.ListTransactions(ctx, opp.TransactionListParams{}); return err }},
		{"list transactions paged and expanded", "GET", "/v1/transactions", pq + "&expand[]=order", func(c *opp.Client) error {
			_, err := c.ListTransactions(ctx, opp.TransactionListParams{ListParams: lp, Expand: []opp.Expand{opp.ExpandOrder}})
			return err
		}},
		{"create refund", "POST", "/v1/transactions/tra_1/refunds", "", func(c *opp.Client) error {
			_, err := c.CreateRefund(ctx, "tra_1", opp.RefundCreate{Amount: 6750})
			return err
		}},
		{"list refunds", "GET", "/v1/transactions/tra_1/refunds", pq, func(c *opp.Client) error { _, err := c.ListRefunds(ctx, "tra_1", lp); return err }},
		{"get order", "GET", "/v1/orders/ord_1", "", func(c *opp.Client) error { _, err := c.GetOrder(ctx, "ord_1"); return err }},
		{"update order", "POST", "/v1/orders/ord_1", "", func(c *opp.Client) error {
			_, err := c.UpdateOrder(ctx, "ord_1", opp.OrderUpdate{Processed: ptr(true)})
			return err
		}},
		{"list orders", "GET", "/v1/orders", pq, func(c *opp.Client) error { _, err := c.ListOrders(ctx, lp); return err }},
		{"create discount code", "POST", "/v1/discountcodes", "", func(c *opp.Client) error { _, err := c.CreateDiscountCode(ctx, from); return err }},
		{"get discount code", "GET", "/v1/discountcodes/dis_1", "", func(c *opp.Client) error { _, err := c.GetDiscountCode(ctx, "dis_1"); return err }},
		{"delete discount code", "DELETE", "/v1/discountcodes/dis_1", "", func(c *opp.Client) error { _, err := c.DeleteDiscountCode(ctx, "dis_1"); return err }},
		{"list discount codes", "GET", "/v1/discountcodes", pq, func(c *opp.Client) error { _, err := c.ListDiscountCodes(ctx, lp); return err }},
		{"create discount batch", "POST", "/v1/discountbatches", "", func(c *opp.Client) error { _, err := c.CreateDiscountBatch(ctx, batch); return err }},
		{"get discount batch", "GET", "/v1/discountbatches/dcb_1", "", func(c *opp.Client) error { _, err := c.GetDiscountBatch(ctx, "dcb_1"); return err }},
		{"delete discount batch", "DELETE", "/v1/discountbatches/dcb_1", "", func(c *opp.Client) error { _, err := c.DeleteDiscountBatch(ctx, "dcb_1"); return err }},
		{"list discount batches", "GET", "/v1/discountbatches", pq, func(c *opp.Client) error { _, err := c.ListDiscountBatches(ctx, lp); return err }},
		{"create merchant", "POST", "/v1/merchants", "", func(c *opp.Client) error { _, err := c.CreateMerchant(ctx, merchant); return err }},
		{"get merchant", "GET", "/v1/merchants/mer_1", "", func(c *opp.Client) error { _, err := c.GetMerchant(ctx, "mer_1"); return err }},
		{"list merchants", "GET", "/v1/merchants", pq, func(c *opp.Client) error { _, err := c.ListMerchants(ctx, lp); return err }},
		{"update merchant", "POST", "/v1/merchants/mer_1", "", func(c *opp.Client) error {
			_, err := c.UpdateMerchant(ctx, "mer_1", opp.MerchantUpdate{Status: opp.MerchantUpdateStatusSuspended})
			return err
		}},
		{"create bank account", "POST", "/v1/merchants/mer_1/bank_accounts", "", func(c *opp.Client) error {
			_, err := c.CreateBankAccount(ctx, "mer_1", opp.BankAccountCreate{ReturnURL: "https://shop.example/"})
			return err
		}},
		{"list bank accounts", "GET", "/v1/merchants/mer_1/bank_accounts", pq, func(c *opp.Client) error { _, err := c.ListBankAccounts(ctx, "mer_1", lp); return err }},
		{"get bank account", "GET", "/v1/merchants/mer_1/bank_accounts/bnk_1", "", func(c *opp.Client) error { _, err := c.GetBankAccount(ctx, "mer_1", "bnk_1"); return err }},
		{"api status", "GET", "/status", "", func(c *opp.Client) error { _, err := c.APIStatus(ctx); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fixed(t, http.StatusOK, `{"uid":"x","object":"x","deleted":true,"has_more":false,"data":[],"status":"online"}`)
			require.NoError(t, tc.call(s.client(t)))
			r := s.last(t)
			assert.Equal(t, tc.method, r.method)
			assert.Equal(t, tc.path, r.path)
			want, err := url.ParseQuery(tc.query)
			require.NoError(t, err)
			if len(want) == 0 {
				want = url.Values{}
			}
			assert.Equal(t, want, r.query, "raw query: %s", r.rawQuery)
			assert.Equal(t, basicAuth, r.auth)
			if tc.method == "POST" {
				assert.True(t, json.Valid(r.body), "POST bodies are JSON")
			} else {
				assert.Empty(t, r.body)
			}
		})
	}
}

func TestExpandIsRepeatedInOrder(t *testing.T) {
	s := fixed(t, http.StatusOK, `{"uid":"tra_1","object":"transaction"}`)
	_, err := s.client(t).GetPayment(context.Background(), "tra_1", opp.ExpandOrder, opp.ExpandOrderCustomer)
	require.NoError(t, err)
	r := s.last(t)
	assert.Equal(t, []string{"order", "order.customer"}, r.query["expand[]"])
	// One expand[] per value, never a comma list; the brackets are
	// percent-encoded as url.Values does (PHP decodes both forms).
	assert.Equal(t, "expand%5B%5D=order&expand%5B%5D=order.customer", r.rawQuery)
}

func TestTolerantWireForms(t *testing.T) {
	for _, tc := range []struct {
		name, body  string
		amount      money.Cents
		housenumber string
		metadata    map[string]string
	}{
		{"string amount and metadata pairs", `{"uid":"t","object":"transaction","amount":"12129","completed":null,"metadata":[{"key":"external_id","value":"2015486"}],"order":{},"escrow":{}}`, 12129, "", map[string]string{"external_id": "2015486"}},
		{"number amount and empty metadata", `{"uid":"t","object":"transaction","amount":10,"metadata":[],"order":{"housenumber":215}}`, 10, "215", map[string]string{}},
		{"metadata object and text housenumber", `{"uid":"t","object":"transaction","amount":"10","metadata":{"a":"b"},"order":{"housenumber":"215"}}`, 10, "215", map[string]string{"a": "b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fixed(t, http.StatusOK, tc.body)
			tx, err := s.client(t).GetPayment(context.Background(), "t")
			require.NoError(t, err)
			assert.Equal(t, tc.amount, tx.Amount)
			assert.Equal(t, tc.metadata, map[string]string(tx.Metadata.Map()))
			assert.Equal(t, tc.housenumber, tx.Order.Value.Housenumber.String())
			assert.True(t, tx.Completed.IsZero(), "completed: null is not a moment")
		})
	}
}

func TestErrorEnvelopeBecomesTypedError(t *testing.T) {
	doc := `{
    "error": {
        "code": 1935,
        "message": "Missing required merchant_uid" 
    }
}`
	for _, tc := range []struct {
		name, body, code, message string
		status                    int
	}{
		{"documented 400", doc, "1935", "Missing required merchant_uid", http.StatusBadRequest},
		{"string code 402", `{"error":{"code":"1200","message":"Request failed"}}`, "1200", "Request failed", http.StatusPaymentRequired},
		{"401", `{"error":{"code":1000,"message":"Invalid API key"}}`, "1000", "Invalid API key", http.StatusUnauthorized},
		{"404", `{"error":{"code":1404,"message":"Not found"}}`, "1404", "Not found", http.StatusNotFound},
		{"html 502", "<html>502 Bad Gateway</html>", "", "", http.StatusBadGateway},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fixed(t, tc.status, tc.body)
			_, err := s.client(t).CreatePayment(context.Background(), validTransaction())
			var oerr *opp.Error
			require.True(t, errors.As(err, &oerr), "got %T: %v", err, err)
			assert.Equal(t, tc.status, oerr.StatusCode)
			assert.Equal(t, tc.code, oerr.Code)
			assert.Equal(t, tc.message, oerr.Message)
			assert.Equal(t, tc.body, string(oerr.RawBody))
			assert.Contains(t, err.Error(), fmt.Sprintf("opp: create payment: HTTP %d", tc.status), "the error names the call")
			assert.Equal(t, "create payment", oerr.Op)
			assert.NotContains(t, err.Error(), apiKey)
			assert.False(t, errors.Is(err, opp.ErrConcurrentRequest))
			assert.Equal(t, tc.status >= 500, oerr.Retryable())
		})
	}
}

func TestConcurrentRequestIsItsOwnCondition(t *testing.T) {
	s := fixed(t, http.StatusConflict, `{"error":{"code":409,"message":"Concurrent request"}}`)
	_, err := s.client(t).CreateRefund(context.Background(), "tra_1", opp.RefundCreate{Amount: 100})
	require.ErrorIs(t, err, opp.ErrConcurrentRequest)
	var oerr *opp.Error
	require.True(t, errors.As(err, &oerr))
	assert.True(t, oerr.Retryable())
	assert.Equal(t, "Concurrent request", oerr.Message)
}

func TestMalformedSuccessKeepsRawBody(t *testing.T) {
	s := fixed(t, http.StatusOK, `{"uid":"t","amount":"ten"}`)
	_, err := s.client(t).GetPayment(context.Background(), "t")
	var derr *betaalkit.DecodeError
	require.True(t, errors.As(err, &derr), "got %T: %v", err, err)
	assert.Equal(t, `{"uid":"t","amount":"ten"}`, string(derr.RawBody))
	assert.ErrorIs(t, err, betaalkit.ErrDecode)
	assert.Contains(t, err.Error(), "opp: get payment: ")

	for _, body := range []string{`null`, ` null `} {
		_, err = fixed(t, http.StatusOK, body).client(t).GetPayment(context.Background(), "t")
		assert.ErrorIs(t, err, betaalkit.ErrDecode, "a null answer is no transaction")
	}
}

func TestInvalidInputIsRefusedBeforeSending(t *testing.T) {
	ctx := context.Background()
	bad := func(edit func(*opp.TransactionCreate)) opp.TransactionCreate {
		tx := validTransaction()
		edit(&tx)
		return tx
	}
	code := opp.DiscountCodeCreate{Code: "56631c", DiscountType: opp.DiscountTypeAmount, Amount: 675, CodeType: opp.CodeTypeAll, DateStarted: 1506185526}
	batch := opp.DiscountBatchCreate{ValidFrom: 1506185526, Quantity: 500, DiscountType: opp.DiscountTypeAmount, Amount: 675, CodeType: opp.CodeTypeAll}
	create := func(edit func(*opp.TransactionCreate)) func(c *opp.Client) error {
		return func(c *opp.Client) error {
			_, err := c.CreatePayment(ctx, bad(edit))
			return err
		}
	}
	for _, tc := range []struct {
		name, field string
		call        func(c *opp.Client) error
	}{
		{"no products", "products", create(func(tx *opp.TransactionCreate) { tx.Products = nil })},
		{"product without name", "products[0].name", create(func(tx *opp.TransactionCreate) { tx.Products[0].Name = " " })},
		{"zero quantity", "products[0].quantity", create(func(tx *opp.TransactionCreate) { tx.Products[0].Quantity = 0 })},
		{"no total", "total_price", create(func(tx *opp.TransactionCreate) { tx.TotalPrice = 0 })},
		{"no return url", "return_url", create(func(tx *opp.TransactionCreate) { tx.ReturnURL = "" })},
		{"unknown method", "payment_method", create(func(tx *opp.TransactionCreate) { tx.PaymentMethod = "bitcoin" })},
		{"email flow without address", "buyer_emailaddress", create(func(tx *opp.TransactionCreate) { tx.PaymentFlow = opp.PaymentFlowEmail })},
		{"negative shipping", "shipping_costs", create(func(tx *opp.TransactionCreate) { tx.ShippingCosts = ptr(money.Cents(-1)) })},
		{"perpage over 100", "perpage", func(c *opp.Client) error {
			_, err := c.ListTransactions(ctx, opp.TransactionListParams{ListParams: opp.ListParams{PerPage: 101}})
			return err
		}},
		{"negative page", "page", func(c *opp.Client) error { _, err := c.ListOrders(ctx, opp.ListParams{Page: -1}); return err }},
		{"empty expand", "expand[]", func(c *opp.Client) error { _, err := c.GetPayment(ctx, "tra_1", ""); return err }},
		{"empty uid", "uid", func(c *opp.Client) error { _, err := c.GetPayment(ctx, ""); return err }},
		{"path in uid", "uid", func(c *opp.Client) error { _, err := c.GetOrder(ctx, "../transactions"); return err }},
		{"zero refund", "amount", func(c *opp.Client) error { _, err := c.CreateRefund(ctx, "tra_1", opp.RefundCreate{}); return err }},
		{"refund uid", "transaction_uid", func(c *opp.Client) error {
			_, err := c.CreateRefund(ctx, "tra/1", opp.RefundCreate{Amount: 1})
			return err
		}},
		{"country name", "country", func(c *opp.Client) error {
			_, err := c.UpdateOrder(ctx, "ord_1", opp.OrderUpdate{Country: "Netherlands"})
			return err
		}},
		{"discount code without start", "valid_from", func(c *opp.Client) error {
			d := code
			d.DateStarted = 0
			_, err := c.CreateDiscountCode(ctx, d)
			return err
		}},
		{"discount code with symbols", "code", func(c *opp.Client) error {
			d := code
			d.Code = "50%-off"
			_, err := c.CreateDiscountCode(ctx, d)
			return err
		}},
		{"percentage over 100", "amount", func(c *opp.Client) error {
			d := code
			d.DiscountType = opp.DiscountTypePercentage
			_, err := c.CreateDiscountCode(ctx, d)
			return err
		}},
		{"unknown code type", "code_type", func(c *opp.Client) error {
			d := code
			d.CodeType = "forever"
			_, err := c.CreateDiscountCode(ctx, d)
			return err
		}},
		{"batch too large", "quantity", func(c *opp.Client) error {
			b := batch
			b.Quantity = 100001
			_, err := c.CreateDiscountBatch(ctx, b)
			return err
		}},
		{"batch prefix", "code_prefix", func(c *opp.Client) error {
			b := batch
			b.CodePrefix = "TOO-LONG-PREFIX"
			_, err := c.CreateDiscountBatch(ctx, b)
			return err
		}},
		{"batch without start", "valid_from", func(c *opp.Client) error {
			b := batch
			b.ValidFrom = 0
			_, err := c.CreateDiscountBatch(ctx, b)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fixed(t, http.StatusOK, `{}`)
			err := tc.call(s.client(t))
			var ferr *betaalkit.FieldError
			require.True(t, errors.As(err, &ferr), "got %v", err)
			assert.Equal(t, tc.field, ferr.Field)
			assert.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
			assert.Regexp(t, `^opp: [a-z ]+: invalid request: `, err.Error(), "the error names the call")
			assert.Zero(t, s.hits.Load(), "nothing may be sent")
		})
	}
}

func TestKeyNeverInErrors(t *testing.T) {
	const secret = "live_SeCrEtKeY_0123"
	down := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, errors.New("connection refused")
	})}
	c, err := opp.New(secret, opp.WithHTTPClient(down))
	require.NoError(t, err)
	_, err = c.GetOrder(context.Background(), "ord_1")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret)
	assert.NotContains(t, fmt.Sprintf("%+v %#v", c, c), secret)
	_, err = opp.New(secret, opp.WithBaseURL("not a url"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret)
}

func TestConstructorErrorsAreConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, setting string
		key           string
		opts          []opp.Option
	}{
		{"empty key", "apiKey", "", nil},
		{"base URL not a URL", "WithBaseURL", apiKey, []opp.Option{opp.WithBaseURL("not a url")}},
		{"relative base URL", "WithBaseURL", apiKey, []opp.Option{opp.WithBaseURL("/v1")}},
		{"unknown environment", "WithEnvironment", apiKey, []opp.Option{opp.WithEnvironment("staging")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := opp.New(tc.key, tc.opts...)
			assert.Nil(t, c)
			require.ErrorIs(t, err, betaalkit.ErrConfig)
			var cerr *betaalkit.ConfigError
			require.True(t, errors.As(err, &cerr))
			assert.Equal(t, "opp", cerr.Provider)
			assert.Equal(t, tc.setting, cerr.Setting)
			assert.True(t, strings.HasPrefix(err.Error(), "opp: "+tc.setting+" "), err.Error())
		})
	}
}

func TestEnvironments(t *testing.T) {
	c, err := opp.New(apiKey)
	require.NoError(t, err)
	assert.Equal(t, "https://api-sandbox.onlinebetaalplatform.nl/v1", c.BaseURL(), "the sandbox unless asked otherwise")
	c, err = opp.New(apiKey, opp.WithEnvironment(opp.Live))
	require.NoError(t, err)
	assert.Equal(t, "https://api.onlinebetaalplatform.nl/v1", c.BaseURL())

	// The environment decides the host the request goes to.
	var host string
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		host = r.URL.Host + r.URL.Path
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{"uid":"ord_1"}`))}, nil
	})}
	c, err = opp.New(apiKey, opp.WithEnvironment(opp.Live), opp.WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = c.GetOrder(context.Background(), "ord_1")
	require.NoError(t, err)
	assert.Equal(t, "api.onlinebetaalplatform.nl/v1/orders/ord_1", host)
}

func TestCallerHTTPClientIsNotModified(t *testing.T) {
	s := fixed(t, http.StatusOK, `{"uid":"ord_1"}`)
	mine := &http.Client{}
	c, err := opp.New(apiKey, opp.WithBaseURL(s.URL), opp.WithHTTPClient(mine))
	require.NoError(t, err)
	_, err = c.GetOrder(context.Background(), "ord_1")
	require.NoError(t, err)
	assert.Nil(t, mine.Transport)
	assert.Equal(t, basicAuth, s.last(t).auth)
	assert.Equal(t, "/orders/ord_1", s.last(t).path)
}

func TestContextCancelStopsTheCall(t *testing.T) {
	s := fixed(t, http.StatusOK, `{}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.client(t).GetOrder(ctx, "ord_1")
	assert.ErrorIs(t, err, context.Canceled)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
