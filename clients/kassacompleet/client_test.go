package kassacompleet_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/clients/kassacompleet"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/specs/fixtures"
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
				got, err = c.CreateOrder(ctx, in)
				assert.JSONEq(t, string(f.Request.BodyBytes()), string(rec.body), "the documented request body goes out")
			case "getOrder":
				id := strings.TrimSuffix(strings.TrimPrefix(f.Request.Path, "/orders/"), "/")
				got, err = c.GetOrder(ctx, id)
			default:
				t.Fatalf("no client call for %s", f.OperationID)
			}
			require.NoError(t, err)
			assert.Equal(t, f.Request.Method, rec.method)
			assert.Equal(t, "/v1"+f.Request.Path, rec.requestURI)
			assert.Equal(t, "Basic aHVudGVyMjo=", rec.auth)
			// Re-encoding the decoded value keeps every documented field.
			again, err := json.Marshal(got)
			require.NoError(t, err)
			assertSubset(t, f.Response.BodyBytes(), again)
			replayed++
		})
	}
	assert.Equal(t, 6, replayed, "every fixture with a response is replayed")
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
				if v == nil {
					continue // a null and an omitted field mean the same
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
	issuer, ret := "INGBNL2A", "http://www.example.com/"
	order, err := rec.client(t).CreateOrder(context.Background(), kassacompleet.OrderCreate{
		Currency:  "EUR",
		Amount:    99,
		ReturnURL: &ret,
		Transactions: &[]kassacompleet.TransactionCreate{{
			PaymentMethod:        kassacompleet.PaymentMethodIdeal,
			PaymentMethodDetails: &kassacompleet.PaymentMethodDetailsCreate{IssuerID: &issuer},
		}},
	})
	require.NoError(t, err)
	assert.Equal(t, "f520537f-e8ca-4c92-8d9b-2118eb5022cf", order.ID)
	assert.EqualValues(t, 99, order.Amount)
	assert.Equal(t, kassacompleet.OrderStatusNew, order.Status)
	assert.Equal(t, "http://api.kassacompleet.nl/redirect/197fb2ae-7732-400e-9985-7adbd934717a/to/payment/", kassacompleet.PaymentURL(order))
}

func TestUnknownStatusStillDecodes(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"id":"o1","currency":"EUR","amount":"99","status":"authorized-later","transactions":[{"id":"t1","status":"reserved"}]}`))
	order, err := rec.client(t).GetOrder(context.Background(), "o1")
	require.NoError(t, err)
	assert.Equal(t, "authorized-later", order.Status)
	assert.Equal(t, "reserved", (*order.Transactions)[0].Status)
	assert.False(t, kassacompleet.IsFinal(order.Status))
	assert.True(t, kassacompleet.IsFinal(kassacompleet.OrderStatusCompleted))
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
			_, err := rec.client(t).GetOrder(context.Background(), "f520537f")
			var kerr *kassacompleet.Error
			require.True(t, errors.As(err, &kerr), "got %T: %v", err, err)
			assert.Equal(t, http.StatusUnauthorized, kerr.StatusCode)
			assert.Equal(t, "AuthorizationError", kerr.Type)
			assert.Equal(t, "Unauthorized", kerr.Value)
			assert.Equal(t, tc.status, kerr.Status)
			assert.Equal(t, tc.body, string(kerr.RawBody))
			assert.Contains(t, err.Error(), "HTTP 401")
			assert.NotContains(t, err.Error(), apiKey)
		})
	}
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
	assert.Contains(t, err.Error(), "502 Bad Gateway")
}

func TestMalformedSuccessKeepsRawBody(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"id": "o1", "amount": "ninety-nine"`))
	_, err := rec.client(t).GetOrder(context.Background(), "o1")
	var derr *apiclient.DecodeError
	require.True(t, errors.As(err, &derr), "got %T: %v", err, err)
	assert.Equal(t, `{"id": "o1", "amount": "ninety-nine"`, string(derr.RawBody))
}

func TestInvalidOrderIsRefusedBeforeSending(t *testing.T) {
	issuer := "INGBNL2A"
	for _, tc := range []struct {
		name  string
		order kassacompleet.OrderCreate
		field string
	}{
		{"no currency", kassacompleet.OrderCreate{Amount: 99}, "currency"},
		{"zero amount", kassacompleet.OrderCreate{Currency: "EUR"}, "amount"},
		{"unknown method", kassacompleet.OrderCreate{Currency: "EUR", Amount: 99, Transactions: &[]kassacompleet.TransactionCreate{{PaymentMethod: "bitcoin"}}}, "transactions[0].payment_method"},
		{"ideal without issuer", kassacompleet.OrderCreate{Currency: "EUR", Amount: 99, Transactions: &[]kassacompleet.TransactionCreate{{PaymentMethod: kassacompleet.PaymentMethodIdeal}}}, "transactions[0].payment_method_details.issuer_id"},
		{"ideal without return url", kassacompleet.OrderCreate{Currency: "EUR", Amount: 99, Transactions: &[]kassacompleet.TransactionCreate{{PaymentMethod: kassacompleet.PaymentMethodIdeal, PaymentMethodDetails: &kassacompleet.PaymentMethodDetailsCreate{IssuerID: &issuer}}}}, "return_url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, http.StatusCreated, "application/json", []byte(`{}`))
			_, err := rec.client(t).CreateOrder(context.Background(), tc.order)
			var ferr *apiclient.FieldError
			require.True(t, errors.As(err, &ferr), "got %v", err)
			assert.Equal(t, tc.field, ferr.Field)
			assert.Zero(t, rec.hits.Load(), "nothing may be sent")
		})
	}
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{}`))
	_, err := rec.client(t).GetOrder(context.Background(), "")
	assert.ErrorIs(t, err, apiclient.ErrInvalidRequest)
	assert.Zero(t, rec.hits.Load())
}

func TestKeyNeverInErrors(t *testing.T) {
	const secret = "live_SeCrEtKeY_0123"
	down := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, errors.New("connection refused")
	})}
	c, err := kassacompleet.New(secret, kassacompleet.WithHTTPClient(down))
	require.NoError(t, err)
	_, err = c.GetOrder(context.Background(), "o1")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret)
	assert.NotContains(t, fmt.Sprintf("%+v %#v", c, c), secret)

	_, err = kassacompleet.New("")
	assert.ErrorIs(t, err, signing.ErrMissingCredentials)
	_, err = kassacompleet.New(secret, kassacompleet.WithBaseURL("not a url"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret)
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

func TestWebhook(t *testing.T) {
	f := mustFixture(t, "webhook-status-changed")
	req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(string(f.Request.BodyBytes())))
	ev, err := kassacompleet.ParseWebhook(req)
	require.NoError(t, err)
	assert.Equal(t, "f520537f-e8ca-4c92-8d9b-2118eb5022cf", ev.OrderID)
	assert.Equal(t, "6054310e-4bd7-407c-994e-9d20bddc9a73", *ev.ProjectID)

	for name, body := range map[string]string{"not json": "order_id=1", "no order id": `{"event":"status_changed"}`} {
		_, err := kassacompleet.ParseWebhook(httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(body)))
		assert.Error(t, err, name)
	}
	_, err = kassacompleet.ParseWebhook(httptest.NewRequest(http.MethodGet, "/webhook", nil))
	assert.Error(t, err)
}

func TestWebhookHandlerRefetchesTheOrder(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{"id":"f520537f","currency":"EUR","amount":99,"status":"completed"}`))
	var seen string
	h := rec.client(t).WebhookHandler(func(ctx context.Context, o *kassacompleet.Order) error {
		seen = o.Status
		return nil
	})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(`{"event":"status_changed","order_id":"f520537f","project_id":"p"}`)))
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "completed", seen, "the handler sees the order as the API reports it")
	assert.Equal(t, "/v1/orders/f520537f/", rec.requestURI)

	failing := rec.client(t).WebhookHandler(func(context.Context, *kassacompleet.Order) error { return errors.New("db down") })
	w = httptest.NewRecorder()
	failing.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(`{"order_id":"f520537f"}`)))
	assert.Equal(t, http.StatusInternalServerError, w.Code, "a failed handler asks for a retry")

	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(`nonsense`)))
	assert.Equal(t, http.StatusBadRequest, w.Code)

	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/webhook", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
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
	_, err = c.GetOrder(context.Background(), "o1")
	require.Error(t, err)
	assert.ErrorIs(t, err, apiclient.ErrCrossOriginRedirect)
	assert.Zero(t, leaked.Load(), "the key never reaches the other host")
	assert.NotContains(t, err.Error(), secret)
	assert.NotContains(t, err.Error(), "bGl2ZV9TZUNyRXRLZVlfMDEyMzo=")
}

// An unsigned webhook cannot steer the re-fetch to another resource.
func TestWebhookWithDotDotOrderIDFetchesNothing(t *testing.T) {
	rec := newRecorder(t, http.StatusOK, "application/json", []byte(`{}`))
	h := rec.client(t).WebhookHandler(func(context.Context, *kassacompleet.Order) error { return nil })
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(`{"order_id":".."}`)))
	assert.NotEqual(t, http.StatusOK, w.Code)
	assert.Zero(t, rec.hits.Load())
}
