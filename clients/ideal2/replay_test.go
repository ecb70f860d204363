package ideal2_test

import (
	"context"
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
	"github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/internal/replaytest"
	"github.com/betaalkit/betaalkit/signing"
)

// replayProvider signs notifications like the routing service; the replay
// key is what the signature covers: X-Request-ID, MessageCreateDateTime and
// Digest.
func replayProvider(t *testing.T) replaytest.Provider {
	cfg := newRoutingService(t).config()
	var payments atomic.Int32
	return replaytest.Provider{
		Name: "ideal2",
		NewHandler: func(t *testing.T, logger *slog.Logger, fn func(context.Context) error, opts ...betaalkit.WebhookOption) http.Handler {
			cfg := cfg
			cfg.Logger = logger
			c, err := ideal2.New(cfg)
			require.NoError(t, err)
			return c.WebhookHandler(func(ctx context.Context, st *ideal2.PaymentStatusResponse) error {
				require.NotEmpty(t, st.CommonPaymentData.PaymentID)
				return fn(ctx)
			}, opts...)
		},
		Delivery: func(t *testing.T) func() *http.Request {
			body := statusBody(strings.Repeat("1", int(payments.Add(1))), "SettlementCompleted")
			h := signedNotification(t, body, time.Now())
			return func() *http.Request { return notificationRequest(h, body) }
		},
		Forge: func(t *testing.T, delivery func() *http.Request) *http.Request {
			// The same signed headers over another body.
			r := delivery()
			body := strings.Replace(string(replaytest.Drain(r.Body)), "SettlementCompleted", "Cancelled", 1)
			return notificationRequest(r.Header, body)
		},
	}
}

func notificationRequest(h http.Header, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/ideal2/notify", strings.NewReader(body))
	for k, v := range h {
		r.Header[k] = append([]string(nil), v...)
	}
	return r
}

// The same notification delivered twice inside the tolerance reaches the
// shop once (it was refused with 401 before, now acknowledged); the
// shop's failure lets the routing service's retry through; a replay store
// that cannot be checked answers 503.
func TestWebhookHandlerReplays(t *testing.T) { replaytest.Run(t, replayProvider(t)) }

// Two shop instances sharing a real Redis pass a duplicated notification
// on once; Redis stopped mid-run answers 503 and loses nothing.
func TestWebhookHandlerReplaysRedis(t *testing.T) { replaytest.RunRedis(t, replayProvider(t)) }

// signNotificationOver signs like the routing service but covers only
// names (lower case), so a test can leave X-Request-ID unsigned.
func signNotificationOver(t *testing.T, names []string, requestID, body string, at time.Time) http.Header {
	t.Helper()
	_, server := testKeys()
	h := http.Header{"Content-Type": {"application/json"}}
	h.Set("X-Request-ID", requestID)
	h.Set("MessageCreateDateTime", at.UTC().Format(signing.IDEAL2TimeFormat))
	h.Set("Digest", signing.IDEAL2Digest([]byte(body)))
	ss, err := signing.IDEAL2SigningString(names, "", "", h)
	require.NoError(t, err)
	sig, err := signing.IDEAL2Sign(server.key, ss)
	require.NoError(t, err)
	h.Set("Signature", signing.IDEAL2SignatureParams{KeyID: strings.ToUpper(signing.IDEAL2KeyID(server.cert)), // as signResponseAt
		Algorithm: "rsa-sha256", Headers: names, Signature: sig}.String())
	return h
}

// The key is made only of what the signature covers: a signed X-Request-ID
// tells two notifications of one moment and body apart, an unsigned one
// (which a replayer could change) does not.
func TestWebhookHandlerReplayKeyIsWhatIsSigned(t *testing.T) {
	wr := newWebhookRecorder(t, newRoutingService(t).config())
	body := statusBody("143374", "SettlementCompleted")
	at := time.Now()
	serve := func(h http.Header) int {
		w := httptest.NewRecorder()
		wr.handler.ServeHTTP(w, notificationRequest(h, body))
		return w.Code
	}
	withID := []string{"x-request-id", "messagecreatedatetime", "digest"}
	assert.Equal(t, http.StatusOK, serve(signNotificationOver(t, withID, "req-1", body, at)))
	assert.Equal(t, http.StatusOK, serve(signNotificationOver(t, withID, "req-1", body, at)), "the same, signed again")
	assert.Equal(t, http.StatusOK, serve(signNotificationOver(t, withID, "req-2", body, at)), "another signed request id")
	assert.Len(t, wr.got, 2)

	withoutID := []string{"messagecreatedatetime", "digest"}
	later := at.Add(time.Second)
	h := signNotificationOver(t, withoutID, "req-3", body, later)
	assert.Equal(t, http.StatusOK, serve(h))
	h.Set("X-Request-ID", "req-4") // unsigned: a replayer may change it
	assert.Equal(t, http.StatusOK, serve(h))
	h.Add("X-Request-ID", "req-5")
	assert.Equal(t, http.StatusOK, serve(h))
	assert.Len(t, wr.got, 3, "an unsigned X-Request-ID makes no new notification")
	assert.Empty(t, wr.rejected)
}
