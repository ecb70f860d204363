package ideal2_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/internal/syncbuf"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
	"github.com/betaalkit/betaalkit/transport"
)

const createdBody = `{"CommonPaymentData":{"ExpiryDateTimestamp":"2023-12-29T20:38:45.925Z","PaymentStatus":"Open","PaymentId":"142641","AspspPaymentId":"0001143558019460"},"Links":{"RedirectUrl":{"Href":"https://worldline.com"},"GetPaymentStatus":{"Href":"https://digitalroutingservice.awltest.de/xs2a/routingservice/services/ob/pis/v3/payments/142641/status"}},"UseWaitingScreen":false}`

func statusBody(id, status string) string {
	return fmt.Sprintf(`{"PaymentProductUsed":"IDEAL","CommonPaymentData":{"PaymentStatus":%q,"PaymentId":%q}}`, status, id)
}

func mustAmount(t testing.TB, s string) money.DecimalString {
	t.Helper()
	d, err := money.ParseDecimalString(s)
	require.NoError(t, err)
	return d
}

func TestCreatePaymentAndStatus(t *testing.T) {
	rs := newRoutingService(t)
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		switch {
		case r.Method == http.MethodPost && r.URL.Path == pisPath+"/payments":
			rs.reply(w, http.StatusCreated, createdBody)
		case r.Method == http.MethodGet && r.URL.Path == pisPath+"/payments/142641/status":
			rs.reply(w, http.StatusOK, statusBody("142641", "SettlementCompleted"))
		default:
			http.NotFound(w, r)
		}
	})
	merchant, _ := testKeys()
	cfg := rs.config()
	cfg.Clock = func() time.Time { return time.Date(2023, 12, 29, 16, 38, 45, 770_000_000, time.UTC) }
	cfg.RequestID = func() string { return "fd3a9dae-5323-ea5a-5460-48857a264b9d" }
	// The stand-in signs its answers at the real time, the client's clock
	// is the seed's: accept the years between.
	cfg.ResponseTolerance = time.Since(cfg.Clock()) + time.Hour
	c, err := ideal2.New(cfg)
	require.NoError(t, err)
	ctx := context.Background()

	p, err := c.CreatePayment(ctx, ideal2.NewPayment(100, "iDEAL Standard Flow Minimum fields", "iDEALStandardFlow"),
		ideal2.WithReturnURL("https://shop.example/return"), ideal2.WithNotificationURL("https://shop.example/ideal2/notify"))
	require.NoError(t, err)
	assert.Equal(t, "142641", p.CommonPaymentData.PaymentID)
	assert.Equal(t, ideal2.PaymentStatusOpen, p.CommonPaymentData.PaymentStatus)
	assert.Equal(t, "https://worldline.com", ideal2.PaymentURL(p))

	h := rs.last()
	assert.Equal(t, "Bearer tok-1", h.Get("Authorization"))
	assert.Equal(t, "fd3a9dae-5323-ea5a-5460-48857a264b9d", h.Get("X-Request-ID"))
	assert.Equal(t, "2023-12-29T16:38:45.770Z", h.Get("MessageCreateDateTime"))
	assert.Equal(t, "https://shop.example/return", h.Get("InitiatingPartyReturnURL"))
	assert.Equal(t, "https://shop.example/ideal2/notify", h.Get("InitiatingPartyNotificationURL"))
	assert.True(t, strings.HasPrefix(h.Get("Signature"), `keyId="`+signing.IDEAL2KeyID(merchant.cert)+`",algorithm="SHA256withRSA",headers="x-request-id (request-target) digest messagecreatedatetime",signature="`))
	assert.JSONEq(t, `{"PaymentProduct":["IDEAL"],"CommonPaymentData":{"Amount":{"Amount":"1.00"},"RemittanceInformation":"iDEAL Standard Flow Minimum fields","RemittanceInformationStructured":{"Reference":"iDEALStandardFlow"}}}`, string(rs.body(0)))
	assert.Contains(t, string(rs.body(0)), `"Amount":"1.00"`, "the amount goes out as the exact decimal string")

	st, err := c.GetPayment(ctx, "142641")
	require.NoError(t, err)
	assert.Equal(t, betaalkit.PaymentStatus{Status: betaalkit.StatusPaid, Raw: "SettlementCompleted"}, ideal2.StatusOf(st))
	assert.Equal(t, signing.IDEAL2Digest(nil), rs.last().Get("Digest"))
	assert.EqualValues(t, 1, rs.tokenHits.Load(), "the token is reused")
}

// Every documented response decodes through the client (re-signed by the
// stand-in, since the document's bodies are not the bytes that were signed).
func TestFixturesThroughClient(t *testing.T) {
	list, err := fixtures.Load("ideal2")
	require.NoError(t, err)
	replayed := 0
	for _, f := range list {
		if f.Response == nil {
			continue
		}
		t.Run(f.Base(), func(t *testing.T) {
			rs := newRoutingService(t)
			rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
				assert.Equal(t, f.Request.Method, r.Method)
				assert.Equal(t, f.Request.Path, r.URL.Path)
				rs.reply(w, f.Response.Status, string(f.Response.BodyBytes()))
			})
			c := rs.client(t)
			var got, want any
			switch f.OperationID {
			case "createPayment":
				var in ideal2.PaymentInitiationRequest
				require.NoError(t, json.Unmarshal(f.Request.BodyBytes(), &in))
				got, err = c.CreatePayment(context.Background(), in)
				want = &ideal2.PaymentInitiationResponse{}
			case "getPaymentStatus":
				id := strings.TrimSuffix(strings.TrimPrefix(f.Request.Path, pisPath+"/payments/"), "/status")
				got, err = c.GetPayment(context.Background(), id)
				want = &ideal2.PaymentStatusResponse{}
			default:
				t.Fatalf("no replay for %s", f.OperationID)
			}
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(f.Response.BodyBytes(), want))
			assert.Equal(t, want, got)
			if f.OperationID == "createPayment" {
				// The request the client sent is the documented one, value for value.
				assert.JSONEq(t, string(f.Request.BodyBytes()), string(rs.body(0)))
			}
			replayed++
		})
	}
	assert.Equal(t, 6, replayed, "every fixture with a response is replayed")
}

func TestResponseVerification(t *testing.T) {
	rs := newRoutingService(t)
	var mode atomic.Value
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		switch mode.Load() {
		case "tampered":
			_, server := testKeys()
			signResponse(t, w.Header(), server, []byte(createdBody))
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, strings.Replace(createdBody, "https://worldline.com", "https://evil.example", 1))
		case "unsigned":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, createdBody)
		}
	})
	c := rs.client(t)
	for _, m := range []string{"tampered", "unsigned"} {
		mode.Store(m)
		p, err := c.CreatePayment(context.Background(), ideal2.NewPayment(100, "", ""))
		require.Error(t, err, m)
		assert.Nil(t, p, "a response that fails verification is never handed over")
		var ve *ideal2.VerifyError
		require.ErrorAs(t, err, &ve, m)
		assert.Equal(t, http.StatusCreated, ve.StatusCode)
	}

	// Turned off explicitly, an unsigned answer is accepted.
	cfg := rs.config()
	cfg.ServerCertificate = nil
	cfg.SkipResponseVerification = true
	c2, err := ideal2.New(cfg)
	require.NoError(t, err)
	mode.Store("unsigned")
	p, err := c2.CreatePayment(context.Background(), ideal2.NewPayment(100, "", ""))
	require.NoError(t, err)
	assert.Equal(t, "142641", p.CommonPaymentData.PaymentID)
}

func TestNewRefusesUnclearConfig(t *testing.T) {
	rs := newRoutingService(t)
	cases := map[string]struct {
		mutate  func(*ideal2.Config)
		setting string
	}{
		"no verification choice": {func(c *ideal2.Config) { c.ServerCertificate = nil }, "Config.ServerCertificate"},
		"contradiction":          {func(c *ideal2.Config) { c.SkipResponseVerification = true }, "Config.SkipResponseVerification"},
		"relative base URL":      {func(c *ideal2.Config) { c.BaseURL = pisPath }, "Config.BaseURL"},
		"underivable token URL":  {func(c *ideal2.Config) { c.BaseURL = rs.URL + "/pis" }, "Config.BaseURL"},
		"bad token URL":          {func(c *ideal2.Config) { c.BaseURL = rs.URL + "/pis"; c.TokenURL = rs.URL + "/auth" }, "Config.TokenURL"},
		"no merchant id":         {func(c *ideal2.Config) { c.MerchantID = "" }, "Config.MerchantID"},
		"no client name":         {func(c *ideal2.Config) { c.ClientName = "" }, "Config.ClientName"},
		"no key":                 {func(c *ideal2.Config) { c.MerchantKey = nil }, "Config.MerchantKey"},
		"no certificate":         {func(c *ideal2.Config) { c.MerchantCertificate = nil }, "Config.MerchantCertificate"},
		"key of another cert": {func(c *ideal2.Config) {
			_, server := testKeys()
			c.MerchantCertificate = server.cert
		}, "Config.MerchantKey"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := rs.config()
			tc.mutate(&cfg)
			_, err := ideal2.New(cfg)
			require.ErrorIs(t, err, betaalkit.ErrConfig)
			var ce *betaalkit.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "ideal2", ce.Provider)
			assert.Equal(t, tc.setting, ce.Setting)
			assert.True(t, strings.HasPrefix(err.Error(), "ideal2: "+tc.setting+" "), err.Error())
		})
	}
	cfg := rs.config()
	cfg.BaseURL = rs.URL + "/pis"
	cfg.TokenURL = rs.URL + tokenPath
	_, err := ideal2.New(cfg)
	assert.NoError(t, err, "an explicit TokenURL serves a base URL of another shape")

	_, err = ideal2.NewTokenSource(ideal2.TokenConfig{URL: rs.URL + tokenPath})
	var ce *betaalkit.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "TokenConfig.MerchantID", ce.Setting)
}

// Without a BaseURL the client talks to Worldline's test environment.
func TestNewDefaultsToTheTestEnvironment(t *testing.T) {
	cfg := newRoutingService(t).config()
	cfg.BaseURL = ""
	var asked []string
	cfg.HTTPClient = &http.Client{Transport: signing.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		asked = append(asked, r.URL.String())
		return nil, errors.New("offline")
	})}
	cfg.Retry = transport.NoRetries
	c, err := ideal2.New(cfg)
	require.NoError(t, err)
	_, err = c.GetPayment(context.Background(), "1")
	require.ErrorIs(t, err, betaalkit.ErrTransport)
	assert.True(t, strings.HasPrefix(err.Error(), "ideal2: get payment: get access token: "), err.Error())
	require.Len(t, asked, 1)
	assert.Equal(t, "https://digitalroutingservice.awltest.de/xs2a/routingservice/services/authorize/token", asked[0])
	assert.True(t, strings.HasPrefix(ideal2.TestBaseURL, "https://digitalroutingservice.awltest.de/"))
}

// The money convention: a caller passes cents, the wire gets the exact
// decimal string.
func TestNewPaymentAmountText(t *testing.T) {
	for cents, want := range map[money.Cents]string{100: `"1.00"`, 1250: `"12.50"`, 5: `"0.05"`, 123456: `"1234.56"`} {
		b, err := json.Marshal(ideal2.NewPayment(cents, "Order 1", "order-1"))
		require.NoError(t, err)
		assert.Contains(t, string(b), `"Amount":{"Amount":`+want+`}`, cents)
	}
	b, err := json.Marshal(ideal2.NewPayment(100, "", ""))
	require.NoError(t, err)
	assert.JSONEq(t, `{"PaymentProduct":["IDEAL"],"CommonPaymentData":{"Amount":{"Amount":"1.00"}}}`, string(b), "empty description and reference are not sent")
}

func TestInvalidPaymentIsRefusedBeforeSending(t *testing.T) {
	rs := newRoutingService(t)
	c := rs.client(t)
	fastCheckout := func(order, shipping string) ideal2.PaymentInitiationRequest {
		p := ideal2.NewPayment(2450, "", "")
		p.CommonPaymentData.Amount.AmountBreakdown = ideal2.AmountBreakdown{OrderAmount: mustAmount(t, order), ShippingCost: mustAmount(t, shipping)}
		return p
	}
	cases := map[string]struct {
		p     func() ideal2.PaymentInitiationRequest
		field string
	}{
		"zero amount":     {func() ideal2.PaymentInitiationRequest { return ideal2.NewPayment(0, "", "") }, "CommonPaymentData.Amount.Amount"},
		"negative amount": {func() ideal2.PaymentInitiationRequest { return ideal2.NewPayment(-100, "", "") }, "CommonPaymentData.Amount.Amount"},
		"fraction of cent": {func() ideal2.PaymentInitiationRequest {
			return withAmount(ideal2.NewPayment(1, "", ""), mustAmount(t, "1.001"))
		}, "CommonPaymentData.Amount.Amount"},
		"no product": {func() ideal2.PaymentInitiationRequest {
			p := ideal2.NewPayment(100, "", "")
			p.PaymentProduct = nil
			return p
		}, "PaymentProduct"},
		"unknown product": {func() ideal2.PaymentInitiationRequest {
			p := ideal2.NewPayment(100, "", "")
			p.PaymentProduct = []ideal2.PaymentProduct{"SEPA"}
			return p
		}, "PaymentProduct[0]"},
		"lower-case currency": {func() ideal2.PaymentInitiationRequest {
			p := ideal2.NewPayment(100, "", "")
			p.CommonPaymentData.Amount.Currency = "eur"
			return p
		}, "CommonPaymentData.Amount.Currency"},
		"bad shipping cost":   {func() ideal2.PaymentInitiationRequest { return fastCheckout("28.50", "-4.00") }, "CommonPaymentData.Amount.AmountBreakdown.ShippingCost"},
		"breakdown sum wrong": {func() ideal2.PaymentInitiationRequest { return fastCheckout("20.50", "3.00") }, "CommonPaymentData.Amount.AmountBreakdown"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := c.CreatePayment(context.Background(), tc.p())
			var fe *betaalkit.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
			assert.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
			assert.True(t, strings.HasPrefix(err.Error(), "ideal2: create payment: invalid request: "+tc.field+": "), err.Error())
		})
	}
	_, err := c.CreatePayment(context.Background(), ideal2.NewPayment(100, "", ""), ideal2.WithReturnURL("/relative"))
	var fe *betaalkit.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "InitiatingPartyReturnURL", fe.Field)
	_, err = c.GetPayment(context.Background(), " ")
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "paymentId", fe.Field)
	assert.True(t, strings.HasPrefix(err.Error(), "ideal2: get payment: invalid request: paymentId"), err.Error())
	assert.EqualValues(t, 0, rs.pisHits.Load()+rs.tokenHits.Load(), "nothing was sent")

	// A breakdown that adds up, with free shipping sent as 0, goes out.
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		rs.reply(w, http.StatusCreated, createdBody)
	})
	_, err = c.CreatePayment(context.Background(), fastCheckout("24.50", "0.00"))
	require.NoError(t, err)
	assert.Contains(t, string(rs.body(0)), `"AmountBreakdown":{"OrderAmount":"24.50","ShippingCost":"0.00"}`)
}

func withAmount(p ideal2.PaymentInitiationRequest, d money.DecimalString) ideal2.PaymentInitiationRequest {
	p.CommonPaymentData.Amount.Amount = d
	return p
}

func TestErrorsParseBothKeySpellings(t *testing.T) {
	rs := newRoutingService(t)
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		rs.reply(w, http.StatusBadRequest, `{"Code":"154","Message":"Invalid digest","Details":"Digest does not match","Link":{"Href":"https://docs.example/154"}}`)
	})
	c := rs.client(t)
	_, err := c.GetPayment(context.Background(), "1")
	var e *ideal2.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, ideal2.Error{Op: "get payment", StatusCode: 400, Code: ideal2.CodeInvalidDigest, Message: "Invalid digest", Details: "Digest does not match",
		Link: "https://docs.example/154", RawBody: e.RawBody, RequestID: e.RequestID}, *e)
	assert.NotEmpty(t, e.RequestID, "the exchange's X-Request-ID")
	assert.Contains(t, string(e.RawBody), `"Code":"154"`)
	assert.Equal(t, "ideal2: get payment: HTTP 400: 154: Invalid digest (Digest does not match)", err.Error())
	assert.Equal(t, "get payment", e.Operation())

	// The token endpoint's lower-case keys.
	rs2 := newRoutingService(t)
	rs2.tokenError = func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"code":"101","message":"Unknown merchant","details":"002881000","link":{"href":"https://docs.example/101"}}`)
	}
	c2 := rs2.client(t)
	_, err = c2.GetPayment(context.Background(), "1")
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 401, e.StatusCode)
	assert.Equal(t, ideal2.CodeUnknownMerchant, e.Code)
	assert.Equal(t, "Unknown merchant", e.Message)
	assert.Equal(t, "002881000", e.Details)
	assert.Equal(t, "https://docs.example/101", e.Link)
	assert.Equal(t, "ideal2: get payment: get access token: HTTP 401: 101: Unknown merchant (002881000)", err.Error())
	assert.EqualValues(t, 0, rs2.pisHits.Load(), "no PIS request without a token")

	// A body that is no error envelope still becomes a typed error with its bytes.
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html>502</html>")
	})
	_, err = c.GetPayment(context.Background(), "1")
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 502, e.StatusCode)
	assert.Equal(t, "<html>502</html>", string(e.RawBody))
	assert.Equal(t, "ideal2: get payment: HTTP 502: <html>502</html>", err.Error())

	// Errors name the call that failed.
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		rs.reply(w, http.StatusNotFound, `{"Code":"404","Message":"unknown payment"}`)
	})
	_, err = c.CreatePayment(context.Background(), ideal2.NewPayment(100, "", ""))
	assert.ErrorIs(t, err, betaalkit.ErrAPI)
	assert.True(t, strings.HasPrefix(err.Error(), "ideal2: create payment: HTTP 404: "), err.Error())
	_, err = c.GetPayment(context.Background(), "1")
	assert.True(t, strings.HasPrefix(err.Error(), "ideal2: get payment: HTTP 404: "), err.Error())
}

func TestExpiredTokenIsRenewedOnce(t *testing.T) {
	rs := newRoutingService(t)
	var calls atomic.Int32
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		calls.Add(1)
		if r.Header.Get("Authorization") == "Bearer tok-1" {
			rs.reply(w, http.StatusUnauthorized, `{"Code":"017","Message":"Token expired"}`)
			return
		}
		rs.reply(w, http.StatusOK, statusBody("1", "Open"))
	})
	c := rs.client(t)
	st, err := c.GetPayment(context.Background(), "1")
	require.NoError(t, err)
	assert.Equal(t, ideal2.PaymentStatusOpen, st.CommonPaymentData.PaymentStatus)
	assert.EqualValues(t, 2, calls.Load())
	assert.EqualValues(t, 2, rs.tokenHits.Load())
	assert.Equal(t, "Bearer tok-2", rs.last().Get("Authorization"))

	// A token refused again is an error, not a loop.
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		rs.reply(w, http.StatusUnauthorized, `{"Code":"017","Message":"Token expired"}`)
	})
	_, err = c.GetPayment(context.Background(), "1")
	var e *ideal2.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, ideal2.CodeTokenExpired, e.Code)
}

func TestWaitForFinalStatus(t *testing.T) {
	rs := newRoutingService(t)
	var polls atomic.Int32
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		switch polls.Add(1) {
		case 1, 3:
			rs.reply(w, http.StatusOK, statusBody("7", "Open"))
		case 2:
			rs.reply(w, http.StatusServiceUnavailable, `{"Code":"999","Message":"busy"}`)
		default:
			rs.reply(w, http.StatusOK, statusBody("7", "Cancelled"))
		}
	})
	var attempts []int
	cfg := rs.config()
	cfg.PollBackoff = func(n int) time.Duration { attempts = append(attempts, n); return 0 }
	c, err := ideal2.New(cfg)
	require.NoError(t, err)
	st, err := c.WaitForFinalStatus(context.Background(), "7")
	require.NoError(t, err)
	assert.Equal(t, ideal2.PaymentStatusCancelled, st.CommonPaymentData.PaymentStatus)
	assert.True(t, ideal2.StatusOf(st).IsFailure())
	assert.EqualValues(t, 4, polls.Load(), "a 503 is retried")
	assert.Equal(t, []int{1, 2}, attempts, "the transport retried the 503 within the second poll")
}

func TestWaitForFinalStatusStopsWithContext(t *testing.T) {
	rs := newRoutingService(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var polls atomic.Int32
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		if polls.Add(1) == 3 {
			cancel()
		}
		rs.reply(w, http.StatusOK, statusBody("7", "Open"))
	})
	cfg := rs.config()
	// After the third poll only the context can end the wait.
	cfg.PollBackoff = func(n int) time.Duration {
		if n < 3 {
			return 0
		}
		return time.Hour
	}
	c, err := ideal2.New(cfg)
	require.NoError(t, err)
	st, err := c.WaitForFinalStatus(ctx, "7")
	require.ErrorIs(t, err, context.Canceled)
	assert.LessOrEqual(t, polls.Load(), int32(3))
	if st != nil {
		assert.Equal(t, ideal2.PaymentStatusOpen, st.CommonPaymentData.PaymentStatus, "the last status seen")
	}

	// A non-retryable error ends the wait at once.
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		rs.reply(w, http.StatusNotFound, `{"Code":"404","Message":"unknown payment"}`)
	})
	_, err = c.WaitForFinalStatus(context.Background(), "7")
	var e *ideal2.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, http.StatusNotFound, e.StatusCode)
}

// Every status of the spec's PaymentStatus enum maps to one normalized
// status (never unknown); anything else is unknown, never paid.
func TestNormalizeStatus(t *testing.T) {
	doc, err := specs.Load("ideal2")
	require.NoError(t, err)
	enum := doc.Components.Schemas["PaymentStatus"].Value.Enum
	want := map[string]betaalkit.Status{
		"Open":                betaalkit.StatusOpen,
		"SettlementCompleted": betaalkit.StatusPaid,
		"Cancelled":           betaalkit.StatusCanceled,
		"Expired":             betaalkit.StatusExpired,
		"Error":               betaalkit.StatusFailed,
	}
	require.Len(t, enum, len(want), "the spec's statuses are the ones this test knows")
	for _, v := range enum {
		raw := v.(string)
		assert.Equal(t, want[raw], ideal2.NormalizeStatus(raw), raw)
		assert.NotEqual(t, betaalkit.StatusUnknown, ideal2.NormalizeStatus(raw), raw)
		assert.Equal(t, raw != "Open", ideal2.NormalizeStatus(raw).IsFinal(), "only Open is not final: %s", raw)
	}
	for _, raw := range []string{"", "open", "SETTLEMENTCOMPLETED", "SettlementInProcess"} {
		assert.Equal(t, betaalkit.StatusUnknown, ideal2.NormalizeStatus(raw), raw)
	}
	assert.Equal(t, betaalkit.PaymentStatus{Status: betaalkit.StatusUnknown}, ideal2.StatusOf(nil))
	assert.Equal(t, "", ideal2.PaymentURL(nil))

	assert.Equal(t, time.Second, ideal2.DefaultPollBackoff(1))
	assert.Equal(t, 4*time.Second, ideal2.DefaultPollBackoff(3))
	assert.Equal(t, 30*time.Second, ideal2.DefaultPollBackoff(100))
}

// StatusOf, PaymentURL and AmountOf read the documents' examples.
func TestStatusURLAndAmountOfFixtures(t *testing.T) {
	created := decodeFixture[ideal2.PaymentInitiationResponse](t, "standard-payment-create", true)
	assert.Equal(t, "https://worldline.com", ideal2.PaymentURL(created))

	status := decodeFixture[ideal2.PaymentStatusResponse](t, "payment-status", true)
	assert.Equal(t, betaalkit.PaymentStatus{Status: betaalkit.StatusPaid, Raw: "SettlementCompleted"}, ideal2.StatusOf(status))
	assert.True(t, ideal2.StatusOf(status).IsPaid())
	_, err := ideal2.AmountOf(status)
	assert.ErrorContains(t, err, "no GuaranteedAmount", "the seed's status answer carries no amount")

	notified := decodeFixture[ideal2.PaymentStatusResponse](t, "notification-guaranteed-amount", false)
	assert.True(t, ideal2.StatusOf(notified).IsPaid())
	amount, err := ideal2.AmountOf(notified)
	require.NoError(t, err)
	assert.Equal(t, money.Cents(1000), amount)

	notified.CommonPaymentData.GuaranteedAmount = mustAmount(t, "10.001")
	_, err = ideal2.AmountOf(notified)
	assert.ErrorContains(t, err, "not a whole number of cents")
	_, err = ideal2.AmountOf(nil)
	assert.Error(t, err)
}

// decodeFixture decodes a fixture's response body (or, for a notification,
// its request body).
func decodeFixture[T any](t *testing.T, base string, response bool) *T {
	t.Helper()
	list, err := fixtures.Load("ideal2")
	require.NoError(t, err)
	for _, f := range list {
		if f.Base() != base {
			continue
		}
		body := f.Request.BodyBytes()
		if response {
			body = f.Response.BodyBytes()
		}
		var v T
		require.NoError(t, json.Unmarshal(body, &v))
		return &v
	}
	t.Fatalf("no ideal2 fixture %s", base)
	return nil
}

// webhookRecorder is a shop's side of the WebhookHandler: what fn got, what
// OnReject got, and the client's log.
type webhookRecorder struct {
	handler  http.Handler
	log      *syncbuf.Buffer
	mu       sync.Mutex
	got      []*ideal2.PaymentStatusResponse
	rejected []betaalkit.WebhookRejection
	fail     bool
}

func newWebhookRecorder(t *testing.T, cfg ideal2.Config, opts ...betaalkit.WebhookOption) *webhookRecorder {
	t.Helper()
	wr := &webhookRecorder{log: &syncbuf.Buffer{}}
	cfg.Logger = slog.New(slog.NewTextHandler(wr.log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := ideal2.New(cfg)
	require.NoError(t, err)
	opts = append(opts, betaalkit.OnReject(func(_ *http.Request, r betaalkit.WebhookRejection) {
		wr.mu.Lock()
		defer wr.mu.Unlock()
		wr.rejected = append(wr.rejected, r)
	}))
	wr.handler = c.WebhookHandler(func(_ context.Context, st *ideal2.PaymentStatusResponse) error {
		wr.mu.Lock()
		defer wr.mu.Unlock()
		wr.got = append(wr.got, st)
		if wr.fail {
			return errors.New("database down")
		}
		return nil
	}, opts...)
	return wr
}

func (wr *webhookRecorder) serve(method string, h http.Header, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/ideal2/notify", strings.NewReader(body))
	for k, v := range h {
		req.Header[k] = v
	}
	w := httptest.NewRecorder()
	wr.handler.ServeHTTP(w, req)
	return w
}

// signedNotification signs body as the routing service does, at time at.
func signedNotification(t *testing.T, body string, at time.Time) http.Header {
	t.Helper()
	_, server := testKeys()
	h := http.Header{"Content-Type": {"application/json"}}
	signResponseAt(t, h, server, []byte(body), at)
	return h
}

func TestWebhookHandlerAcceptsAVerifiedNotification(t *testing.T) {
	wr := newWebhookRecorder(t, newRoutingService(t).config())
	body := statusBody("143374", "SettlementCompleted")
	w := wr.serve(http.MethodPost, signedNotification(t, body, time.Now()), body)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "OK", w.Body.String())
	require.Len(t, wr.got, 1)
	assert.Equal(t, "143374", wr.got[0].CommonPaymentData.PaymentID)
	assert.True(t, ideal2.StatusOf(wr.got[0]).IsPaid())
	assert.Empty(t, wr.rejected)
	assert.Empty(t, wr.log.String())
}

// Every refusal answers its reason's status, logs one Warn line naming the
// reason and calls OnReject once with it.
func TestWebhookHandlerRejections(t *testing.T) {
	body := statusBody("143374", "SettlementCompleted")
	now := time.Now()
	for _, tc := range []struct {
		name    string
		method  string
		header  func(t *testing.T) http.Header
		body    string
		prepare func(t *testing.T, wr *webhookRecorder, h http.Header)
		reason  betaalkit.RejectReason
		status  int
		calls   int // of fn
	}{
		{name: "GET", method: http.MethodGet, header: func(*testing.T) http.Header { return nil },
			reason: betaalkit.RejectMethod, status: http.StatusMethodNotAllowed},
		{name: "not a status", method: http.MethodPost, body: `{"nope":1}`,
			header: func(t *testing.T) http.Header { return signedNotification(t, `{"nope":1}`, now) },
			reason: betaalkit.RejectBody, status: http.StatusBadRequest},
		{name: "unsigned", method: http.MethodPost, body: body, header: func(*testing.T) http.Header { return nil },
			reason: betaalkit.RejectSignature, status: http.StatusUnauthorized},
		{name: "body changed", method: http.MethodPost, body: strings.Replace(body, "143374", "143375", 1),
			header: func(t *testing.T) http.Header { return signedNotification(t, body, now) },
			reason: betaalkit.RejectSignature, status: http.StatusUnauthorized},
		{name: "signed with the merchant's key, not the routing service's", method: http.MethodPost, body: body,
			header: func(t *testing.T) http.Header {
				merchant, _ := testKeys()
				h := http.Header{"Content-Type": {"application/json"}}
				signResponseAt(t, h, merchant, []byte(body), now)
				return h
			},
			reason: betaalkit.RejectSignature, status: http.StatusUnauthorized},
		{name: "Digest header changed", method: http.MethodPost, body: body,
			header: func(t *testing.T) http.Header {
				h := signedNotification(t, body, now)
				h.Set("Digest", signing.IDEAL2Digest([]byte(body+" ")))
				return h
			},
			reason: betaalkit.RejectSignature, status: http.StatusUnauthorized},
		{name: "signed long ago", method: http.MethodPost, body: body,
			header: func(t *testing.T) http.Header {
				return signedNotification(t, body, now.Add(-ideal2.DefaultNotificationMaxAge-time.Minute))
			},
			reason: betaalkit.RejectStale, status: http.StatusUnauthorized},
		{name: "handler fails", method: http.MethodPost, body: body,
			header:  func(t *testing.T) http.Header { return signedNotification(t, body, now) },
			prepare: func(_ *testing.T, wr *webhookRecorder, _ http.Header) { wr.fail = true },
			reason:  betaalkit.RejectHandler, status: http.StatusInternalServerError, calls: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wr := newWebhookRecorder(t, newRoutingService(t).config())
			h := tc.header(t)
			if tc.prepare != nil {
				tc.prepare(t, wr, h)
			}
			w := wr.serve(tc.method, h, tc.body)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, "webhook rejected: "+string(tc.reason)+"\n", w.Body.String())
			assert.Len(t, wr.got, tc.calls)
			checkRejected(t, wr, tc.reason, tc.status)
		})
	}
}

func checkRejected(t *testing.T, wr *webhookRecorder, reason betaalkit.RejectReason, status int) {
	t.Helper()
	require.Len(t, wr.rejected, 1, "OnReject is called once")
	assert.Equal(t, reason, wr.rejected[0].Reason)
	assert.Equal(t, status, wr.rejected[0].HTTPStatus)
	assert.Equal(t, "ideal2", wr.rejected[0].Provider)
	assert.Error(t, wr.rejected[0].Err)
	lines := strings.Split(strings.TrimSpace(wr.log.String()), "\n")
	require.Len(t, lines, 1, "one log line: %s", wr.log.String())
	assert.Contains(t, lines[0], "level=WARN")
	assert.Contains(t, lines[0], "reason="+string(reason))
	assert.Contains(t, lines[0], "provider=ideal2")
}

// A failed delivery is not remembered as seen: the routing service's retry
// of it gets through.
func TestWebhookHandlerRetryAfterFailure(t *testing.T) {
	wr := newWebhookRecorder(t, newRoutingService(t).config())
	body := statusBody("143374", "SettlementCompleted")
	h := signedNotification(t, body, time.Now())
	wr.fail = true
	assert.Equal(t, http.StatusInternalServerError, wr.serve(http.MethodPost, h, body).Code)
	wr.fail = false
	assert.Equal(t, http.StatusOK, wr.serve(http.MethodPost, h, body).Code)
	assert.Len(t, wr.got, 2)
}

// NotificationMaxAge and the webhook options decide what is stale.
func TestWebhookHandlerFreshness(t *testing.T) {
	body := statusBody("143374", "SettlementCompleted")
	signedAt := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		later time.Duration
		opts  []betaalkit.WebhookOption
		want  int
	}{
		{"fresh", 9 * time.Minute, nil, http.StatusOK},
		{"stale", ideal2.DefaultNotificationMaxAge + time.Minute, nil, http.StatusUnauthorized},
		{"within a wider tolerance", time.Hour, []betaalkit.WebhookOption{betaalkit.WebhookTolerance(2 * time.Hour)}, http.StatusOK},
		{"the webhook's own clock", 0, []betaalkit.WebhookOption{betaalkit.WebhookClock(func() time.Time { return signedAt.Add(time.Hour) })}, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := newRoutingService(t).config()
			cfg.Clock = func() time.Time { return signedAt.Add(tc.later) }
			wr := newWebhookRecorder(t, cfg, tc.opts...)
			assert.Equal(t, tc.want, wr.serve(http.MethodPost, signedNotification(t, body, signedAt), body).Code)
			if tc.want != http.StatusOK {
				checkRejected(t, wr, betaalkit.RejectStale, tc.want)
			}
		})
	}
}

// The seed's status response, posted as a notification, verifies with
// Worldline's test certificate at the time it was made.
func TestNotificationSeedVector(t *testing.T) {
	crt, err := os.ReadFile(filepath.Join("../../../shared/vectors/ideal2", "iDEAL_2.0_Public_Certificate_Test_Environment.crt"))
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("iDEAL 2.0 test material not found (../../../shared/vectors/ideal2): Worldline's certificates are kept outside the repository")
	}
	require.NoError(t, err)
	cert, err := ideal2.LoadCertificate(crt)
	require.NoError(t, err)
	v, err := signing.NewIDEAL2Verifier(cert)
	require.NoError(t, err)
	v.Clock = func() time.Time { return time.Date(2024, 1, 8, 12, 55, 35, 0, time.UTC) }

	list, err := fixtures.Load("ideal2")
	require.NoError(t, err)
	var f fixtures.Fixture
	for _, x := range list {
		if x.Base() == "payment-status-exact" {
			f = x
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/ideal2/notify", strings.NewReader(string(f.Response.BodyBytes())))
	req.Header = f.Response.Header()
	st, err := ideal2.ParseNotification(req, v)
	require.NoError(t, err)
	assert.Equal(t, "Edsger Wybe Dijkstra - Callback", st.CommonPaymentData.DebtorInformation.Name)

	req = httptest.NewRequest(http.MethodPost, "/ideal2/notify", strings.NewReader(strings.Replace(string(f.Response.BodyBytes()), "Settlement", "Xettlement", 1)))
	req.Header = f.Response.Header()
	_, err = ideal2.ParseNotification(req, v)
	assert.ErrorIs(t, err, signing.ErrIDEAL2DigestMismatch)
}

func TestCallerHTTPClientIsNotModified(t *testing.T) {
	rs := newRoutingService(t)
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		rs.reply(w, http.StatusOK, statusBody("1", "Open"))
	})
	var through int
	base := signing.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		through++
		return http.DefaultTransport.RoundTrip(r)
	})
	hc := &http.Client{Transport: base, Timeout: 10 * time.Second}
	cfg := rs.config()
	cfg.HTTPClient = hc
	c, err := ideal2.New(cfg)
	require.NoError(t, err)
	_, err = c.GetPayment(context.Background(), "1")
	require.NoError(t, err)
	assert.Equal(t, 2, through, "token and PIS requests both go through the caller's transport")
	assert.NotNil(t, hc.Transport)
	_, isSigner := hc.Transport.(*signing.IDEAL2Signer)
	assert.False(t, isSigner, "the caller's client keeps its own transport")
	assert.Nil(t, http.DefaultClient.Transport)
}

func TestLoadKeyPair(t *testing.T) {
	key, err := os.ReadFile("../../../shared/vectors/ideal2/TestCertificatesiDEAL.2.0.key")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("iDEAL 2.0 test material not found (../../../shared/vectors/ideal2): Worldline's test key is kept outside the repository")
	}
	require.NoError(t, err)
	cert, err := os.ReadFile("../../../shared/vectors/ideal2/TestCertificatesiDEAL.2.0.pem")
	require.NoError(t, err)
	_, c, err := ideal2.LoadKeyPair(key, cert)
	require.NoError(t, err)
	assert.Equal(t, "39d8e82bb33e7e2a09cbcb3ef3eab351ee1c5e8f", signing.IDEAL2KeyID(c))

	server, err := os.ReadFile("../../../shared/vectors/ideal2/iDEAL_2.0_Public_Certificate_Test_Environment.crt")
	require.NoError(t, err)
	_, _, err = ideal2.LoadKeyPair(key, server)
	assert.ErrorContains(t, err, "does not match")
	_, _, err = ideal2.LoadKeyPair([]byte("not pem"), cert)
	assert.Error(t, err)
}

// With verification off, a forged notification cannot claim a payment is
// settled: the handler passes on what the API reports, and refuses with
// "fetch" when the API cannot tell.
func TestUnverifiedNotificationIsOnlyAHint(t *testing.T) {
	rs := newRoutingService(t)
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		if r.URL.Path != pisPath+"/payments/143374/status" {
			rs.reply(w, http.StatusNotFound, `{"Code":"404","Message":"unknown payment"}`)
			return
		}
		rs.reply(w, http.StatusOK, statusBody("143374", "Open"))
	})
	cfg := rs.config()
	cfg.ServerCertificate = nil
	cfg.SkipResponseVerification = true
	wr := newWebhookRecorder(t, cfg)
	w := wr.serve(http.MethodPost, nil, statusBody("143374", "SettlementCompleted"))
	assert.Equal(t, http.StatusOK, w.Code)
	require.Len(t, wr.got, 1)
	assert.Equal(t, ideal2.PaymentStatusOpen, wr.got[0].CommonPaymentData.PaymentStatus)

	wr.got = nil
	w = wr.serve(http.MethodPost, nil, statusBody("999", "SettlementCompleted"))
	assert.Equal(t, http.StatusBadGateway, w.Code)
	assert.Empty(t, wr.got)
	checkRejected(t, wr, betaalkit.RejectFetch, http.StatusBadGateway)
	assert.Contains(t, wr.rejected[0].Err.Error(), "ideal2: get payment: HTTP 404")
}

// A status answer about another payment, or without a status, is refused,
// body kept.
func TestGetPaymentMustBeAboutThePayment(t *testing.T) {
	rs := newRoutingService(t)
	answer := statusBody("999999", "SettlementCompleted")
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) { rs.reply(w, http.StatusOK, answer) })
	c := rs.client(t)
	_, err := c.GetPayment(context.Background(), "143374")
	var de *betaalkit.DecodeError
	require.ErrorAs(t, err, &de)
	assert.Contains(t, string(de.RawBody), "999999")
	assert.True(t, strings.HasPrefix(err.Error(), "ideal2: get payment: decode HTTP 200 response: "), err.Error())

	answer = `{"CommonPaymentData":{"PaymentId":"143374"}}`
	_, err = c.GetPayment(context.Background(), "143374")
	assert.ErrorIs(t, err, betaalkit.ErrDecode)
	answer = `null`
	_, err = c.GetPayment(context.Background(), "143374")
	assert.ErrorIs(t, err, betaalkit.ErrDecode)
}

// A created payment without its id or redirect URL is no success.
func TestCreatePaymentNeedsIDAndRedirect(t *testing.T) {
	rs := newRoutingService(t)
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		rs.reply(w, http.StatusCreated, `{"CommonPaymentData":{"PaymentId":"1","PaymentStatus":"Open"},"Links":{}}`)
	})
	_, err := rs.client(t).CreatePayment(context.Background(), ideal2.NewPayment(100, "", ""))
	var de *betaalkit.DecodeError
	require.ErrorAs(t, err, &de)
	assert.Contains(t, string(de.RawBody), `"Links":{}`)
	assert.True(t, strings.HasPrefix(err.Error(), "ideal2: create payment: "), err.Error())
}
