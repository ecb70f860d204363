package multisafepay

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/signing"
)

// Errors from ParseNotification, besides signing.ErrSignatureMismatch and
// signing.ErrStale.
var (
	ErrNotificationMethod = errors.New("multisafepay: a signed notification is a POST")
	ErrNotificationBody   = errors.New("multisafepay: notification body is not an order")
)

// WebhookHandler receives MultiSafepay's notifications. MultiSafepay signs
// a POST notification's body (the order, as GetPayment returns it) with the
// website's API key, so fn gets that verified body: the Auth header is
// checked against the exact bytes (HMAC-SHA512, constant time) and its
// timestamp against the clock (betaalkit.WebhookTolerance, default ten
// minutes; betaalkit.WebhookClock for tests).
//
// Create orders with PaymentOptions.NotificationMethod = NotificationMethodPOST:
// MultiSafepay's default GET notification carries no order and no
// signature, and is refused (405).
//
// MultiSafepay's signature carries no nonce, so a notification is
// remembered by its signed timestamp and the SHA-256 of its exact body in
// the handler's betaalkit.ReplayStore (betaalkit.WebhookReplayStore; by
// default in this process's memory) for as long as it could pass the
// freshness check. One seen before is answered 200 "OK" without calling fn
// again, and logged at Info. Share one store (redisreplay) between the
// handlers of several shop instances.
//
// It answers 200 "OK" (what MultiSafepay looks for) only when fn returned
// nil or the notification was seen before; otherwise MultiSafepay retries.
// Every refusal is answered with its reason class only, logged at Warn
// through the client's logger with the cause, and passed to the
// betaalkit.OnReject hook: method (405), body (400: unreadable, or a
// verified body that is not an order), signature (401: missing, malformed
// or not made with this API key), stale (401), replay-store (503: the store
// could not be checked; fn is not called) and handler (500: fn's error;
// the notification is released so that MultiSafepay's retry gets through).
func (c *Client) WebhookHandler(fn func(ctx context.Context, order *Order) error, opts ...betaalkit.WebhookOption) http.Handler {
	hook := apiclient.NewWebhook(provider, c.logger, opts)
	tolerance := hook.Config.Tolerance
	if tolerance <= 0 {
		tolerance = signing.DefaultMultiSafepayTolerance
	}
	ttl := apiclient.ReplayTTL(tolerance)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			hook.Reject(w, r, betaalkit.RejectMethod, fmt.Errorf("%w, got %s (GET notifications are not signed): set payment_options.notification_method to POST", ErrNotificationMethod, r.Method))
			return
		}
		body, ok := hook.ReadBody(w, r)
		if !ok {
			return
		}
		order, signed, err := c.verify(r, body, hook.Config)
		switch {
		case errors.Is(err, signing.ErrStale):
			hook.Reject(w, r, betaalkit.RejectStale, err)
			return
		case errors.Is(err, ErrNotificationBody):
			hook.Reject(w, r, betaalkit.RejectBody, err)
			return
		case err != nil:
			hook.Reject(w, r, betaalkit.RejectSignature, err)
			return
		}
		// Both are signed: the timestamp as sent, and the exact body.
		digest := sha256.Sum256(body)
		key := apiclient.ReplayKey(provider, strconv.AppendInt(nil, signed.Unix(), 10), digest[:])
		hook.Deliver(w, r, key, ttl, func(ctx context.Context) error { return fn(ctx, order) })
	})
}

// ParseNotification reads a POST notification, checks its Auth header
// against the exact body and the client's API key (constant time, stale
// timestamps refused; betaalkit.WebhookClock and betaalkit.WebhookTolerance
// apply, other options are ignored) and decodes the order it carries. The
// request body is consumed. WebhookHandler does this and answers
// MultiSafepay; use ParseNotification to answer yourself.
func (c *Client) ParseNotification(r *http.Request, opts ...betaalkit.WebhookOption) (*Order, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("%w, got %s", ErrNotificationMethod, r.Method)
	}
	body, err := apiclient.ReadWebhookBody(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotificationBody, err)
	}
	order, _, err := c.verify(r, body, betaalkit.NewWebhookConfig(opts...))
	return order, err
}

// verify checks a notification's signature, then decodes its body; it
// returns the order and the signed time. The body is judged only once the
// signature holds.
func (c *Client) verify(r *http.Request, body []byte, cfg betaalkit.WebhookConfig) (*Order, time.Time, error) {
	auth := r.Header.Get(signing.MultiSafepayNotificationHeader)
	signed, err := signing.VerifyMultiSafepayNotification(body, auth, c.notify.apiKey, signing.Clock(cfg.Clock), cfg.Tolerance)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%s: notification: %w", provider, err)
	}
	var o Order
	if err := json.Unmarshal(body, &o); err != nil {
		return nil, time.Time{}, fmt.Errorf("%w: %v", ErrNotificationBody, err)
	}
	if o.OrderID == "" {
		return nil, time.Time{}, fmt.Errorf("%w: no order_id", ErrNotificationBody)
	}
	return &o, signed, nil
}
