// Package jsontest holds the fuzz property every tolerant JSON type in
// flex and money must keep.
package jsontest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// RoundTrip checks the two fuzz properties for a JSON type T: decoding
// arbitrary bytes never panics (the fuzzer reports a panic as a failure),
// and when decoding succeeds the encoding is stable: encode, decode that
// output (which must succeed), encode again, and the bytes are equal.
// It returns the first two decoded values when decoding succeeded.
func RoundTrip[T any](t *testing.T, data []byte) (first, second *T) {
	t.Helper()

	// UnmarshalJSON called directly sees bytes json.Unmarshal would reject.
	if u, ok := any(new(T)).(json.Unmarshaler); ok {
		if u.UnmarshalJSON(data) == nil {
			enc, err := json.Marshal(u)
			require.NoError(t, err, "direct decode of %q succeeded but encoding failed", data)
			var back T
			require.NoError(t, json.Unmarshal(enc, &back), "decoding our own encoding %q", enc)
		}
	}

	var v T
	if json.Unmarshal(data, &v) != nil {
		return nil, nil
	}
	enc1, err := json.Marshal(v)
	require.NoError(t, err, "decoded %q but encoding failed", data)

	var v2 T
	require.NoError(t, json.Unmarshal(enc1, &v2), "decoding our own encoding %q (from %q)", enc1, data)
	enc2, err := json.Marshal(v2)
	require.NoError(t, err)
	require.Equal(t, string(enc1), string(enc2), "encoding not stable for input %q", data)
	return &v, &v2
}
