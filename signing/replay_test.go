package signing

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// BuckarooRejectReplays remembers nonces (in a betaalkit.MemoryReplayStore
// on the verifier's clock) for twice the tolerance; Forget lets a nonce
// come again. Without the option a verifier remembers nothing.
func TestBuckarooVerifierRejectsReplays(t *testing.T) {
	now := time.Unix(bkTimestamp, 0)
	clock := func() time.Time { return now }
	v, err := NewBuckarooVerifier(bkWebsiteKey, bkSecret, BuckarooClock(clock), BuckarooRejectReplays())
	require.NoError(t, err)
	assert.Equal(t, DefaultBuckarooTolerance, v.Tolerance())
	header := signedPush(t)

	h, err := v.Verify(http.MethodPost, bkPushURL, []byte(bkPushBody), header)
	require.NoError(t, err)
	_, err = v.Verify(http.MethodPost, bkPushURL, []byte(bkPushBody), header)
	assert.ErrorIs(t, err, ErrReplay)
	v.Forget(h)
	_, err = v.Verify(http.MethodPost, bkPushURL, []byte(bkPushBody), header)
	assert.NoError(t, err, "forgotten, the nonce may come again")

	// Still remembered at the end of the freshness window.
	now = now.Add(DefaultBuckarooTolerance)
	_, err = v.Verify(http.MethodPost, bkPushURL, []byte(bkPushBody), header)
	assert.ErrorIs(t, err, ErrReplay)

	plain, err := NewBuckarooVerifier(bkWebsiteKey, bkSecret, BuckarooClock(bkClock(bkTimestamp)), BuckarooTolerance(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, time.Minute, plain.Tolerance())
	for range 2 {
		_, err = plain.Verify(http.MethodPost, bkPushURL, []byte(bkPushBody), header)
		assert.NoError(t, err)
	}
}
