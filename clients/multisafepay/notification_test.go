package multisafepay_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
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

	"github.com/betaalkit/betaalkit/clients/multisafepay"
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

func TestNotificationVectorsThroughHandler(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.name, func(t *testing.T) {
			var got *multisafepay.Notification
			calls := 0
			h := multisafepay.NotificationHandler(v.apiKey, func(_ context.Context, n *multisafepay.Notification) error {
				calls++
				got = n
				return nil
			}, multisafepay.WithClock(func() time.Time { return v.at.Add(time.Minute) }))

			w := post(h, v.body, v.header)
			assert.Equal(t, http.StatusOK, w.Code)
			assert.Equal(t, "OK", w.Body.String())
			require.Equal(t, 1, calls)
			assert.NotEmpty(t, *got.OrderID)
			assert.Positive(t, int64(got.Amount.Cents))

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
			stale := multisafepay.NotificationHandler(v.apiKey, func(context.Context, *multisafepay.Notification) error {
				t.Fatal("a stale notification reached fn")
				return nil
			}, multisafepay.WithClock(func() time.Time { return v.at.Add(11 * time.Minute) }))
			assert.Equal(t, http.StatusUnauthorized, post(stale, v.body, v.header).Code)

			// A wrong key or a missing header is refused too.
			assert.Equal(t, http.StatusUnauthorized, post(multisafepay.NotificationHandler(v.apiKey+"x", nil), v.body, v.header).Code)
			assert.Equal(t, http.StatusUnauthorized, post(h, v.body, "").Code)
		})
	}
}

func TestNotificationHandlerAnswersOKOnlyOnSuccess(t *testing.T) {
	const key = "website-key"
	now := time.Unix(1_700_000_000, 0)
	clock := multisafepay.WithClock(func() time.Time { return now })
	body := []byte(`{"order_id":"o-1","transaction_id":4680345,"status":"completed","amount":1000,"costs":[{"amount":0.49}]}`)
	auth := signing.SignMultiSafepayNotification(key, body, now)

	failing := multisafepay.NotificationHandler(key, func(context.Context, *multisafepay.Notification) error {
		return errors.New("database down")
	}, clock)
	w := post(failing, body, auth)
	assert.Equal(t, http.StatusInternalServerError, w.Code, "MultiSafepay must retry")
	assert.NotEqual(t, "OK", strings.TrimSpace(w.Body.String()))

	var seen *multisafepay.Notification
	ok := multisafepay.NotificationHandler(key, func(_ context.Context, n *multisafepay.Notification) error { seen = n; return nil }, clock)
	w = post(ok, body, auth)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "OK", w.Body.String())
	assert.Equal(t, "4680345", seen.TransactionID.String())
	assert.Equal(t, "0.49", (*seen.Costs)[0].Amount.String())

	// Signed but not an order.
	for _, b := range []string{`not json`, `{"status":"completed"}`} {
		w := post(ok, []byte(b), signing.SignMultiSafepayNotification(key, []byte(b), now))
		assert.Equal(t, http.StatusBadRequest, w.Code, b)
	}
	// GET notifications are not signed: refused.
	w = httptest.NewRecorder()
	ok.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/msp/notify?transactionid=o-1&timestamp=1", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
	assert.Equal(t, http.MethodPost, w.Header().Get("Allow"))

	// The client's handler uses the client's key.
	c, err := multisafepay.New(key)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, post(c.NotificationHandler(func(context.Context, *multisafepay.Notification) error { return nil }, clock), body, auth).Code)
	other, err := multisafepay.New("another-key")
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, post(other.NotificationHandler(func(context.Context, *multisafepay.Notification) error { return nil }, clock), body, auth).Code)

	// Tolerance is configurable.
	later := multisafepay.WithClock(func() time.Time { return now.Add(time.Hour) })
	_, err = c.ParseNotification(httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)), later)
	assert.ErrorIs(t, err, signing.ErrSignatureMismatch, "no Auth header")
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Auth", auth)
	_, err = c.ParseNotification(req, later)
	assert.ErrorIs(t, err, signing.ErrStale)
	req = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Auth", auth)
	_, err = c.ParseNotification(req, later, multisafepay.WithTolerance(2*time.Hour))
	assert.NoError(t, err)
}
