// Package apiclienttest holds the checks every provider's error decoding
// must pass, so each client's fuzz target states only what is its own.
package apiclienttest

import (
	"bytes"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

// ErrorSeeds are the responses of a provider's fixtures, valid and
// invalid, with bodies of at most 1 KiB: the fuzzer minimizes every new
// input it finds, which takes minutes on a body of many KiB.
func ErrorSeeds(tb testing.TB, provider string) []apiclient.Response {
	tb.Helper()
	var seeds []apiclient.Response
	for _, load := range []func(string) ([]fixtures.Fixture, error){fixtures.Load, fixtures.LoadInvalid} {
		list, err := load(provider)
		if err != nil {
			tb.Fatal(err)
		}
		for _, fx := range list {
			if fx.Response != nil && len(fx.Response.BodyBytes()) <= 1024 {
				seeds = append(seeds, apiclient.Response{StatusCode: fx.Response.Status, Body: fx.Response.BodyBytes()})
			}
		}
	}
	return seeds
}

// CheckError runs toError on any status and body and fails t unless the
// result is the provider's error type E, a betaalkit.APIError of provider
// matching ErrAPI that keeps the status and the exact body and names the
// status in its message. It returns it for the provider's own checks.
func CheckError[E betaalkit.APIError](t testing.TB, provider string, toError func(*apiclient.Response) error, status int, body []byte) E {
	t.Helper()
	err := toError(&apiclient.Response{StatusCode: status, Header: http.Header{}, Body: body})
	var e E
	if !errors.As(err, &e) || !errors.Is(err, betaalkit.ErrAPI) {
		t.Fatalf("toError gave %T %v, not a %T matching ErrAPI", err, err, e)
	}
	if e.HTTPStatus() != status || !bytes.Equal(e.ResponseBody(), body) || len(e.ResponseBody()) != len(body) || e.Provider() != provider {
		t.Fatalf("HTTP %d %q became HTTP %d %q from %s", status, body, e.HTTPStatus(), e.ResponseBody(), e.Provider())
	}
	if !strings.Contains(err.Error(), strconv.Itoa(status)) {
		t.Fatalf("message %q does not name HTTP %d", err, status)
	}
	return e
}

// HeaderFromText reads "Name: value" lines, one value a line, so that one
// fuzz string can carry any set of headers (repeated, oddly cased, empty).
func HeaderFromText(s string) http.Header {
	h := http.Header{}
	for _, line := range strings.Split(s, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" {
			continue
		}
		h.Add(name, strings.TrimPrefix(value, " "))
	}
	return h
}

// HeaderText is the inverse of HeaderFromText, sorted for stable seeds.
func HeaderText(h http.Header) string {
	var lines []string
	for name, values := range h {
		for _, v := range values {
			lines = append(lines, name+": "+v)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
