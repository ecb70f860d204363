package checkout_test

import (
	"testing"
	"time"

	"github.com/betaalkit/betaalkit/checkout"
)

// A provider's time arrives without a zone (read as UTC: only compared with
// each other), with fractional seconds, or with an offset (Buckaroo's
// Status.DateTime, MultiSafepay's modified); ParseTime reads each form.
func TestParseTimeForms(t *testing.T) {
	for text, want := range map[string]time.Time{
		"2018-02-23T12:15:26":          time.Date(2018, 2, 23, 12, 15, 26, 0, time.UTC),
		"2018-02-23T12:15:26.47":       time.Date(2018, 2, 23, 12, 15, 26, 470_000_000, time.UTC),
		"2020-06-04T09:51:51.47+02:00": time.Date(2020, 6, 4, 7, 51, 51, 470_000_000, time.UTC),
		"2020-06-04T09:51:51Z":         time.Date(2020, 6, 4, 9, 51, 51, 0, time.UTC),
		"":                             {},
		"yesterday":                    {},
	} {
		if got := checkout.ParseTime(text); !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, want %v", text, got, want)
		}
	}
}
