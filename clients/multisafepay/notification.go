package multisafepay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/signing"
)

// Errors from ParseNotification, besides signing.ErrSignatureMismatch and
// signing.ErrStale.
var (
	ErrNotificationMethod = errors.New("multisafepay: a signed notification is a POST")
	ErrNotificationBody   = errors.New("multisafepay: notification body is not an order")
)

// NotificationOption tunes notification verification.
type NotificationOption func(*notifyConfig)

type notifyConfig struct {
	clock     signing.Clock
	tolerance time.Duration
}

// WithClock sets the clock the timestamp is checked against (tests use a fixed one).
func WithClock(clock signing.Clock) NotificationOption {
	return func(c *notifyConfig) { c.clock = clock }
}

// WithTolerance sets how old (or how far ahead) a notification's timestamp
// may be; the default is signing.DefaultMultiSafepayTolerance, ten minutes.
func WithTolerance(d time.Duration) NotificationOption {
	return func(c *notifyConfig) { c.tolerance = d }
}

// ParseNotification reads a POST notification, checks its Auth header
// against the exact body and the website's API key (constant time, stale
// timestamps refused) and decodes the order it carries. Set
// payment_options.notification_method to POST: GET notifications are not
// signed. The request body is consumed.
func ParseNotification(r *http.Request, apiKey string, opts ...NotificationOption) (*Notification, error) {
	cfg := notifyConfig{}
	for _, o := range opts {
		o(&cfg)
	}
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("%w, got %s", ErrNotificationMethod, r.Method)
	}
	body, err := apiclient.ReadWebhookBody(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotificationBody, err)
	}
	if _, err := signing.VerifyMultiSafepayNotification(body, r.Header.Get(signing.MultiSafepayNotificationHeader), apiKey, cfg.clock, cfg.tolerance); err != nil {
		return nil, fmt.Errorf("multisafepay: notification: %w", err)
	}
	var n Notification
	if err := json.Unmarshal(body, &n); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotificationBody, err)
	}
	if n.OrderID == nil || *n.OrderID == "" {
		return nil, fmt.Errorf("%w: no order_id", ErrNotificationBody)
	}
	return &n, nil
}

// NotificationHandler verifies and parses each notification and passes the
// order to fn. It answers "OK" with 200 only when fn succeeded, which is what
// tells MultiSafepay the notification arrived; otherwise it answers 500 so
// MultiSafepay retries. A notification whose signature does not verify (or is
// stale) gets 401, one that is not an order 400, a non-POST 405; fn is not
// called for them.
func NotificationHandler(apiKey string, fn func(ctx context.Context, n *Notification) error, opts ...NotificationOption) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := ParseNotification(r, apiKey, opts...)
		switch {
		case errors.Is(err, ErrNotificationMethod):
			w.Header().Set("Allow", http.MethodPost)
			// MultiSafepay's default is an unsigned GET; say what to change.
			http.Error(w, "only signed POST notifications are accepted: create orders with payment_options.notification_method POST", http.StatusMethodNotAllowed)
			return
		case errors.Is(err, signing.ErrSignatureMismatch), errors.Is(err, signing.ErrStale), errors.Is(err, signing.ErrMissingCredentials):
			http.Error(w, "notification signature does not verify", http.StatusUnauthorized)
			return
		case err != nil:
			http.Error(w, "not a notification", http.StatusBadRequest)
			return
		}
		if err := fn(r.Context(), n); err != nil {
			http.Error(w, "notification not processed", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "OK")
	})
}

// NotificationHandler is the package NotificationHandler with the client's API key.
func (c *Client) NotificationHandler(fn func(ctx context.Context, n *Notification) error, opts ...NotificationOption) http.Handler {
	return NotificationHandler(c.notify.apiKey, fn, opts...)
}

// ParseNotification is the package ParseNotification with the client's API key.
func (c *Client) ParseNotification(r *http.Request, opts ...NotificationOption) (*Notification, error) {
	return ParseNotification(r, c.notify.apiKey, opts...)
}
