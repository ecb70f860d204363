package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/internal/syncbuf"
	kcsandbox "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
)

func TestSandboxServesEveryProviderAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncbuf.Buffer
	done := make(chan int)
	go func() {
		done <- serveSandbox(ctx, sandboxOptions{host: "127.0.0.1", retryScale: 1}, &out, &errOut, &out)
	}()

	require.Eventually(t, func() bool { return bytes.Contains([]byte(out.String()), []byte("serving")) }, 5*time.Second, 10*time.Millisecond)
	urls := regexp.MustCompile(`(?m)^(\S+) +port \d+ +(http://127\.0\.0\.1:\d+\S*)`).FindAllStringSubmatch(out.String(), -1)
	require.Len(t, urls, len(simulators)+1, out.String())
	dashboard := urls[len(urls)-1]
	require.Equal(t, "dashboard", dashboard[1], "the dashboard is printed after the providers")
	urls = urls[:len(urls)-1]
	for _, m := range urls {
		resp, err := http.Get(m[2] + "/")
		require.NoError(t, err, m[1])
		resp.Body.Close()
		assert.Less(t, resp.StatusCode, 500, "%s answers", m[1])
	}
	// One line per request, with the spec's reason for a refusal.
	var kassa string
	for _, m := range urls {
		if m[1] == "kassacompleet" {
			kassa = m[2]
		}
	}
	req, _ := http.NewRequest(http.MethodPost, kassa+"/orders/", strings.NewReader(`{"currency":"EUR","amount":"ten"}`))
	req.SetBasicAuth(kcsandbox.DefaultAPIKey, "")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Regexp(t, `kassacompleet +POST +/v1/orders/ → 400 \([^)]*\): amount: `, out.String())
	assert.Regexp(t, `(?m)^ideal2 .*\n +.*http://127\.0\.0\.1:\d+/sandbox/merchant-key\.pem`, out.String(), "key files print as full URLs")

	// The dashboard lists every provider and shows the refused request with its reason.
	resp, err = http.Get(dashboard[2])
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	for _, name := range []string{"Kassa Compleet", "Online Betaalplatform", "MultiSafepay", "Buckaroo", "iDEAL 2.0"} {
		assert.Contains(t, string(page), name)
	}
	assert.Contains(t, string(page), "POST /v1/orders/")
	assert.Regexp(t, `amount: `, string(page), "the refusal's reason is on the dashboard")
	assert.Contains(t, string(page), "4 retries, after 15m", "MultiSafepay's documented schedule")

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("sandbox did not stop")
	}
	assert.Contains(t, out.String(), "stopped")
}
