package buckaroo_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/internal/replaytest"
)

// replayProvider signs pushes like Buckaroo; the replay key is the nonce.
func replayProvider() replaytest.Provider {
	return replaytest.Provider{
		Name: "buckaroo",
		NewHandler: func(t *testing.T, logger *slog.Logger, fn func(context.Context) error, opts ...betaalkit.WebhookOption) http.Handler {
			c, err := buckaroo.New(websiteKey, secretKey, buckaroo.WithLogger(logger))
			require.NoError(t, err)
			base := []betaalkit.WebhookOption{
				betaalkit.WebhookURL(pushURL),
				betaalkit.WebhookClock(func() time.Time { return pushTime.Add(time.Minute) }),
			}
			return c.WebhookHandler(func(ctx context.Context, tx *buckaroo.Transaction) error {
				require.NotEmpty(t, tx.Key)
				return fn(ctx)
			}, append(base, opts...)...)
		},
		Delivery: func(t *testing.T) func() *http.Request {
			body := mustFixture(t, "payininstallments-push").Request.BodyBytes()
			auth := signPush(t, body) // a nonce of its own
			return func() *http.Request {
				r := httptest.NewRequest(http.MethodPost, pushURL, bytes.NewReader(body))
				r.Header.Set("Authorization", auth)
				return r
			}
		},
		Forge: func(t *testing.T, delivery func() *http.Request) *http.Request {
			// The same nonce and timestamp over another body.
			r := delivery()
			body := strings.Replace(string(replaytest.Drain(r.Body)), `"Code": 190`, `"Code": 191`, 1)
			forged := httptest.NewRequest(http.MethodPost, pushURL, strings.NewReader(body))
			forged.Header.Set("Authorization", r.Header.Get("Authorization"))
			return forged
		},
	}
}

// A push delivered again is acknowledged without reaching the shop again;
// the shop's failure lets Buckaroo's retry through; a replay store that
// cannot be checked answers 503.
func TestWebhookHandlerReplays(t *testing.T) { replaytest.Run(t, replayProvider()) }

// Two shop instances sharing a real Redis pass a duplicated push on once;
// Redis stopped mid-run answers 503 and loses nothing.
func TestWebhookHandlerReplaysRedis(t *testing.T) { replaytest.RunRedis(t, replayProvider()) }
