package opp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/betaalkit/betaalkit/internal/apiclient"
)

// ObjectTypeTransaction is the object_type of a transaction notification.
const ObjectTypeTransaction = "transaction"

// NotificationTransactionStatusChanged is sent when a transaction's status changes.
const NotificationTransactionStatusChanged = "transaction.status.changed"

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
	tx, err := c.GetTransaction(ctx, n.ObjectUID, expand...)
	if err != nil {
		return n, nil, err
	}
	return n, tx, nil
}

// NotificationHandler serves a notify_url: it parses each notification,
// re-fetches the transaction it names from the API (see
// NotificationTransaction) and passes both to fn. For notifications about
// other objects fn gets a nil transaction. It answers 200 when fn succeeds,
// 500 when fn fails and 502 when the transaction could not be fetched (so
// OPP retries), and 400 for a body that is not a notification.
func (c *Client) NotificationHandler(fn func(ctx context.Context, n *Notification, tx *Transaction) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !apiclient.RequirePOST(w, r) {
			return
		}
		n, err := ReadNotification(r)
		if err != nil {
			http.Error(w, "not an OPP notification", http.StatusBadRequest)
			return
		}
		var tx *Transaction
		if n.ObjectType == ObjectTypeTransaction {
			if tx, err = c.GetTransaction(r.Context(), n.ObjectUID); err != nil {
				http.Error(w, "could not fetch the transaction", http.StatusBadGateway)
				return
			}
		}
		if err := fn(r.Context(), n, tx); err != nil {
			http.Error(w, "handler failed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
