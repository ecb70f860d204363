package opp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient"
)

// Notification object types (Notification.ObjectType), an open set.
const (
	ObjectTypeTransaction = "transaction"
	ObjectTypeMerchant    = "merchant"
	// A bank account's notification names its merchant as the parent.
	ObjectTypeBankAccount = "bank_account"
)

// Notification types (Notification.Type), an open set.
const (
	// NotificationTransactionStatusChanged is sent when a transaction's status changes.
	NotificationTransactionStatusChanged = "transaction.status.changed"
	// NotificationMerchantStatusChanged is sent to a merchant's notify_url
	// when its status changes (pending → live, suspended, …).
	NotificationMerchantStatusChanged = "merchant.status.changed"
	// NotificationBankAccountStatusChanged is sent to a bank account's
	// notify_url when its status changes (new → pending → approved, …).
	NotificationBankAccountStatusChanged = "bank_account.status.changed"
)

// ErrNotTransaction is returned by Client.NotificationTransaction for a
// notification about another kind of object (a merchant, say).
var ErrNotTransaction = errors.New("opp: notification is not about a transaction")

// ParseNotification decodes the body OPP posts to a notify_url.
//
// The notification is not signed: anyone can post one. It only says which
// object changed; fetch that object from the API (Client.NotificationTransaction)
// before acting on it, and never follow object_url, which names whatever
// host the sender chose.
func ParseNotification(body []byte) (*Notification, error) {
	var n Notification
	if err := json.Unmarshal(body, &n); err != nil {
		return nil, fmt.Errorf("opp: notification body is not JSON: %w", err)
	}
	if n.ObjectUID == "" {
		return nil, fmt.Errorf("opp: notification has no object_uid")
	}
	if n.ObjectType == "" {
		return nil, fmt.Errorf("opp: notification has no object_type")
	}
	if err := validateUID("object_uid", n.ObjectUID); err != nil {
		return nil, fmt.Errorf("opp: notification: %w", err)
	}
	return &n, nil
}

// ReadNotification reads and parses a notification request (a POST).
func ReadNotification(r *http.Request) (*Notification, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("opp: notification must be POST, got %s", r.Method)
	}
	body, err := apiclient.ReadWebhookBody(r)
	if err != nil {
		return nil, fmt.Errorf("opp: %w", err)
	}
	return ParseNotification(body)
}

// NotificationTransaction parses a notification body and fetches the
// transaction it names from this client's base URL, by object_uid only.
// object_url is ignored: following it would send the API key to any host a
// forged notification names.
func (c *Client) NotificationTransaction(ctx context.Context, body []byte, expand ...Expand) (*Notification, *Transaction, error) {
	n, err := ParseNotification(body)
	if err != nil {
		return nil, nil, err
	}
	if n.ObjectType != ObjectTypeTransaction {
		return n, nil, fmt.Errorf("%w (object_type %q)", ErrNotTransaction, clip(n.ObjectType))
	}
	tx, err := c.GetPayment(ctx, n.ObjectUID, expand...)
	if err != nil {
		return n, nil, err
	}
	return n, tx, nil
}

// WebhookHandler serves the notify_url (or the webhook configured at OPP).
// OPP's notifications are not signed, so the handler never trusts one: it
// reads the object_uid, fetches that transaction with GetPayment (never
// from object_url) and passes the transaction as the API returned it to fn.
//
// It answers 200 "OK" when fn succeeds. A notification about another kind
// of object (a merchant, …) is answered 200 too, without calling fn, and
// logged at Info through the client's logger (WithLogger; else
// slog.Default()), since OPP would otherwise send it again and again.
// Otherwise the handler refuses the delivery, logs a Warn line and calls
// the OnReject option: 405 for a method other than POST, 400 (RejectBody)
// for a body that is not a notification, 502 (RejectFetch) when the
// transaction cannot be fetched and 500 (RejectHandler) when fn fails; OPP
// retries the last two.
func (c *Client) WebhookHandler(fn func(ctx context.Context, tx *Transaction) error, opts ...betaalkit.WebhookOption) http.Handler {
	hook := apiclient.NewWebhook(provider, c.logger, opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := hook.ReadBody(w, r)
		if !ok {
			return
		}
		n, err := ParseNotification(body)
		if err != nil {
			hook.Reject(w, r, betaalkit.RejectBody, err)
			return
		}
		if n.ObjectType != ObjectTypeTransaction {
			hook.Skip(w, r, "not about a transaction",
				slog.String("type", clip(n.Type)),
				slog.String("object_type", clip(n.ObjectType)),
				slog.String("object_uid", n.ObjectUID),
			)
			return
		}
		tx, err := c.GetPayment(r.Context(), n.ObjectUID)
		if err != nil {
			hook.Reject(w, r, betaalkit.RejectFetch, err)
			return
		}
		if err := fn(r.Context(), tx); err != nil {
			hook.Reject(w, r, betaalkit.RejectHandler, err)
			return
		}
		hook.Accept(w)
	})
}
