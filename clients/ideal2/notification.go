package ideal2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
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
// and Signature and a MessageCreateDateTime within Config.NotificationMaxAge
// of the clock (WebhookTolerance and WebhookClock override both); fn gets
// the verified body. A verified notification is remembered by what its
// signature covers (its X-Request-ID when signed, MessageCreateDateTime and
// Digest) in the handler's betaalkit.ReplayStore (betaalkit.WebhookReplayStore;
// by default in this process's memory) for as long as it could pass the
// freshness check: one seen before is answered 200 "OK" without calling fn
// again, and logged at Info. Share one store (redisreplay) between the
// handlers of several shop instances. With verification off the body is
// only a hint: fn gets the payment as GetPayment reads it, every time.
//
// It answers 200 "OK" when fn succeeds, as every betaalkit webhook handler does.
// A refusal answers the reason's status (betaalkit.RejectReason: method,
// body, signature, stale, replay-store when the store could not be checked
// (503; fn is not called), fetch when GetPayment fails, handler when fn
// fails and the notification is released — the routing service then tries
// again), logs a Warn line through Config.Logger and calls the OnReject hook.
func (c *Client) WebhookHandler(fn func(ctx context.Context, p *PaymentStatusResponse) error, opts ...betaalkit.WebhookOption) http.Handler {
	hook := apiclient.NewWebhook(provider, c.logger, opts)
	verifier := c.notifications
	var ttl time.Duration
	if verifier != nil {
		v := *verifier
		if hook.Config.Clock != nil {
			v.Clock = hook.Config.Clock
		}
		if hook.Config.Tolerance > 0 {
			v.MaxAge = hook.Config.Tolerance
		}
		verifier = &v
		ttl = apiclient.ReplayTTL(v.MaxAge)
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
		if verifier == nil {
			// Unverified, the body is only a hint: pass on what the API says.
			if st, err = c.GetPayment(r.Context(), st.CommonPaymentData.PaymentID); err != nil {
				hook.Reject(w, r, betaalkit.RejectFetch, err)
				return
			}
			if err := fn(r.Context(), st); err != nil {
				hook.Reject(w, r, betaalkit.RejectHandler, err)
				return
			}
			hook.Accept(w)
			return
		}
		hook.Deliver(w, r, notificationKey(r.Header), ttl, func(ctx context.Context) error { return fn(ctx, st) })
	})
}

// notificationKey names a verified notification in the ReplayStore by the
// headers its signature covers, exactly as signed (all values of each,
// joined as in the signing string): X-Request-ID when the signature covers
// it, MessageCreateDateTime and Digest (which binds the body), both of
// which verification requires to be signed. A header the signature does not
// cover is left out: a replayer could change it to pass as new.
func notificationKey(h http.Header) string {
	signedValue := func(name string) []byte { return []byte(strings.Join(h.Values(name), ", ")) }
	var requestID []byte
	if p, err := signing.ParseIDEAL2Signature(h.Get("Signature")); err == nil && slices.ContainsFunc(p.Headers, func(s string) bool {
		return strings.EqualFold(s, "x-request-id")
	}) {
		requestID = append([]byte("x-request-id: "), signedValue("X-Request-ID")...)
	}
	return apiclient.ReplayKey(provider, requestID, signedValue("MessageCreateDateTime"), signedValue("Digest"))
}
