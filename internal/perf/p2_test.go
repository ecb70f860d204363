package perf

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/signing"
)

// sink keeps results alive so the compiler cannot drop the work.
var sink any

// in3Body is the documented iDEAL In3 (Capayable PayInInstallments)
// request as our client sends it (compact JSON, 1.8 KB), cut to about 1 KB
// by dropping trailing service parameters: the signing cost depends on the
// size only, and the smaller body is the harder test of overhead.
func in3Body(tb testing.TB) []byte {
	req := requestOf[buckaroo.TransactionRequest](tb, fixture(tb, "buckaroo", "payininstallments"))
	params := &req.Services.ServiceList[0].Parameters
	for {
		body := must(json.Marshal(req))
		if len(body) <= 1100 || len(*params) == 0 {
			return body
		}
		*params = (*params)[:len(*params)-1]
	}
}

const (
	p2URL   = "https://testcheckout.buckaroo.nl/json/Transaction"
	p2Nonce = "abcdef0123456789"
	p2Time  = int64(1500000000)
)

// BenchmarkP2 compares Buckaroo's Authorization header as the signing
// package computes it (BenchmarkP2/buckaroo/sign) with the bare primitives
// on the same bytes (…/primitives): MD5 of the body, base64, HMAC-SHA256
// of the message, base64. …/paired alternates the two (see benchPaired).
func BenchmarkP2(b *testing.B) {
	body := in3Body(b)
	b.Run("buckaroo/sign", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			h, err := signing.BuckarooAuthorization(buckarooWebsiteKey, buckarooSecretKey, "POST", p2URL, p2Nonce, p2Time, body)
			if err != nil {
				b.Fatal(err)
			}
			sink = h
		}
	})
	key := []byte(buckarooSecretKey)
	// Everything in the message but the content hash is constant.
	prefix := []byte(buckarooWebsiteKey + "POST" + signing.BuckarooURI(p2URL) + strconv.FormatInt(p2Time, 10) + p2Nonce)
	b.Run("buckaroo/primitives", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			sink = bareBuckarooSignature(key, prefix, body)
		}
	})
	b.Run("buckaroo/paired", func(b *testing.B) {
		benchPaired(b, func(context.Context) error {
			h, err := signing.BuckarooAuthorization(buckarooWebsiteKey, buckarooSecretKey, "POST", p2URL, p2Nonce, p2Time, body)
			sink = h
			return err
		}, func(context.Context) error {
			sink = bareBuckarooSignature(key, prefix, body)
			return nil
		})
	})
}

func bareBuckarooSignature(key, prefix, body []byte) string {
	sum := md5.Sum(body)
	content := base64.StdEncoding.EncodeToString(sum[:])
	m := hmac.New(sha256.New, key)
	m.Write(prefix)
	m.Write([]byte(content))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// TestP2SameSignature checks that both sides of P2 compute the same thing.
func TestP2SameSignature(t *testing.T) {
	body := in3Body(t)
	if len(body) < 900 || len(body) > 1100 {
		t.Errorf("In3 body is %d bytes, want about 1 KB", len(body))
	}
	h, err := signing.BuckarooAuthorization(buckarooWebsiteKey, buckarooSecretKey, "POST", p2URL, p2Nonce, p2Time, body)
	if err != nil {
		t.Fatal(err)
	}
	prefix := []byte(buckarooWebsiteKey + "POST" + signing.BuckarooURI(p2URL) + strconv.FormatInt(p2Time, 10) + p2Nonce)
	want := "hmac " + buckarooWebsiteKey + ":" + bareBuckarooSignature([]byte(buckarooSecretKey), prefix, body) + ":" + p2Nonce + ":1500000000"
	if h != want {
		t.Errorf("signing: %s\nprimitives: %s", h, want)
	}
}
