package buckaroo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxPushBody bounds a push body; a real one is a few kilobytes.
const maxPushBody = 1 << 20

// ErrPushBody is returned for a verified push whose body is not a push.
var ErrPushBody = errors.New("buckaroo: push body is not a Buckaroo push")

// ParsePush verifies a push (its raw body and Authorization header) against
// the push URL the shop gave Buckaroo, then decodes it. Verification uses
// the client's keys, clock and tolerance; nothing is decoded before the
// signature holds.
func (c *Client) ParsePush(pushURL string, body []byte, authorization string) (*Transaction, error) {
	if err := c.verifier.VerifyPush(pushURL, body, authorization); err != nil {
		return nil, fmt.Errorf("buckaroo: push: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var p Push
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPushBody, err)
	}
	if p.Transaction.Key == nil || *p.Transaction.Key == "" {
		return nil, fmt.Errorf("%w: no Transaction.Key", ErrPushBody)
	}
	return &p.Transaction, nil
}

// PushHandler serves the shop's push URL: it verifies every push, decodes
// it and passes the transaction to fn. It answers 200 when fn succeeds, 500
// when fn fails (Buckaroo then retries), 401 for a push that does not
// verify, 400 for a verified body that is not a push and 405 for non-POST.
// pushURL must be the URL exactly as given to Buckaroo (PushURL), since
// that is what Buckaroo signs; a proxy in front may change what the
// request itself shows.
func (c *Client) PushHandler(pushURL string, fn func(ctx context.Context, tx *Transaction) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "push must be POST", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxPushBody+1))
		if err != nil || len(body) > maxPushBody {
			http.Error(w, "push body unreadable or too large", http.StatusBadRequest)
			return
		}
		tx, err := c.ParsePush(pushURL, body, r.Header.Get("Authorization"))
		switch {
		case errors.Is(err, ErrPushBody):
			http.Error(w, "not a Buckaroo push", http.StatusBadRequest)
			return
		case err != nil:
			http.Error(w, "push signature does not verify", http.StatusUnauthorized)
			return
		}
		if err := fn(r.Context(), tx); err != nil {
			http.Error(w, "push handler failed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
