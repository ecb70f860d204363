package buckaroo_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/specs"
)

// specStatusCodes reads the status codes the spec lists for
// Status.Code.Code (an open set, so x-extensible-enum rather than enum).
func specStatusCodes(t *testing.T) []int {
	t.Helper()
	doc, err := specs.Load("buckaroo")
	require.NoError(t, err)
	code := doc.Components.Schemas["StatusCodeInfo"].Value.Properties["Code"].Value
	list, ok := code.Extensions["x-extensible-enum"].([]any)
	require.True(t, ok, "StatusCodeInfo.Code has no x-extensible-enum list")
	var codes []int
	for _, v := range list {
		f, ok := v.(float64)
		require.True(t, ok, "%v is not a number", v)
		codes = append(codes, int(f))
	}
	require.Len(t, codes, 11)
	return codes
}

// Every status code of the spec maps to the documented normalized status;
// anything else is unknown, never paid.
func TestNormalizeStatusCoversEverySpecCode(t *testing.T) {
	want := map[int]betaalkit.Status{
		190: betaalkit.StatusPaid,
		490: betaalkit.StatusFailed, 491: betaalkit.StatusFailed, 492: betaalkit.StatusFailed, 690: betaalkit.StatusFailed,
		790: betaalkit.StatusOpen,
		791: betaalkit.StatusPending, 792: betaalkit.StatusPending, 793: betaalkit.StatusPending,
		890: betaalkit.StatusCanceled, 891: betaalkit.StatusCanceled,
	}
	codes := specStatusCodes(t)
	assert.Len(t, want, len(codes), "the table and the spec list the same codes")
	for _, code := range codes {
		raw := strconv.Itoa(code)
		got := buckaroo.NormalizeStatus(raw)
		assert.Equal(t, want[code], got, raw)
		assert.NotEqual(t, betaalkit.StatusUnknown, got, raw)
		assert.True(t, buckaroo.StatusCode(code).Known(), "%d has a constant and a name", code)
		// The StatusCode predicates agree with the normalized status.
		s := buckaroo.StatusCode(code)
		assert.Equal(t, s.IsFinal(), got.IsFinal(), raw)
		assert.Equal(t, s.IsSuccess(), got.IsPaid(), raw)
		assert.Equal(t, s.IsFailure() || s.IsCancelled(), got.IsFailure(), raw)
	}
	for _, raw := range []string{"", "0", "191", "999", "abc", "0190", " 190", "+190", "190.0"} {
		assert.Equal(t, betaalkit.StatusUnknown, buckaroo.NormalizeStatus(raw), "%q", raw)
	}
}

// StatusOf, PaymentURL and AmountOf on every transaction the fixtures hold.
func TestStatusURLAndAmountOnFixtures(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		push    bool
		status  betaalkit.PaymentStatus
		url     string
		cents   money.Cents
	}{
		{"payininstallments", false, betaalkit.PaymentStatus{Status: betaalkit.StatusPending, Raw: "791"},
			"https://checkout.buckaroo.nl/html/redirect.ashx?r=D197713CEE864F9C9D2643EDB6C99xxx", 800},
		{"payininstallments-push", true, betaalkit.PaymentStatus{Status: betaalkit.StatusPaid, Raw: "190"}, "", 800},
		{"refund", false, betaalkit.PaymentStatus{Status: betaalkit.StatusPaid, Raw: "190"}, "", 30},
		{"refund-push", true, betaalkit.PaymentStatus{Status: betaalkit.StatusPaid, Raw: "190"}, "", 30},
	} {
		f := mustFixture(t, tc.fixture)
		var tx *buckaroo.Transaction
		if tc.push {
			var p buckaroo.Push
			require.NoError(t, json.Unmarshal(f.Request.BodyBytes(), &p))
			tx = &p.Transaction
		} else {
			tx = new(buckaroo.Transaction)
			require.NoError(t, json.Unmarshal(f.Response.BodyBytes(), tx))
		}
		assert.Equal(t, tc.status, buckaroo.StatusOf(tx), tc.fixture)
		assert.Equal(t, tc.url, buckaroo.PaymentURL(tx), tc.fixture)
		cents, err := buckaroo.AmountOf(tx)
		require.NoError(t, err, tc.fixture)
		assert.Equal(t, tc.cents, cents, tc.fixture)
	}

	// A fraction of a cent cannot be read as cents.
	tx := &buckaroo.Transaction{AmountDebit: money.MustDecimal("8.001")}
	_, err := buckaroo.AmountOf(tx)
	assert.ErrorContains(t, err, "buckaroo: money: 8.001 is not a whole number of cents")
	assert.Equal(t, "unknown (0)", fmt.Sprint(buckaroo.StatusOf(tx)), "a transaction without a status code")
}
