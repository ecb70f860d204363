package main

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/betaalkit/betaalkit/signing"
)

// multisafepayKeyEnv lets the API key stay out of the shell history and ps.
const multisafepayKeyEnv = "MULTISAFEPAY_API_KEY"

func init() {
	register("sign multisafepay", runSignMultiSafepay)
	register("verify multisafepay", runVerifyMultiSafepay)
}

// runSignMultiSafepay prints the Auth header MultiSafepay would send with a
// notification whose exact body is read from stdin.
func runSignMultiSafepay(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sign multisafepay", flag.ContinueOnError)
	key := fs.String("api-key", "", "website API key (or set "+multisafepayKeyEnv+")")
	timestamp := fs.String("timestamp", "", "unix seconds (default: now)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: betaalkit sign multisafepay --api-key K [--timestamp T] < body")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	apiKey, code := flagOrEnv(fs, stderr, "api-key", *key, multisafepayKeyEnv)
	if apiKey == "" {
		return code
	}
	at := time.Now()
	if *timestamp != "" {
		secs, err := strconv.ParseInt(*timestamp, 10, 64)
		if err != nil {
			return fail(stderr, "--timestamp %q is not unix seconds", *timestamp)
		}
		at = time.Unix(secs, 0)
	}
	body, err := readStdin(stdin)
	if err != nil {
		return fail(stderr, "read body: %v", err)
	}
	fmt.Fprintln(stdout, "Auth: "+signing.SignMultiSafepayNotification(apiKey, body, at))
	return 0
}

// runVerifyMultiSafepay exits 0 only if the Auth header verifies for the
// exact body on stdin.
func runVerifyMultiSafepay(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify multisafepay", flag.ContinueOnError)
	key := fs.String("api-key", "", "website API key (or set "+multisafepayKeyEnv+")")
	auth := fs.String("auth", "", "the notification's Auth header value (required)")
	now := fs.String("now", "", "check freshness against this unix time instead of the clock (for captured notifications)")
	tolerance := fs.Duration("tolerance", signing.DefaultMultiSafepayTolerance, "accepted clock difference")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: betaalkit verify multisafepay --api-key K --auth HEADER [--now UNIX] [--tolerance D] < body")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stdout, stderr, "auth"); !ok {
		return code
	}
	apiKey, code := flagOrEnv(fs, stderr, "api-key", *key, multisafepayKeyEnv)
	if apiKey == "" {
		return code
	}
	header := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(*auth), "Auth:"))
	if header == "" {
		return usageError(fs, stderr, "--auth %q holds no header value", *auth)
	}
	var clock signing.Clock
	if *now != "" {
		secs, err := strconv.ParseInt(*now, 10, 64)
		if err != nil {
			return fail(stderr, "--now %q is not unix seconds", *now)
		}
		clock = func() time.Time { return time.Unix(secs, 0) }
	}
	body, err := readStdin(stdin)
	if err != nil {
		return fail(stderr, "read body: %v", err)
	}
	signed, err := signing.VerifyMultiSafepayNotification(body, header, apiKey, clock, *tolerance)
	if err != nil {
		if errors.Is(err, signing.ErrStale) && *now == "" {
			err = fmt.Errorf("%w (pass --now with the notification's time to check a captured one)", err)
		}
		if raw, derr := base64.StdEncoding.DecodeString(header); derr == nil {
			if ts, _, ok := strings.Cut(string(raw), ":"); ok {
				fmt.Fprintf(stderr, "header timestamp: %s; body: %d bytes (a trailing newline counts)\n", ts, len(body))
			}
		}
		return fail(stderr, "notification does not verify: %v", err)
	}
	fmt.Fprintf(stdout, "ok: signed at %s\n", signed.Format(time.RFC3339))
	return 0
}
