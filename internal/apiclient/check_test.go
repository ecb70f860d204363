package apiclient_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/money"
)

func TestCheckCurrencyAndAmount(t *testing.T) {
	assert.NoError(t, apiclient.CheckCurrency("currency", "EUR"))
	for _, bad := range []string{"", "eur", "EURO", "E"} {
		err := apiclient.CheckCurrency("Currency", bad)
		var fe *betaalkit.FieldError
		if assert.ErrorAs(t, err, &fe, bad) {
			assert.Equal(t, "Currency", fe.Field)
		}
	}
	assert.NoError(t, apiclient.CheckAmount("amount", 1))
	for _, bad := range []money.Cents{0, -1} {
		err := apiclient.CheckAmount("amount", bad)
		assert.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
		assert.ErrorContains(t, err, "cents is not a positive amount")
	}
}
