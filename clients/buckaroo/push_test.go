package buckaroo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/internal/syncbuf"
	"github.com/betaalkit/betaalkit/signing"
)

const pushURL = "https://shop.example/buckaroo/push"

var pushTime = time.Date(2018, 2, 23, 11, 19, 14, 0, time.UTC)

var pushNonce int

// signPushFor signs like Buckaroo, over url at a moment, with a fresh nonce.
func signPushFor(t *testing.T, url string, at time.Time, body []byte) string {
	t.Helper()
	pushNonce++
	h, err := signing.BuckarooAuthorization(websiteKey, secretKey, http.MethodPost, url, fmt.Sprintf("%016x", pushNonce), at.Unix(), body)
	require.NoError(t, err)
	return h
}

func signPush(t *testing.T, body []byte) string { return signPushFor(t, pushURL, pushTime, body) }

func pushClient(t *testing.T, now time.Time) *buckaroo.Client {
	t.Helper()
	c, err := buckaroo.New(websiteKey, secretKey, buckaroo.WithSigningOptions(signing.BuckarooClock(func() time.Time { return now })))
	require.NoError(t, err)
	return c
}

// hookRig is a WebhookHandler with its log, its rejections and the
// transactions its function received.
type hookRig struct {
	h          http.Handler
	logs       *syncbuf.Buffer
	rejections []betaalkit.WebhookRejection
	got        []*buckaroo.Transaction
	fail       error // what the shop's function returns
}

// newHookRig builds a handler for pushURL whose clock reads a minute after
// pushTime; opts come after those and may override them.
func newHookRig(t *testing.T, opts ...betaalkit.WebhookOption) *hookRig {
	t.Helper()
	rig := &hookRig{logs: &syncbuf.Buffer{}}
	c, err := buckaroo.New(websiteKey, secretKey, buckaroo.WithLogger(slog.New(slog.NewTextHandler(rig.logs, nil))))
	require.NoError(t, err)
	base := []betaalkit.WebhookOption{
		betaalkit.WebhookURL(pushURL),
		betaalkit.WebhookClock(func() time.Time { return pushTime.Add(time.Minute) }),
		betaalkit.OnReject(func(_ *http.Request, r betaalkit.WebhookRejection) { rig.rejections = append(rig.rejections, r) }),
	}
	rig.h = c.WebhookHandler(func(_ context.Context, tx *buckaroo.Transaction) error {
		rig.got = append(rig.got, tx)
		return rig.fail
	}, append(base, opts...)...)
	return rig
}

func (rig *hookRig) send(method, target string, body []byte, auth string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	rig.h.ServeHTTP(w, r)
	return w
}

// warnLines are the log's Warn lines.
func (rig *hookRig) warnLines() []string {
	var out []string
	for _, l := range strings.Split(rig.logs.String(), "\n") {
		if strings.Contains(l, "level=WARN") {
			out = append(out, l)
		}
	}
	return out
}

// Each refusal answers its status with only the reason class, logs one
// Warn line through the client's logger and calls OnReject once; a
// success answers 200 "OK".
func TestWebhookHandlerRefusals(t *testing.T) {
	body := mustFixture(t, "payininstallments-push").Request.BodyBytes()
	notPush := []byte(`{"Key":"x"}`)
	tampered := bytes.Replace(body, []byte(`"Code": 190`), []byte(`"Code": 191`), 1)
	require.NotEqual(t, body, tampered)

	for _, tc := range []struct {
		name   string
		reason betaalkit.RejectReason
		status int
		send   func(t *testing.T, rig *hookRig) *httptest.ResponseRecorder
		inLog  string
	}{
		{"GET", betaalkit.RejectMethod, 405, func(t *testing.T, rig *hookRig) *httptest.ResponseRecorder {
			return rig.send(http.MethodGet, pushURL, nil, "")
		}, "got GET"},
		{"not a push", betaalkit.RejectBody, 400, func(t *testing.T, rig *hookRig) *httptest.ResponseRecorder {
			return rig.send(http.MethodPost, pushURL, notPush, signPush(t, notPush))
		}, "not a Buckaroo push"},
		{"too large", betaalkit.RejectBody, 400, func(t *testing.T, rig *hookRig) *httptest.ResponseRecorder {
			return rig.send(http.MethodPost, pushURL, make([]byte, 1<<20+1), "")
		}, "larger than"},
		{"tampered", betaalkit.RejectSignature, 401, func(t *testing.T, rig *hookRig) *httptest.ResponseRecorder {
			return rig.send(http.MethodPost, pushURL, tampered, signPush(t, body))
		}, "checked against push URL " + pushURL},
		{"unsigned", betaalkit.RejectSignature, 401, func(t *testing.T, rig *hookRig) *httptest.ResponseRecorder {
			return rig.send(http.MethodPost, pushURL, body, "")
		}, "Authorization header"},
		{"stale", betaalkit.RejectStale, 401, func(t *testing.T, rig *hookRig) *httptest.ResponseRecorder {
			return rig.send(http.MethodPost, pushURL, body, signPushFor(t, pushURL, pushTime.Add(-time.Hour), body))
		}, "outside the accepted tolerance"},
		{"handler", betaalkit.RejectHandler, 500, func(t *testing.T, rig *hookRig) *httptest.ResponseRecorder {
			rig.fail = errors.New("shop database down")
			w := rig.send(http.MethodPost, pushURL, body, signPush(t, body))
			rig.got = nil
			return w
		}, "shop database down"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rig := newHookRig(t)
			w := tc.send(t, rig)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, "webhook rejected: "+string(tc.reason)+"\n", w.Body.String())
			require.Len(t, rig.rejections, 1)
			assert.Equal(t, tc.reason, rig.rejections[0].Reason)
			assert.Equal(t, "buckaroo", rig.rejections[0].Provider)
			assert.Equal(t, tc.status, rig.rejections[0].HTTPStatus)
			lines := rig.warnLines()
			require.Len(t, lines, 1)
			assert.Contains(t, lines[0], "reason="+string(tc.reason))
			assert.Contains(t, lines[0], "provider=buckaroo")
			assert.Contains(t, lines[0], tc.inLog)
			assert.NotContains(t, rig.logs.String(), secretKey)
			assert.Empty(t, rig.got, "the shop's function saw no refused push")
		})
	}

	t.Run("success", func(t *testing.T) {
		rig := newHookRig(t)
		w := rig.send(http.MethodPost, pushURL, body, signPush(t, body))
		assert.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "OK", w.Body.String())
		require.Len(t, rig.got, 1)
		assert.Equal(t, "B3E81DCB894A43619AD8CCE5A10F5xxx", rig.got[0].Key)
		assert.Equal(t, betaalkit.PaymentStatus{Status: betaalkit.StatusPaid, Raw: "190"}, buckaroo.StatusOf(rig.got[0]))
		assert.Equal(t, "S990", buckaroo.SubCodeOf(rig.got[0]))
		assert.Empty(t, rig.rejections)
		assert.Empty(t, rig.warnLines())
	})
}

// Without WebhookURL the push URL is rebuilt from the request; a push
// signed for another host (127.0.0.1 where the shop serves localhost) is
// refused, and the log names the URL it was checked against, never the
// signature that would have matched.
func TestWebhookURLRebuiltFromRequest(t *testing.T) {
	body := mustFixture(t, "payininstallments-push").Request.BodyBytes()
	const served = "http://localhost:8080/buckaroo/push?shop=1"
	rig := newHookRig(t, betaalkit.WebhookURL(""))

	auth := signPushFor(t, "http://127.0.0.1:8080/buckaroo/push?shop=1", pushTime, body)
	w := rig.send(http.MethodPost, served, body, auth)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	require.Len(t, rig.rejections, 1)
	assert.Equal(t, betaalkit.RejectSignature, rig.rejections[0].Reason)
	assert.ErrorContains(t, rig.rejections[0].Err, "checked against push URL "+served)
	assert.ErrorIs(t, rig.rejections[0].Err, signing.ErrSignatureMismatch)
	h, err := signing.ParseBuckarooHeader(auth)
	require.NoError(t, err)
	want, err := signing.BuckarooAuthorization(websiteKey, secretKey, http.MethodPost, served, h.Nonce, pushTime.Unix(), body)
	require.NoError(t, err)
	expected := strings.Split(want, ":")[1]
	assert.NotContains(t, rig.logs.String(), expected, "the expected signature never leaks")
	assert.NotContains(t, w.Body.String(), expected)

	// Signed for the URL the request shows, it is accepted.
	assert.Equal(t, http.StatusOK, rig.send(http.MethodPost, served, body, signPushFor(t, served, pushTime, body)).Code)

	// Behind a TLS-terminating proxy, X-Forwarded-Proto makes it https.
	r := httptest.NewRequest(http.MethodPost, served, bytes.NewReader(body))
	r.Header.Set("X-Forwarded-Proto", "https")
	r.Header.Set("Authorization", signPushFor(t, "https://localhost:8080/buckaroo/push?shop=1", pushTime, body))
	rec := httptest.NewRecorder()
	rig.h.ServeHTTP(rec, r)
	assert.Equal(t, http.StatusOK, rec.Code)
}

// WebhookClock and WebhookTolerance set the push's freshness check.
func TestWebhookClockAndTolerance(t *testing.T) {
	body := mustFixture(t, "refund-push").Request.BodyBytes()
	later := betaalkit.WebhookClock(func() time.Time { return pushTime.Add(time.Hour) })

	rig := newHookRig(t, later)
	assert.Equal(t, http.StatusUnauthorized, rig.send(http.MethodPost, pushURL, body, signPush(t, body)).Code)
	require.Len(t, rig.rejections, 1)
	assert.Equal(t, betaalkit.RejectStale, rig.rejections[0].Reason)

	rig = newHookRig(t, later, betaalkit.WebhookTolerance(2*time.Hour))
	assert.Equal(t, http.StatusOK, rig.send(http.MethodPost, pushURL, body, signPush(t, body)).Code)
	require.Len(t, rig.got, 1)
	amount, err := buckaroo.AmountOf(rig.got[0])
	require.NoError(t, err)
	assert.EqualValues(t, 30, amount)
}

// A captured push sent again is acknowledged without reaching the shop
// again, but a push the shop failed to process may come again (Buckaroo's
// retry).
func TestWebhookHandlerAcknowledgesReplays(t *testing.T) {
	body := mustFixture(t, "payininstallments-push").Request.BodyBytes()
	rig := newHookRig(t)
	rig.fail = errors.New("db down")
	auth := signPush(t, body)
	assert.Equal(t, http.StatusInternalServerError, rig.send(http.MethodPost, pushURL, body, auth).Code)
	rig.fail = nil
	assert.Equal(t, http.StatusOK, rig.send(http.MethodPost, pushURL, body, auth).Code, "the retry of an unprocessed push is accepted")
	w := rig.send(http.MethodPost, pushURL, body, auth)
	assert.Equal(t, http.StatusOK, w.Code, "the same push once more is acknowledged")
	assert.Equal(t, "OK", w.Body.String())
	assert.Len(t, rig.got, 2, "but not passed on again")
	require.Len(t, rig.rejections, 1)
	assert.Equal(t, betaalkit.RejectHandler, rig.rejections[0].Reason)
	assert.Contains(t, rig.logs.String(), `level=INFO msg="webhook delivery seen before: acknowledged, not passed on again" provider=buckaroo`)
}

func TestParsePushRejectsStaleAndEveryByteChange(t *testing.T) {
	body := mustFixture(t, "refund-push").Request.BodyBytes()
	header := signPush(t, body)

	tx, err := pushClient(t, pushTime).ParsePush(pushURL, body, header)
	require.NoError(t, err)
	assert.Equal(t, "0.3", tx.AmountCredit.String())

	_, err = pushClient(t, pushTime.Add(time.Hour)).ParsePush(pushURL, body, header)
	assert.ErrorIs(t, err, signing.ErrStale)

	c := pushClient(t, pushTime)
	for i := range body {
		changed := bytes.Clone(body)
		changed[i] ^= 0x01
		_, err := c.ParsePush(pushURL, changed, header)
		require.ErrorIs(t, err, signing.ErrSignatureMismatch, "body byte %d", i)
	}
	for i := range len(header) {
		changed := []byte(header)
		changed[i] ^= 0x01
		_, err := c.ParsePush(pushURL, body, string(changed))
		require.Error(t, err, "header byte %d", i)
	}
	_, err = c.ParsePush(strings.TrimSuffix(pushURL, "push")+"push/", body, header)
	assert.ErrorIs(t, err, signing.ErrSignatureMismatch, "a trailing slash is another URL")
}
