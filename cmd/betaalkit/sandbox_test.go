package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/internal/syncbuf"
)

func TestSandboxServesEveryProviderAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncbuf.Buffer
	done := make(chan int)
	go func() { done <- serveSandbox(ctx, "127.0.0.1", 0, &out, &errOut) }()

	require.Eventually(t, func() bool { return bytes.Contains([]byte(out.String()), []byte("serving")) }, 5*time.Second, 10*time.Millisecond)
	urls := regexp.MustCompile(`(?m)^(\S+) +(http://127\.0\.0\.1:\d+\S*)`).FindAllStringSubmatch(out.String(), -1)
	require.Len(t, urls, len(simulators), out.String())
	for _, m := range urls {
		resp, err := http.Get(m[2] + "/")
		require.NoError(t, err, m[1])
		resp.Body.Close()
		assert.Less(t, resp.StatusCode, 500, "%s answers", m[1])
	}
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("sandbox did not stop")
	}
	assert.Contains(t, out.String(), "stopped")
}
