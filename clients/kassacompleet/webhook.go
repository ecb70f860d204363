package kassacompleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient"
)

// ParseWebhook reads the body of the status-change webhook Kassa Compleet
// POSTs to the webhook_url and returns its event (order_id, project_id). It
// refuses a body that is not JSON or whose order_id cannot be an order's
// id.
//
// The webhook is not signed: anyone can post one. Treat it only as a hint
// and fetch the order with GetPayment before acting on it (WebhookHandler
// does).
func ParseWebhook(body []byte) (*WebhookEvent, error) {
	var ev WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("kassacompleet: webhook body is not JSON: %w", err)
	}
	if ev.OrderID == "" {
		return nil, errors.New("kassacompleet: webhook has no order_id")
	}
	if err := apiclient.CheckPathID("order_id", ev.OrderID); err != nil {
		return nil, fmt.Errorf("kassacompleet: webhook: %w", err)
	}
	return &ev, nil
}

// WebhookHandler answers Kassa Compleet's status-change webhooks. The
// webhook is not signed, so the handler never trusts its body: it reads the
// order_id, fetches that order with GetPayment and passes the order as the
// API returned it to fn. It answers 200 "OK" when fn succeeds. Otherwise it
// refuses the delivery, logs a Warn line through the client's logger
// (WithLogger) and calls the OnReject option: 405 for a method other than
// POST, 400 (RejectBody) for a body that is not a webhook, 502
// (RejectFetch) when the order cannot be fetched and 500 (RejectHandler)
// when fn fails; Kassa Compleet retries the last two.
func (c *Client) WebhookHandler(fn func(ctx context.Context, order *Order) error, opts ...betaalkit.WebhookOption) http.Handler {
	hook := apiclient.NewWebhook(provider, c.logger, opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := hook.ReadBody(w, r)
		if !ok {
			return
		}
		ev, err := ParseWebhook(body)
		if err != nil {
			hook.Reject(w, r, betaalkit.RejectBody, err)
			return
		}
		order, err := c.GetPayment(r.Context(), ev.OrderID)
		if err != nil {
			hook.Reject(w, r, betaalkit.RejectFetch, err)
			return
		}
		if err := fn(r.Context(), order); err != nil {
			hook.Reject(w, r, betaalkit.RejectHandler, err)
			return
		}
		hook.Accept(w)
	})
}
