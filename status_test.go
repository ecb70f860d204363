package betaalkit_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/betaalkit/betaalkit"
)

func TestStatusPredicates(t *testing.T) {
	final := map[betaalkit.Status]bool{
		betaalkit.StatusPaid: true, betaalkit.StatusFailed: true, betaalkit.StatusCanceled: true, betaalkit.StatusExpired: true,
		betaalkit.StatusRefunded: true, betaalkit.StatusPartiallyRefunded: true, betaalkit.StatusChargedBack: true,
	}
	paid := map[betaalkit.Status]bool{betaalkit.StatusPaid: true, betaalkit.StatusPartiallyRefunded: true}
	failure := map[betaalkit.Status]bool{betaalkit.StatusFailed: true, betaalkit.StatusCanceled: true, betaalkit.StatusExpired: true}
	assert.Len(t, betaalkit.Statuses, 11)
	for _, s := range betaalkit.Statuses {
		p := betaalkit.PaymentStatus{Status: s, Raw: "x"}
		assert.Equal(t, final[s], p.IsFinal(), "%s final", s)
		assert.Equal(t, paid[s], p.IsPaid(), "%s paid", s)
		assert.Equal(t, failure[s], p.IsFailure(), "%s failure", s)
	}
	unknown := betaalkit.PaymentStatus{Status: betaalkit.StatusUnknown, Raw: "settled-ish"}
	assert.False(t, unknown.IsPaid(), "unknown never means paid")
	assert.False(t, unknown.IsFinal(), "a poller keeps asking")
	assert.Equal(t, "unknown (settled-ish)", unknown.String())
}

func TestConfigErrorIsAKind(t *testing.T) {
	cause := errors.New("credentials are empty")
	err := error(&betaalkit.ConfigError{Provider: "opp", Setting: "apiKey", Reason: "is empty", Err: cause})
	assert.ErrorIs(t, err, betaalkit.ErrConfig)
	assert.ErrorIs(t, err, cause)
	assert.NotErrorIs(t, err, betaalkit.ErrInvalidRequest)
	assert.EqualError(t, err, "opp: apiKey is empty")
}
