package clients_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/internal/syncbuf"
	sbbuckaroo "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	sbkassacompleet "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
	sbmultisafepay "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	sbopp "github.com/betaalkit/betaalkit/sandbox/opp"
)

// secrets are the credentials that must never reach a log line.
var secrets = map[string]string{
	"kassacompleet": sbkassacompleet.DefaultAPIKey,
	"opp":           sbopp.DefaultAPIKey,
	"multisafepay":  sbmultisafepay.DefaultAPIKey,
	"buckaroo":      sbbuckaroo.DefaultSecretKey,
}

// TestConcurrentUse: one client per provider, shared by 64 goroutines that
// each create a payment and fetch it, with debug logging on, so that the
// signer, the retrier, the logger and (iDEAL) the token cache are raced.
// Run with -race.
func TestConcurrentUse(t *testing.T) {
	const workers = 64
	forEachProvider(t, func(t *testing.T, p provider) {
		fs := newFaultServer(t, p)
		var logs syncbuf.Buffer
		c := fs.client(t, clientOptions{Retry: fastRetry(3), Logger: debugLogger(&logs)})

		errs := make(chan error, 2*workers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range workers {
			wg.Go(func() {
				<-start
				id, err := c.Create(context.Background())
				if err != nil {
					errs <- err
					return
				}
				if err := c.Get(context.Background(), id); err != nil {
					errs <- err
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			assert.NoError(t, err)
		}
		assert.Equal(t, workers, fs.count(create), "every create arrived once")
		assert.Equal(t, workers, fs.count(get), "every get arrived once")

		out := logs.String()
		require.GreaterOrEqual(t, strings.Count(out, `msg="http attempt"`), 2*workers, "one log line per attempt")
		if s, ok := secrets[p.name]; ok {
			assert.NotContains(t, out, s, "no credential in the log")
		}
		assert.Contains(t, out, "[redacted]")
	})
}
