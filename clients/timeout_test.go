package clients_test

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/transport"
)

// attemptSeen is what the caller's own RoundTripper saw of one attempt.
type attemptSeen struct {
	method, path string
	deadline     time.Time
	hasDeadline  bool
	ahead        time.Duration // deadline minus the time the attempt arrived
}

// deadlineRecorder is a caller's base transport that records each
// attempt's context deadline and can answer the first GET with a 503
// itself, so the GET is retried.
type deadlineRecorder struct {
	next     http.RoundTripper
	busyOnce atomic.Bool

	mu   sync.Mutex
	seen []attemptSeen
}

func (d *deadlineRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	dl, ok := req.Context().Deadline()
	a := attemptSeen{method: req.Method, path: req.URL.Path, deadline: dl, hasDeadline: ok}
	if ok {
		a.ahead = time.Until(dl)
	}
	d.mu.Lock()
	d.seen = append(d.seen, a)
	d.mu.Unlock()
	if req.Method == http.MethodGet && d.busyOnce.CompareAndSwap(true, false) {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return &http.Response{
			StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"text/plain"}}, Body: io.NopCloser(strings.NewReader("busy")), ContentLength: 4, Request: req,
		}, nil
	}
	return d.next.RoundTrip(req)
}

func (d *deadlineRecorder) attempts() []attemptSeen {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]attemptSeen(nil), d.seen...)
}

// gets returns the attempts of the GET under test.
func gets(seen []attemptSeen) []attemptSeen {
	var out []attemptSeen
	for _, a := range seen {
		if a.method == http.MethodGet {
			out = append(out, a)
		}
	}
	return out
}

func funcPointer(f any) uintptr {
	v := reflect.ValueOf(f)
	if !v.IsValid() || v.IsNil() {
		return 0
	}
	return v.Pointer()
}

// clientSnapshot is what must not change in a caller's *http.Client.
type clientSnapshot struct {
	transport     http.RoundTripper
	timeout       time.Duration
	checkRedirect uintptr
	jar           http.CookieJar
}

func snapshot(hc *http.Client) clientSnapshot {
	return clientSnapshot{hc.Transport, hc.Timeout, funcPointer(hc.CheckRedirect), hc.Jar}
}

// createAndRetriedGet makes a create and a get whose first attempt the
// recorder answers with 503, so the get is sent twice.
func createAndRetriedGet(t *testing.T, fs *faultServer, rec *deadlineRecorder, o clientOptions) {
	t.Helper()
	c := fs.client(t, o)
	id, err := c.Create(context.Background())
	require.NoError(t, err)
	rec.busyOnce.Store(true)
	require.NoError(t, c.Get(context.Background(), id))
	require.Len(t, gets(rec.attempts()), 2, "the GET was retried once")
}

// TestAttemptTimeouts: without a Timeout on the caller's client, every
// attempt (retries and iDEAL's token request included) is bounded by
// transport.DefaultAttemptTimeout; with one, the client's Timeout governs
// unless WithAttemptTimeout is given. Neither the caller's client nor
// http.DefaultClient is changed.
func TestAttemptTimeouts(t *testing.T) {
	t.Parallel()
	forEachProvider(t, func(t *testing.T, p provider) {
		fs := newFaultServer(t, p)
		redirect := func(*http.Request, []*http.Request) error { return nil }

		t.Run("client without Timeout", func(t *testing.T) {
			rec := &deadlineRecorder{next: http.DefaultTransport}
			hc := &http.Client{Transport: rec, CheckRedirect: redirect}
			before := snapshot(hc)
			createAndRetriedGet(t, fs, rec, clientOptions{HTTPClient: hc, Retry: fastRetry(3)})
			for _, a := range rec.attempts() {
				require.True(t, a.hasDeadline, "%s %s has a deadline", a.method, a.path)
				assert.Greater(t, a.ahead, transport.DefaultAttemptTimeout-10*time.Second, "%s %s: deadline about DefaultAttemptTimeout ahead", a.method, a.path)
				assert.LessOrEqual(t, a.ahead, transport.DefaultAttemptTimeout, "%s %s", a.method, a.path)
			}
			assert.Equal(t, before, snapshot(hc), "the caller's client is not modified")
		})

		t.Run("client with Timeout", func(t *testing.T) {
			rec := &deadlineRecorder{next: http.DefaultTransport}
			hc := &http.Client{Transport: rec, Timeout: time.Hour}
			before := snapshot(hc)
			createAndRetriedGet(t, fs, rec, clientOptions{HTTPClient: hc, Retry: fastRetry(3)})
			for _, a := range rec.attempts() {
				if !fs.watched(a.method, a.path) {
					continue // iDEAL's shared token fetch has its own bound (tokenFetchTimeout)
				}
				require.True(t, a.hasDeadline, "%s %s has the client's deadline", a.method, a.path)
				assert.Greater(t, a.ahead, time.Hour-10*time.Minute, "%s %s: only the client's hour bounds it, no attempt timeout", a.method, a.path)
			}
			g := gets(rec.attempts())
			assert.True(t, g[0].deadline.Equal(g[1].deadline), "both attempts share the one deadline of the call")
			assert.Equal(t, before, snapshot(hc), "the caller's client is not modified")
		})

		t.Run("client with Timeout and WithAttemptTimeout", func(t *testing.T) {
			rec := &deadlineRecorder{next: http.DefaultTransport}
			hc := &http.Client{Transport: rec, Timeout: time.Hour}
			before := snapshot(hc)
			createAndRetriedGet(t, fs, rec, clientOptions{HTTPClient: hc, Retry: fastRetry(3), AttemptTimeout: 20 * time.Second})
			for _, a := range rec.attempts() {
				require.True(t, a.hasDeadline, "%s %s", a.method, a.path)
				assert.LessOrEqual(t, a.ahead, 20*time.Second, "%s %s: the attempt timeout applies", a.method, a.path)
				assert.Greater(t, a.ahead, 10*time.Second, "%s %s", a.method, a.path)
			}
			assert.Equal(t, before, snapshot(hc), "the caller's client is not modified")
		})

		t.Run("http.DefaultClient", func(t *testing.T) {
			before := snapshot(http.DefaultClient)
			defaultTransport := http.DefaultTransport
			c := fs.client(t, clientOptions{Retry: fastRetry(3)})
			id, err := c.Create(context.Background())
			require.NoError(t, err)
			fs.inject(get, fault{kind: answer, status: http.StatusServiceUnavailable})
			require.NoError(t, c.Get(context.Background(), id))
			assert.Equal(t, before, snapshot(http.DefaultClient), "http.DefaultClient is not modified")
			assert.Same(t, defaultTransport.(*http.Transport), http.DefaultTransport.(*http.Transport), "http.DefaultTransport is not replaced")
		})
	})
}
