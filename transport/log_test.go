package transport

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/internal/redact"
	"github.com/betaalkit/betaalkit/internal/syncbuf"
)

func newTextLogger(w io.Writer, debug bool) *slog.Logger {
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// The IBANs below have valid checksums; the ids do not.
const (
	ibanNL       = "NL91ABNA0417164300"
	ibanSpaced   = "DE89 3704 0044 0532 0130 00"
	notAnIBAN    = "NL00ABNA0417164300"
	apiKey       = "sk_live_8f3a9c2e71d44b0f"
	accessToken  = "eyJhbGciOiJSUzI1NiJ9.token-value"
	secretInBody = "hunter2-secret"
)

func TestRedactText(t *testing.T) {
	r := newRedactor([]string{apiKey, ""})
	for in, want := range map[string]string{
		`{"access_token":"` + accessToken + `","expires_in":3600}`:    `{"access_token":"[redacted]","expires_in":3600}`,
		`{"CustomerIBAN": "` + ibanNL + `", "Key":"4E8BD922"}`:        `{"CustomerIBAN": "[redacted]", "Key":"4E8BD922"}`,
		`{"api_key":12345,"apiKey":"x","secretKey":true}`:             `{"api_key":"[redacted]","apiKey":"[redacted]","secretKey":"[redacted]"}`,
		`{"card_number":"4111111111111111","cvc":"123"}`:              `{"card_number":"[redacted]","cvc":"[redacted]"}`,
		`{"description":"from ` + ibanNL + `"}`:                       `{"description":"from [redacted IBAN]"}`,
		`paid from ` + ibanSpaced + ` today`:                          `paid from [redacted IBAN] today`,
		`{"reference":"` + notAnIBAN + `"}`:                           `{"reference":"` + notAnIBAN + `"}`,
		`grant_type=client_credentials&client_secret=` + secretInBody: `grant_type=client_credentials&client_secret=[redacted]`,
		`the key ` + apiKey + ` was refused`:                          `the key [redacted] was refused`,
		`{"escaped":"a\"b","password":"p\"w"}`:                        `{"escaped":"a\"b","password":"[redacted]"}`,
	} {
		assert.Equal(t, want, r.text(in), in)
	}
}

func TestRedactHeaders(t *testing.T) {
	r := newRedactor([]string{apiKey})
	for _, name := range []string{"Authorization", "api_key", "Signature", "Auth", "Cookie", "Set-Cookie", "X-Api-Key", "X-Access-Token", "Proxy-Authorization"} {
		assert.Equal(t, Redacted, r.header(name, []string{"anything"}), name)
	}
	assert.Equal(t, "application/json", r.header("Content-Type", []string{"application/json"}))
	assert.Equal(t, "SHA-256=abc", r.header("Digest", []string{"SHA-256=abc"}))
	assert.Equal(t, "[redacted]", r.header("X-Echo", []string{apiKey}), "a listed secret is redacted in any header")
}

func TestIBANChecksum(t *testing.T) {
	for _, iban := range []string{ibanNL, "DE89370400440532013000", "GB82WEST12345698765432", "BE68539007547034", "NL91abna0417164300"} {
		assert.True(t, redact.IsIBAN(iban), iban)
	}
	for _, s := range []string{notAnIBAN, "NL91ABNA041716430", "4E8BD922192746C3918BF4077CFB2AB5"} {
		assert.False(t, redact.IsIBAN(s), s)
	}
}

// TestRedactAnyCaseAndSpacing: an IBAN is redacted in lower and mixed case,
// with spaces (and their JSON escapes) between its groups, inside other
// text, in the path and in an error; the client's secrets in any case.
func TestRedactAnyCaseAndSpacing(t *testing.T) {
	r := newRedactor([]string{apiKey})
	for _, iban := range []string{
		"nl91abna0417164300", "Nl91AbNa0417164300", "nl91 abna 0417 1643 00", "DE89 3704 0044 0532 0130 00",
		`de89  3704\t0044\u00a00532 0130 00`, "de89\t3704\u00a00044 0532 0130 00", `gb82\u0020west 1234 5698 7654 32`, "be68 5390 0754 7034",
	} {
		for _, text := range []string{
			`{"description":"paid from ` + iban + `"}`,
			`{"description":"ref` + iban + `x"}`,
			`{"description":"line\n` + iban + `"}`,
			`metadata[note]=` + iban,
		} {
			got := r.text(text)
			assert.Contains(t, got, "[redacted IBAN]", text)
			assert.NotContains(t, squash(got), squash(iban), text)
		}
	}
	assert.Equal(t, "the key [redacted] was refused", r.text("the key "+strings.ToUpper(apiKey)+" was refused"))
	assert.Equal(t, `{"reference":"`+notAnIBAN+`"}`, r.text(`{"reference":"`+notAnIBAN+`"}`), "a failed checksum stays readable")
}

// TestDebugLogReadsOnlyWhatTheClientReads: the log layer copies the
// response body as the client reads it; it never reads on its own, so a
// client that stops after a few bytes has read all the network gave.
func TestDebugLogReadsOnlyWhatTheClientReads(t *testing.T) {
	var out syncbuf.Buffer
	body := &countingReader{left: 64 << 20}
	base := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(body), Request: req}, nil
	})
	rt, err := New(base, nil, Config{Provider: "opp", Logger: newTextLogger(&out, true)})
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodGet, "https://api.example/v1/transactions/tra_"+strings.ToLower(ibanNL), nil)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	buf := make([]byte, 100)
	_, err = io.ReadFull(resp.Body, buf)
	require.NoError(t, err)
	assert.Empty(t, out.String(), "the line waits for the body")
	require.NoError(t, resp.Body.Close())
	assert.EqualValues(t, 100, body.read, "the log read nothing the client did not")

	var line struct {
		Path         string
		ResponseBody string `json:"response_body"`
	}
	require.NoError(t, json.Unmarshal([]byte(out.String()), &line), out.String())
	assert.Equal(t, strings.Repeat("a", 100), line.ResponseBody)
	assert.Equal(t, "/v1/transactions/tra_[redacted IBAN]", line.Path)
}

// TestDebugLogQuotesTheStartOfALongBody: a body longer than the quote is
// cut at maxLoggedBody; the client still gets every byte.
func TestDebugLogQuotesTheStartOfALongBody(t *testing.T) {
	var out syncbuf.Buffer
	body := &countingReader{left: 1 << 20}
	base := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(body), Request: req}, nil
	})
	rt, err := New(base, nil, Config{Provider: "opp", Logger: newTextLogger(&out, true)})
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodGet, "https://api.example/v1/transactions", nil)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	n, err := io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	assert.EqualValues(t, 1<<20, n)
	var line struct {
		ResponseBody string `json:"response_body"`
	}
	require.NoError(t, json.Unmarshal([]byte(out.String()), &line), out.String())
	assert.Equal(t, strings.Repeat("a", maxLoggedBody)+"…", line.ResponseBody)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, 1, strings.Count(out.String(), "\n"), "one line, however often the body is closed")
}

// squash drops what may stand between an IBAN's characters, and case.
func squash(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "\t", "", "\u00a0", "", `\t`, "", `\u00a0`, "", `\u0020`, "").Replace(s))
}

// countingReader yields left bytes of 'a' and counts what was read.
type countingReader struct{ left, read int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left == 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), c.left))
	for i := range n {
		p[i] = 'a'
	}
	c.left -= int64(n)
	c.read += int64(n)
	return n, nil
}

func TestLogLineAtInfoHasNoHeadersOrBodies(t *testing.T) {
	var out strings.Builder
	base := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return answer(201)(req)
	})
	rt, err := New(base, authLayer(apiKey), Config{Provider: "opp", Logger: newTextLogger(&out, false), Secrets: []string{apiKey}})
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodPost, "https://api.example/v1/transactions?secret=1", strings.NewReader(`{"iban":"`+ibanNL+`"}`))
	_, err = rt.RoundTrip(req)
	require.NoError(t, err)

	var line map[string]any
	require.NoError(t, json.Unmarshal([]byte(out.String()), &line), out.String())
	assert.Equal(t, "INFO", line["level"])
	assert.Equal(t, "opp", line["provider"])
	assert.Equal(t, "POST", line["method"])
	assert.Equal(t, "/v1/transactions", line["path"], "no query string")
	assert.EqualValues(t, 201, line["status"])
	assert.EqualValues(t, 1, line["attempt"])
	assert.Contains(t, line, "duration")
	assert.NotContains(t, line, "request_headers")
	assert.NotContains(t, line, "request_body")
	assert.NotContains(t, out.String(), "secret=1")
}

func TestLogLineAtDebugIsRedacted(t *testing.T) {
	var out strings.Builder
	base := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		body := `{"access_token":"` + accessToken + `","payer":{"iban":"` + ibanNL + `"}}`
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}, "Set-Cookie": {"session=" + accessToken}},
			Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
	})
	rt, err := New(base, authLayer(apiKey), Config{Provider: "ideal2", Logger: newTextLogger(&out, true), Secrets: []string{apiKey}})
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodPost, "https://api.example/v1/payments", strings.NewReader(`{"DebtorIBAN":"`+ibanNL+`","note":"key `+apiKey+`"}`))
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	got, _ := io.ReadAll(resp.Body)
	assert.Contains(t, string(got), accessToken, "the caller still gets the whole body")

	log := out.String()
	for _, secret := range []string{apiKey, accessToken, ibanNL, "Bearer"} {
		assert.NotContains(t, log, secret)
	}
	var line struct {
		Level           string
		RequestHeaders  map[string]string `json:"request_headers"`
		RequestBody     string            `json:"request_body"`
		ResponseHeaders map[string]string `json:"response_headers"`
		ResponseBody    string            `json:"response_body"`
	}
	require.NoError(t, json.Unmarshal([]byte(log), &line), log)
	assert.Equal(t, Redacted, line.RequestHeaders["Authorization"])
	assert.Equal(t, Redacted, line.ResponseHeaders["Set-Cookie"])
	assert.Equal(t, "application/json", line.ResponseHeaders["Content-Type"])
	assert.Equal(t, `{"DebtorIBAN":"[redacted]","note":"key [redacted]"}`, line.RequestBody)
	assert.Equal(t, `{"access_token":"[redacted]","payer":{"iban":"[redacted]"}}`, line.ResponseBody)
}

func TestLogLineForAFailedAttempt(t *testing.T) {
	var out strings.Builder
	base := roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, dialRefused })
	rt, err := New(base, nil, Config{Provider: "buckaroo", Logger: newTextLogger(&out, false), Retry: RetryPolicy{MaxAttempts: 2, BaseDelay: time.Nanosecond}})
	require.NoError(t, err)
	_, err = send(t, rt, http.MethodPost)
	require.Error(t, err)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 2, "one line per attempt")
	assert.Contains(t, lines[0], `"level":"WARN"`)
	assert.Contains(t, lines[0], `"attempt":1`)
	assert.Contains(t, lines[1], `"attempt":2`)
	assert.Contains(t, lines[1], "connection refused")
}

// authLayer stands in for a signer: it adds a credential header.
func authLayer(key string) Layer {
	return func(next http.RoundTripper) (http.RoundTripper, error) {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			out := req.Clone(req.Context())
			out.Header.Set("Authorization", "Bearer "+key)
			return next.RoundTrip(out)
		}), nil
	}
}
