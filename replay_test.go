package betaalkit_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func TestMemoryReplayStore(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{}
	clock.ns.Store(time.Unix(1_500_000_000, 0).UnixNano())
	s := betaalkit.NewMemoryReplayStore(clock.now)

	claim := func(key string, ttl time.Duration) bool {
		t.Helper()
		ok, err := s.Claim(ctx, key, ttl)
		require.NoError(t, err)
		return ok
	}
	assert.True(t, claim("a", 10*time.Minute))
	assert.False(t, claim("a", 10*time.Minute), "claimed before")
	clock.advance(10*time.Minute - time.Nanosecond)
	assert.False(t, claim("a", 10*time.Minute), "until the ttl is over")
	clock.advance(time.Nanosecond)
	assert.True(t, claim("a", 10*time.Minute), "expired")

	assert.True(t, claim("b", time.Hour))
	require.NoError(t, s.Release(ctx, "b"))
	assert.True(t, claim("b", time.Hour), "released, it may be claimed again")
	require.NoError(t, s.Release(ctx, "never claimed"))

	for _, ttl := range []time.Duration{0, -time.Second} {
		ok, err := s.Claim(ctx, "c", ttl)
		assert.ErrorIs(t, err, betaalkit.ErrReplayTTL)
		assert.False(t, ok)
	}
}

// Expired claims are swept, so the memory stays bounded by the claims
// still in force.
func TestMemoryReplayStoreStaysBounded(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{}
	s := betaalkit.NewMemoryReplayStore(clock.now)
	for i := range 100_000 {
		ok, err := s.Claim(ctx, fmt.Sprint(i), time.Minute)
		require.NoError(t, err)
		require.True(t, ok)
		clock.advance(time.Second) // 60 claims in force at any time
	}
	assert.Less(t, s.Len(), 2*4096+1, "claims held after 100,000 with 60 in force")
}

func TestMemoryReplayStoreOneWinner(t *testing.T) {
	s := betaalkit.NewMemoryReplayStore(nil)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, err := s.Claim(context.Background(), "same", time.Minute); err == nil && ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 1, wins.Load())
}

func TestWebhookReplayStoreOption(t *testing.T) {
	s := betaalkit.NewMemoryReplayStore(nil)
	assert.Same(t, s, betaalkit.NewWebhookConfig(betaalkit.WebhookReplayStore(s)).ReplayStore)
	assert.Nil(t, betaalkit.NewWebhookConfig().ReplayStore, "nil: each handler makes its own")
}
