package apiclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/betaalkit/betaalkit/transport"
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
//
// The copy refuses redirects to another scheme or host: the auth layer is
// a RoundTripper, so it would sign every hop and hand the credentials to
// whoever the redirect names. It never follows a redirect of a request
// that is not idempotent (a POST that creates a payment or refund): that
// would send it again, so the redirect is returned as the answer, which
// Expect turns into the provider's error saying so. Same-origin redirects
// of GET, HEAD, OPTIONS and DELETE follow hc's policy.
func CopyHTTPClient(hc *http.Client) (copied *http.Client, base http.RoundTripper) {
	if hc == nil {
		hc = http.DefaultClient
	}
	c := *hc
	policy := hc.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !transport.Idempotent(via[0].Method) {
			return http.ErrUseLastResponse
		}
		if from := via[0].URL; req.URL.Scheme != from.Scheme || req.URL.Host != from.Host {
			return fmt.Errorf("%w: from %s://%s to %s://%s", ErrCrossOriginRedirect, from.Scheme, from.Host, req.URL.Scheme, req.URL.Host)
		}
		if policy != nil {
			return policy(req, via)
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		return nil
	}
	return &c, hc.Transport
}

// maxRedirects matches net/http's default policy.
const maxRedirects = 10

// ErrCrossOriginRedirect is returned when a provider's answer redirects a
// signed request to another host; the request is not sent there.
var ErrCrossOriginRedirect = errors.New("refusing to follow a redirect to another origin with credentials")

// HTTPClient builds a client's *http.Client from the caller's options: a
// copy of o.HTTPClient (never modified) whose transport is retries, sign,
// logging and o.HTTPClient's own transport, in that order. stack says what
// is the provider's own (name, retry statuses, secrets to redact); o gives
// the retry policy, logger and attempt timeout. Without an AttemptTimeout,
// each attempt gets transport.DefaultAttemptTimeout unless the caller's
// client has a Timeout of its own.
func HTTPClient(o transport.Options, sign transport.Layer, stack transport.Config) (*http.Client, error) {
	hc, base := CopyHTTPClient(o.HTTPClient)
	stack.Retry, stack.Logger, stack.AttemptTimeout = o.Retry, o.Logger, o.AttemptTimeout
	if stack.AttemptTimeout == 0 && hc.Timeout == 0 {
		stack.AttemptTimeout = transport.DefaultAttemptTimeout
	}
	rt, err := transport.New(base, sign, stack)
	if err != nil {
		return nil, err
	}
	hc.Transport = rt
	return hc, nil
}

// Authorizer sets a static credential on a request (signing.BasicAuth,
// signing.MultiSafepayAPIKey).
type Authorizer interface{ Authorize(*http.Request) }

// AuthorizeEditor adapts an Authorizer to a generated client's request
// editor. A static credential is set once on the request the generated
// client builds; retries resend it, and only signers that change per
// attempt need to sit in the transport.
func AuthorizeEditor(a Authorizer) func(context.Context, *http.Request) error {
	return func(_ context.Context, req *http.Request) error {
		a.Authorize(req)
		return nil
	}
}
