package signing

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"time"
)

// iDEAL 2.0 (Worldline routing service) signs with draft-cavage HTTP
// signatures: every line of the signing string is the lower-cased header
// name, ": " and the exact value sent; "(request-target)" is the lower-cased
// method, a space and the path as sent. RSASSA-PKCS1-v1_5 over SHA-256.

// IDEAL2RequestHeaders are the headers every PIS request signs, in order.
var IDEAL2RequestHeaders = []string{"x-request-id", "(request-target)", "digest", "messagecreatedatetime"}

// IDEAL2TokenHeaders are the headers the access-token request signs, in order.
var IDEAL2TokenHeaders = []string{"app", "client", "id", "date"}

// IDEAL2Algorithm is the algorithm name requests carry; responses say
// "rsa-sha256" for the same scheme.
const IDEAL2Algorithm = "SHA256withRSA"

// IDEAL2TimeFormat is the layout of MessageCreateDateTime: UTC, milliseconds.
const IDEAL2TimeFormat = "2006-01-02T15:04:05.000Z"

const ideal2RequestTarget = "(request-target)"

// Errors of iDEAL 2.0 verification; a failed check wraps one of these (or
// ErrSignatureMismatch / ErrStale) in an *IDEAL2VerifyError.
var (
	ErrIDEAL2Unsigned       error = verificationError("signing: ideal2: message carries no Signature header")
	ErrIDEAL2DigestMismatch error = verificationError("signing: ideal2: Digest does not match the body")
	ErrIDEAL2KeyID          error = verificationError("signing: ideal2: keyId is not the configured certificate")
	ErrIDEAL2Certificate    error = verificationError("signing: ideal2: certificate is not valid at this time")
	ErrIDEAL2Malformed      error = verificationError("signing: ideal2: malformed Signature header")
)

// IDEAL2Digest returns the Digest header value for body: "SHA-256=" and the
// base64 SHA-256 of the exact bytes (nil gives the empty-body digest).
func IDEAL2Digest(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}

// ideal2DigestMatches reports whether digest is IDEAL2Digest(body), in
// constant time and without building the expected value as a string.
func ideal2DigestMatches(body []byte, digest string) bool {
	const prefix = "SHA-256="
	sum := sha256.Sum256(body)
	var want [len(prefix) + 44]byte // 44: base64 of 32 bytes
	copy(want[:], prefix)
	base64.StdEncoding.Encode(want[len(prefix):], sum[:])
	if len(digest) != len(want) {
		return false
	}
	var diff byte
	for i := range want {
		diff |= want[i] ^ digest[i]
	}
	return diff == 0
}

// IDEAL2KeyID returns the keyId for a certificate: the SHA-1 of its DER
// bytes in lower-case hex. Comparisons ignore case (responses use upper case).
func IDEAL2KeyID(cert *x509.Certificate) string {
	sum := sha1.Sum(cert.Raw)
	return hex.EncodeToString(sum[:])
}

// IDEAL2SigningString builds the string to sign for the named headers.
// method and target are only used for "(request-target)"; target is the
// path (and query) as sent, without scheme and host. A named header that is
// absent is an error: signing or verifying around it would be meaningless.
func IDEAL2SigningString(names []string, method, target string, header http.Header) (string, error) {
	b, err := appendIDEAL2SigningString(nil, names, method, target, header)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// appendIDEAL2SigningString appends IDEAL2SigningString's string to dst
// (a verifier hashes it from a buffer on its stack).
func appendIDEAL2SigningString(dst []byte, names []string, method, target string, header http.Header) ([]byte, error) {
	if len(names) == 0 {
		return dst, fmt.Errorf("%w: no headers to sign", ErrIDEAL2Malformed)
	}
	for i, name := range names {
		name = strings.ToLower(name)
		if i > 0 {
			dst = append(dst, '\n')
		}
		if name == ideal2RequestTarget {
			if method == "" || target == "" {
				return dst, fmt.Errorf("%w: (request-target) needs the method and path", ErrIDEAL2Malformed)
			}
			dst = append(dst, ideal2RequestTarget+": "...)
			for j := 0; j < len(method); j++ {
				c := method[j]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				dst = append(dst, c)
			}
			dst = append(dst, ' ')
			dst = append(dst, target...)
			continue
		}
		values := header[ideal2CanonicalKey(name)]
		if len(values) == 0 {
			return dst, fmt.Errorf("%w: signed header %q is missing", ErrIDEAL2Malformed, name)
		}
		dst = append(dst, name...)
		dst = append(dst, ": "...)
		for j, v := range values {
			if j > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(dst, v...)
		}
	}
	return dst, nil
}

// ideal2CanonicalKey is textproto.CanonicalMIMEHeaderKey(name), without
// building a new string for the lower-case names iDEAL 2.0 signs.
func ideal2CanonicalKey(name string) string {
	switch name {
	case "x-request-id":
		return "X-Request-Id"
	case "digest":
		return "Digest"
	case "messagecreatedatetime":
		return "Messagecreatedatetime"
	case "app":
		return "App"
	case "client":
		return "Client"
	case "id":
		return "Id"
	case "date":
		return "Date"
	}
	return textproto.CanonicalMIMEHeaderKey(name)
}

// IDEAL2Sign signs a signing string with RSASSA-PKCS1-v1_5 over SHA-256 and
// returns standard base64. The scheme is deterministic: the same key and
// string always give the same signature.
func IDEAL2Sign(key crypto.Signer, signingString string) (string, error) {
	if key == nil {
		return "", ErrMissingCredentials
	}
	if _, ok := key.Public().(*rsa.PublicKey); !ok {
		return "", errors.New("signing: ideal2: the merchant key must be RSA")
	}
	sum := sha256.Sum256([]byte(signingString))
	sig, err := key.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("signing: ideal2: sign: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// IDEAL2SignatureParams are the parameters of a Signature header (or of an
// "Authorization: Signature …" header).
type IDEAL2SignatureParams struct {
	KeyID     string
	Algorithm string
	Headers   []string
	Signature string // base64
}

// String formats the header value in the order the routing service uses:
// keyId, algorithm, headers, signature.
func (p IDEAL2SignatureParams) String() string {
	headers := strings.Join(p.Headers, " ")
	if !ideal2PlainQuote(p.KeyID) || !ideal2PlainQuote(p.Algorithm) || !ideal2PlainQuote(headers) || !ideal2PlainQuote(p.Signature) {
		return fmt.Sprintf(`keyId=%q,algorithm=%q,headers=%q,signature=%q`, p.KeyID, p.Algorithm, headers, p.Signature)
	}
	// What %q gives for such values, without fmt's cost.
	var b strings.Builder
	b.Grow(len(`keyId="",algorithm="",headers="",signature=""`) + len(p.KeyID) + len(p.Algorithm) + len(headers) + len(p.Signature))
	b.WriteString(`keyId="`)
	b.WriteString(p.KeyID)
	b.WriteString(`",algorithm="`)
	b.WriteString(p.Algorithm)
	b.WriteString(`",headers="`)
	b.WriteString(headers)
	b.WriteString(`",signature="`)
	b.WriteString(p.Signature)
	b.WriteByte('"')
	return b.String()
}

// ideal2PlainQuote reports whether strconv.Quote(s) is s between double
// quotes: every byte printable ASCII, and none a double quote or a backslash.
func ideal2PlainQuote(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// ParseIDEAL2Signature parses a Signature header value such as
// keyId="…",algorithm="rsa-sha256",headers="a b c",signature="…", or the
// same after the "Signature" auth-scheme of an Authorization header (the
// token request's form; the scheme name is case-insensitive, as HTTP's
// are). It parses exactly what draft-cavage-http-signatures-12 defines and
// iDEAL 2.0 uses, and refuses the rest (ErrIDEAL2Malformed):
//
//   - the parameters keyId, algorithm, headers and signature, each once,
//     spelled exactly so (parameter names are case-sensitive), each a
//     quoted string without escapes; created and expires, which iDEAL 2.0
//     does not use, and any other parameter are refused rather than
//     ignored, so that a misspelt algorithm is not taken for an absent one;
//   - all four present: iDEAL 2.0 always sends them, and the draft's
//     defaults would only hide a parameter lost on the way;
//   - headers: lower-case header names, one space apart, none twice, and
//     no pseudo-header but (request-target);
//   - the parameters separated by a comma, with optional white space around
//     the comma and the equals sign (RFC 7235 auth-params).
//
// Which keyId and algorithm are acceptable is the verifier's decision.
func ParseIDEAL2Signature(value string) (IDEAL2SignatureParams, error) {
	s := strings.TrimSpace(value)
	if rest, ok := ideal2CutPrefixFold(s, "Signature "); ok {
		s = rest
	}
	return parseIDEAL2Params(s)
}

// ideal2Params are the parameters a Signature header must carry.
var ideal2Params = []string{"keyId", "algorithm", "headers", "signature"}

func parseIDEAL2Params(s string) (IDEAL2SignatureParams, error) {
	var p IDEAL2SignatureParams
	s = trimOWS(s)
	seen := map[string]bool{}
	for s != "" {
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return p, fmt.Errorf("%w: expected name=\"value\"", ErrIDEAL2Malformed)
		}
		name := strings.TrimRight(s[:eq], " \t")
		s = strings.TrimLeft(s[eq+1:], " \t")
		if !slices.Contains(ideal2Params, name) {
			return p, fmt.Errorf("%w: unknown parameter %q (want keyId, algorithm, headers, signature)", ErrIDEAL2Malformed, clipParam(name))
		}
		if !strings.HasPrefix(s, `"`) {
			return p, fmt.Errorf("%w: value of %s is not quoted", ErrIDEAL2Malformed, name)
		}
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return p, fmt.Errorf("%w: value of %s is not closed", ErrIDEAL2Malformed, name)
		}
		val := s[1 : 1+end]
		for i := 0; i < len(val); i++ {
			if c := val[i]; c < 0x20 || c > 0x7e || c == '\\' {
				return p, fmt.Errorf("%w: value of %s holds an escape or a character that is not printable ASCII", ErrIDEAL2Malformed, name)
			}
		}
		s = trimOWS(s[end+2:])
		if s != "" {
			if s[0] != ',' {
				return p, fmt.Errorf("%w: expected a comma after %s", ErrIDEAL2Malformed, name)
			}
			s = trimOWS(s[1:])
			if s == "" {
				return p, fmt.Errorf("%w: trailing comma", ErrIDEAL2Malformed)
			}
		}
		if seen[name] {
			return p, fmt.Errorf("%w: %s appears twice", ErrIDEAL2Malformed, name)
		}
		seen[name] = true
		switch name {
		case "keyId":
			p.KeyID = val
		case "algorithm":
			p.Algorithm = val
		case "headers":
			hs, err := parseIDEAL2Headers(val)
			if err != nil {
				return p, err
			}
			p.Headers = hs
		case "signature":
			p.Signature = val
		}
	}
	for _, name := range ideal2Params {
		if !seen[name] {
			return p, fmt.Errorf("%w: %s is missing", ErrIDEAL2Malformed, name)
		}
	}
	if p.KeyID == "" || p.Algorithm == "" || p.Signature == "" {
		return p, fmt.Errorf("%w: keyId, algorithm and signature must not be empty", ErrIDEAL2Malformed)
	}
	return p, nil
}

// parseIDEAL2Headers splits the headers parameter: lower-case names, one
// space apart, none twice; (request-target) is the only pseudo-header.
func parseIDEAL2Headers(val string) ([]string, error) {
	if val == "" {
		return nil, fmt.Errorf("%w: headers is empty", ErrIDEAL2Malformed)
	}
	names := strings.Split(val, " ")
	for i, name := range names {
		switch {
		case name == "":
			return nil, fmt.Errorf("%w: headers must be names one space apart", ErrIDEAL2Malformed)
		case name == ideal2RequestTarget:
		case !ideal2HeaderName(name):
			return nil, fmt.Errorf("%w: headers: %q is not a lower-case header name", ErrIDEAL2Malformed, clipParam(name))
		}
		if slices.Contains(names[:i], name) {
			return nil, fmt.Errorf("%w: headers names %s twice", ErrIDEAL2Malformed, name)
		}
	}
	return names, nil
}

// ideal2HeaderName reports a lower-case HTTP header name (an RFC 9110
// token without upper-case letters).
func ideal2HeaderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return s != ""
}

func trimOWS(s string) string { return strings.Trim(s, " \t") }

// clipParam keeps an error message short whatever a header holds.
func clipParam(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func ideal2CutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// ParseIDEAL2PrivateKey reads an RSA private key from PEM (PKCS#8 or PKCS#1).
func ParseIDEAL2PrivateKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("signing: ideal2: no PEM block in the key")
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("signing: ideal2: the merchant key must be RSA")
		}
		return rk, nil
	}
	k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		// The parse error names no key material, but keep it generic anyway.
		return nil, errors.New("signing: ideal2: the key is neither PKCS#8 nor PKCS#1 RSA")
	}
	return k, nil
}

// ParseIDEAL2Certificate reads the first certificate from PEM.
func ParseIDEAL2Certificate(pemBytes []byte) (*x509.Certificate, error) {
	for {
		var block *pem.Block
		block, pemBytes = pem.Decode(pemBytes)
		if block == nil {
			return nil, errors.New("signing: ideal2: no CERTIFICATE PEM block")
		}
		if block.Type == "CERTIFICATE" {
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("signing: ideal2: parse certificate: %w", err)
			}
			return cert, nil
		}
	}
}

// IDEAL2SignTokenRequest signs an access-token request in place: it reads
// the App, Client, Id and Date headers already set on req and sets
// "Authorization: Signature …". The caller owns req (the token source builds
// it), so changing it is fine.
func IDEAL2SignTokenRequest(req *http.Request, key crypto.Signer, keyID string) error {
	ss, err := IDEAL2SigningString(IDEAL2TokenHeaders, "", "", req.Header)
	if err != nil {
		return err
	}
	sig, err := IDEAL2Sign(key, ss)
	if err != nil {
		return err
	}
	p := IDEAL2SignatureParams{KeyID: keyID, Algorithm: IDEAL2Algorithm, Headers: IDEAL2TokenHeaders, Signature: sig}
	req.Header.Set("Authorization", "Signature "+p.String())
	return nil
}

// IDEAL2SignerConfig configures the PIS request signer.
type IDEAL2SignerConfig struct {
	// Key is the merchant's RSA private key; Certificate the matching
	// certificate, whose SHA-1 is the keyId. Both are required.
	Key         crypto.Signer
	Certificate *x509.Certificate
	// Token returns the current access token (sent as Bearer). Required.
	Token func(ctx context.Context) (string, error)
	// Verifier checks every response's Digest and Signature. Nil turns
	// response verification off; the client makes that an explicit choice.
	Verifier *IDEAL2Verifier
	// ResponseTolerance bounds how far a verified response's signed
	// MessageCreateDateTime may lie before the request's own, or after the
	// clock when it arrives (zero: DefaultIDEAL2ResponseTolerance). It binds
	// an answer to its request: an older, validly signed answer served
	// again later is refused (ErrStale), not taken for the current one.
	ResponseTolerance time.Duration
	// Clock sets MessageCreateDateTime (tests inject a fixed one).
	Clock Clock
	// RequestID returns the X-Request-ID (default: a random UUID).
	RequestID func() string
	// Base sends the signed request (nil: http.DefaultTransport).
	Base http.RoundTripper
}

// DefaultIDEAL2ResponseTolerance is the default ResponseTolerance: room for
// the clocks of merchant and routing service to differ, as the routing
// service allows a request's MessageCreateDateTime.
const DefaultIDEAL2ResponseTolerance = 5 * time.Minute

// IDEAL2Signer is the http.RoundTripper for the PIS API: it sets
// X-Request-ID, MessageCreateDateTime, Digest, Authorization and Signature on
// a clone of every request and, when configured, verifies the response
// before anyone reads it.
type IDEAL2Signer struct {
	cfg   IDEAL2SignerConfig
	keyID string
}

// NewIDEAL2Signer checks the configuration and returns the signer.
func NewIDEAL2Signer(cfg IDEAL2SignerConfig) (*IDEAL2Signer, error) {
	if cfg.Key == nil || cfg.Certificate == nil || cfg.Token == nil {
		return nil, ErrMissingCredentials
	}
	if _, ok := cfg.Key.Public().(*rsa.PublicKey); !ok {
		return nil, errors.New("signing: ideal2: the merchant key must be RSA")
	}
	if !ideal2PublicKeysEqual(cfg.Key.Public(), cfg.Certificate.PublicKey) {
		return nil, errors.New("signing: ideal2: the merchant key does not match the merchant certificate")
	}
	if cfg.RequestID == nil {
		cfg.RequestID = IDEAL2RequestID
	}
	return &IDEAL2Signer{cfg: cfg, keyID: IDEAL2KeyID(cfg.Certificate)}, nil
}

func ideal2PublicKeysEqual(a, b crypto.PublicKey) bool {
	ak, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ak.Equal(b)
}

// RoundTrip signs a clone of req, sends it and verifies the response.
func (s *IDEAL2Signer) RoundTrip(req *http.Request) (*http.Response, error) {
	out, err := s.Sign(req)
	// The clone carries its own copy of the body; the caller's is closed
	// here, as the RoundTripper contract asks, even on error.
	if req.Body != nil {
		_ = req.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	resp, err := transport(s.cfg.Base).RoundTrip(out)
	if err != nil || s.cfg.Verifier == nil {
		return resp, err
	}
	p, err := s.cfg.Verifier.verifyResponse(resp)
	if err != nil {
		return nil, err
	}
	if err := s.checkResponseTime(resp, p, out.Header.Get("MessageCreateDateTime")); err != nil {
		_ = resp.Body.Close()
		return nil, &IDEAL2VerifyError{StatusCode: resp.StatusCode, Err: err}
	}
	return resp, nil
}

// checkResponseTime binds a verified response to the request it answers:
// its signed MessageCreateDateTime must lie no more than the tolerance
// before the request's (sent, as the signer wrote it) nor after the clock
// now. A success must sign its time; a signed error answer is checked when
// it does, and an unsigned one (p zero) passes, to become an error anyway.
func (s *IDEAL2Signer) checkResponseTime(resp *http.Response, p IDEAL2SignatureParams, sent string) error {
	if p.Signature == "" {
		return nil
	}
	if !slices.Contains(p.Headers, "messagecreatedatetime") {
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return fmt.Errorf("%w: the answer's signature does not cover MessageCreateDateTime", ErrIDEAL2Malformed)
		}
		return nil
	}
	signedAt, err := time.Parse(time.RFC3339Nano, resp.Header.Get("MessageCreateDateTime"))
	if err != nil {
		return fmt.Errorf("%w: the answer's MessageCreateDateTime is not a time", ErrIDEAL2Malformed)
	}
	sentAt, err := time.Parse(time.RFC3339Nano, sent)
	if err != nil {
		return fmt.Errorf("%w: the request's MessageCreateDateTime is not a time", ErrIDEAL2Malformed)
	}
	tolerance := s.cfg.ResponseTolerance
	if tolerance <= 0 {
		tolerance = DefaultIDEAL2ResponseTolerance
	}
	now := s.cfg.Clock.now()
	if signedAt.Before(sentAt.Add(-tolerance)) || signedAt.After(now.Add(tolerance)) {
		return fmt.Errorf("%w: the answer was signed at %s, the request sent at %s (tolerance %s): not an answer to this request",
			ErrStale, signedAt.UTC().Format(IDEAL2TimeFormat), sentAt.UTC().Format(IDEAL2TimeFormat), tolerance)
	}
	return nil
}

// Sign returns a signed clone of req carrying the exact body bytes signed.
func (s *IDEAL2Signer) Sign(req *http.Request) (*http.Request, error) {
	body, err := ReadBody(req)
	if err != nil {
		return nil, err
	}
	token, err := s.cfg.Token(req.Context())
	if err != nil {
		return nil, fmt.Errorf("signing: ideal2: access token: %w", err)
	}
	out := CloneWithBody(req, body)
	// Header.Set with the keys already canonical (X-Request-ID is stored
	// as X-Request-Id either way), saving their canonicalisation.
	out.Header["X-Request-Id"] = []string{s.cfg.RequestID()}
	out.Header["Messagecreatedatetime"] = []string{s.cfg.Clock.now().UTC().Format(IDEAL2TimeFormat)}
	out.Header["Digest"] = []string{IDEAL2Digest(body)}
	out.Header["Authorization"] = []string{"Bearer " + token}
	ss, err := IDEAL2SigningString(IDEAL2RequestHeaders, out.Method, out.URL.RequestURI(), out.Header)
	if err != nil {
		return nil, err
	}
	sig, err := IDEAL2Sign(s.cfg.Key, ss)
	if err != nil {
		return nil, err
	}
	p := IDEAL2SignatureParams{KeyID: s.keyID, Algorithm: IDEAL2Algorithm, Headers: IDEAL2RequestHeaders, Signature: sig}
	out.Header["Signature"] = []string{p.String()}
	return out, nil
}

// String keeps the key and token out of logs.
func (s *IDEAL2Signer) String() string {
	return "signing.IDEAL2Signer{keyId: " + s.keyID + ", key: [redacted]}"
}

// GoString keeps the key out of %#v.
func (s *IDEAL2Signer) GoString() string { return s.String() }

// IDEAL2Verifier checks the Digest and Signature the routing service puts on
// its responses and notifications. Set its fields before first use; it is
// then safe for concurrent use.
type IDEAL2Verifier struct {
	cert       *x509.Certificate
	pub        *rsa.PublicKey
	keyID      string
	keyIDUpper string // the routing service's spelling
	// Clock decides certificate validity (and freshness, if MaxAge is set).
	Clock Clock
	// IgnoreValidity skips the certificate's NotBefore/NotAfter check; the
	// validity period is a policy choice, not part of the signature.
	IgnoreValidity bool
	// MaxAge, when set, rejects a message whose MessageCreateDateTime is
	// further than MaxAge from the clock (either way).
	MaxAge time.Duration
}

// NewIDEAL2Verifier builds a verifier for the routing service's certificate.
func NewIDEAL2Verifier(cert *x509.Certificate) (*IDEAL2Verifier, error) {
	if cert == nil {
		return nil, errors.New("signing: ideal2: no server certificate")
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("signing: ideal2: the server certificate's key is not RSA")
	}
	keyID := IDEAL2KeyID(cert)
	return &IDEAL2Verifier{cert: cert, pub: pub, keyID: keyID, keyIDUpper: strings.ToUpper(keyID)}, nil
}

// KeyID returns the keyId the verifier expects (lower-case hex).
func (v *IDEAL2Verifier) KeyID() string { return v.keyID }

// IDEAL2VerifyError reports a message that failed verification. Its body
// must not be trusted; errors.Is finds the reason (ErrSignatureMismatch,
// ErrIDEAL2DigestMismatch, ErrIDEAL2Unsigned, …).
type IDEAL2VerifyError struct {
	// StatusCode is the HTTP status of a failed response (0 for a request).
	StatusCode int
	Err        error
}

func (e *IDEAL2VerifyError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("ideal2: response (HTTP %d) failed verification: %v", e.StatusCode, e.Err)
	}
	return fmt.Sprintf("ideal2: message failed verification: %v", e.Err)
}

func (e *IDEAL2VerifyError) Unwrap() error { return e.Err }

// Verify checks a response's headers and exact body bytes.
func (v *IDEAL2Verifier) Verify(header http.Header, body []byte) error {
	if _, err := v.verify("", "", header, body); err != nil {
		return &IDEAL2VerifyError{Err: err}
	}
	return nil
}

// VerifyRequest checks a signed request the routing service sent (a status
// notification); body is its exact bytes. (request-target) is supported.
func (v *IDEAL2Verifier) VerifyRequest(r *http.Request, body []byte) error {
	if _, err := v.verify(r.Method, r.URL.RequestURI(), r.Header, body); err != nil {
		return &IDEAL2VerifyError{Err: err}
	}
	return nil
}

// VerifyResponse reads resp's body, verifies it and, on success, puts the
// exact bytes back for the caller. On failure the body is closed and
// discarded. A successful (2xx) response must be signed; an error response
// is checked when it carries a Signature and passed through unsigned
// otherwise, since acquirers' gateways answer some errors themselves — the
// client turns it into an error either way, never into data.
func (v *IDEAL2Verifier) VerifyResponse(resp *http.Response) error {
	_, err := v.verifyResponse(resp)
	return err
}

// verifyResponse is VerifyResponse, returning the verified signature's
// parameters (zero for an unsigned error answer passed through).
func (v *IDEAL2Verifier) verifyResponse(resp *http.Response) (IDEAL2SignatureParams, error) {
	var p IDEAL2SignatureParams
	const maxBody = 16 << 20
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	_ = resp.Body.Close()
	if err != nil {
		return p, fmt.Errorf("ideal2: read response (HTTP %d): %w", resp.StatusCode, err)
	}
	if len(body) > maxBody {
		return p, &IDEAL2VerifyError{StatusCode: resp.StatusCode, Err: errors.New("response body too large to verify")}
	}
	ok2xx := resp.StatusCode >= 200 && resp.StatusCode < 300
	if ok2xx || len(resp.Header.Values("Signature")) > 0 {
		if p, err = v.verify("", "", resp.Header, body); err != nil {
			return p, &IDEAL2VerifyError{StatusCode: resp.StatusCode, Err: err}
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return p, nil
}

func (v *IDEAL2Verifier) verify(method, target string, header http.Header, body []byte) (IDEAL2SignatureParams, error) {
	p, err := v.verifySignature(method, target, header)
	if err != nil {
		return p, err
	}
	// The Digest binds the body; a signature that does not cover it would
	// leave the body unprotected.
	if !slices.Contains(p.Headers, "digest") {
		return p, fmt.Errorf("%w: the signature does not cover the Digest", ErrIDEAL2Malformed)
	}
	if !ideal2DigestMatches(body, header.Get("Digest")) {
		return p, ErrIDEAL2DigestMismatch
	}
	return p, nil
}

// VerifyHeaders checks only the Signature over the headers it names (and
// the certificate policy), not the body against the Digest. Use it to
// debug; Verify is the check that makes a body trustworthy.
func (v *IDEAL2Verifier) VerifyHeaders(header http.Header) error {
	if _, err := v.verifySignature("", "", header); err != nil {
		return &IDEAL2VerifyError{Err: err}
	}
	return nil
}

func (v *IDEAL2Verifier) verifySignature(method, target string, header http.Header) (IDEAL2SignatureParams, error) {
	values := header.Values("Signature")
	switch {
	case len(values) == 0 || values[0] == "":
		return IDEAL2SignatureParams{}, ErrIDEAL2Unsigned
	case len(values) > 1:
		return IDEAL2SignatureParams{}, fmt.Errorf("%w: %d Signature headers", ErrIDEAL2Malformed, len(values))
	}
	// The Signature header carries the parameters alone; the "Signature"
	// auth-scheme belongs to the Authorization form.
	p, err := parseIDEAL2Params(values[0])
	if err != nil {
		return p, err
	}
	// The keyId is the certificate's SHA-1 in hex: the routing service
	// writes it in upper case, merchants in lower case; a mix of the two
	// is no form anyone sends.
	if p.KeyID != v.keyID && p.KeyID != v.keyIDUpper {
		return p, fmt.Errorf("%w: got %s, want %s (in lower or upper case)", ErrIDEAL2KeyID, clipParam(p.KeyID), v.keyID)
	}
	// Responses say rsa-sha256, requests SHA256withRSA: the same scheme,
	// spelled exactly so.
	switch p.Algorithm {
	case "rsa-sha256", IDEAL2Algorithm:
	default:
		return p, fmt.Errorf("%w: algorithm %q is not supported (want rsa-sha256 or %s)", ErrIDEAL2Malformed, clipParam(p.Algorithm), IDEAL2Algorithm)
	}
	// A signed header sent twice would be signed as both values joined,
	// and checked as the first: refuse the ambiguity.
	for _, name := range p.Headers {
		if name != ideal2RequestTarget && len(header[ideal2CanonicalKey(name)]) > 1 {
			return p, fmt.Errorf("%w: signed header %s appears more than once", ErrIDEAL2Malformed, name)
		}
	}
	now := v.Clock.now()
	if !v.IgnoreValidity && (now.Before(v.cert.NotBefore) || now.After(v.cert.NotAfter)) {
		return p, fmt.Errorf("%w: valid %s to %s, now %s", ErrIDEAL2Certificate,
			v.cert.NotBefore.UTC().Format(time.RFC3339), v.cert.NotAfter.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	// The signing string and the signature are built on the stack (when
	// they fit, as they do for the headers iDEAL 2.0 signs and keys up to
	// 8192 bits): verification then costs what RSA costs.
	var ssBuf [1024]byte
	ss, err := appendIDEAL2SigningString(ssBuf[:0], p.Headers, method, target, header)
	if err != nil {
		return p, err
	}
	var sigBuf [1024]byte
	sig := sigBuf[:0]
	if n := base64.StdEncoding.DecodedLen(len(p.Signature)); n > len(sigBuf) {
		sig = make([]byte, 0, n)
	}
	// Strict: a signature with altered padding bits is a different text and must not pass.
	sig, err = base64.StdEncoding.Strict().AppendDecode(sig, []byte(p.Signature))
	if err != nil {
		return p, fmt.Errorf("%w: signature is not base64", ErrIDEAL2Malformed)
	}
	sum := sha256.Sum256(ss)
	if err := rsa.VerifyPKCS1v15(v.pub, crypto.SHA256, sum[:], sig); err != nil {
		return p, ErrSignatureMismatch
	}
	if v.MaxAge > 0 {
		// An unsigned time could be set to anything, defeating the check.
		if !slices.Contains(p.Headers, "messagecreatedatetime") {
			return p, fmt.Errorf("%w: the signature does not cover MessageCreateDateTime", ErrIDEAL2Malformed)
		}
		ts, err := time.Parse(time.RFC3339Nano, header.Get("MessageCreateDateTime"))
		if err != nil {
			return p, fmt.Errorf("%w: MessageCreateDateTime is not a time", ErrIDEAL2Malformed)
		}
		if err := checkFresh(ts, now, v.MaxAge); err != nil {
			return p, err
		}
	}
	return p, nil
}

func ideal2ContainsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// IDEAL2RequestID returns a random (version 4) UUID, the default X-Request-ID.
func IDEAL2RequestID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("signing: crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
