package apiclient

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// BaseURL parses a client's base URL; it must be absolute. A trailing slash
// is dropped so generated paths join cleanly.
func BaseURL(provider, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("%s: base URL %q is not an absolute URL", provider, raw)
	}
	return u, nil
}

// CopyHTTPClient returns a copy of hc (http.DefaultClient when nil) for a
// client to install its auth layer on, and hc's own transport for that
// layer to send through. The caller's client is never modified.
func CopyHTTPClient(hc *http.Client) (copied *http.Client, transport http.RoundTripper) {
	if hc == nil {
		hc = http.DefaultClient
	}
	c := *hc
	return &c, hc.Transport
}
