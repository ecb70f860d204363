package main

import (
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/betaalkit/betaalkit/signing"
)

func init() {
	register("sign ideal2", runSignIdeal2)
	register("verify ideal2-response", runVerifyIdeal2Response)
}

// runSignIdeal2 prints the headers the iDEAL 2.0 signer would set for a PIS
// request whose exact body is read from stdin (empty for a GET).
func runSignIdeal2(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sign ideal2", flag.ContinueOnError)
	keyFile := fs.String("key", "", "merchant RSA private key, PEM (required)")
	certFile := fs.String("cert", "", "merchant certificate, PEM; its SHA-1 is the keyId (required)")
	method := fs.String("method", "POST", "HTTP method")
	path := fs.String("path", "", "request path as sent, e.g. /xs2a/routingservice/services/ob/pis/v3/payments (a full URL is accepted) (required)")
	requestID := fs.String("request-id", "", "X-Request-ID (default: a random UUID)")
	date := fs.String("date", "", "MessageCreateDateTime, e.g. 2023-12-29T16:38:45.770Z, used as given (default: now)")
	explain := fs.Bool("explain", false, "also print the signing string to stderr")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: betaalkit sign ideal2 --key FILE --cert FILE --path P [--method M] [--request-id ID] [--date D] < body")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stdout, stderr, "key", "cert", "path"); !ok {
		return code
	}
	if err := checkMethod("method", *method); err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	target := *path
	if u, err := url.Parse(target); err == nil && u.Scheme != "" {
		target = u.RequestURI()
	}
	if !strings.HasPrefix(target, "/") {
		return fail(stderr, "--path %q must start with /", *path)
	}
	keyPEM, err := os.ReadFile(*keyFile)
	if err != nil {
		return fail(stderr, "read key: %v", err)
	}
	key, err := signing.ParseIDEAL2PrivateKey(keyPEM)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	cert, err := readIdeal2Cert(*certFile)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return fail(stderr, "the key does not belong to the certificate %s", *certFile)
	}
	body, err := readStdin(stdin)
	if err != nil {
		return fail(stderr, "read body: %v", err)
	}
	h := http.Header{}
	h.Set("X-Request-ID", *requestID)
	if *requestID == "" {
		h.Set("X-Request-ID", signing.IDEAL2RequestID())
	}
	h.Set("MessageCreateDateTime", *date)
	if *date == "" {
		h.Set("MessageCreateDateTime", time.Now().UTC().Format(signing.IDEAL2TimeFormat))
	}
	h.Set("Digest", signing.IDEAL2Digest(body))
	ss, err := signing.IDEAL2SigningString(signing.IDEAL2RequestHeaders, *method, target, h)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	sig, err := signing.IDEAL2Sign(key, ss)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	if *explain {
		fmt.Fprintf(stderr, "signing string:\n%s\n", ss)
	}
	p := signing.IDEAL2SignatureParams{KeyID: signing.IDEAL2KeyID(cert), Algorithm: signing.IDEAL2Algorithm,
		Headers: signing.IDEAL2RequestHeaders, Signature: sig}
	fmt.Fprintln(stdout, "X-Request-ID: "+h.Get("X-Request-ID"))
	fmt.Fprintln(stdout, "MessageCreateDateTime: "+h.Get("MessageCreateDateTime"))
	fmt.Fprintln(stdout, "Digest: "+h.Get("Digest"))
	fmt.Fprintln(stdout, "Signature: "+p.String())
	return 0
}

// headerFlags collects repeated --header 'Name: value' flags.
type headerFlags struct{ h http.Header }

func (f *headerFlags) String() string { return "" }

func (f *headerFlags) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("want 'Name: value', got %q", s)
	}
	f.h.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	return nil
}

// runVerifyIdeal2Response exits 0 only if a routing-service response (its
// headers given as flags, its exact body on stdin) verifies.
func runVerifyIdeal2Response(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify ideal2-response", flag.ContinueOnError)
	certFile := fs.String("cert", "", "the routing service's response-signing certificate, PEM (required)")
	headers := &headerFlags{h: http.Header{}}
	fs.Var(headers, "header", "a response header, 'Name: value' (repeat; Digest, Signature and the headers it signs)")
	now := fs.String("now", "", "the time to check certificate validity at, RFC 3339 (default: now), to check captured responses later")
	ignoreValidity := fs.Bool("ignore-validity", false, "accept a certificate outside its validity period")
	explain := fs.Bool("explain", false, "print the signing string and each check to stderr")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: betaalkit verify ideal2-response --cert FILE --header 'Digest: …' --header 'Signature: …' … [--now TIME] < body")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stdout, stderr, "cert"); !ok {
		return code
	}
	if len(headers.h) == 0 {
		return usageError(fs, stderr, "missing required flag --header (the response's Digest and Signature)")
	}
	cert, err := readIdeal2Cert(*certFile)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	v, err := signing.NewIDEAL2Verifier(cert)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	v.IgnoreValidity = *ignoreValidity
	if *now != "" {
		ts, err := time.Parse(time.RFC3339Nano, *now)
		if err != nil {
			return fail(stderr, "--now %q is not an RFC 3339 time", *now)
		}
		v.Clock = func() time.Time { return ts }
	}
	body, err := readStdin(stdin)
	if err != nil {
		return fail(stderr, "read body: %v", err)
	}
	if *explain {
		explainIdeal2(stderr, v, headers.h, body)
	}
	if err := v.Verify(headers.h, body); err != nil {
		return fail(stderr, "%v", err)
	}
	fmt.Fprintln(stdout, "ok: Digest matches the body and the Signature verifies with keyId "+strings.ToUpper(v.KeyID()))
	return 0
}

func explainIdeal2(w io.Writer, v *signing.IDEAL2Verifier, h http.Header, body []byte) {
	fmt.Fprintf(w, "body digest:   %s\nDigest header: %s\n", signing.IDEAL2Digest(body), h.Get("Digest"))
	if p, err := signing.ParseIDEAL2Signature(h.Get("Signature")); err == nil {
		if ss, err := signing.IDEAL2SigningString(p.Headers, "", "", h); err == nil {
			fmt.Fprintf(w, "signing string:\n%s\n", ss)
		}
	}
	sigErr := v.VerifyHeaders(h)
	fmt.Fprintf(w, "signature over the headers: %s\n", okOr(sigErr))
}

func okOr(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

func readIdeal2Cert(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read certificate: %w", err)
	}
	c, err := signing.ParseIDEAL2Certificate(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}
