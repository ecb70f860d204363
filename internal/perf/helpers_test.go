package perf

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sbideal2 "github.com/betaalkit/betaalkit/sandbox/ideal2"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

// sharedTransport carries every request of every benchmark, ours and the
// baselines', so connection reuse is the same for both: keep-alive on, and
// enough idle connections per host for RunParallel not to churn sockets.
var sharedTransport = &http.Transport{
	MaxIdleConns:        256,
	MaxIdleConnsPerHost: 64,
	IdleConnTimeout:     90 * time.Second,
}

// sharedHTTPClient is what both the clients (WithHTTPClient) and the
// baselines send through.
var sharedHTTPClient = &http.Client{Transport: sharedTransport}

// fixture returns one positive fixture of a provider by its base name.
func fixture(tb testing.TB, provider, name string) fixtures.Fixture {
	tb.Helper()
	list, err := fixtures.Load(provider)
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range list {
		if f.Base() == name {
			return f
		}
	}
	tb.Fatalf("no fixture %s/%s", provider, name)
	return fixtures.Fixture{}
}

// requestOf decodes a fixture's request body into the typed request T.
func requestOf[T any](tb testing.TB, f fixtures.Fixture) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(f.Request.BodyBytes(), &v); err != nil {
		tb.Fatalf("%s: request body does not decode into %T: %v", f.Name, v, err)
	}
	return v
}

// canned is a fixed answer of the canned server.
type canned struct {
	status int
	header http.Header
	body   []byte
}

// seen is a request as the canned server received it (only recorded while
// a test asks for it).
type seen struct {
	Method, Target string
	Header         http.Header
	Body           []byte
}

// cannedServer answers every known method and path with a fixed body; it
// costs the same for our client and for a baseline.
type cannedServer struct {
	*httptest.Server
	routes map[string]map[string]*canned // method → path → answer
	record atomic.Pointer[[]seen]
	mu     sync.Mutex
}

func newCannedServer(tb testing.TB) *cannedServer {
	s := &cannedServer{routes: map[string]map[string]*canned{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

// handle registers the answer to method and path; header may be nil.
func (s *cannedServer) handle(method, path string, status int, header http.Header, body []byte) {
	h := http.Header{"Content-Type": {"application/json"}}
	for k, v := range header {
		h[http.CanonicalHeaderKey(k)] = v
	}
	if s.routes[method] == nil {
		s.routes[method] = map[string]*canned{}
	}
	s.routes[method][path] = &canned{status: status, header: h, body: body}
}

func (s *cannedServer) serve(w http.ResponseWriter, r *http.Request) {
	if rec := s.record.Load(); rec != nil {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		*rec = append(*rec, seen{Method: r.Method, Target: r.URL.RequestURI(), Header: r.Header.Clone(), Body: body})
		s.mu.Unlock()
	} else {
		_, _ = io.Copy(io.Discard, r.Body)
	}
	c := s.routes[r.Method][r.URL.Path]
	if c == nil {
		http.Error(w, fmt.Sprintf("canned server: no answer for %s %s", r.Method, r.URL.Path), http.StatusNotFound)
		return
	}
	h := w.Header()
	for k, v := range c.header {
		h[k] = v
	}
	w.WriteHeader(c.status)
	_, _ = w.Write(c.body)
}

// recording returns what the server receives until stop is called.
func (s *cannedServer) recording() (stop func() []seen) {
	var list []seen
	s.record.Store(&list)
	return func() []seen {
		s.record.Store(nil)
		s.mu.Lock()
		defer s.mu.Unlock()
		return list
	}
}

// readBody is the baseline's response handling: read it all, close it.
func readBody(resp *http.Response, err error) (*http.Response, []byte, error) {
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// newJSONRequest is the baseline's request building.
func newJSONRequest(method, url string, body []byte) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// keyPair is an RSA key with a self-signed certificate.
type keyPair struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

var (
	keysOnce                sync.Once
	merchantKeys, routeKeys keyPair
	keysErr                 error
)

// testKeys returns the merchant's and the routing service's key pairs,
// generated once per test binary (RSA generation dominates setup).
func testKeys(tb testing.TB) (merchant, routing keyPair) {
	tb.Helper()
	keysOnce.Do(func() {
		var wg sync.WaitGroup
		var errM, errR error
		wg.Go(func() { merchantKeys, errM = newKeyPair() })
		wg.Go(func() { routeKeys, errR = newKeyPair() })
		wg.Wait()
		if errM != nil {
			keysErr = errM
		} else {
			keysErr = errR
		}
	})
	if keysErr != nil {
		tb.Fatal(keysErr)
	}
	return merchantKeys, routeKeys
}

// newKeyPair borrows the sandbox's throwaway merchant key and certificate.
func newKeyPair() (keyPair, error) {
	m, err := sbideal2.NewMerchant()
	if err != nil {
		return keyPair{}, err
	}
	return keyPair{key: m.Key, cert: m.Certificate}, nil
}
