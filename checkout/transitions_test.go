package checkout_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/checkout"
)

func at(s betaalkit.Status, t time.Time) *checkout.Payment {
	return &checkout.Payment{Provider: "p", ID: "1", Status: betaalkit.PaymentStatus{Status: s, Raw: string(s)}, UpdatedAt: t}
}

func TestNothingMovesAPaidPaymentBack(t *testing.T) {
	paidLike := []betaalkit.Status{betaalkit.StatusPaid, betaalkit.StatusPartiallyRefunded, betaalkit.StatusRefunded, betaalkit.StatusChargedBack}
	unpaid := []betaalkit.Status{betaalkit.StatusOpen, betaalkit.StatusPending, betaalkit.StatusAuthorized, betaalkit.StatusFailed, betaalkit.StatusCanceled, betaalkit.StatusExpired}
	for _, from := range paidLike {
		for _, to := range unpaid {
			assert.False(t, checkout.CanMove(from, to), "%s → %s", from, to)
			assert.Equal(t, checkout.Stale, checkout.Decide(checkout.Known{Status: from}, at(to, time.Time{})), "%s → %s", from, to)
		}
	}
	for _, from := range betaalkit.Statuses {
		assert.False(t, checkout.CanMove(from, betaalkit.StatusUnknown))
		assert.Equal(t, checkout.Stale, checkout.Decide(checkout.Known{Status: from}, at(betaalkit.StatusUnknown, time.Time{})), "unknown is never applied over %s", from)
		if from != betaalkit.StatusUnknown {
			assert.Equal(t, checkout.Duplicate, checkout.Decide(checkout.Known{Status: from}, at(from, time.Time{})))
		}
	}
	for _, c := range []struct{ from, to betaalkit.Status }{
		{betaalkit.StatusOpen, betaalkit.StatusPending}, {betaalkit.StatusPending, betaalkit.StatusPaid},
		{betaalkit.StatusAuthorized, betaalkit.StatusPaid}, {betaalkit.StatusExpired, betaalkit.StatusPaid},
		{betaalkit.StatusPaid, betaalkit.StatusPartiallyRefunded}, {betaalkit.StatusPartiallyRefunded, betaalkit.StatusRefunded},
		{betaalkit.StatusPaid, betaalkit.StatusChargedBack}, {"", betaalkit.StatusPending},
	} {
		assert.Equal(t, checkout.Apply, checkout.Decide(checkout.Known{Status: c.from}, at(c.to, time.Time{})), "%s → %s", c.from, c.to)
	}
	assert.False(t, checkout.CanMove(betaalkit.StatusRefunded, betaalkit.StatusPartiallyRefunded))
	assert.False(t, checkout.CanMove(betaalkit.StatusFailed, betaalkit.StatusPending), "a failed payment is not reopened")
}

func TestAnOlderEventIsStale(t *testing.T) {
	now := time.Now()
	known := checkout.Known{Status: betaalkit.StatusPending, At: now}
	assert.Equal(t, checkout.Stale, checkout.Decide(known, at(betaalkit.StatusCanceled, now.Add(-time.Minute))), "older than what the shop knows")
	assert.Equal(t, checkout.Apply, checkout.Decide(known, at(betaalkit.StatusCanceled, now.Add(time.Minute))))
	assert.Equal(t, checkout.Apply, checkout.Decide(known, at(betaalkit.StatusCanceled, time.Time{})), "no time: the order of statuses decides")
}

func TestTrackerFulfilsOnce(t *testing.T) {
	var fulfilled int
	tr := &checkout.Tracker{OnPaid: func(*checkout.Payment) { fulfilled++ }}
	for _, s := range []betaalkit.Status{betaalkit.StatusOpen, betaalkit.StatusPaid, betaalkit.StatusPaid, betaalkit.StatusPending,
		betaalkit.StatusPartiallyRefunded, betaalkit.StatusPaid, betaalkit.StatusRefunded} {
		tr.Observe(at(s, time.Time{}))
	}
	assert.Equal(t, 1, fulfilled)
	assert.Equal(t, betaalkit.StatusRefunded, tr.Status("p", "1"))

	late := &checkout.Tracker{OnPaid: func(*checkout.Payment) { fulfilled++ }}
	late.Observe(at(betaalkit.StatusExpired, time.Time{}))
	assert.Equal(t, checkout.Apply, late.Observe(at(betaalkit.StatusPaid, time.Time{})), "money that arrives after expiry counts")
	assert.Equal(t, 2, fulfilled)
}
