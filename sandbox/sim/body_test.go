package sim_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	sbbuckaroo "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	sbideal2 "github.com/betaalkit/betaalkit/sandbox/ideal2"
	sbkassacompleet "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
	sbmultisafepay "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	sbopp "github.com/betaalkit/betaalkit/sandbox/opp"
	"github.com/betaalkit/betaalkit/sandbox/sim"
	"github.com/betaalkit/betaalkit/signing"
)

// simulator is one sandbox's create call, as raw requests: its handler,
// the path, a body it accepts, and how to authenticate a request with a
// given body as the provider wants.
type simulator struct {
	name    string
	handler http.Handler
	path    string
	body    string
	auth    func(t *testing.T, r *http.Request, body []byte)
}

func simulators(t *testing.T) []simulator {
	kc, err := sbkassacompleet.New(sbkassacompleet.Config{})
	require.NoError(t, err)
	op, err := sbopp.New(sbopp.Config{})
	require.NoError(t, err)
	msp, err := sbmultisafepay.New(sbmultisafepay.Config{})
	require.NoError(t, err)
	bq, err := sbbuckaroo.New(sbbuckaroo.Config{})
	require.NoError(t, err)
	idealTS, idealServer, idealClient, err := sbideal2.NewTestServer(sbideal2.Config{})
	require.NoError(t, err)
	t.Cleanup(idealTS.Close)
	cfg := idealServer.ClientConfig(idealTS.URL)
	signer, err := signing.NewIDEAL2Signer(signing.IDEAL2SignerConfig{Key: cfg.MerchantKey, Certificate: cfg.MerchantCertificate,
		Token: idealClient.Tokens().AccessToken})
	require.NoError(t, err)

	basic := func(key string) func(*testing.T, *http.Request, []byte) {
		return func(_ *testing.T, r *http.Request, _ []byte) {
			r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(key+":")))
		}
	}
	return []simulator{
		{"kassacompleet", kc, "/v1/orders/", `{"currency":"EUR","amount":995,"description":"order 1"}`, basic(sbkassacompleet.DefaultAPIKey)},
		{"opp", op, "/v1/transactions", `{"total_price":1000,"products":[{"name":"Light","price":1000,"quantity":1}],"return_url":"https://shop.example/return/"}`, basic(sbopp.DefaultAPIKey)},
		{"multisafepay", msp, sbmultisafepay.BasePath + "/orders", `{"type":"redirect","order_id":"ORDER-ID","currency":"EUR","amount":1250,"description":"order 1","payment_options":{"redirect_url":"https://shop.example/ok","cancel_url":"https://shop.example/cancel"}}`,
			func(_ *testing.T, r *http.Request, _ []byte) { r.Header.Set("api_key", sbmultisafepay.DefaultAPIKey) }},
		{"buckaroo", bq, "/json/Transaction", `{"Currency":"EUR","AmountDebit":1.00,"Invoice":"inv-1","Services":{"ServiceList":[{"Name":"ideal","Action":"Pay"}]}}`,
			func(t *testing.T, r *http.Request, body []byte) {
				auth, err := signing.BuckarooAuthorization(sbbuckaroo.DefaultWebsiteKey, sbbuckaroo.DefaultSecretKey, r.Method,
					"http://"+r.Host+r.URL.RequestURI(), sim.NewID(8), time.Now().Unix(), body)
				require.NoError(t, err)
				r.Header.Set("Authorization", auth)
			}},
		{"ideal2", idealServer, sbideal2.PISBasePath + "/payments", `{"PaymentProduct":["IDEAL"],"CommonPaymentData":{"Amount":{"Amount":"1.00"},"RemittanceInformation":"order 1","RemittanceInformationStructured":{"Reference":"order-1"}}}`,
			func(t *testing.T, r *http.Request, body []byte) {
				r.Body, r.GetBody = io.NopCloser(bytes.NewReader(body)), func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
				signed, err := signer.Sign(r)
				require.NoError(t, err)
				r.Header = signed.Header
			}},
	}
}

// send makes one in-process request with body (the length announced or
// not) and reports the status and how many bytes the simulator read.
func (s simulator) send(t *testing.T, body []byte, announced bool) (int, int64, string) {
	r := httptest.NewRequest(http.MethodPost, "http://sandbox.test"+s.path, nil)
	r.Header.Set("Content-Type", "application/json")
	s.auth(t, r, body)
	r.Header.Set("Content-Type", "application/json")
	counter := &countingReader{r: bytes.NewReader(body)}
	r.Body, r.GetBody = io.NopCloser(counter), nil
	r.ContentLength = -1
	if announced {
		r.ContentLength = int64(len(body))
	}
	r = r.WithContext(context.Background())
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, r)
	return rec.Code, counter.n, rec.Body.String()
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// TestSimulatorsRefuseTrailingDataAndHugeBodies: every simulator creates a
// payment from its valid body (with trailing white space too), refuses the
// same body followed by anything else (400), and refuses a 20 MB body
// (valid JSON, padded with white space) with 413 before reading it whole:
// nothing when its length is announced, at most MaxBody when it is not.
func TestSimulatorsRefuseTrailingDataAndHugeBodies(t *testing.T) {
	t.Parallel()
	for _, s := range simulators(t) {
		t.Run(s.name, func(t *testing.T) {
			n := 0
			body := func() []byte { // each order a new id, where the provider wants one
				n++
				return []byte(strings.ReplaceAll(s.body, "ORDER-ID", "order-"+s.name+"-"+sim.NewID(4)))
			}
			status, _, answer := s.send(t, body(), true)
			require.Less(t, status, 300, "the valid body creates a payment: %s", answer)
			status, _, answer = s.send(t, append(body(), " \n\t"...), true)
			require.Less(t, status, 300, "trailing white space is fine: %s", answer)

			for _, tail := range []string{"}{x", `{"amount":1}`, " x", "]", "\x00", "null"} {
				status, _, answer := s.send(t, append(body(), tail...), true)
				assert.Equal(t, http.StatusBadRequest, status, "%q after the JSON: %s", tail, answer)
			}

			huge := body()
			huge = append(huge[:len(huge)-1], bytes.Repeat([]byte(" "), 20<<20)...)
			huge = append(huge, '}')
			status, read, answer := s.send(t, huge, true)
			assert.Equal(t, http.StatusRequestEntityTooLarge, status, clip(answer))
			assert.Zero(t, read, "an announced length over the limit is refused unread")
			status, read, answer = s.send(t, huge, false)
			assert.Equal(t, http.StatusRequestEntityTooLarge, status, clip(answer))
			assert.LessOrEqual(t, read, int64(sim.MaxBody+64<<10), "read no more than the limit")
			t.Logf("20 MB body: %d, %d bytes read of %d", status, read, len(huge))
		})
	}
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
