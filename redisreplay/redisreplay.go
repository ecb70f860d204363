// Package redisreplay is a betaalkit.ReplayStore in Redis, for shops that
// run several instances behind a load balancer: every instance's webhook
// handlers share the claims, so a signed delivery that reaches two
// instances (a provider's duplicate, or a captured request sent again) is
// passed to the shop once.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"})
//	replay := betaalkit.WebhookReplayStore(redisreplay.New(rdb))
//	http.Handle("/webhooks/multisafepay", msp.WebhookHandler(onOrder, replay))
//
// A claim is one key, SET with NX and a PX expiry; a release DELetes it. If
// Redis cannot be reached the store returns an error, and the handler
// answers 503 without calling the shop, so the provider retries later:
// nothing is accepted unchecked and nothing is lost. It is a package of
// its own so that shops without Redis do not link a Redis client.
package redisreplay

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/betaalkit/betaalkit"
)

// DefaultPrefix starts every key the store writes.
const DefaultPrefix = "betaalkit:replay:"

// Option configures a Store.
type Option func(*Store)

// WithPrefix sets the prefix of every key (default DefaultPrefix), to keep
// several shops, or environments, apart in one Redis database.
func WithPrefix(prefix string) Option { return func(s *Store) { s.prefix = prefix } }

// Store is a betaalkit.ReplayStore in Redis. It is safe for concurrent use
// (as the Redis client is); claims are atomic in Redis, so of concurrent
// claims of one key from any number of instances exactly one wins.
type Store struct {
	client redis.Cmdable
	prefix string
}

var _ betaalkit.ReplayStore = (*Store)(nil)

// New returns a store that keeps its claims in the Redis client's database
// (a *redis.Client, *redis.ClusterClient, *redis.Ring, or any other
// redis.Cmdable). The client's own timeouts bound every call, as does the
// context.
func New(client redis.Cmdable, opts ...Option) *Store {
	s := &Store{client: client, prefix: DefaultPrefix}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	return s
}

// Claim sets the key prefix+key with NX and a PX expiry of ttl (rounded up
// to a whole millisecond). It returns true when this call set it, false when
// the key already exists. Any Redis or network error is returned: the
// delivery could not be checked.
func (s *Store) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, betaalkit.ErrReplayTTL
	}
	if ms := ttl.Truncate(time.Millisecond); ms != ttl {
		ttl = ms + time.Millisecond
	}
	claimed, err := s.client.SetNX(ctx, s.prefix+key, 1, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("redisreplay: claim: %w", err)
	}
	return claimed, nil
}

// Release DELetes the key prefix+key.
func (s *Store) Release(ctx context.Context, key string) error {
	if err := s.client.Del(ctx, s.prefix+key).Err(); err != nil {
		return fmt.Errorf("redisreplay: release: %w", err)
	}
	return nil
}
