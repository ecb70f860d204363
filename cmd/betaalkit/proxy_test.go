package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/checkout"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/clients/kassacompleet"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/internal/redact"
	"github.com/betaalkit/betaalkit/internal/syncbuf"
	sbbuckaroo "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	sbideal2 "github.com/betaalkit/betaalkit/sandbox/ideal2"
	sbkassacompleet "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
	sbmultisafepay "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	sbopp "github.com/betaalkit/betaalkit/sandbox/opp"
	"github.com/betaalkit/betaalkit/sandbox/sim"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

// testProxy is a proxy on a loopback port whose upstream is set once the
// sandbox behind it exists (the client is built with the proxy's URL first).
type testProxy struct {
	URL    string
	log    syncbuf.Buffer
	record string
	p      atomic.Pointer[proxy]
}

func startProxy(t *testing.T) *testProxy {
	t.Helper()
	tp := &testProxy{record: t.TempDir()}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tp.p.Load().ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	tp.URL = srv.URL
	return tp
}

func (tp *testProxy) forwardTo(t *testing.T, provider, upstream string) {
	t.Helper()
	u, err := url.Parse(upstream)
	require.NoError(t, err)
	p, err := newProxy(provider, u, &tp.log, tp.record)
	require.NoError(t, err)
	tp.p.Store(p)
}

// viaProxy starts each provider's sandbox behind a proxy, with a client
// pointed at the proxy (hc under it), and returns the client's checkout.
var viaProxy = map[string]func(t *testing.T, proxyURL string, hc *http.Client) (checkout.Provider, string){
	"kassacompleet": func(t *testing.T, proxyURL string, hc *http.Client) (checkout.Provider, string) {
		srv, _, c, err := sbkassacompleet.NewTestServer(sbkassacompleet.Config{}, kassacompleet.WithBaseURL(proxyURL+"/v1"), kassacompleet.WithHTTPClient(hc))
		require.NoError(t, err)
		t.Cleanup(srv.Close)
		return c.Checkout(), srv.URL
	},
	"opp": func(t *testing.T, proxyURL string, hc *http.Client) (checkout.Provider, string) {
		srv, _, c, err := sbopp.NewTestServer(sbopp.Config{}, opp.WithBaseURL(proxyURL+"/v1"), opp.WithHTTPClient(hc), opp.WithMerchantUID(sbopp.DefaultMerchantUID))
		require.NoError(t, err)
		t.Cleanup(srv.Close)
		return c.Checkout(), srv.URL
	},
	"multisafepay": func(t *testing.T, proxyURL string, hc *http.Client) (checkout.Provider, string) {
		srv, _, c, err := sbmultisafepay.NewTestServer(sbmultisafepay.Config{}, multisafepay.WithBaseURL(proxyURL+sbmultisafepay.BasePath), multisafepay.WithHTTPClient(hc))
		require.NoError(t, err)
		t.Cleanup(srv.Close)
		return c.Checkout(), srv.URL
	},
	"buckaroo": func(t *testing.T, proxyURL string, hc *http.Client) (checkout.Provider, string) {
		srv, _, c, err := sbbuckaroo.NewTestServer(sbbuckaroo.Config{}, buckaroo.WithBaseURL(proxyURL), buckaroo.WithHTTPClient(hc))
		require.NoError(t, err)
		t.Cleanup(srv.Close)
		return c.Checkout(), srv.URL
	},
	"ideal2": func(t *testing.T, proxyURL string, hc *http.Client) (checkout.Provider, string) {
		srv, _, c, err := sbideal2.NewTestServer(sbideal2.Config{}, func(cfg *ideal2.Config) {
			cfg.BaseURL, cfg.HTTPClient = proxyURL+sbideal2.PISBasePath, hc
		})
		require.NoError(t, err)
		t.Cleanup(srv.Close)
		return c.Checkout(), srv.URL
	},
}

// An IBAN in lower case with spaces, in a description every provider
// stores and sends back: recordings must not keep it.
const spacedIBAN = "nl91 abna 0417 1643 00"

// TestProxyKeepsSignedExchangesValid: a shop's whole payment (create, the
// customer pays, the signed webhook, get, refund) through the proxy, for
// every provider. Buckaroo's HMAC (which covers the host) and iDEAL 2.0's
// request signatures reach the sandbox valid, and the signed responses
// reach the client valid (the client verifies them); every exchange of a
// spec operation fits the spec. The recordings hold no secret and no IBAN,
// and validate and the fixtures loader read them.
func TestProxyKeepsSignedExchangesValid(t *testing.T) {
	for _, provider := range []string{"kassacompleet", "opp", "multisafepay", "buckaroo", "ideal2"} {
		t.Run(provider, func(t *testing.T) {
			ctx := context.Background()
			tp := startProxy(t)
			rec := &secretRecorder{}
			for _, key := range []string{sbkassacompleet.DefaultAPIKey, sbopp.DefaultAPIKey, sbmultisafepay.DefaultAPIKey, sbbuckaroo.DefaultSecretKey} {
				rec.add(key, "configured key")
			}
			p, upstream := viaProxy[provider](t, tp.URL, &http.Client{Transport: rec})
			tp.forwardTo(t, provider, upstream)

			var events sync.Map
			hooks := httptest.NewServer(p.WebhookHandler(func(_ context.Context, ev checkout.Event) error {
				events.Store(ev.Payment.ID, ev.Payment.Status.Status)
				return nil
			}))
			defer hooks.Close()
			created, err := p.Create(ctx, checkout.Request{
				Amount: 1250, Reference: "proxy-" + provider, Description: "Pay from " + spacedIBAN,
				Method: checkout.MethodIDEAL, Issuer: "INGBNL2A",
				ReturnURL: "https://shop.example/return", WebhookURL: hooks.URL + "/webhook",
			})
			require.NoError(t, err, tp.log.String())
			_, err = sim.PayAsCustomer(ctx, created.PaymentURL, sim.Pay)
			require.NoError(t, err)
			status, ok := events.Load(created.ID)
			require.True(t, ok, "the signed webhook reached the shop and verified")
			assert.EqualValues(t, "paid", status)
			got, err := p.Get(ctx, created.ID)
			require.NoError(t, err, tp.log.String())
			assert.True(t, got.Status.IsPaid(), "%s", got.Status)
			if p.Capabilities().Refunds {
				_, err = p.Refund(ctx, checkout.RefundRequest{PaymentID: created.ID, Amount: 250, Description: "one item back"})
				require.NoError(t, err, tp.log.String())
			}

			log := tp.log.String()
			lines := strings.Split(strings.TrimSpace(log), "\n")
			require.GreaterOrEqual(t, len(lines), 2, log)
			ops := 0
			for _, line := range lines {
				assert.Regexp(t, `^`+provider+` +[A-Z]+ +/\S* → \d{3} \(`, line)
				if strings.Contains(line, "forwarded unchecked") {
					continue
				}
				ops++
				assert.Regexp(t, `: ok \[\d{4}-\w+\.json\]$`, line, "every exchange fits the spec and is recorded")
			}
			assert.GreaterOrEqual(t, ops, 2, log)
			t.Log("\n" + log)

			// The recordings: no secret, no IBAN; readable by the fixtures
			// loader, and valid for validate.
			list, err := fixtures.LoadFS(os.DirFS(tp.record), "*.json")
			require.NoError(t, err)
			require.Len(t, list, ops)
			for _, f := range list {
				assert.NotEmpty(t, f.Source)
				assert.NotEmpty(t, f.OperationID)
			}
			files, _ := filepath.Glob(filepath.Join(tp.record, "*.json"))
			assertNoSecrets(t, rec, files)
			code, out, errOut := runCLI("", append([]string{"validate", provider}, files...)...)
			assert.Equal(t, 0, code, "%s\n%s", out, errOut)
		})
	}
}

// ibanLike finds the test IBAN's characters in any spacing and case.
var ibanLike = regexp.MustCompile(`(?i)nl\s*91\s*abna\s*0417\s*1643\s*00`)

func assertNoSecrets(t *testing.T, rec *secretRecorder, files []string) {
	t.Helper()
	var all strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		all.Write(data)
	}
	text := all.String()
	require.NotEmpty(t, text)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for secret, where := range rec.secrets {
		assert.NotContains(t, text, secret, "a secret (%s) is in a recording", where)
	}
	assert.NotRegexp(t, ibanLike, text, "an IBAN is in a recording")
	assert.False(t, redact.ContainsIBAN(text), "a full IBAN (any, in any case or spacing) is in a recording")
	assert.Contains(t, text, "[redacted", "the recordings had something to redact")
	credentials := regexp.MustCompile(`(?i)"(authorization|api_key|signature)": "([^"]*)"`).FindAllStringSubmatch(text, -1)
	assert.NotEmpty(t, credentials, "the recordings carry the credential headers, redacted")
	for _, m := range credentials {
		assert.Equal(t, "[redacted]", m[2], m[1])
	}
}

// TestProxyForwardsExactly: the request-target (escaped path, query), the
// headers and the body reach the upstream as the client sent them, and the
// answer reaches the client as the upstream sent it, gzip included. The
// Host header is the client's for Buckaroo (its HMAC covers it) and the
// upstream's own for the others.
func TestProxyForwardsExactly(t *testing.T) {
	type seen struct {
		target, host string
		header       http.Header
		body         []byte
	}
	answer := []byte("\x1f\x8b not really gzip, but bytes to pass on unchanged")
	got := make(chan seen, 1)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- seen{r.RequestURI, r.Host, r.Header.Clone(), body}
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Signature", `keyId="k",signature="s"`)
		w.Header().Add("X-Multi", "b")
		w.Header().Add("X-Multi", "a")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(answer)
	}))
	defer upstream.Close()
	upstreamHost := strings.TrimPrefix(upstream.URL, "http://")

	for provider, wantHost := range map[string]string{"buckaroo": "", "ideal2": upstreamHost, "kassacompleet": upstreamHost} {
		tp := startProxy(t)
		tp.forwardTo(t, provider, upstream.URL)
		if wantHost == "" {
			wantHost = strings.TrimPrefix(tp.URL, "http://")
		}
		target := "/json/Transaction/Status/a%2Fb%7E%20c|d?b=2&a=1&a=%7e;c=%zz"
		body := []byte("{\"Currency\" : \"EUR\",\n \"AmountDebit\":8.00 }")
		req, err := http.NewRequest(http.MethodPost, tp.URL+target, bytes.NewReader(body))
		require.NoError(t, err)
		req.URL.Opaque, _, _ = strings.Cut(target, "?") // sent as written, "|" and all
		req.Header.Set("Authorization", "hmac W:c2ln:nonce:1500000000")
		req.Header.Set("Digest", "SHA-256=abc")
		req.Header["X-Request-ID"] = []string{"r-1"} // not canonical: names are case-insensitive
		req.Header.Add("X-Multi", "2")
		req.Header.Add("X-Multi", "1")
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req)
		require.NoError(t, err)
		respBody, _ := io.ReadAll(resp.Body)
		resp.Body.Close()

		s := <-got
		assert.Equal(t, target, s.target, provider)
		assert.Equal(t, wantHost, s.host, provider)
		assert.Equal(t, body, s.body, provider)
		assert.Equal(t, "hmac W:c2ln:nonce:1500000000", s.header.Get("Authorization"))
		assert.Equal(t, "SHA-256=abc", s.header.Get("Digest"))
		assert.Equal(t, "r-1", s.header.Get("X-Request-Id"))
		assert.Equal(t, []string{"2", "1"}, s.header.Values("X-Multi"), "values keep their order")
		assert.Equal(t, "gzip", s.header.Get("Accept-Encoding"))

		assert.Equal(t, http.StatusCreated, resp.StatusCode)
		assert.Equal(t, answer, respBody, "the answer's bytes, not decompressed")
		assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
		assert.Equal(t, `keyId="k",signature="s"`, resp.Header.Get("Signature"))
		assert.Equal(t, []string{"b", "a"}, resp.Header.Values("X-Multi"))
	}
}

// TestProxyBuckarooSignedForTheUpstream: a client that signs the
// upstream's host name (as it must in front of the real Buckaroo) and
// sends its connections to the proxy gets through: the proxy forwards
// that Host unchanged.
func TestProxyBuckarooSignedForTheUpstream(t *testing.T) {
	tp := startProxy(t)
	proxyHost := strings.TrimPrefix(tp.URL, "http://")
	toProxy := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.Host, r.URL.Host = r.URL.Host, proxyHost // sign and send Host: the upstream; connect: the proxy
		return http.DefaultTransport.RoundTrip(r)
	})
	srv, _, _, err := sbbuckaroo.NewTestServer(sbbuckaroo.Config{})
	require.NoError(t, err)
	defer srv.Close()
	tp.forwardTo(t, "buckaroo", srv.URL)
	c, err := buckaroo.New(sbbuckaroo.DefaultWebsiteKey, sbbuckaroo.DefaultSecretKey, buckaroo.WithBaseURL(srv.URL), buckaroo.WithHTTPClient(&http.Client{Transport: toProxy}))
	require.NoError(t, err)
	_, err = c.GetPayment(context.Background(), "NO-SUCH-KEY")
	assert.NotRegexp(t, `→ 401 `, tp.log.String(), "the HMAC verified")
	assert.Contains(t, tp.log.String(), "getTransactionStatus")
	t.Log(err, "\n", tp.log.String())
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// inject answers like next, with one top-level field of every JSON object
// answer set to value: an upstream that drifted from the spec.
func inject(next http.Handler, field string, value any) http.Handler {
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

// TestProxyReportsAnInjectedViolation: the upstream sends a string where
// the spec has an integer; the proxy's line names the operation, the
// field's path, what the spec expects and what came.
func TestProxyReportsAnInjectedViolation(t *testing.T) {
	tp := startProxy(t)
	sandbox, err := sbkassacompleet.New(sbkassacompleet.Config{})
	require.NoError(t, err)
	upstream := httptest.NewServer(inject(sandbox, "amount", "twelve"))
	defer upstream.Close()
	tp.forwardTo(t, "kassacompleet", upstream.URL)
	c, err := kassacompleet.New(sbkassacompleet.DefaultAPIKey, kassacompleet.WithBaseURL(tp.URL+"/v1"))
	require.NoError(t, err)
	_, err = c.Checkout().Create(context.Background(), checkout.Request{Amount: 1250, Reference: "r", Description: "d",
		Method: checkout.MethodIDEAL, Issuer: "INGBNL2A", ReturnURL: "https://shop.example/return"})
	require.Error(t, err, "the client refuses the drifted answer too")
	assert.Regexp(t, `kassacompleet +POST +/v1/orders/ → 201 \([^)]*\) createOrder: response amount: value must be an integer \(got "twelve"\)`, tp.log.String())
	t.Log(tp.log.String())
}

// TestProxyUpstreamDown: the client gets 502, and the line still checks
// the request and says why.
func TestProxyUpstreamDown(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	tp := startProxy(t)
	tp.forwardTo(t, "kassacompleet", down.URL)
	resp, err := http.Get(tp.URL + "/v1/orders/o1/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Regexp(t, `kassacompleet +GET +/v1/orders/o1/ → 502 \([^)]*\) getOrder: ok; upstream: .*connect`, tp.log.String())
}

// TestProxyCommand runs `betaalkit proxy` as a user does: flags, the
// printed base URL, one line per exchange, and a clean stop.
func TestProxyCommand(t *testing.T) {
	for _, args := range [][]string{
		{"proxy", "opp"},
		{"proxy", "opp", "--upstream", "ftp://x"},
		{"proxy", "paypal", "--upstream", "http://x"},
		{"proxy", "opp", "--upstream", "http://x", "extra"},
	} {
		code, _, _ := runMain(args...)
		assert.Equal(t, 2, code, args)
	}

	srv, _, _, err := sbopp.NewTestServer(sbopp.Config{})
	require.NoError(t, err)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncbuf.Buffer
	dir := t.TempDir()
	done := make(chan int)
	go func() { done <- serveProxy(ctx, "opp", srv.URL+"/v1", "127.0.0.1:0", dir, &out, &errOut) }()
	var base string
	require.Eventually(t, func() bool {
		m := regexp.MustCompile(`point the client's base URL at (http://127\.0\.0\.1:\d+/v1);`).FindStringSubmatch(out.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	}, 5*time.Second, 10*time.Millisecond)
	c, err := opp.New(sbopp.DefaultAPIKey, opp.WithBaseURL(base), opp.WithMerchantUID(sbopp.DefaultMerchantUID))
	require.NoError(t, err)
	_, err = c.GetPayment(context.Background(), "tra_unknown")
	require.Error(t, err)
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("proxy did not stop")
	}
	assert.Regexp(t, `opp +GET +/v1/transactions/tra_unknown → 404 \([^)]*\) getTransaction: ok \[0001-getTransaction\.json\]`, out.String())
	assert.Contains(t, out.String(), "stopped")
	assert.Empty(t, errOut.String())
}
