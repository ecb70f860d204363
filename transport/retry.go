package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/betaalkit/betaalkit"
)

// retrier sends a request up to MaxAttempts times (see RetryPolicy for
// which requests and why).
type retrier struct {
	next     http.RoundTripper
	policy   RetryPolicy
	statuses []int
	timeout  time.Duration
	logging  bool // put the attempt number in the context for the log layer
	// deadlines hands out the attempt timeouts of calls whose context can
	// never be canceled (see attemptContext).
	deadlines deadlines
	// Seams for tests: how a wait is spent, and the jitter source.
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func(n int64) int64
}

func newRetrier(next http.RoundTripper, cfg Config) *retrier {
	return &retrier{
		next:     next,
		policy:   cfg.Retry.withDefaults(),
		statuses: cfg.RetryStatuses,
		timeout:  cfg.AttemptTimeout,
		logging:  cfg.Logger != nil,
		deadlines: deadlines{
			timeout: cfg.AttemptTimeout,
			share:   min(cfg.AttemptTimeout/32, time.Second),
		},
		sleep:  sleep,
		jitter: rand.Int64N,
	}
}

type attemptKey struct{}

// attemptOf is the attempt number the retrier put in ctx (1 if none).
func attemptOf(ctx context.Context) int {
	if n, ok := ctx.Value(attemptKey{}).(int); ok {
		return n
	}
	return 1
}

func (t *retrier) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	idempotent := Idempotent(req.Method)
	// A body that cannot be read again is sent once.
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	for attempt := 1; ; attempt++ {
		out, cancel, err := t.prepare(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := t.next.RoundTrip(out)
		last := attempt >= t.policy.MaxAttempts || !replayable
		if err != nil {
			if cancel != nil {
				cancel()
			}
			if ctx.Err() != nil {
				return nil, &betaalkit.TransportError{Attempts: attempt, Err: err}
			}
			// A failed dial wrote nothing, so even a POST may go again.
			retry := !last && (idempotent && isNetworkError(err) || isDialError(err))
			if !retry {
				return nil, transportError(err, attempt)
			}
		} else {
			if cancel != nil {
				resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
			}
			if last || !idempotent || !t.retryStatus(resp.StatusCode) {
				return resp, nil
			}
		}
		wait, ok := t.wait(attempt, resp)
		if !ok {
			return resp, nil // the server asked for a longer pause than we allow
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		if err := t.sleep(ctx, wait); err != nil {
			return nil, &betaalkit.TransportError{Attempts: attempt, Err: err}
		}
	}
}

// prepare makes attempt n's request: a clone with a fresh body after the
// first, with the attempt timeout and number in its context. cancel is nil
// when the attempt has no timeout of its own to release (none of ours, or
// a shared deadline).
func (t *retrier) prepare(req *http.Request, attempt int) (*http.Request, context.CancelFunc, error) {
	var cancel context.CancelFunc // nil: no timeout of our own to release
	ctx := req.Context()
	// A caller's deadline that comes sooner already bounds the attempt.
	timeout := t.timeout > 0
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= t.timeout {
		timeout = false
	}
	switch {
	case timeout && ctx.Done() == nil:
		// The usual case (no deadline, no cancelation): a shared deadline,
		// whose context carries the attempt number too.
		ctx = t.deadlines.attemptContext(ctx, attempt)
	case timeout:
		ctx, cancel = context.WithTimeout(ctx, t.timeout)
		fallthrough
	default:
		if t.logging {
			ctx = context.WithValue(ctx, attemptKey{}, attempt)
		}
	}
	if attempt == 1 {
		if ctx == req.Context() {
			return req, cancel, nil // nil: no context of ours
		}
		return req.WithContext(ctx), cancel, nil
	}
	out := req.Clone(ctx)
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			if cancel != nil {
				cancel()
			}
			return nil, nil, err
		}
		out.Body = body
	}
	return out, cancel, nil
}

// deadlines bounds attempts whose caller's context can never be canceled
// (context.Background and its values, the usual case) at nearly no cost:
// an attempt shares the deadline of attempts that started less than share
// (1/32 of the timeout, at most a second) before it, so it is given between
// timeout-share and timeout, never more. The shared deadline is one
// context.WithDeadline, which net/http's cancelation hooks into as it does
// into any other; nothing of an attempt needs releasing when it ends. That
// spares each attempt what a context.WithTimeout of its own costs: the
// context, its timer, its cancel function, its Done channel, the registry
// of its children and the response body wrapper that stops it (about 9
// allocations in a call of some 120).
type deadlines struct {
	timeout, share time.Duration
	mu             sync.Mutex // held to replace cur
	cur            atomic.Pointer[sharedDeadline]
}

// sharedDeadline is a context.WithDeadline shared by attempts.
type sharedDeadline struct {
	ctx      context.Context
	cancel   context.CancelFunc // never called: the deadline releases it
	deadline time.Time
}

// attemptContext is attempt n's context: parent's values, and a deadline
// at most d.timeout from now. parent must never be canceled (its Done is
// nil), so the deadline is its only end.
func (d *deadlines) attemptContext(parent context.Context, n int) context.Context {
	return &attemptCtx{Context: d.current(time.Now()).ctx, values: parent, attempt: n}
}

// current is the shared deadline an attempt starting at now joins: one that
// falls within (now+timeout-share, now+timeout], made if there is none.
func (d *deadlines) current(now time.Time) *sharedDeadline {
	latest := now.Add(d.timeout)
	fits := func(s *sharedDeadline) bool {
		return s != nil && s.deadline.After(latest.Add(-d.share)) && !s.deadline.After(latest)
	}
	if s := d.cur.Load(); fits(s) {
		return s
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if s := d.cur.Load(); fits(s) {
		return s
	}
	s := &sharedDeadline{deadline: latest}
	s.ctx, s.cancel = context.WithDeadline(context.Background(), latest)
	d.cur.Store(s)
	return s
}

// attemptCtx is an attempt's context when the caller's cannot be canceled:
// Deadline, Done and Err are the shared deadline's; values are the
// caller's, and the attempt number for the log layer.
type attemptCtx struct {
	context.Context                 // the shared deadline
	values          context.Context // the caller's
	attempt         int
}

func (c *attemptCtx) Value(key any) any {
	if key == (attemptKey{}) {
		return c.attempt
	}
	if v := c.values.Value(key); v != nil {
		return v
	}
	// The shared deadline answers only context's own lookup of the
	// cancelable context it derives from, which lets net/http hook its
	// cancelation into it.
	return c.Context.Value(key)
}

func (t *retrier) retryStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return slices.Contains(t.statuses, status)
}

// wait is the pause before attempt+1: the server's Retry-After when it
// gives one (ok is false if that is longer than MaxDelay), else capped
// exponential backoff with jitter (half fixed, half random).
func (t *retrier) wait(attempt int, resp *http.Response) (d time.Duration, ok bool) {
	if resp != nil {
		if after, given := retryAfter(resp.Header.Get("Retry-After"), time.Now()); given {
			return after, after <= t.policy.MaxDelay
		}
	}
	d = t.policy.BaseDelay << min(attempt-1, 20)
	if d <= 0 || d > t.policy.MaxDelay {
		d = t.policy.MaxDelay
	}
	half := d / 2
	return half + time.Duration(t.jitter(int64(d-half)+1)), true
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(secs, 0)) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// Idempotent reports whether sending a request with this method twice has
// the effect of sending it once: GET, HEAD, OPTIONS and DELETE, the methods
// retried after a failed attempt (see RetryPolicy). The clients follow no
// redirect of any other.
func Idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodDelete:
		return true
	}
	return false
}

// isNetworkError reports a failure of the connection or the attempt's
// timeout, as opposed to a signer's or verifier's refusal (which a retry
// would not change).
func isNetworkError(err error) bool {
	var netErr net.Error
	var final *finalError
	switch {
	case errors.As(err, &final),
		errors.Is(err, betaalkit.ErrVerification), errors.Is(err, betaalkit.ErrAPI),
		errors.Is(err, betaalkit.ErrDecode), errors.Is(err, betaalkit.ErrInvalidRequest):
		return false
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &netErr):
		return true
	}
	return false
}

// isDialError reports a failure to open the connection (refused, no such
// host, dial timeout, TLS handshake): no byte of the request can have been
// written, as none can be without a connection.
func isDialError(err error) bool {
	var final *finalError
	if errors.As(err, &final) {
		return false
	}
	var opErr *net.OpError
	var dnsErr *net.DNSError
	var recordErr tls.RecordHeaderError
	var alert tls.AlertError
	var verify *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &opErr) && opErr.Op == "dial" ||
		errors.As(err, &dnsErr) || errors.As(err, &recordErr) || errors.As(err, &alert) ||
		errors.As(err, &verify) || errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.Is(err, syscall.ECONNREFUSED)
}

// transportError marks a connection failure as betaalkit.ErrTransport with
// the number of attempts; a signer's or verifier's error passes unchanged.
func transportError(err error, attempts int) error {
	dial := isDialError(err)
	if !isNetworkError(err) && !dial {
		return err
	}
	return &betaalkit.TransportError{Attempts: attempts, Err: err, NotSent: dial}
}

// cancelOnClose ends an attempt's timeout context once its body is closed:
// the timeout covers reading the body too.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// Final marks an error a layer below the retrier has already retried as
// far as it should (e.g. a token fetch with retries of its own), so this
// retrier does not send the request again because of it.
func Final(err error) error {
	if err == nil {
		return nil
	}
	return &finalError{err}
}

type finalError struct{ err error }

func (e *finalError) Error() string { return e.err.Error() }

func (e *finalError) Unwrap() error { return e.err }
