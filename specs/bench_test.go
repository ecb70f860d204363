package specs_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

// BenchmarkValidateRequest is the per-request cost the sandbox pays for
// checking a documented order creation against the spec.
func BenchmarkValidateRequest(b *testing.B) {
	v, err := specs.NewValidator("kassacompleet")
	if err != nil {
		b.Fatal(err)
	}
	list, _ := fixtures.Load("kassacompleet")
	var body []byte
	for _, f := range list {
		if f.Base() == "ideal-order-create" {
			body = f.Request.BodyBytes()
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/v1/orders/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if _, _, err := v.ValidateRequest(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad is the cost of parsing and validating one spec.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := specs.Load("kassacompleet"); err != nil {
			b.Fatal(err)
		}
	}
}
