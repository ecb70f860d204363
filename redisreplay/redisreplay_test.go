package redisreplay_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/redistest"
	"github.com/betaalkit/betaalkit/redisreplay"
)

func newRedis(t *testing.T) (*redistest.Server, *redis.Client) {
	t.Helper()
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: 1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = rdb.Close() })
	return srv, rdb
}

func TestClaimAndRelease(t *testing.T) {
	_, rdb := newRedis(t)
	ctx := context.Background()
	s := redisreplay.New(rdb)

	ok, err := s.Claim(ctx, "buckaroo:k1", time.Minute)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = s.Claim(ctx, "buckaroo:k1", time.Minute)
	require.NoError(t, err)
	assert.False(t, ok, "claimed before")

	// One key, under the default prefix, expiring with the ttl.
	keys, err := rdb.Keys(ctx, "*").Result()
	require.NoError(t, err)
	assert.Equal(t, []string{redisreplay.DefaultPrefix + "buckaroo:k1"}, keys)
	pttl, err := rdb.PTTL(ctx, redisreplay.DefaultPrefix+"buckaroo:k1").Result()
	require.NoError(t, err)
	assert.True(t, pttl > 59*time.Second && pttl <= time.Minute, "PTTL %v", pttl)

	require.NoError(t, s.Release(ctx, "buckaroo:k1"))
	ok, err = s.Claim(ctx, "buckaroo:k1", time.Minute)
	require.NoError(t, err)
	assert.True(t, ok, "released, it may be claimed again")
	require.NoError(t, s.Release(ctx, "never claimed"))

	// Prefixes keep shops apart.
	other := redisreplay.New(rdb, redisreplay.WithPrefix("shop2:"))
	ok, err = other.Claim(ctx, "buckaroo:k1", time.Minute)
	require.NoError(t, err)
	assert.True(t, ok)

	_, err = s.Claim(ctx, "k", 0)
	assert.ErrorIs(t, err, betaalkit.ErrReplayTTL)
}

func TestTTLExpiry(t *testing.T) {
	_, rdb := newRedis(t)
	ctx := context.Background()
	s := redisreplay.New(rdb)
	const ttl = 300 * time.Millisecond
	ok, err := s.Claim(ctx, "k", ttl)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.Claim(ctx, "k", ttl)
	require.NoError(t, err)
	assert.False(t, ok, "within the ttl")
	time.Sleep(ttl + 100*time.Millisecond)
	ok, err = s.Claim(ctx, "k", ttl)
	require.NoError(t, err)
	assert.True(t, ok, "Redis expired the claim")

	// A ttl below a millisecond is rounded up, never to "no expiry".
	ok, err = s.Claim(ctx, "short", time.Microsecond)
	require.NoError(t, err)
	require.True(t, ok)
	pttl, err := rdb.PTTL(ctx, redisreplay.DefaultPrefix+"short").Result()
	require.NoError(t, err)
	assert.True(t, pttl != -1, "the key expires (PTTL %v)", pttl)
}

// Of concurrent claims from two instances (two clients), exactly one wins.
func TestOneWinnerAcrossInstances(t *testing.T) {
	srv, rdb := newRedis(t)
	rdb2 := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = rdb2.Close() })
	stores := []*redisreplay.Store{redisreplay.New(rdb), redisreplay.New(rdb2)}
	var wins, errs atomic.Int32
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := stores[i%2].Claim(context.Background(), "same", time.Minute)
			if err != nil {
				errs.Add(1)
			}
			if ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, errs.Load())
	assert.EqualValues(t, 1, wins.Load())
}

// Unreachable, the store answers with an error, never with a guess.
func TestUnreachable(t *testing.T) {
	srv, rdb := newRedis(t)
	ctx := context.Background()
	s := redisreplay.New(rdb)
	srv.Stop()
	ok, err := s.Claim(ctx, "k", time.Minute)
	assert.ErrorContains(t, err, "redisreplay: claim:")
	assert.False(t, ok)
	assert.ErrorContains(t, s.Release(ctx, "k"), "redisreplay: release:")

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	srv.Start()
	_, err = s.Claim(canceled, "k", time.Minute)
	assert.ErrorIs(t, err, context.Canceled)
	ok, err = s.Claim(ctx, "k", time.Minute)
	require.NoError(t, err, "back once Redis is")
	assert.True(t, ok)
}
