package signing

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/specs/fixtures"
)

// Worldline's test material is not part of the repository; it lives next to
// it, in ../shared, for the team's checkouts only.
const ideal2VectorDir = "../../shared/vectors/ideal2"

func ideal2Vector(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(ideal2VectorDir, name))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("iDEAL 2.0 test material not found (%s/%s): Worldline's test key and certificates are kept outside the repository", ideal2VectorDir, name)
	}
	require.NoError(t, err)
	return data
}

func ideal2MerchantKey(t testing.TB) (*rsa.PrivateKey, *x509.Certificate) {
	key, err := ParseIDEAL2PrivateKey(ideal2Vector(t, "TestCertificatesiDEAL.2.0.key"))
	require.NoError(t, err)
	cert, err := ParseIDEAL2Certificate(ideal2Vector(t, "TestCertificatesiDEAL.2.0.pem"))
	require.NoError(t, err)
	return key, cert
}

func ideal2ServerVerifier(t testing.TB) *IDEAL2Verifier {
	cert, err := ParseIDEAL2Certificate(ideal2Vector(t, "iDEAL_2.0_Public_Certificate_Test_Environment.crt"))
	require.NoError(t, err)
	v, err := NewIDEAL2Verifier(cert)
	require.NoError(t, err)
	// The test certificate expired in 2025; check it as of the seed's examples.
	v.Clock = fixedClock("2024-01-08T12:55:35Z")
	return v
}

func fixedClock(s string) Clock {
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return func() time.Time { return ts }
}

func ideal2Fixture(t testing.TB, base string) fixtures.Fixture {
	t.Helper()
	list, err := fixtures.Load("ideal2")
	require.NoError(t, err)
	for _, f := range list {
		if f.Base() == base {
			return f
		}
	}
	t.Fatalf("no ideal2 fixture %s", base)
	return fixtures.Fixture{}
}

func TestIDEAL2KeyIDs(t *testing.T) {
	_, cert := ideal2MerchantKey(t)
	assert.Equal(t, "39d8e82bb33e7e2a09cbcb3ef3eab351ee1c5e8f", IDEAL2KeyID(cert))
	assert.Equal(t, "3ebef6033c00730d9c6da05165a3caa1f31036fb", ideal2ServerVerifier(t).KeyID())
}

func TestIDEAL2DigestVectors(t *testing.T) {
	std := ideal2Fixture(t, "standard-payment-request-exact")
	assert.Equal(t, "SHA-256=0P2tSst5wZ/1rBS+ZF5Pvp79klNUek7tetk0j9w+mNs=", IDEAL2Digest(std.Request.BodyBytes()))
	st := ideal2Fixture(t, "payment-status-exact")
	assert.Equal(t, "SHA-256=pV9HQh/XGpLmawhfj9d/hxYucKkOQCKV9BJ978PeW5k=", IDEAL2Digest(st.Response.BodyBytes()))
	assert.Equal(t, "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", IDEAL2Digest(nil), "the seed's GET digest is the empty-body digest")
}

func TestIDEAL2SigningStringSeed(t *testing.T) {
	f := ideal2Fixture(t, "standard-payment-create")
	got, err := IDEAL2SigningString(IDEAL2RequestHeaders, "POST", f.Request.Path, f.Request.Header())
	require.NoError(t, err)
	want := "x-request-id: fd3a9dae-5323-ea5a-5460-48857a264b9d\n" +
		"(request-target): post /xs2a/routingservice/services/ob/pis/v3/payments\n" +
		"digest: SHA-256=0P2tSst5wZ/1rBS+ZF5Pvp79klNUek7tetk0j9w+mNs=\n" +
		"messagecreatedatetime: 2023-12-29T16:38:45.770Z"
	assert.Equal(t, want, got)

	_, err = IDEAL2SigningString(IDEAL2RequestHeaders, "POST", f.Request.Path, http.Header{})
	assert.ErrorIs(t, err, ErrIDEAL2Malformed, "a missing signed header is an error")
	_, err = IDEAL2SigningString(IDEAL2RequestHeaders, "", "", f.Request.Header())
	assert.ErrorIs(t, err, ErrIDEAL2Malformed, "(request-target) needs a method and path")
}

// All three seed request signatures reproduce byte for byte from their
// header values: RSASSA-PKCS1-v1_5 is deterministic.
func TestIDEAL2SeedRequestSignatures(t *testing.T) {
	key, cert := ideal2MerchantKey(t)
	for _, name := range []string{"standard-payment-create", "fastcheckout-payment-create", "payment-status"} {
		t.Run(name, func(t *testing.T) {
			f := ideal2Fixture(t, name)
			h := f.Request.Header()
			ss, err := IDEAL2SigningString(IDEAL2RequestHeaders, f.Request.Method, f.Request.Path, h)
			require.NoError(t, err)
			sig, err := IDEAL2Sign(key, ss)
			require.NoError(t, err)
			p := IDEAL2SignatureParams{KeyID: IDEAL2KeyID(cert), Algorithm: IDEAL2Algorithm, Headers: IDEAL2RequestHeaders, Signature: sig}
			assert.Equal(t, h.Get("Signature"), p.String())
		})
	}
}

// The signer, with a fixed clock, request id and token, sends the seed's
// first request exactly.
func TestIDEAL2SignerSeedVector(t *testing.T) {
	key, cert := ideal2MerchantKey(t)
	f := ideal2Fixture(t, "standard-payment-request-exact")
	want := f.Request.Header()

	var got http.Header
	var gotBody []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		gotBody, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()

	s, err := NewIDEAL2Signer(IDEAL2SignerConfig{
		Key:         key,
		Certificate: cert,
		Token: func(context.Context) (string, error) {
			return "55aefa2dbd728d28dce18ef04e12e7014cde1e665901bc55ae0be044f114001e", nil
		},
		Clock:     fixedClock("2023-12-29T16:38:45.770Z"),
		RequestID: func() string { return "fd3a9dae-5323-ea5a-5460-48857a264b9d" },
	})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, srv.URL+f.Request.Path, bytes.NewReader(f.Request.BodyBytes()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	resp, err := (&http.Client{Transport: s}).Do(req)
	require.NoError(t, err)
	resp.Body.Close()

	for _, name := range []string{"X-Request-ID", "MessageCreateDateTime", "Digest", "Authorization", "Signature"} {
		assert.Equal(t, want.Get(name), got.Get(name), name)
	}
	assert.Equal(t, f.Request.BodyBytes(), gotBody, "the signed bytes are the bytes sent")
	assert.Empty(t, req.Header.Get("Signature"), "the caller's request is not changed")
	assert.Empty(t, req.Header.Get("Authorization"))
}

func TestIDEAL2SignerSignsEveryAttemptAfresh(t *testing.T) {
	key, cert := testIDEAL2Key(t, time.Now())
	var ids []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ids = append(ids, r.Header.Get("X-Request-ID"))
		assert.Equal(t, IDEAL2Digest(nil), r.Header.Get("Digest"), "a GET carries the empty-body digest")
	}))
	defer srv.Close()
	s, err := NewIDEAL2Signer(IDEAL2SignerConfig{Key: key, Certificate: cert, Token: staticToken("t")})
	require.NoError(t, err)
	c := &http.Client{Transport: s}
	for range 2 {
		resp, err := c.Get(srv.URL + "/payments/1/status")
		require.NoError(t, err)
		resp.Body.Close()
	}
	require.Len(t, ids, 2)
	assert.NotEqual(t, ids[0], ids[1], "every request gets a fresh X-Request-ID")
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, ids[0])
}

func TestIDEAL2SignerRejectsBadConfig(t *testing.T) {
	key, cert := testIDEAL2Key(t, time.Now())
	otherKey, _ := testIDEAL2Key(t, time.Now())
	_, err := NewIDEAL2Signer(IDEAL2SignerConfig{Key: key, Certificate: cert})
	assert.ErrorIs(t, err, ErrMissingCredentials, "no token source")
	_, err = NewIDEAL2Signer(IDEAL2SignerConfig{Key: otherKey, Certificate: cert, Token: staticToken("t")})
	assert.ErrorContains(t, err, "does not match")
}

func TestIDEAL2SignerKeepsSecretsOut(t *testing.T) {
	key, cert := testIDEAL2Key(t, time.Now())
	const token = "secret-access-token"
	failing := RoundTripperFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("dial tcp: refused") })
	s, err := NewIDEAL2Signer(IDEAL2SignerConfig{Key: key, Certificate: cert, Token: staticToken(token), Base: failing})
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/x", nil)
	_, err = s.RoundTrip(req)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), token)
	d := key.D.String()
	for _, str := range []string{fmt.Sprint(s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s)} {
		assert.NotContains(t, str, token)
		assert.NotContains(t, str, d[:20])
	}

	// A token failure stops the request before anything is sent.
	sent := false
	s2, err := NewIDEAL2Signer(IDEAL2SignerConfig{Key: key, Certificate: cert,
		Token: func(context.Context) (string, error) { return "", errors.New("token endpoint down") },
		Base:  RoundTripperFunc(func(*http.Request) (*http.Response, error) { sent = true; return nil, nil })})
	require.NoError(t, err)
	_, err = s2.RoundTrip(req)
	assert.ErrorContains(t, err, "token endpoint down")
	assert.False(t, sent)
}

func TestIDEAL2VerifySeedResponses(t *testing.T) {
	v := ideal2ServerVerifier(t)
	for _, name := range []string{"standard-payment-create", "fastcheckout-payment-create", "payment-status", "payment-status-exact"} {
		t.Run(name, func(t *testing.T) {
			f := ideal2Fixture(t, name)
			h := f.Response.Header()
			require.NoError(t, v.VerifyHeaders(h), "the seed's signature verifies with the test-environment certificate")
			err := v.Verify(h, f.Response.BodyBytes())
			if name == "payment-status-exact" {
				assert.NoError(t, err, "the exact status body hashes to its Digest")
			} else {
				// The document re-printed these bodies; their bytes are not the signed ones.
				assert.ErrorIs(t, err, ErrIDEAL2DigestMismatch)
			}
		})
	}
}

// Every single-byte change of a signed header value, of the status body or
// of the signature itself makes verification fail.
func TestIDEAL2VerifyRejectsEverySingleByteChange(t *testing.T) {
	v := ideal2ServerVerifier(t)
	f := ideal2Fixture(t, "payment-status-exact")
	header := f.Response.Header()
	body := f.Response.BodyBytes()
	require.NoError(t, v.Verify(header, body))

	for _, name := range []string{"MessageCreateDateTime", "X-Request-ID", "Digest"} {
		value := header.Get(name)
		for i := range len(value) {
			for _, flip := range []byte{0x01, 0x20} {
				changed := []byte(value)
				changed[i] ^= flip
				h := header.Clone()
				h.Set(name, string(changed))
				err := v.Verify(h, body)
				require.Error(t, err, "%s byte %d ^%#x still verifies", name, i, flip)
				var ve *IDEAL2VerifyError
				require.ErrorAs(t, err, &ve)
			}
		}
	}
	// The signature value itself (parameter names and the keyId's hex case
	// are not significant; the base64 text is, down to its padding bits).
	sigHeader := header.Get("Signature")
	start := strings.Index(sigHeader, `signature="`) + len(`signature="`)
	for i := start; i < len(sigHeader)-1; i++ {
		changed := []byte(sigHeader)
		changed[i] ^= 0x01
		h := header.Clone()
		h.Set("Signature", string(changed))
		require.Error(t, v.Verify(h, body), "signature byte %d", i)
	}
	for i := range body {
		changed := bytes.Clone(body)
		changed[i] ^= 0x01
		err := v.Verify(header, changed)
		require.ErrorIs(t, err, ErrIDEAL2DigestMismatch, "body byte %d", i)
	}
	// Dropping or adding bytes fails too.
	require.Error(t, v.Verify(header, body[:len(body)-1]))
	require.Error(t, v.Verify(header, append(bytes.Clone(body), '\n')))
}

func TestIDEAL2VerifyFailures(t *testing.T) {
	v := ideal2ServerVerifier(t)
	f := ideal2Fixture(t, "payment-status-exact")
	body := f.Response.BodyBytes()

	h := f.Response.Header()
	h.Del("Signature")
	assert.ErrorIs(t, v.Verify(h, body), ErrIDEAL2Unsigned)

	// The merchant's own certificate is not the server's.
	_, merchant := ideal2MerchantKey(t)
	mv, err := NewIDEAL2Verifier(merchant)
	require.NoError(t, err)
	mv.IgnoreValidity = true
	assert.ErrorIs(t, mv.Verify(f.Response.Header(), body), ErrIDEAL2KeyID)

	// A signature over fewer headers (no digest) does not protect the body.
	h = f.Response.Header()
	h.Set("Signature", strings.Replace(h.Get("Signature"), `headers="messagecreatedatetime x-request-id digest"`, `headers="messagecreatedatetime x-request-id"`, 1))
	assert.Error(t, v.Verify(h, body))

	h = f.Response.Header()
	h.Set("Signature", strings.Replace(h.Get("Signature"), "rsa-sha256", "hmac-sha256", 1))
	assert.ErrorIs(t, v.Verify(h, body), ErrIDEAL2Malformed)
}

func TestIDEAL2CertificateValidityIsPolicy(t *testing.T) {
	v := ideal2ServerVerifier(t)
	f := ideal2Fixture(t, "payment-status-exact")
	v.Clock = fixedClock("2026-01-01T00:00:00Z")
	assert.ErrorIs(t, v.Verify(f.Response.Header(), f.Response.BodyBytes()), ErrIDEAL2Certificate, "expired certificate")
	v.Clock = fixedClock("2022-01-01T00:00:00Z")
	assert.ErrorIs(t, v.Verify(f.Response.Header(), f.Response.BodyBytes()), ErrIDEAL2Certificate, "not yet valid")
	v.IgnoreValidity = true
	assert.NoError(t, v.Verify(f.Response.Header(), f.Response.BodyBytes()))
}

func TestIDEAL2VerifyMaxAge(t *testing.T) {
	v := ideal2ServerVerifier(t)
	f := ideal2Fixture(t, "payment-status-exact")
	v.MaxAge = time.Minute
	assert.NoError(t, v.Verify(f.Response.Header(), f.Response.BodyBytes()))
	v.Clock = fixedClock("2024-01-08T13:05:00Z")
	assert.ErrorIs(t, v.Verify(f.Response.Header(), f.Response.BodyBytes()), ErrStale)
}

// A signer and verifier built from a generated key pair agree, including
// (request-target) for signed requests such as notifications.
func TestIDEAL2SignVerifyRoundTrip(t *testing.T) {
	key, cert := testIDEAL2Key(t, time.Now())
	v, err := NewIDEAL2Verifier(cert)
	require.NoError(t, err)
	s, err := NewIDEAL2Signer(IDEAL2SignerConfig{Key: key, Certificate: cert, Token: staticToken("t")})
	require.NoError(t, err)
	body := []byte(`{"a":"1.00"}`)
	req, _ := http.NewRequest(http.MethodPost, "https://merchant.example/notify?x=1", bytes.NewReader(body))
	signed, err := s.Sign(req)
	require.NoError(t, err)
	require.NoError(t, v.VerifyRequest(signed, body))

	signed.URL.Path = "/other"
	assert.ErrorIs(t, v.VerifyRequest(signed, body), ErrSignatureMismatch, "the path is signed")
}

func TestIDEAL2SignerVerifiesResponses(t *testing.T) {
	merchantKey, merchantCert := testIDEAL2Key(t, time.Now())
	serverKey, serverCert := testIDEAL2Key(t, time.Now())
	v, err := NewIDEAL2Verifier(serverCert)
	require.NoError(t, err)

	var mode string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := []byte(`{"CommonPaymentData":{"PaymentId":"1","PaymentStatus":"Open"}}`)
		status := http.StatusOK
		switch mode {
		case "unsigned-error":
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"Code":"003","Message":"Invalid signature"}`))
			return
		case "unsigned":
			_, _ = w.Write(body)
			return
		}
		signIDEAL2Response(t, w.Header(), serverKey, serverCert, body)
		if mode == "tampered" {
			body = []byte(`{"CommonPaymentData":{"PaymentId":"1","PaymentStatus":"SettlementCompleted"}}`)
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	defer srv.Close()

	s, err := NewIDEAL2Signer(IDEAL2SignerConfig{Key: merchantKey, Certificate: merchantCert, Token: staticToken("t"), Verifier: v})
	require.NoError(t, err)
	c := &http.Client{Transport: s}

	mode = "ok"
	resp, err := c.Get(srv.URL + "/payments/1/status")
	require.NoError(t, err)
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(got), "Open", "a verified body is handed over intact")

	for _, m := range []string{"tampered", "unsigned"} {
		mode = m
		resp, err = c.Get(srv.URL + "/payments/1/status")
		require.Error(t, err, m)
		assert.Nil(t, resp, "no body is handed over when verification fails")
		var ve *IDEAL2VerifyError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, http.StatusOK, ve.StatusCode)
	}

	mode = "unsigned-error"
	resp, err = c.Get(srv.URL + "/payments/1/status")
	require.NoError(t, err, "an unsigned error answer passes through, to become a typed error")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp.Body.Close()
}

func TestIDEAL2TokenRequestSignature(t *testing.T) {
	key, cert := ideal2MerchantKey(t)
	req, _ := http.NewRequest(http.MethodPost, "https://digitalroutingservice.awltest.de/xs2a/routingservice/services/authorize/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("App", "IDEAL")
	req.Header.Set("Client", "RaboiDEAL")
	req.Header.Set("Id", "002881000:1")
	req.Header.Set("Date", "2024-01-08T12:55:34.630Z")
	require.NoError(t, IDEAL2SignTokenRequest(req, key, IDEAL2KeyID(cert)))

	auth := req.Header.Get("Authorization")
	require.True(t, strings.HasPrefix(auth, `Signature keyId="39d8e82bb33e7e2a09cbcb3ef3eab351ee1c5e8f",algorithm="SHA256withRSA",headers="app client id date",signature="`), auth)
	p, err := ParseIDEAL2Signature(auth)
	require.NoError(t, err)
	sig, err := base64.StdEncoding.DecodeString(p.Signature)
	require.NoError(t, err)
	sum := sha256.Sum256([]byte("app: IDEAL\nclient: RaboiDEAL\nid: 002881000:1\ndate: 2024-01-08T12:55:34.630Z"))
	assert.NoError(t, rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, sum[:], sig))

	req.Header.Del("Date")
	assert.ErrorIs(t, IDEAL2SignTokenRequest(req, key, IDEAL2KeyID(cert)), ErrIDEAL2Malformed)
}

func TestParseIDEAL2Signature(t *testing.T) {
	p, err := ParseIDEAL2Signature(`keyId="3EBEF6033C00730D9C6DA05165A3CAA1F31036FB",algorithm="rsa-sha256",headers="messagecreatedatetime x-request-id digest",signature="ab+/c=="`)
	require.NoError(t, err)
	assert.Equal(t, IDEAL2SignatureParams{KeyID: "3EBEF6033C00730D9C6DA05165A3CAA1F31036FB", Algorithm: "rsa-sha256",
		Headers: []string{"messagecreatedatetime", "x-request-id", "digest"}, Signature: "ab+/c=="}, p)

	p, err = ParseIDEAL2Signature(`Signature keyId="k" , algorithm = "SHA256withRSA",headers="app client id date",	signature="s"`)
	require.NoError(t, err, "the Authorization form; white space around commas and equals signs")
	assert.Equal(t, IDEAL2SignatureParams{KeyID: "k", Algorithm: IDEAL2Algorithm, Headers: IDEAL2TokenHeaders, Signature: "s"}, p)

	for _, bad := range []string{
		`Signature keyId="k", signature="s", extra="ignored"`,
		`keyId="k",algorithm="rsa-sha256",signature="s"`, // no headers: no default either
		`keyId="k",algorithm="rsa-sha256",headers="digest",signature="s",created="1"`,
		`keyid="k",algorithm="rsa-sha256",headers="digest",signature="s"`,
		`keyId="k",algoritm="rsa-sha256",headers="digest",signature="s"`,
		`keyId="k",headers="digest",signature="s"`,
		`keyId="k",algorithm="rsa-sha256",headers="Digest",signature="s"`,
		`keyId="k",algorithm="rsa-sha256",headers="digest  date",signature="s"`,
		`keyId="k",algorithm="rsa-sha256",headers="digest digest",signature="s"`,
		`keyId="k",algorithm="rsa-sha256",headers="(created) digest",signature="s"`,
		`keyId="k\"",algorithm="rsa-sha256",headers="digest",signature="s"`,
		``,
		`keyId="k"`,
		`signature="s"`,
		`keyId=k,signature="s"`,
		`keyId="k",signature="s`,
		`keyId="k" signature="s"`,
		`keyId="k",keyId="j",signature="s"`,
		`keyId="k",signature="s",`,
		`keyId="k",signature="s",headers=""`,
		`="k"`,
	} {
		_, err := ParseIDEAL2Signature(bad)
		assert.ErrorIs(t, err, ErrIDEAL2Malformed, "%q", bad)
	}
}

func FuzzParseIDEAL2Signature(f *testing.F) {
	f.Add(`keyId="3EBEF6033C00730D9C6DA05165A3CAA1F31036FB",algorithm="rsa-sha256",headers="messagecreatedatetime x-request-id digest",signature="DMvx=="`)
	f.Add(`Signature keyId="k",signature="s"`)
	f.Add(`keyId="k",,signature="s"`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseIDEAL2Signature(s)
		if err != nil {
			return
		}
		if p.KeyID == "" || p.Signature == "" || len(p.Headers) == 0 {
			t.Fatalf("accepted %q without keyId, signature or headers", s)
		}
		if strings.ContainsRune(p.KeyID+p.Signature+strings.Join(p.Headers, ""), '"') {
			return
		}
		// What parses, formats and parses again to the same parameters.
		again, err := ParseIDEAL2Signature(fmt.Sprintf(`keyId="%s",algorithm="%s",headers="%s",signature="%s"`, p.KeyID, p.Algorithm, strings.Join(p.Headers, " "), p.Signature))
		if err != nil {
			t.Fatalf("re-parse of %q: %v", s, err)
		}
		if again.KeyID != p.KeyID || again.Signature != p.Signature || strings.Join(again.Headers, " ") != strings.Join(p.Headers, " ") {
			t.Fatalf("round trip changed %q", s)
		}
	})
}

func BenchmarkIDEAL2Sign(b *testing.B) {
	key, cert := ideal2MerchantKey(b)
	s, err := NewIDEAL2Signer(IDEAL2SignerConfig{Key: key, Certificate: cert, Token: staticToken("t")})
	require.NoError(b, err)
	body := []byte(`{"PaymentProduct":["IDEAL"],"CommonPaymentData":{"Amount":{"Amount":"1.00"}}}`)
	req, _ := http.NewRequest(http.MethodPost, "https://h/xs2a/routingservice/services/ob/pis/v3/payments", bytes.NewReader(body))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Sign(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIDEAL2Verify(b *testing.B) {
	v := ideal2ServerVerifier(b)
	f := ideal2Fixture(b, "payment-status-exact")
	h, body := f.Response.Header(), f.Response.BodyBytes()
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Verify(h, body); err != nil {
			b.Fatal(err)
		}
	}
}

func staticToken(tok string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return tok, nil }
}

// testIDEAL2Key makes a throwaway RSA key and a self-signed certificate
// valid around now.
func testIDEAL2Key(t testing.TB, now time.Time) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "betaalkit test"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return key, cert
}

// signIDEAL2Response signs a response the way the routing service does.
func signIDEAL2Response(t testing.TB, h http.Header, key *rsa.PrivateKey, cert *x509.Certificate, body []byte) {
	t.Helper()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("X-Request-ID", IDEAL2RequestID())
	h.Set("MessageCreateDateTime", time.Now().UTC().Format(IDEAL2TimeFormat))
	h.Set("Digest", IDEAL2Digest(body))
	names := []string{"messagecreatedatetime", "x-request-id", "digest"}
	ss, err := IDEAL2SigningString(names, "", "", h)
	require.NoError(t, err)
	sig, err := IDEAL2Sign(key, ss)
	require.NoError(t, err)
	h.Set("Signature", IDEAL2SignatureParams{KeyID: strings.ToUpper(IDEAL2KeyID(cert)), Algorithm: "rsa-sha256", Headers: names, Signature: sig}.String())
}

// With MaxAge set, the time checked must itself be signed: otherwise a
// replayer could put a fresh unsigned MessageCreateDateTime on an old message.
func TestIDEAL2MaxAgeNeedsASignedTime(t *testing.T) {
	key, cert := testIDEAL2Key(t, time.Now())
	v, err := NewIDEAL2Verifier(cert)
	require.NoError(t, err)
	v.MaxAge = time.Minute
	body := []byte(`{"CommonPaymentData":{"PaymentId":"1","PaymentStatus":"Open"}}`)
	sign := func(names []string) http.Header {
		h := http.Header{}
		h.Set("X-Request-ID", "r1")
		h.Set("MessageCreateDateTime", time.Now().UTC().Format(IDEAL2TimeFormat))
		h.Set("Digest", IDEAL2Digest(body))
		ss, err := IDEAL2SigningString(names, "", "", h)
		require.NoError(t, err)
		sig, err := IDEAL2Sign(key, ss)
		require.NoError(t, err)
		h.Set("Signature", IDEAL2SignatureParams{KeyID: IDEAL2KeyID(cert), Algorithm: "rsa-sha256", Headers: names, Signature: sig}.String())
		return h
	}
	assert.NoError(t, v.Verify(sign([]string{"messagecreatedatetime", "x-request-id", "digest"}), body))
	assert.ErrorIs(t, v.Verify(sign([]string{"x-request-id", "digest"}), body), ErrIDEAL2Malformed)
}
