package signing

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// The Buckaroo signer as first written, straightforward and slower: the
// optimised BuckarooAuthorization and BuckarooURI must agree with it on
// every input.

func refBuckarooAuthorization(websiteKey, secretKey, method, rawURL, nonce string, timestamp int64, body []byte) (string, error) {
	if websiteKey == "" || secretKey == "" {
		return "", ErrMissingCredentials
	}
	if err := refCheckHeaderPart("website key", websiteKey); err != nil {
		return "", err
	}
	if err := refCheckHeaderPart("nonce", nonce); err != nil {
		return "", err
	}
	ts := strconv.FormatInt(timestamp, 10)
	content := ""
	if len(body) > 0 {
		sum := md5.Sum(body)
		content = base64.StdEncoding.EncodeToString(sum[:])
	}
	sig := mac(sha256.New, []byte(secretKey),
		[]byte(websiteKey), []byte(strings.ToUpper(method)), []byte(refBuckarooURI(rawURL)),
		[]byte(ts), []byte(nonce), []byte(content))
	return "hmac " + websiteKey + ":" + base64.StdEncoding.EncodeToString(sig) + ":" + nonce + ":" + ts, nil
}

func refCheckHeaderPart(what, s string) error {
	if s == "" || strings.ContainsAny(s, ": \t\r\n") {
		return errRef
	}
	return nil
}

var errRef = ErrBuckarooHeader

func refBuckarooURI(rawURL string) string {
	if i := strings.Index(rawURL, "://"); i >= 0 {
		rawURL = rawURL[i+3:]
	}
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(rawURL); i++ {
		c := rawURL[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0x0f])
		}
	}
	return strings.ToLower(b.String())
}

func checkBuckarooAgainstReference(t *testing.T, websiteKey, secretKey, method, rawURL, nonce string, ts int64, body []byte) {
	t.Helper()
	if got, want := BuckarooURI(rawURL), refBuckarooURI(rawURL); got != want {
		t.Fatalf("BuckarooURI(%q) = %q, reference %q", rawURL, got, want)
	}
	got, err := BuckarooAuthorization(websiteKey, secretKey, method, rawURL, nonce, ts, body)
	want, refErr := refBuckarooAuthorization(websiteKey, secretKey, method, rawURL, nonce, ts, body)
	if (err == nil) != (refErr == nil) || got != want {
		t.Fatalf("BuckarooAuthorization(%q, %q, %q, %q, %q, %d, %q) = %q, %v; reference %q, %v",
			websiteKey, secretKey, method, rawURL, nonce, ts, body, got, err, want, refErr)
	}
}

func TestBuckarooAuthorizationMatchesReference(t *testing.T) {
	long := strings.Repeat("https://testcheckout.buckaroo.nl/json/Transaction/Status/ABC~ é", 12)
	for _, u := range []string{bkURL, "", "://", "x://", "HTTP://Host/Path?Q=A B&c=~%7e", long, "127.0.0.1:8443/json/Transaction/Status/AB-_", "\x00\xff\x7f/é"} {
		for _, m := range []string{http.MethodPost, "get", "Patch", "pöst", ""} {
			for _, body := range [][]byte{nil, {}, []byte(bkBody), []byte(strings.Repeat("x", 4000))} {
				checkBuckarooAgainstReference(t, bkWebsiteKey, bkSecret, m, u, bkNonce, bkTimestamp, body)
			}
		}
	}
	for _, k := range []string{"", "a", "a:b", "a b", "é", strings.Repeat("K", 300)} {
		checkBuckarooAgainstReference(t, k, bkSecret, "POST", bkURL, bkNonce, -1, nil)
		checkBuckarooAgainstReference(t, bkWebsiteKey, k, "POST", bkURL, k, 0, nil)
	}
}

func FuzzBuckarooAuthorizationMatchesReference(f *testing.F) {
	f.Add(bkWebsiteKey, bkSecret, http.MethodPost, bkURL, bkNonce, int64(bkTimestamp), []byte(bkBody))
	f.Add("k", "s", "get", "HTTP://a b/~", "n", int64(-5), []byte(nil))
	f.Fuzz(func(t *testing.T, websiteKey, secretKey, method, rawURL, nonce string, ts int64, body []byte) {
		checkBuckarooAgainstReference(t, websiteKey, secretKey, method, rawURL, nonce, ts, body)
	})
}
