package betaalkit

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ReplayStore remembers which signed webhook deliveries were accepted, so
// that a delivery seen before is acknowledged without calling the shop's
// function again. A handler claims a key derived from what the provider
// signed (Buckaroo's nonce, MultiSafepay's timestamp and body, iDEAL 2.0's
// X-Request-ID, time and digest) for as long as the delivery could pass the
// freshness check, and releases it when the shop's function fails so the
// provider's retry gets through.
//
// Share one store between the handlers of every shop instance
// (WebhookReplayStore); MemoryReplayStore protects one process only.
// Implementations must be safe for concurrent use, and Claim must be
// atomic: of concurrent claims of one key, exactly one wins.
type ReplayStore interface {
	// Claim records key for ttl. It returns true when this call claimed
	// it, and false when a claim on key made earlier has not yet expired
	// or been released: the delivery was seen before. An error means the
	// store could not be checked; the handler then answers 503 and does
	// not call the shop.
	Claim(ctx context.Context, key string, ttl time.Duration) (claimed bool, err error)
	// Release removes a claim, so that the provider's retry of a delivery
	// the shop failed to process is not taken for a duplicate. Releasing a
	// key that is not claimed is not an error.
	Release(ctx context.Context, key string) error
}

// ErrReplayTTL is returned by a ReplayStore's Claim for a ttl that is not
// positive.
var ErrReplayTTL = errors.New("betaalkit: replay store: the ttl must be positive")

// MemoryReplayStore is a ReplayStore in this process's memory, the default
// of every webhook handler. Its memory stays bounded: expired claims are
// dropped whenever the number of claims has doubled since the last sweep.
// It is safe for concurrent use and never returns an error for a positive
// ttl.
type MemoryReplayStore struct {
	now     func() time.Time
	mu      sync.Mutex
	until   map[string]time.Time // key → when its claim expires
	pruneAt int                  // sweep expired claims at this size
}

// minReplayPrune is the size at which expired claims are first swept.
const minReplayPrune = 4096

// NewMemoryReplayStore returns an empty store whose ttls run on now (nil:
// time.Now; tests pass a fixed clock, handlers pass WebhookClock's).
func NewMemoryReplayStore(now func() time.Time) *MemoryReplayStore {
	if now == nil {
		now = time.Now
	}
	return &MemoryReplayStore{now: now, until: map[string]time.Time{}, pruneAt: minReplayPrune}
}

// Claim implements ReplayStore.
func (s *MemoryReplayStore) Claim(_ context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, ErrReplayTTL
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if until, ok := s.until[key]; ok && now.Before(until) {
		return false, nil
	}
	if len(s.until) >= s.pruneAt {
		for k, until := range s.until {
			if !now.Before(until) {
				delete(s.until, k)
			}
		}
		s.pruneAt = max(minReplayPrune, 2*len(s.until))
	}
	s.until[key] = now.Add(ttl)
	return true, nil
}

// Release implements ReplayStore.
func (s *MemoryReplayStore) Release(_ context.Context, key string) error {
	s.mu.Lock()
	delete(s.until, key)
	s.mu.Unlock()
	return nil
}

// Len is the number of claims held, expired ones not yet swept included.
func (s *MemoryReplayStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.until)
}
