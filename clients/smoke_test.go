package clients_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSandboxFlow is the baseline the fault tests change one thing in: a
// create and a get succeed, each arriving once.
func TestSandboxFlow(t *testing.T) {
	t.Parallel()
	forEachProvider(t, func(t *testing.T, p provider) {
		fs := newFaultServer(t, p)
		c := fs.client(t, clientOptions{Retry: fastRetry(3)})
		id, err := c.Create(context.Background())
		require.NoError(t, err)
		require.NotEmpty(t, id)
		require.NoError(t, c.Get(context.Background(), id))
		require.Equal(t, 1, fs.count(create))
		require.Equal(t, 1, fs.count(get))
	})
}
