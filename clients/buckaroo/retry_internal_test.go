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
	assert.True(t, retryable(http.StatusServiceUnavailable))
	assert.True(t, retryable(http.StatusTooManyRequests))
	assert.False(t, retryable(http.StatusInternalServerError), "a 500 may have been processed")
}
