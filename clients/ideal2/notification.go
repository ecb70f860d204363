package ideal2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/betaalkit/betaalkit/internal/apiclient"

	"github.com/betaalkit/betaalkit/signing"
)

// DefaultNotificationMaxAge is how far a notification's
// MessageCreateDateTime may be from now before it counts as a replay.
const DefaultNotificationMaxAge = 10 * time.Minute

// ParseNotification reads the status notification the routing service
// POSTs to InitiatingPartyNotificationURL. With a verifier, the body must
// carry a valid Digest and Signature (a *VerifyError otherwise); with nil,
// it is parsed unchecked — then treat it only as a hint and confirm with
// PaymentStatus.
func ParseNotification(r *http.Request, v *signing.IDEAL2Verifier) (*PaymentStatusResponse, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("ideal2: notification must be POST, got %s", r.Method)
	}
	body, err := apiclient.ReadWebhookBody(r)
	if err != nil {
		return nil, fmt.Errorf("ideal2: %w", err)
	}
	if v != nil {
		if err := v.VerifyRequest(r, body); err != nil {
			return nil, err
		}
	}
	var st PaymentStatusResponse
	if err := json.Unmarshal(body, &st); err != nil {
		return nil, fmt.Errorf("ideal2: notification body is not a payment status: %w", err)
	}
	if st.CommonPaymentData.PaymentID == "" || st.CommonPaymentData.PaymentStatus == "" {
		return nil, errors.New("ideal2: notification has no PaymentId or PaymentStatus")
	}
	return &st, nil
}

// NotificationHandler verifies each notification as the client verifies
// responses (when it has a ServerCertificate), parses it and passes it to
// fn. With verification turned off it does not trust the body: it fetches
// the payment's status from the API and passes that to fn instead. It
// answers 204 when fn succeeds, 500 when fn fails (so the routing service
// tries again), 401 for a notification that fails verification and 400 for
// a body that is not a notification.
func (c *Client) NotificationHandler(fn func(ctx context.Context, status *PaymentStatusResponse) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !apiclient.RequirePOST(w, r) {
			return
		}
		st, err := ParseNotification(r, c.notifications)
		var ve *VerifyError
		switch {
		case errors.As(err, &ve):
			http.Error(w, "notification failed verification", http.StatusUnauthorized)
			return
		case err != nil:
			http.Error(w, "not a payment status notification", http.StatusBadRequest)
			return
		}
		if c.notifications == nil {
			// Unverified, the body is only a hint: pass on what the API says.
			if st, err = c.PaymentStatus(r.Context(), st.CommonPaymentData.PaymentID); err != nil {
				http.Error(w, "could not fetch the payment status", http.StatusBadGateway)
				return
			}
		}
		if err := fn(r.Context(), st); err != nil {
			http.Error(w, "handler failed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
