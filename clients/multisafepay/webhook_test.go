package multisafepay_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/internal/syncbuf"
	"github.com/betaalkit/betaalkit/signing"
)

type vector struct {
	name   string
	apiKey string
	header string
	body   []byte
	at     time.Time
}

// loadVectors reads MultiSafepay's own notification vectors from the team's
// shared folder; a clone without it skips.
func loadVectors(t *testing.T) []vector {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "vectors", "multisafepay")
	data, err := os.ReadFile(filepath.Join(dir, "msp_hmac_vectors.json"))
	if err != nil {
		t.Skipf("MultiSafepay notification vectors not available (%v); they live in ../shared/vectors/multisafepay", err)
	}
	var raw map[string]struct {
		APIKey      string `json:"api_key"`
		AuthHeader  string `json:"auth_header"`
		PayloadFile string `json:"payload_file"`
	}
	require.NoError(t, json.Unmarshal(data, &raw))
	var out []vector
	for name, v := range raw {
		body, err := os.ReadFile(filepath.Join(dir, v.PayloadFile))
		require.NoError(t, err)
		out = append(out, vector{name: name, apiKey: v.APIKey, header: v.AuthHeader, body: body, at: signedAt(t, v.AuthHeader)})
	}
	require.Len(t, out, 2)
	return out
}

// signedAt reads the timestamp out of an Auth header: base64("<ts>:<hex>").
func signedAt(t *testing.T, header string) time.Time {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(header)
	require.NoError(t, err)
	ts, _, _ := strings.Cut(string(raw), ":")
	secs, err := strconv.ParseInt(ts, 10, 64)
	require.NoError(t, err)
	return time.Unix(secs, 0)
}

func post(h http.Handler, body []byte, auth string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/msp/notify", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Auth", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func newClient(t *testing.T, key string, opts ...multisafepay.Option) *multisafepay.Client {
	t.Helper()
	c, err := multisafepay.New(key, opts...)
	require.NoError(t, err)
	return c
}

// quiet keeps the handlers' refusal lines out of the test output.
var quiet = multisafepay.WithLogger(slog.New(slog.DiscardHandler))

func TestNotificationVectorsThroughHandler(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.name, func(t *testing.T) {
			c := newClient(t, v.apiKey, quiet)
			var got *multisafepay.Order
			calls := 0
			h := c.WebhookHandler(func(_ context.Context, o *multisafepay.Order) error {
				calls++
				got = o
				return nil
			}, betaalkit.WebhookClock(func() time.Time { return v.at.Add(time.Minute) }))

			w := post(h, v.body, v.header)
			assert.Equal(t, http.StatusOK, w.Code)
			assert.Equal(t, "OK", w.Body.String())
			require.Equal(t, 1, calls)
			assert.NotEmpty(t, got.OrderID)
			amount, err := multisafepay.AmountOf(got)
			require.NoError(t, err)
			assert.Positive(t, int64(amount))

			// Every single-byte change of the body is refused before fn runs.
			for i := range v.body {
				changed := bytes.Clone(v.body)
				changed[i] ^= 0x01
				if w := post(h, changed, v.header); w.Code != http.StatusUnauthorized {
					t.Fatalf("body byte %d changed: got HTTP %d", i, w.Code)
				}
			}
			// And every single-byte change of the Auth header.
			for i := range v.header {
				changed := []byte(v.header)
				changed[i] ^= 0x01
				if w := post(h, v.body, string(changed)); w.Code != http.StatusUnauthorized {
					t.Fatalf("header byte %d changed: got HTTP %d", i, w.Code)
				}
			}
			assert.Equal(t, 1, calls, "fn never sees a tampered notification")

			// Stale: the same notification eleven minutes later.
			stale := c.WebhookHandler(func(context.Context, *multisafepay.Order) error {
				t.Fatal("a stale notification reached fn")
				return nil
			}, betaalkit.WebhookClock(func() time.Time { return v.at.Add(11 * time.Minute) }))
			assert.Equal(t, http.StatusUnauthorized, post(stale, v.body, v.header).Code)

			// A wrong key or a missing header is refused too.
			other := newClient(t, v.apiKey+"x", quiet)
			assert.Equal(t, http.StatusUnauthorized, post(other.WebhookHandler(nil), v.body, v.header).Code)
			assert.Equal(t, http.StatusUnauthorized, post(h, v.body, "").Code)
		})
	}
}

// Every refusal answers its status and reason class, logs one Warn line
// through the client's logger and reaches OnReject once; a success answers
// 200 "OK" and reaches neither.
func TestWebhookRefusalsAreNeverSilent(t *testing.T) {
	const key = "website-key"
	now := time.Unix(1_700_000_000, 0)
	body := []byte(`{"order_id":"o-1","transaction_id":4680345,"status":"completed","amount":1000}`)
	signed := func(b []byte) string { return signing.SignMultiSafepayNotification(key, b, now) }
	notAnOrder := []byte(`{"status":"completed"}`)
	for _, tc := range []struct {
		name   string
		method string
		body   []byte
		auth   string
		fail   bool
		reason betaalkit.RejectReason
		status int
		logs   string // part of the logged error
	}{
		{"GET, MultiSafepay's default", http.MethodGet, nil, "", false, betaalkit.RejectMethod, http.StatusMethodNotAllowed, "set payment_options.notification_method to POST"},
		{"no Auth header", http.MethodPost, body, "", false, betaalkit.RejectSignature, http.StatusUnauthorized, "signature does not match"},
		{"another key", http.MethodPost, body, signing.SignMultiSafepayNotification("another-key", body, now), false, betaalkit.RejectSignature, http.StatusUnauthorized, "signature does not match"},
		{"body changed after signing", http.MethodPost, bytes.Replace(body, []byte(`"amount":1000`), []byte(`"amount":1`), 1), signed(body), false, betaalkit.RejectSignature, http.StatusUnauthorized, "signature does not match"},
		{"stale", http.MethodPost, body, signing.SignMultiSafepayNotification(key, body, now.Add(-time.Hour)), false, betaalkit.RejectStale, http.StatusUnauthorized, "timestamp outside"},
		{"signed, not an order", http.MethodPost, notAnOrder, signed(notAnOrder), false, betaalkit.RejectBody, http.StatusBadRequest, "no order_id"},
		{"signed, not JSON", http.MethodPost, []byte("not json"), signed([]byte("not json")), false, betaalkit.RejectBody, http.StatusBadRequest, "not an order"},
		{"too large", http.MethodPost, bytes.Repeat([]byte(" "), apiclient.MaxWebhookBody+1), "", false, betaalkit.RejectBody, http.StatusBadRequest, "larger than"},
		{"shop fails", http.MethodPost, body, signed(body), true, betaalkit.RejectHandler, http.StatusInternalServerError, "database down"},
		{"accepted", http.MethodPost, body, signed(body), false, "", http.StatusOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs syncbuf.Buffer
			c := newClient(t, key, multisafepay.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
			var rejections []betaalkit.WebhookRejection
			calls := 0
			h := c.WebhookHandler(func(_ context.Context, o *multisafepay.Order) error {
				calls++
				assert.Equal(t, "o-1", o.OrderID.String())
				if tc.fail {
					return errors.New("database down")
				}
				return nil
			}, betaalkit.WebhookClock(func() time.Time { return now }),
				betaalkit.OnReject(func(_ *http.Request, r betaalkit.WebhookRejection) { rejections = append(rejections, r) }))

			req := httptest.NewRequest(tc.method, "/msp/notify?transactionid=o-1&timestamp=1", bytes.NewReader(tc.body))
			if tc.auth != "" {
				req.Header.Set("Auth", tc.auth)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			assert.Equal(t, tc.status, w.Code)

			if tc.reason == "" {
				assert.Equal(t, "OK", w.Body.String())
				assert.Equal(t, 1, calls)
				assert.Empty(t, rejections)
				assert.Empty(t, logs.String())
				return
			}
			assert.Equal(t, "webhook rejected: "+string(tc.reason)+"\n", w.Body.String(), "the answer names the reason class only")
			require.Len(t, rejections, 1)
			assert.Equal(t, betaalkit.WebhookRejection{Provider: "multisafepay", Reason: tc.reason, HTTPStatus: tc.status, Err: rejections[0].Err}, rejections[0])
			assert.ErrorContains(t, rejections[0].Err, tc.logs)
			var line struct {
				Level, Msg, Provider, Reason, Error string
				Status                              int
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			require.Len(t, lines, 1, logs.String())
			require.NoError(t, json.Unmarshal([]byte(lines[0]), &line))
			assert.Equal(t, "WARN", line.Level)
			assert.Equal(t, "multisafepay", line.Provider)
			assert.Equal(t, string(tc.reason), line.Reason)
			assert.Equal(t, tc.status, line.Status)
			assert.Contains(t, line.Error, tc.logs)
			assert.NotContains(t, logs.String(), key, "the key never reaches the log")
			if !tc.fail {
				assert.Zero(t, calls, "fn is not called for a refused delivery")
			}
			if tc.reason == betaalkit.RejectMethod {
				assert.Equal(t, http.MethodPost, w.Header().Get("Allow"))
			}
		})
	}
}

func TestWebhookHandlerAnswersOKOnlyOnSuccess(t *testing.T) {
	const key = "website-key"
	now := time.Unix(1_700_000_000, 0)
	clock := betaalkit.WebhookClock(func() time.Time { return now })
	body := []byte(`{"order_id":"o-1","transaction_id":4680345,"status":"completed","amount":1000,"costs":[{"amount":0.49}]}`)
	auth := signing.SignMultiSafepayNotification(key, body, now)
	c := newClient(t, key, quiet)

	failing := c.WebhookHandler(func(context.Context, *multisafepay.Order) error { return errors.New("database down") }, clock)
	w := post(failing, body, auth)
	assert.Equal(t, http.StatusInternalServerError, w.Code, "MultiSafepay must retry")
	assert.NotEqual(t, "OK", strings.TrimSpace(w.Body.String()))

	var seen *multisafepay.Order
	ok := c.WebhookHandler(func(_ context.Context, o *multisafepay.Order) error { seen = o; return nil }, clock)
	w = post(ok, body, auth)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "OK", w.Body.String())
	assert.Equal(t, "4680345", seen.TransactionID.String())
	assert.Equal(t, "0.49", seen.Costs[0].Amount.String())
	assert.True(t, multisafepay.StatusOf(seen).IsPaid())

	// Another client's key does not verify.
	other := newClient(t, "another-key", quiet)
	assert.Equal(t, http.StatusUnauthorized, post(other.WebhookHandler(func(context.Context, *multisafepay.Order) error { return nil }, clock), body, auth).Code)
}

func TestParseNotification(t *testing.T) {
	const key = "website-key"
	now := time.Unix(1_700_000_000, 0)
	body := []byte(`{"order_id":"o-1","status":"completed","amount":1000}`)
	auth := signing.SignMultiSafepayNotification(key, body, now)
	c := newClient(t, key)
	request := func(method, auth string) *http.Request {
		req := httptest.NewRequest(method, "/", bytes.NewReader(body))
		if auth != "" {
			req.Header.Set("Auth", auth)
		}
		return req
	}
	later := betaalkit.WebhookClock(func() time.Time { return now.Add(time.Hour) })

	_, err := c.ParseNotification(request(http.MethodPost, ""), later)
	assert.ErrorIs(t, err, signing.ErrSignatureMismatch, "no Auth header")
	assert.ErrorIs(t, err, betaalkit.ErrVerification)
	_, err = c.ParseNotification(request(http.MethodPost, auth), later)
	assert.ErrorIs(t, err, signing.ErrStale)
	o, err := c.ParseNotification(request(http.MethodPost, auth), later, betaalkit.WebhookTolerance(2*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, "o-1", o.OrderID.String())
	_, err = c.ParseNotification(request(http.MethodGet, auth))
	assert.ErrorIs(t, err, multisafepay.ErrNotificationMethod)
}
