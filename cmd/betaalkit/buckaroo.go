package main

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/signing"
)

// buckarooSecretEnv lets the secret stay out of the shell history and ps.
const buckarooSecretEnv = "BUCKAROO_SECRET_KEY"

func init() {
	register("sign buckaroo", runSignBuckaroo)
	register("verify buckaroo-push", runVerifyBuckarooPush)
}

// runSignBuckaroo prints the Authorization header for a request whose body
// is read from stdin, exactly (use printf or `echo -n`: a trailing newline
// is part of the body).
func runSignBuckaroo(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sign buckaroo", flag.ContinueOnError)
	websiteKey := fs.String("website-key", "", "Buckaroo website key (required)")
	secret := fs.String("secret", "", "secret key (or set "+buckarooSecretEnv+")")
	method := fs.String("method", "POST", "HTTP method")
	rawURL := fs.String("url", "", "full request URL exactly as sent, e.g. https://testcheckout.buckaroo.nl/json/Transaction (required)")
	nonce := fs.String("nonce", "", "nonce (default: random)")
	timestamp := fs.String("timestamp", "", "unix seconds (default: now)")
	explain := fs.Bool("explain", false, "also print the signed parts (uri, content hash) to stderr")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: betaalkit sign buckaroo --website-key K --secret S --url U [--method M] [--nonce N] [--timestamp T] < body")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stdout, stderr, "website-key", "url"); !ok {
		return code
	}
	key, code := flagOrEnv(fs, stderr, "secret", *secret, buckarooSecretEnv)
	if key == "" {
		return code
	}
	if err := checkURL("url", *rawURL); err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	if err := checkMethod("method", *method); err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	ts := time.Now().Unix()
	if *timestamp != "" {
		v, err := strconv.ParseInt(*timestamp, 10, 64)
		if err != nil {
			return fail(stderr, "--timestamp %q is not unix seconds", *timestamp)
		}
		ts = v
	}
	n := *nonce
	if n == "" {
		var err error
		if n, err = randomHexNonce(); err != nil {
			return fail(stderr, "%v", err)
		}
	}
	body, err := readStdin(stdin)
	if err != nil {
		return fail(stderr, "read body: %v", err)
	}
	header, err := signing.BuckarooAuthorization(*websiteKey, key, *method, *rawURL, n, ts, body)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	if *explain {
		explainBuckaroo(stderr, *method, *rawURL, body)
	}
	fmt.Fprintln(stdout, header)
	return 0
}

// runVerifyBuckarooPush exits 0 only if the push body on stdin verifies
// against the Authorization header, the keys and the push URL; with
// --form, only if the classic form push on stdin verifies against its
// brq_signature and the keys.
func runVerifyBuckarooPush(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify buckaroo-push", flag.ContinueOnError)
	websiteKey := fs.String("website-key", "", "Buckaroo website key (required)")
	secret := fs.String("secret", "", "secret key (or set "+buckarooSecretEnv+")")
	rawURL := fs.String("url", "", "the push URL exactly as given to Buckaroo (required, except with --form)")
	header := fs.String("header", "", "the push's Authorization header value (required, except with --form)")
	form := fs.Bool("form", false, "the body is a classic HTTP push (brq_ fields, application/x-www-form-urlencoded) signed with brq_signature")
	now := fs.String("now", "", "check freshness against this unix time instead of the clock (for captured pushes)")
	tolerance := fs.Duration("tolerance", signing.DefaultBuckarooTolerance, "accepted clock difference")
	explain := fs.Bool("explain", false, "also print the signed parts to stderr (with --form: the signed field names, in order)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: betaalkit verify buckaroo-push --website-key K --secret S --url U --header H [--now UNIX] < body")
		fmt.Fprintln(fs.Output(), "       betaalkit verify buckaroo-push --form --website-key K --secret S < form body")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stdout, stderr, "website-key"); !ok {
		return code
	}
	if !*form {
		for _, name := range []string{"url", "header"} {
			if fs.Lookup(name).Value.String() == "" {
				return usageError(fs, stderr, "missing required flag --%s (or pass --form for a form push)", name)
			}
		}
	}
	key, code := flagOrEnv(fs, stderr, "secret", *secret, buckarooSecretEnv)
	if key == "" {
		return code
	}
	body, err := readStdin(stdin)
	if err != nil {
		return fail(stderr, "read body: %v", err)
	}
	if *form {
		return verifyBuckarooFormPush(*websiteKey, key, body, *explain, stdout, stderr)
	}
	if err := checkURL("url", *rawURL); err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	opts := []signing.BuckarooOption{signing.BuckarooTolerance(*tolerance)}
	if *now != "" {
		secs, err := strconv.ParseInt(*now, 10, 64)
		if err != nil {
			return fail(stderr, "--now %q is not unix seconds", *now)
		}
		at := time.Unix(secs, 0)
		opts = append(opts, signing.BuckarooClock(func() time.Time { return at }))
	}
	v, err := signing.NewBuckarooVerifier(*websiteKey, key, opts...)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	if *explain {
		explainBuckaroo(stderr, "POST", *rawURL, body)
	}
	if err := v.VerifyPush(*rawURL, body, *header); err != nil {
		if errors.Is(err, signing.ErrStale) && *now == "" {
			err = fmt.Errorf("%w (pass --now with the push's time to check a captured push)", err)
		}
		return fail(stderr, "push does not verify: %v", err)
	}
	fmt.Fprintln(stdout, "ok")
	return 0
}

// verifyBuckarooFormPush checks a classic form push and prints "ok" with
// its transaction key and status code.
func verifyBuckarooFormPush(websiteKey, secret string, body []byte, explain bool, stdout, stderr io.Writer) int {
	fields, err := url.ParseQuery(strings.TrimSpace(string(body)))
	if err != nil {
		return fail(stderr, "the body is not a form: %v", err)
	}
	if explain {
		fmt.Fprintf(stderr, "signed:  %s, then the secret key (SHA-1 hex; SHA-256/512 by length)\n", strings.Join(buckaroo.SignedFormFields(fields), ", "))
	}
	c, err := buckaroo.New(websiteKey, secret)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	p, err := c.ParseFormPush(fields)
	if err != nil {
		return fail(stderr, "push does not verify: %v", err)
	}
	fmt.Fprintf(stdout, "ok %s %s\n", p.Transactions, p.StatusCode)
	return 0
}

func explainBuckaroo(w io.Writer, method, rawURL string, body []byte) {
	content := ""
	if len(body) > 0 {
		sum := md5.Sum(body)
		content = base64.StdEncoding.EncodeToString(sum[:])
	}
	fmt.Fprintf(w, "method:  %s\nuri:     %s\nbody:    %d bytes\ncontent: %q (base64 MD5 of the body)\n", strings.ToUpper(method), signing.BuckarooURI(rawURL), len(body), content)
}

func randomHexNonce() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("nonce: %w", err)
	}
	return fmt.Sprintf("%x", b[:]), nil
}
