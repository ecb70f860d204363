package signing

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The vector from DESIGN.md.
const (
	bkWebsiteKey = "WEBSITE123"
	bkSecret     = "SECRETAPIKEY"
	bkNonce      = "abcdef0123456789"
	bkTimestamp  = 1500000000
	bkURL        = "https://testcheckout.buckaroo.nl/json/Transaction"
	bkBody       = `{"Currency":"EUR"}`
	bkHeader     = "hmac WEBSITE123:Hw0aw3Nd5g5Jg9Mv50h+vy+qS34hE+xAz4CfISejm5A=:abcdef0123456789:1500000000"
)

func bkClock(unix int64) Clock { return func() time.Time { return time.Unix(unix, 0) } }

func TestBuckarooDesignVector(t *testing.T) {
	got, err := BuckarooAuthorization(bkWebsiteKey, bkSecret, http.MethodPost, bkURL, bkNonce, bkTimestamp, []byte(bkBody))
	require.NoError(t, err)
	assert.Equal(t, bkHeader, got)

	// The method is case-insensitive in the signed text; the scheme is not signed.
	lower, err := BuckarooAuthorization(bkWebsiteKey, bkSecret, "post", "testcheckout.buckaroo.nl/json/Transaction", bkNonce, bkTimestamp, []byte(bkBody))
	require.NoError(t, err)
	assert.Equal(t, bkHeader, lower)
}

func TestBuckarooSignerReproducesVector(t *testing.T) {
	var sent *http.Request
	var sentBody []byte
	base := RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		sent = r
		sentBody, _ = io.ReadAll(r.Body)
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
	})
	s, err := NewBuckarooSigner(bkWebsiteKey, bkSecret, base,
		BuckarooClock(bkClock(bkTimestamp)),
		BuckarooNonce(func() (string, error) { return bkNonce, nil }))
	require.NoError(t, err)

	req, _ := http.NewRequest(http.MethodPost, bkURL, strings.NewReader(bkBody))
	resp, err := s.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, bkHeader, sent.Header.Get("Authorization"))
	assert.Equal(t, bkBody, string(sentBody), "the signed bytes are the sent bytes")
	assert.Empty(t, req.Header.Get("Authorization"), "the caller's request must not be changed")
}

func TestBuckarooURI(t *testing.T) {
	for in, want := range map[string]string{
		"https://testcheckout.buckaroo.nl/json/Transaction":   "testcheckout.buckaroo.nl%2fjson%2ftransaction",
		"testcheckout.buckaroo.nl/json/Transaction/":          "testcheckout.buckaroo.nl%2fjson%2ftransaction%2f",
		"http://shop.example/push?a=1&b=x y~z":                "shop.example%2fpush%3fa%3d1%26b%3dx+y%7ez",
		"https://127.0.0.1:8443/json/Transaction/Status/AB-_": "127.0.0.1%3a8443%2fjson%2ftransaction%2fstatus%2fab-_",
	} {
		assert.Equal(t, want, BuckarooURI(in), in)
	}
}

func TestBuckarooSignatureCoversURLExactly(t *testing.T) {
	sign := func(u string) string {
		h, err := BuckarooAuthorization(bkWebsiteKey, bkSecret, http.MethodPost, u, bkNonce, bkTimestamp, []byte(bkBody))
		require.NoError(t, err)
		return h
	}
	base := sign(bkURL)
	for _, u := range []string{bkURL + "/", bkURL + "?x=1", "https://checkout.buckaroo.nl/json/Transaction", "https://testcheckout.buckaroo.nl/json/Transactions"} {
		assert.NotEqual(t, base, sign(u), u)
	}
}

func TestBuckarooEmptyBodySignsEmptyContent(t *testing.T) {
	h, err := BuckarooAuthorization(bkWebsiteKey, bkSecret, http.MethodGet, "https://testcheckout.buckaroo.nl/json/Transaction/Status/KEY", bkNonce, bkTimestamp, nil)
	require.NoError(t, err)
	v, err := NewBuckarooVerifier(bkWebsiteKey, bkSecret, BuckarooClock(bkClock(bkTimestamp)))
	require.NoError(t, err)
	_, err = v.Verify(http.MethodGet, "https://testcheckout.buckaroo.nl/json/Transaction/Status/KEY", nil, h)
	require.NoError(t, err)
	_, err = v.Verify(http.MethodGet, "https://testcheckout.buckaroo.nl/json/Transaction/Status/KEY", []byte(" "), h)
	assert.ErrorIs(t, err, ErrSignatureMismatch)
}

// pushFixture is a push as Buckaroo sends it to the shop's push URL.
const (
	bkPushURL  = "https://shop.example/buckaroo/push?order=1"
	bkPushBody = `{"Transaction":{"Key":"B3E81DCB894A43619AD8CCE5A10F5xxx","Status":{"Code":{"Code":190,"Description":"Success"}},"AmountDebit":8}}`
)

func signedPush(t *testing.T) string {
	t.Helper()
	h, err := BuckarooAuthorization(bkWebsiteKey, bkSecret, http.MethodPost, bkPushURL, bkNonce, bkTimestamp, []byte(bkPushBody))
	require.NoError(t, err)
	return h
}

func TestBuckarooPushVerifies(t *testing.T) {
	v, err := NewBuckarooVerifier(bkWebsiteKey, bkSecret, BuckarooClock(bkClock(bkTimestamp+60)))
	require.NoError(t, err)
	require.NoError(t, v.VerifyPush(bkPushURL, []byte(bkPushBody), signedPush(t)))
}

// mutations returns several different bytes to put in place of b.
func mutations(b byte) []byte { return []byte{b ^ 0x01, b ^ 0x20, b ^ 0x80, '0', ':'} }

func TestBuckarooPushEverySingleByteChangeFails(t *testing.T) {
	v, err := NewBuckarooVerifier(bkWebsiteKey, bkSecret, BuckarooClock(bkClock(bkTimestamp)))
	require.NoError(t, err)
	header := signedPush(t)
	body := []byte(bkPushBody)

	for i := range body {
		for _, m := range mutations(body[i]) {
			if m == body[i] {
				continue
			}
			changed := bytes.Clone(body)
			changed[i] = m
			err := v.VerifyPush(bkPushURL, changed, header)
			require.Error(t, err, "body byte %d changed to %q still verified", i, m)
		}
	}
	for i := range len(header) {
		for _, m := range mutations(header[i]) {
			if m == header[i] {
				continue
			}
			changed := []byte(header)
			changed[i] = m
			err := v.VerifyPush(bkPushURL, body, string(changed))
			require.Error(t, err, "header byte %d changed to %q still verified", i, m)
		}
	}
	// Adding or removing a byte fails too.
	require.Error(t, v.VerifyPush(bkPushURL, append(bytes.Clone(body), '\n'), header))
	require.Error(t, v.VerifyPush(bkPushURL, body[:len(body)-1], header))
	require.Error(t, v.VerifyPush(bkPushURL, body, header+"0"))
	require.Error(t, v.VerifyPush(bkPushURL, body, " "+header))
	require.NoError(t, v.VerifyPush(bkPushURL, body, header), "the untouched push still verifies")
}

func TestBuckarooPushRejections(t *testing.T) {
	header := signedPush(t)
	body := []byte(bkPushBody)
	good, err := NewBuckarooVerifier(bkWebsiteKey, bkSecret, BuckarooClock(bkClock(bkTimestamp)))
	require.NoError(t, err)

	t.Run("other push URL", func(t *testing.T) {
		for _, u := range []string{"https://shop.example/buckaroo/push", "https://shop.example/buckaroo/push/?order=1", "https://shop.example/buckaroo/push?order=2"} {
			assert.ErrorIs(t, good.VerifyPush(u, body, header), ErrSignatureMismatch, u)
		}
	})
	t.Run("other secret", func(t *testing.T) {
		v, _ := NewBuckarooVerifier(bkWebsiteKey, "OTHERSECRET", BuckarooClock(bkClock(bkTimestamp)))
		assert.ErrorIs(t, v.VerifyPush(bkPushURL, body, header), ErrSignatureMismatch)
	})
	t.Run("other website key", func(t *testing.T) {
		v, _ := NewBuckarooVerifier("WEBSITE999", bkSecret, BuckarooClock(bkClock(bkTimestamp)))
		err := v.VerifyPush(bkPushURL, body, header)
		assert.ErrorIs(t, err, ErrSignatureMismatch)
		assert.Contains(t, err.Error(), "website key")
	})
	t.Run("signed as GET", func(t *testing.T) {
		h, _ := BuckarooAuthorization(bkWebsiteKey, bkSecret, http.MethodGet, bkPushURL, bkNonce, bkTimestamp, body)
		assert.ErrorIs(t, good.VerifyPush(bkPushURL, body, h), ErrSignatureMismatch)
	})
	t.Run("stale", func(t *testing.T) {
		for _, now := range []int64{bkTimestamp + 301, bkTimestamp - 301} {
			v, _ := NewBuckarooVerifier(bkWebsiteKey, bkSecret, BuckarooClock(bkClock(now)))
			assert.ErrorIs(t, v.VerifyPush(bkPushURL, body, header), ErrStale, now)
		}
		v, _ := NewBuckarooVerifier(bkWebsiteKey, bkSecret, BuckarooClock(bkClock(bkTimestamp+299)))
		assert.NoError(t, v.VerifyPush(bkPushURL, body, header), "inside the default tolerance")
		wide, _ := NewBuckarooVerifier(bkWebsiteKey, bkSecret, BuckarooClock(bkClock(bkTimestamp+3600)), BuckarooTolerance(2*time.Hour))
		assert.NoError(t, wide.VerifyPush(bkPushURL, body, header), "a wider tolerance admits it")
	})
	t.Run("malformed", func(t *testing.T) {
		for _, h := range []string{"", "hmac", "HMAC " + strings.TrimPrefix(header, "hmac "), "Bearer x", "hmac a:b:c", "hmac WEBSITE123:!!!:n:1", "hmac WEBSITE123:" + strings.Repeat("A", 44) + ":n:-1"} {
			assert.ErrorIs(t, good.VerifyPush(bkPushURL, body, h), ErrBuckarooHeader, h)
		}
	})
}

func TestBuckarooSignerFreshNonceEachAttemptAndVerifiesOnServer(t *testing.T) {
	v, err := NewBuckarooVerifier(bkWebsiteKey, bkSecret)
	require.NoError(t, err)
	var mu sync.Mutex
	var nonces []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, err := v.VerifyRequest(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		nonces = append(nonces, h.Nonce)
		mu.Unlock()
		if r.URL.Path == "/json/Transaction" {
			http.Redirect(w, r, "/json/Transaction/", http.StatusTemporaryRedirect)
			return
		}
		_, _ = w.Write(body)
	}))
	defer srv.Close()

	s, err := NewBuckarooSigner(bkWebsiteKey, bkSecret, srv.Client().Transport)
	require.NoError(t, err)
	hc := &http.Client{Transport: s}
	for range 2 {
		resp, err := hc.Post(srv.URL+"/json/Transaction", "application/json", strings.NewReader(bkBody))
		require.NoError(t, err)
		echoed, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, string(echoed))
		assert.Equal(t, bkBody, string(echoed), "the body survives the 307 redirect")
	}
	require.Len(t, nonces, 4, "two requests, each redirected once, every hop verified")
	seen := map[string]bool{}
	for _, n := range nonces {
		assert.Len(t, n, 16)
		assert.False(t, seen[n], "nonce %s reused", n)
		seen[n] = true
	}
}

func TestBuckarooSignerErrorsAndSecrets(t *testing.T) {
	_, err := NewBuckarooSigner("", bkSecret, nil)
	assert.ErrorIs(t, err, ErrMissingCredentials)
	_, err = NewBuckarooSigner(bkWebsiteKey, "", nil)
	assert.ErrorIs(t, err, ErrMissingCredentials)
	_, err = NewBuckarooVerifier(bkWebsiteKey, "")
	assert.ErrorIs(t, err, ErrMissingCredentials)
	_, err = BuckarooAuthorization(bkWebsiteKey, bkSecret, "POST", bkURL, "a:b", 1, nil)
	assert.Error(t, err, "a nonce with ':' would break the header")

	failing := RoundTripperFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("dial tcp: refused") })
	s, err := NewBuckarooSigner(bkWebsiteKey, bkSecret, failing)
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodPost, bkURL, strings.NewReader(bkBody))
	_, err = s.RoundTrip(req)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), bkSecret)

	broken, _ := NewBuckarooSigner(bkWebsiteKey, bkSecret, failing, BuckarooNonce(func() (string, error) { return "", errors.New("no entropy") }))
	req, _ = http.NewRequest(http.MethodPost, bkURL, strings.NewReader(bkBody))
	_, err = broken.RoundTrip(req)
	assert.ErrorContains(t, err, "no entropy")

	v, _ := NewBuckarooVerifier(bkWebsiteKey, bkSecret)
	for _, x := range []any{s, v} {
		for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
			assert.NotContains(t, fmt.Sprintf(f, x), bkSecret)
		}
	}
	err = v.VerifyPush(bkPushURL, []byte(bkPushBody), signedPush(t))
	require.Error(t, err) // stale against the real clock
	assert.NotContains(t, err.Error(), bkSecret)
}

func BenchmarkBuckarooAuthorization(b *testing.B) {
	body := bytes.Repeat([]byte(bkBody), 64)
	for b.Loop() {
		_, _ = BuckarooAuthorization(bkWebsiteKey, bkSecret, http.MethodPost, bkURL, bkNonce, bkTimestamp, body)
	}
}

func FuzzBuckarooVerify(f *testing.F) {
	f.Add([]byte(bkPushBody), signedPushHeader())
	f.Add([]byte(""), "hmac a:b:c:d")
	v, _ := NewBuckarooVerifier(bkWebsiteKey, bkSecret, BuckarooClock(bkClock(bkTimestamp)))
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		h, err := v.Verify(http.MethodPost, bkPushURL, body, header)
		if err != nil {
			return
		}
		// Whatever verifies must be exactly what a signer produces.
		again, err := BuckarooAuthorization(bkWebsiteKey, bkSecret, http.MethodPost, bkPushURL, h.Nonce, mustInt(t, h), body)
		if err != nil || again != header {
			t.Fatalf("verified a header the signer would not produce: %q (signer: %q)", header, again)
		}
	})
}

func signedPushHeader() string {
	h, _ := BuckarooAuthorization(bkWebsiteKey, bkSecret, http.MethodPost, bkPushURL, bkNonce, bkTimestamp, []byte(bkPushBody))
	return h
}

func mustInt(t *testing.T, h BuckarooHeader) int64 {
	ts, err := h.Time()
	if err != nil {
		t.Fatal(err)
	}
	return ts.Unix()
}

// Compute the header for one request, e.g. to compare with what another
// implementation signs.
func ExampleBuckarooAuthorization() {
	h, err := BuckarooAuthorization("WEBSITE123", "SECRETAPIKEY", "POST",
		"https://testcheckout.buckaroo.nl/json/Transaction", "abcdef0123456789", 1500000000,
		[]byte(`{"Currency":"EUR"}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(h)
	// Output:
	// hmac WEBSITE123:Hw0aw3Nd5g5Jg9Mv50h+vy+qS34hE+xAz4CfISejm5A=:abcdef0123456789:1500000000
}
