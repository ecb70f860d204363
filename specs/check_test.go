package specs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/checkout"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/clients/kassacompleet"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/clients/opp"
	sbbuckaroo "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	sbideal2 "github.com/betaalkit/betaalkit/sandbox/ideal2"
	sbkassacompleet "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
	sbmultisafepay "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	sbopp "github.com/betaalkit/betaalkit/sandbox/opp"
	"github.com/betaalkit/betaalkit/sandbox/sim"
	"github.com/betaalkit/betaalkit/specs"
)

// withSandbox starts each provider's sandbox with a client whose HTTP
// client is hc, and returns the client's checkout.
var withSandbox = map[string]func(t *testing.T, hc *http.Client) checkout.Provider{
	"kassacompleet": func(t *testing.T, hc *http.Client) checkout.Provider {
		srv, _, c, err := sbkassacompleet.NewTestServer(sbkassacompleet.Config{}, kassacompleet.WithHTTPClient(hc))
		require.NoError(t, err)
		t.Cleanup(srv.Close)
		return c.Checkout()
	},
	"opp": func(t *testing.T, hc *http.Client) checkout.Provider {
		srv, _, c, err := sbopp.NewTestServer(sbopp.Config{}, opp.WithHTTPClient(hc), opp.WithMerchantUID(sbopp.DefaultMerchantUID))
		require.NoError(t, err)
		t.Cleanup(srv.Close)
		return c.Checkout()
	},
	"multisafepay": func(t *testing.T, hc *http.Client) checkout.Provider {
		srv, _, c, err := sbmultisafepay.NewTestServer(sbmultisafepay.Config{}, multisafepay.WithHTTPClient(hc))
		require.NoError(t, err)
		t.Cleanup(srv.Close)
		return c.Checkout()
	},
	"buckaroo": func(t *testing.T, hc *http.Client) checkout.Provider {
		srv, _, c, err := sbbuckaroo.NewTestServer(sbbuckaroo.Config{}, buckaroo.WithHTTPClient(hc))
		require.NoError(t, err)
		t.Cleanup(srv.Close)
		return c.Checkout()
	},
	"ideal2": func(t *testing.T, hc *http.Client) checkout.Provider {
		srv, _, c, err := sbideal2.NewTestServer(sbideal2.Config{}, func(cfg *ideal2.Config) { cfg.HTTPClient = hc })
		require.NoError(t, err)
		t.Cleanup(srv.Close)
		return c.Checkout()
	},
}

// TestCheckPassesEveryClientAgainstItsSandbox: every request each client
// sends in a shop's payment (signed, below the signer) and every answer
// its sandbox gives fit the spec, and Check disturbs nothing: the
// signatures over the bodies still verify, the signed answers still
// verify, the flow completes.
func TestCheckPassesEveryClientAgainstItsSandbox(t *testing.T) {
	for _, provider := range specs.Providers() {
		t.Run(provider, func(t *testing.T) {
			ctx := context.Background()
			sent := &counting{}
			p := withSandbox[provider](t, &http.Client{Transport: specs.Check(t, provider, sent)})
			var mu sync.Mutex
			paid := false
			hooks := httptest.NewServer(p.WebhookHandler(func(_ context.Context, ev checkout.Event) error {
				mu.Lock()
				defer mu.Unlock()
				paid = ev.Payment.Status.IsPaid()
				return nil
			}))
			defer hooks.Close()
			created, err := p.Create(ctx, checkout.Request{
				Amount: 1250, Reference: "check-" + provider, Description: "Order",
				Method: checkout.MethodIDEAL, Issuer: "INGBNL2A",
				ReturnURL: "https://shop.example/return", WebhookURL: hooks.URL + "/webhook",
			})
			require.NoError(t, err)
			_, err = sim.PayAsCustomer(ctx, created.PaymentURL, sim.Pay)
			require.NoError(t, err)
			mu.Lock()
			assert.True(t, paid, "the webhook reached the shop")
			mu.Unlock()
			got, err := p.Get(ctx, created.ID)
			require.NoError(t, err)
			assert.True(t, got.Status.IsPaid())
			if p.Capabilities().Refunds {
				_, err = p.Refund(ctx, checkout.RefundRequest{PaymentID: created.ID, Amount: 250})
				require.NoError(t, err)
			}
			assert.GreaterOrEqual(t, sent.n.Load(), int64(2), "the exchanges went through Check")
		})
	}
}

// counting sends through http.DefaultTransport and counts.
type counting struct{ n atomic.Int64 }

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// fakeTB records what Check reports.
type fakeTB struct {
	mu     sync.Mutex
	errors []string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *fakeTB) reported() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.errors, "\n")
}

// drifted answers like next, with one top-level field of every JSON object
// answer set to value.
func drifted(next http.Handler, field string, value any) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		var obj map[string]any
		if json.Unmarshal(body, &obj) == nil {
			obj[field] = value
			body, _ = json.Marshal(obj)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

// TestCheckFailsTheTestOnADrift: a server that sends a wrong type fails
// the test, with the operation, the field's path, what the spec expects
// and what came.
func TestCheckFailsTheTestOnADrift(t *testing.T) {
	sandbox, err := sbopp.New(sbopp.Config{})
	require.NoError(t, err)
	srv := httptest.NewServer(drifted(sandbox, "amount", "12.50"))
	defer srv.Close()
	tb := &fakeTB{}
	c, err := opp.New(sbopp.DefaultAPIKey, opp.WithBaseURL(srv.URL+"/v1"), opp.WithMerchantUID(sbopp.DefaultMerchantUID),
		opp.WithHTTPClient(&http.Client{Transport: specs.Check(tb, "opp", nil)}))
	require.NoError(t, err)
	_, _ = c.Checkout().Create(context.Background(), checkout.Request{Amount: 1250, Reference: "r", Description: "d",
		Method: checkout.MethodIDEAL, ReturnURL: "https://shop.example/return"})
	assert.Regexp(t, `^specs: opp POST /v1/transactions does not fit the spec: createTransaction: response amount: .* \(got "12.50"\)$`, tb.reported())
}

// TestCheckReadsNoBodyTheClientNeeds: a request body without GetBody and
// the response body reach their readers whole.
func TestCheckReadsNoBodyTheClientNeeds(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":"o1","status":"new","amount":%d,"currency":"EUR","echo":%q}`, len(body), body)
	}))
	defer srv.Close()
	tb := &fakeTB{}
	hc := &http.Client{Transport: specs.Check(tb, "kassacompleet", nil)}
	body := `{"currency":"EUR","amount":995}`
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/orders/", io.NopCloser(strings.NewReader(body)))
	require.NoError(t, err)
	require.Nil(t, req.GetBody)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.JSONEq(t, fmt.Sprintf(`{"id":"o1","status":"new","amount":%d,"currency":"EUR","echo":%q}`, len(body), body), string(got))
	assert.Empty(t, tb.reported())

	// A path the spec does not have is reported too.
	resp, err = hc.Get(srv.URL + "/v1/refunds/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Contains(t, tb.reported(), "kassacompleet GET /v1/refunds/ does not fit the spec: no operation: request path:")

	bad := &fakeTB{}
	specs.Check(bad, "paypal", nil)
	assert.Contains(t, bad.reported(), `no spec for provider "paypal"`)
}
