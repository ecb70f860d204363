package ideal2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/signing"
)

// DefaultNotificationMaxAge is how far a notification's
// MessageCreateDateTime may be from now before it counts as stale.
const DefaultNotificationMaxAge = 10 * time.Minute

// ParseNotification reads the status notification the routing service
// POSTs to InitiatingPartyNotificationURL. With a verifier, the body must
// carry a valid Digest and Signature (a *VerifyError otherwise); with nil,
// it is parsed unchecked — then treat it only as a hint and confirm with
// GetPayment. WebhookHandler does all of this for a Client.
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
	return parseNotification(body)
}

func parseNotification(body []byte) (*PaymentStatusResponse, error) {
	var st PaymentStatusResponse
	if err := json.Unmarshal(body, &st); err != nil {
		return nil, fmt.Errorf("ideal2: notification body is not a payment status: %w", err)
	}
	if st.CommonPaymentData.PaymentID == "" || st.CommonPaymentData.PaymentStatus == "" {
		return nil, errors.New("ideal2: notification has no PaymentId or PaymentStatus")
	}
	return &st, nil
}

// WebhookHandler receives the status notifications the routing service
// POSTs to a payment's InitiatingPartyNotificationURL (see
// WithNotificationURL) and passes each payment's status to fn, as
// GetPayment returns it.
//
// With a Config.ServerCertificate, a notification must carry a valid Digest
// and Signature, a MessageCreateDateTime within Config.NotificationMaxAge of
// the clock (WebhookTolerance and WebhookClock override both), and must not
// repeat one accepted before; fn gets the verified body. With verification
// off the body is only a hint: fn gets the payment as GetPayment reads it.
//
// It answers 200 "OK" when fn succeeds, as every betaalkit webhook handler does.
// A refusal answers the reason's status (betaalkit.RejectReason: method,
// body, signature, stale, replay, fetch when GetPayment fails, handler when
// fn fails — the routing service then tries again), logs a Warn line
// through Config.Logger and calls the OnReject hook.
func (c *Client) WebhookHandler(fn func(ctx context.Context, p *PaymentStatusResponse) error, opts ...betaalkit.WebhookOption) http.Handler {
	hook := apiclient.NewWebhook(provider, c.logger, opts)
	verifier := c.notifications
	var seen *signing.NonceCache
	now := time.Now
	if verifier != nil {
		v := *verifier
		if hook.Config.Clock != nil {
			v.Clock = hook.Config.Clock
		}
		if hook.Config.Tolerance > 0 {
			v.MaxAge = hook.Config.Tolerance
		}
		if v.Clock != nil {
			now = v.Clock
		}
		verifier = &v
		// A notification is fresh for 2 × MaxAge around its signed time:
		// that long, its signed time and digest mark it as seen.
		seen = signing.NewNonceCache(2 * v.MaxAge)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := hook.ReadBody(w, r)
		if !ok {
			return
		}
		if verifier != nil {
			if err := verifier.VerifyRequest(r, body); err != nil {
				reason := betaalkit.RejectSignature
				if errors.Is(err, signing.ErrStale) {
					reason = betaalkit.RejectStale
				}
				hook.Reject(w, r, reason, err)
				return
			}
		}
		st, err := parseNotification(body)
		if err != nil {
			hook.Reject(w, r, betaalkit.RejectBody, err)
			return
		}
		// Both are covered by the verified signature.
		id := r.Header.Get("MessageCreateDateTime") + " " + r.Header.Get("Digest")
		switch {
		case verifier == nil:
			// Unverified, the body is only a hint: pass on what the API says.
			if st, err = c.GetPayment(r.Context(), st.CommonPaymentData.PaymentID); err != nil {
				hook.Reject(w, r, betaalkit.RejectFetch, err)
				return
			}
		case !seen.Claim(id, now()):
			hook.Reject(w, r, betaalkit.RejectReplay, fmt.Errorf("the notification signed at %s was accepted before", r.Header.Get("MessageCreateDateTime")))
			return
		}
		if err := fn(r.Context(), st); err != nil {
			if seen != nil {
				seen.Release(id) // the routing service's retry must get through
			}
			hook.Reject(w, r, betaalkit.RejectHandler, err)
			return
		}
		hook.Accept(w)
	})
}
