package perf

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/signing"
)

// Buckaroo and iDEAL 2.0 sign every request, so "the same auth header
// computed once" does not exist for them. Their P1 figures are reported
// separately, against two baselines:
//
//   - baseline: precomputed headers, the most a baseline can reuse; the
//     ratio then includes all signing work.
//   - baseline-sign: signs every request with the bare primitives (and,
//     for iDEAL 2.0 "-verify", verifies every response with bare RSA), so
//     the ratio shows our overhead beyond the cryptography itself.
//
// iDEAL 2.0's "client" has response verification off
// (SkipResponseVerification) and "client-verify" on; the canned answers
// are signed once at setup, so the server costs nothing per call. Pairs:
// paired (client vs baseline), paired-sign (client vs baseline-sign) and,
// for iDEAL 2.0, paired-verify (client-verify vs baseline-sign-verify).

const (
	buckarooWebsiteKey = "WEBSITE123"
	buckarooSecretKey  = "SECRETAPIKEY"
)

// bareBuckarooAuth signs one request the way a hand-written client would:
// fresh nonce and time, MD5 of the body, one HMAC over the message. uri is
// the constant lower-cased url-encoded host and path.
func bareBuckarooAuth(method, uri string, body []byte) string {
	var nb [8]byte
	_, _ = rand.Read(nb[:])
	nonce := hex.EncodeToString(nb[:])
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	content := ""
	if len(body) > 0 {
		sum := md5.Sum(body)
		content = base64.StdEncoding.EncodeToString(sum[:])
	}
	m := hmac.New(sha256.New, []byte(buckarooSecretKey))
	m.Write([]byte(buckarooWebsiteKey + method + uri + ts + nonce + content))
	return "hmac " + buckarooWebsiteKey + ":" + base64.StdEncoding.EncodeToString(m.Sum(nil)) + ":" + nonce + ":" + ts
}

func setupP1Buckaroo(tb testing.TB) p1Setup {
	srv := newCannedServer(tb)
	create := fixture(tb, "buckaroo", "payininstallments")
	txBody := create.Response.BodyBytes()
	var tx buckaroo.Transaction
	if err := json.Unmarshal(txBody, &tx); err != nil {
		tb.Fatal(err)
	}
	key := tx.Key
	// The status look-up answers the same transaction.
	srv.handle(http.MethodPost, "/json/Transaction", http.StatusOK, nil, txBody)
	srv.handle(http.MethodGet, "/json/Transaction/Status/"+key, http.StatusOK, nil, txBody)

	c := must(buckaroo.New(buckarooWebsiteKey, buckarooSecretKey, buckaroo.WithBaseURL(srv.URL), buckaroo.WithHTTPClient(sharedHTTPClient)))
	req := requestOf[buckaroo.TransactionRequest](tb, create)
	createURL := srv.URL + "/json/Transaction"
	statusURL := srv.URL + "/json/Transaction/Status/" + key

	precomputed := func(method, url string, body any) func([]byte) http.Header {
		var data []byte
		if body != nil {
			data = must(json.Marshal(body))
		}
		auth := must(signing.BuckarooAuthorization(buckarooWebsiteKey, buckarooSecretKey, method, url, "abcdef0123456789", time.Now().Unix(), data))
		return static(http.Header{"Authorization": {auth}})
	}
	signed := func(method, url string) func([]byte) http.Header {
		uri := signing.BuckarooURI(url) // constant per URL: computed once
		return func(body []byte) http.Header {
			return http.Header{"Authorization": {bareBuckarooAuth(method, uri, body)}}
		}
	}
	createPre, statusPre := precomputed(http.MethodPost, createURL, req), precomputed(http.MethodGet, statusURL, nil)
	createSigned, statusSigned := signed(http.MethodPost, createURL), signed(http.MethodGet, statusURL)
	verifier := must(signing.NewBuckarooVerifier(buckarooWebsiteKey, buckarooSecretKey))
	host := strings.TrimPrefix(srv.URL, "http://")
	pairs := []p1Pair{{"paired-sign", "client", "baseline-sign"}}
	return p1Setup{srv: srv, verify: func(s seen) error {
		_, err := verifier.Verify(s.Method, host+s.Target, s.Body, s.Header.Get("Authorization"))
		return err
	}, ops: []p1Op{
		{"create", []p1Variant{
			{name: "client", call: func(ctx context.Context) error {
				_, err := c.CreatePayment(ctx, req)
				return err
			}},
			{name: "baseline", call: func(ctx context.Context) error {
				_, err := rawCall[buckaroo.Transaction](ctx, http.MethodPost, createURL, req, createPre, nil, http.StatusOK)
				return err
			}},
			{name: "baseline-sign", call: func(ctx context.Context) error {
				_, err := rawCall[buckaroo.Transaction](ctx, http.MethodPost, createURL, req, createSigned, nil, http.StatusOK)
				return err
			}},
		}, pairs},
		{"get", []p1Variant{
			{name: "client", call: func(ctx context.Context) error {
				_, err := c.GetPayment(ctx, key)
				return err
			}},
			{name: "baseline", call: func(ctx context.Context) error {
				_, err := rawCall[buckaroo.Transaction](ctx, http.MethodGet, statusURL, nil, statusPre, nil, http.StatusOK)
				return err
			}},
			{name: "baseline-sign", call: func(ctx context.Context) error {
				_, err := rawCall[buckaroo.Transaction](ctx, http.MethodGet, statusURL, nil, statusSigned, nil, http.StatusOK)
				return err
			}},
		}, pairs},
	}}
}

const (
	ideal2PISPath   = "/xs2a/routingservice/services/ob/pis/v3"
	ideal2TokenPath = "/xs2a/routingservice/services/authorize/token"
	ideal2Token     = "59519322f1f56db6bd1d23ac0e22cf5015088f085970fb9b461ff2684bc2e96a"
)

// ideal2ResponseHeaders are the headers the routing service signs, in order.
var ideal2ResponseHeaders = []string{"messagecreatedatetime", "x-request-id", "digest"}

// signedResponseHeaders signs a canned answer once, as the routing service
// would; the client verifies it on every call.
func signedResponseHeaders(tb testing.TB, routing keyPair, body []byte) http.Header {
	h := http.Header{"Content-Type": {"application/json;charset=UTF-8"}}
	h.Set("X-Request-ID", "3a3df5d3-fa9e-4fee-b9fd-067c23dc91fa")
	h.Set("MessageCreateDateTime", "2024-01-08T12:55:35.032Z")
	h.Set("Digest", signing.IDEAL2Digest(body))
	ss := must(signing.IDEAL2SigningString(ideal2ResponseHeaders, "", "", h))
	sig := must(signing.IDEAL2Sign(routing.key, ss))
	h.Set("Signature", signing.IDEAL2SignatureParams{
		KeyID: strings.ToUpper(signing.IDEAL2KeyID(routing.cert)), Algorithm: "rsa-sha256",
		Headers: ideal2ResponseHeaders, Signature: sig,
	}.String())
	return h
}

// bareIDEAL2 signs requests and verifies responses with the bare
// primitives: SHA-256, RSA PKCS#1 v1.5, base64 and string concatenation.
type bareIDEAL2 struct {
	key   *rsa.PrivateKey
	keyID string
	pub   *rsa.PublicKey
}

const ideal2SignedParams = `",algorithm="SHA256withRSA",headers="x-request-id (request-target) digest messagecreatedatetime",signature="`

func (s bareIDEAL2) headers(method, target string) func([]byte) http.Header {
	return func(body []byte) http.Header {
		var id [16]byte
		_, _ = rand.Read(id[:])
		requestID := hex.EncodeToString(id[:])
		now := time.Now().UTC().Format(signing.IDEAL2TimeFormat)
		sum := sha256.Sum256(body)
		digest := "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
		hashed := sha256.Sum256([]byte("x-request-id: " + requestID + "\n(request-target): " + method + " " + target +
			"\ndigest: " + digest + "\nmessagecreatedatetime: " + now))
		sig, err := rsa.SignPKCS1v15(nil, s.key, crypto.SHA256, hashed[:])
		if err != nil {
			panic(err)
		}
		return http.Header{
			"Accept":                {"application/json"},
			"X-Request-Id":          {requestID},
			"Messagecreatedatetime": {now},
			"Digest":                {digest},
			"Authorization":         {"Bearer " + ideal2Token},
			"Signature":             {`keyId="` + s.keyID + ideal2SignedParams + base64.StdEncoding.EncodeToString(sig) + `"`},
		}
	}
}

func (s bareIDEAL2) verify(h http.Header, body []byte) error {
	sum := sha256.Sum256(body)
	digest := h.Get("Digest")
	if digest != "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]) {
		return errors.New("digest mismatch")
	}
	sigHeader := h.Get("Signature")
	i := strings.LastIndex(sigHeader, `signature="`)
	if i < 0 {
		return errors.New("no signature")
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(sigHeader[i+len(`signature="`):], `"`))
	if err != nil {
		return err
	}
	hashed := sha256.Sum256([]byte("messagecreatedatetime: " + h.Get("MessageCreateDateTime") +
		"\nx-request-id: " + h.Get("X-Request-ID") + "\ndigest: " + digest))
	return rsa.VerifyPKCS1v15(s.pub, crypto.SHA256, hashed[:], sig)
}

// ideal2Pairs: with verification off against signing only, and on against
// signing and verifying.
var ideal2Pairs = []p1Pair{{"paired-sign", "client", "baseline-sign"}, {"paired-verify", "client-verify", "baseline-sign-verify"}}

func setupP1IDEAL2(tb testing.TB) p1Setup {
	merchant, routing := testKeys(tb)
	srv := newCannedServer(tb)
	create := fixture(tb, "ideal2", "standard-payment-create")
	status := fixture(tb, "ideal2", "payment-status-exact")
	const paymentID = "143374"
	createPath := ideal2PISPath + "/payments"
	statusPath := ideal2PISPath + "/payments/" + paymentID + "/status"
	srv.handle(http.MethodPost, ideal2TokenPath, http.StatusOK, nil,
		[]byte(`{"access_token":"`+ideal2Token+`","token_type":"Bearer","expires_in":3600}`))
	createBody, statusBody := create.Response.BodyBytes(), status.Response.BodyBytes()
	srv.handle(http.MethodPost, createPath, create.Response.Status, signedResponseHeaders(tb, routing, createBody), createBody)
	srv.handle(http.MethodGet, statusPath, http.StatusOK, signedResponseHeaders(tb, routing, statusBody), statusBody)

	cfg := ideal2.Config{
		BaseURL:             srv.URL + ideal2PISPath,
		MerchantID:          "000100200",
		ClientName:          "PerfClient",
		MerchantKey:         merchant.key,
		MerchantCertificate: merchant.cert,
		HTTPClient:          sharedHTTPClient,
	}
	verifying := cfg
	verifying.ServerCertificate = routing.cert
	// The canned answers are signed once, at the seed's time: accept their
	// age (a real answer must be signed within minutes of its request).
	verifying.ResponseTolerance = time.Since(time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC)) + 24*time.Hour
	cv := must(ideal2.New(verifying))
	unverified := cfg
	unverified.SkipResponseVerification = true
	cn := must(ideal2.New(unverified))
	payment := requestOf[ideal2.PaymentInitiationRequest](tb, create)

	// The precomputed baseline: headers our signer made once.
	signer := must(signing.NewIDEAL2Signer(signing.IDEAL2SignerConfig{
		Key: merchant.key, Certificate: merchant.cert,
		Token: func(context.Context) (string, error) { return ideal2Token, nil },
	}))
	precomputed := func(method, path string, body any) func([]byte) http.Header {
		var data []byte
		if body != nil {
			data = must(json.Marshal(body))
		}
		req := must(newJSONRequest(method, srv.URL+path, data))
		signed := must(signer.Sign(req))
		h := http.Header{"Accept": {"application/json"}}
		for _, name := range []string{"X-Request-ID", "MessageCreateDateTime", "Digest", "Authorization", "Signature"} {
			h.Set(name, signed.Header.Get(name))
		}
		return static(h)
	}
	bare := bareIDEAL2{key: merchant.key, keyID: signing.IDEAL2KeyID(merchant.cert), pub: &routing.key.PublicKey}

	requestVerifier := must(signing.NewIDEAL2Verifier(merchant.cert))
	call := func(c *ideal2.Client) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := c.CreatePayment(ctx, payment)
			return err
		}
	}
	get := func(c *ideal2.Client) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := c.GetPayment(ctx, paymentID)
			return err
		}
	}
	rawCreate := func(header func([]byte) http.Header, verify func(http.Header, []byte) error) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := rawCall[ideal2.PaymentInitiationResponse](ctx, http.MethodPost, srv.URL+createPath, payment, header, verify, create.Response.Status)
			return err
		}
	}
	rawGet := func(header func([]byte) http.Header, verify func(http.Header, []byte) error) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := rawCall[ideal2.PaymentStatusResponse](ctx, http.MethodGet, srv.URL+statusPath, nil, header, verify, http.StatusOK)
			return err
		}
	}
	return p1Setup{srv: srv, verify: func(s seen) error {
		if s.Target == ideal2TokenPath {
			return nil
		}
		r, err := http.NewRequest(s.Method, srv.URL+s.Target, nil)
		if err != nil {
			return err
		}
		r.Header = s.Header
		if err := requestVerifier.VerifyRequest(r, s.Body); err != nil {
			return fmt.Errorf("%s %s: %w", s.Method, s.Target, err)
		}
		return nil
	}, ops: []p1Op{
		{"create", []p1Variant{
			{name: "client-verify", call: call(cv)},
			{name: "client", call: call(cn)},
			{name: "baseline", call: rawCreate(precomputed(http.MethodPost, createPath, payment), nil)},
			{name: "baseline-sign", call: rawCreate(bare.headers("post", createPath), nil)},
			{name: "baseline-sign-verify", call: rawCreate(bare.headers("post", createPath), bare.verify)},
		}, ideal2Pairs},
		{"get", []p1Variant{
			{name: "client-verify", call: get(cv)},
			{name: "client", call: get(cn)},
			{name: "baseline", call: rawGet(precomputed(http.MethodGet, statusPath, nil), nil)},
			{name: "baseline-sign", call: rawGet(bare.headers("get", statusPath), nil)},
			{name: "baseline-sign-verify", call: rawGet(bare.headers("get", statusPath), bare.verify)},
		}, ideal2Pairs},
	}}
}
