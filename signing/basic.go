package signing

import (
	"encoding/base64"
	"net/http"
)

// BasicAuth authenticates with HTTP Basic, the API key as username and an
// empty password (Kassa Compleet, OPP). The key is kept out of String().
type BasicAuth struct {
	// value is the header's value list, shared by every request: net/http
	// and RoundTrippers only read it (they must not modify a request), and
	// a Header.Add would copy it (its capacity is 1).
	value []string
	base  http.RoundTripper
}

// NewBasicAuth wraps base (nil means http.DefaultTransport).
func NewBasicAuth(apiKey string, base http.RoundTripper) (*BasicAuth, error) {
	if apiKey == "" {
		return nil, ErrMissingCredentials
	}
	header := "Basic " + base64.StdEncoding.EncodeToString([]byte(apiKey+":"))
	return &BasicAuth{value: []string{header}[:1:1], base: base}, nil
}

// RoundTrip sends a clone of req carrying the Authorization header.
func (b *BasicAuth) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	b.Authorize(out)
	return transport(b.base).RoundTrip(out)
}

// Authorize sets the Authorization header on a request the caller owns
// (a generated client's request editor): the credential never changes, so
// unlike RoundTrip it needs no clone per attempt.
func (b *BasicAuth) Authorize(req *http.Request) { req.Header["Authorization"] = b.value }

// String hides the key.
func (b *BasicAuth) String() string { return "signing.BasicAuth{key: [redacted]}" }

// GoString hides the key from %#v.
func (b *BasicAuth) GoString() string { return b.String() }
