package buckaroo

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestDefaultBackoff(t *testing.T) {
	with := func(v string) *http.Response { return &http.Response{Header: http.Header{"Retry-After": {v}}} }
	assert.Equal(t, 3*time.Second, defaultBackoff(1, with("3")))
	assert.Equal(t, maxRetryAfter, defaultBackoff(1, with("3600")), "a server cannot stall the caller")
	assert.Equal(t, 500*time.Millisecond, defaultBackoff(1, with("soon")))
	assert.Equal(t, time.Second, defaultBackoff(2, nil))
	assert.Equal(t, 32*time.Second, defaultBackoff(99, nil), "the exponent is capped")
}

func TestRetryable(t *testing.T) {
	answer := func(status int, retryAfter string) *http.Response {
		r := &http.Response{StatusCode: status, Header: http.Header{}}
		if retryAfter != "" {
			r.Header.Set("Retry-After", retryAfter)
		}
		return r
	}
	assert.True(t, retryable(http.MethodPost, answer(http.StatusTooManyRequests, "")), "rate limited: not processed")
	assert.True(t, retryable(http.MethodGet, answer(http.StatusServiceUnavailable, "")), "a status check is safe to repeat")
	assert.True(t, retryable(http.MethodPost, answer(http.StatusServiceUnavailable, "2")), "the service said it was down")
	assert.False(t, retryable(http.MethodPost, answer(http.StatusServiceUnavailable, "")), "a bare 503 may come after the transaction was made")
	assert.False(t, retryable(http.MethodGet, answer(http.StatusInternalServerError, "")), "a 500 may have been processed")
}
