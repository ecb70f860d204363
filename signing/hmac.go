package signing

import (
	"crypto/hmac"
	"fmt"
	"hash"
	"time"
)

// mac computes an HMAC over the concatenation of parts. All HMAC-based
// schemes (Buckaroo, MultiSafepay) go through here.
func mac(newHash func() hash.Hash, key []byte, parts ...[]byte) []byte {
	m := hmac.New(newHash, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// macEqual compares two MACs in constant time.
func macEqual(a, b []byte) bool { return hmac.Equal(a, b) }

// Clock returns the current time; tests inject a fixed one.
type Clock func() time.Time

func (c Clock) now() time.Time {
	if c == nil {
		return time.Now()
	}
	return c()
}

// ErrStale is returned when a signed message's timestamp is outside the
// accepted tolerance (a replay, or a clock that is far off).
var ErrStale error = verificationError("signing: timestamp outside the accepted tolerance")

// ErrReplay is returned for an authentic message whose nonce was already
// accepted: someone is sending a captured message again.
var ErrReplay error = verificationError("signing: message was already received (replay)")

// ErrSignatureMismatch is returned when a signature does not verify.
var ErrSignatureMismatch error = verificationError("signing: signature does not match")

// checkFresh rejects a timestamp further than tolerance from now, either way.
func checkFresh(ts, now time.Time, tolerance time.Duration) error {
	if d := now.Sub(ts); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: signed at %s, now %s, tolerance %s", ErrStale, ts.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), tolerance)
	}
	return nil
}
