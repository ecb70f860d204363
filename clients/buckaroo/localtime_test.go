package buckaroo

import (
	"testing"
	"time"
)

// Status.DateTime arrives without a zone (read as UTC: only compared with
// each other), with fractional seconds, or with an offset; the model keeps
// the text, and the checkout reads each form.
func TestLocalTimeForms(t *testing.T) {
	for text, want := range map[string]time.Time{
		"2018-02-23T12:15:26":          time.Date(2018, 2, 23, 12, 15, 26, 0, time.UTC),
		"2018-02-23T12:15:26.47":       time.Date(2018, 2, 23, 12, 15, 26, 470_000_000, time.UTC),
		"2020-06-04T09:51:51.47+02:00": time.Date(2020, 6, 4, 7, 51, 51, 470_000_000, time.UTC),
		"2020-06-04T09:51:51Z":         time.Date(2020, 6, 4, 9, 51, 51, 0, time.UTC),
		"":                             {},
		"yesterday":                    {},
	} {
		if got := localTime(text); !got.Equal(want) {
			t.Errorf("localTime(%q) = %v, want %v", text, got, want)
		}
	}
}
