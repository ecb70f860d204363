package perf

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/betaalkit/betaalkit/signing"
)

// BenchmarkP3 compares iDEAL 2.0 signing and verification in the signing
// package with bare RSA on the same input:
//
//	ideal2/sign/signer    IDEAL2Signer.Sign of a create-payment request
//	                      (clone, Digest, headers, signing string, RSA, header)
//	ideal2/sign/string    IDEAL2Sign of the signing string alone
//	ideal2/sign/rsa       SHA-256 + rsa.SignPKCS1v15 of that signing string
//	ideal2/verify/verifier IDEAL2Verifier.Verify of a signed status response
//	ideal2/verify/rsa     SHA-256 + rsa.VerifyPKCS1v15 of its signing string
//	ideal2/*/paired       signer (verifier) and bare RSA alternated, see benchPaired
func BenchmarkP3(b *testing.B) {
	merchant, routing := testKeys(b)
	body := fixture(b, "ideal2", "standard-payment-request-exact").Request.BodyBytes()
	signer := must(signing.NewIDEAL2Signer(signing.IDEAL2SignerConfig{
		Key: merchant.key, Certificate: merchant.cert,
		Token: func(context.Context) (string, error) { return ideal2Token, nil },
	}))
	req := must(http.NewRequest(http.MethodPost, "https://digitalroutingservice.awltest.de"+ideal2PISPath+"/payments", bytes.NewReader(body)))
	req.Header.Set("Content-Type", "application/json")
	// The signing string of one signed request, for the bare side.
	signed := must(signer.Sign(req))
	ss := must(signing.IDEAL2SigningString(signing.IDEAL2RequestHeaders, signed.Method, signed.URL.RequestURI(), signed.Header))

	b.Run("ideal2/sign/signer", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out, err := signer.Sign(req)
			if err != nil {
				b.Fatal(err)
			}
			sink = out
		}
	})
	b.Run("ideal2/sign/string", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sig, err := signing.IDEAL2Sign(merchant.key, ss)
			if err != nil {
				b.Fatal(err)
			}
			sink = sig
		}
	})
	bareSign := func(context.Context) error {
		sum := sha256.Sum256([]byte(ss))
		sig, err := rsa.SignPKCS1v15(nil, merchant.key, crypto.SHA256, sum[:])
		sink = sig
		return err
	}
	b.Run("ideal2/sign/rsa", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := bareSign(nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ideal2/sign/paired", func(b *testing.B) {
		benchPaired(b, func(context.Context) error {
			out, err := signer.Sign(req)
			sink = out
			return err
		}, bareSign)
	})

	status := fixture(b, "ideal2", "payment-status-exact").Response.BodyBytes()
	header := signedResponseHeaders(b, routing, status)
	verifier := must(signing.NewIDEAL2Verifier(routing.cert))
	p := must(signing.ParseIDEAL2Signature(header.Get("Signature")))
	rss := must(signing.IDEAL2SigningString(p.Headers, "", "", header))
	sig := must(base64.StdEncoding.DecodeString(p.Signature))
	b.Run("ideal2/verify/verifier", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := verifier.Verify(header, status); err != nil {
				b.Fatal(err)
			}
		}
	})
	bareVerify := func(context.Context) error {
		sum := sha256.Sum256([]byte(rss))
		return rsa.VerifyPKCS1v15(&routing.key.PublicKey, crypto.SHA256, sum[:], sig)
	}
	b.Run("ideal2/verify/rsa", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := bareVerify(nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ideal2/verify/paired", func(b *testing.B) {
		benchPaired(b, func(context.Context) error { return verifier.Verify(header, status) }, bareVerify)
	})
}
