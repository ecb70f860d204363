package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/clients/kassacompleet"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/internal/syncbuf"
	sbbuckaroo "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	sbkassacompleet "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
	sbmultisafepay "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	sbopp "github.com/betaalkit/betaalkit/sandbox/opp"
)

// secretRecorder sits under every client (WithHTTPClient) and collects
// each credential that went over the wire: header credentials, signatures,
// nonces, access tokens, and the IBANs in any body.
type secretRecorder struct {
	mu      sync.Mutex
	secrets map[string]string // value → where it was first seen
	kinds   map[string]bool   // every kind of place a secret was seen
}

var (
	dutchIBAN      = regexp.MustCompile(`\b[A-Z]{2}[0-9]{2}[A-Z]{4}[0-9]{10}\b`)
	signatureValue = regexp.MustCompile(`signature="([^"]+)"`)
)

func (s *secretRecorder) add(value, where string) {
	if len(value) < 6 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.secrets == nil {
		s.secrets, s.kinds = map[string]string{}, map[string]bool{}
	}
	s.kinds[where] = true
	if _, seen := s.secrets[value]; !seen {
		s.secrets[value] = where
	}
}

func (s *secretRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	for name, values := range req.Header {
		for _, v := range values {
			switch strings.ToLower(name) {
			case "authorization":
				s.add(v, name)
				scheme, cred, _ := strings.Cut(v, " ")
				s.add(cred, name)
				if strings.EqualFold(scheme, "hmac") { // website:signature:nonce:time
					for _, part := range strings.Split(cred, ":")[1:3] {
						s.add(part, name)
					}
				}
			case "api_key", "auth":
				s.add(v, name)
			case "signature":
				s.add(v, name)
				if m := signatureValue.FindStringSubmatch(v); m != nil {
					s.add(m[1], name)
				}
			}
		}
	}
	if req.GetBody != nil {
		body, _ := req.GetBody()
		b, _ := io.ReadAll(body)
		s.bodySecrets(b, "request body")
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	s.bodySecrets(b, "response body")
	return resp, err
}

func (s *secretRecorder) bodySecrets(b []byte, where string) {
	for _, iban := range dutchIBAN.FindAllString(string(b), -1) {
		s.add(iban, where+" IBAN")
	}
	var token struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(b, &token) == nil {
		s.add(token.AccessToken, where+" access_token")
	}
}

// TestDemoLeaksNoSecrets runs every provider's full payment with a Debug
// logger (headers and bodies), then the failures a shop meets (wrong
// credentials), and finds none of the secrets used anywhere in the log,
// the transcript or the errors.
func TestDemoLeaksNoSecrets(t *testing.T) {
	rec := &secretRecorder{}
	for _, key := range []string{sbkassacompleet.DefaultAPIKey, sbopp.DefaultAPIKey, sbmultisafepay.DefaultAPIKey, sbbuckaroo.DefaultSecretKey} {
		rec.add(key, "configured key")
	}
	var logs syncbuf.Buffer
	var transcript bytes.Buffer
	env := demoEnv{
		logger:     slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		httpClient: &http.Client{Transport: rec},
	}
	require.Equal(t, 0, runDemoFlows(env, 30*time.Second, &transcript), transcript.String())

	errs := wrongCredentialErrors(t, env, rec)
	require.Len(t, errs, 4)

	// The scan must have something to find, and the log must be the full
	// Debug log, or the check below proves nothing.
	for _, want := range []string{"configured key", "Authorization", "api_key", "Signature", "response body access_token", "response body IBAN"} {
		assert.True(t, rec.kinds[want], "the run used a secret seen as %q", want)
	}
	assert.Contains(t, logs.String(), `"request_body"`)
	assert.Contains(t, logs.String(), `"response_body"`)
	assert.GreaterOrEqual(t, strings.Count(logs.String(), "[redacted"), 20)

	everything := logs.String() + transcript.String() + strings.Join(errs, "\n")
	for secret, where := range rec.secrets {
		assert.NotContains(t, everything, secret, "a secret (%s) leaked", where)
	}
	t.Logf("checked %d secrets against %d bytes of log, transcript and errors", len(rec.secrets), len(everything))
}

// wrongCredentialErrors calls each Basic/api_key/HMAC provider with a key
// it refuses and returns every rendering of the errors.
func wrongCredentialErrors(t *testing.T, env demoEnv, rec *secretRecorder) []string {
	t.Helper()
	ctx := context.Background()
	const wrong = "wrong-key-c0ffee-1234"
	rec.add(wrong, "configured key")
	render := func(err error) string {
		require.Error(t, err)
		return fmt.Sprintf("%v\n%+v\n%#v", err, err, err)
	}
	var out []string

	kc, _, _, err := sbkassacompleet.NewTestServer(sbkassacompleet.Config{})
	require.NoError(t, err)
	defer kc.Close()
	kcClient, err := kassacompleet.New(wrong, kassacompleet.WithBaseURL(kc.URL+"/v1"), kassacompleet.WithLogger(env.logger), kassacompleet.WithHTTPClient(env.httpClient))
	require.NoError(t, err)
	_, err = kcClient.GetPayment(ctx, "any")
	out = append(out, render(err))

	op, _, _, err := sbopp.NewTestServer(sbopp.Config{})
	require.NoError(t, err)
	defer op.Close()
	oppClient, err := opp.New(wrong, opp.WithBaseURL(op.URL+"/v1"), opp.WithLogger(env.logger), opp.WithHTTPClient(env.httpClient))
	require.NoError(t, err)
	_, err = oppClient.GetPayment(ctx, "tra_any")
	out = append(out, render(err))

	msp, _, _, err := sbmultisafepay.NewTestServer(sbmultisafepay.Config{})
	require.NoError(t, err)
	defer msp.Close()
	mspClient, err := multisafepay.New(wrong, multisafepay.WithBaseURL(msp.URL+sbmultisafepay.BasePath), multisafepay.WithLogger(env.logger), multisafepay.WithHTTPClient(env.httpClient))
	require.NoError(t, err)
	_, err = mspClient.GetPayment(ctx, "any")
	out = append(out, render(err))

	bk, _, _, err := sbbuckaroo.NewTestServer(sbbuckaroo.Config{})
	require.NoError(t, err)
	defer bk.Close()
	bkClient, err := buckaroo.New(sbbuckaroo.DefaultWebsiteKey, wrong, buckaroo.WithBaseURL(bk.URL), buckaroo.WithLogger(env.logger), buckaroo.WithHTTPClient(env.httpClient))
	require.NoError(t, err)
	_, err = bkClient.GetPayment(ctx, "ANYKEY")
	out = append(out, render(err))
	return out
}
