package specs

import (
	"bytes"
	"io"
	"net/http"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/signing"
)

// TB is the part of testing.TB that Check reports to; *testing.T,
// *testing.B and testing.TB are one.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// Check returns an http.RoundTripper that sends through next (nil:
// http.DefaultTransport) and checks every request and response against
// provider's spec, failing t with the operation and each field that does
// not fit. Give it to a client as its HTTP client's transport, so that a
// shop's integration tests catch a drift the day it appears:
//
//	c, err := kassacompleet.New(key, kassacompleet.WithHTTPClient(
//		&http.Client{Transport: specs.Check(t, "kassacompleet", nil)}))
//
// The clients put the caller's transport at the bottom of their stack,
// below retries and the signer, so Check sees every attempt exactly as it
// is sent, signed. It reads the request body through GetBody (or reads and
// replaces it) and hands the client the response body it read, byte for
// byte, so the client sees what it would have seen without it.
func Check(t TB, provider string, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	v, err := NewValidator(provider)
	if err != nil {
		t.Helper()
		t.Errorf("specs.Check: %v", err)
		return next
	}
	return &checker{t: t, provider: provider, v: v, next: next}
}

type checker struct {
	t        TB
	provider string
	v        *Validator
	next     http.RoundTripper
}

func (c *checker) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := signing.ReadBody(req)
	if err != nil {
		if req.GetBody != nil {
			req.Body.Close() // a RoundTripper closes the body, even on error; ReadBody did without GetBody
		}
		return nil, err
	}
	if req.GetBody == nil && body != nil {
		req = signing.CloneWithBody(req, body) // ReadBody consumed req.Body
	}
	resp, err := c.next.RoundTrip(req)
	ex := Exchange{Method: req.Method, Target: req.URL.RequestURI(), RequestHeader: req.Header, RequestBody: body}
	if err == nil {
		ex.Status, ex.ResponseHeader = resp.StatusCode, resp.Header
		ex.ResponseBody, resp.Body = readBody(resp.Body)
	}
	if res := c.v.CheckExchange(req.Context(), ex); !res.OK() {
		c.t.Helper()
		c.t.Errorf("specs: %s %s %s does not fit the spec: %s", c.provider, req.Method, betaalkit.Redact(req.URL.Path), res)
	}
	return resp, err
}

// readBody reads a response body and returns a body that gives the caller
// the same bytes, and the same read error, if any.
func readBody(rc io.ReadCloser) ([]byte, io.ReadCloser) {
	data, err := io.ReadAll(rc)
	var r io.Reader = bytes.NewReader(data)
	if err != nil {
		r = io.MultiReader(r, errReader{err})
	}
	return data, struct {
		io.Reader
		io.Closer
	}{r, rc}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
