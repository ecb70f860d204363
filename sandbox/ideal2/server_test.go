package ideal2_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
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

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/money"
	sandbox "github.com/betaalkit/betaalkit/sandbox/ideal2"
	"github.com/betaalkit/betaalkit/sandbox/sim"
	"github.com/betaalkit/betaalkit/signing"
)

// Keys are generated once per test binary: RSA generation is the slow part.
var (
	keysOnce   sync.Once
	merchant   *sandbox.Merchant
	signingKey *rsa.PrivateKey
	keysErr    error
)

func keys(t *testing.T) (*sandbox.Merchant, *rsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		merchant, keysErr = sandbox.NewMerchant()
		if keysErr == nil {
			signingKey, keysErr = rsa.GenerateKey(rand.Reader, 2048)
		}
	})
	require.NoError(t, keysErr)
	m := *merchant
	return &m, signingKey
}

func start(t *testing.T, cfg sandbox.Config) (*httptest.Server, *sandbox.Server, *ideal2.Client) {
	t.Helper()
	m, key := keys(t)
	if cfg.Merchant == nil {
		cfg.Merchant = m
	}
	if cfg.SigningKey == nil {
		cfg.SigningKey = key
	}
	ts, s, c, err := sandbox.NewTestServer(cfg)
	require.NoError(t, err)
	t.Cleanup(ts.Close)
	return ts, s, c
}

// notifications is the shop's notification endpoint, verifying with our
// client's own handler.
func notifications(t *testing.T, c *ideal2.Client) (string, <-chan *ideal2.PaymentStatusResponse) {
	got := make(chan *ideal2.PaymentStatusResponse, 16)
	rcv := httptest.NewServer(c.WebhookHandler(func(_ context.Context, st *ideal2.PaymentStatusResponse) error {
		got <- st
		return nil
	}))
	t.Cleanup(rcv.Close)
	return rcv.URL + "/ideal2/notify", got
}

func next(t *testing.T, ch <-chan *ideal2.PaymentStatusResponse) *ideal2.PaymentStatusResponse {
	t.Helper()
	select {
	case st := <-ch:
		return st
	case <-time.After(5 * time.Second):
		t.Fatal("no notification")
		return nil
	}
}

const returnURL = "https://shop.example/return?order=123"

func TestLifecycleThroughThePaymentPage(t *testing.T) {
	_, _, c := start(t, sandbox.Config{})
	notifyURL, got := notifications(t, c)
	ctx := context.Background()

	for _, tc := range []struct {
		choice sim.Choice
		want   ideal2.PaymentStatus
		status betaalkit.Status
	}{
		{sim.Pay, ideal2.PaymentStatusSettlementCompleted, betaalkit.StatusPaid},
		{sim.Cancel, ideal2.PaymentStatusCancelled, betaalkit.StatusCanceled},
		{sim.Fail, ideal2.PaymentStatusError, betaalkit.StatusFailed},
		{sim.Expire, ideal2.PaymentStatusExpired, betaalkit.StatusExpired},
	} {
		t.Run(string(tc.choice), func(t *testing.T) {
			p, err := c.CreatePayment(ctx, ideal2.NewPayment(1250, "Order 123", "order-123"),
				ideal2.WithReturnURL(returnURL), ideal2.WithNotificationURL(notifyURL))
			require.NoError(t, err)
			id := p.CommonPaymentData.PaymentID
			assert.Equal(t, ideal2.PaymentStatusOpen, p.CommonPaymentData.PaymentStatus)
			assert.WithinDuration(t, time.Now().Add(sandbox.PaymentLifetime), p.CommonPaymentData.ExpiryDateTimestamp, time.Minute)
			assert.True(t, strings.HasSuffix(p.Links.GetPaymentStatus.Href, sandbox.PISBasePath+"/payments/"+id+"/status"))

			st, err := c.GetPayment(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, ideal2.PaymentStatusOpen, st.CommonPaymentData.PaymentStatus, "open while the customer is at the bank")

			back, err := sim.PayAsCustomer(ctx, ideal2.PaymentURL(p), tc.choice)
			require.NoError(t, err)
			assert.Equal(t, returnURL, back)

			n := next(t, got)
			assert.Equal(t, id, n.CommonPaymentData.PaymentID)
			assert.Equal(t, tc.want, n.CommonPaymentData.PaymentStatus)

			st, err = c.GetPayment(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, tc.want, st.CommonPaymentData.PaymentStatus)
			assert.Equal(t, betaalkit.PaymentStatus{Status: tc.status, Raw: string(tc.want)}, ideal2.StatusOf(st))
			if tc.want == ideal2.PaymentStatusSettlementCompleted {
				assert.Equal(t, sandbox.DebtorIBAN, st.CommonPaymentData.DebtorInformation.Account.Identification, "a settled payment names its debtor")
				assert.Equal(t, n.CommonPaymentData.DebtorInformation, st.CommonPaymentData.DebtorInformation)
				paid, err := ideal2.AmountOf(st)
				require.NoError(t, err)
				assert.Equal(t, money.Cents(1250), paid, "a settled payment says how much is guaranteed")
			} else {
				assert.Zero(t, st.CommonPaymentData.DebtorInformation)
				_, err := ideal2.AmountOf(st)
				assert.Error(t, err, "only a settled payment carries GuaranteedAmount")
			}

			_, err = sim.PayAsCustomer(ctx, p.Links.RedirectURL.Href, sim.Pay)
			assert.Error(t, err, "a final payment cannot be paid again")
		})
	}
}

func TestTestAmountsDecideWhateverTheCustomerChooses(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	notifyURL, got := notifications(t, c)
	ctx := context.Background()
	for value, want := range map[money.Cents]ideal2.PaymentStatus{
		100: ideal2.PaymentStatusSettlementCompleted,
		200: ideal2.PaymentStatusCancelled,
		300: ideal2.PaymentStatusExpired,
		400: ideal2.PaymentStatusOpen,
		500: ideal2.PaymentStatusError,
	} {
		// Cancel or expire would give Cancelled or Expired for another
		// amount; the test amount wins.
		for _, choice := range []sim.Choice{sim.Cancel, sim.Expire} {
			p, err := c.CreatePayment(ctx, ideal2.NewPayment(value, "test amount", ""),
				ideal2.WithReturnURL(returnURL), ideal2.WithNotificationURL(notifyURL))
			require.NoError(t, err)
			id := p.CommonPaymentData.PaymentID

			// Until the customer is back from the bank, every payment is open.
			st, err := c.GetPayment(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, ideal2.PaymentStatusOpen, st.CommonPaymentData.PaymentStatus, value)

			back, err := sim.PayAsCustomer(ctx, p.Links.RedirectURL.Href, choice)
			require.NoError(t, err, value)
			assert.Equal(t, returnURL, back, value)

			st, err = c.GetPayment(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, want, st.CommonPaymentData.PaymentStatus, "%s %s", value, choice)
			if want == ideal2.PaymentStatusOpen {
				continue // nothing final, nothing notified
			}
			n := next(t, got)
			assert.Equal(t, id, n.CommonPaymentData.PaymentID, value)
			assert.Equal(t, want, n.CommonPaymentData.PaymentStatus, "%s %s", value, choice)
		}
	}
	assert.Empty(t, got, "4.00 stays open and is not notified")

	// 1.00 from Go, with WaitForFinalStatus polling meanwhile.
	p, err := c.CreatePayment(ctx, ideal2.NewPayment(100, "poll", ""))
	require.NoError(t, err)
	go func() {
		time.Sleep(30 * time.Millisecond)
		_, _ = s.Complete(context.Background(), p.CommonPaymentData.PaymentID, sim.Fail)
	}()
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	final, err := c.WaitForFinalStatus(wctx, p.CommonPaymentData.PaymentID)
	require.NoError(t, err)
	assert.Equal(t, ideal2.PaymentStatusSettlementCompleted, final.CommonPaymentData.PaymentStatus)
}

func TestOpenPaymentExpires(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	_, _, c := start(t, sandbox.Config{Clock: clock})
	notifyURL, got := notifications(t, c)
	ctx := context.Background()
	p, err := c.CreatePayment(ctx, ideal2.NewPayment(700, "", ""), ideal2.WithNotificationURL(notifyURL))
	require.NoError(t, err)

	now.Add(int64(sandbox.PaymentLifetime + time.Second))
	st, err := c.GetPayment(ctx, p.CommonPaymentData.PaymentID)
	require.NoError(t, err)
	assert.Equal(t, ideal2.PaymentStatusExpired, st.CommonPaymentData.PaymentStatus)
	assert.Equal(t, ideal2.PaymentStatusExpired, next(t, got).CommonPaymentData.PaymentStatus)
	_, err = sim.PayAsCustomer(ctx, p.Links.RedirectURL.Href, sim.Pay)
	assert.Error(t, err, "an expired payment cannot be paid")
}

// routingError is the PIS error body; keys are matched exactly.
type routingError struct {
	Code, Message, Details string
	Link                   struct{ Href string }
}

func decodeError(t *testing.T, resp *http.Response, lowerCase bool) routingError {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var keys map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &keys), string(body))
	want := []string{"Code", "Message", "Details", "Link"}
	for _, k := range want {
		if lowerCase {
			k = strings.ToLower(k)
		}
		assert.Contains(t, keys, k, "error body %s", body)
	}
	var e routingError
	require.NoError(t, json.Unmarshal(body, &e))
	assert.NotEmpty(t, e.Link.Href)
	return e
}

// signedRequest signs a PIS request like our client does (with the
// client's current token), lets tamper change it after signing, and sends it.
func signedRequest(t *testing.T, ts *httptest.Server, c *ideal2.Client, m *sandbox.Merchant, clock signing.Clock,
	method, path, body string, tamper func(*http.Request)) *http.Response {
	t.Helper()
	signer, err := signing.NewIDEAL2Signer(signing.IDEAL2SignerConfig{
		Key: m.Key, Certificate: m.Certificate, Token: c.Tokens().AccessToken, Clock: clock,
	})
	require.NoError(t, err)
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	out, err := signer.Sign(req)
	require.NoError(t, err)
	if tamper != nil {
		tamper(out)
	}
	resp, err := http.DefaultClient.Do(out)
	require.NoError(t, err)
	return resp
}

const validBody = `{"PaymentProduct":["IDEAL"],"CommonPaymentData":{"Amount":{"Amount":"9.95"}}}`

func TestPISRequestsAreCheckedLikeTheRoutingService(t *testing.T) {
	ts, s, c := start(t, sandbox.Config{})
	m := s.Merchant()
	path := sandbox.PISBasePath + "/payments"

	resp := signedRequest(t, ts, c, m, nil, http.MethodPost, path, validBody, nil)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode, "the untampered request passes")

	other, err := sandbox.NewMerchant()
	require.NoError(t, err)
	stale := func() time.Time { return time.Now().Add(-10 * time.Minute) }
	for _, tc := range []struct {
		name   string
		signer *sandbox.Merchant
		clock  signing.Clock
		body   string
		tamper func(*http.Request)
		status int
		code   string
		detail string
	}{
		{name: "wrong signature", tamper: func(r *http.Request) { r.Header.Set("X-Request-ID", signing.IDEAL2RequestID()) },
			status: 401, code: "003", detail: "Signature"},
		{name: "wrong key", signer: other, status: 401, code: "003", detail: "keyId"},
		{name: "stale MessageCreateDateTime", clock: stale, status: 401, code: "003", detail: "MessageCreateDateTime"},
		{name: "body changed after signing", tamper: func(r *http.Request) {
			b := strings.Replace(validBody, "9.95", "0.01", 1)
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(b)), int64(len(b))
		}, status: 400, code: "154", detail: "Digest"},
		{name: "no Digest", tamper: func(r *http.Request) { r.Header.Del("Digest") }, status: 400, code: "154", detail: "Digest"},
		{name: "no Signature", tamper: func(r *http.Request) { r.Header.Del("Signature") }, status: 401, code: "003", detail: "Signature"},
		{name: "no token", tamper: func(r *http.Request) { r.Header.Del("Authorization") }, status: 401, code: "017", detail: "Bearer"},
		{name: "unknown token", tamper: func(r *http.Request) { r.Header.Set("Authorization", "Bearer 00ff") }, status: 401, code: "017", detail: "unknown"},
		{name: "signature without (request-target)", tamper: func(r *http.Request) {
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), "(request-target) ", "", 1))
		}, status: 401, code: "003", detail: "(request-target)"},
		{name: "spec violation", body: `{"PaymentProduct":["IDEAL"],"CommonPaymentData":{"Amount":{"Amount":"9,95"}}}`,
			status: 400, code: "400", detail: "CommonPaymentData.Amount.Amount"},
		{name: "spec violation, missing field", body: `{"PaymentProduct":["IDEAL"],"CommonPaymentData":{}}`,
			status: 400, code: "400", detail: "Amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signer, body := m, validBody
			if tc.signer != nil {
				signer = tc.signer
			}
			if tc.body != "" {
				body = tc.body
			}
			resp := signedRequest(t, ts, c, signer, tc.clock, http.MethodPost, path, body, tc.tamper)
			assert.Equal(t, tc.status, resp.StatusCode)
			e := decodeError(t, resp, false)
			assert.Equal(t, tc.code, e.Code)
			assert.Contains(t, e.Details, tc.detail)
			assert.NotEmpty(t, e.Message)
		})
	}

	t.Run("unknown payment", func(t *testing.T) {
		_, err := c.GetPayment(context.Background(), "999")
		var e *ideal2.Error
		require.True(t, errors.As(err, &e), "%v", err)
		assert.Equal(t, http.StatusNotFound, e.StatusCode)
		assert.Equal(t, "404", e.Code)
	})
}

func TestExpiredTokenIsRefusedAndTheClientRecovers(t *testing.T) {
	ts, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	_, err := c.CreatePayment(ctx, ideal2.NewPayment(995, "", ""))
	require.NoError(t, err)
	old, err := c.Tokens().AccessToken(ctx)
	require.NoError(t, err)

	s.ExpireTokens()
	resp := signedRequest(t, ts, c, s.Merchant(), nil, http.MethodPost, sandbox.PISBasePath+"/payments", validBody, nil)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	e := decodeError(t, resp, false)
	assert.Equal(t, "017", e.Code)
	assert.Contains(t, e.Details, "expired")

	// Our client drops the token on 017 and retries once with a new one.
	_, err = c.CreatePayment(ctx, ideal2.NewPayment(995, "", ""))
	require.NoError(t, err)
	fresh, err := c.Tokens().AccessToken(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, old, fresh)
}

func TestTokenRequestIsCheckedLikeTheRoutingService(t *testing.T) {
	ts, s, c := start(t, sandbox.Config{})
	ctx := context.Background()

	tok, err := c.Tokens().TokenContext(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Bearer", tok.TokenType)
	assert.EqualValues(t, 3600, tok.ExpiresIn)
	assert.Len(t, tok.AccessToken, 64)

	good := s.Merchant()
	other, err := sandbox.NewMerchant()
	require.NoError(t, err)
	tokenError := func(t *testing.T, cfg ideal2.Config) *ideal2.Error {
		t.Helper()
		cl, err := ideal2.New(cfg)
		require.NoError(t, err)
		_, err = cl.Tokens().TokenContext(ctx)
		var e *ideal2.Error
		require.True(t, errors.As(err, &e), "%v", err)
		assert.Contains(t, string(e.RawBody), `"code"`, "the token endpoint writes lower-case keys")
		assert.NotEmpty(t, e.Link)
		return e
	}

	t.Run("wrong key", func(t *testing.T) {
		cfg := s.ClientConfig(ts.URL)
		cfg.MerchantKey, cfg.MerchantCertificate = other.Key, other.Certificate
		e := tokenError(t, cfg)
		assert.Equal(t, http.StatusUnauthorized, e.StatusCode)
		assert.Equal(t, "003", e.Code)
	})
	t.Run("unknown merchant", func(t *testing.T) {
		cfg := s.ClientConfig(ts.URL)
		cfg.MerchantID = "999999999"
		e := tokenError(t, cfg)
		assert.Equal(t, http.StatusUnauthorized, e.StatusCode)
		assert.Equal(t, "101", e.Code)
		assert.Contains(t, e.Details, "999999999")
	})
	t.Run("unknown client", func(t *testing.T) {
		cfg := s.ClientConfig(ts.URL)
		cfg.ClientName = "SomeoneElse"
		e := tokenError(t, cfg)
		assert.Equal(t, "101", e.Code)
	})
	t.Run("stale Date", func(t *testing.T) {
		cfg := s.ClientConfig(ts.URL)
		cfg.Clock = func() time.Time { return time.Now().Add(-time.Hour) }
		e := tokenError(t, cfg)
		assert.Equal(t, http.StatusUnauthorized, e.StatusCode)
		assert.Equal(t, "003", e.Code)
		assert.Contains(t, e.Details, "Date")
	})

	raw := func(t *testing.T, edit func(*http.Request)) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, ts.URL+sandbox.TokenPath, strings.NewReader("grant_type=client_credentials"))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range map[string]string{"App": "IDEAL", "Client": good.ClientName, "Id": good.ID, "Date": time.Now().UTC().Format(signing.IDEAL2TimeFormat)} {
			req.Header.Set(k, v)
		}
		require.NoError(t, signing.IDEAL2SignTokenRequest(req, good.Key, good.KeyID()))
		if edit != nil {
			edit(req)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		return resp
	}
	t.Run("signed by hand", func(t *testing.T) {
		resp := raw(t, nil)
		defer resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	})
	t.Run("header changed after signing", func(t *testing.T) {
		resp := raw(t, func(r *http.Request) { r.Header.Set("Id", good.ID+":2") })
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		assert.Equal(t, "003", decodeError(t, resp, true).Code)
	})
	t.Run("missing header", func(t *testing.T) {
		resp := raw(t, func(r *http.Request) { r.Header.Del("Client") })
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		e := decodeError(t, resp, true)
		assert.Equal(t, "400", e.Code)
		assert.Contains(t, e.Details, "Client")
	})
	t.Run("wrong grant type", func(t *testing.T) {
		resp := raw(t, func(r *http.Request) {
			b := "grant_type=password"
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(b)), int64(len(b))
		})
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		assert.Contains(t, decodeError(t, resp, true).Details, "grant_type")
	})
}

func TestResponsesAndNotificationsVerifyWithOurVerifiers(t *testing.T) {
	ts, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	p, err := c.CreatePayment(ctx, ideal2.NewPayment(995, "", ""))
	require.NoError(t, err, "the client verifies every response with the sandbox's certificate")

	resp := signedRequest(t, ts, c, s.Merchant(), nil, http.MethodGet, sandbox.PISBasePath+"/payments/"+p.CommonPaymentData.PaymentID+"/status", "", nil)
	defer resp.Body.Close()
	v, err := signing.NewIDEAL2Verifier(s.Certificate())
	require.NoError(t, err)
	require.NoError(t, v.VerifyResponse(resp))
	params, err := signing.ParseIDEAL2Signature(resp.Header.Get("Signature"))
	require.NoError(t, err)
	assert.Equal(t, "rsa-sha256", params.Algorithm)
	assert.Equal(t, []string{"messagecreatedatetime", "x-request-id", "digest"}, params.Headers)
	assert.Equal(t, strings.ToUpper(v.KeyID()), params.KeyID)

	// The served certificate is the one that signs.
	cr, err := http.Get(ts.URL + "/sandbox/server-cert.pem")
	require.NoError(t, err)
	pemBytes, _ := io.ReadAll(cr.Body)
	cr.Body.Close()
	served, err := ideal2.LoadCertificate(pemBytes)
	require.NoError(t, err)
	assert.True(t, served.Equal(s.Certificate()))

	// A notification from another sandbox (another key) is refused by our
	// handler; the one from ours is accepted.
	_, otherSandbox, otherC := start(t, sandbox.Config{SigningKey: mustKey(t)})
	notifyURL, got := notifications(t, c)
	op, err := otherC.CreatePayment(ctx, ideal2.NewPayment(995, "", ""), ideal2.WithNotificationURL(notifyURL))
	require.NoError(t, err)
	_, err = otherSandbox.Complete(ctx, op.CommonPaymentData.PaymentID, sim.Pay)
	require.ErrorIs(t, err, sandbox.ErrNotification)
	assert.Contains(t, err.Error(), "401", "our handler refused the foreign signature")

	p, err = c.CreatePayment(ctx, ideal2.NewPayment(995, "", ""), ideal2.WithNotificationURL(notifyURL))
	require.NoError(t, err)
	_, err = s.Complete(ctx, p.CommonPaymentData.PaymentID, sim.Pay)
	require.NoError(t, err)
	assert.Equal(t, p.CommonPaymentData.PaymentID, next(t, got).CommonPaymentData.PaymentID)
	assert.Empty(t, got)
}

func mustKey(t *testing.T) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	return k
}

func TestGeneratedMerchantIsServedForCLIUsers(t *testing.T) {
	s, err := sandbox.New(sandbox.Config{SigningKey: mustKey(t)})
	require.NoError(t, err)
	ts := httptest.NewServer(s)
	defer ts.Close()
	get := func(path string) []byte {
		resp, err := http.Get(ts.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	key, cert, err := ideal2.LoadKeyPair(get("/sandbox/merchant-key.pem"), get("/sandbox/merchant-cert.pem"))
	require.NoError(t, err)
	server, err := ideal2.LoadCertificate(get("/sandbox/server-cert.pem"))
	require.NoError(t, err)
	c, err := ideal2.New(ideal2.Config{BaseURL: ts.URL + sandbox.PISBasePath, MerchantID: sandbox.DefaultMerchantID, ClientName: sandbox.DefaultClientName,
		MerchantKey: key, MerchantCertificate: cert, ServerCertificate: server})
	require.NoError(t, err)
	_, err = c.CreatePayment(context.Background(), ideal2.NewPayment(995, "", ""))
	require.NoError(t, err)

	m := s.Merchant()
	printed := fmt.Sprintf("%v %+v %#v", m, m, m)
	assert.Contains(t, printed, "[redacted]")
	assert.NotContains(t, printed, m.Key.D.String(), "the private key stays out of logs")

	// A merchant the caller configured keeps its key to itself.
	_, s2, _ := start(t, sandbox.Config{})
	rec := httptest.NewRecorder()
	s2.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/sandbox/merchant-key.pem", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
}

// Worldline's published test key works too, its expired certificate
// accepted by choice.
func TestWorldlineTestKey(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "vectors", "ideal2")
	keyPEM, err := os.ReadFile(filepath.Join(dir, "TestCertificatesiDEAL.2.0.key"))
	if err != nil {
		t.Skipf("Worldline test material not available (%v); it lives in the team's ../shared folder", err)
	}
	certPEM, err := os.ReadFile(filepath.Join(dir, "TestCertificatesiDEAL.2.0.pem"))
	require.NoError(t, err)
	key, cert, err := ideal2.LoadKeyPair(keyPEM, certPEM)
	require.NoError(t, err)
	m := &sandbox.Merchant{ID: "002881000", SubID: "1", ClientName: "TestAcquirer", Key: key, Certificate: cert}

	_, _, c := start(t, sandbox.Config{Merchant: m})
	_, err = c.CreatePayment(context.Background(), ideal2.NewPayment(100, "", ""))
	var e *ideal2.Error
	require.True(t, errors.As(err, &e), "the expired certificate is refused by default: %v", err)
	assert.Equal(t, "003", e.Code)

	_, _, c = start(t, sandbox.Config{Merchant: m, IgnoreCertificateValidity: true})
	_, err = c.CreatePayment(context.Background(), ideal2.NewPayment(100, "", ""))
	require.NoError(t, err)
}

func TestConcurrentPaymentsKeepConsistentState(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	const n = 100
	ids := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := c.CreatePayment(ctx, ideal2.NewPayment(1000, "concurrent", ""))
			if err != nil {
				errs <- err
				return
			}
			ids[i] = p.CommonPaymentData.PaymentID
			choice := sim.Pay
			if i%2 == 1 {
				choice = sim.Cancel
			}
			if _, err := s.Complete(ctx, p.CommonPaymentData.PaymentID, choice); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	seen := map[string]bool{}
	for i, id := range ids {
		require.False(t, seen[id], "ids are unique")
		seen[id] = true
		st, err := c.GetPayment(ctx, id)
		require.NoError(t, err)
		want := ideal2.PaymentStatusSettlementCompleted
		if i%2 == 1 {
			want = ideal2.PaymentStatusCancelled
		}
		assert.Equal(t, want, st.CommonPaymentData.PaymentStatus)
		assert.Equal(t, want == ideal2.PaymentStatusSettlementCompleted, st.CommonPaymentData.DebtorInformation.Name != "")
	}
}

// A settled Fast Checkout payment reports the contact details and
// addresses its request asked for, and nothing else; an open payment's
// status links to where the customer pays.
func TestFastCheckoutReportsWhatItAskedFor(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	p := ideal2.NewPayment(2450, "Fast Checkout order", "fc-1")
	p.CommonPaymentData.Amount.AmountBreakdown = ideal2.AmountBreakdown{OrderAmount: money.DecimalString{Decimal: money.MustDecimal("20.50")}, ShippingCost: money.DecimalString{Decimal: money.MustDecimal("4.00")}}
	p.IDEALPayments.FlowType = ideal2.FlowTypeFastCheckout
	p.IDEALPayments.ExpectedCheckoutData = ideal2.ExpectedCheckoutData{
		DebtorContactDetails: ideal2.ExpectedContactDetails{Email: true, PhoneNumber: true},
		ShippingAddress:      true,
	}
	created, err := c.CreatePayment(ctx, p)
	require.NoError(t, err)

	open, err := c.GetPayment(ctx, created.CommonPaymentData.PaymentID)
	require.NoError(t, err)
	assert.Equal(t, created.Links.RedirectURL.Href, open.Links.RedirectURL.Href, "an open payment links to its page")
	assert.False(t, open.CommonPaymentData.ExpiryDateTimestamp.IsZero())

	_, err = s.Complete(ctx, created.CommonPaymentData.PaymentID, sim.Pay)
	require.NoError(t, err)
	st, err := c.GetPayment(ctx, created.CommonPaymentData.PaymentID)
	require.NoError(t, err)
	d := st.CommonPaymentData.DebtorInformation
	assert.Equal(t, ideal2.DebtorContactDetails{Email: sandbox.FastCheckoutContact.Email, PhoneNumber: sandbox.FastCheckoutContact.PhoneNumber}, d.ContactDetails)
	assert.Equal(t, sandbox.FastCheckoutAddress, d.ShippingAddress)
	assert.Zero(t, d.BillingAddress, "not asked for")
	assert.Zero(t, st.Links, "a settled payment has nowhere to send the customer")

	standard, err := c.CreatePayment(ctx, ideal2.NewPayment(100, "Standard", "std-1"))
	require.NoError(t, err)
	_, err = s.Complete(ctx, standard.CommonPaymentData.PaymentID, sim.Pay)
	require.NoError(t, err)
	st, err = c.GetPayment(ctx, standard.CommonPaymentData.PaymentID)
	require.NoError(t, err)
	assert.Zero(t, st.CommonPaymentData.DebtorInformation.ContactDetails, "a standard payment asks for nothing")
	assert.NotEmpty(t, st.CommonPaymentData.DebtorInformation.Name)
}
