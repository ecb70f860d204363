package signing

// Fuzz targets for every parser and verifier in this package that sees
// untrusted input (headers and bodies that arrive from the network). The
// older targets FuzzBuckarooVerify and FuzzParseIDEAL2Signature live next
// to their tests. Run one with
//
//	go test -run='^$' -fuzz='^FuzzIDEAL2Verify$' -fuzztime=30s ./signing
//
// Properties: nothing panics; every refusal is a verification error; and
// what is accepted is authentic: it is byte for byte what a signer holding
// the key produced (HMAC schemes), or its signed content is content the
// key signed (iDEAL 2.0, where the seeds' signatures are the only ones the
// fuzzer can present, and the harness may sign an input itself).

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient/apiclienttest"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

// ---------------------------------------------------------------- Buckaroo

// ParseBuckarooHeader is strict: whatever it accepts is the one canonical
// spelling of its parts, and every refusal is ErrBuckarooHeader.
func FuzzParseBuckarooHeader(f *testing.F) {
	f.Add(bkHeader)
	f.Add(signedPushHeader())
	f.Add("hmac a:b:c:d")
	f.Add("HMAC " + strings.TrimPrefix(bkHeader, "hmac "))
	f.Add("hmac  " + strings.TrimPrefix(bkHeader, "hmac "))
	f.Add(bkHeader + ":extra")
	f.Add(strings.Replace(bkHeader, "5A=", "5B=", 1)) // non-canonical padding bits
	f.Add(strings.Replace(bkHeader, "1500000000", "9223372036854775807", 1))
	f.Add(strings.Replace(bkHeader, "1500000000", "9999999999999999999", 1))
	f.Add(strings.Replace(bkHeader, "1500000000", "-1500000000", 1))
	f.Add(strings.Replace(bkHeader, "1500000000", "0001500000000", 1))
	f.Add(strings.Replace(bkHeader, "abcdef0123456789", "abc def", 1))
	f.Add("hmac :Hw0aw3Nd5g5Jg9Mv50h+vy+qS34hE+xAz4CfISejm5A=::")
	f.Fuzz(func(t *testing.T, value string) {
		h, err := ParseBuckarooHeader(value)
		if err != nil {
			if !errors.Is(err, ErrBuckarooHeader) || !errors.Is(err, betaalkit.ErrVerification) {
				t.Fatalf("refusal of %q is not ErrBuckarooHeader: %v", value, err)
			}
			return
		}
		canonical := "hmac " + h.WebsiteKey + ":" + base64.StdEncoding.EncodeToString(h.Signature) + ":" + h.Nonce + ":" + h.Timestamp
		if canonical != value {
			t.Fatalf("accepted a non-canonical header %q (canonical %q)", value, canonical)
		}
		if len(h.Signature) != sha256.Size {
			t.Fatalf("accepted a %d-byte signature", len(h.Signature))
		}
		if checkHeaderPart("website key", h.WebsiteKey) != nil || checkHeaderPart("nonce", h.Nonce) != nil {
			t.Fatalf("accepted website key %q / nonce %q", h.WebsiteKey, h.Nonce)
		}
		ts, err := h.Time()
		if err != nil {
			// 19 digits may exceed int64; the header then fails later, as a header error.
			if !errors.Is(err, ErrBuckarooHeader) {
				t.Fatalf("Time of %q: %v", h.Timestamp, err)
			}
			return
		}
		if strings.TrimLeft(h.Timestamp, "0") != strings.TrimLeft(strconv.FormatInt(ts.Unix(), 10), "0") {
			t.Fatalf("timestamp %q read as %d", h.Timestamp, ts.Unix())
		}
	})
}

// Verify on any method, URL, body, header and clock: what it accepts is
// exactly the header the signer makes with the secret key for that message,
// within the tolerance; another secret refuses it; every refusal is a
// verification error.
func FuzzBuckarooVerifyMessage(f *testing.F) {
	add := func(method, rawURL string, body []byte, skew int64) {
		h, err := BuckarooAuthorization(bkWebsiteKey, bkSecret, method, rawURL, bkNonce, bkTimestamp, body)
		require.NoError(f, err)
		f.Add(method, rawURL, body, h, skew)
	}
	f.Add(http.MethodPost, bkURL, []byte(bkBody), bkHeader, int64(0))
	add(http.MethodPost, bkPushURL, []byte(bkPushBody), 60)
	add(http.MethodGet, "https://testcheckout.buckaroo.nl/json/Transaction/Status/KEY", nil, -299)
	add("post", "http://shop.example/push?a=1&b=x y~z", []byte(" "), 301) // stale
	list, err := fixtures.Load("buckaroo")
	require.NoError(f, err)
	for _, fx := range list {
		if fx.Schema == "Push" && fx.Request != nil {
			add(http.MethodPost, "https://"+fx.Request.Headers["Host"]+fx.Request.Path, fx.Request.BodyBytes(), 0)
		}
		if fx.Request != nil && fx.OperationID != "" {
			add(fx.Request.Method, "https://testcheckout.buckaroo.nl"+fx.Request.Path, fx.Request.BodyBytes(), 1)
		}
	}
	f.Add(http.MethodPost, bkURL, []byte(bkBody), strings.Replace(bkHeader, "WEBSITE123", "WEBSITE124", 1), int64(0))
	f.Fuzz(func(t *testing.T, method, rawURL string, body []byte, header string, skew int64) {
		now := int64(bkTimestamp) + skew%(1<<33)
		clock := BuckarooClock(bkClock(now))
		v, err := NewBuckarooVerifier(bkWebsiteKey, bkSecret, clock)
		require.NoError(t, err)
		h, err := v.Verify(method, rawURL, body, header)
		if err != nil {
			if !errors.Is(err, betaalkit.ErrVerification) {
				t.Fatalf("refusal is not a verification error: %v", err)
			}
			if strings.Contains(err.Error(), bkSecret) {
				t.Fatalf("error shows the secret: %v", err)
			}
			return
		}
		ts, err := h.Time()
		require.NoError(t, err)
		want, err := BuckarooAuthorization(bkWebsiteKey, bkSecret, method, rawURL, h.Nonce, ts.Unix(), body)
		if err != nil || want != header {
			t.Fatalf("accepted %q for %s %q; the signer makes %q (%v)", header, method, rawURL, want, err)
		}
		if d := now - ts.Unix(); d > int64(DefaultBuckarooTolerance/time.Second) || d < -int64(DefaultBuckarooTolerance/time.Second) {
			t.Fatalf("accepted a header signed %ds away from now", d)
		}
		other, err := NewBuckarooVerifier(bkWebsiteKey, bkSecret+"x", clock)
		require.NoError(t, err)
		if _, err := other.Verify(method, rawURL, body, header); !errors.Is(err, ErrSignatureMismatch) {
			t.Fatalf("another secret key accepted it too: %v", err)
		}
	})
}

// ---------------------------------------------------------------- MultiSafepay

// VerifyMultiSafepayNotification on any key, body, Auth header and clock:
// accepted (or refused only as stale) means the header is exactly the one
// MultiSafepay makes with that key for that body; a fresh accepted one is
// within the tolerance; the key never shows in an error. With sign set the
// harness signs the body itself, and that header must verify.
func FuzzMultiSafepayVerifyNotification(f *testing.F) {
	const key = "fuzz-api-key-0123456789"
	body := []byte(`{"order_id":"my-order-1","status":"completed","amount":1000}`)
	f.Add(key, body, SignMultiSafepayNotification(key, body, time.Unix(1700000000, 0)), int64(1700000000), int64(180), false)
	f.Add(key, body, "", int64(1700000000), int64(0), true)
	f.Add(key, body, "", int64(1700000000), int64(601), true) // stale
	f.Add(key, []byte(nil), "", int64(1700000000), int64(-600), true)
	f.Add(key, body, base64.StdEncoding.EncodeToString([]byte("1700000000:00")), int64(1700000000), int64(0), false)
	f.Add(key, body, "MTcwMDAwMDAwMDo=", int64(1700000000), int64(0), false)
	f.Add("", body, "", int64(1700000000), int64(0), true)
	dir := filepath.Join("..", "..", "shared", "vectors", "multisafepay")
	if data, err := os.ReadFile(filepath.Join(dir, "msp_hmac_vectors.json")); err == nil {
		var vs map[string]mspVector
		require.NoError(f, json.Unmarshal(data, &vs))
		names := make([]string, 0, len(vs))
		for name := range vs {
			names = append(names, name)
		}
		sort.Strings(names) // deterministic seed order
		for _, name := range names {
			v := vs[name]
			payload, err := os.ReadFile(filepath.Join(dir, v.PayloadFile))
			require.NoError(f, err)
			at := mspSignedAt(f, v.AuthHeader)
			f.Add(v.APIKey, payload, v.AuthHeader, at.Unix(), int64(180), false)
			f.Add(v.APIKey, payload, v.AuthHeader, at.Unix(), int64(3600), false)
		}
	}
	f.Fuzz(func(t *testing.T, apiKey string, body []byte, auth string, signedAt, skew int64, sign bool) {
		signedAt = mspClamp(signedAt, 1e12) // what fits the 12 digits the verifier allows
		now := signedAt + skew%(1<<31)
		clock := Clock(func() time.Time { return time.Unix(now, 0) })
		if sign {
			auth = SignMultiSafepayNotification(apiKey, body, time.Unix(signedAt, 0))
		}
		got, err := VerifyMultiSafepayNotification(body, auth, apiKey, clock, 0)
		if apiKey == "" {
			if !errors.Is(err, ErrMissingCredentials) {
				t.Fatalf("empty key: %v", err)
			}
			return
		}
		if err != nil && len(apiKey) >= 8 && strings.Contains(err.Error(), apiKey) {
			t.Fatalf("error shows the key: %v", err)
		}
		tol := int64(DefaultMultiSafepayTolerance / time.Second)
		switch {
		case err == nil, errors.Is(err, ErrStale):
			if want := SignMultiSafepayNotification(apiKey, body, got); want != auth {
				t.Fatalf("accepted Auth %q; MultiSafepay's header for this body is %q (err %v)", auth, want, err)
			}
			d := now - got.Unix()
			fresh := d <= tol && d >= -tol
			if fresh != (err == nil) {
				t.Fatalf("signed %ds before now; verdict %v", d, err)
			}
			if err == nil {
				if _, err := VerifyMultiSafepayNotification(body, auth, apiKey+"x", clock, 0); !errors.Is(err, ErrSignatureMismatch) {
					t.Fatalf("another key accepted it too: %v", err)
				}
			}
		default:
			if !errors.Is(err, ErrSignatureMismatch) || !errors.Is(err, betaalkit.ErrVerification) {
				t.Fatalf("refusal is neither a mismatch nor stale: %v", err)
			}
			if sign {
				t.Fatalf("a header signed with the key was refused as a mismatch: %v", err)
			}
		}
	})
}

// mspClamp maps any int64 into [0, limit).
func mspClamp(v, limit int64) int64 {
	v %= limit
	if v < 0 {
		v += limit
	}
	return v
}

// ---------------------------------------------------------------- iDEAL 2.0

// ideal2FuzzTime is the clock of the iDEAL 2.0 targets: the moment of the
// seed document's status exchange, inside both test certificates' validity.
const ideal2FuzzTime = "2024-01-08T12:55:35Z"

// ideal2Trust is one certificate a verifier trusts, and what its key signed.
type ideal2Trust struct {
	name  string
	v     *IDEAL2Verifier
	key   *rsa.PrivateKey // nil when the test does not hold the key
	known map[string]bool // ideal2Content of every message the key signed for the seeds
}

// ideal2Content identifies what a signature protects: the signing string
// and (through the signed Digest) the body.
func ideal2Content(signingString string, body []byte) string {
	sum := sha256.Sum256(body)
	return signingString + "\x00" + hex.EncodeToString(sum[:])
}

type ideal2Seed struct {
	method, target, header string
	body                   []byte
	mode                   uint8
}

// ideal2FuzzSetup returns the two trusts — [0] Worldline's test-environment
// certificate (its key signed the seed document's status response), [1]
// Worldline's test merchant certificate (its key signed the seed's requests,
// and the test holds it) — and seeds: the seed document's genuinely signed
// messages and responses signed here with the merchant test key. mode bit 0
// picks the trust, bit 1 makes the harness sign the input with the merchant
// key (bit 2: under an upper-case keyId).
func ideal2FuzzSetup(f *testing.F) ([2]*ideal2Trust, []ideal2Seed) {
	server := &ideal2Trust{name: "test-environment certificate", v: ideal2ServerVerifier(f), known: map[string]bool{}}
	key, cert := ideal2MerchantKey(f)
	mv, err := NewIDEAL2Verifier(cert)
	require.NoError(f, err)
	mv.Clock = fixedClock(ideal2FuzzTime)
	mv.MaxAge = 10 * time.Minute // as the client checks notifications
	merchant := &ideal2Trust{name: "merchant test certificate", v: mv, key: key, known: map[string]bool{}}
	trusts := [2]*ideal2Trust{server, merchant}

	var seeds []ideal2Seed
	add := func(tr uint8, method, target string, h http.Header, body []byte) {
		p, err := ParseIDEAL2Signature(h.Get("Signature"))
		require.NoError(f, err)
		ss, err := IDEAL2SigningString(p.Headers, method, target, h)
		require.NoError(f, err)
		trusts[tr].known[ideal2Content(ss, body)] = true
		seeds = append(seeds, ideal2Seed{method, target, apiclienttest.HeaderText(h), body, tr})
	}
	status := ideal2Fixture(f, "payment-status-exact")
	add(0, "", "", status.Response.Header(), status.Response.BodyBytes())
	add(1, status.Request.Method, status.Request.Path, status.Request.Header(), status.Request.BodyBytes())
	create := ideal2Fixture(f, "standard-payment-request-exact") // signed 2023-12-29: stale for MaxAge
	add(1, create.Request.Method, create.Request.Path, create.Request.Header(), create.Request.BodyBytes())

	// Responses and a notification signed here with the merchant test key.
	for i, body := range [][]byte{status.Response.BodyBytes(), nil, []byte(`{"Code":"003","Message":"Invalid signature"}`)} {
		h := http.Header{}
		h.Set("Content-Type", "application/json;charset=UTF-8")
		h.Set("X-Request-ID", "fuzz-seed-"+strconv.Itoa(i))
		h.Set("MessageCreateDateTime", "2024-01-08T12:55:35.000Z")
		ideal2FuzzSign(f, key, IDEAL2KeyID(cert), "", "", h, body)
		add(1, "", "", h, body)
	}
	h := http.Header{}
	h.Set("X-Request-ID", "fuzz-notification")
	h.Set("MessageCreateDateTime", "2024-01-08T12:50:00.000Z")
	ideal2FuzzSign(f, key, strings.ToUpper(IDEAL2KeyID(cert)), http.MethodPost, "/ideal2/notify", h, status.Response.BodyBytes())
	add(1, http.MethodPost, "/ideal2/notify", h, status.Response.BodyBytes())

	// Inputs the harness signs, and a few that are not signed at all.
	seeds = append(seeds,
		ideal2Seed{"", "", "Content-Type: application/json", []byte(`{"CommonPaymentData":{"PaymentId":"1","PaymentStatus":"Open"}}`), 3},
		ideal2Seed{"", "", "X-Request-ID: a\nX-Request-ID: b", nil, 2},
		ideal2Seed{http.MethodPost, "/notify?x=1", "MessageCreateDateTime: 2024-01-08T12:00:00Z", []byte("{}"), 7},
		ideal2Seed{"", "", "Signature: keyId=\"k\",signature=\"s\"\nDigest: SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", nil, 0},
		ideal2Seed{"", "", "", []byte("{}"), 1},
	)
	return trusts, seeds
}

// ideal2FuzzSign signs h and body the way the routing service does (the
// Digest, then a Signature over MessageCreateDateTime, X-Request-ID, the
// Digest and, for a request, the request-target) and returns the signing
// string. A missing X-Request-ID or MessageCreateDateTime is filled in.
func ideal2FuzzSign(t testing.TB, key *rsa.PrivateKey, keyID, method, target string, h http.Header, body []byte) string {
	h.Set("Digest", IDEAL2Digest(body))
	if h.Get("X-Request-ID") == "" {
		h.Set("X-Request-ID", "fuzz")
	}
	if h.Get("MessageCreateDateTime") == "" {
		h.Set("MessageCreateDateTime", "2024-01-08T12:55:35.000Z")
	}
	names := []string{"messagecreatedatetime", "x-request-id", "digest"}
	if method != "" {
		names = append([]string{"(request-target)"}, names...)
	}
	ss, err := IDEAL2SigningString(names, method, target, h)
	require.NoError(t, err)
	sig, err := IDEAL2Sign(key, ss)
	require.NoError(t, err)
	h.Set("Signature", IDEAL2SignatureParams{KeyID: keyID, Algorithm: "rsa-sha256", Headers: names, Signature: sig}.String())
	return ss
}

// ideal2FuzzInput applies a fuzz input's mode: the trust it is verified
// against and, when asked, the harness's own signature with the merchant
// key (under the trusted certificate's keyId, so the RSA check is what
// decides). It returns the content the harness signed ("" if none).
func ideal2FuzzInput(t *testing.T, trusts [2]*ideal2Trust, mode uint8, method, target string, h http.Header, body []byte) (*ideal2Trust, string) {
	tr := trusts[mode&1]
	if mode&2 == 0 {
		return tr, ""
	}
	keyID := tr.v.KeyID()
	if mode&4 != 0 {
		keyID = strings.ToUpper(keyID)
	}
	ss := ideal2FuzzSign(t, trusts[1].key, keyID, method, target, h, body)
	return tr, ideal2Content(ss, body)
}

// ideal2FuzzVerdict checks a verifier's verdict on one input: a refusal is
// an *IDEAL2VerifyError matching betaalkit.ErrVerification; an acceptance
// carries a Digest of the body, a fresh signed time when MaxAge is set, and
// content the trusted key really signed.
func ideal2FuzzVerdict(t *testing.T, trusts [2]*ideal2Trust, tr *ideal2Trust, harness, method, target string, h http.Header, body []byte, err error) {
	t.Helper()
	signedByTrusted := harness != "" && tr == trusts[1]
	if err != nil {
		var ve *IDEAL2VerifyError
		if !errors.As(err, &ve) || !errors.Is(err, betaalkit.ErrVerification) {
			t.Fatalf("refusal is not an *IDEAL2VerifyError: %v", err)
		}
		// A signed header sent twice is refused whoever signed it.
		once := len(h.Values("X-Request-ID")) == 1 && len(h.Values("MessageCreateDateTime")) == 1
		if signedByTrusted && ideal2Fresh(tr.v, h) && once {
			t.Fatalf("a message signed with the trusted key was refused: %v", err)
		}
		return
	}
	if harness != "" && !signedByTrusted {
		t.Fatalf("the %s accepted a message signed with another key", tr.name)
	}
	p, err := ParseIDEAL2Signature(h.Get("Signature"))
	if err != nil {
		t.Fatalf("accepted an unparsable Signature %q: %v", h.Get("Signature"), err)
	}
	ss, err := IDEAL2SigningString(p.Headers, method, target, h)
	if err != nil {
		t.Fatalf("accepted a Signature over headers that are not there: %v", err)
	}
	content := ideal2Content(ss, body)
	if !tr.known[content] && content != harness {
		t.Fatalf("the %s accepted content its key never signed:\n%s\n(body %q)", tr.name, ss, body)
	}
	if h.Get("Digest") != IDEAL2Digest(body) || !ideal2ContainsFold(p.Headers, "digest") {
		t.Fatalf("accepted a body its signed Digest does not cover: %q", h.Get("Digest"))
	}
	if tr.v.MaxAge > 0 && (!ideal2ContainsFold(p.Headers, "messagecreatedatetime") || !ideal2Fresh(tr.v, h)) {
		t.Fatalf("accepted MessageCreateDateTime %q (signed: %v) with MaxAge %s", h.Get("MessageCreateDateTime"), p.Headers, tr.v.MaxAge)
	}
}

// ideal2Fresh reports whether h's MessageCreateDateTime passes v's MaxAge.
func ideal2Fresh(v *IDEAL2Verifier, h http.Header) bool {
	if v.MaxAge <= 0 {
		return true
	}
	ts, err := time.Parse(time.RFC3339Nano, h.Get("MessageCreateDateTime"))
	if err != nil {
		return false
	}
	d := v.Clock.now().Sub(ts)
	return d <= v.MaxAge && d >= -v.MaxAge
}

// Verify and VerifyRequest on any headers, body and request line: never a
// panic, and never an acceptance of content the trusted key did not sign.
// An empty method verifies as a response (Verify), otherwise as a request
// (VerifyRequest, with the request-target).
func FuzzIDEAL2Verify(f *testing.F) {
	trusts, seeds := ideal2FuzzSetup(f)
	for _, s := range seeds {
		f.Add(s.method, s.target, s.header, s.body, s.mode)
	}
	f.Fuzz(func(t *testing.T, method, target, headerText string, body []byte, mode uint8) {
		h := apiclienttest.HeaderFromText(headerText)
		var req *http.Request
		if method != "" {
			u, err := url.ParseRequestURI(target)
			if err != nil {
				return
			}
			target = u.RequestURI() // what VerifyRequest sees
			req = &http.Request{Method: method, URL: u, Header: h}
		}
		tr, harness := ideal2FuzzInput(t, trusts, mode, method, target, h, body)
		var err error
		if req == nil {
			err = tr.v.Verify(h, body)
		} else {
			err = tr.v.VerifyRequest(req, body)
		}
		ideal2FuzzVerdict(t, trusts, tr, harness, method, target, h, body, err)
	})
}

// VerifyResponse on any status, headers and body: a 2xx or signed answer
// is accepted only when authentic; an unsigned error answer passes through;
// an accepted body reads back byte for byte; a refusal carries the status.
func FuzzIDEAL2VerifyResponse(f *testing.F) {
	trusts, seeds := ideal2FuzzSetup(f)
	for _, s := range seeds {
		if s.method == "" {
			f.Add(200, s.header, s.body, s.mode)
		}
	}
	f.Add(http.StatusUnauthorized, "Content-Type: application/json", []byte(`{"Code":"003","Message":"Invalid signature"}`), uint8(0))
	f.Add(http.StatusBadGateway, "Content-Type: text/html", []byte("<html>502</html>"), uint8(1))
	f.Add(http.StatusNoContent, "", []byte(nil), uint8(3))
	f.Add(http.StatusBadRequest, "", []byte(`{"Code":"154"}`), uint8(3))
	f.Fuzz(func(t *testing.T, status int, headerText string, body []byte, mode uint8) {
		h := apiclienttest.HeaderFromText(headerText)
		tr, harness := ideal2FuzzInput(t, trusts, mode, "", "", h, body)
		checked := status >= 200 && status < 300 || h.Get("Signature") != ""
		resp := &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(bytes.NewReader(body))}
		err := tr.v.VerifyResponse(resp)
		if err != nil {
			var ve *IDEAL2VerifyError
			if !errors.As(err, &ve) || ve.StatusCode != status {
				t.Fatalf("refusal of an HTTP %d answer: %#v", status, err)
			}
			if !checked {
				t.Fatalf("an unsigned HTTP %d answer was refused: %v", status, err)
			}
			if status >= 200 && status < 300 && h.Get("Signature") == "" && !errors.Is(err, ErrIDEAL2Unsigned) {
				t.Fatalf("an unsigned success is not ErrIDEAL2Unsigned: %v", err)
			}
		} else {
			got, rerr := io.ReadAll(resp.Body)
			require.NoError(t, rerr)
			if !bytes.Equal(got, body) || resp.ContentLength != int64(len(body)) {
				t.Fatalf("the body changed: %q became %q (length %d)", body, got, resp.ContentLength)
			}
		}
		if checked {
			ideal2FuzzVerdict(t, trusts, tr, harness, "", "", h, body, err)
		}
	})
}
