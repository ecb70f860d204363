package apiclient

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/betaalkit/betaalkit"
)

// Webhook answers a provider's webhook deliveries the same way for every
// client: 200 "OK" when the shop's function succeeded; otherwise a status
// and a body that names only the reason class (never what was expected), a
// Warn line through the client's logger, and the shop's OnReject hook.
type Webhook struct {
	Provider string
	Config   betaalkit.WebhookConfig
	logger   *slog.Logger
}

// NewWebhook builds a client's webhook responder. logger is the client's
// (nil: slog.Default(), so that a refusal is never silent).
func NewWebhook(provider string, logger *slog.Logger, opts []betaalkit.WebhookOption) *Webhook {
	if logger == nil {
		logger = slog.Default()
	}
	return &Webhook{Provider: provider, Config: betaalkit.NewWebhookConfig(opts...), logger: logger}
}

// statusOf is the HTTP status each reason is answered with.
var statusOf = map[betaalkit.RejectReason]int{
	betaalkit.RejectMethod:    http.StatusMethodNotAllowed,
	betaalkit.RejectBody:      http.StatusBadRequest,
	betaalkit.RejectSignature: http.StatusUnauthorized,
	betaalkit.RejectStale:     http.StatusUnauthorized,
	betaalkit.RejectReplay:    http.StatusUnauthorized,
	betaalkit.RejectFetch:     http.StatusBadGateway,
	betaalkit.RejectHandler:   http.StatusInternalServerError,
}

// Reject refuses a delivery for reason: it answers the reason's status
// with "webhook rejected: <reason>", logs a Warn line with err (which must
// hold no secret) and calls OnReject.
func (h *Webhook) Reject(w http.ResponseWriter, r *http.Request, reason betaalkit.RejectReason, err error) {
	status, ok := statusOf[reason]
	if !ok {
		status = http.StatusBadRequest
	}
	if err == nil {
		err = errors.New(string(reason))
	}
	if reason == betaalkit.RejectMethod {
		w.Header().Set("Allow", http.MethodPost)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "webhook rejected: "+string(reason)+"\n")

	h.logger.LogAttrs(context.WithoutCancel(r.Context()), slog.LevelWarn, "webhook rejected",
		slog.String("provider", h.Provider),
		slog.String("reason", string(reason)),
		slog.Int("status", status),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("error", err.Error()),
	)
	if h.Config.OnReject != nil {
		h.Config.OnReject(r, betaalkit.WebhookRejection{Provider: h.Provider, Reason: reason, HTTPStatus: status, Err: err})
	}
}

// Accept answers 200 with the body "OK" (MultiSafepay looks for it; the
// others only need the 2xx).
func (h *Webhook) Accept(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "OK")
}

// ReadBody checks that r is a POST and reads its body (at most
// MaxWebhookBody). When it returns false the delivery has been rejected.
func (h *Webhook) ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Method != http.MethodPost {
		h.Reject(w, r, betaalkit.RejectMethod, errors.New("webhooks are POSTed, got "+r.Method))
		return nil, false
	}
	body, err := ReadWebhookBody(r)
	if err != nil {
		h.Reject(w, r, betaalkit.RejectBody, err)
		return nil, false
	}
	return body, true
}

// URL is the URL the provider signed: WebhookConfig.URL when set, else
// rebuilt from the request (https when the connection was TLS or
// X-Forwarded-Proto says so).
func (h *Webhook) URL(r *http.Request) string {
	if h.Config.URL != "" {
		return h.Config.URL
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.RequestURI()
}
