package ideal2

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/ideal2"
	"github.com/betaalkit/betaalkit/money"
)

// The payment statuses of the routing service (see NormalizeStatus for what
// each means in betaalkit's vocabulary). A status the routing service adds
// later still decodes, as a PaymentStatus none of these equal.
const (
	PaymentStatusOpen                = gen.PaymentStatusOpen
	PaymentStatusSettlementCompleted = gen.PaymentStatusSettlementCompleted
	PaymentStatusCancelled           = gen.PaymentStatusCancelled
	PaymentStatusExpired             = gen.PaymentStatusExpired
	PaymentStatusError               = gen.PaymentStatusError
)

// NormalizeStatus maps a routing service payment status onto betaalkit's:
//
//	Open                 → open (the customer has not finished at the bank)
//	SettlementCompleted  → paid
//	Cancelled            → canceled
//	Expired              → expired
//	Error                → failed
//	anything else        → unknown (never paid, never final)
func NormalizeStatus(raw string) betaalkit.Status {
	switch PaymentStatus(raw) {
	case PaymentStatusOpen:
		return betaalkit.StatusOpen
	case PaymentStatusSettlementCompleted:
		return betaalkit.StatusPaid
	case PaymentStatusCancelled:
		return betaalkit.StatusCanceled
	case PaymentStatusExpired:
		return betaalkit.StatusExpired
	case PaymentStatusError:
		return betaalkit.StatusFailed
	}
	return betaalkit.StatusUnknown
}

// StatusOf is a status answer's (or notification's) payment status,
// normalized and raw. A nil p is StatusUnknown.
func StatusOf(p *PaymentStatusResponse) betaalkit.PaymentStatus {
	if p == nil {
		return betaalkit.PaymentStatus{Status: betaalkit.StatusUnknown}
	}
	raw := string(p.CommonPaymentData.PaymentStatus)
	return betaalkit.PaymentStatus{Status: NormalizeStatus(raw), Raw: raw}
}

// PaymentURL is where to send the customer to pay: the created payment's
// Links.RedirectUrl ("" for a nil p).
func PaymentURL(p *PaymentInitiationResponse) string {
	if p == nil {
		return ""
	}
	return p.Links.RedirectURL.Href
}

// AmountOf is the amount a status answer or notification reports, in
// cents: its GuaranteedAmount, which the routing service sends with a
// settled payment. It fails when there is none, or when it is not a whole
// number of cents.
func AmountOf(p *PaymentStatusResponse) (money.Cents, error) {
	if p == nil || p.CommonPaymentData.GuaranteedAmount == (money.DecimalString{}) {
		return 0, errors.New("ideal2: the payment status has no GuaranteedAmount (it comes with a settled payment)")
	}
	cents, err := p.CommonPaymentData.GuaranteedAmount.Cents()
	if err != nil {
		return 0, fmt.Errorf("ideal2: GuaranteedAmount: %w", err)
	}
	return cents, nil
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

// WaitForFinalStatus polls GetPayment, backing off between attempts, until
// the payment's status is final (StatusOf(st).IsFinal()) or ctx ends (then
// it returns ctx's error together with the last status seen, which may be
// nil). Transport failures and 5xx/429 answers are retried; any other
// error — including a response that fails verification — ends the wait.
func (c *Client) WaitForFinalStatus(ctx context.Context, paymentID string) (*PaymentStatusResponse, error) {
	var last *PaymentStatusResponse
	for attempt := 1; ; attempt++ {
		st, err := c.GetPayment(ctx, paymentID)
		switch {
		case err == nil:
			last = st
			if StatusOf(st).IsFinal() {
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
	// A forged or undecodable answer, or a bad argument, will not get
	// better by asking again; anything else is a transport failure.
	return !errors.Is(err, betaalkit.ErrVerification) && !errors.Is(err, betaalkit.ErrDecode) && !errors.Is(err, betaalkit.ErrInvalidRequest)
}
