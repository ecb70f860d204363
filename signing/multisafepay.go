package signing

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MultiSafepayHeader is the request header that carries the API key, in the
// exact (lower-case) spelling of MultiSafepay's documentation.
const MultiSafepayHeader = "api_key"

// MultiSafepayAPIKey authenticates requests to MultiSafepay with the header
// "api_key: <key>". The header name is written on the wire as documented,
// not in Go's canonical form "Api_key". The key is kept out of String().
type MultiSafepayAPIKey struct {
	key string
	// value is the header's value list, shared by every request (see BasicAuth).
	value []string
	base  http.RoundTripper
}

// NewMultiSafepayAPIKey wraps base (nil means http.DefaultTransport).
func NewMultiSafepayAPIKey(apiKey string, base http.RoundTripper) (*MultiSafepayAPIKey, error) {
	if apiKey == "" {
		return nil, ErrMissingCredentials
	}
	return &MultiSafepayAPIKey{key: apiKey, value: []string{apiKey}[:1:1], base: base}, nil
}

// RoundTrip sends a clone of req carrying the api_key header.
func (m *MultiSafepayAPIKey) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	m.Authorize(out)
	return transport(m.base).RoundTrip(out)
}

// Authorize sets the api_key header on a request the caller owns (a
// generated client's request editor): the key never changes, so unlike
// RoundTrip it needs no clone per attempt.
func (m *MultiSafepayAPIKey) Authorize(req *http.Request) {
	// Drop any canonical or differently-cased copy so exactly one key is sent.
	for name := range req.Header {
		if strings.EqualFold(name, MultiSafepayHeader) {
			delete(req.Header, name)
		}
	}
	// Direct assignment keeps the lower-case name (Header.Set would canonicalise it).
	req.Header[MultiSafepayHeader] = m.value
}

// String hides the key.
func (m *MultiSafepayAPIKey) String() string { return "signing.MultiSafepayAPIKey{key: [redacted]}" }

// GoString hides the key from %#v.
func (m *MultiSafepayAPIKey) GoString() string { return m.String() }

// MultiSafepayNotificationHeader is the header of a signed notification.
const MultiSafepayNotificationHeader = "Auth"

// DefaultMultiSafepayTolerance is how far a notification's timestamp may be
// from now before it is refused as stale (a replay or a skewed clock).
const DefaultMultiSafepayTolerance = 10 * time.Minute

// SignMultiSafepayNotification returns the Auth header MultiSafepay sends
// with a POST notification: base64("<unix ts>:" + hex(HMAC-SHA512(api key,
// "<unix ts>:" + body))). The sandbox and the CLI use it; so do tests.
func SignMultiSafepayNotification(apiKey string, body []byte, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	sig := hex.EncodeToString(mac(sha512.New, []byte(apiKey), []byte(ts), []byte(":"), body))
	return base64.StdEncoding.EncodeToString([]byte(ts + ":" + sig))
}

// VerifyMultiSafepayNotification checks the Auth header of a notification
// against its exact raw body and the website's API key, in constant time,
// and refuses a timestamp more than tolerance from clock's now (0 means
// DefaultMultiSafepayTolerance; a nil clock is the system clock). It
// returns the signed time. A malformed or wrong header is
// ErrSignatureMismatch; a valid but old one is ErrStale. The key never
// appears in an error.
func VerifyMultiSafepayNotification(body []byte, authHeader, apiKey string, clock Clock, tolerance time.Duration) (time.Time, error) {
	if apiKey == "" {
		return time.Time{}, ErrMissingCredentials
	}
	if tolerance <= 0 {
		tolerance = DefaultMultiSafepayTolerance
	}
	// Strict: a changed padding bit must not decode to the same bytes.
	decoded, err := base64.StdEncoding.Strict().DecodeString(authHeader)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: Auth header is not base64", ErrSignatureMismatch)
	}
	ts, sig, ok := strings.Cut(string(decoded), ":")
	if !ok || !mspDigits(ts) || len(ts) > 12 {
		return time.Time{}, fmt.Errorf("%w: Auth header is not \"<unix ts>:<hex HMAC>\"", ErrSignatureMismatch)
	}
	// Compare the hex text itself (lower case, as sent), so that a changed
	// letter case cannot pass.
	want := hex.EncodeToString(mac(sha512.New, []byte(apiKey), []byte(ts), []byte(":"), body))
	if !macEqual([]byte(want), []byte(sig)) {
		return time.Time{}, ErrSignatureMismatch
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil { // unreachable: at most 12 digits
		return time.Time{}, fmt.Errorf("%w: bad timestamp", ErrSignatureMismatch)
	}
	signed := time.Unix(secs, 0).UTC()
	if err := checkFresh(signed, clock.now(), tolerance); err != nil {
		return signed, err
	}
	return signed, nil
}

func mspDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
