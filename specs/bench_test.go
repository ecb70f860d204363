package specs_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

// BenchmarkValidateRequest is the per-request cost a sandbox pays for
// checking requests against the spec: the P4 workload's create (a
// documented request body) and get, per provider.
func BenchmarkValidateRequest(b *testing.B) {
	for _, w := range []struct{ provider, create, get string }{
		{"kassacompleet", "ideal-order-create", "/v1/orders/f520537f-e8ca-4c92-8d9b-2118eb5022cf/"},
		{"opp", "transaction-create", "/v1/transactions/tra_1a2b3c2cf578"},
		{"multisafepay", "order-redirect", "/v1/json/orders/my-order-id-1"},
		{"buckaroo", "payininstallments", "/json/Transaction/Status/4E8BD922192746C3918BF4077CXXXXXX"},
		{"ideal2", "standard-payment-create", "/xs2a/routingservice/services/ob/pis/v3/payments/11AA22BB33CC/status"},
	} {
		v, err := specs.NewValidator(w.provider)
		if err != nil {
			b.Fatal(err)
		}
		list, _ := fixtures.Load(w.provider)
		var create fixtures.Fixture
		for _, f := range list {
			if f.Base() == w.create {
				create = f
			}
		}
		body := create.Request.BodyBytes()
		b.Run(w.provider+"/create", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(create.Request.Method, create.Request.Path, bytes.NewReader(body))
				for k, vs := range create.Request.Header() {
					req.Header[k] = vs
				}
				if req.Header.Get("Content-Type") == "" {
					req.Header.Set("Content-Type", "application/json")
				}
				if _, _, err := v.ValidateRequest(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(w.provider+"/get", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("GET", w.get, nil)
				// iDEAL 2.0's required headers (the signature's are optional).
				req.Header.Set("X-Request-ID", "3d1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b")
				req.Header.Set("MessageCreateDateTime", "2024-01-01T12:00:00.000Z")
				if _, _, err := v.ValidateRequest(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
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
