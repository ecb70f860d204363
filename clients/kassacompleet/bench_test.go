package kassacompleet_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/betaalkit/betaalkit/clients/kassacompleet"
)

// BenchmarkGetPayment measures the client's own cost per call (auth layer,
// request building, reading and decoding a documented order) over loopback.
func BenchmarkGetPayment(b *testing.B) {
	f, err := loadFixture("order-success")
	if err != nil {
		b.Fatal(err)
	}
	rec := newRecorder(b, http.StatusOK, "application/json", f.Response.BodyBytes())
	c, err := kassacompleet.New(apiKey, kassacompleet.WithBaseURL(rec.URL+"/v1"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetPayment(ctx, "f520537f-e8ca-4c92-8d9b-2118eb5022cf"); err != nil {
			b.Fatal(err)
		}
	}
}
