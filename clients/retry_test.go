package clients_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/syncbuf"
	"github.com/betaalkit/betaalkit/transport"
)

// failureMode is one way a request can fail at the server.
type failureMode struct {
	name  string
	fault fault
	// status is the HTTP status the client reports (0: no answer, a
	// transport failure).
	status int
	// attemptTimeout is set for the hanging server.
	attemptTimeout time.Duration
}

func answerMode(status int, retryAfter string) failureMode {
	name := fmt.Sprint(status)
	if retryAfter != "" {
		name += " Retry-After " + retryAfter
	}
	return failureMode{name: name, fault: fault{kind: answer, status: status, retryAfter: retryAfter}, status: status}
}

var connectionModes = []failureMode{
	{name: "closed after the sandbox handled it", fault: fault{kind: closeAfterSandbox}},
	{name: "closed after the headers", fault: fault{kind: closeAfterHeaders}},
	{name: "reset", fault: fault{kind: reset}},
}

// postAttemptTimeout bounds the hanging create; nothing has to succeed
// within it but iDEAL's token request, fetched before the fault.
const postAttemptTimeout = time.Second

// getAttemptTimeout must let the retried GET succeed under -race.
const getAttemptTimeout = 2 * time.Second

// TestPOSTIsNeverSentTwice: whatever goes wrong after the first byte of a
// create is written, it arrives exactly once, and the error says what
// happened. The client would retry (five attempts allowed, no backoff).
func TestPOSTIsNeverSentTwice(t *testing.T) {
	t.Parallel()
	modes := []failureMode{
		answerMode(http.StatusTooManyRequests, ""),
		answerMode(http.StatusInternalServerError, ""),
		answerMode(http.StatusBadGateway, ""),
		answerMode(http.StatusServiceUnavailable, ""),
		answerMode(http.StatusServiceUnavailable, "0"),
		answerMode(http.StatusGatewayTimeout, ""),
		answerMode(http.StatusConflict, ""),
	}
	modes = append(modes, connectionModes...)
	modes = append(modes, failureMode{name: "server hangs past the attempt timeout", fault: fault{kind: hang}, attemptTimeout: postAttemptTimeout})

	forEachProvider(t, func(t *testing.T, p provider) {
		fs := newFaultServer(t, p)
		var logs syncbuf.Buffer
		for _, m := range modes {
			t.Run(m.name, func(t *testing.T) {
				c := fs.client(t, clientOptions{Retry: fastRetry(5), AttemptTimeout: m.attemptTimeout, Logger: debugLogger(&logs)})
				warm(t, c)
				fs.resetCounts()
				fs.inject(create, m.fault)

				_, err := c.Create(context.Background())
				require.Error(t, err)
				assert.Equal(t, 1, fs.count(create), "the POST arrived once")
				t.Logf("%s: %d arrival(s): %v", m.name, fs.count(create), err)

				if m.status != 0 {
					assertAnswered(t, p, fs, create, err, m.status)
					return
				}
				assertTransport(t, err, 1)
				switch m.fault.kind {
				case closeAfterSandbox:
					st := fs.sandboxStatuses(create)
					require.Len(t, st, 1)
					assert.True(t, st[0] == http.StatusOK || st[0] == http.StatusCreated, "the sandbox made the payment (HTTP %d), the client never heard", st[0])
				case hang:
					assert.ErrorIs(t, err, context.DeadlineExceeded)
				}
			})
		}

		// The one failure a POST is retried after: the connection was
		// refused, so nothing was written.
		t.Run("dial refused", func(t *testing.T) {
			var d flakyDialer
			tr := d.transport()
			defer tr.CloseIdleConnections()
			c := fs.client(t, clientOptions{HTTPClient: &http.Client{Transport: tr}, Retry: fastRetry(3)})
			warm(t, c)
			tr.CloseIdleConnections()
			fs.resetCounts()
			d.armed.Store(true)

			id, err := c.Create(context.Background())
			require.NoError(t, err, "the POST is retried after a refused dial")
			assert.NotEmpty(t, id)
			assert.Equal(t, int32(1), d.failed.Load(), "the first dial failed")
			assert.Equal(t, 1, fs.count(create), "the POST arrived once")
			t.Logf("dial refused: %d dial(s), %d arrival(s)", d.dials.Load(), fs.count(create))
		})
	})
}

// assertAnswered checks the error of a call the server answered with status.
func assertAnswered(t *testing.T, p provider, fs *faultServer, c call, err error, status int) {
	t.Helper()
	assert.ErrorIs(t, err, betaalkit.ErrAPI)
	assert.NotErrorIs(t, err, betaalkit.ErrTransport)
	assert.NotErrorIs(t, err, betaalkit.ErrDecode)
	own, ok := p.asError(err)
	require.True(t, ok, "errors.As *%s.Error: %v", p.name, err)
	assert.Equal(t, status, own.HTTPStatus())
	var apiErr betaalkit.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, p.name, apiErr.Provider())
	assert.Equal(t, status, apiErr.HTTPStatus())
	_, body := fs.last(c)
	assert.Equal(t, string(body), string(apiErr.ResponseBody()), "the last answer's body")
}

// assertTransport checks the error of a call that got no answer.
func assertTransport(t *testing.T, err error, attempts int) {
	t.Helper()
	assert.ErrorIs(t, err, betaalkit.ErrTransport)
	assert.NotErrorIs(t, err, betaalkit.ErrAPI)
	var te *betaalkit.TransportError
	if assert.ErrorAs(t, err, &te) {
		assert.Equal(t, attempts, te.Attempts, "attempts")
	}
}

// TestGETIsRetried: a status look-up is retried after every failure that
// says "not processed" or leaves the outcome unknown, each attempt signed
// afresh, and succeeds on the next attempt.
func TestGETIsRetried(t *testing.T) {
	t.Parallel()
	retried := []failureMode{
		answerMode(http.StatusTooManyRequests, ""),
		answerMode(http.StatusBadGateway, ""),
		answerMode(http.StatusServiceUnavailable, ""),
		answerMode(http.StatusServiceUnavailable, "0"),
		answerMode(http.StatusGatewayTimeout, ""),
	}
	retried = append(retried, failureMode{name: "server hangs past the attempt timeout", fault: fault{kind: hang}, attemptTimeout: getAttemptTimeout})

	forEachProvider(t, func(t *testing.T, p provider) {
		fs := newFaultServer(t, p)
		var logs syncbuf.Buffer
		c := fs.client(t, clientOptions{Retry: fastRetry(3)})
		id, err := c.Create(context.Background())
		require.NoError(t, err)

		modes := slices.Clone(retried)
		for _, s := range p.retryStatuses {
			modes = append(modes, answerMode(s, ""))
		}
		for _, m := range modes {
			t.Run(m.name, func(t *testing.T) {
				c := fs.client(t, clientOptions{Retry: fastRetry(3), AttemptTimeout: m.attemptTimeout, Logger: debugLogger(&logs)})
				warm(t, c)
				fs.resetCounts()
				fs.inject(get, m.fault)

				require.NoError(t, c.Get(context.Background(), id), "the retry succeeds")
				assert.Equal(t, 2, fs.count(get), "one failed attempt, one retry")
				t.Logf("%s: %d arrival(s)", m.name, fs.count(get))
				assertSignedAfresh(t, p, fs.attempts(get))
			})
		}

		notRetried := []int{http.StatusInternalServerError, http.StatusBadRequest}
		if !slices.Contains(p.retryStatuses, http.StatusConflict) {
			notRetried = append(notRetried, http.StatusConflict)
		}
		for _, status := range notRetried {
			t.Run(fmt.Sprintf("%d is not retried", status), func(t *testing.T) {
				fs.resetCounts()
				fs.inject(get, fault{kind: answer, status: status})
				err := c.Get(context.Background(), id)
				require.Error(t, err)
				assert.Equal(t, 1, fs.count(get))
				assertAnswered(t, p, fs, get, err, status)
			})
		}

		t.Run("every attempt fails", func(t *testing.T) {
			const attempts = 4
			c := fs.client(t, clientOptions{Retry: fastRetry(attempts)})
			warm(t, c)
			fs.resetCounts()
			for range attempts + 1 {
				fs.inject(get, fault{kind: answer, status: http.StatusServiceUnavailable})
			}
			err := c.Get(context.Background(), id)
			require.Error(t, err)
			assert.Equal(t, attempts, fs.count(get), "MaxAttempts arrivals")
			assertAnswered(t, p, fs, get, err, http.StatusServiceUnavailable)
			own, _ := p.asError(err)
			assert.Contains(t, string(own.ResponseBody()), fmt.Sprintf(`"arrival": %d`, attempts), "the last answer is returned")
		})

		t.Run("Retry-After beyond MaxDelay ends the retries", func(t *testing.T) {
			fs.resetCounts()
			fs.inject(get, fault{kind: answer, status: http.StatusServiceUnavailable, retryAfter: "3600"})
			err := c.Get(context.Background(), id)
			require.Error(t, err)
			assert.Equal(t, 1, fs.count(get))
			assertAnswered(t, p, fs, get, err, http.StatusServiceUnavailable)
		})

		t.Run("NoRetries", func(t *testing.T) {
			c := fs.client(t, clientOptions{Retry: transport.NoRetries})
			warm(t, c)
			fs.resetCounts()
			fs.inject(get, fault{kind: answer, status: http.StatusServiceUnavailable})
			err := c.Get(context.Background(), id)
			assert.Equal(t, 1, fs.count(get))
			assertAnswered(t, p, fs, get, err, http.StatusServiceUnavailable)
		})
	})
}

// TestGETIsRetriedAfterConnectionFailure: a status look-up whose
// connection closes or resets before the answer is retried by the
// retrier, signed afresh (new Buckaroo nonce, new iDEAL X-Request-ID and
// Signature), and nothing else resends it: every arrival is one attempt.
//
// net/http's Transport resends a GET by itself when a reused keep-alive
// connection fails before the first response byte (shouldRetryRequest:
// transportReadFromServerError or errServerClosedIdle, for any replayable
// request). That resend happens below the signer, so it carries the very
// same signature, nonce and request id: Buckaroo refuses it as a replay
// (HTTP 401 "nonce was used before", an ErrAPI instead of a retry) when
// the first copy reached it, and arrivals exceed MaxAttempts. So for
// signers with a nonce or request id, transport turns that resend off
// (Config.SignedPerAttempt). For a static credential the resend is the same
// harmless GET; turning it off costs net/http's body probe (11 allocations
// a call), so there a broken keep-alive connection may add wire sends
// beyond MaxAttempts, never more than one per attempt.
func TestGETIsRetriedAfterConnectionFailure(t *testing.T) {
	t.Parallel()
	forEachProvider(t, func(t *testing.T, p provider) {
		fs := newFaultServer(t, p)
		c := fs.client(t, clientOptions{Retry: fastRetry(3)})
		id, err := c.Create(context.Background())
		require.NoError(t, err)
		for _, m := range connectionModes {
			t.Run(m.name, func(t *testing.T) {
				// The create above left a keep-alive connection to reuse.
				fs.resetCounts()
				fs.inject(get, m.fault)
				require.NoError(t, c.Get(context.Background(), id), "the retry succeeds")
				assert.Equal(t, 2, fs.count(get), "one failed attempt, one retry")
				t.Logf("%s: %d arrival(s)", m.name, fs.count(get))
				assertSignedAfresh(t, p, fs.attempts(get))
			})
		}

		t.Run("every attempt is cut off", func(t *testing.T) {
			fs.resetCounts()
			for range 6 {
				fs.inject(get, fault{kind: reset})
			}
			err := c.Get(context.Background(), id)
			if p.nonce {
				assert.Equal(t, 3, fs.count(get), "MaxAttempts arrivals, no hidden resend")
			} else {
				assert.GreaterOrEqual(t, fs.count(get), 3)
				assert.LessOrEqual(t, fs.count(get), 6, "at most one resend by net/http per attempt")
			}
			require.Error(t, err, "three attempts, three resets")
			assertTransport(t, err, 3)
		})
	})
}

// assertSignedAfresh checks that every attempt carried credentials and,
// where the scheme has a nonce, time or request id, that no two attempts
// carried the same.
func assertSignedAfresh(t *testing.T, p provider, attempts []http.Header) {
	t.Helper()
	seen := map[string]bool{}
	for i, h := range attempts {
		present, unique := p.credentials(h)
		assert.True(t, present, "attempt %d carries credentials", i+1)
		if p.nonce {
			assert.False(t, seen[unique], "attempt %d is signed afresh, not replayed", i+1)
			seen[unique] = true
		}
	}
}

// TestCanceledContextStopsRetries: once the caller's context is canceled,
// no further attempt is sent, whether it ends during the pause before a
// retry or while an attempt is on the wire.
func TestCanceledContextStopsRetries(t *testing.T) {
	t.Parallel()
	// An hour's backoff: only the cancellation can end the wait.
	patient := transport.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}
	forEachProvider(t, func(t *testing.T, p provider) {
		fs := newFaultServer(t, p)
		c := fs.client(t, clientOptions{Retry: patient})
		id, err := c.Create(context.Background())
		require.NoError(t, err)

		for _, tc := range []struct {
			name string
			call call
			kind faultKind
		}{
			{"get canceled during the backoff", get, cancelThenAnswer},
			{"get canceled on the wire", get, cancelThenHang},
			{"create canceled on the wire", create, cancelThenHang},
		} {
			t.Run(tc.name, func(t *testing.T) {
				fs.resetCounts()
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				fs.inject(tc.call, fault{kind: tc.kind, status: http.StatusServiceUnavailable, cancel: cancel})
				if tc.call == get {
					err = c.Get(ctx, id)
				} else {
					_, err = c.Create(ctx)
				}
				require.Error(t, err)
				assert.Equal(t, 1, fs.count(tc.call), "no attempt after the cancellation")
				assert.ErrorIs(t, err, context.Canceled)
				assert.ErrorIs(t, err, betaalkit.ErrTransport)
				assert.NotErrorIs(t, err, betaalkit.ErrAPI)
				assert.False(t, errors.Is(err, context.DeadlineExceeded))
			})
		}
	})
}

// cancelOnGet is a caller's base transport that cancels the call's context
// as soon as the n-th GET's answer has arrived: the retrier then meets the
// cancellation in its pause before the next attempt.
type cancelOnGet struct {
	next   http.RoundTripper
	n      int32
	seen   atomic.Int32
	cancel context.CancelFunc
}

func (c *cancelOnGet) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if req.Method == http.MethodGet && c.seen.Add(1) == c.n {
		c.cancel()
	}
	return resp, err
}

// TestCanceledBackoffReportsAttempts: a call canceled while it waits to
// retry says how often it was sent (TransportError.Attempts), as a call
// that fails on the wire does.
func TestCanceledBackoffReportsAttempts(t *testing.T) {
	t.Parallel()
	patient := transport.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}
	forEachProvider(t, func(t *testing.T, p provider) {
		fs := newFaultServer(t, p)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		base := &cancelOnGet{next: http.DefaultTransport, n: 2, cancel: cancel}
		c := fs.client(t, clientOptions{Retry: patient, HTTPClient: &http.Client{Transport: base}})
		id, err := c.Create(context.Background())
		require.NoError(t, err)

		// The first 503 asks for an immediate retry; after the second the
		// retrier would wait an hour, but the context ends first.
		fs.inject(get, fault{kind: answer, status: http.StatusServiceUnavailable, retryAfter: "0"},
			fault{kind: answer, status: http.StatusServiceUnavailable})
		err = c.Get(ctx, id)
		require.Error(t, err)
		assert.Equal(t, 2, fs.count(get))
		assert.ErrorIs(t, err, context.Canceled)
		assertTransport(t, err, 2)
	})
}
