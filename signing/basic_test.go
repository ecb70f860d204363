package signing

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBasicAuthSeedVector(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization")
	}))
	defer srv.Close()

	rt, err := NewBasicAuth("hunter2", nil)
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/ideal/issuers/", nil)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()

	assert.Equal(t, "Basic aHVudGVyMjo=", got, "the Kassa Compleet document's example")
	assert.Empty(t, req.Header.Get("Authorization"), "the caller's request must not be changed")
}

func TestBasicAuthKeepsKeyOutOfErrorsAndStrings(t *testing.T) {
	const key = "sk_live_very_secret"
	failing := RoundTripperFunc(func(*http.Request) (*http.Response, error) {
		return nil, fmt.Errorf("dial tcp: connection refused")
	})
	rt, err := NewBasicAuth(key, failing)
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/x", nil)
	_, err = rt.RoundTrip(req)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), key)
	for _, s := range []string{fmt.Sprint(rt), fmt.Sprintf("%v", rt), fmt.Sprintf("%+v", rt), fmt.Sprintf("%#v", rt)} {
		assert.NotContains(t, s, key)
		assert.NotContains(t, s, "c2tfbGl2ZV92ZXJ5X3NlY3JldDo", "nor its base64 form")
	}
	_, err = NewBasicAuth("", nil)
	assert.ErrorIs(t, err, ErrMissingCredentials)
}

func TestReadBodyDoesNotConsume(t *testing.T) {
	req, _ := http.NewRequest(http.MethodPost, "http://x/", strings.NewReader(`{"a":1}`))
	first, err := ReadBody(req)
	require.NoError(t, err)
	second, err := ReadBody(req)
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(first))
	assert.Equal(t, first, second)
	sent, _ := io.ReadAll(req.Body)
	assert.Equal(t, `{"a":1}`, string(sent), "the body still sends in full")

	// A body without GetBody is consumed, not replaced: the caller's
	// request keeps its fields and the bytes go out on a clone.
	req2, _ := http.NewRequest(http.MethodPost, "http://x/", nil)
	req2.Body = io.NopCloser(bytes.NewReader([]byte("raw")))
	got, err := ReadBody(req2)
	require.NoError(t, err)
	assert.Equal(t, "raw", string(got))
	assert.Nil(t, req2.GetBody, "the caller's request is not given new fields")
	clone := CloneWithBody(req2, got)
	sentByClone, _ := io.ReadAll(clone.Body)
	assert.Equal(t, "raw", string(sentByClone))

	// Server side, PeekBody leaves the body readable for the handler.
	in := httptest.NewRequest(http.MethodPost, "/push", strings.NewReader("pushed"))
	peeked, err := PeekBody(in)
	require.NoError(t, err)
	rest, _ := io.ReadAll(in.Body)
	assert.Equal(t, "pushed", string(peeked))
	assert.Equal(t, "pushed", string(rest))

	empty, err := ReadBody(httptest.NewRequest(http.MethodGet, "/", nil))
	require.NoError(t, err)
	assert.Nil(t, empty)
}
