package apiclient

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/betaalkit/betaalkit"
)

// Webhook answers a provider's webhook deliveries the same way for every
// client: 200 "OK" when the shop's function succeeded; otherwise a status
// and a body that names only the reason class (never what was expected), a
// Warn line through the client's logger, and the shop's OnReject hook.
type Webhook struct {
	Provider string
	// Config.ReplayStore is never nil: without WebhookReplayStore it is a
	// MemoryReplayStore of this handler's own, on Config.Clock.
	Config betaalkit.WebhookConfig
	logger *slog.Logger
}

// NewWebhook builds a client's webhook responder. logger is the client's
// (nil: slog.Default(), so that a refusal is never silent).
func NewWebhook(provider string, logger *slog.Logger, opts []betaalkit.WebhookOption) *Webhook {
	if logger == nil {
		logger = slog.Default()
	}
	cfg := betaalkit.NewWebhookConfig(opts...)
	if cfg.ReplayStore == nil {
		cfg.ReplayStore = betaalkit.NewMemoryReplayStore(cfg.Clock)
	}
	return &Webhook{Provider: provider, Config: cfg, logger: logger}
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
	// The provider must retry: the delivery was neither checked nor passed on.
	betaalkit.RejectReplayStore: http.StatusServiceUnavailable,
}

// ReplayTTL is how long a delivery's key stays claimed when its signed
// timestamp may be tolerance from the clock: a delivery passes the
// freshness check for 2 × tolerance around its signed time, plus a margin
// for clocks that differ between shop instances.
func ReplayTTL(tolerance time.Duration) time.Duration { return 2*tolerance + time.Minute }

// ReplayKey names a delivery in a ReplayStore: the provider and a SHA-256
// over parts, each length-prefixed so that no two lists of parts collide.
// parts must be what the provider signed, exactly as signed, so that no
// change an attacker can make to a captured delivery gives another key.
func ReplayKey(provider string, parts ...[]byte) string {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write(p)
	}
	return provider + ":" + hex.EncodeToString(h.Sum(nil))
}

// releaseTimeout bounds releasing a key after the shop's function failed,
// when the request's own context may be done.
const releaseTimeout = 5 * time.Second

// Deliver passes a verified delivery to fn at most once per key (see
// ReplayKey) while its claim lasts (ttl, see ReplayTTL), across every
// handler that shares Config.ReplayStore:
//
//   - claimed now: fn runs; 200 "OK" when it returns nil, otherwise the key
//     is released (so the provider's retry gets through) and the delivery
//     is refused with RejectHandler (500). A panicking fn releases too.
//   - claimed before: 200 "OK" without calling fn (the provider stops
//     sending it), and an Info line through the client's logger.
//   - the store could not be checked: RejectReplayStore (503, the provider
//     retries); fn is not called.
//
// Call it only once the delivery's signature and freshness have been
// checked: a forged delivery must be refused, not acknowledged.
func (h *Webhook) Deliver(w http.ResponseWriter, r *http.Request, key string, ttl time.Duration, fn func(ctx context.Context) error) {
	ctx := r.Context()
	claimed, err := h.Config.ReplayStore.Claim(ctx, key, ttl)
	if err != nil {
		h.Reject(w, r, betaalkit.RejectReplayStore, fmt.Errorf("replay store: could not check the delivery, not passed on: %w", err))
		return
	}
	if !claimed {
		h.logger.LogAttrs(context.WithoutCancel(ctx), slog.LevelInfo, "webhook delivery seen before: acknowledged, not passed on again",
			slog.String("provider", h.Provider),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("key", key),
		)
		h.Accept(w)
		return
	}
	done := false
	defer func() {
		if !done { // fn panicked: let the provider's retry through
			_ = h.release(ctx, key)
		}
	}()
	err = fn(ctx)
	done = true
	if err != nil {
		if rerr := h.release(ctx, key); rerr != nil {
			err = errors.Join(err, fmt.Errorf("replay store: could not release the delivery for the provider's retry: %w", rerr))
		}
		h.Reject(w, r, betaalkit.RejectHandler, err)
		return
	}
	h.Accept(w)
}

func (h *Webhook) release(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	return h.Config.ReplayStore.Release(ctx, key)
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

// Skip acknowledges a delivery the shop's function is not for (an OPP
// notification about a merchant, say): 200 "OK" so the provider stops
// sending it, and an Info line saying why.
func (h *Webhook) Skip(w http.ResponseWriter, r *http.Request, why string, attrs ...slog.Attr) {
	h.logger.LogAttrs(context.WithoutCancel(r.Context()), slog.LevelInfo, "webhook skipped: "+why,
		append([]slog.Attr{slog.String("provider", h.Provider)}, attrs...)...)
	h.Accept(w)
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

// URLs are the URLs the provider may have signed: URL, and when it was
// rebuilt from a request to the bare origin ("http://host/"), also the
// origin without the slash, which is how a shop often writes it. A
// signature still has to verify over one of them.
func (h *Webhook) URLs(r *http.Request) []string {
	u := h.URL(r)
	if h.Config.URL == "" && r.URL.RequestURI() == "/" {
		return []string{u, strings.TrimSuffix(u, "/")}
	}
	return []string{u}
}
