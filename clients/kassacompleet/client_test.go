package kassacompleet_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/kassacompleet"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/internal/syncbuf"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
	"github.com/betaalkit/betaalkit/transport"
)

const apiKey = "hunter2"

// recorder is an httptest server that answers with a canned response and
// remembers what it was sent.
type recorder struct {
	*httptest.Server
	hits       atomic.Int32
	method     string
	requestURI string
	auth       string
	body       []byte
}

func newRecorder(t testing.TB, status int, contentType string, body []byte) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.hits.Add(1)
		rec.method, rec.requestURI, rec.auth = r.Method, r.RequestURI, r.Header.Get("Authorization")
		rec.body, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (r *recorder) client(t *testing.T) *kassacompleet.Client {
	t.Helper()
	c, err := kassacompleet.New(apiKey, kassacompleet.WithBaseURL(r.URL+"/v1"))
	require.NoError(t, err)
	return c
}

// TestFixturesThroughClient replays every documented exchange: the client
// must send the documented method and path (trailing slash included) with
// Basic auth, and decode the documented response.
func TestFixturesThroughClient(t *testing.T) {
	list, err := fixtures.Load("kassacompleet")
	require.NoError(t, err)
	replayed := 0
	for _, f := range list {
		if f.OperationID == "" || f.Response == nil {
			continue
		}
		t.Run(f.Base(), func(t *testing.T) {
			rec := newRecorder(t, f.Response.Status, "application/json", f.Response.BodyBytes())
			c := rec.client(t)
			ctx := context.Background()
			var got any
			switch f.OperationID {
			case "listIdealIssuers":
				got, err = c.ListIdealIssuers(ctx)
			case "createOrder":
				var in kassacompleet.OrderCreate
				require.NoError(t, json.Unmarshal(f.Request.BodyBytes(), &in))
				got, err = c.CreatePayment(ctx, in)
				assert.JSONEq(t, string(f.Request.BodyBytes()), string(rec.body), "the documented request body goes out")
			case "getOrder":
				got, err = c.GetPayment(ctx, pathID(f.Request.Path))
			case "updateOrder":
				var in kassacompleet.OrderUpdate
				require.NoError(t, json.Unmarshal(f.Request.BodyBytes(), &in))
				got, err = c.UpdateOrder(ctx, pathID(f.Request.Path), in)
				assert.JSONEq(t, string(f.Request.BodyBytes()), string(rec.body), "only the fields to change go out")
			case "cancelOrder":
				got, err = c.CancelOrder(ctx, pathID(f.Request.Path))
			case "createRefund":
				var in kassacompleet.RefundCreate
				require.NoError(t, json.Unmarshal(f.Request.BodyBytes(), &in))
				got, err = c.CreateRefund(ctx, pathID(f.Request.Path), in)
				assert.JSONEq(t, string(f.Request.BodyBytes()), string(rec.body), "the documented request body goes out")
			case "captureTransaction":
				parts := strings.Split(f.Request.Path, "/") // /orders/{id}/transactions/{tx}/captures/
				err = c.Capture(ctx, parts[2], parts[4])
				assert.Empty(t, rec.body, "a capture has no body")
			default:
				t.Fatalf("no client call for %s", f.OperationID)
			}
			require.NoError(t, err)
			assert.Equal(t, f.Request.Method, rec.method)
			assert.Equal(t, "/v1"+f.Request.Path, rec.requestURI)
			assert.Equal(t, "Basic aHVudGVyMjo=", rec.auth)
			replayed++
			if len(f.Response.BodyBytes()) == 0 {
				return
			}
			// Re-encoding the decoded value keeps every documented field.
			again, err := json.Marshal(got)
			require.NoError(t, err)
			assertSubset(t, f.Response.BodyBytes(), again)
		})
	}
	assert.Equal(t, 18, replayed, "every fixture with a response is replayed")
}

// pathID is the order id in a fixture's path (/orders/{id}/…).
func pathID(path string) string { return strings.Split(path, "/")[2] }

// zero reports whether a JSON value is its type's zero (or null).
func zero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case float64:
		return v == 0
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// assertSubset checks that every key and value of want appears in got.
func assertSubset(t *testing.T, want, got []byte) {
	t.Helper()
	var w, g any
	require.NoError(t, json.Unmarshal(want, &w))
	require.NoError(t, json.Unmarshal(got, &g))
	var walk func(path string, w, g any)
	walk = func(path string, w, g any) {
		switch wv := w.(type) {
		case map[string]any:
			gm, ok := g.(map[string]any)
			require.True(t, ok, "%s: want an object, got %v", path, g)
			for k, v := range wv {
				if _, sent := gm[k]; !sent && zero(v) {
					continue // null, 0, false, "" and [] mean the same as an omitted field
				}
				walk(path+"."+k, v, gm[k])
			}
		case []any:
			gl, ok := g.([]any)
			require.True(t, ok, "%s: want a list", path)
			require.Len(t, gl, len(wv), path)
			for i := range wv {
				walk(fmt.Sprintf("%s[%d]", path, i), wv[i], gl[i])
			}
		case string:
			// Timestamps re-encode in Go's RFC 3339 form: compare the instants.
			wt, werr := time.Parse(time.RFC3339Nano, wv)
			gs, _ := g.(string)
			gt, gerr := time.Parse(time.RFC3339Nano, gs)
			if werr == nil && gerr == nil {
				assert.True(t, wt.Equal(gt), "%s: %s != %s", path, wv, gs)
			} else {
				assert.Equal(t, wv, g, path)
			}
		default:
			assert.Equal(t, wv, g, path)
		}
	}
	walk("$", w, g)
}

func TestCreateIdealOrderDecodes(t *testing.T) {
	f := mustFixture(t, "ideal-order-create")
	rec := newRecorder(t, http.StatusCreated, "application/json", f.Response.BodyBytes())
	order, err := rec.client(t).CreatePayment(context.Background(), kassacompleet.OrderCreate{
		Currency:  "EUR",
		Amount:    99,
		ReturnURL: "http://www.example.com/",
		Transactions: []kassacompleet.TransactionCreate{{
			PaymentMethod:        kassacompleet.PaymentMethodIdeal,
			PaymentMethodDetails: kassacompleet.PaymentMethodDetailsCreate{IssuerID: "INGBNL2A"},
		}},
	})
	require.NoError(t, err)
	assert.Equal(t, "f520537f-e8ca-4c92-8d9b-2118eb5022cf", order.ID)
	assert.EqualValues(t, 99, order.Amount)
	assert.Equal(t, kassacompleet.OrderStatusNew, order.Status)
	assert.Equal(t, "http://api.kassacompleet.nl/redirect/197fb2ae-7732-400e-9985-7adbd934717a/to/payment/", kassacompleet.PaymentURL(order))
	assert.JSONEq(t, string(f.Request.BodyBytes()), string(rec.body), "no empty optional field goes out")
}

func TestUnknownStatusStillDecodes(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"id":"o1","currency":"EUR","amount":"99","status":"authorized-later","transactions":[{"id":"t1","status":"reserved"}]}`))
	order, err := rec.client(t).GetPayment(context.Background(), "o1")
	require.NoError(t, err)
	assert.Equal(t, "authorized-later", order.Status)
	assert.Equal(t, "reserved", order.Transactions[0].Status)
	st := kassacompleet.StatusOf(order)
	assert.Equal(t, betaalkit.PaymentStatus{Status: betaalkit.StatusUnknown, Raw: "authorized-later"}, st)
	assert.False(t, st.IsFinal())
	assert.False(t, st.IsPaid())
}

func TestErrorEnvelopeBecomesTypedError(t *testing.T) {
	for _, tc := range []struct {
		name, body, status string
	}{
		{"numeric status", `{"error":{"status":401,"type":"AuthorizationError","value":"Unauthorized"}}`, "401"},
		{"string status", `{"error":{"status":"401","type":"AuthorizationError","value":"Unauthorized"}}`, "401"},
		{"no status", `{"error":{"type":"AuthorizationError","value":"Unauthorized"}}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, http.StatusUnauthorized, "application/json", []byte(tc.body))
			_, err := rec.client(t).GetPayment(context.Background(), "f520537f")
			var kerr *kassacompleet.Error
			require.True(t, errors.As(err, &kerr), "got %T: %v", err, err)
			assert.ErrorIs(t, err, betaalkit.ErrAPI)
			assert.Equal(t, http.StatusUnauthorized, kerr.StatusCode)
			assert.Equal(t, "AuthorizationError", kerr.Type)
			assert.Equal(t, "Unauthorized", kerr.Value)
			assert.Equal(t, tc.status, kerr.Status)
			assert.Equal(t, tc.body, string(kerr.RawBody))
			assert.Equal(t, "get payment", kerr.Operation())
			assert.Equal(t, "kassacompleet: get payment: HTTP 401: AuthorizationError: Unauthorized", err.Error())
			assert.NotContains(t, err.Error(), apiKey)
		})
	}
}

// Every call's errors say which call failed.
func TestErrorsNameTheCall(t *testing.T) {
	notFound := `{"error":{"status":404,"type":"NotFound","value":"order not found"}}`
	rec := newRecorder(t, http.StatusNotFound, "application/json", []byte(notFound))
	c := rec.client(t)
	ctx := context.Background()
	_, err := c.GetPayment(ctx, "o1")
	assert.EqualError(t, err, "kassacompleet: get payment: HTTP 404: NotFound: order not found")
	_, err = c.CreatePayment(ctx, kassacompleet.OrderCreate{Currency: "EUR", Amount: 99})
	assert.EqualError(t, err, "kassacompleet: create payment: HTTP 404: NotFound: order not found")
	_, err = c.ListIdealIssuers(ctx)
	assert.EqualError(t, err, "kassacompleet: list issuers: HTTP 404: NotFound: order not found")

	_, err = c.CreatePayment(ctx, kassacompleet.OrderCreate{Currency: "EUR"})
	assert.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
	assert.True(t, strings.HasPrefix(err.Error(), "kassacompleet: create payment: invalid request: amount: "), err.Error())
	_, err = c.GetPayment(ctx, "..")
	assert.True(t, strings.HasPrefix(err.Error(), "kassacompleet: get payment: invalid request: order_id: "), err.Error())

	down := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("connection refused") })}
	c, err = kassacompleet.New(apiKey, kassacompleet.WithHTTPClient(down), kassacompleet.WithRetry(transport.NoRetries))
	require.NoError(t, err)
	_, err = c.GetPayment(ctx, "o1")
	assert.ErrorIs(t, err, betaalkit.ErrTransport)
	assert.True(t, strings.HasPrefix(err.Error(), "kassacompleet: get payment: "), err.Error())
}

func TestHTMLBadGatewayBecomesTypedError(t *testing.T) {
	page := "<html><body><h1>502 Bad Gateway</h1></body></html>"
	rec := newRecorder(t, http.StatusBadGateway, "text/html", []byte(page))
	_, err := rec.client(t).ListIdealIssuers(context.Background())
	var kerr *kassacompleet.Error
	require.True(t, errors.As(err, &kerr))
	assert.Equal(t, http.StatusBadGateway, kerr.StatusCode)
	assert.Equal(t, page, string(kerr.RawBody))
	assert.Empty(t, kerr.Type)
	assert.Equal(t, "kassacompleet: list issuers: HTTP 502: "+page, err.Error())
}

func TestMalformedSuccessKeepsRawBody(t *testing.T) {
	for name, body := range map[string]string{
		"cut short": `{"id": "o1", "amount": "ninety-nine"`,
		"null":      `null`,
	} {
		t.Run(name, func(t *testing.T) {
			rec := newRecorder(t, http.StatusOK, "application/json", []byte(body))
			_, err := rec.client(t).GetPayment(context.Background(), "o1")
			var derr *betaalkit.DecodeError
			require.True(t, errors.As(err, &derr), "got %T: %v", err, err)
			assert.ErrorIs(t, err, betaalkit.ErrDecode)
			assert.Equal(t, body, string(derr.RawBody))
			assert.True(t, strings.HasPrefix(err.Error(), "kassacompleet: get payment: "), err.Error())
		})
	}
}

func TestInvalidOrderIsRefusedBeforeSending(t *testing.T) {
	ideal := kassacompleet.TransactionCreate{PaymentMethod: kassacompleet.PaymentMethodIdeal}
	withIssuer := kassacompleet.TransactionCreate{PaymentMethod: kassacompleet.PaymentMethodIdeal,
		PaymentMethodDetails: kassacompleet.PaymentMethodDetailsCreate{IssuerID: "INGBNL2A"}}
	card := kassacompleet.TransactionCreate{PaymentMethod: kassacompleet.PaymentMethodCreditCard}
	for _, tc := range []struct {
		name  string
		order kassacompleet.OrderCreate
		field string
	}{
		{"no currency", kassacompleet.OrderCreate{Amount: 99}, "currency"},
		{"lower-case currency", kassacompleet.OrderCreate{Currency: "eur", Amount: 99}, "currency"},
		{"zero amount", kassacompleet.OrderCreate{Currency: "EUR"}, "amount"},
		{"negative amount", kassacompleet.OrderCreate{Currency: "EUR", Amount: -1}, "amount"},
		{"unknown method", kassacompleet.OrderCreate{Currency: "EUR", Amount: 99, Transactions: []kassacompleet.TransactionCreate{{PaymentMethod: "bitcoin"}}}, "transactions[0].payment_method"},
		{"second transaction", kassacompleet.OrderCreate{Currency: "EUR", Amount: 99, ReturnURL: "https://shop.example/", Transactions: []kassacompleet.TransactionCreate{card, ideal}}, "transactions[1].payment_method_details.issuer_id"},
		{"ideal without issuer", kassacompleet.OrderCreate{Currency: "EUR", Amount: 99, Transactions: []kassacompleet.TransactionCreate{ideal}}, "transactions[0].payment_method_details.issuer_id"},
		{"ideal without return url", kassacompleet.OrderCreate{Currency: "EUR", Amount: 99, Transactions: []kassacompleet.TransactionCreate{withIssuer}}, "return_url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, http.StatusCreated, "application/json", []byte(`{}`))
			_, err := rec.client(t).CreatePayment(context.Background(), tc.order)
			var ferr *betaalkit.FieldError
			require.True(t, errors.As(err, &ferr), "got %v", err)
			assert.Equal(t, tc.field, ferr.Field)
			assert.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
			assert.Zero(t, rec.hits.Load(), "nothing may be sent")
		})
	}
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{}`))
	_, err := rec.client(t).GetPayment(context.Background(), "")
	var ferr *betaalkit.FieldError
	require.True(t, errors.As(err, &ferr), "got %v", err)
	assert.Equal(t, "order_id", ferr.Field)
	assert.Zero(t, rec.hits.Load())
}

func TestKeyNeverInErrors(t *testing.T) {
	const secret = "live_SeCrEtKeY_0123"
	down := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, errors.New("connection refused")
	})}
	c, err := kassacompleet.New(secret, kassacompleet.WithHTTPClient(down))
	require.NoError(t, err)
	_, err = c.GetPayment(context.Background(), "o1")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret)
	assert.NotContains(t, fmt.Sprintf("%+v %#v", c, c), secret)

	_, err = kassacompleet.New(secret, kassacompleet.WithBaseURL("not a url"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret)
}

// Every constructor error is a *betaalkit.ConfigError naming the argument
// or option.
func TestConstructorErrorsAreConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		key     string
		opts    []kassacompleet.Option
		setting string
	}{
		{"empty key", "", nil, "apiKey"},
		{"base URL not a URL", apiKey, []kassacompleet.Option{kassacompleet.WithBaseURL("not a url")}, "WithBaseURL"},
		{"empty environment", apiKey, []kassacompleet.Option{kassacompleet.WithEnvironment("")}, "WithEnvironment"},
		{"relative environment", apiKey, []kassacompleet.Option{kassacompleet.WithBaseURL("https://ok.example"), kassacompleet.WithEnvironment("/v1")}, "WithEnvironment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := kassacompleet.New(tc.key, tc.opts...)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, betaalkit.ErrConfig)
			var cerr *betaalkit.ConfigError
			require.True(t, errors.As(err, &cerr), "got %T: %v", err, err)
			assert.Equal(t, "kassacompleet", cerr.Provider)
			assert.Equal(t, tc.setting, cerr.Setting)
			assert.True(t, strings.HasPrefix(err.Error(), "kassacompleet: "+tc.setting+" "), err.Error())
		})
	}
	_, err := kassacompleet.New("")
	assert.ErrorIs(t, err, signing.ErrMissingCredentials, "the cause is kept")
}

// Without WithEnvironment a client talks to Test, which at Kassa Compleet
// is also Live: one host, the key decides.
func TestEnvironments(t *testing.T) {
	assert.Equal(t, kassacompleet.Test, kassacompleet.Live)
	assert.Equal(t, kassacompleet.Environment("https://api.kassacompleet.nl/v1"), kassacompleet.Test)

	var got []string
	capture := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = append(got, r.URL.String())
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`[]`)), Request: r}, nil
	})}
	for _, opts := range [][]kassacompleet.Option{
		nil,
		{kassacompleet.WithEnvironment(kassacompleet.Test)},
		{kassacompleet.WithEnvironment(kassacompleet.Live)},
		{kassacompleet.WithBaseURL("https://api.ginger.example/v1/"), kassacompleet.WithEnvironment(kassacompleet.Live)},
		{kassacompleet.WithEnvironment(kassacompleet.Live), kassacompleet.WithBaseURL("https://api.ginger.example/v1/")},
	} {
		c, err := kassacompleet.New(apiKey, append(opts, kassacompleet.WithHTTPClient(capture))...)
		require.NoError(t, err)
		_, err = c.ListIdealIssuers(context.Background())
		require.NoError(t, err)
	}
	assert.Equal(t, []string{
		"https://api.kassacompleet.nl/v1/ideal/issuers/",
		"https://api.kassacompleet.nl/v1/ideal/issuers/",
		"https://api.kassacompleet.nl/v1/ideal/issuers/",
		"https://api.kassacompleet.nl/v1/ideal/issuers/",
		"https://api.ginger.example/v1/ideal/issuers/",
	}, got, "the last of WithEnvironment and WithBaseURL wins")
}

func TestCallerHTTPClientIsNotModified(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`[]`))
	mine := &http.Client{}
	c, err := kassacompleet.New(apiKey, kassacompleet.WithBaseURL(rec.URL), kassacompleet.WithHTTPClient(mine))
	require.NoError(t, err)
	_, err = c.ListIdealIssuers(context.Background())
	require.NoError(t, err)
	assert.Nil(t, mine.Transport)
	assert.Equal(t, "Basic aHVudGVyMjo=", rec.auth)
	assert.Equal(t, "/ideal/issuers/", rec.requestURI)
}

func TestContextCancelStopsTheCall(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`[]`))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := rec.client(t).ListIdealIssuers(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestPaymentPageURL(t *testing.T) {
	c, err := kassacompleet.New(apiKey)
	require.NoError(t, err)
	assert.Equal(t, "https://api.kassacompleet.nl/pay/9def94e2-6bd9-432c-a795-a091b88bf9e6/", c.PaymentPageURL("9def94e2-6bd9-432c-a795-a091b88bf9e6"))
}

// PaymentURL, StatusOf and AmountOf on every documented order.
func TestDocumentedOrders(t *testing.T) {
	const idealURL = "http://api.kassacompleet.nl/redirect/197fb2ae-7732-400e-9985-7adbd934717a/to/payment/"
	for _, tc := range []struct {
		fixture, url string
		status       betaalkit.Status
		raw          string
	}{
		{"ideal-order-create", idealURL, betaalkit.StatusOpen, "new"},
		{"order-processing", idealURL, betaalkit.StatusPending, "processing"},
		// The document's "successful iDEAL order" still reads processing
		// (its transaction pending); the fixture is kept verbatim.
		{"order-success", idealURL, betaalkit.StatusPending, "processing"},
		{"banktransfer-order-create", "", betaalkit.StatusPending, "processing"},
		{"paymentpage-order-create", "", betaalkit.StatusOpen, "new"},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			var order kassacompleet.Order
			require.NoError(t, json.Unmarshal(mustFixture(t, tc.fixture).Response.BodyBytes(), &order))
			assert.Equal(t, tc.url, kassacompleet.PaymentURL(&order))
			assert.Equal(t, betaalkit.PaymentStatus{Status: tc.status, Raw: tc.raw}, kassacompleet.StatusOf(&order))
			amount, err := kassacompleet.AmountOf(&order)
			require.NoError(t, err)
			assert.Equal(t, money.Cents(99), amount)
		})
	}
	assert.Empty(t, kassacompleet.PaymentURL(nil))
	_, err := kassacompleet.AmountOf(nil)
	assert.Error(t, err)
	assert.Equal(t, betaalkit.StatusUnknown, kassacompleet.StatusOf(nil).Status)
}

// NormalizeStatus maps every status the spec lists, for orders and for
// transactions, to exactly the status of its documented table; anything
// else is unknown, never paid.
func TestNormalizeStatusCoversTheSpec(t *testing.T) {
	want := map[string]betaalkit.Status{
		"new": betaalkit.StatusOpen, "processing": betaalkit.StatusPending, "pending": betaalkit.StatusPending,
		"accepted": betaalkit.StatusAuthorized, "completed": betaalkit.StatusPaid, "captured": betaalkit.StatusPaid,
		"error": betaalkit.StatusFailed, "declined": betaalkit.StatusFailed, "cancelled": betaalkit.StatusCanceled,
		"expired": betaalkit.StatusExpired,
		// Not a state of its own: StatusOf reads the transactions.
		"see-transactions": betaalkit.StatusUnknown,
	}
	doc, err := specs.Load("kassacompleet")
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, schema := range []string{"OrderStatus", "TransactionStatus"} {
		ref := doc.Components.Schemas[schema]
		require.NotNil(t, ref, schema)
		require.NotEmpty(t, ref.Value.Enum, "%s lists its values", schema)
		for _, v := range ref.Value.Enum {
			raw := v.(string)
			seen[raw] = true
			expected, ok := want[raw]
			require.True(t, ok, "%s %q has no row in the table", schema, raw)
			assert.Equal(t, expected, kassacompleet.NormalizeStatus(raw), "%s %q", schema, raw)
		}
	}
	assert.Len(t, seen, len(want), "every row of the table is a status of the spec")
	for _, raw := range []string{"", "Completed", "COMPLETED", "paid", "refunded", "success", "Success"} {
		assert.Equal(t, betaalkit.StatusUnknown, kassacompleet.NormalizeStatus(raw), raw)
	}
}

// A see-transactions order is as far as its furthest transaction; Raw
// stays the order's own value.
func TestStatusOfSeeTransactions(t *testing.T) {
	for _, tc := range []struct {
		name string
		txs  []string
		want betaalkit.Status
	}{
		{"a failed attempt, then paid", []string{"cancelled", "completed"}, betaalkit.StatusPaid},
		{"captured", []string{"captured"}, betaalkit.StatusPaid},
		{"accepted, not yet captured", []string{"error", "accepted"}, betaalkit.StatusAuthorized},
		{"a transfer awaited", []string{"expired", "pending"}, betaalkit.StatusPending},
		{"started again", []string{"declined", "new"}, betaalkit.StatusOpen},
		{"all failed: the first one's", []string{"expired", "cancelled"}, betaalkit.StatusExpired},
		{"an unreadable one never fails the order", []string{"error", "reserved"}, betaalkit.StatusUnknown},
		{"no transactions", nil, betaalkit.StatusUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			order := &kassacompleet.Order{ID: "o1", Status: kassacompleet.OrderStatusSeeTransactions}
			for i, s := range tc.txs {
				order.Transactions = append(order.Transactions, kassacompleet.Transaction{ID: fmt.Sprint("t", i), Status: s})
			}
			assert.Equal(t, betaalkit.PaymentStatus{Status: tc.want, Raw: "see-transactions"}, kassacompleet.StatusOf(order))
		})
	}
	// Any other order status is the order's own, whatever its transactions say.
	order := &kassacompleet.Order{Status: "cancelled", Transactions: []kassacompleet.Transaction{{Status: "completed"}}}
	assert.Equal(t, betaalkit.StatusCanceled, kassacompleet.StatusOf(order).Status)
}

func TestParseWebhook(t *testing.T) {
	f := mustFixture(t, "webhook-status-changed")
	ev, err := kassacompleet.ParseWebhook(f.Request.BodyBytes())
	require.NoError(t, err)
	assert.Equal(t, "status_changed", ev.Event)
	assert.Equal(t, "f520537f-e8ca-4c92-8d9b-2118eb5022cf", ev.OrderID)
	assert.Equal(t, "6054310e-4bd7-407c-994e-9d20bddc9a73", ev.ProjectID)

	for name, body := range map[string]string{
		"not json": "order_id=1", "no order id": `{"event":"status_changed"}`, "dot dot": `{"order_id":".."}`, "empty": ``,
	} {
		_, err := kassacompleet.ParseWebhook([]byte(body))
		assert.Error(t, err, name)
	}
}

// webhookClient is a client whose API is served by api, logging to a
// buffer, with a handler that records the orders it is given.
type webhookClient struct {
	log       syncbuf.Buffer
	handler   http.Handler
	orders    []*kassacompleet.Order
	rejected  []betaalkit.WebhookRejection
	handlerOK bool
}

func newWebhookClient(t *testing.T, api http.HandlerFunc) *webhookClient {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	wc := &webhookClient{handlerOK: true}
	logger := slog.New(slog.NewTextHandler(&wc.log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := kassacompleet.New(apiKey, kassacompleet.WithBaseURL(srv.URL+"/v1"), kassacompleet.WithLogger(logger),
		kassacompleet.WithRetry(transport.NoRetries))
	require.NoError(t, err)
	wc.handler = c.WebhookHandler(func(_ context.Context, o *kassacompleet.Order) error {
		wc.orders = append(wc.orders, o)
		if !wc.handlerOK {
			return errors.New("shop database down")
		}
		return nil
	}, betaalkit.OnReject(func(_ *http.Request, r betaalkit.WebhookRejection) {
		wc.rejected = append(wc.rejected, r)
	}))
	return wc
}

func (wc *webhookClient) post(method, body string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	wc.handler.ServeHTTP(w, httptest.NewRequest(method, "/webhook", strings.NewReader(body)))
	return w
}

// The handler hands fn the order as the API reports it (never the body's
// claims) and answers 200 "OK".
func TestWebhookHandlerRefetchesTheOrder(t *testing.T) {
	var fetched []string
	wc := newWebhookClient(t, func(w http.ResponseWriter, r *http.Request) {
		fetched = append(fetched, r.Method+" "+r.RequestURI)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"f520537f","currency":"EUR","amount":99,"status":"completed"}`)
	})
	w := wc.post(http.MethodPost, `{"event":"status_changed","order_id":"f520537f","project_id":"p","status":"cancelled"}`)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "OK", w.Body.String())
	assert.Equal(t, []string{"GET /v1/orders/f520537f/"}, fetched)
	require.Len(t, wc.orders, 1)
	assert.Equal(t, "completed", wc.orders[0].Status, "the handler sees the order as the API reports it")
	assert.True(t, kassacompleet.StatusOf(wc.orders[0]).IsPaid())
	assert.Empty(t, wc.rejected)
	assert.Empty(t, wc.log.String())
}

// Every refusal answers its reason's status, logs one Warn line naming the
// reason and calls OnReject once with it.
func TestWebhookHandlerRejections(t *testing.T) {
	order := `{"id":"f520537f","currency":"EUR","amount":99,"status":"completed"}`
	notFound := `{"error":{"status":404,"type":"NotFound","value":"order not found"}}`
	for _, tc := range []struct {
		name, method, body string
		apiStatus          int
		apiBody            string
		handlerFails       bool
		reason             betaalkit.RejectReason
		status             int
		fetches            int
	}{
		{"GET", http.MethodGet, "", 200, order, false, betaalkit.RejectMethod, http.StatusMethodNotAllowed, 0},
		{"not JSON", http.MethodPost, "order_id=f520537f", 200, order, false, betaalkit.RejectBody, http.StatusBadRequest, 0},
		{"no order id", http.MethodPost, `{"event":"status_changed"}`, 200, order, false, betaalkit.RejectBody, http.StatusBadRequest, 0},
		{"order id steering the fetch", http.MethodPost, `{"order_id":".."}`, 200, order, false, betaalkit.RejectBody, http.StatusBadRequest, 0},
		{"order not found", http.MethodPost, `{"order_id":"nope"}`, 404, notFound, false, betaalkit.RejectFetch, http.StatusBadGateway, 1},
		{"API answers nonsense", http.MethodPost, `{"order_id":"f520537f"}`, 200, `null`, false, betaalkit.RejectFetch, http.StatusBadGateway, 1},
		{"handler fails", http.MethodPost, `{"order_id":"f520537f"}`, 200, order, true, betaalkit.RejectHandler, http.StatusInternalServerError, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fetches := 0
			wc := newWebhookClient(t, func(w http.ResponseWriter, r *http.Request) {
				fetches++
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.apiStatus)
				fmt.Fprint(w, tc.apiBody)
			})
			wc.handlerOK = !tc.handlerFails
			w := wc.post(tc.method, tc.body)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, "webhook rejected: "+string(tc.reason)+"\n", w.Body.String())
			assert.Equal(t, tc.fetches, fetches)
			require.Len(t, wc.rejected, 1, "OnReject is called once")
			assert.Equal(t, tc.reason, wc.rejected[0].Reason)
			assert.Equal(t, tc.status, wc.rejected[0].HTTPStatus)
			assert.Equal(t, "kassacompleet", wc.rejected[0].Provider)
			assert.Error(t, wc.rejected[0].Err)
			lines := strings.Split(strings.TrimSpace(wc.log.String()), "\n")
			require.Len(t, lines, 1, "one log line: %s", wc.log.String())
			assert.Contains(t, lines[0], "level=WARN")
			assert.Contains(t, lines[0], "reason="+string(tc.reason))
			assert.Contains(t, lines[0], "provider=kassacompleet")
			assert.NotContains(t, lines[0], apiKey)
			if tc.handlerFails {
				assert.Len(t, wc.orders, 1, "fn got the fetched order before failing")
			} else {
				assert.Empty(t, wc.orders, "fn is not called for a refused delivery")
			}
		})
	}
}

func mustFixture(t *testing.T, base string) fixtures.Fixture {
	t.Helper()
	f, err := loadFixture(base)
	require.NoError(t, err)
	return f
}

func loadFixture(base string) (fixtures.Fixture, error) {
	list, err := fixtures.Load("kassacompleet")
	if err != nil {
		return fixtures.Fixture{}, err
	}
	for _, f := range list {
		if f.Base() == base {
			return f, nil
		}
	}
	return fixtures.Fixture{}, fmt.Errorf("no fixture %s", base)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A redirect to another host must not carry the key there, and the error
// that results names neither the key nor its Basic form.
func TestRedirectToAnotherHostKeepsTheKey(t *testing.T) {
	const secret = "live_SeCrEtKeY_0123"
	var leaked atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
	}))
	defer foreign.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, foreign.URL+r.URL.Path, http.StatusFound)
	}))
	defer api.Close()

	c, err := kassacompleet.New(secret, kassacompleet.WithBaseURL(api.URL+"/v1"))
	require.NoError(t, err)
	_, err = c.GetPayment(context.Background(), "o1")
	require.Error(t, err)
	assert.ErrorIs(t, err, apiclient.ErrCrossOriginRedirect)
	assert.Zero(t, leaked.Load(), "the key never reaches the other host")
	assert.NotContains(t, err.Error(), secret)
	assert.NotContains(t, err.Error(), "bGl2ZV9TZUNyRXRLZVlfMDEyMzo=")
}
