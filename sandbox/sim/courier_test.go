package sim_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/sandbox/sim"
)

func TestCourierDuplicatesHoldsAndReleases(t *testing.T) {
	var mu sync.Mutex
	var got []string
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b)+" "+r.Header.Get("X-Sig"))
		mu.Unlock()
	}))
	defer shop.Close()
	ctx := context.Background()
	c := sim.NewCourier(shop.Client())

	status, err := c.Deliver(ctx, shop.URL, http.Header{"X-Sig": {"s1"}}, []byte("one"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)

	c.Duplicate(true)
	_, err = c.Deliver(ctx, shop.URL, http.Header{"X-Sig": {"s2"}}, []byte("two"))
	require.NoError(t, err)
	c.Duplicate(false)

	c.Hold()
	for _, b := range []string{"three", "four"} {
		status, err = c.Deliver(ctx, shop.URL, http.Header{"X-Sig": {"s"}}, []byte(b))
		require.NoError(t, err)
		assert.Equal(t, http.StatusAccepted, status, "queued")
	}
	assert.Equal(t, 2, c.Held())
	assert.Equal(t, []string{"one s1", "two s2", "two s2"}, got, "held deliveries wait")
	require.NoError(t, c.Release(ctx, true))
	assert.Equal(t, []string{"one s1", "two s2", "two s2", "four s", "three s"}, got, "released newest first, headers kept")
	assert.Zero(t, c.Held())
}
