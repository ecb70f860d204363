// Package signing holds the http.RoundTripper middleware that authenticates
// and signs requests to the providers, and the verifiers for their signed
// responses and webhooks. Every signer clones the request and reads the body
// through GetBody, so a retry or redirect hop is signed afresh and the
// caller's request is never changed. No secret ever appears in an error.
package signing

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ReadBody returns the exact bytes an outgoing request will send. With
// GetBody (every request built by http.NewRequest with a body) it reads a
// fresh copy and leaves req untouched; without, it consumes and closes
// req.Body, as a RoundTripper may, and the caller sends the bytes on a
// clone (CloneWithBody). The returned slice is the caller's.
func ReadBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	if req.GetBody == nil {
		data, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("signing: read request body: %w", err)
		}
		return data, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("signing: reopen request body: %w", err)
	}
	defer body.Close()
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("signing: read request body: %w", err)
	}
	return data, nil
}

// PeekBody reads an incoming (server-side) request's body and puts the
// same bytes back, so a verifier can check them and the handler still
// reads the body in full.
func PeekBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	data, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("signing: read request body: %w", err)
	}
	setBody(req, data)
	return bytes.Clone(data), nil
}

// CloneWithBody clones req for sending and gives the clone the body bytes,
// so the signature and the bytes on the wire are the same.
func CloneWithBody(req *http.Request, body []byte) *http.Request {
	out := req.Clone(req.Context())
	setBody(out, body)
	return out
}

func setBody(req *http.Request, data []byte) {
	if data == nil {
		req.Body = http.NoBody
		req.GetBody = func() (io.ReadCloser, error) { return http.NoBody, nil }
		req.ContentLength = 0
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(data))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	req.ContentLength = int64(len(data))
}

// transport returns base, or http.DefaultTransport when base is nil.
func transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		return http.DefaultTransport
	}
	return base
}

// RoundTripperFunc adapts a function to http.RoundTripper.
type RoundTripperFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f RoundTripperFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// ErrMissingCredentials is returned when a signer is built without its key.
var ErrMissingCredentials = errors.New("signing: credentials are empty")
