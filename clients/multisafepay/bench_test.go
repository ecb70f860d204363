package multisafepay_test

import (
	"context"
	"net/http"
	"testing"
)

// BenchmarkGetOrder measures the client's own cost per call (api_key layer,
// request building, reading and decoding the documented refunded order,
// envelope check) over loopback.
func BenchmarkGetPayment(b *testing.B) {
	f := mustFixture(b, "order-get-refunded")
	rec := newRecorder(b, http.StatusOK, "application/json", f.Response.BodyBytes())
	rec.noSpec = true // measure the client, not the test server's spec check
	c := rec.client(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetPayment(ctx, "my-order-id-1"); err != nil {
			b.Fatal(err)
		}
	}
}
