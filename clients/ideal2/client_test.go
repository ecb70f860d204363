package ideal2_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

	"github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

const createdBody = `{"CommonPaymentData":{"ExpiryDateTimestamp":"2023-12-29T20:38:45.925Z","PaymentStatus":"Open","PaymentId":"142641","AspspPaymentId":"0001143558019460"},"Links":{"RedirectUrl":{"Href":"https://worldline.com"},"GetPaymentStatus":{"Href":"https://digitalroutingservice.awltest.de/xs2a/routingservice/services/ob/pis/v3/payments/142641/status"}},"UseWaitingScreen":false}`

func statusBody(id, status string) string {
	return fmt.Sprintf(`{"PaymentProductUsed":"IDEAL","CommonPaymentData":{"PaymentStatus":%q,"PaymentId":%q}}`, status, id)
}

func mustAmount(t testing.TB, s string) money.DecimalString {
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
			rs.reply(w, http.StatusOK, statusBody("142641", ideal2.StatusSettlementCompleted))
		default:
			http.NotFound(w, r)
		}
	})
	merchant, _ := testKeys()
	cfg := rs.config()
	cfg.Clock = func() time.Time { return time.Date(2023, 12, 29, 16, 38, 45, 770_000_000, time.UTC) }
	cfg.RequestID = func() string { return "fd3a9dae-5323-ea5a-5460-48857a264b9d" }
	c, err := ideal2.New(cfg)
	require.NoError(t, err)
	ctx := context.Background()

	p, err := c.CreatePayment(ctx, ideal2.NewPayment(mustAmount(t, "1.00"), "iDEAL Standard Flow Minimum fields", "iDEALStandardFlow"),
		ideal2.WithReturnURL("https://shop.example/return"), ideal2.WithNotificationURL("https://shop.example/ideal2/notify"))
	require.NoError(t, err)
	assert.Equal(t, "142641", p.CommonPaymentData.PaymentID)
	assert.Equal(t, ideal2.StatusOpen, p.CommonPaymentData.PaymentStatus)
	assert.Equal(t, "https://worldline.com", p.Links.RedirectURL.Href)

	h := rs.last()
	assert.Equal(t, "Bearer tok-1", h.Get("Authorization"))
	assert.Equal(t, "fd3a9dae-5323-ea5a-5460-48857a264b9d", h.Get("X-Request-ID"))
	assert.Equal(t, "2023-12-29T16:38:45.770Z", h.Get("MessageCreateDateTime"))
	assert.Equal(t, "https://shop.example/return", h.Get("InitiatingPartyReturnURL"))
	assert.Equal(t, "https://shop.example/ideal2/notify", h.Get("InitiatingPartyNotificationURL"))
	assert.True(t, strings.HasPrefix(h.Get("Signature"), `keyId="`+signing.IDEAL2KeyID(merchant.cert)+`",algorithm="SHA256withRSA",headers="x-request-id (request-target) digest messagecreatedatetime",signature="`))
	assert.JSONEq(t, `{"PaymentProduct":["IDEAL"],"CommonPaymentData":{"Amount":{"Amount":"1.00"},"RemittanceInformation":"iDEAL Standard Flow Minimum fields","RemittanceInformationStructured":{"Reference":"iDEALStandardFlow"}}}`, string(rs.body(0)))
	assert.Contains(t, string(rs.body(0)), `"Amount":"1.00"`, "the amount goes out as the exact decimal string")

	st, err := c.PaymentStatus(ctx, "142641")
	require.NoError(t, err)
	assert.Equal(t, ideal2.StatusSettlementCompleted, st.CommonPaymentData.PaymentStatus)
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
				got, err = c.PaymentStatus(context.Background(), id)
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
	assert.Equal(t, 4, replayed)
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
		p, err := c.CreatePayment(context.Background(), ideal2.NewPayment(mustAmount(t, "1.00"), "", ""))
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
	p, err := c2.CreatePayment(context.Background(), ideal2.NewPayment(mustAmount(t, "1.00"), "", ""))
	require.NoError(t, err)
	assert.Equal(t, "142641", p.CommonPaymentData.PaymentID)
}

func TestNewRefusesUnclearConfig(t *testing.T) {
	rs := newRoutingService(t)
	cases := map[string]func(*ideal2.Config){
		"no verification choice": func(c *ideal2.Config) { c.ServerCertificate = nil },
		"contradiction":          func(c *ideal2.Config) { c.SkipResponseVerification = true },
		"no base URL":            func(c *ideal2.Config) { c.BaseURL = "" },
		"relative base URL":      func(c *ideal2.Config) { c.BaseURL = pisPath },
		"underivable token URL":  func(c *ideal2.Config) { c.BaseURL = rs.URL + "/pis" },
		"bad token URL":          func(c *ideal2.Config) { c.BaseURL = rs.URL + "/pis"; c.TokenURL = rs.URL + "/auth" },
		"no merchant id":         func(c *ideal2.Config) { c.MerchantID = "" },
		"no client name":         func(c *ideal2.Config) { c.ClientName = "" },
		"no key":                 func(c *ideal2.Config) { c.MerchantKey = nil },
		"key of another cert": func(c *ideal2.Config) {
			_, server := testKeys()
			c.MerchantCertificate = server.cert
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := rs.config()
			mutate(&cfg)
			_, err := ideal2.New(cfg)
			assert.Error(t, err)
		})
	}
	cfg := rs.config()
	cfg.BaseURL = rs.URL + "/pis"
	cfg.TokenURL = rs.URL + tokenPath
	_, err := ideal2.New(cfg)
	assert.NoError(t, err, "an explicit TokenURL serves a base URL of another shape")
}

func TestInvalidPaymentIsRefusedBeforeSending(t *testing.T) {
	rs := newRoutingService(t)
	c := rs.client(t)
	eur, usd := "EUR", "eur"
	cases := map[string]struct {
		p     func() ideal2.PaymentInitiationRequest
		field string
	}{
		"zero amount":      {func() ideal2.PaymentInitiationRequest { return ideal2.NewPayment(mustAmount(t, "0.00"), "", "") }, "CommonPaymentData.Amount.Amount"},
		"negative amount":  {func() ideal2.PaymentInitiationRequest { return ideal2.NewPayment(mustAmount(t, "-1.00"), "", "") }, "CommonPaymentData.Amount.Amount"},
		"fraction of cent": {func() ideal2.PaymentInitiationRequest { return ideal2.NewPayment(mustAmount(t, "1.001"), "", "") }, "CommonPaymentData.Amount.Amount"},
		"no product": {func() ideal2.PaymentInitiationRequest {
			p := ideal2.NewPayment(mustAmount(t, "1.00"), "", "")
			p.PaymentProduct = nil
			return p
		}, "PaymentProduct"},
		"unknown product": {func() ideal2.PaymentInitiationRequest {
			p := ideal2.NewPayment(mustAmount(t, "1.00"), "", "")
			p.PaymentProduct = []ideal2.PaymentProduct{"SEPA"}
			return p
		}, "PaymentProduct[0]"},
		"lower-case currency": {func() ideal2.PaymentInitiationRequest {
			p := ideal2.NewPayment(mustAmount(t, "1.00"), "", "")
			p.CommonPaymentData.Amount.Currency = &usd
			return p
		}, "CommonPaymentData.Amount.Currency"},
		"bad shipping cost": {func() ideal2.PaymentInitiationRequest {
			p := ideal2.NewPayment(mustAmount(t, "24.50"), "", "")
			p.CommonPaymentData.Amount.Currency = &eur
			bad := mustAmount(t, "-4.00")
			p.CommonPaymentData.Amount.AmountBreakdown = &ideal2.AmountBreakdown{ShippingCost: &bad}
			return p
		}, "CommonPaymentData.Amount.AmountBreakdown.ShippingCost"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := c.CreatePayment(context.Background(), tc.p())
			var fe *apiclient.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
			assert.ErrorIs(t, err, apiclient.ErrInvalidRequest)
		})
	}
	_, err := c.CreatePayment(context.Background(), ideal2.NewPayment(mustAmount(t, "1.00"), "", ""), ideal2.WithReturnURL("/relative"))
	var fe *apiclient.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "InitiatingPartyReturnURL", fe.Field)
	_, err = c.PaymentStatus(context.Background(), " ")
	require.ErrorAs(t, err, &fe)
	assert.EqualValues(t, 0, rs.pisHits.Load()+rs.tokenHits.Load(), "nothing was sent")
}

func TestErrorsParseBothKeySpellings(t *testing.T) {
	rs := newRoutingService(t)
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		rs.reply(w, http.StatusBadRequest, `{"Code":"154","Message":"Invalid digest","Details":"Digest does not match","Link":{"Href":"https://docs.example/154"}}`)
	})
	c := rs.client(t)
	_, err := c.PaymentStatus(context.Background(), "1")
	var e *ideal2.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, ideal2.Error{StatusCode: 400, Code: ideal2.CodeInvalidDigest, Message: "Invalid digest", Details: "Digest does not match",
		Link: "https://docs.example/154", RawBody: e.RawBody, RequestID: e.RequestID}, *e)
	assert.NotEmpty(t, e.RequestID, "the exchange's X-Request-ID")
	assert.Contains(t, string(e.RawBody), `"Code":"154"`)
	assert.Contains(t, e.Error(), "154 Invalid digest")

	// The token endpoint's lower-case keys.
	rs2 := newRoutingService(t)
	rs2.tokenError = func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"code":"101","message":"Unknown merchant","details":"002881000","link":{"href":"https://docs.example/101"}}`)
	}
	c2 := rs2.client(t)
	_, err = c2.PaymentStatus(context.Background(), "1")
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 401, e.StatusCode)
	assert.Equal(t, ideal2.CodeUnknownMerchant, e.Code)
	assert.Equal(t, "Unknown merchant", e.Message)
	assert.Equal(t, "002881000", e.Details)
	assert.Equal(t, "https://docs.example/101", e.Link)
	assert.EqualValues(t, 0, rs2.pisHits.Load(), "no PIS request without a token")

	// A body that is no error envelope still becomes a typed error with its bytes.
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html>502</html>")
	})
	_, err = c.PaymentStatus(context.Background(), "1")
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 502, e.StatusCode)
	assert.Equal(t, "<html>502</html>", string(e.RawBody))
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
		rs.reply(w, http.StatusOK, statusBody("1", ideal2.StatusOpen))
	})
	c := rs.client(t)
	st, err := c.PaymentStatus(context.Background(), "1")
	require.NoError(t, err)
	assert.Equal(t, ideal2.StatusOpen, st.CommonPaymentData.PaymentStatus)
	assert.EqualValues(t, 2, calls.Load())
	assert.EqualValues(t, 2, rs.tokenHits.Load())
	assert.Equal(t, "Bearer tok-2", rs.last().Get("Authorization"))

	// A token refused again is an error, not a loop.
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		rs.reply(w, http.StatusUnauthorized, `{"Code":"017","Message":"Token expired"}`)
	})
	_, err = c.PaymentStatus(context.Background(), "1")
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
			rs.reply(w, http.StatusOK, statusBody("7", ideal2.StatusOpen))
		case 2:
			rs.reply(w, http.StatusServiceUnavailable, `{"Code":"999","Message":"busy"}`)
		default:
			rs.reply(w, http.StatusOK, statusBody("7", ideal2.StatusCancelled))
		}
	})
	var attempts []int
	cfg := rs.config()
	cfg.PollBackoff = func(n int) time.Duration { attempts = append(attempts, n); return 0 }
	c, err := ideal2.New(cfg)
	require.NoError(t, err)
	st, err := c.WaitForFinalStatus(context.Background(), "7")
	require.NoError(t, err)
	assert.Equal(t, ideal2.StatusCancelled, st.CommonPaymentData.PaymentStatus)
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
		rs.reply(w, http.StatusOK, statusBody("7", ideal2.StatusOpen))
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
		assert.Equal(t, ideal2.StatusOpen, st.CommonPaymentData.PaymentStatus, "the last status seen")
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

func TestIsFinal(t *testing.T) {
	for _, s := range []string{"SettlementCompleted", "Cancelled", "Expired", "Error"} {
		assert.True(t, ideal2.IsFinal(s), s)
	}
	for _, s := range []string{"Open", "", "SomethingNew"} {
		assert.False(t, ideal2.IsFinal(s), s)
	}
	assert.Equal(t, time.Second, ideal2.DefaultPollBackoff(1))
	assert.Equal(t, 4*time.Second, ideal2.DefaultPollBackoff(3))
	assert.Equal(t, 30*time.Second, ideal2.DefaultPollBackoff(100))
}

func TestNotificationHandler(t *testing.T) {
	rs := newRoutingService(t)
	c := rs.client(t)
	var got []*ideal2.PaymentStatusResponse
	var mu sync.Mutex
	fail := false
	h := c.NotificationHandler(func(_ context.Context, st *ideal2.PaymentStatusResponse) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return errors.New("database down")
		}
		got = append(got, st)
		return nil
	})
	_, server := testKeys()
	body := statusBody("143374", ideal2.StatusSettlementCompleted)
	post := func(body string, sign bool, tamper string) int {
		req := httptest.NewRequest(http.MethodPost, "/ideal2/notify", strings.NewReader(body+tamper))
		if sign {
			signResponse(t, req.Header, server, []byte(body))
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	assert.Equal(t, http.StatusNoContent, post(body, true, ""))
	require.Len(t, got, 1)
	assert.Equal(t, "143374", got[0].CommonPaymentData.PaymentID)

	assert.Equal(t, http.StatusUnauthorized, post(body, true, " "), "a changed body fails its Digest")
	assert.Equal(t, http.StatusUnauthorized, post(body, false, ""), "an unsigned notification is refused when a server certificate is set")
	assert.Equal(t, http.StatusBadRequest, post(`{"nope":1}`, true, ""))
	fail = true
	assert.Equal(t, http.StatusInternalServerError, post(body, true, ""), "a failing handler asks for a retry")
	assert.Len(t, got, 1)

	get := httptest.NewRecorder()
	h.ServeHTTP(get, httptest.NewRequest(http.MethodGet, "/ideal2/notify", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, get.Code)
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
	assert.Equal(t, "Edsger Wybe Dijkstra - Callback", *st.CommonPaymentData.DebtorInformation.Name)

	req = httptest.NewRequest(http.MethodPost, "/ideal2/notify", strings.NewReader(strings.Replace(string(f.Response.BodyBytes()), "Settlement", "Xettlement", 1)))
	req.Header = f.Response.Header()
	_, err = ideal2.ParseNotification(req, v)
	assert.ErrorIs(t, err, signing.ErrIDEAL2DigestMismatch)
}

func TestCallerHTTPClientIsNotModified(t *testing.T) {
	rs := newRoutingService(t)
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		rs.reply(w, http.StatusOK, statusBody("1", ideal2.StatusOpen))
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
	_, err = c.PaymentStatus(context.Background(), "1")
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

// A captured notification must not be accepted long after it was signed.
func TestNotificationHandlerRefusesReplays(t *testing.T) {
	rs := newRoutingService(t)
	_, server := testKeys()
	body := statusBody("143374", ideal2.StatusSettlementCompleted)
	signed := httptest.NewRequest(http.MethodPost, "/ideal2/notify", nil)
	signResponse(t, signed.Header, server, []byte(body))

	for _, tc := range []struct {
		name  string
		later time.Duration
		want  int
	}{
		{"fresh", 9 * time.Minute, http.StatusNoContent},
		{"replayed", ideal2.DefaultNotificationMaxAge + time.Minute, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := rs.config()
			cfg.Clock = func() time.Time { return time.Now().Add(tc.later) }
			c, err := ideal2.New(cfg)
			require.NoError(t, err)
			h := c.NotificationHandler(func(context.Context, *ideal2.PaymentStatusResponse) error { return nil })
			req := httptest.NewRequest(http.MethodPost, "/ideal2/notify", strings.NewReader(body))
			req.Header = signed.Header.Clone()
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			assert.Equal(t, tc.want, w.Code)
		})
	}
}

// With verification off, a forged notification cannot claim a payment is
// settled: the handler passes on what the API reports.
func TestUnverifiedNotificationIsOnlyAHint(t *testing.T) {
	rs := newRoutingService(t)
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		assert.Equal(t, pisPath+"/payments/143374/status", r.URL.Path)
		rs.reply(w, http.StatusOK, statusBody("143374", ideal2.StatusOpen))
	})
	cfg := rs.config()
	cfg.ServerCertificate = nil
	cfg.SkipResponseVerification = true
	c, err := ideal2.New(cfg)
	require.NoError(t, err)
	var got string
	h := c.NotificationHandler(func(_ context.Context, st *ideal2.PaymentStatusResponse) error {
		got = string(st.CommonPaymentData.PaymentStatus)
		return nil
	})
	forged := httptest.NewRequest(http.MethodPost, "/ideal2/notify", strings.NewReader(statusBody("143374", ideal2.StatusSettlementCompleted)))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, forged)
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, string(ideal2.StatusOpen), got)
}

// A status answer about another payment is refused, body kept.
func TestPaymentStatusMustBeAboutThePayment(t *testing.T) {
	rs := newRoutingService(t)
	rs.handle(func(w http.ResponseWriter, r *http.Request, body []byte) {
		rs.reply(w, http.StatusOK, statusBody("999999", ideal2.StatusSettlementCompleted))
	})
	_, err := rs.client(t).PaymentStatus(context.Background(), "143374")
	var de *apiclient.DecodeError
	require.ErrorAs(t, err, &de)
	assert.Contains(t, string(de.RawBody), "999999")
}
