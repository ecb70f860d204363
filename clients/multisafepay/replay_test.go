package multisafepay_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/internal/replaytest"
	"github.com/betaalkit/betaalkit/signing"
)

// replayProvider signs notifications like MultiSafepay. Its scheme has no
// nonce: the replay key is the signed timestamp and the body's SHA-256.
func replayProvider() replaytest.Provider {
	const key = "website-key"
	now := time.Unix(1_700_000_000, 0)
	var orders atomic.Int32
	return replaytest.Provider{
		Name: "multisafepay",
		NewHandler: func(t *testing.T, logger *slog.Logger, fn func(context.Context) error, opts ...betaalkit.WebhookOption) http.Handler {
			c := newClient(t, key, multisafepay.WithLogger(logger))
			base := []betaalkit.WebhookOption{betaalkit.WebhookClock(func() time.Time { return now.Add(time.Minute) })}
			return c.WebhookHandler(func(ctx context.Context, o *multisafepay.Order) error {
				require.NotEmpty(t, o.OrderID)
				return fn(ctx)
			}, append(base, opts...)...)
		},
		Delivery: func(t *testing.T) func() *http.Request {
			body := fmt.Appendf(nil, `{"order_id":"o-%d","status":"completed","amount":1000}`, orders.Add(1))
			auth := signing.SignMultiSafepayNotification(key, body, now)
			return func() *http.Request {
				r := httptest.NewRequest(http.MethodPost, "/msp/notify", bytes.NewReader(body))
				r.Header.Set("Auth", auth)
				return r
			}
		},
		Forge: func(t *testing.T, delivery func() *http.Request) *http.Request {
			// The same timestamp and body, signed with another key.
			r := delivery()
			body := replaytest.Drain(r.Body)
			forged := httptest.NewRequest(http.MethodPost, "/msp/notify", bytes.NewReader(body))
			forged.Header.Set("Auth", signing.SignMultiSafepayNotification("another-key", body, now))
			return forged
		},
	}
}

// The same notification delivered twice inside the tolerance reaches the
// shop once (it was passed on twice before); the shop's failure lets
// MultiSafepay's retry through; a replay store that cannot be checked
// answers 503.
func TestWebhookHandlerReplays(t *testing.T) { replaytest.Run(t, replayProvider()) }

// Two shop instances sharing a real Redis pass a duplicated notification
// on once; Redis stopped mid-run answers 503 and loses nothing.
func TestWebhookHandlerReplaysRedis(t *testing.T) { replaytest.RunRedis(t, replayProvider()) }

// Another timestamp or another body is another notification: MultiSafepay
// signs each notification it sends anew.
func TestWebhookHandlerReplayKey(t *testing.T) {
	const key = "website-key"
	now := time.Unix(1_700_000_000, 0)
	calls := 0
	c := newClient(t, key, quiet)
	h := c.WebhookHandler(func(context.Context, *multisafepay.Order) error { calls++; return nil },
		betaalkit.WebhookClock(func() time.Time { return now }))
	body := []byte(`{"order_id":"o-1","status":"completed"}`)
	for _, tc := range []struct {
		body  []byte
		at    time.Time
		calls int
	}{
		{body, now, 1},
		{body, now, 1},                   // the same: a duplicate
		{body, now.Add(time.Second), 2},  // signed a second later: new
		{append(body, ' '), now, 3},      // another body: new
		{append(body, ' '), now, 3},      // its duplicate
		{body, now.Add(-time.Second), 4}, // signed earlier: new
	} {
		w := post(h, tc.body, signing.SignMultiSafepayNotification(key, tc.body, tc.at))
		require.Equal(t, http.StatusOK, w.Code)
		require.Equal(t, tc.calls, calls)
	}
}
