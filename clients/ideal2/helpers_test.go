package ideal2_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"github.com/betaalkit/betaalkit/transport"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/specs"
)

const (
	pisPath   = "/xs2a/routingservice/services/ob/pis/v3"
	tokenPath = "/xs2a/routingservice/services/authorize/token"
)

type keyPair struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

var (
	keysOnce               sync.Once
	merchantKeys, rsKeys   keyPair
	validator              *specs.Validator
	validatorErr, keyError error
)

// testKeys returns a merchant and a routing-service key pair, generated
// once per test binary; the certificates are valid 2020–2040 so a test clock
// moved forward does not expire them.
func testKeys() (merchant, server keyPair) {
	keysOnce.Do(func() {
		merchantKeys, keyError = newKeyPair("test merchant")
		if keyError == nil {
			rsKeys, keyError = newKeyPair("test routing service")
		}
		validator, validatorErr = specs.NewValidator("ideal2")
	})
	if keyError != nil {
		panic(keyError)
	}
	return merchantKeys, rsKeys
}

func newKeyPair(cn string) (keyPair, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return keyPair{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return keyPair{}, err
	}
	cert, err := x509.ParseCertificate(der)
	return keyPair{key: key, cert: cert}, err
}

// routingService is a stand-in for the Worldline routing service: it checks
// every request's signature and its fit to the spec, issues numbered tokens
// and signs its answers like the real service.
type routingService struct {
	*httptest.Server
	t testing.TB

	tokenHits atomic.Int32
	pisHits   atomic.Int32

	// tokenGate, when set, holds every token request until it is closed;
	// tokenArrived receives once per token request that reached the gate.
	tokenGate    chan struct{}
	tokenArrived chan struct{}
	// tokenError, when set, is the token endpoint's answer.
	tokenError func(w http.ResponseWriter)

	mu      sync.Mutex
	pis     func(w http.ResponseWriter, r *http.Request, body []byte)
	lastReq http.Header
	bodies  [][]byte
}

func newRoutingService(t testing.TB) *routingService {
	merchant, _ := testKeys()
	if validatorErr != nil {
		t.Fatal(validatorErr)
	}
	rs := &routingService{t: t}
	reqVerifier, err := signing.NewIDEAL2Verifier(merchant.cert)
	if err != nil {
		t.Fatal(err)
	}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if _, _, err := validator.ValidateRequest(r.Context(), r); err != nil {
			t.Errorf("request does not fit the spec: %v", err)
			http.Error(w, "spec", http.StatusBadRequest)
			return
		}
		if r.URL.Path == tokenPath {
			rs.token(w, r, merchant.cert)
			return
		}
		rs.pisHits.Add(1)
		if err := reqVerifier.VerifyRequest(r, body); err != nil {
			t.Errorf("request signature: %v", err)
			rs.reply(w, http.StatusUnauthorized, `{"Code":"003","Message":"Invalid signature"}`)
			return
		}
		rs.mu.Lock()
		rs.lastReq = r.Header.Clone()
		rs.bodies = append(rs.bodies, body)
		handler := rs.pis
		rs.mu.Unlock()
		if handler == nil {
			http.NotFound(w, r)
			return
		}
		handler(w, r, body)
	}))
	t.Cleanup(rs.Close)
	return rs
}

func (rs *routingService) token(w http.ResponseWriter, r *http.Request, merchant *x509.Certificate) {
	n := rs.tokenHits.Add(1)
	if rs.tokenArrived != nil {
		rs.tokenArrived <- struct{}{}
	}
	if rs.tokenGate != nil {
		<-rs.tokenGate
	}
	p, err := signing.ParseIDEAL2Signature(r.Header.Get("Authorization"))
	if err == nil {
		var ss string
		ss, err = signing.IDEAL2SigningString(p.Headers, "", "", r.Header)
		if err == nil {
			var sig []byte
			sig, err = base64.StdEncoding.DecodeString(p.Signature)
			sum := sha256.Sum256([]byte(ss))
			if err == nil {
				err = rsa.VerifyPKCS1v15(merchant.PublicKey.(*rsa.PublicKey), crypto.SHA256, sum[:], sig)
			}
		}
	}
	if err != nil || strings.Join(p.Headers, " ") != "app client id date" || p.KeyID != signing.IDEAL2KeyID(merchant) {
		rs.t.Errorf("token request signature: %v (%q)", err, r.Header.Get("Authorization"))
	}
	if rs.tokenError != nil {
		rs.tokenError(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":3600}`, n)
}

// handle sets the PIS handler.
func (rs *routingService) handle(h func(w http.ResponseWriter, r *http.Request, body []byte)) {
	rs.mu.Lock()
	rs.pis = h
	rs.mu.Unlock()
}

func (rs *routingService) body(i int) []byte {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.bodies[i]
}

func (rs *routingService) last() http.Header {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.lastReq
}

// reply answers with body, signed like the routing service signs.
func (rs *routingService) reply(w http.ResponseWriter, status int, body string) {
	_, server := testKeys()
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	signResponse(rs.t, h, server, []byte(body))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func signResponse(t testing.TB, h http.Header, server keyPair, body []byte) {
	signResponseAt(t, h, server, body, time.Now())
}

// signResponseAt signs as the routing service does at time at.
func signResponseAt(t testing.TB, h http.Header, server keyPair, body []byte, at time.Time) {
	h.Set("X-Request-ID", signing.IDEAL2RequestID())
	h.Set("MessageCreateDateTime", at.UTC().Format(signing.IDEAL2TimeFormat))
	h.Set("Digest", signing.IDEAL2Digest(body))
	names := []string{"messagecreatedatetime", "x-request-id", "digest"}
	ss, err := signing.IDEAL2SigningString(names, "", "", h)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := signing.IDEAL2Sign(server.key, ss)
	if err != nil {
		t.Fatal(err)
	}
	h.Set("Signature", signing.IDEAL2SignatureParams{KeyID: strings.ToUpper(signing.IDEAL2KeyID(server.cert)),
		Algorithm: "rsa-sha256", Headers: names, Signature: sig}.String())
}

// config returns a client configuration for the stand-in.
func (rs *routingService) config() ideal2.Config {
	merchant, server := testKeys()
	return ideal2.Config{
		BaseURL:             rs.URL + pisPath,
		MerchantID:          "002881000",
		SubID:               "1",
		ClientName:          "TestAcquirer",
		MerchantKey:         merchant.key,
		MerchantCertificate: merchant.cert,
		ServerCertificate:   server.cert,
		PollBackoff:         func(int) time.Duration { return 0 },
		Retry:               transport.RetryPolicy{BaseDelay: time.Microsecond},
	}
}

func (rs *routingService) client(t testing.TB) *ideal2.Client {
	t.Helper()
	c, err := ideal2.New(rs.config())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testClock is a clock tests move by hand.
type testClock struct{ now atomic.Int64 }

func newTestClock(t time.Time) *testClock {
	c := &testClock{}
	c.now.Store(t.UnixNano())
	return c
}

func (c *testClock) Now() time.Time          { return time.Unix(0, c.now.Load()).UTC() }
func (c *testClock) Advance(d time.Duration) { c.now.Add(int64(d)) }
