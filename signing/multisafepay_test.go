package signing

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mspRecordingListener keeps every byte the server reads, so a test can see
// the request exactly as it crossed the wire (before Go canonicalises names).
type mspRecordingListener struct {
	net.Listener
	mu  sync.Mutex
	raw bytes.Buffer
}

func (l *mspRecordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &mspRecordingConn{Conn: c, l: l}, nil
}

func (l *mspRecordingListener) bytes() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.raw.String()
}

type mspRecordingConn struct {
	net.Conn
	l *mspRecordingListener
}

func (c *mspRecordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.l.mu.Lock()
	c.l.raw.Write(p[:n])
	c.l.mu.Unlock()
	return n, err
}

func TestMultiSafepayAPIKeyHeaderOnTheWire(t *testing.T) {
	var seen http.Header
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
	}))
	rec := &mspRecordingListener{Listener: srv.Listener}
	srv.Listener = rec
	srv.Start()
	defer srv.Close()

	rt, err := NewMultiSafepayAPIKey("test-key-123", nil)
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/json/orders", strings.NewReader(`{"order_id":"1"}`))
	req.Header.Set("Api_key", "stale-value-set-by-caller")
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()

	raw := rec.bytes()
	assert.Contains(t, raw, "\r\napi_key: test-key-123\r\n", "lower-case name, exactly as documented")
	assert.NotContains(t, raw, "Api_key", "never Go's canonical spelling")
	assert.Equal(t, 1, strings.Count(strings.ToLower(raw), "api_key:"), "exactly one key is sent")
	assert.Equal(t, []string{"test-key-123"}, seen.Values("Api_key"))
	assert.Equal(t, "stale-value-set-by-caller", req.Header.Get("Api_key"), "the caller's request must not be changed")
	_, lower := req.Header["api_key"]
	assert.False(t, lower)
}

func TestMultiSafepayAPIKeyKeepsKeyOutOfErrorsAndStrings(t *testing.T) {
	const key = "msp_live_very_secret"
	failing := RoundTripperFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("dial tcp: connection refused")
	})
	rt, err := NewMultiSafepayAPIKey(key, failing)
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/gateways", nil)
	_, err = rt.RoundTrip(req)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), key)
	for _, s := range []string{fmt.Sprint(rt), fmt.Sprintf("%v", rt), fmt.Sprintf("%+v", rt), fmt.Sprintf("%#v", rt)} {
		assert.NotContains(t, s, key)
	}
	_, err = NewMultiSafepayAPIKey("", nil)
	assert.ErrorIs(t, err, ErrMissingCredentials)
}

type mspVector struct {
	Source      string `json:"source"`
	APIKey      string `json:"api_key"`
	AuthHeader  string `json:"auth_header"`
	PayloadFile string `json:"payload_file"`
}

// mspVectors loads the provider's own notification vectors from the team's
// shared folder; a clone without it skips.
func mspVectors(t testing.TB) (map[string]mspVector, string) {
	dir := filepath.Join("..", "..", "shared", "vectors", "multisafepay")
	data, err := os.ReadFile(filepath.Join(dir, "msp_hmac_vectors.json"))
	if err != nil {
		t.Skipf("MultiSafepay notification vectors not available (%v); they live in ../shared/vectors/multisafepay", err)
	}
	var vs map[string]mspVector
	require.NoError(t, json.Unmarshal(data, &vs))
	require.Len(t, vs, 2)
	return vs, dir
}

// mspSignedAt reads the timestamp out of an Auth header.
func mspSignedAt(t testing.TB, header string) time.Time {
	raw, err := base64.StdEncoding.DecodeString(header)
	require.NoError(t, err)
	ts, _, _ := strings.Cut(string(raw), ":")
	var secs int64
	_, err = fmt.Sscan(ts, &secs)
	require.NoError(t, err)
	return time.Unix(secs, 0)
}

func TestMultiSafepayNotificationVectors(t *testing.T) {
	vs, dir := mspVectors(t)
	for name, v := range vs {
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, v.PayloadFile))
			require.NoError(t, err)
			at := mspSignedAt(t, v.AuthHeader)
			clock := Clock(func() time.Time { return at.Add(3 * time.Minute) })

			signed, err := VerifyMultiSafepayNotification(body, v.AuthHeader, v.APIKey, clock, 0)
			require.NoError(t, err, v.Source)
			assert.True(t, signed.Equal(at))
			assert.Equal(t, v.AuthHeader, SignMultiSafepayNotification(v.APIKey, body, at), "signing reproduces the provider's header")

			_, err = VerifyMultiSafepayNotification(body, v.AuthHeader, v.APIKey+"x", clock, 0)
			assert.ErrorIs(t, err, ErrSignatureMismatch, "wrong key")
			assert.NotContains(t, fmt.Sprint(err), v.APIKey)
		})
	}
}

// Every single-byte change of the body or of the Auth header must fail.
func TestMultiSafepayNotificationEveryByteChangeFails(t *testing.T) {
	vs, dir := mspVectors(t)
	for name, v := range vs {
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, v.PayloadFile))
			require.NoError(t, err)
			at := mspSignedAt(t, v.AuthHeader)
			clock := Clock(func() time.Time { return at })
			verify := func(b []byte, h string) error {
				_, err := VerifyMultiSafepayNotification(b, h, v.APIKey, clock, 0)
				return err
			}
			require.NoError(t, verify(body, v.AuthHeader))

			for i := range body {
				for _, x := range []byte{0x01, 0x20, 0x80, 0xff} {
					changed := bytes.Clone(body)
					changed[i] ^= x
					if err := verify(changed, v.AuthHeader); !errors.Is(err, ErrSignatureMismatch) {
						t.Fatalf("body byte %d ^ %#x: got %v, want ErrSignatureMismatch", i, x, err)
					}
				}
			}
			header := []byte(v.AuthHeader)
			for i := range header {
				for b := 0; b < 256; b++ {
					if byte(b) == header[i] {
						continue
					}
					changed := bytes.Clone(header)
					changed[i] = byte(b)
					if err := verify(body, string(changed)); !errors.Is(err, ErrSignatureMismatch) {
						t.Fatalf("header byte %d = %#x: got %v, want ErrSignatureMismatch", i, b, err)
					}
				}
			}
			// Lengthening or shortening fails too.
			assert.ErrorIs(t, verify(append(bytes.Clone(body), ' '), v.AuthHeader), ErrSignatureMismatch)
			assert.ErrorIs(t, verify(body[:len(body)-1], v.AuthHeader), ErrSignatureMismatch)
			assert.ErrorIs(t, verify(body, v.AuthHeader+"="), ErrSignatureMismatch)
			assert.ErrorIs(t, verify(body, v.AuthHeader[:len(v.AuthHeader)-4]), ErrSignatureMismatch)
			assert.ErrorIs(t, verify(body, ""), ErrSignatureMismatch)
		})
	}
}

func TestMultiSafepayNotificationStale(t *testing.T) {
	const key = "k"
	body := []byte(`{"order_id":"o-1","status":"completed"}`)
	at := time.Unix(1_700_000_000, 0)
	header := SignMultiSafepayNotification(key, body, at)
	verifyAt := func(now time.Time, tol time.Duration) error {
		_, err := VerifyMultiSafepayNotification(body, header, key, func() time.Time { return now }, tol)
		return err
	}
	assert.NoError(t, verifyAt(at.Add(10*time.Minute), 0), "the default tolerance is ten minutes")
	assert.ErrorIs(t, verifyAt(at.Add(10*time.Minute+time.Second), 0), ErrStale)
	assert.ErrorIs(t, verifyAt(at.Add(-11*time.Minute), 0), ErrStale, "from the future")
	assert.NoError(t, verifyAt(at.Add(time.Hour), 2*time.Hour), "a wider tolerance")
	assert.ErrorIs(t, verifyAt(at.Add(time.Minute), 30*time.Second), ErrStale, "a narrower tolerance")

	// A stale replay with a forged fresh timestamp no longer matches.
	forged := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%d:%s", at.Add(time.Hour).Unix(), strings.SplitN(mustB64(t, header), ":", 2)[1])))
	assert.ErrorIs(t, verifyAt(at.Add(time.Hour), 0), ErrStale)
	_, err := VerifyMultiSafepayNotification(body, forged, key, func() time.Time { return at.Add(time.Hour) }, 0)
	assert.ErrorIs(t, err, ErrSignatureMismatch)

	_, err = VerifyMultiSafepayNotification(body, header, "", nil, 0)
	assert.ErrorIs(t, err, ErrMissingCredentials)
}

func TestMultiSafepayNotificationMalformedHeaders(t *testing.T) {
	body := []byte(`{}`)
	for _, h := range []string{
		"not base64!",
		base64.StdEncoding.EncodeToString([]byte("no-colon")),
		base64.StdEncoding.EncodeToString([]byte(":abc")),
		base64.StdEncoding.EncodeToString([]byte("-1:abc")),
		base64.StdEncoding.EncodeToString([]byte("+1700000000:abc")),
		base64.StdEncoding.EncodeToString([]byte("99999999999999999999:abc")),
		base64.RawStdEncoding.EncodeToString([]byte("1700000000:ab")),
	} {
		_, err := VerifyMultiSafepayNotification(body, h, "k", nil, 0)
		assert.ErrorIs(t, err, ErrSignatureMismatch, h)
	}
}

func mustB64(t *testing.T, s string) string {
	raw, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return string(raw)
}

func BenchmarkMultiSafepayVerify(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 2048)
	at := time.Unix(1_700_000_000, 0)
	header := SignMultiSafepayNotification("key", body, at)
	clock := Clock(func() time.Time { return at })
	b.ReportAllocs()
	for b.Loop() {
		if _, err := VerifyMultiSafepayNotification(body, header, "key", clock, 0); err != nil {
			b.Fatal(err)
		}
	}
}
