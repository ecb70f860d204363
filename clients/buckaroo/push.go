package buckaroo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/signing"
)

// ErrPushBody is returned for a verified push whose body is not a push.
var ErrPushBody = errors.New("buckaroo: push body is not a Buckaroo push")

// ParsePush verifies a push (website key, HMAC over the exact body and the
// push URL as given to Buckaroo, freshness, and that its nonce was not
// accepted before) and decodes its transaction. A replayed push fails with
// signing.ErrReplay.
func (c *Client) ParsePush(pushURL string, body []byte, authorization string) (*Transaction, error) {
	tx, _, err := c.parsePush(pushURL, body, authorization)
	return tx, err
}

func (c *Client) parsePush(pushURL string, body []byte, authorization string) (*Transaction, signing.BuckarooHeader, error) {
	h, err := c.verifier.Verify(http.MethodPost, pushURL, body, authorization)
	if err != nil {
		return nil, h, fmt.Errorf("buckaroo: push: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var p Push
	if err := dec.Decode(&p); err != nil {
		c.verifier.Forget(h)
		return nil, h, fmt.Errorf("%w: %v", ErrPushBody, err)
	}
	if p.Transaction.Key == nil || *p.Transaction.Key == "" {
		c.verifier.Forget(h)
		return nil, h, fmt.Errorf("%w: no Transaction.Key", ErrPushBody)
	}
	return &p.Transaction, h, nil
}

// PushHandler serves the shop's push URL: it verifies every push, decodes
// it and passes the transaction to fn. It answers 200 when fn succeeds, 500
// when fn fails (Buckaroo then retries), 401 for a push that does not
// verify or was received before (a replay), 400 for a verified body that is
// not a push and 405 for non-POST.
// pushURL must be the URL exactly as given to Buckaroo (PushURL), since
// that is what Buckaroo signs; a proxy in front may change what the
// request itself shows.
func (c *Client) PushHandler(pushURL string, fn func(ctx context.Context, tx *Transaction) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !apiclient.RequirePOST(w, r) {
			return
		}
		body, err := apiclient.ReadWebhookBody(r)
		if err != nil {
			http.Error(w, "push body unreadable or too large", http.StatusBadRequest)
			return
		}
		tx, h, err := c.parsePush(pushURL, body, r.Header.Get("Authorization"))
		switch {
		case errors.Is(err, ErrPushBody):
			http.Error(w, "not a Buckaroo push", http.StatusBadRequest)
			return
		case err != nil:
			http.Error(w, "push signature does not verify", http.StatusUnauthorized)
			return
		}
		if err := fn(r.Context(), tx); err != nil {
			c.verifier.Forget(h) // Buckaroo's retry of this push must get through
			http.Error(w, "push handler failed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
