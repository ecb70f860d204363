package signing

import (
	"sync"
	"time"
)

// NonceCache remembers the nonces of verified messages for a window, so a
// captured message cannot be replayed while its timestamp is still fresh.
// The window should be twice the timestamp tolerance: that is how long a
// message can pass the freshness check. It is safe for concurrent use.
type NonceCache struct {
	window  time.Duration
	mu      sync.Mutex
	seen    map[string]time.Time
	pruneAt int // drop expired nonces when the map reaches this size
}

// minNoncePrune is the size at which expired nonces are first dropped.
const minNoncePrune = 4096

// NewNonceCache returns a cache that remembers nonces for window.
func NewNonceCache(window time.Duration) *NonceCache {
	return &NonceCache{window: window, seen: map[string]time.Time{}, pruneAt: minNoncePrune}
}

// Claim records nonce as used at now. It returns false when the nonce was
// already used within the window: the message is a replay.
func (c *NonceCache) Claim(nonce string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if at, ok := c.seen[nonce]; ok && now.Sub(at) <= c.window {
		return false
	}
	if len(c.seen) >= c.pruneAt {
		for n, at := range c.seen {
			if now.Sub(at) > c.window {
				delete(c.seen, n)
			}
		}
		c.pruneAt = max(minNoncePrune, 2*len(c.seen))
	}
	c.seen[nonce] = now
	return true
}

// Release forgets a claimed nonce, for a message that was verified but not
// processed (the sender will retry it and must not be refused).
func (c *NonceCache) Release(nonce string) {
	c.mu.Lock()
	delete(c.seen, nonce)
	c.mu.Unlock()
}
