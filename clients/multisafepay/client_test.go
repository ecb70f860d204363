package multisafepay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

const apiKey = "msp-test-key-0123"

// rawListener keeps the bytes of every request as they crossed the wire,
// before Go's server canonicalises header names.
type rawListener struct {
	net.Listener
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *rawListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &rawConn{Conn: c, l: l}, nil
}

func (l *rawListener) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.buf.String()
	l.buf.Reset()
	return s
}

type rawConn struct {
	net.Conn
	l *rawListener
}

func (c *rawConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.l.mu.Lock()
	c.l.buf.Write(p[:n])
	c.l.mu.Unlock()
	return n, err
}

// recorder is an httptest server that answers with a canned response,
// remembers what it was sent and checks every request against the spec.
type recorder struct {
	*httptest.Server
	raw        *rawListener
	hits       atomic.Int32
	mu         sync.Mutex
	method     string
	path       string
	query      string
	body       []byte
	specErr    error
	status     int
	respond    []byte
	contentTyp string
	noSpec     bool // set before the first request: skip spec validation (benchmarks)
}

var validator = func() *specs.Validator {
	v, err := specs.NewValidator("multisafepay")
	if err != nil {
		panic(err)
	}
	return v
}()

func newRecorder(t testing.TB, status int, contentType string, body []byte) *recorder {
	t.Helper()
	rec := &recorder{status: status, respond: body, contentTyp: contentType}
	rec.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.hits.Add(1)
		var specErr error
		if !rec.noSpec {
			_, _, specErr = validator.ValidateRequest(r.Context(), r)
		}
		data, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.method, rec.path, rec.query, rec.body, rec.specErr = r.Method, r.URL.Path, r.URL.RawQuery, data, specErr
		rec.mu.Unlock()
		w.Header().Set("Content-Type", rec.contentTyp)
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.respond)
	}))
	rec.raw = &rawListener{Listener: rec.Listener}
	rec.Listener = rec.raw
	rec.Start()
	t.Cleanup(rec.Close)
	return rec
}

func (r *recorder) client(t testing.TB, opts ...multisafepay.Option) *multisafepay.Client {
	t.Helper()
	c, err := multisafepay.New(apiKey, append([]multisafepay.Option{multisafepay.WithBaseURL(r.URL + "/v1/json")}, opts...)...)
	require.NoError(t, err)
	return c
}

// assertWire checks the request line and the api_key header as sent.
func (r *recorder) assertWire(t *testing.T, method, path, query string) {
	t.Helper()
	raw := r.raw.take()
	r.mu.Lock()
	defer r.mu.Unlock()
	assert.Equal(t, method, r.method)
	assert.Equal(t, path, r.path)
	wantQ, err := url.ParseQuery(query)
	require.NoError(t, err)
	gotQ, err := url.ParseQuery(r.query)
	require.NoError(t, err)
	assert.Equal(t, wantQ, gotQ)
	assert.Contains(t, raw, "\r\napi_key: "+apiKey+"\r\n", "the header name goes out in lower case, as documented")
	assert.NotContains(t, raw, "Api_key")
	assert.NoError(t, r.specErr, "the request must satisfy the spec")
}

// TestFixturesThroughClient replays every documented exchange through the
// client: the documented request (decoded into the client's types) goes out
// as the documented method and path, passes the spec, loses no field, and
// the documented answer decodes.
func TestFixturesThroughClient(t *testing.T) {
	list, err := fixtures.Load("multisafepay")
	require.NoError(t, err)
	replayed := 0
	for _, f := range list {
		if f.OperationID == "" {
			continue
		}
		t.Run(f.Base(), func(t *testing.T) {
			status, body := http.StatusOK, []byte(`{"success": true, "data": {}}`)
			if f.Response != nil {
				status, body = f.Response.Status, f.Response.BodyBytes()
			}
			rec := newRecorder(t, status, "application/json", body)
			c := rec.client(t)
			ctx := context.Background()
			reqBody := f.Request.BodyBytes()
			last := f.Request.Path[strings.LastIndex(f.Request.Path, "/")+1:]
			var got any
			switch f.OperationID {
			case "listGateways":
				got, err = c.ListGateways(ctx, nil)
			case "getGateway":
				got, err = c.GetGateway(ctx, last)
			case "listIssuers":
				got, err = c.ListIssuers(ctx, last)
			case "listCategories":
				got, err = c.ListCategories(ctx)
			case "getOrder":
				got, err = c.GetOrder(ctx, last)
			case "createOrder":
				in := decode[multisafepay.OrderCreate](t, reqBody)
				got, err = c.CreateOrder(ctx, in)
				assertSameFields[multisafepay.OrderCreate](t, reqBody, rec.body)
			case "updateOrder":
				in := decode[multisafepay.OrderUpdate](t, reqBody)
				err = c.UpdateOrder(ctx, last, in)
				assertSameFields[multisafepay.OrderUpdate](t, reqBody, rec.body)
			case "createRefund":
				in := decode[multisafepay.RefundCreate](t, reqBody)
				got, err = c.CreateRefund(ctx, "my-order-id-1", in)
				assertSameFields[multisafepay.RefundCreate](t, reqBody, rec.body)
			default:
				t.Fatalf("no client call for %s", f.OperationID)
			}
			require.NoError(t, err)
			rec.assertWire(t, f.Request.Method, "/v1/json"+f.Request.Path, "")
			if f.Response != nil && got != nil {
				// The returned value is the envelope's data, decoded.
				var env struct {
					Data json.RawMessage `json:"data"`
				}
				require.NoError(t, json.Unmarshal(f.Response.BodyBytes(), &env))
				want, err := json.Marshal(got)
				require.NoError(t, err)
				assertSameJSONValue(t, env.Data, want, got)
			}
			replayed++
		})
	}
	assert.Equal(t, 33, replayed, "every operation fixture is replayed")
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(body, &v))
	return v
}

// assertSameFields checks that what the client sent means what the document
// sent: both decode to the same value (the client may send 1000 where the
// document has "1000", but no field may be lost or changed).
func assertSameFields[T any](t *testing.T, documented, sent []byte) {
	t.Helper()
	a, err := json.Marshal(decode[T](t, documented))
	require.NoError(t, err)
	b, err := json.Marshal(decode[T](t, sent))
	require.NoError(t, err)
	assert.JSONEq(t, string(a), string(b), "no documented field is lost on the way out")
}

// assertSameJSONValue decodes the documented data into the type the client
// returned and compares: the client's answer is exactly the documented one.
func assertSameJSONValue(t *testing.T, documented, _ []byte, got any) {
	t.Helper()
	switch g := got.(type) {
	case []multisafepay.Gateway:
		assert.Equal(t, decode[[]multisafepay.Gateway](t, documented), g)
	case *multisafepay.Gateway:
		assert.Equal(t, decode[multisafepay.Gateway](t, documented), *g)
	case []multisafepay.Issuer:
		assert.Equal(t, decode[[]multisafepay.Issuer](t, documented), g)
	case []multisafepay.Category:
		assert.Equal(t, decode[[]multisafepay.Category](t, documented), g)
	case *multisafepay.Order:
		assert.Equal(t, decode[multisafepay.Order](t, documented), *g)
	case *multisafepay.Refund:
		assert.Equal(t, decode[multisafepay.Refund](t, documented), *g)
	default:
		t.Fatalf("unexpected result type %T", got)
	}
}

func TestEveryOperationOnTheWire(t *testing.T) {
	ok := func(data string) []byte { return []byte(`{"success":true,"data":` + data + `}`) }
	amount := money.Cents(1000)
	eur := "EUR"
	shipped := multisafepay.UpdateStatusShipped
	for _, tc := range []struct {
		name, method, path, query string
		answer                    []byte
		call                      func(*multisafepay.Client) error
	}{
		{"list gateways", http.MethodGet, "/v1/json/gateways", "locale=nl", ok(`[{"id":"IDEAL","description":"iDEAL"}]`),
			func(c *multisafepay.Client) error { _, err := c.ListGateways(context.Background(), nil); return err }},
		{"list gateways filtered", http.MethodGet, "/v1/json/gateways", "amount=1000&country=NL&currency=EUR&include=coupons&locale=nl", ok(`[]`),
			func(c *multisafepay.Client) error {
				_, err := c.ListGateways(context.Background(), &multisafepay.GatewayFilter{Country: "NL", Currency: "EUR", Amount: 1000, Include: "coupons"})
				return err
			}},
		{"get gateway", http.MethodGet, "/v1/json/gateways/VISA", "locale=nl", ok(`{"id":"VISA","description":"Visa"}`),
			func(c *multisafepay.Client) error { _, err := c.GetGateway(context.Background(), "VISA"); return err }},
		{"list iDEAL issuers", http.MethodGet, "/v1/json/issuers/ideal", "locale=nl", ok(`[{"code":"0021","description":"Rabobank"}]`),
			func(c *multisafepay.Client) error { _, err := c.ListIdealIssuers(context.Background()); return err }},
		{"list categories", http.MethodGet, "/v1/json/categories", "locale=nl", ok(`[{"code":999,"description":"Adult"}]`),
			func(c *multisafepay.Client) error { _, err := c.ListCategories(context.Background()); return err }},
		{"create order", http.MethodPost, "/v1/json/orders", "locale=nl", ok(`{"order_id":"o-1","payment_url":"https://pay.example/o-1"}`),
			func(c *multisafepay.Client) error {
				_, err := c.CreateOrder(context.Background(), multisafepay.OrderCreate{OrderID: "o-1", Currency: "EUR", Amount: 1000, Description: "d"})
				return err
			}},
		{"get order", http.MethodGet, "/v1/json/orders/my-order-id-1", "locale=nl", ok(`{"order_id":"my-order-id-1","status":"completed","amount":1000}`),
			func(c *multisafepay.Client) error {
				_, err := c.GetOrder(context.Background(), "my-order-id-1")
				return err
			}},
		{"update order", http.MethodPatch, "/v1/json/orders/o-1", "locale=nl", ok(`{}`),
			func(c *multisafepay.Client) error {
				return c.UpdateOrder(context.Background(), "o-1", multisafepay.OrderUpdate{Status: &shipped})
			}},
		{"create refund", http.MethodPost, "/v1/json/orders/o-1/refunds", "locale=nl", ok(`{"transaction_id":3326965,"refund_id":3326969}`),
			func(c *multisafepay.Client) error {
				_, err := c.CreateRefund(context.Background(), "o-1", multisafepay.RefundCreate{Currency: &eur, Amount: &amount})
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

// An order id is the merchant's own text: it is escaped into one path segment.
func TestOrderIDIsEscaped(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":{"order_id":"a/b c"}}`))
	_, err := rec.client(t).GetOrder(context.Background(), "a/b c")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(rec.raw.take(), "GET /v1/json/orders/a%2Fb%20c HTTP/1.1\r\n"))
}

func TestDirectIdealOrderDecodes(t *testing.T) {
	f := mustFixture(t, "order-direct-ideal")
	rec := newRecorder(t, http.StatusOK, "application/json", f.Response.BodyBytes())
	order, err := rec.client(t).CreateOrder(context.Background(), decode[multisafepay.OrderCreate](t, f.Request.BodyBytes()))
	require.NoError(t, err)
	assert.Equal(t, "259133831", order.TransactionID.String())
	assert.EqualValues(t, 100000, order.Amount.Cents)
	assert.Equal(t, multisafepay.StatusInitialized, *order.Status)
	assert.Equal(t, "0.49", (*order.Costs)[0].Amount.String())
	assert.True(t, strings.HasPrefix(*order.PaymentURL, "https://betalen.rabobank.nl/"))
}

func TestErrorEnvelopeBecomesTypedError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		code   multisafepay.ErrorCode
		info   string
	}{
		{"duplicate order id", http.StatusConflict, `{"success":false,"data":{},"error_code":1006,"error_info":"Invalid transaction ID"}`, multisafepay.CodeInvalidOrderID, "Invalid transaction ID"},
		{"invalid key, data as list", http.StatusUnauthorized, `{"success":false,"data":[],"error_code":1032,"error_info":"Invalid API key"}`, multisafepay.CodeInvalidAPIKey, "Invalid API key"},
		{"code as text", http.StatusServiceUnavailable, `{"success":false,"data":{},"error_code":"1023","error_info":"Gateway unavailable"}`, multisafepay.CodeGatewayUnavailable, "Gateway unavailable"},
		{"success false with 200", http.StatusOK, `{"success":false,"data":{},"error_code":1006,"error_info":"Invalid transaction ID"}`, multisafepay.CodeInvalidOrderID, "Invalid transaction ID"},
		{"success false with 200, spaced", http.StatusOK, "{\"data\": {}, \"success\" :\n false, \"error_code\": 1006, \"error_info\": \"Invalid transaction ID\"}", multisafepay.CodeInvalidOrderID, "Invalid transaction ID"},
		{"success false with 200, data as list", http.StatusOK, `{"success":false,"data":[],"error_code":1032,"error_info":"Invalid API key"}`, multisafepay.CodeInvalidAPIKey, "Invalid API key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, tc.status, "application/json", []byte(tc.body))
			_, err := rec.client(t).GetOrder(context.Background(), "my-order-id-1")
			var merr *multisafepay.Error
			require.True(t, errors.As(err, &merr), "got %T: %v", err, err)
			assert.Equal(t, tc.status, merr.StatusCode)
			assert.Equal(t, tc.code, merr.Code)
			assert.Equal(t, tc.info, merr.Info)
			assert.Equal(t, tc.body, string(merr.RawBody))
			assert.True(t, multisafepay.HasCode(fmt.Errorf("wrapped: %w", err), tc.code))
			assert.Contains(t, err.Error(), tc.info)
		})
	}
}

func TestNonJSONErrorKeepsRawBody(t *testing.T) {
	page := "<html><body><h1>502 Bad Gateway</h1></body></html>"
	rec := newRecorder(t, http.StatusBadGateway, "text/html", []byte(page))
	_, err := rec.client(t).ListGateways(context.Background(), nil)
	var merr *multisafepay.Error
	require.True(t, errors.As(err, &merr))
	assert.Equal(t, http.StatusBadGateway, merr.StatusCode)
	assert.Zero(t, merr.Code)
	assert.Equal(t, page, string(merr.RawBody))
	assert.Contains(t, err.Error(), "502 Bad Gateway")
}

func TestMalformedSuccessKeepsRawBody(t *testing.T) {
	body := `{"success": true, "data": {"order_id": "o1", "amount": "ten euros"}}`
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(body))
	_, err := rec.client(t).GetOrder(context.Background(), "o1")
	var derr *apiclient.DecodeError
	require.True(t, errors.As(err, &derr), "got %T: %v", err, err)
	assert.Equal(t, body, string(derr.RawBody))
}

func TestInvalidInputIsRefusedBeforeSending(t *testing.T) {
	valid := func() multisafepay.OrderCreate {
		return multisafepay.OrderCreate{OrderID: "o-1", Currency: "EUR", Amount: 1000, Description: "d"}
	}
	direct, bogus := multisafepay.OrderTypeDirect, multisafepay.OrderType("instant")
	ideal, put, var3 := "IDEAL", multisafepay.PaymentOptionsNotificationMethod("PUT"), "x"
	for _, tc := range []struct {
		name  string
		edit  func(*multisafepay.OrderCreate)
		field string
	}{
		{"no order id", func(o *multisafepay.OrderCreate) { o.OrderID = " " }, "order_id"},
		{"lower-case currency", func(o *multisafepay.OrderCreate) { o.Currency = "eur" }, "currency"},
		{"zero amount", func(o *multisafepay.OrderCreate) { o.Amount = 0 }, "amount"},
		{"no description", func(o *multisafepay.OrderCreate) { o.Description = "" }, "description"},
		{"long description", func(o *multisafepay.OrderCreate) { o.Description = strings.Repeat("é", 201) }, "description"},
		{"unknown type", func(o *multisafepay.OrderCreate) { o.Type = &bogus }, "type"},
		{"direct without gateway", func(o *multisafepay.OrderCreate) { o.Type = &direct }, "gateway"},
		{"direct iDEAL without issuer", func(o *multisafepay.OrderCreate) { o.Type, o.Gateway = &direct, &ideal }, "gateway_info.issuer_id"},
		{"notification method", func(o *multisafepay.OrderCreate) {
			o.PaymentOptions = &multisafepay.PaymentOptions{NotificationMethod: &put}
		}, "payment_options.notification_method"},
		{"split payments with var3", func(o *multisafepay.OrderCreate) {
			o.Var3 = &var3
			o.Affiliate = &multisafepay.Affiliate{SplitPayments: &[]multisafepay.SplitPayment{{}}}
		}, "var3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":{}}`))
			o := valid()
			tc.edit(&o)
			_, err := rec.client(t).CreateOrder(context.Background(), o)
			var ferr *apiclient.FieldError
			require.True(t, errors.As(err, &ferr), "got %v", err)
			assert.Equal(t, tc.field, ferr.Field)
			assert.ErrorIs(t, err, apiclient.ErrInvalidRequest)
			assert.Zero(t, rec.hits.Load(), "nothing may be sent")
		})
	}

	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":{}}`))
	c := rec.client(t)
	ctx := context.Background()
	zero, eur, bad := money.Cents(0), "EUR", multisafepay.OrderUpdateStatus("delivered")
	ten := money.Cents(10)
	for field, err := range map[string]error{
		"order_id":   func() error { _, err := c.GetOrder(ctx, ""); return err }(),
		"id":         func() error { _, err := c.GetGateway(ctx, ""); return err }(),
		"gateway_id": func() error { _, err := c.ListIssuers(ctx, ""); return err }(),
		"status":     c.UpdateOrder(ctx, "o-1", multisafepay.OrderUpdate{Status: &bad}),
		"amount": func() error {
			_, err := c.CreateRefund(ctx, "o-1", multisafepay.RefundCreate{Currency: &eur, Amount: &zero})
			return err
		}(),
		"currency": func() error {
			_, err := c.CreateRefund(ctx, "o-1", multisafepay.RefundCreate{Amount: &ten})
			return err
		}(),
		"checkout_data.items": func() error {
			_, err := c.CreateRefund(ctx, "o-1", multisafepay.RefundCreate{CheckoutData: &multisafepay.ShoppingCart{}})
			return err
		}(),
	} {
		var ferr *apiclient.FieldError
		require.True(t, errors.As(err, &ferr), "%s: got %v", field, err)
		assert.Equal(t, field, ferr.Field)
	}
	assert.Zero(t, rec.hits.Load(), "nothing may be sent")
}

func TestEnvironments(t *testing.T) {
	var seen []string
	record := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.URL.String())
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(`{"success":true,"data":[]}`)), Request: r}, nil
	})}
	for _, opts := range [][]multisafepay.Option{
		{},
		{multisafepay.WithEnvironment(multisafepay.Live)},
		{multisafepay.WithEnvironment(multisafepay.Live), multisafepay.WithEnvironment(multisafepay.Test)},
		{multisafepay.WithEnvironment(multisafepay.Live), multisafepay.WithBaseURL("https://sandbox.example/v1/json/")},
	} {
		c, err := multisafepay.New(apiKey, append(opts, multisafepay.WithHTTPClient(record))...)
		require.NoError(t, err)
		_, err = c.ListCategories(context.Background())
		require.NoError(t, err)
	}
	assert.Equal(t, []string{
		"https://testapi.multisafepay.com/v1/json/categories",
		"https://api.multisafepay.com/v1/json/categories",
		"https://testapi.multisafepay.com/v1/json/categories",
		"https://sandbox.example/v1/json/categories",
	}, seen)
}

func TestKeyNeverInErrorsOrStrings(t *testing.T) {
	const secret = "live_SeCrEtKeY_0123"
	down := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, errors.New("connection refused")
	})}
	c, err := multisafepay.New(secret, multisafepay.WithHTTPClient(down))
	require.NoError(t, err)
	_, err = c.GetOrder(context.Background(), "o1")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", c, c, c), secret)

	_, err = multisafepay.New("")
	require.Error(t, err)
	_, err = multisafepay.New(secret, multisafepay.WithBaseURL("not a url"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret)
}

func TestCallerHTTPClientIsNotModified(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":[]}`))
	mine := &http.Client{}
	c, err := multisafepay.New(apiKey, multisafepay.WithBaseURL(rec.URL+"/v1/json"), multisafepay.WithHTTPClient(mine))
	require.NoError(t, err)
	_, err = c.ListGateways(context.Background(), nil)
	require.NoError(t, err)
	assert.Nil(t, mine.Transport)
	assert.Nil(t, http.DefaultClient.Transport)
	rec.assertWire(t, http.MethodGet, "/v1/json/gateways", "")
}

func TestContextCancelStopsTheCall(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":[]}`))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := rec.client(t).ListGateways(ctx, nil)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestConcurrentUse(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":{"order_id":"o","status":"completed"}}`))
	c := rec.client(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			o, err := c.GetOrder(context.Background(), "o")
			assert.NoError(t, err)
			assert.Equal(t, multisafepay.StatusCompleted, *o.Status)
		})
	}
	wg.Wait()
	assert.EqualValues(t, 8, rec.hits.Load())
}

func TestIsFinal(t *testing.T) {
	assert.True(t, multisafepay.IsFinal(multisafepay.StatusCompleted))
	assert.True(t, multisafepay.IsFinal(multisafepay.StatusExpired))
	assert.False(t, multisafepay.IsFinal(multisafepay.StatusInitialized))
	assert.False(t, multisafepay.IsFinal(multisafepay.StatusUncleared))
	assert.False(t, multisafepay.IsFinal("some_new_status"))
}

func mustFixture(t testing.TB, base string) fixtures.Fixture {
	t.Helper()
	list, err := fixtures.Load("multisafepay")
	require.NoError(t, err)
	for _, f := range list {
		if f.Base() == base {
			return f
		}
	}
	t.Fatalf("no fixture %s", base)
	return fixtures.Fixture{}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
