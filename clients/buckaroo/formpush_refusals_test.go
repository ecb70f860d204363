package buckaroo_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/internal/replaytest"
	"github.com/betaalkit/betaalkit/signing"
)

// A genuine form push does not verify with another secret key: neither
// through ParseFormPush nor through the handler, which refuses it with 401
// and never calls the shop.
func TestFormPushWithAnotherSecretIsRefused(t *testing.T) {
	form := formFixture(t, "form-push-ideal")
	_, err := gemClient(t).ParseFormPush(form)
	require.NoError(t, err, "the genuine push verifies with its own secret")

	wrong, err := buckaroo.New(gemWebsiteKey, "0000000000000000000000000000000000000000")
	require.NoError(t, err)
	_, err = wrong.ParseFormPush(form)
	assert.ErrorIs(t, err, signing.ErrSignatureMismatch)

	var rejections []betaalkit.WebhookRejection
	calls := 0
	h := wrong.WebhookHandler(func(context.Context, *buckaroo.Transaction) error { calls++; return nil },
		betaalkit.OnReject(func(_ *http.Request, r betaalkit.WebhookRejection) { rejections = append(rejections, r) }))
	r := httptest.NewRequest(http.MethodPost, "https://shop.example/push", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Zero(t, calls)
	require.Len(t, rejections, 1)
	assert.Equal(t, betaalkit.RejectSignature, rejections[0].Reason)
}

// Each tampered signed field is refused on its own, whatever field it is.
func TestFormPushEverySignedFieldIsCovered(t *testing.T) {
	c := gemClient(t)
	form := formFixture(t, "form-push-ideal")
	names := buckaroo.SignedFormFields(form)
	require.NotEmpty(t, names)
	for _, n := range names {
		tampered := url.Values{}
		for k, v := range form {
			tampered[k] = append([]string(nil), v...)
		}
		tampered.Set(n, form.Get(n)+"x")
		_, err := c.ParseFormPush(tampered)
		assert.ErrorIs(t, err, signing.ErrSignatureMismatch, "%s changed", n)
	}
}

// formReplayProvider delivers classic form pushes; the replay key is
// brq_transactions, brq_timestamp and brq_signature.
func formReplayProvider() replaytest.Provider {
	var n atomic.Int64
	post := func(body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "https://shop.example/push", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		return r
	}
	return replaytest.Provider{
		Name: "buckaroo",
		NewHandler: func(t *testing.T, logger *slog.Logger, fn func(context.Context) error, opts ...betaalkit.WebhookOption) http.Handler {
			c, err := buckaroo.New(gemWebsiteKey, gemSecret, buckaroo.WithLogger(logger))
			require.NoError(t, err)
			return c.WebhookHandler(func(ctx context.Context, tx *buckaroo.Transaction) error {
				require.NotEmpty(t, tx.Key)
				return fn(ctx)
			}, opts...)
		},
		Delivery: func(t *testing.T) func() *http.Request {
			i := n.Add(1)
			form := formFixture(t, "form-push-ideal")
			form.Set("brq_timestamp", fmt.Sprintf("2014-11-05 13:%02d:%02d", i/60%60, i%60))
			form.Set("brq_transactions", fmt.Sprintf("41C48B55FA9164E123CC73B1157459E840BE%04d", i))
			form.Set("brq_signature", buckaroo.FormSignature(form, gemSecret))
			body := form.Encode()
			return func() *http.Request { return post(body) }
		},
		Forge: func(t *testing.T, delivery func() *http.Request) *http.Request {
			// The same transaction, timestamp and signature over another amount.
			form, err := url.ParseQuery(string(replaytest.Drain(delivery().Body)))
			require.NoError(t, err)
			form.Set("brq_amount", "1000.00")
			return post(form.Encode())
		},
	}
}

// A form push delivered again is acknowledged without reaching the shop
// again, like a JSON push; a forgery with its replay key is refused.
func TestFormPushReplays(t *testing.T) { replaytest.Run(t, formReplayProvider()) }

// Two shop instances sharing a real Redis pass a duplicated form push on
// once; Redis stopped mid-run answers 503 and loses nothing.
func TestFormPushReplaysRedis(t *testing.T) { replaytest.RunRedis(t, formReplayProvider()) }
