package signing

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestNonceCache(t *testing.T) {
	c := NewNonceCache(10 * time.Minute)
	t0 := time.Unix(1500000000, 0)
	assert.True(t, c.Claim("n1", t0))
	assert.False(t, c.Claim("n1", t0.Add(time.Minute)), "a replay within the window")
	assert.True(t, c.Claim("n1", t0.Add(11*time.Minute)), "after the window the timestamp check takes over")
	assert.True(t, c.Claim("n2", t0))
	c.Release("n2")
	assert.True(t, c.Claim("n2", t0), "a released nonce may come again")

	// Expired nonces are dropped, so the cache does not grow without bound.
	for i := range minNoncePrune * 3 {
		c.Claim(fmt.Sprint(i), t0.Add(time.Duration(i)*time.Second))
	}
	c.mu.Lock()
	size := len(c.seen)
	c.mu.Unlock()
	assert.Less(t, size, minNoncePrune*2)
}

func TestNonceCacheOneWinnerUnderConcurrency(t *testing.T) {
	c := NewNonceCache(time.Minute)
	now := time.Now()
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c.Claim("same", now) {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 1, wins.Load())
}
