// Package transport is the HTTP layer every betaalkit client sends through:
// retries that never send a payment twice, a per-attempt timeout, and a
// request log with credentials, tokens and IBANs redacted.
//
// The layers, outermost first: retries (each attempt a fresh clone of the
// request), the provider's signer (so every attempt is signed anew, with a
// new nonce, timestamp and request id), the log (which sees the signed
// request, and redacts it), the caller's own RoundTripper.
package transport

import (
	"io"
	"log/slog"
	"net/http"
	"time"
)

// DefaultAttemptTimeout bounds one attempt when the caller's *http.Client
// has no Timeout of its own. The providers answer in seconds; a request
// hanging for longer is better given up and, if idempotent, retried.
const DefaultAttemptTimeout = 30 * time.Second

// RetryPolicy says how often and how patiently a request is retried. The
// zero value is the default policy.
//
// Which requests are retried is not configurable, because it is what keeps
// a payment from being made twice: GET, HEAD, OPTIONS and DELETE after a
// connection error, a timed-out attempt, or HTTP 429, 502, 503 or 504 (and
// the provider's own "try again" statuses, such as OPP's 409). Any other
// method (POST creates orders, payments and refunds) is retried only when
// the connection failed before a byte of the request was written.
type RetryPolicy struct {
	// MaxAttempts is how often a request may be sent in all (0: 3). 1 turns
	// retries off.
	MaxAttempts int
	// BaseDelay is the wait before the first retry (0: 250ms); each further
	// wait doubles, with jitter, up to MaxDelay.
	BaseDelay time.Duration
	// MaxDelay caps one wait (0: 5s). A Retry-After asking for longer ends
	// the retries: the answer is returned as it is.
	MaxDelay time.Duration
}

// NoRetries sends every request once.
var NoRetries = RetryPolicy{MaxAttempts: 1}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 3
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 250 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 5 * time.Second
	}
	return p
}

// Options are the transport settings every client takes (WithHTTPClient,
// WithRetry, WithLogger, WithAttemptTimeout).
type Options struct {
	// HTTPClient sends the requests (nil: http.DefaultClient). It is never
	// modified: the client works on a copy.
	HTTPClient *http.Client
	Retry      RetryPolicy
	// Logger, when set, gets one line per attempt: method, path, status,
	// duration and attempt number; with headers and bodies when its level
	// includes Debug. Secrets and IBANs (any case, any spacing) are
	// redacted. A Debug line quotes at most the first 16 KiB of the
	// response body, copied as the client reads it (the log never reads a
	// byte the client would not), and is written once the body has been
	// read or closed.
	Logger *slog.Logger
	// AttemptTimeout bounds each attempt. Zero: DefaultAttemptTimeout when
	// HTTPClient has no Timeout, else none (the client's Timeout governs).
	AttemptTimeout time.Duration
}

// Layer is what a signer looks like to the transport: given the
// RoundTripper below it, it returns the signing RoundTripper.
type Layer func(next http.RoundTripper) (http.RoundTripper, error)

// Config describes one client's stack (see New).
type Config struct {
	// Provider names the client in log lines, e.g. "buckaroo".
	Provider string
	Retry    RetryPolicy
	// RetryStatuses are further statuses that mean "not processed, try
	// again" at this provider; they are retried for idempotent methods only.
	RetryStatuses []int
	// AttemptTimeout bounds each attempt (zero: no bound).
	AttemptTimeout time.Duration
	Logger         *slog.Logger
	// Secrets are redacted wherever they would appear in a log line
	// (API keys, secret keys); well-known headers and fields are redacted
	// without being listed.
	Secrets []string
	// SignedPerAttempt says the signer makes every attempt unique (a nonce,
	// a request id). net/http resends an idempotent request by itself when
	// a reused connection breaks, below the signer, with the same
	// signature; for such signers that resend is turned off, so every
	// attempt goes through the retrier and is signed anew.
	SignedPerAttempt bool
}

// New stacks retries, the signer and logging on base (nil:
// http.DefaultTransport).
func New(base http.RoundTripper, sign Layer, cfg Config) (http.RoundTripper, error) {
	if base == nil {
		base = http.DefaultTransport
	}
	next := base
	if cfg.SignedPerAttempt {
		next = noHiddenResend{next}
	}
	if cfg.Logger != nil {
		next = newLogger(next, cfg)
	}
	if sign != nil {
		signed, err := sign(next)
		if err != nil {
			return nil, err
		}
		next = signed
	}
	return newRetrier(next, cfg), nil
}

// noHiddenResend makes a bodiless request look unreplayable to net/http
// (a non-nil empty body without GetBody), which sends exactly the same
// bytes but will not resend it on its own after a broken keep-alive
// connection. Only requests whose signature must not be sent twice pay
// for net/http's probe of the empty body.
type noHiddenResend struct{ next http.RoundTripper }

func (n noHiddenResend) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		out := *req
		out.Body, out.GetBody, out.ContentLength = emptyBody{}, nil, 0
		return n.next.RoundTrip(&out)
	}
	return n.next.RoundTrip(req)
}

type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }

func (emptyBody) Close() error { return nil }
