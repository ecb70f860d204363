package buckaroo

import (
	"io"
	"net/http"
	"strconv"
	"time"
)

// maxRetryAfter caps a server's Retry-After, so one answer cannot stall a caller.
const maxRetryAfter = 30 * time.Second

// retryTransport retries a request Buckaroo did not process: 429 always,
// and 503 for a GET. A POST answered 503 is retried only when the answer
// carries Retry-After (the service itself said it was unavailable): a bare
// 503 may come from a proxy after Buckaroo created the transaction, and
// Buckaroo has no idempotency key, so resending could charge twice. It sits
// above the signer, so every attempt gets a new nonce and timestamp. A body
// without GetBody is sent once only.
type retryTransport struct {
	base    http.RoundTripper
	retries int
	backoff func(attempt int, resp *http.Response) time.Duration
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	for attempt := 0; ; attempt++ {
		out := req
		if attempt > 0 {
			out = req.Clone(req.Context())
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				out.Body = body
			}
		}
		resp, err := t.base.RoundTrip(out)
		if err != nil || attempt >= t.retries || !replayable || !retryable(req.Method, resp) {
			return resp, err
		}
		wait := t.backoff(attempt+1, resp)
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-req.Context().Done():
				timer.Stop()
				return nil, req.Context().Err()
			case <-timer.C:
			}
		}
	}
}

func retryable(method string, resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return true
	case http.StatusServiceUnavailable:
		return method == http.MethodGet || resp.Header.Get("Retry-After") != ""
	}
	return false
}

func defaultBackoff(attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs >= 0 {
			return min(time.Duration(secs)*time.Second, maxRetryAfter)
		}
	}
	return (500 * time.Millisecond) << min(attempt-1, 6)
}
