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
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/flex"
	"github.com/betaalkit/betaalkit/money"
	sandbox "github.com/betaalkit/betaalkit/sandbox/opp"
	"github.com/betaalkit/betaalkit/sandbox/sim"
	"github.com/betaalkit/betaalkit/specs"
)

// env is a sandbox behind a recorder that checks every API answer against
// the spec and remembers which list pages were asked for.
type env struct {
	ts *httptest.Server
	s  *sandbox.Server
	c  *opp.Client

	mu    sync.Mutex
	pages []string // "path?page=N&perpage=M" of every list request
}

// responseValidator is loaded once: loading the spec is most of a test's time.
var responseValidator = sync.OnceValues(func() (*specs.Validator, error) { return specs.NewValidator("opp") })

func start(t *testing.T, cfg sandbox.Config) *env {
	t.Helper()
	s, err := sandbox.New(cfg)
	require.NoError(t, err)
	v, err := responseValidator()
	require.NoError(t, err)
	e := &env{s: s}
	e.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/v1/") && r.URL.Path != "/status" {
			s.ServeHTTP(w, r)
			return
		}
		if q := r.URL.Query(); r.Method == http.MethodGet && (q.Has("page") || q.Has("perpage")) {
			e.mu.Lock()
			e.pages = append(e.pages, fmt.Sprintf("%s?page=%s&perpage=%s", r.URL.Path, q.Get("page"), q.Get("perpage")))
			e.mu.Unlock()
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		// Every answer the sandbox gives must be one the spec allows.
		if route, params, err := v.Route(r.Method, r.URL.Path); err == nil {
			err := v.ValidateResponse(r.Context(), r, route, params, rec.Code, rec.Header(), rec.Body.Bytes())
			assert.NoError(t, err, "%s %s answered %d %s", r.Method, r.URL, rec.Code, rec.Body.String())
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(e.ts.Close)
	e.c, err = opp.New(sandbox.DefaultAPIKey, opp.WithBaseURL(e.ts.URL+"/v1"))
	require.NoError(t, err)
	return e
}

func (e *env) listPages() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.pages
	e.pages = nil
	return out
}

const returnURL = "https://shop.example/return/"

func wakeUpLight(notify string) opp.TransactionCreate {
	return opp.TransactionCreate{
		BuyerNameFirst: "John", BuyerNameLast: "Tester", BuyerEmailaddress: "john@tester.dev",
		Products:      []opp.ProductCreate{{Name: "WakeUp Light", Price: 10779, Quantity: 1}},
		ShippingCosts: ptr(money.Cents(675)),
		TotalPrice:    11454,
		ReturnURL:     returnURL,
		NotifyURL:     notify,
		Metadata:      map[string]string{"external_id": "2015486"},
	}
}

// notifyReceiver is the shop's notify_url, served by our client's own
// WebhookHandler (which re-fetches the transaction from the sandbox).
func notifyReceiver(t *testing.T, c *opp.Client) (*httptest.Server, chan *opp.Transaction) {
	got := make(chan *opp.Transaction, 16)
	srv := httptest.NewServer(c.WebhookHandler(func(_ context.Context, tx *opp.Transaction) error {
		got <- tx
		return nil
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func next(t *testing.T, got chan *opp.Transaction) *opp.Transaction {
	t.Helper()
	select {
	case tx := <-got:
		return tx
	default:
		t.Fatal("no notification was delivered (delivery is synchronous, so it should be here)")
		return nil
	}
}

func TestLifecycleThroughThePaymentPage(t *testing.T) {
	e := start(t, sandbox.Config{})
	notify, got := notifyReceiver(t, e.c)
	ctx := context.Background()

	for _, tc := range []struct {
		choice sim.Choice
		want   opp.TransactionStatus
		status betaalkit.Status
	}{
		{sim.Pay, opp.TransactionStatusCompleted, betaalkit.StatusPaid},
		{sim.Cancel, opp.TransactionStatusCancelled, betaalkit.StatusCanceled},
		{sim.Fail, opp.TransactionStatusFailed, betaalkit.StatusFailed},
		{sim.Expire, opp.TransactionStatusExpired, betaalkit.StatusExpired},
	} {
		t.Run(string(tc.choice), func(t *testing.T) {
			tx, err := e.c.CreatePayment(ctx, wakeUpLight(notify.URL+"/notify/"))
			require.NoError(t, err)
			assert.Equal(t, opp.TransactionStatusCreated, tx.Status)
			assert.Equal(t, "114.54", tx.Amount.String())
			assert.Equal(t, e.ts.URL+"/nl/betalen/?trx="+tx.UID, opp.PaymentURL(tx))
			assert.Equal(t, flex.Metadata{"external_id": "2015486"}, tx.Metadata.Map())
			assert.Regexp(t, `^tra_[0-9a-f]{12}$`, tx.UID)
			delivered := len(e.s.Deliveries())

			back, err := sim.PayAsCustomer(ctx, opp.PaymentURL(tx), tc.choice)
			require.NoError(t, err)
			assert.Equal(t, returnURL, back)

			// Opening the checkout made it pending; the choice made it final.
			deliveries := e.s.Deliveries()[delivered:]
			require.Len(t, deliveries, 2)
			for i, want := range []opp.TransactionStatus{opp.TransactionStatusPending, tc.want} {
				n := deliveries[i].Notification
				assert.Equal(t, http.StatusOK, deliveries[i].StatusCode)
				assert.Equal(t, opp.NotificationTransactionStatusChanged, n.Type)
				assert.Equal(t, opp.ObjectTypeTransaction, n.ObjectType)
				assert.Equal(t, tx.UID, n.ObjectUID)
				assert.Equal(t, e.ts.URL+"/v1/transactions/"+tx.UID, n.ObjectURL, "object_url is the sandbox's own API URL")
				assert.Regexp(t, `^not_[0-9a-f]{12}$`, n.UID)
				assert.False(t, n.Created.IsZero())
				r := next(t, got)
				require.NotNil(t, r, "the handler re-fetched the transaction")
				assert.Equal(t, tx.UID, r.UID)
				// The re-fetch happens while the sandbox delivers, so it sees that status.
				assert.Equal(t, want, r.Status)
			}

			final, err := e.c.GetPayment(ctx, tx.UID, opp.ExpandStatuses)
			require.NoError(t, err)
			assert.Equal(t, tc.want, final.Status)
			assert.Equal(t, betaalkit.PaymentStatus{Status: tc.status, Raw: string(tc.want)}, opp.StatusOf(final))
			var history []opp.TransactionStatus
			for _, st := range final.Statuses {
				history = append(history, st.Status)
			}
			assert.Equal(t, []opp.TransactionStatus{"created", "pending", tc.want}, history)
			assert.Equal(t, tc.choice == sim.Pay, !final.Completed.IsZero(), "completed is set only for a completed payment")

			_, err = sim.PayAsCustomer(ctx, opp.PaymentURL(tx), sim.Pay)
			assert.ErrorContains(t, err, "409", "a final transaction cannot be paid again")
			assert.Empty(t, got, "no status changed, so nothing was posted")
		})
	}
}

func TestUnknownTransactionPage(t *testing.T) {
	e := start(t, sandbox.Config{})
	_, err := sim.PayAsCustomer(context.Background(), e.ts.URL+"/nl/betalen/?trx=tra_000000000000", sim.Pay)
	assert.ErrorContains(t, err, "404")
}

func TestConfiguredNotifyURLIsTheFallback(t *testing.T) {
	var hook struct {
		sync.Mutex
		bodies [][]byte
	}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hook.Lock()
		hook.bodies = append(hook.bodies, b)
		hook.Unlock()
	}))
	defer receiver.Close()
	e := start(t, sandbox.Config{NotifyURL: receiver.URL})
	ctx := context.Background()
	tx, err := e.c.CreatePayment(ctx, wakeUpLight(""))
	require.NoError(t, err)
	_, err = e.s.Complete(ctx, tx.UID, sim.Pay)
	require.NoError(t, err)

	hook.Lock()
	defer hook.Unlock()
	require.Len(t, hook.bodies, 2, "created → pending → completed")
	// The body is exactly the document's notification shape and fits the spec.
	v, err := responseValidator()
	require.NoError(t, err)
	for _, b := range hook.bodies {
		require.NoError(t, v.ValidateSchema("Notification", b), string(b))
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		assert.ElementsMatch(t, []string{"uid", "type", "created", "object_uid", "object_type", "object_url"}, keys(m))
	}
	// Our own parser accepts what the sandbox sends.
	n, err := opp.ParseNotification(hook.bodies[1])
	require.NoError(t, err)
	assert.Equal(t, tx.UID, n.ObjectUID)
}

func TestFailedNotificationIsReportedButTheTransactionMoves(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	tx, err := e.c.CreatePayment(ctx, wakeUpLight(down.URL))
	require.NoError(t, err)

	back, err := sim.PayAsCustomer(ctx, opp.PaymentURL(tx), sim.Pay)
	require.NoError(t, err, "the buyer is sent back whatever the shop's notify_url answers")
	assert.Equal(t, returnURL, back)
	got, err := e.c.GetPayment(ctx, tx.UID)
	require.NoError(t, err)
	assert.Equal(t, opp.TransactionStatusCompleted, got.Status)
	d := e.s.Deliveries()
	require.Len(t, d, 2)
	assert.Equal(t, http.StatusServiceUnavailable, d[1].StatusCode)
	assert.ErrorContains(t, d[1].Err, "503")

	tx2, err := e.c.CreatePayment(ctx, wakeUpLight(down.URL))
	require.NoError(t, err)
	moved, err := e.s.Complete(ctx, tx2.UID, sim.Cancel)
	assert.ErrorContains(t, err, "503", "from Go the failure is returned")
	assert.Equal(t, opp.TransactionStatusCancelled, moved.Status)
}

func TestEscrowIsReservedUntilReleased(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	in := wakeUpLight("")
	in.Escrow, in.EscrowPeriod = true, 14
	tx, err := e.c.CreatePayment(ctx, in)
	require.NoError(t, err)
	_, err = e.s.Complete(ctx, tx.UID, sim.Pay)
	require.NoError(t, err)

	got, err := e.c.GetPayment(ctx, tx.UID, opp.ExpandEscrow)
	require.NoError(t, err)
	assert.Equal(t, opp.TransactionStatusReserved, got.Status)
	assert.True(t, opp.StatusOf(got).IsPaid(), "reserved: the payment is confirmed, the funds are in escrow")
	assert.EqualValues(t, 14, got.Escrow.Value.Period)
	assert.Equal(t, 14*24.0, got.Escrow.Value.End.Sub(got.Escrow.Value.Start.Time).Hours())
	_, err = e.c.CreateRefund(ctx, tx.UID, opp.RefundCreate{Amount: 100})
	assertOPPError(t, err, http.StatusPaymentRequired, sandbox.CodeNotRefundable)

	released, err := e.s.ReleaseEscrow(ctx, tx.UID)
	require.NoError(t, err)
	assert.Equal(t, opp.TransactionStatusCompleted, released.Status)
	var history []opp.TransactionStatus
	for _, st := range released.Statuses {
		history = append(history, st.Status)
	}
	assert.Equal(t, []opp.TransactionStatus{"created", "pending", "reserved", "completed"}, history, "the document's escrow flow")
}

func TestExpire(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	tx, err := e.c.CreatePayment(ctx, wakeUpLight(""))
	require.NoError(t, err)
	got, err := e.s.Expire(ctx, tx.UID)
	require.NoError(t, err)
	assert.Equal(t, opp.TransactionStatusExpired, got.Status)
	_, err = e.s.Complete(ctx, tx.UID, sim.Pay)
	assert.ErrorIs(t, err, sandbox.ErrFinal)
	_, err = e.s.Expire(ctx, tx.UID)
	assert.Error(t, err)
}

func assertOPPError(t *testing.T, err error, status, code int) *opp.Error {
	t.Helper()
	var oerr *opp.Error
	require.True(t, errors.As(err, &oerr), "%v", err)
	assert.Equal(t, status, oerr.StatusCode)
	assert.Equal(t, fmt.Sprint(code), oerr.Code)
	assert.NotEmpty(t, oerr.Message)
	return oerr
}

func TestWrongKeyIsRefusedInOPPFormat(t *testing.T) {
	e := start(t, sandbox.Config{})
	wrong, err := opp.New("not-the-key", opp.WithBaseURL(e.ts.URL+"/v1"))
	require.NoError(t, err)
	_, err = wrong.ListTransactions(context.Background(), opp.TransactionListParams{})
	oerr := assertOPPError(t, err, http.StatusUnauthorized, sandbox.CodeInvalidAPIKey)
	assert.JSONEq(t, `{"error":{"code":1100,"message":"Invalid or revoked API key"}}`, string(oerr.RawBody))

	for _, path := range []string{"/v1/transactions", "/v1/no-such-endpoint"} {
		resp, err := http.Get(e.ts.URL + path) // no credentials at all
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, path)
		assert.JSONEq(t, `{"error":{"code":1100,"message":"Invalid or revoked API key"}}`, string(body), path)
	}
}

func TestUnknownObjectsAnswer404InOPPFormat(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	_, err := e.c.GetPayment(ctx, "tra_000000000000")
	oerr := assertOPPError(t, err, http.StatusNotFound, sandbox.CodeNotFound)
	assert.Equal(t, "opp: get payment: HTTP 404: 1300: transaction tra_000000000000 not found", oerr.Error())
	_, err = e.c.GetOrder(ctx, "ord_000000000000")
	assertOPPError(t, err, http.StatusNotFound, sandbox.CodeNotFound)
	_, err = e.c.CreateRefund(ctx, "tra_000000000000", opp.RefundCreate{Amount: 1})
	assertOPPError(t, err, http.StatusNotFound, sandbox.CodeNotFound)
}

func post(t *testing.T, url, body string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.SetBasicAuth(sandbox.DefaultAPIKey, "")
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

func get(t *testing.T, url string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.SetBasicAuth(sandbox.DefaultAPIKey, "")
	return do(t, req)
}

// do returns the status, the error code and the error message.
func do(t *testing.T, req *http.Request) (int, string, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var env struct {
		Error struct {
			Code    json.Number `json:"code"`
			Message string      `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(body, &env), string(body))
	return resp.StatusCode, env.Error.Code.String(), env.Error.Message
}

func TestSpecViolationIsRefusedNamingTheField(t *testing.T) {
	e := start(t, sandbox.Config{})
	base := e.ts.URL + "/v1"
	for _, tc := range []struct {
		name, field string
		do          func() (int, string, string)
	}{
		{"amount as a decimal", "price", func() (int, string, string) {
			return post(t, base+"/transactions", `{"products":[{"name":"x","price":"9.95","quantity":1}],"total_price":995,"return_url":"https://shop.example/"}`)
		}},
		{"no return_url", "return_url", func() (int, string, string) {
			return post(t, base+"/transactions", `{"products":[{"name":"x","price":995,"quantity":1}],"total_price":995}`)
		}},
		{"unknown payment method", "payment_method", func() (int, string, string) {
			return post(t, base+"/transactions", `{"products":[{"name":"x","price":995,"quantity":1}],"total_price":995,"return_url":"https://shop.example/","payment_method":"cash"}`)
		}},
		{"no total at all", "total_price", func() (int, string, string) {
			return post(t, base+"/transactions", `{"products":[{"name":"x","price":995,"quantity":1}],"return_url":"https://shop.example/"}`)
		}},
		{"a total on one product of two", "total_price", func() (int, string, string) {
			return post(t, base+"/transactions", `{"products":[{"name":"x","price":995,"quantity":1,"total_price":995},{"name":"y","price":5,"quantity":1}],"return_url":"https://shop.example/"}`)
		}},
		{"perpage above 100", "perpage", func() (int, string, string) { return get(t, base+"/transactions?perpage=500") }},
		{"page 0", "page", func() (int, string, string) { return get(t, base+"/orders?page=0") }},
		{"unknown expansion", "expand[]", func() (int, string, string) { return get(t, base+"/transactions?expand[]=merchant") }},
		{"refund without amount", "amount", func() (int, string, string) { return post(t, base+"/transactions/tra_000000000000/refunds", `{}`) }},
		{"country of two letters", "country", func() (int, string, string) { return post(t, base+"/orders/ord_000000000000", `{"country":"NL"}`) }},
		{"discount code with a dash", "code", func() (int, string, string) {
			return post(t, base+"/discountcodes", `{"valid_from":1506185526,"code":"a-b","discount_type":"amount","amount":675,"code_type":"all"}`)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, code, message := tc.do()
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, fmt.Sprint(sandbox.CodeInvalidRequest), code)
			assert.Contains(t, message, tc.field)
		})
	}
}

// The document's metadata example sends the totals per product and none at
// the top level; the sandbox takes it, as the spec does.
func TestPerProductTotalsAreAccepted(t *testing.T) {
	e := start(t, sandbox.Config{})
	body := `{"buyer_name_first":"John","products":[{"name":"WakeUp Light","ean":"842658921456874","price":10779,"quantity":1,"shipping_costs":675,"total_price":11454}],
		"return_url":"https://developer.dev/return/","metadata":{"external_id":2015486}}`
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/v1/transactions", strings.NewReader(body))
	req.SetBasicAuth(sandbox.DefaultAPIKey, "")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var tx opp.Transaction
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tx))
	assert.EqualValues(t, 11454, tx.Amount)
	assert.Equal(t, "2015486", tx.Metadata.Map()["external_id"], "a number in metadata is taken too")
}

// TestIteratorWalksSandboxPages shows our client's iterator following the
// sandbox's real pagination page by page.
func TestIteratorWalksSandboxPages(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	var created []string
	for range 23 {
		tx, err := e.c.CreatePayment(ctx, wakeUpLight(""))
		require.NoError(t, err)
		created = append(created, tx.UID)
	}

	var walked []string
	for tx, err := range e.c.Transactions(ctx, opp.TransactionListParams{ListParams: opp.ListParams{PerPage: 5}}) {
		require.NoError(t, err)
		walked = append(walked, tx.UID)
	}
	assert.Equal(t, created, walked, "every transaction once, oldest first")
	assert.Equal(t, []string{
		"/v1/transactions?page=1&perpage=5", "/v1/transactions?page=2&perpage=5", "/v1/transactions?page=3&perpage=5",
		"/v1/transactions?page=4&perpage=5", "/v1/transactions?page=5&perpage=5",
	}, e.listPages())

	last, err := e.c.ListTransactions(ctx, opp.TransactionListParams{ListParams: opp.ListParams{Page: 5, PerPage: 5}})
	require.NoError(t, err)
	assert.False(t, last.HasMore)
	assert.Equal(t, 23, last.TotalItemCount)
	assert.Equal(t, 5, last.CurrentPage)
	assert.Equal(t, 5, last.LastPage)
	assert.Equal(t, 5, last.ItemsPerPage)
	assert.Equal(t, "/v1/transactions", last.URL)
	assert.Len(t, last.Data, 3)

	first, err := e.c.ListTransactions(ctx, opp.TransactionListParams{})
	require.NoError(t, err)
	assert.True(t, first.HasMore)
	assert.Equal(t, 10, first.ItemsPerPage, "the document's default page size")
	assert.Equal(t, 3, first.LastPage)

	past, err := e.c.ListTransactions(ctx, opp.TransactionListParams{ListParams: opp.ListParams{Page: 9, PerPage: 5}})
	require.NoError(t, err)
	assert.Empty(t, past.Data)
	assert.False(t, past.HasMore)

	// Starting mid-way walks the rest; orders page the same way.
	var rest int
	for _, err := range e.c.Transactions(ctx, opp.TransactionListParams{ListParams: opp.ListParams{Page: 4, PerPage: 5}}) {
		require.NoError(t, err)
		rest++
	}
	assert.Equal(t, 8, rest)
	var orders int
	for _, err := range e.c.Orders(ctx, opp.ListParams{PerPage: 10}) {
		require.NoError(t, err)
		orders++
	}
	assert.Equal(t, 23, orders)
	e.listPages()

	// An empty list is one page with nothing on it.
	var none int
	for _, err := range e.c.DiscountCodes(ctx, opp.ListParams{PerPage: 3}) {
		require.NoError(t, err)
		none++
	}
	assert.Zero(t, none)
	assert.Equal(t, []string{"/v1/discountcodes?page=1&perpage=3"}, e.listPages())
}

func TestExpand(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	tx, err := e.c.CreatePayment(ctx, wakeUpLight(""))
	require.NoError(t, err)

	plain, err := e.c.GetPayment(ctx, tx.UID)
	require.NoError(t, err)
	assert.Empty(t, plain.Order.Value.UID, "an unexpanded order is {}")
	assert.Empty(t, plain.Statuses, "unexpanded statuses are []")

	withOrder, err := e.c.GetPayment(ctx, tx.UID, opp.ExpandOrder)
	require.NoError(t, err)
	require.NotEmpty(t, withOrder.Order.Value.UID)
	assert.Equal(t, "114.54", withOrder.Order.Value.Price.String())
	assert.Equal(t, "6.75", withOrder.Order.Value.Shipping.String())
	assert.Empty(t, withOrder.Order.Value.Customer.Value.UID, "the customer needs order.customer")

	full, err := e.c.GetPayment(ctx, tx.UID, opp.ExpandOrder, opp.ExpandOrderCustomer, opp.ExpandStatuses)
	require.NoError(t, err)
	require.NotEmpty(t, full.Order.Value.Customer.Value.UID)
	assert.Equal(t, "john@tester.dev", full.Order.Value.Customer.Value.Emailaddress)
	assert.Equal(t, "John", full.Order.Value.Customer.Value.Name.First)
	assert.Len(t, full.Statuses, 1)

	var listed int
	for got, err := range e.c.Transactions(ctx, opp.TransactionListParams{Expand: []opp.Expand{opp.ExpandOrder}}) {
		require.NoError(t, err)
		assert.Equal(t, full.Order.Value.UID, got.Order.Value.UID, "lists expand too")
		listed++
	}
	assert.Equal(t, 1, listed)

	// The metadata goes out as OPP's list of pairs.
	status, body := rawGet(t, e.ts.URL+"/v1/transactions/"+tx.UID)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"metadata":[{"key":"external_id","value":"2015486"}]`)
	assert.Contains(t, body, `"completed":null`)
	assert.Contains(t, body, `"order":{"customer":{}}`, "an unexpanded order, as OPP writes it with its {} customer")
	assert.Contains(t, body, `"escrow":{}`)
	assert.Contains(t, body, `"statuses":[]`)
}

func rawGet(t *testing.T, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.SetBasicAuth(sandbox.DefaultAPIKey, "")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestOrdersFollowTransactions(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	tx, err := e.c.CreatePayment(ctx, wakeUpLight(""))
	require.NoError(t, err)
	withOrder, err := e.c.GetPayment(ctx, tx.UID, opp.ExpandOrder)
	require.NoError(t, err)
	uid := withOrder.Order.Value.UID

	order, err := e.c.GetOrder(ctx, uid)
	require.NoError(t, err)
	assert.False(t, order.Processed)
	assert.Equal(t, "Tester", order.Customer.Value.Name.Last, "orders show their customer")

	updated, err := e.c.UpdateOrder(ctx, uid, opp.OrderUpdate{
		Processed: ptr(true), Street: "Dijkstrabaan", Housenumber: "215", Country: "NLD",
		Customer: opp.CustomerUpdate{Phonenumber: "+3125 6477992", Name: opp.CustomerName{First: "Johnny"}},
	})
	require.NoError(t, err)
	assert.True(t, updated.Processed)
	assert.Equal(t, "Dijkstrabaan", updated.Street)
	assert.Equal(t, "215", updated.Housenumber.String())
	assert.Equal(t, "NLD", updated.Country)
	assert.Equal(t, "Johnny", updated.Customer.Value.Name.First)
	assert.Equal(t, "Tester", updated.Customer.Value.Name.Last, "fields left out stay")
	assert.Equal(t, "+3125 6477992", updated.Customer.Value.Phonenumber.String())
	assert.Equal(t, order.Price, updated.Price)

	again, err := e.c.GetOrder(ctx, uid)
	require.NoError(t, err)
	assert.Equal(t, updated, again)

	// A house number sent as a number, as the document's examples also do.
	status, _, _ := post(t, e.ts.URL+"/v1/orders/"+uid, `{"housenumber":217}`)
	assert.Equal(t, http.StatusOK, status)
	again, err = e.c.GetOrder(ctx, uid)
	require.NoError(t, err)
	assert.Equal(t, "217", again.Housenumber.String())

	// processed is a pointer: false is sent and undoes true.
	undone, err := e.c.UpdateOrder(ctx, uid, opp.OrderUpdate{Processed: ptr(false)})
	require.NoError(t, err)
	assert.False(t, undone.Processed)
	assert.Equal(t, "Dijkstrabaan", undone.Street, "fields left out stay")
}

func paidTransaction(t *testing.T, e *env, notify string) *opp.Transaction {
	t.Helper()
	ctx := context.Background()
	tx, err := e.c.CreatePayment(ctx, wakeUpLight(notify))
	require.NoError(t, err)
	_, err = sim.PayAsCustomer(ctx, opp.PaymentURL(tx), sim.Pay)
	require.NoError(t, err)
	return tx
}

func TestPartialRefundsThenOverRefundRefused(t *testing.T) {
	e := start(t, sandbox.Config{})
	notify, got := notifyReceiver(t, e.c)
	ctx := context.Background()
	tx := paidTransaction(t, e, notify.URL)
	next(t, got)
	next(t, got) // pending, completed

	msg, reason := "As agreed a partial refund", "Customer is not satisfied with product"
	ref, err := e.c.CreateRefund(ctx, tx.UID, opp.RefundCreate{Amount: 2500, Message: msg, InternalReason: reason})
	require.NoError(t, err)
	assert.Regexp(t, `^ref_[0-9a-f]{12}$`, ref.UID)
	assert.Equal(t, "refund", ref.Object)
	assert.Equal(t, opp.RefundStatusCreated, ref.Status)
	assert.EqualValues(t, 2500, ref.Amount)
	assert.True(t, ref.Paid.IsZero(), "paid is null until the money is out")
	assert.Equal(t, msg, ref.Message)

	r := next(t, got)
	assert.Equal(t, opp.TransactionStatusRefunded, r.Status, "a partial refund makes it refunded, as the document says")
	assert.Equal(t, betaalkit.StatusRefunded, opp.StatusOf(r).Status, "the raw status cannot tell a partial refund")

	_, err = e.c.CreateRefund(ctx, tx.UID, opp.RefundCreate{Amount: 9000})
	oerr := assertOPPError(t, err, http.StatusPaymentRequired, sandbox.CodeRefundTooLarge)
	assert.Contains(t, oerr.Message, "amount")
	assert.Contains(t, oerr.Message, "8954", "the message says what is left")

	for _, amount := range []money.Cents{3000, 5954} {
		_, err := e.c.CreateRefund(ctx, tx.UID, opp.RefundCreate{Amount: amount})
		require.NoError(t, err)
	}
	assert.Empty(t, got, "refunded stays refunded: no new notification")
	_, err = e.c.CreateRefund(ctx, tx.UID, opp.RefundCreate{Amount: 1})
	assertOPPError(t, err, http.StatusPaymentRequired, sandbox.CodeRefundTooLarge)
	left, _ := e.s.Refunded(tx.UID)
	assert.EqualValues(t, 11454, left)

	// The refunds iterator walks the sandbox's pages of refunds.
	var amounts []int64
	for r, err := range e.c.Refunds(ctx, tx.UID, opp.ListParams{PerPage: 2}) {
		require.NoError(t, err)
		amounts = append(amounts, int64(r.Amount))
	}
	assert.Equal(t, []int64{2500, 3000, 5954}, amounts)
	assert.Equal(t, []string{
		"/v1/transactions/" + tx.UID + "/refunds?page=1&perpage=2",
		"/v1/transactions/" + tx.UID + "/refunds?page=2&perpage=2",
	}, e.listPages())

	paid, err := e.s.PayRefund(ref.UID)
	require.NoError(t, err)
	assert.Equal(t, opp.RefundStatusCompleted, paid.Status)
	list, err := e.c.ListRefunds(ctx, tx.UID, opp.ListParams{})
	require.NoError(t, err)
	assert.Equal(t, opp.RefundStatusCompleted, list.Data[0].Status)
	assert.False(t, list.Data[0].Paid.IsZero())
	assert.Equal(t, 3, list.TotalItemCount)
}

func TestFullRefund(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	tx := paidTransaction(t, e, "")
	ref, err := e.c.CreateRefund(ctx, tx.UID, opp.RefundCreate{Amount: 11454})
	require.NoError(t, err)
	assert.EqualValues(t, 11454, ref.Amount)
	got, err := e.c.GetPayment(ctx, tx.UID)
	require.NoError(t, err)
	assert.Equal(t, opp.TransactionStatusRefunded, got.Status)
	assert.Equal(t, betaalkit.PaymentStatus{Status: betaalkit.StatusRefunded, Raw: "refunded"}, opp.StatusOf(got))
	_, err = e.c.CreateRefund(ctx, tx.UID, opp.RefundCreate{Amount: 1})
	assertOPPError(t, err, http.StatusPaymentRequired, sandbox.CodeRefundTooLarge)
}

func TestOnlyCompletedTransactionsRefund(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	open, err := e.c.CreatePayment(ctx, wakeUpLight(""))
	require.NoError(t, err)
	_, err = e.c.CreateRefund(ctx, open.UID, opp.RefundCreate{Amount: 100})
	oerr := assertOPPError(t, err, http.StatusPaymentRequired, sandbox.CodeNotRefundable)
	assert.Contains(t, oerr.Message, "created")

	in := wakeUpLight("")
	in.PaymentMethod = opp.PaymentMethodPaypal
	paypal, err := e.c.CreatePayment(ctx, in)
	require.NoError(t, err)
	_, err = e.s.Complete(ctx, paypal.UID, sim.Pay)
	require.NoError(t, err)
	_, err = e.c.CreateRefund(ctx, paypal.UID, opp.RefundCreate{Amount: 100})
	oerr = assertOPPError(t, err, http.StatusPaymentRequired, sandbox.CodeNotRefundable)
	assert.Contains(t, oerr.Message, "PayPal", "the document: direct PayPal transactions are refunded at PayPal")
}

func TestConcurrentTransactionsKeepConsistentState(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	const n = 100
	ids := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			tx, err := e.c.CreatePayment(ctx, wakeUpLight(""))
			if err != nil {
				errs <- err
				return
			}
			ids[i] = tx.UID
			choice := sim.Pay
			if i%2 == 1 {
				choice = sim.Cancel
			}
			if _, err := e.s.Complete(ctx, tx.UID, choice); err != nil {
				errs <- err
				return
			}
			if choice == sim.Pay && i%4 == 0 {
				_, err = e.c.CreateRefund(ctx, tx.UID, opp.RefundCreate{Amount: 1000})
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	want := map[string]opp.TransactionStatus{}
	for i, id := range ids {
		switch {
		case i%4 == 0:
			want[id] = opp.TransactionStatusRefunded
		case i%2 == 0:
			want[id] = opp.TransactionStatusCompleted
		default:
			want[id] = opp.TransactionStatusCancelled
		}
	}
	require.Len(t, want, n, "ids are unique")
	seen := map[string]bool{}
	for tx, err := range e.c.Transactions(ctx, opp.TransactionListParams{ListParams: opp.ListParams{PerPage: 7}}) {
		require.NoError(t, err)
		require.False(t, seen[tx.UID], "listed once")
		seen[tx.UID] = true
		assert.Equal(t, want[tx.UID], tx.Status, tx.UID)
	}
	assert.Len(t, seen, n)
	orders, err := e.c.ListOrders(ctx, opp.ListParams{PerPage: 100})
	require.NoError(t, err)
	assert.Equal(t, n, orders.TotalItemCount)
	assert.False(t, orders.HasMore)
}

func TestDiscountCodesCRUD(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	const from = 1506185526
	// The document's example sends date_started instead of valid_from.
	code, err := e.c.CreateDiscountCode(ctx, opp.DiscountCodeCreate{
		DateStarted: from, Code: "56631c", DiscountType: opp.DiscountTypeAmount, Amount: 675, CodeType: opp.CodeTypeAll,
	})
	require.NoError(t, err)
	assert.Regexp(t, `^dis_[0-9a-f]{12}$`, code.UID)
	assert.EqualValues(t, from, code.ValidFrom.Unix())
	assert.EqualValues(t, 675, code.Amount)
	assert.Equal(t, opp.CodeTypeAll, code.CodeType)

	got, err := e.c.GetDiscountCode(ctx, code.UID)
	require.NoError(t, err)
	assert.Equal(t, code, got)

	_, err = e.c.CreateDiscountCode(ctx, opp.DiscountCodeCreate{
		ValidFrom: from, Code: "56631C", DiscountType: opp.DiscountTypeAmount, Amount: 675, CodeType: opp.CodeTypeAll,
	})
	assertOPPError(t, err, http.StatusPaymentRequired, sandbox.CodeDuplicateCode)
	status, errCode, message := post(t, e.ts.URL+"/v1/discountcodes", `{"valid_from":1506185526,"code":"pct","discount_type":"percentage","amount":150,"code_type":"once"}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, fmt.Sprint(sandbox.CodeInvalidRequest), errCode)
	assert.Contains(t, message, "amount")

	del, err := e.c.DeleteDiscountCode(ctx, code.UID)
	require.NoError(t, err)
	assert.True(t, del.Deleted)
	_, err = e.c.GetDiscountCode(ctx, code.UID)
	assertOPPError(t, err, http.StatusNotFound, sandbox.CodeNotFound)
	list, err := e.c.ListDiscountCodes(ctx, opp.ListParams{})
	require.NoError(t, err)
	assert.Zero(t, list.TotalItemCount)
}

func TestDiscountBatchesCRUD(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	batch, err := e.c.CreateDiscountBatch(ctx, opp.DiscountBatchCreate{
		ValidFrom: 1506185526, Quantity: 25,
		DiscountType: opp.DiscountTypeAmount, Amount: 675, CodeType: opp.CodeTypeAll, CodePrefix: "OBP",
	})
	require.NoError(t, err)
	assert.Regexp(t, `^dcb_[0-9a-f]{12}$`, batch.UID)
	assert.Equal(t, "csv", batch.DownloadType)
	assert.Equal(t, e.ts.URL+"/download/"+batch.UID, batch.DownloadURL)

	csv := download(t, batch.DownloadURL)
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	require.Len(t, lines, 26, "a header and 25 codes")
	seen := map[string]bool{}
	for _, l := range lines[1:] {
		assert.Regexp(t, `^OBP[0-9A-Z]{10}$`, l)
		seen[l] = true
	}
	assert.Len(t, seen, 25)
	assert.Equal(t, csv, download(t, batch.DownloadURL), "the same codes every time")

	var listed int
	for b, err := range e.c.DiscountBatches(ctx, opp.ListParams{}) {
		require.NoError(t, err)
		assert.Equal(t, batch.UID, b.UID)
		listed++
	}
	assert.Equal(t, 1, listed)
	_, err = e.c.DeleteDiscountBatch(ctx, batch.UID)
	require.NoError(t, err)
	_, err = e.c.GetDiscountBatch(ctx, batch.UID)
	assertOPPError(t, err, http.StatusNotFound, sandbox.CodeNotFound)
	resp, err := http.Get(batch.DownloadURL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func download(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return b.String()
}

func TestNewTestServerReturnsAWorkingClient(t *testing.T) {
	ts, s, c, err := sandbox.NewTestServer(sandbox.Config{})
	require.NoError(t, err)
	defer ts.Close()
	tx, err := c.CreatePayment(context.Background(), wakeUpLight(""))
	require.NoError(t, err)
	got, ok := s.Transaction(tx.UID)
	require.True(t, ok)
	assert.Equal(t, "2015486", got.Metadata.Map()["external_id"])
	assert.Equal(t, ts.URL+"/v1", c.BaseURL())
}

func ptr[T any](v T) *T { return &v }

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
