package buckaroo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/signing"
)

// ErrPushBody is returned for a verified push whose body is not a push.
var ErrPushBody = errors.New("buckaroo: push body is not a Buckaroo push")

// ParsePush verifies a push (website key, HMAC over the exact body and the
// push URL as given to Buckaroo, freshness, and that its nonce was not
// accepted before by this client's ParsePush, in this process) and decodes
// its transaction. A replayed push fails with signing.ErrReplay, a stale
// one with signing.ErrStale. WebhookHandler instead remembers pushes in a
// betaalkit.ReplayStore that several shop instances can share.
func (c *Client) ParsePush(pushURL string, body []byte, authorization string) (*Transaction, error) {
	tx, _, err := parsePush(c.verifier, pushURL, body, authorization)
	return tx, err
}

func parsePush(v *signing.BuckarooVerifier, pushURL string, body []byte, authorization string) (*Transaction, signing.BuckarooHeader, error) {
	h, err := v.Verify(http.MethodPost, pushURL, body, authorization)
	if errors.Is(err, signing.ErrSignatureMismatch) {
		// Name the URL the signature was checked against (never what was
		// expected): a push URL given to Buckaroo as localhost but served
		// as 127.0.0.1, or behind a proxy, shows up here.
		return nil, h, fmt.Errorf("buckaroo: push checked against push URL %s: %w", pushURL, err)
	}
	if err != nil {
		return nil, h, fmt.Errorf("buckaroo: push: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var p Push
	if err := dec.Decode(&p); err != nil {
		v.Forget(h)
		return nil, h, fmt.Errorf("%w: %v", ErrPushBody, err)
	}
	if p.Transaction.Key == "" || p.Transaction.Status.Code.Code == 0 {
		v.Forget(h)
		return nil, h, fmt.Errorf("%w: no Transaction.Key or Transaction.Status.Code.Code", ErrPushBody)
	}
	return &p.Transaction, h, nil
}

// WebhookHandler serves the shop's push URL, where Buckaroo POSTs a signed
// push whenever a transaction's status changes. It verifies every push
// (website key, HMAC over the exact body and the push URL, freshness),
// decodes it and passes the transaction to fn: the signed body itself, the
// same type GetPayment returns. It answers 200 "OK" when fn succeeds.
//
// Buckaroo signs the push URL, so the handler must check the signature
// against that URL exactly as Buckaroo was given it: pass
// betaalkit.WebhookURL(pushURL) when a proxy or a host name (localhost
// versus 127.0.0.1) makes the request look different; without it the URL
// is rebuilt from the request. betaalkit.WebhookClock and
// betaalkit.WebhookTolerance set the freshness check (default
// signing.DefaultBuckarooTolerance).
//
// A push is remembered by its signed nonce in the handler's
// betaalkit.ReplayStore (betaalkit.WebhookReplayStore; by default in this
// process's memory) for as long as it could pass the freshness check. A
// push seen before is answered 200 "OK" without calling fn again, and
// logged at Info: Buckaroo stops sending it, and a captured push sent again
// changes nothing. Share one store (redisreplay) between the handlers of
// several shop instances.
//
// A classic HTTP form push (Content-Type application/x-www-form-urlencoded,
// signed with brq_signature; see ParseFormPush) is served too: verified,
// read with TransactionOf and passed to the same fn. It carries no nonce
// or zone-aware time, so it is remembered by its brq_transactions,
// brq_timestamp and brq_signature for FormPushReplayWindow, and the
// push URL, clock and tolerance options do not apply to it.
//
// Every refusal answers with its reason class only, logs a Warn line
// through the client's logger (WithLogger) and calls betaalkit.OnReject:
// method (405), body (400: unreadable, or verified but not a push),
// signature (401: missing, malformed or not matching; the log names the
// push URL it was checked against), stale (401), replay-store (503: the
// store could not be checked; fn is not called and Buckaroo retries),
// handler (500: fn failed; the push's nonce is released so that Buckaroo's
// retry gets through).
func (c *Client) WebhookHandler(fn func(ctx context.Context, tx *Transaction) error, opts ...betaalkit.WebhookOption) http.Handler {
	hook := apiclient.NewWebhook(provider, c.logger, opts)
	var extra []signing.BuckarooOption
	if hook.Config.Clock != nil {
		extra = append(extra, signing.BuckarooClock(hook.Config.Clock))
	}
	if hook.Config.Tolerance > 0 {
		extra = append(extra, signing.BuckarooTolerance(hook.Config.Tolerance))
	}
	// Replays are the ReplayStore's to catch, not the verifier's.
	verifier, err := c.newVerifier(extra...)
	if err != nil { // unreachable: New checked the credentials
		verifier = c.verifier
	}
	ttl := apiclient.ReplayTTL(verifier.Tolerance())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := hook.ReadBody(w, r)
		if !ok {
			return
		}
		if isForm(r) {
			c.deliverFormPush(w, r, hook, body, fn)
			return
		}
		var tx *Transaction
		var h signing.BuckarooHeader
		var err error
		for _, u := range hook.URLs(r) {
			if tx, h, err = parsePush(verifier, u, body, r.Header.Get("Authorization")); !errors.Is(err, signing.ErrSignatureMismatch) {
				break
			}
		}
		if err != nil {
			hook.Reject(w, r, rejectReason(err), err)
			return
		}
		// The nonce is signed; the website key names whose nonce it is.
		key := apiclient.ReplayKey(provider, []byte(h.WebsiteKey), []byte(h.Nonce))
		hook.Deliver(w, r, key, ttl, func(ctx context.Context) error { return fn(ctx, tx) })
	})
}

// rejectReason classifies a parsePush failure.
func rejectReason(err error) betaalkit.RejectReason {
	switch {
	case errors.Is(err, ErrPushBody):
		return betaalkit.RejectBody
	case errors.Is(err, signing.ErrStale):
		return betaalkit.RejectStale
	}
	return betaalkit.RejectSignature
}

// isForm reports a body sent as an HTML form, as the classic push is.
func isForm(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded"
}

// deliverFormPush verifies, decodes and passes on a classic form push,
// through the same responder as a JSON push.
func (c *Client) deliverFormPush(w http.ResponseWriter, r *http.Request, hook *apiclient.Webhook, body []byte, fn func(ctx context.Context, tx *Transaction) error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		hook.Reject(w, r, betaalkit.RejectBody, fmt.Errorf("%w: %v", ErrPushBody, err))
		return
	}
	p, err := c.form.parse(form)
	if err != nil {
		hook.Reject(w, r, rejectReason(err), err)
		return
	}
	key := apiclient.ReplayKey(provider, []byte("form"), []byte(p.Transactions), []byte(p.Timestamp), []byte(strings.ToLower(p.Signature)))
	tx := TransactionOf(p)
	hook.Deliver(w, r, key, FormPushReplayWindow, func(ctx context.Context) error { return fn(ctx, tx) })
}
