package checkout_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/checkout"
	"github.com/betaalkit/betaalkit/clients/kassacompleet"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/clients/opp"
	sbkassacompleet "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
	sbmultisafepay "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	sbopp "github.com/betaalkit/betaalkit/sandbox/opp"
	"github.com/betaalkit/betaalkit/transport"
)

// fault is what the proxy in front of a sandbox does to a create (POST).
type fault int

const (
	passThrough    fault = iota
	dropAfter            // forward it (the payment is made), then hang up without an answer
	answer503            // answer 503 without forwarding
	answer422            // answer 422 without forwarding
	closedListener       // nothing listens: the connection is refused
)

// faultyProxy sits between a client and its sandbox and counts the creates
// that reached the sandbox.
type faultyProxy struct {
	url     string
	fault   atomic.Int64
	creates atomic.Int64
}

func newFaultyProxy(t *testing.T, upstream http.Handler) *faultyProxy {
	t.Helper()
	sandbox := httptest.NewServer(upstream)
	t.Cleanup(sandbox.Close)
	p := &faultyProxy{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := fault(p.fault.Load())
		if r.Method == http.MethodPost {
			switch f {
			case answer503:
				http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
				return
			case answer422:
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnprocessableEntity)
				_, _ = io.WriteString(w, `{"error":{"code":422,"message":"refused"}}`)
				return
			}
		}
		body, _ := io.ReadAll(r.Body)
		out, _ := http.NewRequestWithContext(r.Context(), r.Method, sandbox.URL+r.URL.RequestURI(), bytes.NewReader(body))
		out.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		if r.Method == http.MethodPost && resp.StatusCode < 300 {
			p.creates.Add(1)
		}
		if r.Method == http.MethodPost && f == dropAfter {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	p.url = srv.URL
	return p
}

// refusedURL is an address where nothing listens.
func refusedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr
}

// three providers, each behind its own faulty proxy: MultiSafepay (finds
// payments by reference), Kassa Compleet (cannot) and OPP as the fallback.
func setup(t *testing.T) (msp, kc, oppProxy *faultyProxy, mspP, kcP, oppP checkout.Provider) {
	t.Helper()
	mspSB, err := sbmultisafepay.New(sbmultisafepay.Config{})
	require.NoError(t, err)
	kcSB, err := sbkassacompleet.New(sbkassacompleet.Config{})
	require.NoError(t, err)
	oppSB, err := sbopp.New(sbopp.Config{})
	require.NoError(t, err)
	msp, kc, oppProxy = newFaultyProxy(t, mspSB), newFaultyProxy(t, kcSB), newFaultyProxy(t, oppSB)

	mc, err := multisafepay.New(sbmultisafepay.DefaultAPIKey, multisafepay.WithBaseURL(msp.url+"/v1/json"), multisafepay.WithRetry(transport.NoRetries))
	require.NoError(t, err)
	kcc, err := kassacompleet.New(sbkassacompleet.DefaultAPIKey, kassacompleet.WithBaseURL(kc.url+"/v1"), kassacompleet.WithRetry(transport.NoRetries))
	require.NoError(t, err)
	oc, err := opp.New(sbopp.DefaultAPIKey, opp.WithBaseURL(oppProxy.url+"/v1"), opp.WithRetry(transport.NoRetries), opp.WithMerchantUID(sbopp.DefaultMerchantUID))
	require.NoError(t, err)
	return msp, kc, oppProxy, mc.Checkout(), kcc.Checkout(), oc.Checkout()
}

func payment(ref string) checkout.Request {
	return checkout.Request{Amount: 1995, Reference: ref, Description: "Order " + ref, Method: checkout.MethodIDEAL,
		Issuer: "INGBNL2A", ReturnURL: "https://shop.example/return"}
}

func TestFailoverUsesTheNextProviderWhenNothingWasCreated(t *testing.T) {
	ctx := context.Background()
	t.Run("connection refused", func(t *testing.T) {
		_, _, oppProxy, _, _, oppP := setup(t)
		dead, err := multisafepay.New(sbmultisafepay.DefaultAPIKey, multisafepay.WithBaseURL(refusedURL(t)+"/v1/json"))
		require.NoError(t, err)
		r, err := checkout.New([]checkout.Provider{dead.Checkout(), oppP})
		require.NoError(t, err)
		p, err := r.Create(ctx, payment("refused-1"))
		require.NoError(t, err)
		assert.Equal(t, "opp", p.Provider)
		assert.EqualValues(t, 1, oppProxy.creates.Load())
	})
	t.Run("the provider refused it (422)", func(t *testing.T) {
		msp, _, oppProxy, mspP, _, oppP := setup(t)
		msp.fault.Store(int64(answer422))
		r, _ := checkout.New([]checkout.Provider{mspP, oppP})
		p, err := r.Create(ctx, payment("refused-2"))
		require.NoError(t, err)
		assert.Equal(t, "opp", p.Provider)
		assert.Zero(t, msp.creates.Load())
		assert.EqualValues(t, 1, oppProxy.creates.Load())
	})
	t.Run("refused before sending", func(t *testing.T) {
		_, kc, oppProxy, _, kcP, oppP := setup(t)
		r, _ := checkout.New([]checkout.Provider{kcP, oppP})
		req := payment("refused-3")
		req.Issuer = "" // Kassa Compleet's iDEAL needs the bank up front
		p, err := r.Create(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, "opp", p.Provider)
		assert.Zero(t, kc.creates.Load())
		assert.EqualValues(t, 1, oppProxy.creates.Load())
	})
}

func TestFailoverNeverCreatesTwoPayments(t *testing.T) {
	ctx := context.Background()
	t.Run("dropped after the provider made it: found by reference", func(t *testing.T) {
		msp, _, oppProxy, mspP, _, oppP := setup(t)
		msp.fault.Store(int64(dropAfter))
		r, _ := checkout.New([]checkout.Provider{mspP, oppP})
		p, err := r.Create(ctx, payment("ambiguous-1"))
		require.NoError(t, err, "the lookup settles it")
		assert.Equal(t, "multisafepay", p.Provider)
		assert.Equal(t, "ambiguous-1", p.ID)
		assert.EqualValues(t, 1, msp.creates.Load())
		assert.Zero(t, oppProxy.creates.Load(), "no second payment elsewhere")
	})
	t.Run("dropped after the provider made it: no lookup possible", func(t *testing.T) {
		_, kc, oppProxy, _, kcP, oppP := setup(t)
		kc.fault.Store(int64(dropAfter))
		r, _ := checkout.New([]checkout.Provider{kcP, oppP})
		_, err := r.Create(ctx, payment("ambiguous-2"))
		var amb *checkout.AmbiguousError
		require.ErrorAs(t, err, &amb)
		assert.Equal(t, "kassacompleet", amb.Provider)
		assert.ErrorIs(t, amb.Lookup, checkout.ErrNotSupported)
		assert.EqualValues(t, 1, kc.creates.Load())
		assert.Zero(t, oppProxy.creates.Load(), "no second payment elsewhere")
	})
	t.Run("503: not found by reference, still not retried elsewhere", func(t *testing.T) {
		msp, _, oppProxy, mspP, _, oppP := setup(t)
		msp.fault.Store(int64(answer503))
		r, _ := checkout.New([]checkout.Provider{mspP, oppP})
		_, err := r.Create(ctx, payment("ambiguous-3"))
		var amb *checkout.AmbiguousError
		require.ErrorAs(t, err, &amb)
		assert.ErrorIs(t, amb.Lookup, checkout.ErrNotFound)
		assert.Zero(t, oppProxy.creates.Load(), "a 5xx may have made the payment: no second one")
	})
}
