package kassacompleet

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/betaalkit/betaalkit/internal/apiclient"
)

// ParseWebhook reads the status-change webhook Kassa Compleet POSTs to the
// project's webhook_url and returns its event (order_id, project_id).
//
// The webhook is not signed: anyone can post one. Treat it only as a hint
// and re-fetch the order with GetOrder before acting on its status.
func ParseWebhook(r *http.Request) (*WebhookEvent, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("kassacompleet: webhook must be POST, got %s", r.Method)
	}
	body, err := apiclient.ReadWebhookBody(r)
	if err != nil {
		return nil, fmt.Errorf("kassacompleet: %w", err)
	}
	var ev WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("kassacompleet: webhook body is not JSON: %w", err)
	}
	if ev.OrderID == "" {
		return nil, fmt.Errorf("kassacompleet: webhook has no order_id")
	}
	return &ev, nil
}

// WebhookHandler parses each webhook, re-fetches the order it names (the
// webhook is unsigned, so only the API's answer counts) and passes the
// fresh order to fn. It answers 200 when fn succeeds, 500 otherwise so
// Kassa Compleet retries, and 400 for a body that is not a webhook.
func (c *Client) WebhookHandler(fn func(ctx context.Context, order *Order) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !apiclient.RequirePOST(w, r) {
			return
		}
		ev, err := ParseWebhook(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		order, err := c.GetOrder(r.Context(), ev.OrderID)
		if err != nil {
			http.Error(w, "could not fetch the order", http.StatusBadGateway)
			return
		}
		if err := fn(r.Context(), order); err != nil {
			http.Error(w, "handler failed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
