package ideal2

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/betaalkit/betaalkit/internal/apiclient"
)

// Payment statuses. The set is open: a value the routing service adds later
// decodes as it is, so compare with these rather than switching exhaustively.
const (
	StatusOpen                = "Open"
	StatusSettlementCompleted = "SettlementCompleted"
	StatusCancelled           = "Cancelled"
	StatusExpired             = "Expired"
	StatusError               = "Error"
)

// IsFinal reports whether a payment status will not change any more. Open
// and unknown statuses are not final, so a poller keeps asking.
func IsFinal(status string) bool {
	switch status {
	case StatusSettlementCompleted, StatusCancelled, StatusExpired, StatusError:
		return true
	}
	return false
}

// DefaultPollBackoff waits 1s, 2s, 4s, … between status polls, at most 30s.
func DefaultPollBackoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	if attempt > 6 {
		return 30 * time.Second
	}
	return min(time.Second<<(attempt-1), 30*time.Second)
}

// WaitForFinalStatus polls PaymentStatus, backing off between attempts,
// until the payment reaches a final status or ctx ends (then it returns
// ctx's error together with the last status seen, which may be nil).
// Transport failures and 5xx/429 answers are retried; any other error —
// including a response that fails verification — ends the wait.
func (c *Client) WaitForFinalStatus(ctx context.Context, paymentID string) (*PaymentStatusResponse, error) {
	var last *PaymentStatusResponse
	for attempt := 1; ; attempt++ {
		st, err := c.PaymentStatus(ctx, paymentID)
		switch {
		case err == nil:
			last = st
			if IsFinal(st.CommonPaymentData.PaymentStatus) {
				return st, nil
			}
		case ctx.Err() != nil:
			return last, ctx.Err()
		case !retryable(err):
			return last, err
		}
		t := time.NewTimer(c.backoff(attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return last, fmt.Errorf("ideal2: waiting for payment %s: %w", paymentID, ctx.Err())
		case <-t.C:
		}
	}
}

func retryable(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests
	}
	var ve *VerifyError
	var de *apiclient.DecodeError
	var fe *apiclient.FieldError
	// A forged or undecodable answer, or a bad argument, will not get
	// better by asking again; anything else is a transport failure.
	return !errors.As(err, &ve) && !errors.As(err, &de) && !errors.As(err, &fe)
}
