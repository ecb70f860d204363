package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
)

// scripted answers attempt n with script[n-1] (the last entry repeats) and
// records what it was sent.
type scripted struct {
	mu     sync.Mutex
	script []func(*http.Request) (*http.Response, error)
	sent   []*http.Request
	bodies []string
}

func (s *scripted) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	n := len(s.sent)
	s.sent = append(s.sent, req)
	var body string
	if req.Body != nil {
		b, _ := io.ReadAll(req.Body)
		body = string(b)
	}
	s.bodies = append(s.bodies, body)
	step := s.script[min(n, len(s.script)-1)]
	s.mu.Unlock()
	return step(req)
}

func answer(status int, header ...string) func(*http.Request) (*http.Response, error) {
	return func(req *http.Request) (*http.Response, error) {
		h := http.Header{}
		for i := 0; i+1 < len(header); i += 2 {
			h.Set(header[i], header[i+1])
		}
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(fmt.Sprint(status))), Request: req}, nil
	}
}

func fail(err error) func(*http.Request) (*http.Response, error) {
	return func(*http.Request) (*http.Response, error) { return nil, err }
}

// writtenThenFail is a failure after the request went out: the connection
// broke while waiting for the answer.
func writtenThenFail(err error) func(*http.Request) (*http.Response, error) {
	return fail(fmt.Errorf("read: %w", err))
}

var (
	dialRefused = &net.OpError{Op: "dial", Net: "tcp", Err: &net.AddrError{Err: "connect: connection refused"}}
	reset       = &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
)

func newTestRetrier(next http.RoundTripper, cfg Config) (*retrier, *[]time.Duration) {
	t := newRetrier(next, cfg)
	var waits []time.Duration
	t.sleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	}
	t.jitter = func(n int64) int64 { return n - 1 } // the longest wait
	return t, &waits
}

func send(t *testing.T, rt http.RoundTripper, method string) (*http.Response, error) {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(`{"amount":100}`)
	}
	req, err := http.NewRequest(method, "https://api.example/v1/orders", body)
	require.NoError(t, err)
	return rt.RoundTrip(req)
}

func TestWhichRequestsAreRetried(t *testing.T) {
	cases := []struct {
		name     string
		method   string
		first    func(*http.Request) (*http.Response, error)
		attempts int
	}{
		{"GET 503", http.MethodGet, answer(503), 2},
		{"GET 429", http.MethodGet, answer(429), 2},
		{"GET 502", http.MethodGet, answer(502), 2},
		{"GET 504", http.MethodGet, answer(504), 2},
		{"GET 500 may have done something", http.MethodGet, answer(500), 1},
		{"GET 409 is not retried by default", http.MethodGet, answer(409), 1},
		{"GET 404", http.MethodGet, answer(404), 1},
		{"GET connection reset", http.MethodGet, writtenThenFail(reset), 2},
		{"GET EOF", http.MethodGet, writtenThenFail(io.EOF), 2},
		{"GET attempt timed out", http.MethodGet, writtenThenFail(context.DeadlineExceeded), 2},
		{"HEAD 503", http.MethodHead, answer(503), 2},
		{"DELETE 503", http.MethodDelete, answer(503), 2},
		{"GET verification failure", http.MethodGet, fail(fmt.Errorf("signing: %w", betaalkit.ErrVerification)), 1},
		{"POST 503", http.MethodPost, answer(503, "Retry-After", "0"), 1},
		{"POST 429", http.MethodPost, answer(429), 1},
		{"POST 502", http.MethodPost, answer(502), 1},
		{"POST 504", http.MethodPost, answer(504), 1},
		{"POST reset after writing", http.MethodPost, writtenThenFail(reset), 1},
		{"POST EOF after writing", http.MethodPost, writtenThenFail(io.EOF), 1},
		{"POST timed out after writing", http.MethodPost, writtenThenFail(context.DeadlineExceeded), 1},
		{"POST timed out, nothing written, not a dial error", http.MethodPost, fail(context.DeadlineExceeded), 1},
		{"POST dial refused", http.MethodPost, fail(dialRefused), 2},
		{"POST no such host", http.MethodPost, fail(&net.DNSError{Err: "no such host", Name: "api.example"}), 2},
		{"PUT 503", http.MethodPut, answer(503), 1},
		{"PATCH dial refused", http.MethodPatch, fail(dialRefused), 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			next := &scripted{script: []func(*http.Request) (*http.Response, error){tc.first, answer(200)}}
			rt, _ := newTestRetrier(next, Config{})
			resp, err := send(t, rt, tc.method)
			assert.Len(t, next.sent, tc.attempts)
			if tc.attempts == 2 {
				require.NoError(t, err)
				assert.Equal(t, 200, resp.StatusCode)
			}
			for i, b := range next.bodies {
				assert.Equal(t, next.bodies[0], b, "attempt %d sends the same body", i+1)
			}
		})
	}
}

func TestProviderRetryStatusesAreForIdempotentMethodsOnly(t *testing.T) {
	next := &scripted{script: []func(*http.Request) (*http.Response, error){answer(409), answer(200)}}
	rt, _ := newTestRetrier(next, Config{RetryStatuses: []int{409}})
	resp, err := send(t, rt, http.MethodGet)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Len(t, next.sent, 2)

	next = &scripted{script: []func(*http.Request) (*http.Response, error){answer(409), answer(200)}}
	rt, _ = newTestRetrier(next, Config{RetryStatuses: []int{409}})
	resp, err = send(t, rt, http.MethodPost)
	require.NoError(t, err)
	assert.Equal(t, 409, resp.StatusCode)
	assert.Len(t, next.sent, 1)
}

func TestRetriesRunOutWithTheLastAnswer(t *testing.T) {
	next := &scripted{script: []func(*http.Request) (*http.Response, error){answer(503)}}
	rt, waits := newTestRetrier(next, Config{Retry: RetryPolicy{MaxAttempts: 4, BaseDelay: 100 * time.Millisecond, MaxDelay: 300 * time.Millisecond}})
	resp, err := send(t, rt, http.MethodGet)
	require.NoError(t, err)
	assert.Equal(t, 503, resp.StatusCode)
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "503", string(body), "the last answer's body is the caller's to read")
	assert.Len(t, next.sent, 4)
	// Doubling from 100ms, capped at 300ms; the jitter stub picks the top of [d/2, d].
	assert.Equal(t, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}, *waits)
}

func TestTransportFailureCountsAttempts(t *testing.T) {
	next := &scripted{script: []func(*http.Request) (*http.Response, error){writtenThenFail(reset)}}
	rt, _ := newTestRetrier(next, Config{})
	_, err := send(t, rt, http.MethodGet)
	var te *betaalkit.TransportError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 3, te.Attempts)
	assert.ErrorIs(t, err, betaalkit.ErrTransport)
	assert.ErrorIs(t, err, syscall.ECONNRESET)
	assert.Contains(t, err.Error(), "after 3 attempts")
}

func TestJitterStaysBetweenHalfAndFullDelay(t *testing.T) {
	rt := newRetrier(nil, Config{Retry: RetryPolicy{BaseDelay: time.Second, MaxDelay: time.Minute}})
	for range 1000 {
		d, ok := rt.wait(2, nil)
		require.True(t, ok)
		require.GreaterOrEqual(t, d, time.Second)
		require.LessOrEqual(t, d, 2*time.Second)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"3":                             3 * time.Second,
		"0":                             0,
		"-5":                            0,
		"Sat, 21 Nov 2026 12:00:07 GMT": 7 * time.Second,
		"Sat, 21 Nov 2026 11:00:00 GMT": 0,
	} {
		got, ok := retryAfter(v, now)
		assert.True(t, ok, v)
		assert.Equal(t, want, got, v)
	}
	_, ok := retryAfter("soon", now)
	assert.False(t, ok)

	next := &scripted{script: []func(*http.Request) (*http.Response, error){answer(429, "Retry-After", "2"), answer(200)}}
	rt, waits := newTestRetrier(next, Config{})
	_, err := send(t, rt, http.MethodGet)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{2 * time.Second}, *waits)

	// Longer than MaxDelay: the answer is returned rather than waited out.
	next = &scripted{script: []func(*http.Request) (*http.Response, error){answer(503, "Retry-After", "3600"), answer(200)}}
	rt, waits = newTestRetrier(next, Config{})
	resp, err := send(t, rt, http.MethodGet)
	require.NoError(t, err)
	assert.Equal(t, 503, resp.StatusCode)
	assert.Empty(t, *waits)
	assert.Len(t, next.sent, 1)
}

func TestRetriesStopWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	next := &scripted{script: []func(*http.Request) (*http.Response, error){func(req *http.Request) (*http.Response, error) {
		cancel()
		return answer(503)(req)
	}}}
	rt := newRetrier(next, Config{Retry: RetryPolicy{BaseDelay: time.Hour, MaxDelay: time.Hour}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.example/v1/orders/1", nil)
	_, err := rt.RoundTrip(req)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Len(t, next.sent, 1)

	// Ended during an attempt: the failure is reported, no retry.
	ctx, cancel = context.WithCancel(context.Background())
	next = &scripted{script: []func(*http.Request) (*http.Response, error){func(*http.Request) (*http.Response, error) {
		cancel()
		return nil, fmt.Errorf("read: %w", context.Canceled)
	}}}
	rt = newRetrier(next, Config{})
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, "https://api.example/v1/orders/1", nil)
	_, err = rt.RoundTrip(req)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, betaalkit.ErrTransport)
	assert.Len(t, next.sent, 1)
}

func TestEachAttemptHasItsOwnDeadline(t *testing.T) {
	var deadlines []time.Time
	next := &scripted{script: []func(*http.Request) (*http.Response, error){
		func(req *http.Request) (*http.Response, error) {
			d, ok := req.Context().Deadline()
			require.True(t, ok)
			deadlines = append(deadlines, d)
			return answer(503)(req)
		},
		func(req *http.Request) (*http.Response, error) {
			d, _ := req.Context().Deadline()
			deadlines = append(deadlines, d)
			return answer(200)(req)
		},
	}}
	rt, _ := newTestRetrier(next, Config{AttemptTimeout: time.Hour})
	before := time.Now()
	resp, err := send(t, rt, http.MethodGet)
	after := time.Now()
	require.NoError(t, err)
	require.Len(t, deadlines, 2)
	for _, d := range deadlines {
		// Never more than the timeout; less by at most a second (shared).
		assert.False(t, d.After(after.Add(time.Hour)), "%v is later than the timeout allows", d)
		assert.True(t, d.After(before.Add(time.Hour-time.Second)), "%v is too early", d)
	}
	// The deadline covers the body.
	ctx := resp.Request.Context()
	require.NoError(t, ctx.Err())
	resp.Body.Close()
}

// The usual context (it can never be canceled) gets a cheap attempt
// context: the caller's values, the attempt number, and a deadline shared
// with the attempts that started less than timeout/32 (at most a second)
// before; net/http's cancelation hooks into it as into any context.
func TestSharedAttemptDeadlines(t *testing.T) {
	const timeout = 3200 * time.Millisecond // shared for up to 100ms
	d := deadlines{timeout: timeout, share: min(timeout/32, time.Second)}
	start := time.Now()
	first := d.current(start)
	assert.Equal(t, start.Add(timeout), first.deadline)
	assert.Same(t, first, d.current(start.Add(99*time.Millisecond)), "shared within timeout/32")
	next := d.current(start.Add(100 * time.Millisecond))
	assert.NotSame(t, first, next)
	assert.Equal(t, start.Add(100*time.Millisecond+timeout), next.deadline)

	type key struct{}
	parent := context.WithValue(context.Background(), key{}, "value")
	ctx := d.attemptContext(parent, 2)
	assert.Equal(t, "value", ctx.Value(key{}))
	assert.Equal(t, 2, attemptOf(ctx))
	deadline, ok := ctx.Deadline()
	require.True(t, ok)
	assert.False(t, deadline.After(time.Now().Add(timeout)))
	require.NoError(t, ctx.Err())

	// A context derived from it (as net/http derives one per request)
	// ends with it, and its cause says why.
	child, cancel := context.WithCancel(ctx)
	defer cancel()
	short := deadlines{timeout: 20 * time.Millisecond, share: time.Millisecond}
	expiring := short.attemptContext(context.Background(), 1)
	grandchild, cancel2 := context.WithCancelCause(expiring)
	defer cancel2(nil)
	select {
	case <-grandchild.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the shared deadline did not end the derived context")
	}
	assert.ErrorIs(t, expiring.Err(), context.DeadlineExceeded)
	assert.ErrorIs(t, context.Cause(grandchild), context.DeadlineExceeded)
	assert.NoError(t, child.Err(), "another shared deadline is not affected")
}

// A real transport's attempt hangs past the timeout: it is given up and,
// being a GET, sent again.
func TestAHangingAttemptTimesOut(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	rt, _ := newTestRetrier(http.DefaultTransport, Config{AttemptTimeout: 200 * time.Millisecond})
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	start := time.Now()
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.EqualValues(t, 2, calls.Load())
	assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond-200*time.Millisecond/32)
}

func TestABodyThatCannotBeReplayedIsSentOnce(t *testing.T) {
	next := &scripted{script: []func(*http.Request) (*http.Response, error){fail(dialRefused), answer(200)}}
	rt, _ := newTestRetrier(next, Config{})
	req, _ := http.NewRequest(http.MethodPost, "https://api.example/v1/orders", io.NopCloser(strings.NewReader("{}")))
	req.GetBody = nil
	_, err := rt.RoundTrip(req)
	assert.Error(t, err)
	assert.Len(t, next.sent, 1)
}

func TestRetryPolicyDefaults(t *testing.T) {
	p := RetryPolicy{}.withDefaults()
	assert.Equal(t, RetryPolicy{MaxAttempts: 3, BaseDelay: 250 * time.Millisecond, MaxDelay: 5 * time.Second}, p)
	assert.Equal(t, 1, NoRetries.withDefaults().MaxAttempts)
}

func TestNewStacksRetriesSignerAndLog(t *testing.T) {
	var order []string
	base := &scripted{script: []func(*http.Request) (*http.Response, error){answer(503), answer(200)}}
	sign := func(next http.RoundTripper) (http.RoundTripper, error) {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			order = append(order, fmt.Sprintf("sign attempt %d", attemptOf(req.Context())))
			out := req.Clone(req.Context())
			out.Header.Set("Authorization", fmt.Sprintf("sig-%d", len(order)))
			return next.RoundTrip(out)
		}), nil
	}
	var logged strings.Builder
	rt, err := New(base, sign, Config{Provider: "test", Logger: newTextLogger(&logged, false), Retry: RetryPolicy{BaseDelay: time.Nanosecond}})
	require.NoError(t, err)
	_, err = send(t, rt, http.MethodGet)
	require.NoError(t, err)
	assert.Equal(t, []string{"sign attempt 1", "sign attempt 2"}, order, "each attempt is signed afresh")
	assert.Equal(t, "sig-1", base.sent[0].Header.Get("Authorization"))
	assert.Equal(t, "sig-2", base.sent[1].Header.Get("Authorization"))
	assert.Equal(t, 2, strings.Count(logged.String(), "http attempt"), "one line per attempt")

	_, err = New(nil, func(http.RoundTripper) (http.RoundTripper, error) { return nil, errors.New("no key") }, Config{})
	assert.EqualError(t, err, "no key")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

func TestASoonerCallerDeadlineBoundsTheAttempt(t *testing.T) {
	var got time.Time
	next := &scripted{script: []func(*http.Request) (*http.Response, error){func(req *http.Request) (*http.Response, error) {
		got, _ = req.Context().Deadline()
		return answer(200)(req)
	}}}
	rt, _ := newTestRetrier(next, Config{AttemptTimeout: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	want, _ := ctx.Deadline()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.example/v1/orders/1", nil)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	assert.Equal(t, want, got, "the caller's deadline, not a later one of ours")
	assert.Same(t, req, next.sent[0], "no context of ours was needed")
	resp.Body.Close()
}

func TestFinalErrorsAreNotRetried(t *testing.T) {
	// A token fetch that already used its own retries failed to dial.
	next := &scripted{script: []func(*http.Request) (*http.Response, error){fail(Final(fmt.Errorf("access token: %w", dialRefused))), answer(200)}}
	rt, _ := newTestRetrier(next, Config{})
	_, err := send(t, rt, http.MethodGet)
	require.Error(t, err)
	assert.Len(t, next.sent, 1)
	assert.ErrorIs(t, err, dialRefused, "the cause is kept")
	assert.Nil(t, Final(nil))
}

func TestACanceledWaitCountsTheAttemptsMade(t *testing.T) {
	next := &scripted{script: []func(*http.Request) (*http.Response, error){answer(503)}}
	rt, _ := newTestRetrier(next, Config{})
	calls := 0
	rt.sleep = func(context.Context, time.Duration) error {
		if calls++; calls == 2 {
			return context.Canceled
		}
		return nil
	}
	_, err := send(t, rt, http.MethodGet)
	var te *betaalkit.TransportError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 2, te.Attempts)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestNetHTTPDoesNotResendASignedRequest(t *testing.T) {
	var got []*http.Request
	base := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		got = append(got, req)
		return answer(200)(req)
	})
	for _, signed := range []bool{true, false} {
		got = nil
		rt, err := New(base, nil, Config{SignedPerAttempt: signed})
		require.NoError(t, err)
		_, err = send(t, rt, http.MethodGet)
		require.NoError(t, err)
		_, err = send(t, rt, http.MethodPost)
		require.NoError(t, err)
		get, post := got[0], got[1]
		if signed {
			assert.NotNil(t, get.Body, "a non-nil body without GetBody: net/http will not replay it")
			assert.NotEqual(t, http.NoBody, get.Body)
			assert.Nil(t, get.GetBody)
			assert.Zero(t, get.ContentLength)
			n, _ := get.Body.Read(make([]byte, 1))
			assert.Zero(t, n, "the body is empty")
		} else {
			assert.Nil(t, get.Body)
		}
		assert.NotNil(t, post.GetBody, "a body is left as it is")
	}
}

// NotSent is what lets a caller (checkout's failover) try another provider:
// true only when the connection could not be opened, through real sockets.
func TestTransportErrorSaysWhenNothingWasSent(t *testing.T) {
	post := func(t *testing.T, url string) *betaalkit.TransportError {
		t.Helper()
		rt, err := New(nil, nil, Config{Provider: "test", Retry: NoRetries})
		require.NoError(t, err)
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"amount":100}`))
		_, err = rt.RoundTrip(req)
		var te *betaalkit.TransportError
		require.ErrorAs(t, err, &te)
		return te
	}

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := closed.Addr().String()
	require.NoError(t, closed.Close())
	assert.True(t, post(t, "http://"+addr+"/orders").NotSent, "connection refused: nothing left")

	tlsOnly := httptestTLS(t)
	assert.True(t, post(t, tlsOnly+"/orders").NotSent, "TLS handshake failed (untrusted certificate): nothing left")

	// The server reads the whole request, then hangs up without answering.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = http.ReadRequest(bufioReader(c))
			c.Close()
		}
	}()
	assert.False(t, post(t, "http://"+ln.Addr().String()+"/orders").NotSent, "the request arrived: it may have been processed")
}
