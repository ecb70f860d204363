package signing

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/betaalkit/betaalkit"
)

// Buckaroo signs every request (and every push it sends to a shop) with
//
//	Authorization: hmac {websiteKey}:{signature}:{nonce}:{timestamp}
//
// where signature = base64(HMAC-SHA256(secretKey, websiteKey + METHOD + uri +
// timestamp + nonce + content)), uri = lowercase(urlencode(host + path + query))
// in PHP urlencode style, and content = base64(MD5(body)), or "" without a body.

// DefaultBuckarooTolerance is how far a push's timestamp may be from now.
const DefaultBuckarooTolerance = 5 * time.Minute

// ErrBuckarooHeader is returned for an Authorization header that is not of
// the form "hmac websiteKey:signature:nonce:timestamp".
var ErrBuckarooHeader error = verificationError("signing: malformed Buckaroo Authorization header")

// BuckarooOption configures a BuckarooSigner or BuckarooVerifier.
type BuckarooOption func(*buckarooConfig)

type buckarooConfig struct {
	clock         Clock
	nonce         func() (string, error)
	tolerance     time.Duration
	rejectReplays bool
}

// BuckarooClock sets the clock for timestamps (signer) and freshness checks
// (verifier); tests inject a fixed one.
func BuckarooClock(c Clock) BuckarooOption { return func(cfg *buckarooConfig) { cfg.clock = c } }

// BuckarooNonce sets the nonce source of a signer; the default draws 16 hex
// characters from crypto/rand. A nonce must not contain ':' or spaces.
func BuckarooNonce(f func() (string, error)) BuckarooOption {
	return func(cfg *buckarooConfig) { cfg.nonce = f }
}

// BuckarooRejectReplays makes a verifier remember every nonce it accepts for
// twice the tolerance (in a betaalkit.MemoryReplayStore on the verifier's
// clock) and refuse it again with ErrReplay. The memory is this process's:
// a push handler shared by several shop instances uses
// betaalkit.WebhookReplayStore instead.
func BuckarooRejectReplays() BuckarooOption {
	return func(cfg *buckarooConfig) { cfg.rejectReplays = true }
}

// BuckarooTolerance sets how far a verified timestamp may be from now
// (DefaultBuckarooTolerance when unset or not positive).
func BuckarooTolerance(d time.Duration) BuckarooOption {
	return func(cfg *buckarooConfig) { cfg.tolerance = d }
}

func newBuckarooConfig(opts []BuckarooOption) buckarooConfig {
	cfg := buckarooConfig{nonce: randomNonce, tolerance: DefaultBuckarooTolerance}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.nonce == nil {
		cfg.nonce = randomNonce
	}
	if cfg.tolerance <= 0 {
		cfg.tolerance = DefaultBuckarooTolerance
	}
	return cfg
}

func randomNonce() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("signing: nonce: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// BuckarooAuthorization computes the Authorization header value for one
// request: method, the full URL exactly as sent (scheme optional; a trailing
// slash or query changes the signature), nonce, unix timestamp and the exact
// body bytes (nil for none).
func BuckarooAuthorization(websiteKey, secretKey, method, rawURL, nonce string, timestamp int64, body []byte) (string, error) {
	if websiteKey == "" || secretKey == "" {
		return "", ErrMissingCredentials
	}
	if err := checkHeaderPart("website key", websiteKey); err != nil {
		return "", err
	}
	if err := checkHeaderPart("nonce", nonce); err != nil {
		return "", err
	}
	ts := strconv.FormatInt(timestamp, 10)
	sig := buckarooMAC(websiteKey, secretKey, method, rawURL, ts, nonce, body)
	var enc [44]byte // base64 of a 32-byte HMAC-SHA256
	base64.StdEncoding.Encode(enc[:], sig)
	var b strings.Builder
	b.Grow(len("hmac ") + len(websiteKey) + 1 + len(enc) + 1 + len(nonce) + 1 + len(ts))
	b.WriteString("hmac ")
	b.WriteString(websiteKey)
	b.WriteByte(':')
	b.Write(enc[:])
	b.WriteByte(':')
	b.WriteString(nonce)
	b.WriteByte(':')
	b.WriteString(ts)
	return b.String(), nil
}

// checkHeaderPart refuses values that would break the colon-separated header.
func checkHeaderPart(what, s string) error {
	if s == "" || !headerPartOK(s) {
		return fmt.Errorf("signing: Buckaroo %s must be non-empty without ':' or spaces", what)
	}
	return nil
}

// headerPartOK reports whether s has none of ':', ' ', '\t', '\r', '\n'
// (strings.ContainsAny without building its set on every call).
func headerPartOK(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ':', ' ', '\t', '\r', '\n':
			return false
		}
	}
	return true
}

// buckarooMAC returns HMAC-SHA256(secretKey, websiteKey + METHOD + uri + ts
// + nonce + content). The message is assembled in one buffer (a typical one
// fits on the stack) and written to the HMAC once, so signing costs little
// beyond the MD5 and the HMAC themselves.
func buckarooMAC(websiteKey, secretKey, method, rawURL, ts, nonce string, body []byte) []byte {
	var buf [256]byte
	msg := append(buf[:0], websiteKey...)
	msg = append(msg, strings.ToUpper(method)...) // no copy when already upper case
	msg = appendBuckarooURI(msg, rawURL)
	msg = append(msg, ts...)
	msg = append(msg, nonce...)
	if len(body) > 0 {
		sum := md5.Sum(body)
		msg = base64.StdEncoding.AppendEncode(msg, sum[:])
	}
	return mac(sha256.New, []byte(secretKey), msg)
}

// BuckarooURI is the uri part of the signed message: the URL without its
// scheme, PHP-urlencoded, lowercased. Exported so integrators can compare it
// with what their own code signs.
func BuckarooURI(rawURL string) string {
	return string(appendBuckarooURI(make([]byte, 0, 3*len(rawURL)), rawURL))
}

// appendBuckarooURI appends the uri part to dst in one pass: the URL without
// its scheme, encoded like PHP's urlencode (letters, digits and "-_." stay,
// a space becomes "+", every other byte, "~" included, becomes %XX), then
// lowercased. The encoding is pure ASCII, so lowercasing it is lowercasing
// the letters and writing the hex digits in lower case.
func appendBuckarooURI(dst []byte, rawURL string) []byte {
	if i := strings.Index(rawURL, "://"); i >= 0 {
		rawURL = rawURL[i+3:]
	}
	const hexDigits = "0123456789abcdef"
	for i := 0; i < len(rawURL); i++ {
		c := rawURL[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
			dst = append(dst, c)
		case 'A' <= c && c <= 'Z':
			dst = append(dst, c+('a'-'A'))
		case c == ' ':
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&0x0f])
		}
	}
	return dst
}

// requestURL is the URL as it goes on the wire: the Host header's host and
// the request-target (escaped path and query).
func requestURL(req *http.Request) string {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	return host + req.URL.RequestURI()
}

// BuckarooSigner is an http.RoundTripper that signs every attempt with a
// fresh nonce and timestamp, over the exact URL and body bytes sent. It is
// safe for concurrent use; the secret key never appears in String() or errors.
type BuckarooSigner struct {
	websiteKey string
	secretKey  string
	base       http.RoundTripper
	cfg        buckarooConfig
}

// NewBuckarooSigner wraps base (nil means http.DefaultTransport).
func NewBuckarooSigner(websiteKey, secretKey string, base http.RoundTripper, opts ...BuckarooOption) (*BuckarooSigner, error) {
	if websiteKey == "" || secretKey == "" {
		return nil, ErrMissingCredentials
	}
	if err := checkHeaderPart("website key", websiteKey); err != nil {
		return nil, err
	}
	return &BuckarooSigner{websiteKey: websiteKey, secretKey: secretKey, base: base, cfg: newBuckarooConfig(opts)}, nil
}

// RoundTrip sends a signed clone of req; req is not changed (a body without
// GetBody is consumed, as the RoundTripper contract allows).
func (s *BuckarooSigner) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := ReadBody(req)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	nonce, err := s.cfg.nonce()
	if err != nil {
		closeBody(req)
		return nil, err
	}
	header, err := BuckarooAuthorization(s.websiteKey, s.secretKey, req.Method, requestURL(req), nonce, s.cfg.clock.now().Unix(), body)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	out := CloneWithBody(req, body)
	out.Header.Set("Authorization", header)
	closeBody(req) // the clone carries its own copy of the bytes
	return transport(s.base).RoundTrip(out)
}

// closeBody honours the RoundTripper contract of closing the request body.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// String hides the secret key.
func (s *BuckarooSigner) String() string {
	return "signing.BuckarooSigner{websiteKey: " + s.websiteKey + ", secretKey: [redacted]}"
}

// GoString hides the secret key from %#v.
func (s *BuckarooSigner) GoString() string { return s.String() }

// BuckarooHeader is a parsed Authorization header.
type BuckarooHeader struct {
	WebsiteKey string
	Signature  []byte
	Nonce      string
	// Timestamp is the text as sent; it is what the signature covers.
	Timestamp string
}

// Time is the signing moment.
func (h BuckarooHeader) Time() (time.Time, error) {
	secs, err := strconv.ParseInt(h.Timestamp, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: timestamp is not unix seconds", ErrBuckarooHeader)
	}
	return time.Unix(secs, 0), nil
}

// ParseBuckarooHeader splits "hmac websiteKey:signature:nonce:timestamp".
// It is strict (exact scheme word, canonical base64, digits-only timestamp)
// so that no two different headers carry the same meaning.
func ParseBuckarooHeader(value string) (BuckarooHeader, error) {
	rest, ok := strings.CutPrefix(value, "hmac ")
	if !ok {
		return BuckarooHeader{}, fmt.Errorf("%w: want the \"hmac \" scheme", ErrBuckarooHeader)
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 4 {
		return BuckarooHeader{}, fmt.Errorf("%w: want 4 colon-separated parts, got %d", ErrBuckarooHeader, len(parts))
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(parts[1])
	if err != nil || len(sig) != sha256.Size {
		return BuckarooHeader{}, fmt.Errorf("%w: signature is not a base64 HMAC-SHA256", ErrBuckarooHeader)
	}
	h := BuckarooHeader{WebsiteKey: parts[0], Signature: sig, Nonce: parts[2], Timestamp: parts[3]}
	if checkHeaderPart("website key", h.WebsiteKey) != nil || checkHeaderPart("nonce", h.Nonce) != nil {
		return BuckarooHeader{}, fmt.Errorf("%w: empty website key or nonce", ErrBuckarooHeader)
	}
	if h.Timestamp == "" || strings.Trim(h.Timestamp, "0123456789") != "" || len(h.Timestamp) > 19 {
		return BuckarooHeader{}, fmt.Errorf("%w: timestamp is not unix seconds", ErrBuckarooHeader)
	}
	return h, nil
}

// BuckarooVerifier checks Buckaroo signatures: the pushes Buckaroo POSTs to a
// shop, or (in a simulator or test server) requests signed by a client. It is
// safe for concurrent use; the secret key never appears in String() or errors.
type BuckarooVerifier struct {
	websiteKey string
	secretKey  string
	cfg        buckarooConfig
	nonces     *betaalkit.MemoryReplayStore // nil unless BuckarooRejectReplays
}

// NewBuckarooVerifier returns a verifier for one website key and secret key.
// Options: BuckarooClock, BuckarooTolerance, BuckarooRejectReplays.
func NewBuckarooVerifier(websiteKey, secretKey string, opts ...BuckarooOption) (*BuckarooVerifier, error) {
	if websiteKey == "" || secretKey == "" {
		return nil, ErrMissingCredentials
	}
	v := &BuckarooVerifier{websiteKey: websiteKey, secretKey: secretKey, cfg: newBuckarooConfig(opts)}
	if v.cfg.rejectReplays {
		v.nonces = betaalkit.NewMemoryReplayStore(v.cfg.clock.now)
	}
	return v, nil
}

// Tolerance is how far a verified timestamp may be from the verifier's
// clock. A message passes the freshness check for twice this long.
func (v *BuckarooVerifier) Tolerance() time.Duration { return v.cfg.tolerance }

// Forget releases an accepted header's nonce, for a message that was
// verified but not processed: the sender's retry must not count as a replay.
func (v *BuckarooVerifier) Forget(h BuckarooHeader) {
	if v.nonces != nil {
		_ = v.nonces.Release(context.Background(), h.Nonce)
	}
}

// VerifyPush checks a push: the raw body exactly as received, its
// Authorization header, and the push URL the shop gave Buckaroo (the URL is
// what Buckaroo signs, so it must match character for character).
func (v *BuckarooVerifier) VerifyPush(pushURL string, body []byte, authorization string) error {
	_, err := v.Verify(http.MethodPost, pushURL, body, authorization)
	return err
}

// VerifyRequest checks a signed request received by a server; the URL is
// rebuilt from the Host header and the request-target. The body is read
// without being consumed.
func (v *BuckarooVerifier) VerifyRequest(req *http.Request) (BuckarooHeader, error) {
	body, err := PeekBody(req)
	if err != nil {
		return BuckarooHeader{}, err
	}
	target := req.RequestURI // the request-target exactly as received
	if target == "" {
		target = req.URL.RequestURI()
	}
	return v.Verify(req.Method, req.Host+target, body, req.Header.Get("Authorization"))
}

// Verify checks one signature: website key, HMAC (constant time), then the
// timestamp's freshness. A stale but authentic header yields ErrStale; any
// other failure wraps ErrSignatureMismatch or ErrBuckarooHeader. The parsed
// header is returned so callers can also reject a reused nonce.
func (v *BuckarooVerifier) Verify(method, rawURL string, body []byte, authorization string) (BuckarooHeader, error) {
	h, err := ParseBuckarooHeader(authorization)
	if err != nil {
		return BuckarooHeader{}, err
	}
	if !macEqual([]byte(h.WebsiteKey), []byte(v.websiteKey)) {
		return BuckarooHeader{}, fmt.Errorf("%w: the header names another website key", ErrSignatureMismatch)
	}
	want := buckarooMAC(v.websiteKey, v.secretKey, method, rawURL, h.Timestamp, h.Nonce, body)
	if !macEqual(want, h.Signature) {
		return BuckarooHeader{}, fmt.Errorf("%w: Buckaroo HMAC over %s %s", ErrSignatureMismatch, strings.ToUpper(method), BuckarooURI(rawURL))
	}
	ts, err := h.Time()
	if err != nil {
		return BuckarooHeader{}, err
	}
	now := v.cfg.clock.now()
	if err := checkFresh(ts, now, v.cfg.tolerance); err != nil {
		return BuckarooHeader{}, err
	}
	if v.nonces != nil {
		// The memory store cannot fail for a positive ttl.
		if claimed, _ := v.nonces.Claim(context.Background(), h.Nonce, 2*v.cfg.tolerance); !claimed {
			return BuckarooHeader{}, ErrReplay
		}
	}
	return h, nil
}

// String hides the secret key.
func (v *BuckarooVerifier) String() string {
	return "signing.BuckarooVerifier{websiteKey: " + v.websiteKey + ", secretKey: [redacted]}"
}

// GoString hides the secret key from %#v.
func (v *BuckarooVerifier) GoString() string { return v.String() }
