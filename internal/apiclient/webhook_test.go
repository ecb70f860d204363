package apiclient_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/internal/syncbuf"
)

func TestReplayKey(t *testing.T) {
	k := apiclient.ReplayKey("buckaroo", []byte("ab"), []byte("c"))
	assert.Regexp(t, `^buckaroo:[0-9a-f]{64}$`, k)
	assert.Equal(t, k, apiclient.ReplayKey("buckaroo", []byte("ab"), []byte("c")))
	for _, other := range []string{
		apiclient.ReplayKey("buckaroo", []byte("a"), []byte("bc")), // the same bytes, split elsewhere
		apiclient.ReplayKey("buckaroo", []byte("abc")),
		apiclient.ReplayKey("buckaroo", []byte("ab"), []byte("c"), nil),
		apiclient.ReplayKey("ideal2", []byte("ab"), []byte("c")),
	} {
		assert.NotEqual(t, k, other)
	}
	assert.Equal(t, 21*time.Minute, apiclient.ReplayTTL(10*time.Minute))
}

// releaseFails claims but cannot release.
type releaseFails struct{ betaalkit.ReplayStore }

func (releaseFails) Release(context.Context, string) error {
	return errors.New("redis: connection pool timeout")
}

// When the shop fails and the claim cannot be released either, the
// refusal says both; the provider retries (500).
func TestDeliverReleaseFailure(t *testing.T) {
	var logs syncbuf.Buffer
	var rejections []betaalkit.WebhookRejection
	hook := apiclient.NewWebhook("test", slog.New(slog.NewTextHandler(&logs, nil)), []betaalkit.WebhookOption{
		betaalkit.WebhookReplayStore(releaseFails{betaalkit.NewMemoryReplayStore(nil)}),
		betaalkit.OnReject(func(_ *http.Request, r betaalkit.WebhookRejection) { rejections = append(rejections, r) }),
	})
	w := httptest.NewRecorder()
	hook.Deliver(w, httptest.NewRequest(http.MethodPost, "/hook", nil), "test:k", time.Minute,
		func(context.Context) error { return errors.New("shop database down") })
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	require.Len(t, rejections, 1)
	assert.Equal(t, betaalkit.RejectHandler, rejections[0].Reason)
	assert.ErrorContains(t, rejections[0].Err, "shop database down")
	assert.ErrorContains(t, rejections[0].Err, "could not release")
	assert.Contains(t, logs.String(), "connection pool timeout")
}

// The shop's function gets the request's context; a release after the
// request's context ended still reaches the store.
func TestDeliverContexts(t *testing.T) {
	type ctxKey struct{}
	store := &ctxStore{ReplayStore: betaalkit.NewMemoryReplayStore(nil)}
	hook := apiclient.NewWebhook("test", slog.New(slog.DiscardHandler), []betaalkit.WebhookOption{betaalkit.WebhookReplayStore(store)})
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "request"))
	r := httptest.NewRequest(http.MethodPost, "/hook", nil).WithContext(ctx)
	w := httptest.NewRecorder()
	hook.Deliver(w, r, "test:k", time.Minute, func(ctx context.Context) error {
		assert.Equal(t, "request", ctx.Value(ctxKey{}))
		cancel() // the provider hung up
		return errors.New("shop database down")
	})
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.Equal(t, "request", store.claimCtx.Value(ctxKey{}))
	require.NotNil(t, store.releaseCtx)
	assert.NoError(t, store.releaseErr, "released with a live context")
	assert.Equal(t, "request", store.releaseCtx.Value(ctxKey{}), "the request's values kept")
	_, hasDeadline := store.releaseCtx.Deadline()
	assert.True(t, hasDeadline, "but a bounded one")
}

type ctxStore struct {
	betaalkit.ReplayStore
	claimCtx, releaseCtx context.Context
	releaseErr           error // releaseCtx.Err() during Release
}

func (s *ctxStore) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	s.claimCtx = ctx
	return s.ReplayStore.Claim(ctx, key, ttl)
}

func (s *ctxStore) Release(ctx context.Context, key string) error {
	s.releaseCtx, s.releaseErr = ctx, ctx.Err()
	return s.ReplayStore.Release(ctx, key)
}
