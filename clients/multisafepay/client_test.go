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
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
	"github.com/betaalkit/betaalkit/transport"
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
			switch {
			case f.Response != nil:
				status, body = f.Response.Status, f.Response.BodyBytes()
			case f.OperationID == "createOrder":
				body = []byte(`{"success": true, "data": {"order_id": "my-order-id-1"}}`)
			case f.OperationID == "createRefund":
				body = []byte(`{"success": true, "data": {"transaction_id": 1, "refund_id": 2}}`)
			}
			rec := newRecorder(t, status, "application/json", body)
			c := rec.client(t)
			ctx := context.Background()
			reqBody := f.Request.BodyBytes()
			path, query, _ := strings.Cut(f.Request.Path, "?")
			segments := strings.Split(path, "/")
			last := segments[len(segments)-1]
			var got any
			switch f.OperationID {
			case "listGateways":
				got, err = c.ListGateways(ctx, multisafepay.GatewayFilter{})
			case "getGateway":
				got, err = c.GetGateway(ctx, last)
			case "listIssuers":
				got, err = c.ListIssuers(ctx, last)
			case "listCategories":
				got, err = c.ListCategories(ctx)
			case "getOrder":
				got, err = c.GetPayment(ctx, last)
			case "createOrder":
				in := lenient[multisafepay.OrderCreate](t, reqBody)
				got, err = c.CreatePayment(ctx, in)
				assertSameFields[multisafepay.OrderCreate](t, reqBody, rec.body)
			case "updateOrder":
				in := lenient[multisafepay.OrderUpdate](t, reqBody)
				err = c.UpdateOrder(ctx, last, in)
				assertSameFields[multisafepay.OrderUpdate](t, reqBody, rec.body)
			case "createRefund":
				in := lenient[multisafepay.RefundCreate](t, reqBody)
				got, err = c.CreateRefund(ctx, "my-order-id-1", in)
				assertSameFields[multisafepay.RefundCreate](t, reqBody, rec.body)
			case "listPaymentMethods":
				got, err = c.ListPaymentMethods(ctx, multisafepay.PaymentMethodFilter{})
			case "getPaymentMethod":
				got, err = c.GetPaymentMethod(ctx, last, "")
			case "listTokens":
				got, err = c.ListTokens(ctx, last, multisafepay.TokenListParams{})
			case "getToken":
				got, err = c.GetToken(ctx, segments[2], last)
			case "deleteToken":
				err = c.DeleteToken(ctx, segments[2], last)
			case "listTransactions":
				q, perr := url.ParseQuery(query)
				require.NoError(t, perr)
				limit, _ := strconv.Atoi(q.Get("limit"))
				got, err = c.ListTransactions(ctx, multisafepay.TransactionFilter{Limit: limit})
			default:
				t.Fatalf("no client call for %s", f.OperationID)
			}
			rec.assertWire(t, f.Request.Method, "/v1/json"+path, query)
			if f.Response != nil && f.Response.Status >= 400 {
				// A documented error answer becomes an *Error with its code.
				var apiErr *multisafepay.Error
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, f.Response.Status, apiErr.StatusCode)
				assert.NotZero(t, apiErr.Code)
				replayed++
				return
			}
			require.NoError(t, err)
			if page, ok := got.(*multisafepay.TransactionListEnvelope); ok {
				// The page comes back whole, with its pager.
				assert.Equal(t, decode[multisafepay.TransactionListEnvelope](t, f.Response.BodyBytes()), *page)
			} else if f.Response != nil && got != nil {
				// The returned value is the envelope's data, decoded.
				var env struct {
					Data json.RawMessage `json:"data"`
				}
				require.NoError(t, json.Unmarshal(f.Response.BodyBytes(), &env))
				assertSameJSONValue(t, env.Data, got)
			}
			replayed++
		})
	}
	assert.Equal(t, 48, replayed, "every operation fixture is replayed")
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(body, &v))
	return v
}

// lenient decodes a documented request into T. The request types are plain
// Go types (string, int64, bool), while the document writes some values in
// another form the API (and the spec) accepts: "3" for a quantity, "false"
// or "" for a flag, 250 for a text. Those are converted to the field's type
// first; everything else must decode as it is.
func lenient[T any](t *testing.T, body []byte) T {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw any
	require.NoError(t, dec.Decode(&raw))
	fixed, err := json.Marshal(coerce(raw, reflect.TypeFor[T]()))
	require.NoError(t, err)
	return decode[T](t, fixed)
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

func coerce(v any, typ reflect.Type) any {
	if reflect.PointerTo(typ).Implements(unmarshalerType) {
		return v // money and flex types read every documented form themselves
	}
	switch typ.Kind() {
	case reflect.Pointer:
		return coerce(v, typ.Elem())
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if x, ok := m[name]; ok {
				m[name] = coerce(x, typ.Field(i).Type)
			}
		}
		return m
	case reflect.Slice:
		if l, ok := v.([]any); ok {
			for i := range l {
				l[i] = coerce(l[i], typ.Elem())
			}
		}
	case reflect.String:
		switch x := v.(type) {
		case json.Number:
			return x.String()
		case bool:
			return strconv.FormatBool(x)
		}
	case reflect.Int64:
		if s, ok := v.(string); ok {
			return json.Number(s) // "" becomes 0
		}
	case reflect.Bool:
		if s, ok := v.(string); ok {
			return s == "true"
		}
	}
	return v
}

// assertSameFields checks that what the client sent means what the document
// sent: both decode to the same value (the client may send 1000 where the
// document has "1000", or leave out "manual": "false", but no field may be
// lost or changed).
func assertSameFields[T any](t *testing.T, documented, sent []byte) {
	t.Helper()
	a, err := json.Marshal(lenient[T](t, documented))
	require.NoError(t, err)
	b, err := json.Marshal(decode[T](t, sent))
	require.NoError(t, err)
	assert.JSONEq(t, string(a), string(b), "no documented field is lost on the way out")
}

// assertSameJSONValue decodes the documented data into the type the client
// returned and compares: the client's answer is exactly the documented one.
func assertSameJSONValue(t *testing.T, documented []byte, got any) {
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
	case []multisafepay.PaymentMethodInfo:
		assert.Equal(t, decode[[]multisafepay.PaymentMethodInfo](t, documented), g)
	case *multisafepay.PaymentMethodInfo:
		assert.Equal(t, decode[multisafepay.PaymentMethodInfo](t, documented), *g)
	case []multisafepay.Token:
		assert.Equal(t, decode[multisafepay.TokenList](t, documented).Tokens, g)
	case *multisafepay.Token:
		assert.Equal(t, decode[multisafepay.Token](t, documented), *g)
	default:
		t.Fatalf("unexpected result type %T", got)
	}
}

func TestEveryOperationOnTheWire(t *testing.T) {
	ok := func(data string) []byte { return []byte(`{"success":true,"data":` + data + `}`) }
	for _, tc := range []struct {
		name, method, path, query string
		answer                    []byte
		call                      func(*multisafepay.Client) error
	}{
		{"list gateways", http.MethodGet, "/v1/json/gateways", "locale=nl", ok(`[{"id":"IDEAL","description":"iDEAL"}]`),
			func(c *multisafepay.Client) error {
				_, err := c.ListGateways(context.Background(), multisafepay.GatewayFilter{})
				return err
			}},
		{"list gateways filtered", http.MethodGet, "/v1/json/gateways", "amount=1000&country=NL&currency=EUR&include=coupons&locale=nl", ok(`[]`),
			func(c *multisafepay.Client) error {
				_, err := c.ListGateways(context.Background(), multisafepay.GatewayFilter{Country: "NL", Currency: "EUR", Amount: 1000, Include: "coupons"})
				return err
			}},
		{"list gateways by country only", http.MethodGet, "/v1/json/gateways", "country=BE&locale=nl", ok(`[]`),
			func(c *multisafepay.Client) error {
				_, err := c.ListGateways(context.Background(), multisafepay.GatewayFilter{Country: "BE"})
				return err
			}},
		{"get gateway", http.MethodGet, "/v1/json/gateways/VISA", "locale=nl", ok(`{"id":"VISA","description":"Visa"}`),
			func(c *multisafepay.Client) error {
				_, err := c.GetGateway(context.Background(), multisafepay.GatewayVisa)
				return err
			}},
		{"list iDEAL issuers", http.MethodGet, "/v1/json/issuers/ideal", "locale=nl", ok(`[{"code":"0021","description":"Rabobank"}]`),
			func(c *multisafepay.Client) error { _, err := c.ListIdealIssuers(context.Background()); return err }},
		{"list categories", http.MethodGet, "/v1/json/categories", "locale=nl", ok(`[{"code":999,"description":"Adult"}]`),
			func(c *multisafepay.Client) error { _, err := c.ListCategories(context.Background()); return err }},
		{"create payment", http.MethodPost, "/v1/json/orders", "locale=nl", ok(`{"order_id":"o-1","payment_url":"https://pay.example/o-1"}`),
			func(c *multisafepay.Client) error {
				_, err := c.CreatePayment(context.Background(), multisafepay.OrderCreate{OrderID: "o-1", Currency: "EUR", Amount: 1000, Description: "d"})
				return err
			}},
		{"get payment", http.MethodGet, "/v1/json/orders/my-order-id-1", "locale=nl", ok(`{"order_id":"my-order-id-1","status":"completed","amount":1000}`),
			func(c *multisafepay.Client) error {
				_, err := c.GetPayment(context.Background(), "my-order-id-1")
				return err
			}},
		{"update order", http.MethodPatch, "/v1/json/orders/o-1", "locale=nl", ok(`{}`),
			func(c *multisafepay.Client) error {
				return c.UpdateOrder(context.Background(), "o-1", multisafepay.OrderUpdate{Status: multisafepay.UpdateStatusShipped})
			}},
		{"create refund", http.MethodPost, "/v1/json/orders/o-1/refunds", "locale=nl", ok(`{"transaction_id":3326965,"refund_id":3326969}`),
			func(c *multisafepay.Client) error {
				_, err := c.CreateRefund(context.Background(), "o-1", multisafepay.RefundCreate{Currency: "EUR", Amount: 1000})
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

// Without WithLocale no locale parameter goes out, not even an empty one.
func TestNoEmptyQueryParameters(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":[]}`))
	_, err := rec.client(t).ListGateways(context.Background(), multisafepay.GatewayFilter{})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(rec.raw.take(), "GET /v1/json/gateways HTTP/1.1\r\n"))
}

// A request is filled with plain Go values and constants of this package:
// no pointer helper, no flex, and what goes out satisfies the spec.
func TestOrderWithoutPointersOrFlex(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":{"order_id":"order-7","payment_url":"https://pay.example/7"}}`))
	issuer := "0021" // e.g. from a form field
	_, err := rec.client(t).CreatePayment(context.Background(), multisafepay.OrderCreate{
		Type:        multisafepay.OrderTypeDirect,
		Gateway:     multisafepay.GatewayIDEAL,
		OrderID:     "order-7",
		Currency:    "EUR",
		Amount:      1250,
		Description: "Order 7",
		Manual:      true,
		GatewayInfo: multisafepay.GatewayInfo{IssuerID: issuer, Gender: multisafepay.GenderMale, QrSize: 250},
		PaymentOptions: multisafepay.PaymentOptions{
			NotificationURL:    "https://shop.example/msp/notify",
			NotificationMethod: multisafepay.NotificationMethodPOST,
			CloseWindow:        true,
			Template:           multisafepay.Template{Settings: multisafepay.TemplateSettings{HideLogo: true}, Body: multisafepay.TemplateSection{Link: multisafepay.TemplateLink{Hover: multisafepay.TemplateColors{Text: "#00acf1"}}}},
		},
		Customer:     multisafepay.Customer{HouseNumber: "39c", ZipCode: "1033 SC"},
		ShoppingCart: multisafepay.ShoppingCart{Items: []multisafepay.CartItem{{Name: "Apple", UnitPrice: mustDecimalString(t, "0"), Quantity: 3}}},
		CheckoutOptions: multisafepay.CheckoutOptions{TaxTables: multisafepay.TaxTables{
			Alternate: []multisafepay.TaxTableAlternate{{Name: "BTW0", Rules: []multisafepay.TaxRule{{Rate: money.MustDecimal("0")}}}},
		}},
	})
	require.NoError(t, err)
	rec.assertWire(t, http.MethodPost, "/v1/json/orders", "")
	assert.JSONEq(t, `{
		"type": "direct", "gateway": "IDEAL", "order_id": "order-7", "currency": "EUR", "amount": 1250,
		"description": "Order 7", "manual": true,
		"gateway_info": {"issuer_id": "0021", "gender": "male", "qr_size": 250},
		"payment_options": {"notification_url": "https://shop.example/msp/notify", "notification_method": "POST", "close_window": true,
			"template": {"settings": {"hide_logo": true}, "body": {"link": {"hover": {"text": "#00acf1"}}}}},
		"customer": {"house_number": "39c", "zip_code": "1033 SC"},
		"shopping_cart": {"items": [{"name": "Apple", "unit_price": "0", "quantity": 3}]},
		"checkout_options": {"tax_tables": {"alternate": [{"name": "BTW0", "rules": [{"rate": 0}]}]}}
	}`, string(rec.body), "a free item's price and a 0 %% tax rate are sent; unset fields are not")
}

func mustDecimalString(t *testing.T, s string) money.DecimalString {
	t.Helper()
	d, err := money.ParseDecimalString(s)
	require.NoError(t, err)
	return d
}

// An order id is the merchant's own text: it is escaped into one path segment.
func TestOrderIDIsEscaped(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":{"order_id":"a/b c"}}`))
	_, err := rec.client(t).GetPayment(context.Background(), "a/b c")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(rec.raw.take(), "GET /v1/json/orders/a%2Fb%20c HTTP/1.1\r\n"))
}

func TestDirectIdealOrderDecodes(t *testing.T) {
	f := mustFixture(t, "order-direct-ideal")
	rec := newRecorder(t, http.StatusOK, "application/json", f.Response.BodyBytes())
	order, err := rec.client(t).CreatePayment(context.Background(), lenient[multisafepay.OrderCreate](t, f.Request.BodyBytes()))
	require.NoError(t, err)
	assert.Equal(t, "259133831", order.TransactionID.String())
	assert.EqualValues(t, 100000, order.Amount.Cents)
	assert.Equal(t, multisafepay.StatusInitialized, order.Status)
	assert.Equal(t, "0.49", order.Costs[0].Amount.String())
	assert.True(t, strings.HasPrefix(order.PaymentURL, "https://betalen.rabobank.nl/"))
}

// The common steps, on the documented answers.
func TestStatusURLAndAmountOfFixtures(t *testing.T) {
	data := func(name string) *multisafepay.Order {
		var env struct {
			Data multisafepay.Order `json:"data"`
		}
		require.NoError(t, json.Unmarshal(mustFixture(t, name).Response.BodyBytes(), &env))
		return &env.Data
	}

	refunded := data("order-get-refunded")
	assert.Equal(t, betaalkit.PaymentStatus{Status: betaalkit.StatusRefunded, Raw: "refunded"}, multisafepay.StatusOf(refunded),
		"status, not financial_status (completed), says what happened to the order")
	amount, err := multisafepay.AmountOf(refunded)
	require.NoError(t, err)
	assert.Equal(t, money.Cents(200), amount)
	assert.Empty(t, multisafepay.PaymentURL(refunded))

	direct := data("order-direct-ideal")
	assert.Equal(t, betaalkit.StatusOpen, multisafepay.StatusOf(direct).Status)
	assert.False(t, multisafepay.StatusOf(direct).IsFinal())
	assert.Equal(t, direct.PaymentURL, multisafepay.PaymentURL(direct))
	amount, err = multisafepay.AmountOf(direct)
	require.NoError(t, err)
	assert.Equal(t, money.Cents(100000), amount)

	afterpay := data("afterpay")
	assert.True(t, multisafepay.StatusOf(afterpay).IsPaid(), "completed, although the payout (financial_status) is still initialized")

	redirect := data("order-redirect")
	assert.Equal(t, "https://payv2.multisafepay.com/connect/13wFwA57daBSY2mg6u7AFId47UvABvzbwMx/?lang=nl_NL", multisafepay.PaymentURL(redirect))
	assert.Equal(t, betaalkit.PaymentStatus{Status: betaalkit.StatusUnknown}, multisafepay.StatusOf(redirect), "a redirect order's create answer has no status")
	_, err = multisafepay.AmountOf(redirect)
	assert.ErrorContains(t, err, "carries no amount", "no amount is an error, not 0")

	// The status reference's skeleton: every value empty ("amount": "").
	var skeleton multisafepay.Order
	require.NoError(t, json.Unmarshal(mustFixture(t, "creditcard-order-reference").Request.BodyBytes(), &skeleton))
	_, err = multisafepay.AmountOf(&skeleton)
	assert.Error(t, err)
	assert.Equal(t, betaalkit.StatusUnknown, multisafepay.StatusOf(&skeleton).Status)

	assert.Empty(t, multisafepay.PaymentURL(nil))
	assert.Equal(t, betaalkit.StatusUnknown, multisafepay.StatusOf(nil).Status)
	_, err = multisafepay.AmountOf(nil)
	assert.Error(t, err)
}

// NormalizeStatus knows every status the spec lists (TransactionStatus's
// x-extensible-enum and OrderUpdateStatus's enum), maps each to exactly one
// betaalkit status, never unknown, and maps anything else to unknown.
func TestNormalizeStatusCoversTheSpec(t *testing.T) {
	doc, err := specs.Load("multisafepay")
	require.NoError(t, err)
	schemas := doc.Components.Schemas
	var raw []string
	known, ok := schemas["TransactionStatus"].Value.Extensions["x-extensible-enum"].([]any)
	require.True(t, ok, "TransactionStatus lists its values in x-extensible-enum")
	for _, v := range known {
		raw = append(raw, v.(string))
	}
	for _, v := range schemas["OrderUpdateStatus"].Value.Enum {
		raw = append(raw, v.(string))
	}
	require.Len(t, raw, 16)
	want := map[string]betaalkit.Status{
		"initialized": betaalkit.StatusOpen, "uncleared": betaalkit.StatusPending, "reserved": betaalkit.StatusPending,
		"completed": betaalkit.StatusPaid, "shipped": betaalkit.StatusPaid, "declined": betaalkit.StatusFailed,
		"canceled": betaalkit.StatusCanceled, "cancelled": betaalkit.StatusCanceled, "void": betaalkit.StatusCanceled,
		"expired": betaalkit.StatusExpired, "refunded": betaalkit.StatusRefunded,
		"partial_refunded": betaalkit.StatusPartiallyRefunded, "chargedback": betaalkit.StatusChargedBack,
	}
	for _, s := range raw {
		got := multisafepay.NormalizeStatus(s)
		assert.NotEqual(t, betaalkit.StatusUnknown, got, s)
		assert.Equal(t, want[s], got, s)
	}
	for _, s := range []string{"", "Completed", "paid", "new", "some_new_status"} {
		assert.Equal(t, betaalkit.StatusUnknown, multisafepay.NormalizeStatus(s), "%q", s)
		assert.False(t, multisafepay.NormalizeStatus(s).IsPaid(), "%q", s)
	}
	assert.True(t, multisafepay.StatusOf(&multisafepay.Order{Status: multisafepay.StatusPartialRefunded}).IsPaid())
	assert.True(t, multisafepay.StatusOf(&multisafepay.Order{Status: multisafepay.StatusVoid}).IsFailure())
	assert.False(t, multisafepay.StatusOf(&multisafepay.Order{Status: multisafepay.StatusUncleared}).IsFinal())
}

// CartOf turns the answer's cart into a refund's checkout_data.
func TestCartOfStartsACartRefund(t *testing.T) {
	var env struct {
		Data multisafepay.Order `json:"data"`
	}
	require.NoError(t, json.Unmarshal(mustFixture(t, "afterpay").Response.BodyBytes(), &env))
	cart := multisafepay.CartOf(&env.Data)
	require.Len(t, cart.Items, 3)
	first := cart.Items[0]
	assert.Equal(t, "Item demo 1", first.Name)
	assert.Equal(t, "90.00", first.UnitPrice.String())
	assert.EqualValues(t, 2, first.Quantity)
	assert.Equal(t, "666666", first.MerchantItemID, "a number on the wire, text in the request")
	assert.Equal(t, multisafepay.Weight{Unit: "KG", Value: "12"}, first.Weight)

	refundLine := first
	refundLine.Quantity = -1
	cart.Items = append(cart.Items, refundLine)
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":{"transaction_id":1,"refund_id":2}}`))
	_, err := rec.client(t).CreateRefund(context.Background(), "my-order-id-1", multisafepay.RefundCreate{CheckoutData: cart})
	require.NoError(t, err)
	rec.assertWire(t, http.MethodPost, "/v1/json/orders/my-order-id-1/refunds", "")
	assert.Contains(t, string(rec.body), `"quantity":-1`)
	assert.Empty(t, multisafepay.CartOf(nil).Items)
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
			_, err := rec.client(t).GetPayment(context.Background(), "my-order-id-1")
			var merr *multisafepay.Error
			require.True(t, errors.As(err, &merr), "got %T: %v", err, err)
			assert.Equal(t, tc.status, merr.StatusCode)
			assert.Equal(t, tc.code, merr.Code)
			assert.Equal(t, tc.info, merr.Info)
			assert.Equal(t, tc.body, string(merr.RawBody))
			assert.Equal(t, "get payment", merr.Operation())
			assert.True(t, multisafepay.HasCode(fmt.Errorf("wrapped: %w", err), tc.code))
			assert.Equal(t, fmt.Sprintf("multisafepay: get payment: HTTP %d: %d: %s", tc.status, tc.code, tc.info), err.Error())
		})
	}
}

// Every error names the call it came from, in the words all clients share.
func TestErrorsNameTheCall(t *testing.T) {
	notFound := []byte(`{"success":false,"data":{},"error_code":1006,"error_info":"Invalid transaction ID"}`)
	rec := newRecorder(t, http.StatusNotFound, "application/json", notFound)
	c := rec.client(t)
	ctx := context.Background()
	for op, err := range map[string]error{
		"list gateways":   func() error { _, err := c.ListGateways(ctx, multisafepay.GatewayFilter{}); return err }(),
		"get gateway":     func() error { _, err := c.GetGateway(ctx, "IDEAL"); return err }(),
		"list issuers":    func() error { _, err := c.ListIdealIssuers(ctx); return err }(),
		"list categories": func() error { _, err := c.ListCategories(ctx); return err }(),
		"create payment": func() error {
			_, err := c.CreatePayment(ctx, multisafepay.OrderCreate{OrderID: "o", Currency: "EUR", Amount: 1, Description: "d"})
			return err
		}(),
		"get payment":  func() error { _, err := c.GetPayment(ctx, "o"); return err }(),
		"update order": c.UpdateOrder(ctx, "o", multisafepay.OrderUpdate{InvoiceID: "AB1"}),
		"create refund": func() error {
			_, err := c.CreateRefund(ctx, "o", multisafepay.RefundCreate{Currency: "EUR", Amount: 1})
			return err
		}(),
	} {
		assert.True(t, strings.HasPrefix(err.Error(), "multisafepay: "+op+": HTTP 404: 1006: "), "%s: %v", op, err)
		assert.ErrorIs(t, err, betaalkit.ErrAPI)
	}

	// Refused before sending, and a failed connection: named too.
	_, err := c.GetPayment(ctx, "")
	assert.EqualError(t, err, "multisafepay: get payment: invalid request: order_id: is empty")
	down, err := multisafepay.New(apiKey, multisafepay.WithBaseURL("http://127.0.0.1:1/v1/json"), multisafepay.WithRetry(transport.NoRetries))
	require.NoError(t, err)
	_, err = down.CreateRefund(ctx, "o", multisafepay.RefundCreate{Currency: "EUR", Amount: 1})
	assert.ErrorIs(t, err, betaalkit.ErrTransport)
	assert.True(t, strings.HasPrefix(err.Error(), "multisafepay: create refund: "), "%v", err)
}

func TestNonJSONErrorKeepsRawBody(t *testing.T) {
	page := "<html><body><h1>502 Bad Gateway</h1></body></html>"
	rec := newRecorder(t, http.StatusBadGateway, "text/html", []byte(page))
	_, err := rec.client(t).ListGateways(context.Background(), multisafepay.GatewayFilter{})
	var merr *multisafepay.Error
	require.True(t, errors.As(err, &merr))
	assert.Equal(t, http.StatusBadGateway, merr.StatusCode)
	assert.Zero(t, merr.Code)
	assert.Equal(t, page, string(merr.RawBody))
	assert.Equal(t, "multisafepay: list gateways: HTTP 502: "+page, err.Error())
}

func TestMalformedSuccessKeepsRawBody(t *testing.T) {
	body := `{"success": true, "data": {"order_id": "o1", "amount": "ten euros"}}`
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(body))
	_, err := rec.client(t).GetPayment(context.Background(), "o1")
	var derr *betaalkit.DecodeError
	require.True(t, errors.As(err, &derr), "got %T: %v", err, err)
	assert.Equal(t, body, string(derr.RawBody))
}

// A success status whose body is not the {success, data} envelope, or whose
// data lacks what identifies it, is a decode error with the raw body: never
// an empty value and no error.
func TestSuccessWithoutEnvelopeOrDataIsDecodeError(t *testing.T) {
	skeleton := mustFixture(t, "creditcard-order-reference").Request.BodyBytes()
	for _, tc := range []struct {
		name, body, lacks string
		call              func(*multisafepay.Client) error
	}{
		{"the document's credit-card JSON Response (no envelope)", string(skeleton), "envelope", func(c *multisafepay.Client) error {
			_, err := c.CreatePayment(context.Background(), multisafepay.OrderCreate{OrderID: "o", Currency: "EUR", Amount: 1, Description: "d"})
			return err
		}},
		{"empty object", `{}`, "envelope", func(c *multisafepay.Client) error { _, err := c.GetPayment(context.Background(), "o"); return err }},
		{"bare order", `{"order_id":"o","status":"completed"}`, "envelope", func(c *multisafepay.Client) error { _, err := c.GetPayment(context.Background(), "o"); return err }},
		{"order without order_id", `{"success":true,"data":{}}`, "data.order_id", func(c *multisafepay.Client) error {
			_, err := c.GetPayment(context.Background(), "o")
			return err
		}},
		{"order as null", `{"success":true,"data":null}`, "data.order_id", func(c *multisafepay.Client) error {
			_, err := c.GetPayment(context.Background(), "o")
			return err
		}},
		{"list without data", `{"success":true}`, "envelope", func(c *multisafepay.Client) error {
			_, err := c.ListGateways(context.Background(), multisafepay.GatewayFilter{})
			return err
		}},
		{"gateway without id", `{"success":true,"data":{"description":"iDEAL"}}`, "data.id", func(c *multisafepay.Client) error {
			_, err := c.GetGateway(context.Background(), "IDEAL")
			return err
		}},
		{"refund without refund_id", `{"success":true,"data":{"transaction_id":1}}`, "data.refund_id", func(c *multisafepay.Client) error {
			_, err := c.CreateRefund(context.Background(), "o", multisafepay.RefundCreate{Currency: "EUR", Amount: 1})
			return err
		}},
		{"update without envelope", `{}`, "envelope", func(c *multisafepay.Client) error {
			return c.UpdateOrder(context.Background(), "o", multisafepay.OrderUpdate{InvoiceID: "AB1"})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, http.StatusOK, "application/json", []byte(tc.body))
			err := tc.call(rec.client(t))
			var derr *betaalkit.DecodeError
			require.True(t, errors.As(err, &derr), "got %T: %v", err, err)
			assert.ErrorIs(t, err, betaalkit.ErrDecode)
			assert.False(t, errors.Is(err, betaalkit.ErrAPI))
			assert.Equal(t, tc.body, string(derr.RawBody))
			assert.Equal(t, http.StatusOK, derr.StatusCode)
			assert.Contains(t, err.Error(), tc.lacks)
			assert.True(t, strings.HasPrefix(err.Error(), "multisafepay: "), "%v", err)
		})
	}
}

func TestInvalidInputIsRefusedBeforeSending(t *testing.T) {
	valid := func() multisafepay.OrderCreate {
		return multisafepay.OrderCreate{OrderID: "o-1", Currency: "EUR", Amount: 1000, Description: "d"}
	}
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
		{"unknown type", func(o *multisafepay.OrderCreate) { o.Type = "instant" }, "type"},
		{"direct without gateway", func(o *multisafepay.OrderCreate) { o.Type = multisafepay.OrderTypeDirect }, "gateway"},
		{"direct iDEAL without issuer", func(o *multisafepay.OrderCreate) {
			o.Type, o.Gateway = multisafepay.OrderTypeDirect, multisafepay.GatewayIDEAL
		}, "gateway_info.issuer_id"},
		{"notification method", func(o *multisafepay.OrderCreate) { o.PaymentOptions.NotificationMethod = "PUT" }, "payment_options.notification_method"},
		{"split payments with var3", func(o *multisafepay.OrderCreate) {
			o.Var3 = "x"
			o.Affiliate.SplitPayments = []multisafepay.SplitPayment{{Merchant: 1001001, Fixed: 100}}
		}, "var3"},
		{"split payment without merchant", func(o *multisafepay.OrderCreate) {
			o.Affiliate.SplitPayments = []multisafepay.SplitPayment{{Merchant: 1001001, Fixed: 100}, {Fixed: 112}}
		}, "affiliate.split_payments[1].merchant"},
		{"split payment of nothing", func(o *multisafepay.OrderCreate) {
			o.Affiliate.SplitPayments = []multisafepay.SplitPayment{{Merchant: 1001001}}
		}, "affiliate.split_payments[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":{"order_id":"o-1"}}`))
			o := valid()
			tc.edit(&o)
			_, err := rec.client(t).CreatePayment(context.Background(), o)
			var ferr *betaalkit.FieldError
			require.True(t, errors.As(err, &ferr), "got %v", err)
			assert.Equal(t, tc.field, ferr.Field)
			assert.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
			assert.True(t, strings.HasPrefix(err.Error(), "multisafepay: create payment: invalid request: "+tc.field+": "), "%v", err)
			assert.Zero(t, rec.hits.Load(), "nothing may be sent")
		})
	}

	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":{}}`))
	c := rec.client(t)
	ctx := context.Background()
	for field, err := range map[string]error{
		"order_id":   func() error { _, err := c.GetPayment(ctx, ""); return err }(),
		"id":         func() error { _, err := c.GetGateway(ctx, ""); return err }(),
		"gateway_id": func() error { _, err := c.ListIssuers(ctx, ""); return err }(),
		"status":     c.UpdateOrder(ctx, "o-1", multisafepay.OrderUpdate{Status: "delivered"}),
		"amount": func() error {
			_, err := c.CreateRefund(ctx, "o-1", multisafepay.RefundCreate{Currency: "EUR"})
			return err
		}(),
		"currency": func() error {
			_, err := c.CreateRefund(ctx, "o-1", multisafepay.RefundCreate{Amount: 10})
			return err
		}(),
		"checkout_data.items": func() error {
			_, err := c.CreateRefund(ctx, "o-1", multisafepay.RefundCreate{CheckoutData: multisafepay.ShoppingCart{Items: []multisafepay.CartItem{}}})
			return err
		}(),
	} {
		var ferr *betaalkit.FieldError
		require.True(t, errors.As(err, &ferr), "%s: got %v", field, err)
		assert.Equal(t, field, ferr.Field)
	}
	_, err := c.ListGateways(ctx, multisafepay.GatewayFilter{Amount: -1})
	var ferr *betaalkit.FieldError
	require.True(t, errors.As(err, &ferr), "%v", err)
	assert.Equal(t, "amount", ferr.Field)
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

// Constructor errors are *betaalkit.ConfigError naming the argument or option.
func TestConstructorErrorsAreConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, setting string
		key           string
		opts          []multisafepay.Option
	}{
		{"empty key", "apiKey", "", nil},
		{"base URL", "WithBaseURL", apiKey, []multisafepay.Option{multisafepay.WithBaseURL("not a url")}},
		{"environment", "WithEnvironment", apiKey, []multisafepay.Option{multisafepay.WithEnvironment("")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := multisafepay.New(tc.key, tc.opts...)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, betaalkit.ErrConfig)
			var cerr *betaalkit.ConfigError
			require.True(t, errors.As(err, &cerr), "%T", err)
			assert.Equal(t, "multisafepay", cerr.Provider)
			assert.Equal(t, tc.setting, cerr.Setting)
			assert.True(t, strings.HasPrefix(err.Error(), "multisafepay: "+tc.setting+" "), "%v", err)
		})
	}
	_, err := multisafepay.New("")
	assert.ErrorIs(t, err, signing.ErrMissingCredentials, "the cause is kept")
}

func TestKeyNeverInErrorsOrStrings(t *testing.T) {
	const secret = "live_SeCrEtKeY_0123"
	down := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, errors.New("connection refused")
	})}
	c, err := multisafepay.New(secret, multisafepay.WithHTTPClient(down))
	require.NoError(t, err)
	_, err = c.GetPayment(context.Background(), "o1")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", c, c, c), secret)

	_, err = multisafepay.New(secret, multisafepay.WithBaseURL("not a url"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret)
}

func TestCallerHTTPClientIsNotModified(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":[]}`))
	mine := &http.Client{}
	c, err := multisafepay.New(apiKey, multisafepay.WithBaseURL(rec.URL+"/v1/json"), multisafepay.WithHTTPClient(mine))
	require.NoError(t, err)
	_, err = c.ListGateways(context.Background(), multisafepay.GatewayFilter{})
	require.NoError(t, err)
	assert.Nil(t, mine.Transport)
	assert.Nil(t, http.DefaultClient.Transport)
	rec.assertWire(t, http.MethodGet, "/v1/json/gateways", "")
}

func TestContextCancelStopsTheCall(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":[]}`))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := rec.client(t).ListGateways(ctx, multisafepay.GatewayFilter{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestConcurrentUse(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"success":true,"data":{"order_id":"o","status":"completed"}}`))
	c := rec.client(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			o, err := c.GetPayment(context.Background(), "o")
			assert.NoError(t, err)
			assert.True(t, multisafepay.StatusOf(o).IsPaid())
		})
	}
	wg.Wait()
	assert.EqualValues(t, 8, rec.hits.Load())
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
