package multisafepay_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	sandbox "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// TestUnacknowledgedNotificationsAreRetried: MultiSafepay wants 200 with
// "OK" in the body; a shop that answers 200 without it is retried on the
// documented schedule (compressed here), each time with a new timestamp,
// and the dashboard shows every attempt — and no IBAN.
func TestUnacknowledgedNotificationsAreRetried(t *testing.T) {
	var hits atomic.Int32
	var stamps []string
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stamps = append(stamps, r.URL.Query().Get("timestamp"))
		if hits.Add(1) == 1 {
			_, _ = io.WriteString(w, "received") // 200, but not MultiSafepay's acknowledgement
			return
		}
		_, _ = io.WriteString(w, "OK")
	}))
	defer shop.Close()
	now := time.Now()
	clock := atomic.Int64{}
	clock.Store(now.Unix())
	ts, s, c := start(t, sandbox.Config{Now: func() time.Time { return time.Unix(clock.Add(60), 0) }})
	assert.Equal(t, sandbox.WebhookRetries, s.Webhooks().Schedule())
	s.Webhooks().ScaleDelays(0.0001) // 15 minutes: 90 ms
	defer s.Webhooks().Close()

	in := redirectOrder(shop.URL, 1000)
	_, err := c.CreatePayment(context.Background(), in)
	require.NoError(t, err)
	_, err = s.Complete(context.Background(), in.OrderID, sim.Pay)
	require.ErrorIs(t, err, sandbox.ErrNotification, "the first attempt was not acknowledged")
	require.Eventually(t, func() bool { return hits.Load() == 2 }, 5*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool { return s.Webhooks().Pending() == 0 }, 5*time.Second, 10*time.Millisecond)
	assert.NotEqual(t, stamps[0], stamps[1], "a retry carries a new timestamp")

	resp, err := http.Get(ts.URL + "/sandbox/payments/multisafepay/" + in.OrderID)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(page), "attempt 1 of 5")
	assert.Contains(t, string(page), "acknowledgement the provider wants")
	assert.Contains(t, string(page), "attempt 2 of 5")
	assert.Contains(t, string(page), "delivered (HTTP 200)")
	assert.Contains(t, string(page), "Auth: ", "the signature header is listed")
	assert.Positive(t, strings.Count(string(page), "account_iban"), "the field is in the notification's body…")
	assert.NotContains(t, string(page), "NL87ABNA0000000001", "…its IBAN redacted")
}
